"""The companion of notebook 02 · The softmax Jacobian.

Its widget's state, picture and live view, and its checkers.
"""

import re

import numpy as np
import pytest
from checking_helpers import expect, one_softmax

from course_utils import softmax
from course_utils.notebooks import nb02_softmax_jacobian as nb02


def test_jacobian_explorer_state():
    full = nb02.jacobian_explorer_state(nb02.DEFAULT_LOGITS)
    h = softmax(np.array(nb02.DEFAULT_LOGITS))
    np.testing.assert_allclose(full["J"], np.diag(h) - np.outer(h, h), atol=1e-16)
    np.testing.assert_allclose(full["numerical"], full["g"] @ full["J_true"], atol=1e-9)
    assert full["passes"] and "PASSES" in nb02.describe_jacobian(full)
    diag = nb02.jacobian_explorer_state(nb02.DEFAULT_LOGITS, diagonal_only=True)
    assert not diag["passes"] and diag["rel_error"] > 0.05
    assert np.count_nonzero(diag["J"] - np.diag(np.diag(diag["J"]))) == 0
    assert "FAILS" in nb02.describe_jacobian(diag) and "−h_i h_j" in nb02.describe_jacobian(diag)


def test_jacobian_widget_toggle_breaks_the_check():
    view = nb02.jacobian_widget()
    first = view.chart.value
    assert first.count('class="cell"') == 16 and "PASSES" in view.text.value
    view.controls["diagonal_only"].value = True
    assert "FAILS" in view.text.value and view.chart.value != first
    assert "J, diagonal only" in view.chart.value
    view.controls["z0"].value = -3.0
    assert view.last_state["z"][0] == -3.0


def test_jacobian():
    def good(z):
        h = one_softmax(z)
        C = len(h)
        return np.array([[h[i] * ((i == j) - h[j]) for j in range(C)] for i in range(C)])

    expect(nb02.check_jacobian(good), "correct")

    def learner_003(z):  # dh_j/dz_j = h_j (1 - h_j), and nothing else
        h = one_softmax(z)
        return np.diag(h * (1 - h))

    expect(nb02.check_jacobian(learner_003), "wrong", "off-diagonal entries are zero", "h_j(1 − h_j)")

    def everywhere(z):
        h = one_softmax(z)
        return np.array([[h[i] * (1 - h[j]) for j in range(len(h))] for i in range(len(h))])

    expect(nb02.check_jacobian(everywhere), "wrong", "Kronecker delta")
    expect(nb02.check_jacobian(lambda z: -good(z) + 2 * np.diag(np.diag(good(z)))), "wrong", "wrong sign")


def test_numerical_jacobian():
    def good(f, z, eps):
        cols = []
        for j in range(len(z)):
            e = np.zeros(len(z))
            e[j] = eps
            cols.append((f(z + e) - f(z - e)) / (2 * eps))
        return np.stack(cols, axis=1)

    expect(nb02.check_numerical_jacobian(good), "correct")
    expect(nb02.check_numerical_jacobian(lambda f, z, eps: good(f, z, eps).T), "wrong", "swapped")

    def forward(f, z, eps):
        cols = []
        for j in range(len(z)):
            e = np.zeros(len(z))
            e[j] = eps
            cols.append((f(z + e) - f(z)) / eps)
        return np.stack(cols, axis=1)

    expect(nb02.check_numerical_jacobian(forward), "wrong", "forward difference")
    expect(nb02.check_numerical_jacobian(lambda f, z, eps: 2 * good(f, z, eps)), "wrong", "2ε")


@pytest.mark.parametrize("C", [2, 3, 5, 8])
def test_jacobian_widget_works_for_any_number_of_classes(C):
    view = nb02.jacobian_widget(z=np.linspace(-1, 1, C))
    assert view.chart.value.count('class="cell"') == C * C and "PASSES" in view.text.value
    view.controls["diagonal_only"].value = True
    assert "FAILS" in view.text.value


def test_jacobian_picture_says_the_verdict_in_words_not_only_in_colour():
    good = nb02.draw_jacobian(nb02.jacobian_explorer_state(nb02.DEFAULT_LOGITS)).svg
    bad = nb02.draw_jacobian(nb02.jacobian_explorer_state(nb02.DEFAULT_LOGITS, diagonal_only=True)).svg
    assert "✓ matches" in good and "✗ does not match" in bad


@pytest.mark.parametrize(
    "z, g", [([1.0, 0.0, -1.0, 2.0], np.zeros(4)), ([1e4, 0.0, 0.0, 0.0], None), ([0.0, 0.0], None)]
)
def test_jacobian_picture_has_only_finite_coordinates(z, g):
    state = nb02.jacobian_explorer_state(z, g=g)
    text = nb02.draw_jacobian(state).svg
    assert not re.search(r'="[^"]*(nan|inf)[^"]*"', text, re.I), text


