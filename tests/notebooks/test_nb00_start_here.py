"""The companion of notebook 00 · Start here: its widget's state, picture and live view, and its checkers."""

import numpy as np
import pytest
from checking_helpers import expect

from course_utils import load_mnist
from course_utils.notebooks import nb00_start_here as nb00


def test_mnist_digit_state():
    X, y = load_mnist("train", n=10)
    s = nb00.mnist_digit_state(X, y, 3)
    np.testing.assert_array_equal(s["image"], X[3].reshape(28, 28))
    assert s["label"] == y[3] == 1
    assert s["lit"] == np.count_nonzero(X[3]) and s["border_lit"] == 0
    with pytest.raises(ValueError, match=r"index must be in \[0, 10\)"):
        nb00.mnist_digit_state(X, y, 10)


def test_one_hot():
    expect(nb00.check_one_hot(lambda y, C: np.eye(C)[y]), "correct")
    expect(nb00.check_one_hot(lambda y, C: np.eye(C)[y].T), "wrong", "swapped")
    expect(nb00.check_one_hot(lambda y, C: np.eye(C)[(y + 1) % C]), "wrong", "Octave labels start at 1")
    expect(nb00.check_one_hot(lambda y, C: y.reshape(-1, 1)), "wrong", "(N, 1)")


def test_theta_to_params():
    expect(nb00.check_theta_to_params(lambda T: (T[:, 1:].T, T[:, 0])), "correct")
    expect(nb00.check_theta_to_params(lambda T: (T[:, 1:], T[:, 0])), "wrong", "transpose")
    expect(nb00.check_theta_to_params(lambda T: (T.T, T[:, 0])), "wrong", "bias column")
    expect(nb00.check_theta_to_params(lambda T: (T[:, 1:].T, T[:, [0]])), "wrong", "(H, 1)")
    expect(nb00.check_theta_to_params(lambda T: T[:, 1:].T), "error", "return 2 results (W1, b1) as a tuple")


def test_mnist_widget_follows_the_slider():
    X, y = load_mnist("test", n=5)
    mnist = nb00.mnist_widget(X, y)
    mnist.controls["index"].value = 2
    assert mnist.last_state["label"] == y[2] and f"label y[2] = {y[2]}" in mnist.text.value
    assert mnist.chart.value == nb00.draw_mnist_digit(mnist.last_state).svg


def test_one_hot_must_use_C_not_the_largest_label():
    fb = nb00.check_one_hot(lambda y, C: np.eye(y.max() + 1)[y])
    assert fb.status == "wrong" and "use C" in fb.message


def test_checkers_and_viewer_speak_chinese():
    from course_utils import set_language

    X, y = load_mnist("train", n=10)
    set_language("zh")
    try:
        fb = nb00.check_one_hot(lambda y, C: np.eye(C)[y].T)
        assert fb.status == "wrong" and "行和列弄反了" in fb.message
        fb = nb00.check_theta_to_params(lambda T: (T[:, 1:].T, T[:, 0]))
        assert fb.status == "correct" and "等于" in fb.message
        text = nb00.describe_mnist_digit(nb00.mnist_digit_state(X, y, 3))
        assert text.startswith("X[3] 是一行 784 个像素；标签 y[3] = 1；")
        assert "标签 1" in nb00.draw_mnist_digit(nb00.mnist_digit_state(X, y, 3)).svg
    finally:
        set_language("en")
    assert "one row of 784 pixels" in nb00.describe_mnist_digit(nb00.mnist_digit_state(X, y, 3))


def test_one_hot_that_sets_whole_columns_is_named():
    def whole_columns(y, C):
        t = np.zeros((len(y), C))
        t[:, y] = 1
        return t

    expect(nb00.check_one_hot(whole_columns), "wrong", "t[:, y] = 1 sets whole columns")


def _one_hot_loop(y, C):
    t = np.zeros((len(y), C))
    for n, label in enumerate(y):
        t[n, label] = 1
    return t


def _one_hot_rows_for_labels(y, C):
    t = np.zeros((len(y), C))
    t[y, np.arange(len(y))] = 1
    return t


def _one_hot_unset(y, C):
    return np.zeros((len(y), C))


# Wrong answers typed for this review (issue 19 §4), each with the words its reply must contain.
ONE_HOT_WRONG = [
    (lambda y, C: np.eye(C)[y].T, "swapped"),
    (lambda y, C: np.eye(C)[y - 1], "do not subtract 1"),
    (lambda y, C: np.eye(C)[(y + 1) % C], "Octave labels start at 1"),
    (lambda y, C: np.eye(y.max() + 1)[y], "use C"),
    (lambda y, C: y[:, None] * 1.0, "(N, 1)"),
    (_one_hot_unset, "no 1 is set"),
    (_one_hot_rows_for_labels, "t[y, np.arange(N)]"),
    (lambda y, C: np.eye(len(y))[y], "N × N"),
    (lambda y, C: (y == np.arange(C)).astype(float), "y[:, None] == np.arange(C)"),
    (lambda y, C: np.eye(C)[y] * (np.arange(C) + 1), "class number"),
]


@pytest.mark.parametrize("wrong, words", ONE_HOT_WRONG)
def test_every_typed_wrong_one_hot_is_named(wrong, words):
    expect(nb00.check_one_hot(wrong), "wrong", words)


def test_one_hot_right_answers_pass():
    expect(nb00.check_one_hot(_one_hot_loop), "correct")
    expect(nb00.check_one_hot(lambda y, C: (y[:, None] == np.arange(C)).astype(float)), "correct")


THETA_WRONG = [
    (lambda T: (T[:, 0], T[:, 1:].T), "wrong order"),
    (lambda T: (T[:, 1:], T[:, 0]), "transpose"),
    (lambda T: (T.T, T[:, 0]), "bias column"),
    (lambda T: (T[:, :-1].T, T[:, -1]), "first column, not its last"),
    (lambda T: (T[:, 1:].T, T[:, [0]]), "(H, 1)"),
    (lambda T: (T[:, 2:].T, T[:, 1]), "counted columns from 1"),
    (lambda T: (T[:, 1:].T, T[:, 1]), "first input's weights"),
    (lambda T: (T[1:, :].T, T[0, :]), "first row"),
    (lambda T: (T.T[:, 1:], T[:, 0]), "drops the first hidden unit"),
    (lambda T: (T[:, 1:].T, T[:, 0].sum()), "not its sum"),
]


@pytest.mark.parametrize("wrong, words", THETA_WRONG)
def test_every_typed_wrong_theta_to_params_is_named(wrong, words):
    expect(nb00.check_theta_to_params(wrong), "wrong", words)
