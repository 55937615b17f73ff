"""Time of one widget update (the pure state function plus the SVG redraw), for every widget.

    python benchmarks/bench_widgets.py

Each update is what a learner waits for after moving a slider: the observer fires, the state is
recomputed, the picture redrawn by the same ``draw_*`` function that made the notebook's static
figure. The goal is under 50 ms.
"""

import statistics
import time

import numpy as np

from course_utils import TwoLayerNet, bugs, load_mnist
from course_utils.notebooks import nb00_start_here as nb00
from course_utils.notebooks import nb01_softmax as nb01
from course_utils.notebooks import nb02_softmax_jacobian as nb02
from course_utils.notebooks import nb03_kronecker_delta as nb03
from course_utils.notebooks import nb04_chain_rule_reduction as nb04
from course_utils.notebooks import nb05_fused_cross_entropy as nb05
from course_utils.notebooks import nb06_gradient_checking as nb06
from course_utils.notebooks import nb07_mismatch_lab as nb07
from course_utils.notebooks import nb08_mnist_two_layer_net as nb08
from course_utils.notebooks import nb09_bug_hunt as nb09

GOAL_MS = 50


def time_updates(view, control, values, rounds=3):
    times = []
    for _ in range(rounds):
        for v in values:
            t0 = time.perf_counter()
            view.controls[control].value = v
            times.append((time.perf_counter() - t0) * 1e3)
    return times


def main():
    X, y = load_mnist("test", n=100)
    net = TwoLayerNet(784, 256, 10, seed=0, dtype=np.float32)
    bug_view = nb09.bug_widget()
    for key in bugs.BUGS:  # the gallery computes each report once, when first shown
        bug_view.controls["key"].value = key
    cases = [
        ("00 MNIST digit viewer", nb00.mnist_widget(X, y), "index", [1, 2, 3, 4]),
        ("01 softmax + temperature", nb01.softmax_widget(), "T", [0.5, 1.5, 2.5, 3.5]),
        ("02 Jacobian explorer", nb02.jacobian_widget(), "z1", [-1.0, 0.0, 1.5, 3.0]),
        ("02 Jacobian explorer, toggle", nb02.jacobian_widget(), "diagonal_only", [True, False]),
        ("03 Jacobian spectrum", nb03.spectrum_widget(), "z2", [-2.0, 0.0, 2.0, 3.5]),
        ("04 VJP step by step", nb04.vjp_widget(), "step", [2, 3, 4, 5, 6]),
        ("05 fused vs long way", nb05.fused_widget(), "gap", [10.0, 100.0, 700.0, 800.0]),
        ("06 error against ε", nb06.epsilon_widget(), "eps", [1e-2, 1e-4, 1e-6, 1e-9]),
        ("06 error against ε, dtype", nb06.epsilon_widget(), "dtype", ["float64", "float32"]),
        ("07 mismatch lab, hidden", nb07.mismatch_widget(), "hidden", ["tanh", "relu", "elu", "sigmoid"]),
        ("07 mismatch lab, cost", nb07.mismatch_widget(), "cost", ["cross_entropy", "binary_cross_entropy"]),
        ("08 ask the network", nb08.prediction_widget(net, X, y), "index", [1, 2, 3, 4]),
        ("09 bug gallery (reports cached)", bug_view, "key", list(bugs.BUGS)[1:5]),
    ]
    print(f"{'widget':<32} {'median':>8} {'max':>8}   goal < {GOAL_MS} ms")
    for name, view, control, values in cases:
        times = time_updates(view, control, values)
        med, worst = statistics.median(times), max(times)
        flag = "ok" if worst < GOAL_MS else "SLOW"
        print(f"{name:<32} {med:7.1f}ms {worst:7.1f}ms   {flag}")


if __name__ == "__main__":
    main()
