"""Speed of the course's core, side by side in one run: prints ratios, asserts nothing.

    python benchmarks/bench_core.py            # all three parts
    python benchmarks/bench_core.py --quick    # fewer repeats, for a smoke run

(a) the fused gradient (h - t)/N against the Jacobian route (one C x C matrix per sample) as C grows;
(b) check_gradients on a 784-256-10 network against the time a full central-difference pass takes;
(c) TwoLayerNet forward+backward against the same network in PyTorch on the CPU, when torch imports.
"""

import argparse
import os
import platform
import timeit

import numpy as np

from course_utils import TwoLayerNet, check_gradients, cross_entropy_grad, load_mnist, softmax_jacobian
from course_utils.softmax import softmax


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
        print("    PyTorch is not installed: skipped (pip install torch to compare)")
        return
    torch.set_num_threads(os.cpu_count() or 1)
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    repeat = 3 if args.quick else 9
    print(f"numpy {np.__version__}, Python {platform.python_version()}, {os.cpu_count()} cores\n")
    part_a(repeat)
    part_b(repeat)
    part_c(repeat)


if __name__ == "__main__":
    main()
