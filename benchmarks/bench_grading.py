"""Grading time per hand-in: blank, right and hostile hand-ins, --jobs 1 and 2, sandbox or none.

    python benchmarks/bench_grading.py                       # notebooks 04 and 06, 4 hand-ins a kind
    python benchmarks/bench_grading.py --notebooks 04_chain_rule_reduction --copies 2
    python benchmarks/bench_grading.py --fast --copies 60    # every notebook: --fast, --jobs 2, 60 hand-ins

With ``--fast``, each notebook's solution (every cell, widgets included, as a learner hands it in)
is graded as a batch of ``--copies`` hand-ins with ``--jobs 2`` in the sandbox, with and without
``--fast``, beside the time of running the notebook alone once (its code cells in one IPython
shell, as the grader's worker runs them, outside the sandbox); the last column is the time 60
hand-ins take at the measured rate.

Each kind is graded as a batch of ``--copies`` hand-ins by the grader itself
(:func:`course_utils.teaching.grading.grade`), and the time per hand-in is the batch's wall time
divided by its size; the sandbox's cost is the difference between the two modes on the same
hand-ins. Hostile hand-ins (a fork bomb, 3 GB of memory, a 4 GB file, a daemon, reading the
solutions) run only in the sandbox: without it they would act on this machine. Prints a table;
asserts nothing.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from course_utils.teaching import classroom, confine, grading

HOSTILE = """
import os, time, numpy as np
try:
    while True:
        if os.fork() == 0:
            time.sleep(3600)
            os._exit(0)
except OSError:
    pass
