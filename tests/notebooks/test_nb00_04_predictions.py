"""The committed predictions of notebooks 00 to 04: the choice each result picks out.

Each notebook reveals the answer through a pure function of its companion module that maps the
computed result to one of the choices, so that a different result would reveal a different
answer. These tests feed each function a value for every choice and a value that is none of them,
and rerun each notebook's own computation to check that it picks out the choice the text names.
"""

import ast
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import course_utils as cu
from course_utils import bugs
from course_utils.notebooks import nb00_start_here as nb00
from course_utils.notebooks import nb01_softmax as nb01
from course_utils.notebooks import nb02_softmax_jacobian as nb02
from course_utils.notebooks import nb03_kronecker_delta as nb03
from course_utils.notebooks import nb04_chain_rule_reduction as nb04

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
SOLUTIONS = NOTEBOOKS / "solutions"


def prediction(name, folder=SOLUTIONS):
    """The choices of the notebook's ``Prediction(...)`` call, and the list the markdown before it shows."""
    cells = json.loads((folder / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
    sources = ["".join(cell["source"]) for cell in cells]
    widgets = [
        i for i, cell in enumerate(cells) if cell["cell_type"] == "code" and ".Prediction(" in sources[i]
    ]
    assert len(widgets) == 1, f"{name} should have exactly one committed prediction"
    (i,) = widgets
    call = next(
        node
        for node in ast.walk(ast.parse(sources[i]))
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Prediction"
    )
    assert cells[i - 1]["cell_type"] == "markdown", "the question comes right before the widget"
    listed = [line[2:] for line in sources[i - 1].splitlines() if line.startswith("- ")]
    return ast.literal_eval(call.args[0]), listed


@pytest.mark.parametrize(
    "name",
    ["00_start_here", "01_softmax", "02_softmax_jacobian", "03_kronecker_delta", "04_chain_rule_reduction"],
)
@pytest.mark.parametrize("folder", [SOLUTIONS, NOTEBOOKS / "zh" / "solutions"], ids=["en", "zh"])
def test_the_question_lists_the_choices_the_widget_offers(name, folder):
    choices, listed = prediction(name, folder)
    assert listed == choices


# 00 · the shape of dL/dz


@pytest.mark.parametrize("shape, index", [((7, 1), 0), ((3,), 1), ((7, 3), 2), ((3, 3), 3)])
def test_gradient_shape_choice_names_every_shape(shape, index):
    assert nb00.gradient_shape_choice(shape, N=7, C=3) == index


@pytest.mark.parametrize("shape", [(3, 7), (7,), (7, 3, 3)])
def test_gradient_shape_choice_refuses_a_shape_that_is_no_choice(shape):
    with pytest.raises(ValueError, match="should be one of"):
        nb00.gradient_shape_choice(shape, N=7, C=3)


def test_notebook_00_reveals_the_shape_of_the_logits():
    X, y = cu.load_mnist("train", n=5000)
    z3, _ = cu.TwoLayerNet(784, 25, 10, hidden="sigmoid", seed=0).forward(X)
    answer = nb00.gradient_shape_choice(cu.cross_entropy_grad(z3, y).shape, N=5000, C=10)
    assert prediction("00_start_here")[0][answer].startswith("(5000, 10)")


# 01 · the literal definition at z = (1000, 999, 998)

Z = np.array([2.0, 1.0, 0.1])


@pytest.mark.parametrize(
    "naive, index",
    [(cu.softmax(Z), 0), ([1.0, 0.0, 0.0], 1), ([np.inf] * 3, 2), ([np.nan] * 3, 3)],
)
def test_naive_softmax_choice_names_every_outcome(naive, index):
    assert nb01.naive_softmax_choice(naive, Z) == index


@pytest.mark.parametrize(
    "naive", [[1 / 3] * 3, [0.0, 1.0, 0.0], [np.inf, np.nan, 0.0], [-np.inf] * 3, [0.5, 0.5]]
)
def test_naive_softmax_choice_refuses_anything_else(naive):
    with pytest.raises(ValueError, match="none of the choices|shape of z"):
        nb01.naive_softmax_choice(naive, Z)


def test_notebook_01_reveals_nan():
    big = np.array([1000.0, 999.0, 998.0])
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(big) / np.exp(big).sum()
    answer = nb01.naive_softmax_choice(naive, big)
    assert prediction("01_softmax")[0][answer] == "[nan, nan, nan]"


# 02 · how far off the diagonal-only gradient is


@pytest.mark.parametrize(
    "error, index", [(0.0, 0), (1e-10, 0), (1e-6, 1), (0.03, 1), (0.1, 2), (0.27, 2), (1, 2)]
)
def test_diagonal_error_choice_names_every_band(error, index):
    assert nb02.diagonal_error_choice(error) == index


@pytest.mark.parametrize("error", [-0.1, 1.5, np.nan, True, "0.2", None])
def test_diagonal_error_choice_refuses_what_is_no_relative_error(error):
    with pytest.raises(ValueError, match="relative error"):
        nb02.diagonal_error_choice(error)


def test_notebook_02_reveals_a_lot():
    z = np.array([2.0, 1.0, 0.1, -1.0])
    h, g = cu.softmax(z), nb02.DEFAULT_UPSTREAM
    z_work = z.copy()
    numerical = cu.numerical_gradient(lambda: np.dot(g, cu.softmax(z_work)), z_work)
    answer = nb02.diagonal_error_choice(cu.rel_error(g * h * (1 - h), numerical))
    assert prediction("02_softmax_jacobian")[0][answer] == "by a lot (0.1 or more)"
    # and the full Jacobian, the right gradient, would have revealed round-off
    assert nb02.diagonal_error_choice(cu.rel_error(g @ cu.softmax_jacobian(z), numerical)) == 0


# 03 · the spectrum of J when all logits are equal

C = 5


@pytest.mark.parametrize(
    "eigenvalues, index",
    [
        (np.r_[0.0, np.full(C - 1, 1 / C - 1 / C**2)], 0),
        (np.r_[0.2, 0.0, 0.05, 0.1, 0.15], 1),
        (np.r_[np.full(C - 1, 1 / C), 0.0], 2),
        (np.r_[1 / C, np.zeros(C - 1)], 3),
    ],
)
def test_uniform_spectrum_choice_names_every_spectrum(eigenvalues, index):
    assert nb03.uniform_spectrum_choice(eigenvalues) == index


@pytest.mark.parametrize(
    "eigenvalues",
    [np.full(C, 1 / C), np.r_[0.0, 0.1, 0.1, 0.2, 0.5], np.r_[-0.1, 0.1, 0.1, 0.2, 0.2], [0.0, 0.5], 0.2],
)
def test_uniform_spectrum_choice_refuses_anything_else(eigenvalues):
    with pytest.raises(ValueError, match="none of the choices|vector of C"):
        nb03.uniform_spectrum_choice(eigenvalues)


def test_notebook_03_reveals_zero_once_and_one_over_c():
    answer = nb03.uniform_spectrum_choice(np.linalg.eigvalsh(cu.softmax_jacobian(np.zeros(C))))
    assert prediction("03_kronecker_delta")[0][answer] == "0 once, and 1/C (C − 1 times)"
    # away from equal logits (the notebook's z) an eigenvalue passes 1/C: none of the choices
    z = np.array([1.5, -0.5, 0.3, 2.0, -1.0])
    with pytest.raises(ValueError, match="none of the choices"):
        nb03.uniform_spectrum_choice(np.linalg.eigvalsh(cu.softmax_jacobian(z)))


# 04 · which of the learner's gradients pass


def report(*passing):
    return SimpleNamespace(
        tensors={name: SimpleNamespace(ok=name in passing) for name in ("W1", "b1", "W2", "b2")}
    )


@pytest.mark.parametrize(
    "passing, index",
    [(("W1", "b1", "W2", "b2"), 0), (("b1", "b2"), 1), (("W1", "b1", "b2"), 2), ((), 3)],
)
def test_passing_choice_names_every_outcome(passing, index):
    assert nb04.passing_choice(report(*passing)) == index


@pytest.mark.parametrize(
    "checked",
    [
        report("W2"),
        report("W1", "W2", "b1"),
        SimpleNamespace(tensors={"W1": SimpleNamespace(ok=True)}),
        "passed",
    ],
)
def test_passing_choice_refuses_anything_else(checked):
    with pytest.raises(ValueError, match="none of the choices|gradient check of"):
        nb04.passing_choice(checked)


def test_notebook_04_reveals_that_only_w2_fails():
    X, y = cu.load_mnist("train", n=32)
    X = X.astype(np.float64)
    net = cu.TwoLayerNet(784, 32, 10, hidden="relu", seed=0)
    net.params["b1"][:] = 0.1
    grads = bugs.learner_backward(X, y, net.params, eq1="commented")
    answer = nb04.passing_choice(cu.check_gradients(lambda: net.loss(X, y), net.params, grads))
    assert prediction("04_chain_rule_reduction")[0][answer] == "W1, b1 and b2; W2 fails"
    fixed = bugs.learner_backward(X, y, net.params, eq1="commented", aliasing=False)
    assert nb04.passing_choice(cu.check_gradients(lambda: net.loss(X, y), net.params, fixed)) == 0
