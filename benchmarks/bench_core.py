"""Speed of the course's core, side by side in one run: prints ratios, asserts nothing.

    python benchmarks/bench_core.py            # all three parts
    python benchmarks/bench_core.py --quick    # fewer repeats, for a smoke run

(a) the fused gradient (h - t)/N against the Jacobian route (one C x C matrix per sample) as C grows;
(b) check_gradients on a 784-256-10 network against the time a full central-difference pass takes;
(c) TwoLayerNet forward+backward against the same network in PyTorch on the CPU, when torch imports;
(d) cross_entropy_and_grad against a plain five-line numpy version and PyTorch's F.cross_entropy
    forward + backward, float32, from tiny batches to 65,536 x 1,000, beside the physical bound: one
    read and one write of N x C at the memory bandwidth measured here.
"""

import argparse
import os
import platform
import timeit

import numpy as np

from course_utils import (
    TwoLayerNet,
    check_gradients,
    cross_entropy_and_grad,
    cross_entropy_grad,
    load_mnist,
    softmax_jacobian,
    threads,
)
from course_utils.softmax import softmax

TORCH_HINT = (
    "To compare, install a CPU build beside the course, for instance "
    "pip install torch --index-url https://download.pytorch.org/whl/cpu "
    "(PyPI's own wheel pulls about 3 GB of CUDA libraries). It is not a dependency of the course."
)


def best_time(fn, repeat, number=1):
    """Best of ``repeat`` runs of ``number`` calls, in seconds per call."""
    return min(timeit.repeat(fn, repeat=repeat, number=number)) / number


def jacobian_route(z, y):
    N, C = z.shape
    t = np.zeros((N, C))
    t[np.arange(N), y] = 1
    dL_dh = -t / (N * softmax(z))
    return np.einsum("ni,nij->nj", dL_dh, softmax_jacobian(z))