def test_jacobian_state_refuses_bad_logits_and_a_mismatched_gradient():
    with pytest.raises(ValueError, match="finite"):
        nb02.jacobian_explorer_state([1.0, np.nan, 0.0])
    with pytest.raises(ValueError, match="at least 2 classes"):
        nb02.jacobian_explorer_state([1.0])
    with pytest.raises(ValueError, match="shape of z"):
        nb02.jacobian_explorer_state([1.0, 2.0, 3.0], g=[1.0, 2.0])


def test_checker_and_description_speak_chinese():
    from course_utils import set_language

    set_language("zh")
    try:
        state = nb02.jacobian_explorer_state(nb02.DEFAULT_LOGITS, diagonal_only=True)
        text = nb02.describe_jacobian(state)
        assert text.startswith("雅可比矩阵：只用对角线") and "梯度检验失败" in text
        feedback = nb02.check_jacobian(lambda z: np.diag(softmax(z) * (1 - softmax(z))))
        assert feedback.status == "wrong" and "非对角元素都是零" in feedback.message
        assert "解析 g J ✗ 不一致" in nb02.draw_jacobian(state).svg
    finally:
        set_language("en")
    assert nb02.describe_jacobian(state).startswith("Jacobian: diagonal only")


def test_a_jacobian_that_adds_the_outer_product_is_named():
    def plus(z):
        h = one_softmax(z)
        return np.diag(h) + np.outer(h, h)

    expect(nb02.check_jacobian(plus), "wrong", "the outer product is subtracted")


def _h(z):
    return one_softmax(z)


# Wrong answers typed for this review (issue 19 §4), each with the words its reply must contain.
JACOBIAN_WRONG = [
    (lambda z: np.diag(_h(z) * (1 - _h(z))), "off-diagonal entries are zero"),
    (lambda z: np.outer(_h(z), 1 - _h(z)), "Kronecker delta"),
    (lambda z: np.diag(_h(z)) - _h(z) @ _h(z), "h @ h is one number"),
    (lambda z: np.diag(_h(z)) - _h(z) * _h(z), "h * h is the vector"),
    (lambda z: np.diag(_h(z)) - (_h(z) ** 2)[:, None], "h_i(δ_ij − h_i)"),
    (lambda z: np.diag(_h(z)) + np.outer(_h(z), _h(z)), "the outer product is subtracted"),
    (lambda z: np.outer(_h(z), _h(z)) - np.diag(_h(z)), "every sign is flipped"),
    (lambda z: np.diag(z) - np.outer(z, z), "logits z"),
    (lambda z: _h(z) * (1 - _h(z)), "diagonal as a vector"),
    (lambda z: np.diag(_h(z)), "diag(h) alone"),
    (lambda z: -np.outer(_h(z), _h(z)), "−h hᵀ alone"),
]


@pytest.mark.parametrize("wrong, words", JACOBIAN_WRONG)
def test_every_typed_wrong_jacobian_is_named(wrong, words):
    expect(nb02.check_jacobian(wrong), "wrong", words)


def _central(step, transpose=False, square=False, scale=None, diagonal=False, kind="central", restore=False):
    """A numerical Jacobian as a learner writes it, with one planted slip."""

    def numerical(f, z, eps):
        h = eps if step is None else step
        rows = z.size if square else f(z).size
        J = np.zeros((rows, z.size))
        for j in range(z.size):
            if restore:
                z[j] += h
                plus = f(z)
                z[j] -= 2 * h
                minus = f(z)
                z[j] += h
                J[:, j] = (plus - minus) / (2 * h)
                continue
            e = np.zeros_like(z)
            e[j] = h
            if kind == "central":
                col = (
                    (f(z + e) - f(z - e)) / 2 * h
                    if scale == "precedence"
                    else (f(z + e) - f(z - e)) / (2 * h)
                )
            elif kind == "forward":
                col = (f(z + e) - f(z)) / h
            else:
                col = (f(z) - f(z - e)) / h
            if diagonal:
                J[j, j] = col[j]
            else:
                J[:, j] = col
        return J.T if transpose else J

    return numerical


NUMERICAL_WRONG = [
    (_central(None, transpose=True), "swapped"),
    (_central(1e-1), "hard-coded"),
    (_central(1e-12), "round-off"),
    (_central(None, square=True), "f maps 3 inputs to 4 outputs"),
    (_central(None, kind="forward"), "forward difference"),
    (_central(None, kind="backward"), "backward difference"),
    (_central(None, scale="precedence"), "/ (2 * eps)"),
    (_central(None, diagonal=True), "only the diagonal"),
    (_central(None, restore=True), "changed z in place"),
    (lambda f, z, eps: 2 * _central(None)(f, z, eps), "2ε"),
]


@pytest.mark.parametrize("wrong, words", NUMERICAL_WRONG)
def test_every_typed_wrong_numerical_jacobian_is_named(wrong, words):
    fb = expect(nb02.check_numerical_jacobian(wrong), "wrong", words)
    assert "keepdims" not in fb.message


def test_numerical_jacobian_right_answer_with_the_callers_eps_passes():
    expect(nb02.check_numerical_jacobian(_central(None)), "correct")


def test_a_fine_step_hard_coded_is_named_even_when_its_numbers_pass():
    expect(nb02.check_numerical_jacobian(_central(1e-4)), "wrong", "hard-coded")