try:
    big = np.ones(3 * 2**30 // 8)
except MemoryError:
    pass
try:
    with open("big.bin", "wb") as f:
        for _ in range(4096):
            f.write(b"x" * 2**20)
except OSError:
    pass
if os.fork() == 0:
    os.setsid()
    os.execvp("sleep", ["sleep", "3600"])
try:
    open(SOLUTIONS + "/04_chain_rule_reduction.ipynb").read()
except OSError:
    pass
"""


def hand_ins(folder, notebook, kind, copies):
    """``copies`` hand-ins of ``notebook``: the learner copy, the solution, or the solution and HOSTILE."""
    source = (classroom.LEARNER if kind == "blank" else classroom.SOLUTIONS) / f"{notebook}.ipynb"
    nb = nbformat.read(source, as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "markdown" or "widget" not in c.source]
    if kind == "hostile":
        solutions = f"SOLUTIONS = {str(classroom.SOLUTIONS)!r}\n"
        nb.cells.append(nbformat.v4.new_code_cell(solutions + HOSTILE))
    paths = []
    for k in range(copies):
        path = Path(folder) / f"{kind}{k}" / f"{notebook}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
        paths.append(path)
    return paths


def per_hand_in(notebook, paths, jobs, sandboxed):
    start = time.perf_counter()
    rows = grading.grade(notebook, paths, jobs=jobs, sandboxed=sandboxed, timeout=300)
    seconds = (time.perf_counter() - start) / len(paths)
    return seconds, sorted({f"{r.total:g}" for r in rows})


ALONE = """
import sys, time, nbformat
from course_utils.teaching.worker import _shell
start = time.perf_counter()
shell = _shell()
for cell in nbformat.read(sys.argv[1], as_version=4).cells:
    if cell.cell_type == "code":
        shell.run_cell(cell.source, store_history=False, silent=True)
print(time.perf_counter() - start)
"""


def alone(notebook):
    """Seconds to run the solution notebook's code cells once, in a fresh Python (imports included)."""
    path = classroom.SOLUTIONS / f"{notebook}.ipynb"
    start = time.perf_counter()
    env = dict(os.environ, MPLBACKEND="Agg")
    subprocess.run([sys.executable, "-c", ALONE, str(path)], env=env, check=True, capture_output=True)
    return time.perf_counter() - start


_TICK = os.sysconf("SC_CLK_TCK")


def _tree_cpu(root):
    """CPU seconds (user + system) used so far by process ``root`` and everything below it."""
    parents, used = {}, {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            fields = stat[stat.rfind(")") + 2 :].split()
            parents[int(name)] = int(fields[1])
            used[int(name)] = (int(fields[11]) + int(fields[12])) / _TICK
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += used.get(pid, 0.0)
        todo += [child for child, parent in parents.items() if parent == pid]
    return total


class _SandboxCpu:
    """Adds up the CPU time of each hand-in's sandbox, read just before the grader closes it.

    Load-independent, unlike wall time: the quiet machine's wall time for a batch is about the
    grader's CPU plus the sandboxes' CPU, over the two cores ``--jobs 2`` uses.
    """

    def __enter__(self):
        from course_utils.teaching import sandbox

        self.seconds, self._close = 0.0, sandbox.Sandbox.close
        outer = self

        def close(box):
            outer.seconds += _tree_cpu(box.process.pid)
            return outer._close(box)

        sandbox.Sandbox.close = close
        return self

    def __exit__(self, *exc):
        from course_utils.teaching import sandbox

        sandbox.Sandbox.close = self._close


def fast_table(notebooks, copies, only_fast=False):
    """Per notebook: alone, then --jobs 2 in the sandbox per hand-in, all cells and --fast.

    Each row also shows the load average when it started and ended, and, for ``--fast``, the CPU
    seconds per hand-in of the grader's process and of the sandboxes (the figures the load does
    not change).
    """
    print(
        "notebook                 alone s  all cells s/hand-in  --fast s/hand-in  60 hand-ins --fast  "
        "--fast CPU s/hand-in (grader + sandbox)  load start-end  totals"
    )
    for notebook in notebooks:
        with tempfile.TemporaryDirectory() as folder:
            nb = nbformat.read(classroom.SOLUTIONS / f"{notebook}.ipynb", as_version=4)
            paths = []
            for k in range(copies):
                path = Path(folder) / f"right{k}" / f"{notebook}.ipynb"
                path.parent.mkdir(parents=True)
                nbformat.write(nb, path)
                paths.append(path)
            load = os.getloadavg()[0]
            single = alone(notebook)
            times = {False: float("nan")}
            for fast in (True,) if only_fast else (False, True):
                cpu = time.process_time()
                start = time.perf_counter()
                with _SandboxCpu() as boxes:
                    rows = grading.grade(notebook, paths, jobs=2, timeout=600, fast=fast)
                times[fast] = (time.perf_counter() - start) / copies
                if fast:
                    grader_cpu = (time.process_time() - cpu) / copies
                    sandbox_cpu = boxes.seconds / copies
            totals = "/".join(sorted({f"{r.total:g}" for r in rows}))
            minutes = 60 * times[True] / 60
            cpu = f"{grader_cpu:.2f} + {sandbox_cpu:.2f}"
            print(
                f"{notebook:24} {single:7.1f}  {times[False]:19.2f}  {times[True]:16.2f}  "
                f"{minutes:15.1f} min  {cpu:>39}  {load:5.1f}-{os.getloadavg()[0]:<5.1f}  {totals}",
                flush=True,
            )


def start_up(repeats):
    """Median seconds to start Python and import NumPy and IPython, in the sandbox and without."""
    argv = [sys.executable, "-s", "-c", "import numpy, IPython"]
    boxed_argv, env = confine.command(argv, timeout=60)
    times = {"sandbox": [], "none": []}
    for _ in range(repeats):
        for mode in times:
            start = time.perf_counter()
            if mode == "sandbox":
                confine.start(boxed_argv, env).wait()
            else:
                subprocess.run(argv, env=confine.environment(60), check=True)
            times[mode].append(time.perf_counter() - start)
    return {mode: statistics.median(t) for mode, t in times.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", nargs="+", default=["04_chain_rule_reduction", "06_gradient_checking"])
    parser.add_argument("--copies", type=int, default=4, help="hand-ins of each kind")
    parser.add_argument("--repeats", type=int, default=10, help="start-ups timed in each mode")
    parser.add_argument("--start-up-only", action="store_true", help="time only the start-up")
    parser.add_argument("--fast", action="store_true", help="every notebook, all cells against --fast")
    parser.add_argument("--only-fast", action="store_true", help="with --fast: leave out the all-cells run")
    args = parser.parse_args(argv)
    machine = platform.processor() or platform.machine()
    load = os.getloadavg()[0]
    print(f"{machine}, {os.cpu_count()} cores, Python {platform.python_version()}, load {load:.1f}")
    if args.fast:
        chosen = args.notebooks if "--notebooks" in (argv or sys.argv) else list(grading.SPEC)
        fast_table(chosen, args.copies, args.only_fast)
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
        return
    first = start_up(args.repeats)
    boxed, bare = first["sandbox"], first["none"]
    print(f"start-up (median of {args.repeats}): {boxed:.2f} s in the sandbox, {bare:.2f} s without")
    print("notebook                 kind     jobs  sandbox s/hand-in  none s/hand-in  totals")
    for notebook in [] if args.start_up_only else args.notebooks:
        for kind in ("blank", "right", "hostile"):
            with tempfile.TemporaryDirectory() as folder:
                paths = hand_ins(folder, notebook, kind, args.copies)
                for jobs in (1, 2):
                    boxed, totals = per_hand_in(notebook, paths, jobs, True)
                    bare = "-"
                    if kind != "hostile":
                        seconds, _ = per_hand_in(notebook, paths, jobs, False)
                        bare = f"{seconds:.2f}"
                    print(
                        f"{notebook:24} {kind:8} {jobs:4}  {boxed:17.2f}  {bare:>14}  {'/'.join(totals)}",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