def part_a(repeat):
    print("(a) dL/dz for a batch of N = 32: fused (h - t)/N vs explicit Jacobian route")
    print(f"    {'C':>6} {'fused':>11} {'Jacobian':>11} {'ratio':>8}  {'J memory':>9}")
    rng = np.random.default_rng(0)
    N = 32
    for C in (10, 30, 100, 300, 1000):
        z = rng.normal(size=(N, C))
        y = rng.integers(0, C, size=N)
        assert np.allclose(cross_entropy_grad(z, y), jacobian_route(z, y))
        t_fused = best_time(lambda: cross_entropy_grad(z, y), repeat, number=20)
        t_jac = best_time(lambda: jacobian_route(z, y), max(3, repeat // 3))
        mem = N * C * C * 8 / 2**20
        print(
            f"    {C:>6} {t_fused * 1e6:>9.1f}us {t_jac * 1e6:>9.1f}us "
            f"{t_jac / t_fused:>7.0f}x  {mem:>7.1f}MB"
        )


def part_b(repeat):
    print("\n(b) check_gradients on a 784-256-10 ReLU net, batch 128 of MNIST, float64")
    X, y = load_mnist("train", n=128)
    X = X.astype(np.float64)
    net = TwoLayerNet(784, 256, 10, hidden="relu", seed=0)
    grads = net.gradients(X, y)
    n_params = sum(p.size for p in net.params.values())
    t_loss = best_time(lambda: net.loss(X, y), repeat * 5, number=10)
    report = None

    def run():
        nonlocal report
        report = check_gradients(lambda: net.loss(X, y), net.params, grads)

    t_check = best_time(run, max(2, repeat // 3))
    t_full = 2 * n_params * t_loss
    print(f"    one loss evaluation       {t_loss * 1e3:8.2f} ms")
    print(
        f"    check_gradients           {t_check:8.2f} s   "
        f"({report.n_loss_evals} loss evaluations, ok={report.ok})"
    )
    print(f"    full central differences  {t_full:8.0f} s   (2 x {n_params:,} evaluations, estimated)")
    print(f"    check_gradients is {t_full / t_check:,.0f}x faster than a full pass")


def part_c(repeat):
    print("\n(c) one training step's forward+backward, 784-256-10 ReLU, batch 128, float32, CPU")
    try:
        import torch
    except ImportError:
        print(f"    PyTorch is not installed: skipped. {TORCH_HINT}")
        return
    torch.set_num_threads(threads.blas_threads() or threads.workers())  # the BLAS threads ours use
    X, y = load_mnist("train", n=128)
    net = TwoLayerNet(784, 256, 10, hidden="relu", seed=0, dtype=np.float32)
    t_ours = best_time(lambda: net.gradients(X, y), repeat * 5, number=20)

    tp = {k: torch.tensor(v, requires_grad=True) for k, v in net.params.items()}
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def torch_step():
        for p in tp.values():
            p.grad = None
        z = torch.relu(Xt @ tp["W1"] + tp["b1"]) @ tp["W2"] + tp["b2"]
        torch.nn.functional.cross_entropy(z, yt).backward()

    torch_step()
    ours = net.gradients(X, y)
    for k in ours:
        assert np.allclose(ours[k], tp[k].grad.numpy(), atol=1e-6), k
    t_torch = best_time(torch_step, repeat * 5, number=20)
    print(f"    course_utils.TwoLayerNet  {t_ours * 1e3:7.3f} ms")
    print(f"    torch {torch.__version__:<19} {t_torch * 1e3:7.3f} ms   (gradients agree)")
    print(f"    ratio ours / torch: {t_ours / t_torch:.2f}  (<= 1 means no slower)")


def plain_cross_entropy_and_grad(z, y):
    """The five-line numpy version a learner would write: stable, but with no input checks."""
    m = z.max(axis=1, keepdims=True)
    e = np.exp(z - m)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(len(y))
    loss = -np.mean(z[rows, y] - m[:, 0] - np.log(s[:, 0]))
    dz = e / s
    dz[rows, y] -= 1
    dz /= len(y)
    return loss, dz


def memory_bandwidth(n_bytes=2**28, repeat=5):
    """Bytes per second moved by np.copyto of a large float32 array (one read plus one write)."""
    src = np.ones(n_bytes // 4, dtype=np.float32)
    dst = np.empty_like(src)
    t = best_time(lambda: np.copyto(dst, src), repeat)
    return 2 * n_bytes / t


def torch_cross_entropy(torch):
    import torch.nn.functional as F

    def step(zt, yt):
        zt.grad = None
        loss = F.cross_entropy(zt, yt)
        loss.backward()
        return loss

    return step


SIZES = (
    (32, 10),
    (128, 10),
    (1024, 100),
    (1024, 1000),
    (4096, 100),
    (4096, 1000),
    (8192, 1000),
    (16384, 100),
    (16384, 1000),
    (65536, 100),
    (65536, 1000),
)


def part_d(repeat):
    print("\n(d) cross_entropy_and_grad, float32 labels: ours vs plain numpy vs PyTorch, and the bound")
    bandwidth = memory_bandwidth(repeat=repeat)
    print(f"    measured memory bandwidth (np.copyto of 256 MB): {bandwidth / 1e9:.1f} GB/s")
    try:
        import torch

        torch.set_num_threads(threads.workers())  # the same threads as ours
        torch_step = torch_cross_entropy(torch)
    except ImportError:
        torch = None
        print(f"    PyTorch is not installed: its column is skipped. {TORCH_HINT}")
    head = f"    {'N x C':>14} {'ours':>10} {'plain':>10} {'ours/plain':>10}"
    head += f" {'torch':>10} {'ours/torch':>10}" if torch else ""
    print(head + f" {'bound':>10} {'ours/bound':>10}")
    rng = np.random.default_rng(0)
    for N, C in SIZES:
        z = rng.standard_normal((N, C), dtype=np.float32)
        y = rng.integers(0, C, size=N)
        loss, dz = cross_entropy_and_grad(z, y)
        ref_loss, ref_dz = plain_cross_entropy_and_grad(z, y)
        assert np.isclose(loss, ref_loss, rtol=1e-5) and np.allclose(dz, ref_dz, atol=1e-7)
        number = max(1, min(200, int(2e6 // (N * C))))
        reps = repeat if N * C < 10**7 else max(3, repeat // 2)
        runs = {
            "ours": lambda: cross_entropy_and_grad(z, y),
            "plain": lambda: plain_cross_entropy_and_grad(z, y),
        }
        if torch:
            zt = torch.from_numpy(z.copy()).requires_grad_(True)
            yt = torch.from_numpy(y)
            torch_step(zt, yt)
            assert np.allclose(zt.grad.numpy(), dz, atol=1e-6)
            runs["torch"] = lambda: torch_step(zt, yt)
        # Interleaved, best of each: a machine shared with other work slows all of them alike.
        t = dict.fromkeys(runs, np.inf)
        for _ in range(reps):
            for name, fn in runs.items():
                t[name] = min(t[name], best_time(fn, 1, number))
        t_ours, t_plain = t["ours"], t["plain"]
        t_bound = 2 * z.nbytes / bandwidth
        line = (
            f"    {f'{N} x {C}':>14} {t_ours * 1e3:>8.3f}ms {t_plain * 1e3:>8.3f}ms {t_ours / t_plain:>10.2f}"
        )
        if torch:
            line += f" {t['torch'] * 1e3:>8.3f}ms {t_ours / t['torch']:>10.2f}"
        print(line + f" {t_bound * 1e3:>8.3f}ms {t_ours / t_bound:>10.1f}")
    print("    ratios <= 1 mean no slower; bound = one read and one write of N x C at that bandwidth")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--part", choices="abcd", action="append", help="run only these parts")
    args = parser.parse_args()
    repeat = 3 if args.quick else 9
    print(f"numpy {np.__version__}, Python {platform.python_version()}, {os.cpu_count()} cores")
    blas = threads.blas_threads() or "the library's default"
    print(f"thread policy (course_utils/threads.py): BLAS {blas}, row loops {threads.workers()}\n")
    parts = {"a": part_a, "b": part_b, "c": part_c, "d": part_d}
    for key in args.part or "abcd":
        parts[key](repeat)


if __name__ == "__main__":
    main()
