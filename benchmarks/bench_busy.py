"""The course on a busy machine: run times beside two CPU-bound processes and quiet; asserts nothing.

    python benchmarks/bench_busy.py                       # every solution notebook, then the course
    python benchmarks/bench_busy.py 08_mnist_two_layer_net 06_gradient_checking
    python benchmarks/bench_busy.py --course-only         # only the whole course under strict nbval
    python benchmarks/bench_busy.py --notebooks-only

(a) Each solution notebook under strict nbval (``pytest <notebook>``, the README's own check), four
    ways: quiet or beside two busy processes (``while True: pass``, one per core on a 2-core
    machine), and with NumPy's default BLAS threads (``COURSE_BLAS_THREADS=default``) or the
    course's thread policy (course_utils/threads.py: one BLAS thread).
(b) The whole course, every notebook of both editions under strict nbval, with the policy: quiet,
    then beside two busy processes, and the ratio.
(c) ``--training``: notebook 08's training call alone (784-256-10, 12 epochs on 55,000 images), in
    a fresh process, with NumPy's default BLAS threads and with the policy, quiet and busy.

"Quiet" means no busy process started by this script: on a machine shared with other work it is
not quiet, so the script prints the load average before each run and the figures are to be read
beside it.
"""

import argparse
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "notebooks" / "solutions"


@contextmanager
def busy(n):
    """``n`` CPU-bound processes beside whatever runs inside the block."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        time.sleep(0.5)  # let them take their cores
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def load():
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def nbval_seconds(paths, policy):
    """Wall-clock seconds of strict nbval on ``paths``; raises if a notebook fails."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSE_")}
    if not policy:
        env["COURSE_BLAS_THREADS"] = "default"
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *map(str, paths)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        lines = run.stdout.splitlines()
        # The cause (an exception, a timeout) first, then the summary.
        causes = [line for line in lines if "Error" in line or "imeout" in line or "imed out" in line]
        tail = "\n".join(causes[-10:] + lines[-5:])
        raise RuntimeError(f"strict nbval failed on {[p.name for p in paths]}:\n{tail}")
    return seconds


def part_a(names, hogs, policies=(False, True)):
    print(f"(a) each solution notebook under strict nbval, seconds ({hogs} busy processes when busy)")
    print(
        f"    {'notebook':<28} {'quiet default':>14} {'quiet policy':>13}"
        f" {'busy default':>13} {'busy policy':>12}"
    )
    for name in names:
        path = SOLUTIONS / f"{name}.ipynb"
        row = []
        loads = []
        for n_busy in (0, hogs):
            for policy in (False, True):
                loads.append(load())
                if policy not in policies:
                    row.append(float("nan"))
                    continue
                with busy(n_busy):
                    row.append(nbval_seconds([path], policy))
        print(
            f"    {name:<28} {row[0]:>14.1f} {row[1]:>13.1f} {row[2]:>13.1f} {row[3]:>12.1f}"
            f"   (load average before each run: {', '.join(f'{v:.1f}' for v in loads)})",
            flush=True,
        )


def part_b(hogs):
    notebooks = sorted((ROOT / "notebooks").glob("**/[0-9][0-9]_*.ipynb"))
    notebooks = [p for p in notebooks if ".ipynb_checkpoints" not in p.parts]
    print(f"\n(b) the whole course under strict nbval, {len(notebooks)} notebooks, with the thread policy")
    load_quiet = load()
    quiet = nbval_seconds(notebooks, policy=True)
    print(f"    quiet:                 {quiet:7.1f} s   (load average before: {load_quiet:.1f})", flush=True)
    load_busy = load()
    with busy(hogs):
        loaded = nbval_seconds(notebooks, policy=True)
    print(f"    beside {hogs} busy processes: {loaded:7.1f} s   (load average before: {load_busy:.1f})")
    print(f"    ratio busy / quiet: {loaded / quiet:.2f}  (target: at most 3)")


TRAINING = """
import time, numpy as np, course_utils as cu
from course_utils import training
X, y = cu.load_mnist("train")
net = cu.TwoLayerNet(784, 256, 10, hidden="relu", seed=0, dtype=np.float32)
start = time.perf_counter()
training.train(net, X[:55_000], y[:55_000], epochs=12, batch_size=128, reg=1e-4, seed=0, progress=False,
               X_val=X[55_000:], y_val=y[55_000:])
print(time.perf_counter() - start)
"""


def part_c(hogs):
    print(f"\n(c) notebook 08's training alone, seconds ({hogs} busy processes when busy)")
    for n_busy in (0, hogs):
        for policy in (False, True):
            env = {k: v for k, v in os.environ.items() if not k.startswith("COURSE_")}
            if not policy:
                env["COURSE_BLAS_THREADS"] = "default"
            before = load()
            with busy(n_busy):
                out = subprocess.run(
                    [sys.executable, "-c", TRAINING], env=env, capture_output=True, text=True
                )
            label = f"{'busy' if n_busy else 'quiet'}, {'policy' if policy else 'default threads'}"
            print(
                f"    {label:<24} {float(out.stdout):7.1f} s   (load average before: {before:.1f})",
                flush=True,
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="solution notebooks to time (default: all)")
    parser.add_argument("--busy", type=int, default=2, help="CPU-bound processes to start (default 2)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--course-only", action="store_true", help="only part (b)")
    group.add_argument("--notebooks-only", action="store_true", help="only part (a)")
    group.add_argument("--training", action="store_true", help="only part (c)")
    parser.add_argument(
        "--policy-only", action="store_true", help="in (a), skip NumPy's default threads (slow when busy)"
    )
    args = parser.parse_args()
    names = args.names or sorted(p.stem for p in SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, load average now {load():.1f}\n")
    if args.training:
        part_c(args.busy)
        return
    if not args.course_only:
        part_a(names, args.busy, (True,) if args.policy_only else (False, True))
    if not args.notebooks_only:
        part_b(args.busy)


if __name__ == "__main__":
    main()
