"""The committed predictions of notebooks 05, 06, 07 and 09: the choice each computed result picks out."""

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import course_utils as cu
from course_utils import bugs
from course_utils.notebooks import nb05_fused_cross_entropy as nb05
from course_utils.notebooks import nb06_gradient_checking as nb06
from course_utils.notebooks import nb07_mismatch_lab as nb07
from course_utils.notebooks import nb09_bug_hunt as nb09
from course_utils.notebooks._prediction import Prediction

SOLUTIONS = Path(__file__).resolve().parents[2] / "notebooks" / "solutions"


def report(verdict, failed=()):
    return SimpleNamespace(verdict=verdict, failed=list(failed))


@pytest.mark.parametrize(
    "gap, choice",
    [(0, 0), (3.5, 0), (29.5, 0), (30, 1), (89.0, 1), (299.5, 1), (300, 2), (710.0, 2), (None, 3)],
)
def test_overflow_choice_covers_every_choice(gap, choice):
    assert nb05.overflow_choice(gap) == choice


@pytest.mark.parametrize("gap", [-1, float("nan"), float("inf"), "89", True])
def test_overflow_choice_refuses_what_is_no_gap(gap):
    with pytest.raises(ValueError, match="finite number >= 0"):
        nb05.overflow_choice(gap)


@pytest.mark.parametrize(
    "failed, choice",
    [(("W1", "b1"), 0), (("W1",), 0), (("b1",), 0), (("W1", "b1", "W2", "b2"), 1), (("W2",), 1), ((), 2)],
)
def test_zero_init_choice_covers_every_choice(failed, choice):
    assert nb06.zero_init_choice(report("failed" if failed else "passed", failed)) == choice


@pytest.mark.parametrize(
    "failed, choice",
    [
        (("W1", "b1", "W2", "b2"), 0),
        (("b1",), 0),
        (("W1", "W2"), 0),
        (("W2", "b2"), 1),
        (("b2",), 1),
        ((), 2),
    ],
)
def test_double_softmax_choice_covers_every_choice(failed, choice):
    assert nb09.double_softmax_choice(report("failed" if failed else "passed", failed)) == choice


@pytest.mark.parametrize("choose", [nb06.zero_init_choice, nb09.double_softmax_choice])
def test_an_inconclusive_check_picks_no_choice(choose):
    with pytest.raises(ValueError, match="passed or failed, got the verdict 'inconclusive'"):
        choose(report("inconclusive"))
    with pytest.raises(ValueError, match="got the verdict None"):
        choose(object())


@pytest.mark.parametrize(
    "ratios, choice",
    [
        ([1.514, 1.508], 0),
        ([1.5] * 4, 0),
        ([1.111, 1.110, 1.1108, 1.1108], 1),
        ([1.0, 1.0, 1.0, 1.0], 2),
        ([1.04, 1.03], 2),
        ([1.07, 1.08], 1),
        ([0.78, 0.32, 0.53], 3),
        ([1.11, -1.11], 3),
        ([1.0, 1.06], 3),
    ],
)
def test_mismatch_ratio_choice_covers_every_choice(ratios, choice):
    assert nb07.mismatch_ratio_choice(ratios) == choice


@pytest.mark.parametrize("ratios", [[], [1.1, float("nan")], [float("inf")]])
def test_mismatch_ratio_choice_refuses_missing_ratios(ratios):
    with pytest.raises(ValueError, match="one finite ratio per tensor"):
        nb07.mismatch_ratio_choice(ratios)


def test_each_companion_offers_the_prediction_control():
    for module in (nb05, nb06, nb07, nb09):
        assert module.Prediction is Prediction


# --- the notebooks' own computations give the answers their reveals print ------------------------


def stored_answer(name, marker):
    """The choice a solution notebook's stored reveal names, from the cell whose source holds marker."""
    notebook = json.loads((SOLUTIONS / f"{name}.ipynb").read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code" and marker in "".join(cell["source"]):
            text = "".join("".join(out.get("text", "")) for out in cell["outputs"])
            assert "No guess was committed in this run. The answer: " in text
            return text.split("The answer: ", 1)[1]
    raise AssertionError(f"{name} has no cell with {marker!r}")


def test_notebook_05_float32_breaks_at_a_gap_of_order_100():
    gap = next(
        g
        for g in np.arange(0, 1000, 0.5)
        if not nb05.fused_gradient_state(g, dtype="float32")["long_way_finite"]
    )
    assert gap == 89.0 and nb05.overflow_choice(float(gap)) == 1
    assert stored_answer("05_fused_cross_entropy", "nb05.overflow_choice(").startswith("of order 100")


def test_notebook_06_a_zero_initialisation_passes_a_wrong_hidden_derivative():
    X, y = cu.load_mnist("train", n=64)
    X = X.astype(np.float64)
    net = cu.TwoLayerNet(784, 32, 10, hidden="tanh", seed=0)
    for v in net.params.values():
        v[:] = 0
    wrong = bugs.backward(net, X, y, bug="hard_coded_sigmoid")
    assert nb06.zero_init_choice(cu.check_gradients(lambda: net.loss(X, y), net.params, wrong)) == 2
    assert stored_answer("06_gradient_checking", "nb06.zero_init_choice(").startswith("it passes")


def test_notebook_07_ten_classes_give_ten_ninths():
    X, y = cu.load_mnist("train", n=64)
    X = X.astype(np.float64)
    net = cu.TwoLayerNet(784, 25, 10, hidden="sigmoid", seed=0)
    for k in net.params:
        net.params[k] *= 0.1
    binary_cost = lambda: cu.binary_cross_entropy(cu.softmax(net.forward(X)[0]), y)  # noqa: E731
    ratios = cu.check_gradients(binary_cost, net.params, net.gradients(X, y)).ratios.values()
    assert nb07.mismatch_ratio_choice(ratios) == 1
    assert stored_answer("07_mismatch_lab", "nb07.mismatch_ratio_choice(").startswith("10/9")


def test_notebook_09_a_double_softmax_network_passes_the_check():
    double = bugs.SILENT_BUGS["double_softmax"]
    X, y = cu.load_mnist("train", n=16)
    X = X.astype(np.float64)
    net = cu.TwoLayerNet(784, 24, 10, hidden="tanh", seed=0)
    z, (X, pre, a1) = net.forward(X)
    dz = double.grad(z, y)  # the backward pass the notebook writes: exact for the double softmax
    dpre = (dz @ net.params["W2"].T) * net.activation.df(pre)
    grads = {"W1": X.T @ dpre, "b1": dpre.sum(axis=0), "W2": a1.T @ dz, "b2": dz.sum(axis=0)}
    check = cu.check_gradients(lambda: double.loss(net.forward(X)[0], y), net.params, grads)
    assert nb09.double_softmax_choice(check) == 2
    against_intended = cu.check_gradients(lambda: net.loss(X, y), net.params, grads)
    assert nb09.double_softmax_choice(against_intended) == 0
    assert stored_answer("09_bug_hunt", "nb09.double_softmax_choice(").startswith("it passes")
