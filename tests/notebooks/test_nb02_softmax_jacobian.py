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
