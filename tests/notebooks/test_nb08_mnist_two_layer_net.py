"""The companion of notebook 08 · The MNIST two-layer network.

Its widget's state, picture and live view, and its checkers.
"""

import numpy as np
import pytest
from checking_helpers import expect, expect_named, generic_share

import course_utils as cu
from course_utils import load_mnist, softmax
from course_utils.notebooks import nb08_mnist_two_layer_net as nb08


def test_prediction_state_and_widget():
    from course_utils import TwoLayerNet

    X, y = load_mnist("test", n=5)
    net = TwoLayerNet(784, 8, 10, seed=0)
    s = nb08.prediction_state(net, X, y, 2)
    np.testing.assert_allclose(s["h"], softmax(net.forward(X[2:3])[0])[0])
    assert s["prediction"] == int(np.argmax(s["h"])) and s["label"] == y[2]
    assert f"label {y[2]}" in nb08.describe_prediction(s)
    view = nb08.prediction_widget(net, X, y)
    view.controls["index"].value = 4
    assert view.last_state["index"] == 4 and "test digit 4" in view.text.value
    with pytest.raises(ValueError, match="index"):
        nb08.prediction_state(net, X, y, 5)


def test_relu_backward():
    expect(nb08.check_relu_backward(lambda d, a1: d * (a1 > 0)), "correct")

    def aliased(d, a1):
        mask = a1
        mask[a1 > 0] = 1
        return d * mask

    expect(nb08.check_relu_backward(aliased), "wrong", "changed its input array in place")
    expect(nb08.check_relu_backward(lambda d, a1: d * (a1 >= 0)), "wrong", "a1 > 0")


def test_momentum_update():
    def good(w, dw, v, lr, mu):
        v = mu * v - lr * dw
        return w + v, v

    expect(nb08.check_momentum_update(good), "correct")
    expect(nb08.check_momentum_update(lambda w, dw, v, lr, mu: (w - lr * dw, -lr * dw)), "wrong", "plain SGD")
    expect(
        nb08.check_momentum_update(lambda w, dw, v, lr, mu: (w + mu * v + lr * dw, mu * v + lr * dw)),
        "wrong",
        "ascent",
    )


def test_both_momentum_conventions_are_right_and_named():
    def pytorch(w, dw, v, lr, mu):
        v = mu * v + dw
        return w - lr * v, v

    fb = nb08.check_momentum_update(pytorch)
    assert fb.passed and "PyTorch's convention" in fb.message
    assert "this course's training loop" in nb08.check_momentum_update(nb08._momentum).message
    # Graded the same way: the hidden case accepts either convention.
    exercise = next(e for e in nb08.GRADED if e.name == "momentum_update")
    assert nb08._momentum_gradient_velocity in exercise.also_right


def _hand_backward(X, y, W1, b1, W2, b2, *, n=True, relu=True, pre=False):
    N = len(X)
    z1 = X @ W1 + b1
    a1 = np.maximum(z1, 0)
    dz2 = softmax(a1 @ W2 + b2) - np.eye(W2.shape[1])[y]
    dz2 = dz2 / N if n else dz2
    dW2 = (z1 if pre else a1).T @ dz2
    da1 = dz2 @ W2.T
    dz1 = da1 * (z1 > 0) if relu else da1
    return dz2, dW2, dz2.sum(0), da1, dz1, X.T @ dz1, dz1.sum(0)


def test_two_layer_backward():
    expect(nb08.check_two_layer_backward(_hand_backward), "correct")
    expect(
        nb08.check_two_layer_backward(lambda *a: _hand_backward(*a, n=False)), "wrong", "N times too large"
    )
    expect(
        nb08.check_two_layer_backward(lambda *a: _hand_backward(*a, relu=False)),
        "wrong",
        "derivative is missing",
    )
    expect(nb08.check_two_layer_backward(lambda *a: _hand_backward(*a, pre=True)), "wrong", "pre-activation")

    def stub(*args):
        raise NotImplementedError

    expect(nb08.check_two_layer_backward(stub), "not implemented")
    # The reference agrees with finite differences of the loss, tensor by tensor.
    from course_utils import cross_entropy, numerical_gradient

    X, y, W1, b1, W2, b2 = nb08._net_case(61)
    loss = lambda: cross_entropy(np.maximum(X @ W1 + b1, 0) @ W2 + b2, y)
    _, dW2, db2, _, _, dW1, db1 = nb08._backward(X, y, W1, b1, W2, b2)
    for p, g in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2)):
        np.testing.assert_allclose(numerical_gradient(loss, p), g, rtol=1e-5, atol=1e-8)
    exercise = next(e for e in nb08.GRADED if e.name == "two_layer_backward")
    expect(exercise.checker(_hand_backward), "correct")  # the reference itself is the course's own answer


def test_the_step_as_velocity_is_right_too():
    def step_velocity(w, dw, v, lr, mu):
        v = mu * v + lr * dw
        return w - v, v

    fb = nb08.check_momentum_update(step_velocity)
    assert fb.passed and "right too" in fb.message


def test_the_backward_exercise_names_the_aliasing_and_speaks_of_tensors_by_name():
    def aliased(X, y, W1, b1, W2, b2):
        dz2, dW2, db2, da1, dz1, dW1, db1 = nb08._backward(X, y, W1, b1, W2, b2)
        z1 = X @ W1 + b1
        da1 = dz2 @ W2.T
        dz1 = da1
        dz1[z1 <= 0] = 0
        return dz2, dW2, db2, da1, dz1, X.T @ dz1, dz1.sum(axis=0)

    fb = nb08.check_two_layer_backward(aliased)
    assert (
        fb.status == "wrong" and "share one array" in fb.message and fb.see.heading == "Line 4: the aliasing"
    )

    def wrong_db1(*args):
        out = list(nb08._backward(*args))
        out[6] = out[6] + 1.0
        return tuple(out)

    assert "db1" in nb08.check_two_layer_backward(wrong_db1).message
    four = nb08.check_two_layer_backward(lambda *args: tuple(nb08._backward(*args)[i] for i in (1, 2, 5, 6)))
    assert "return 7 results (dz2, dW2, db2, da1, dz1, dW1, db1) as a tuple, got tuple of 4" in four.message


def test_chinese_feedback_and_description():
    from course_utils import TwoLayerNet, set_language

    X, y = load_mnist("test", n=3)
    s = nb08.prediction_state(TwoLayerNet(784, 8, 10, seed=0), X, y, 1)
    set_language("zh")
    try:
        text = nb08.describe_prediction(s)
        assert text.startswith("第 1 个测试数字：标签为") and f"网络判为 {s['prediction']}" in text
        assert f"概率 {s['confidence']:.3f}" in text
        fb = nb08.check_two_layer_backward(lambda *a: _hand_backward(*a, n=False))
        assert fb.status == "wrong" and "每个张量都大了 N 倍" in fb.message
        assert (
            "PyTorch 的约定，同样正确" in nb08.check_momentum_update(nb08._momentum_gradient_velocity).message
        )
    finally:
        set_language("en")
    assert nb08.describe_prediction(s).startswith("test digit 1: label")


def test_training_progress_bar_speaks_chinese(capsys):
    from course_utils import TwoLayerNet, set_language, training

    X, y = load_mnist("train", n=64)
    set_language("zh")
    try:
        training.train(TwoLayerNet(784, 8, 10, seed=0), X, y, epochs=1, batch_size=32)
    finally:
        set_language("en")
    err = capsys.readouterr().err
    assert "训练" in err and "损失=" in err and "?步/s" not in err


@pytest.mark.parametrize("mask", [lambda d, a1: d, lambda d, a1: d * (a1 >= 0)])
def test_relu_backward_without_a_working_mask_is_named(mask):
    expect(nb08.check_relu_backward(mask), "wrong", "a mask a1 >= 0 is true everywhere")


def _in_place_mask(d, a1):
    d[a1 <= 0] = 0
    return d


# Wrong answers typed for relu_backward (beyond the issue's), each with the words its reply must hold.
WRONG_RELU = [
    (lambda d, a1: np.maximum(d, 0), "ReLU applied to the gradient"),
    (lambda d, a1: d * a1, "multiplies by the activation's value"),
    (lambda d, a1: d * (a1 <= 0), "the mask is inverted"),
    (lambda d, a1: d * (a1 < 0), "never true for a ReLU output"),
    (lambda d, a1: d * (a1 == 0), "the mask is inverted"),
    (lambda d, a1: (d > 0).astype(float), "gradient's signs"),
    (lambda d, a1: d * a1 * (1 - a1), "sigmoid's derivative"),
    (lambda d, a1: d @ (a1 > 0).T, "multiplies elementwise"),
    (lambda d, a1: (a1 > 0) * 1.0, "the mask alone"),
    (lambda d, a1: d, "also those that are off"),
    (lambda d, a1: -d * (a1 > 0), "sign is flipped"),
    (_in_place_mask, "in place"),
]


@pytest.mark.parametrize("wrong, words", WRONG_RELU)
def test_each_typed_wrong_relu_backward_is_named(wrong, words):
    expect(nb08.check_relu_backward(wrong), "wrong", words)


WRONG_MOMENTUM = [
    (lambda w, dw, v, lr, mu: (mu * v - lr * dw, w + mu * v - lr * dw), "the returned pair is swapped"),
    (lambda w, dw, v, lr, mu: (w - lr * (mu * v + dw), mu * v + dw)[::-1], "the returned pair is swapped"),
    (lambda w, dw, v, lr, mu: (w - lr * dw, mu * v - lr * dw), "computed but ignored"),
    (lambda w, dw, v, lr, mu: (w + v - mu * lr * dw, v - mu * lr * dw), "μ multiplies the gradient instead"),
    (lambda w, dw, v, lr, mu: (w + mu * (v - lr * dw), mu * (v - lr * dw)), "μ multiplies the gradient too"),
    (lambda w, dw, v, lr, mu: (w + lr * v - mu * dw, lr * v - mu * dw), "η and μ are swapped"),
    (lambda w, dw, v, lr, mu: (w - (mu * v - lr * dw), mu * v - lr * dw), "w = w − v climbs"),
    (lambda w, dw, v, lr, mu: (w + mu * (mu * v - lr * dw) - lr * dw, mu * v - lr * dw), "Nesterov"),
    (lambda w, dw, v, lr, mu: (w - lr * (mu * v + (1 - mu) * dw), mu * v + (1 - mu) * dw), "(1 − μ)·dw"),
    (lambda w, dw, v, lr, mu: (w + mu * v - lr * dw, v), "came back unchanged"),
    (lambda w, dw, v, lr, mu: (w + lr * (mu * v - lr * dw), mu * v - lr * dw), "η is applied twice"),
    (lambda w, dw, v, lr, mu: (w - lr * dw, -lr * dw), "plain SGD"),
]


@pytest.mark.parametrize("wrong, words", WRONG_MOMENTUM)
def test_each_typed_wrong_momentum_step_is_named(wrong, words):
    expect(nb08.check_momentum_update(wrong), "wrong", words)


def test_pytorchs_velocity_with_its_sign_flipped_is_right_too():
    fb = nb08.check_momentum_update(lambda w, dw, v, lr, mu: (w + lr * (mu * v - dw), mu * v - dw))
    assert fb.passed and "sign flipped" in fb.message


def _backward_with(**slip):
    def backward(X, y, W1, b1, W2, b2):
        return nb08.reference_backward(X, y, W1, b1, W2, b2, **slip)

    return backward


def _raising(product):
    def backward(X, y, W1, b1, W2, b2):
        N = X.shape[0]
        z1 = X @ W1 + b1
        a1 = np.maximum(z1, 0)
        dz2 = cu.softmax(a1 @ W2 + b2)
        dz2[np.arange(N), y] -= 1
        dz2 /= N
        dW2 = a1 @ dz2 if product == "a1" else a1.T @ dz2
        da1 = dz2 @ W2 if product == "W2" else dz2 @ W2.T
        dz1 = da1 * (z1 > 0)
        dW1 = X @ dz1 if product == "X" else X.T @ dz1
        return dz2, dW2, dz2.sum(0), da1, dz1, dW1, dz1.sum(0)

    return backward


def _reordered(X, y, W1, b1, W2, b2):
    dz2, dW2, db2, da1, dz1, dW1, db1 = nb08.reference_backward(X, y, W1, b1, W2, b2)
    return dz2, db2, dW2, da1, dz1, db1, dW1


WRONG_BACKWARD = [
    (_backward_with(slip="labels_column"), "labels shaped (N, 1)"),
    (_backward_with(slip="relu_of_gradient"), "np.maximum(da1, 0)"),
    (_backward_with(slip="times_activation"), "dz1 = da1 * a1"),
    (_backward_with(slip="no_target"), "never subtracted"),
    (_backward_with(slip="dW1_from_da1"), "skips the ReLU"),
    (_backward_with(slip="no_b1"), "left out b1"),
    (_backward_with(slip="db2_over_classes"), "sums over the classes"),
    (_backward_with(slip="db1_keepdims"), "keepdims=True keeps a row"),
    (_backward_with(slip="dW2_transposed"), "dW2 = dz2ᵀ a1"),
    (_raising("W2"), "transposed weights"),
    (_raising("X"), "dW1 = Xᵀ dz1"),
    (_raising("a1"), "dW2 = a1ᵀ dz2"),
    (_reordered, "in the wrong places"),
    (_backward_with(scale=False), "N times too large"),
]


@pytest.mark.parametrize("wrong, words", WRONG_BACKWARD)
def test_each_typed_wrong_two_layer_backward_is_named(wrong, words):
    fb = nb08.check_two_layer_backward(wrong)
    assert fb.status == "wrong" and words in fb.message, fb


def test_the_learner_source_shown_in_08_is_translated_whole():
    import inspect

    from course_utils import bugs, set_language

    source = inspect.getsource(bugs.learner_backward)
    for english in nb08._LEARNER_TEXT:
        assert str.__str__(english) in source, english  # else the Chinese edition shows it untranslated
    assert nb08.learner_source() == source
    set_language("zh")
    try:
        shown = nb08.learner_source()
    finally:
        set_language("en")
    assert "transcribed" not in shown and "derivative of ReLU" not in shown and "da1[a1 > 0] = 1" in shown


# Issue 19 §4, second newcomer review: wrong answers that got the bare generic reply, and more of our own,
# each with the words its reply must hold. expect_named also asserts the reply is not the generic one.
def _mask_set_in_place(d, a1):
    a1[a1 > 0] = 1
    return d * a1


NEWCOMER_RELU = [
    (lambda d, a1: d * (a1 > 0).T, "no transpose"),
    (lambda d, a1: d * a1 > 0, "is a comparison"),
    (lambda d, a1: np.maximum(d * a1, 0), "applies a ReLU to da1 * a1"),
    (lambda d, a1: a1, "the forward pass's output"),
    (lambda d, a1: (d * (a1 > 0)).astype(int), "whole numbers"),
    (lambda d, a1: np.abs(d) * (a1 > 0), "absolute value"),
    (lambda d, a1: d * (d > 0), "ReLU applied to the gradient"),
    (lambda d, a1: np.heaviside(a1, 1) * d, "also those that are off"),
    (lambda d, a1: d[a1 > 0], "loses the shape (N, H)"),
    (lambda d, a1: (d * (a1 > 0)).tolist(), "list"),
    (lambda d, a1: d * (a1 > 0) / len(d), "no 1/N of its own"),
    (_mask_set_in_place, "in place, the argument `a1`"),
]


@pytest.mark.parametrize("wrong, words", NEWCOMER_RELU)
def test_each_newcomer_wrong_relu_backward_is_named(wrong, words):
    expect_named(nb08.check_relu_backward(wrong), words)


def _momentum_in_place(w, dw, v, lr, mu):
    v = mu * v - lr * dw
    w += v
    return w, v


NEWCOMER_MOMENTUM = [
    (lambda w, dw, v, lr, mu: (w - lr * dw, v), "plain SGD step"),
    (lambda w, dw, v, lr, mu: (w - lr * dw, mu * v + lr * dw), "plain SGD step"),
    (lambda w, dw, v, lr, mu: (w - lr * dw, dw), "plain SGD step"),
    (lambda w, dw, v, lr, mu: (w - lr * dw, np.zeros_like(v)), "plain SGD step"),
    (lambda w, dw, v, lr, mu: (w - (mu * v + dw), mu * v + dw), "η is missing"),
    (lambda w, dw, v, lr, mu: (w + v - lr * dw, v - lr * dw), "μ is missing"),
    (lambda w, v, dw, lr, mu: (w + mu * v - lr * dw, mu * v - lr * dw), "dw and v are swapped"),
    (lambda w, dw, v, lr, mu: (w - mu * v - lr * dw, mu * v - lr * dw), "subtracted the old velocity"),
    (lambda w, dw, v, lr, mu: (w + (1 - mu) * v - lr * dw, (1 - mu) * v - lr * dw), "fraction μ"),
    (lambda w, dw, v, lr, mu: (w + mu * v, mu * v - lr * dw), "v_new is right, w_new is not"),
    (lambda w, dw, v, lr, mu: w + mu * v - lr * dw, "as a tuple"),
    (lambda w, dw, v, lr, mu: (w * np.nan, v), "NaN"),
    (_momentum_in_place, "in place, the argument `w`"),
]


@pytest.mark.parametrize("wrong, words", NEWCOMER_MOMENTUM)
def test_each_newcomer_wrong_momentum_step_is_named(wrong, words):
    expect_named(nb08.check_momentum_update(wrong), words)


def _dz2_kept_whole(X, y, W1, b1, W2, b2):
    """dz2 = h − t returned, the 1/N put in each of the other tensors instead."""
    dz2, dW2, db2, da1, dz1, dW1, db1 = nb08.reference_backward(X, y, W1, b1, W2, b2)
    return dz2 * len(X), dW2, db2, da1, dz1, dW1, db1


def _one_tensor_off(k):
    def backward(X, y, W1, b1, W2, b2):
        out = list(nb08.reference_backward(X, y, W1, b1, W2, b2))
        out[k] = out[k] + 0.5
        return tuple(out)

    return backward


def _updates_weights(X, y, W1, b1, W2, b2):
    out = nb08.reference_backward(X, y, W1, b1, W2, b2)
    W1 -= 0.1 * out[5]
    return out


NEWCOMER_BACKWARD = [
    (_backward_with(slip="da1_times_activation"), "da1 was multiplied by a1"),
    (_backward_with(slip="sigmoid_derivative"), "sigmoid's derivative"),
    (_backward_with(slip="sigmoid_hidden"), "sigmoid hidden layer"),
    (_backward_with(slip="dz2_is_h"), "dz2 came back as h"),
    (_backward_with(slip="db2_keepdims"), "db2 has shape (1, C)"),
    (_backward_with(slip="db1_over_units"), "db1 has one number per sample"),
    (_dz2_kept_whole, "in dz2 5 times too large"),
    (_one_tensor_off(0), "in dz2 your result is the right one plus 0.5"),
    (_one_tensor_off(3), "in da1 your result is the right one plus 0.5"),
    (_one_tensor_off(6), "in db1 your result is the right one plus 0.5"),
    (_updates_weights, "in place, the argument `W1`"),
    (lambda *a: nb08.reference_backward(*a)[:6], "got tuple of 6"),
]


@pytest.mark.parametrize("wrong, words", NEWCOMER_BACKWARD)
def test_each_newcomer_wrong_two_layer_backward_is_named(wrong, words):
    expect_named(nb08.check_two_layer_backward(wrong), words)


@pytest.mark.parametrize(
    "right",
    [
        lambda d, a1: np.where(a1 > 0, d, 0.0),
        lambda d, a1: d * np.sign(a1),
        lambda d, a1: np.heaviside(a1, 0) * d,
    ],
)
def test_right_relu_backwards_written_otherwise_pass(right):
    assert nb08.check_relu_backward(right).passed


def test_a_mask_from_a1_in_the_backward_pass_is_right():
    def backward(X, y, W1, b1, W2, b2):
        dz2, dW2, db2, da1, _dz1, _dW1, _db1 = _hand_backward(X, y, W1, b1, W2, b2)
        a1 = np.maximum(X @ W1 + b1, 0)
        dz1 = da1 * (a1 > 0)
        return dz2, dW2, db2, da1, dz1, X.T @ dz1, dz1.sum(axis=0)

    assert nb08.check_two_layer_backward(backward).passed


def test_the_newcomer_answers_get_no_generic_reply():
    replies = [nb08.check_relu_backward(w) for w, _words in NEWCOMER_RELU + WRONG_RELU]
    replies += [nb08.check_momentum_update(w) for w, _words in NEWCOMER_MOMENTUM + WRONG_MOMENTUM]
    replies += [nb08.check_two_layer_backward(w) for w, _words in NEWCOMER_BACKWARD + WRONG_BACKWARD]
    assert generic_share(replies) == 0


def test_calling_the_notebooks_reference_backward_is_named_not_accepted():
    """The newcomer's answer: the course's own reference, which the cells after the exercise use."""

    def two_layer_backward(X, y, W1, b1, W2, b2):
        return nb08.reference_backward(X, y, W1, b1, W2, b2)

    fb = nb08.check_two_layer_backward(two_layer_backward)
    assert not fb.passed and "reference_backward" in fb.message, fb.message


def test_the_second_newcomers_relu_and_aliasing_answers_are_named():
    expect_named(nb08.check_relu_backward(lambda da1, a1: a1 * (da1 > 0)), "roles are swapped")
    expect_named(nb08.check_relu_backward(lambda da1, a1: da1[a1 > 0]), "loses the shape")

    def aliased_mask(X, y, W1, b1, W2, b2):
        N = X.shape[0]
        z1 = X @ W1 + b1
        a1 = np.maximum(z1, 0)
        dz2 = np.exp(a1 @ W2 + b2)
        dz2 /= dz2.sum(axis=1, keepdims=True)
        dz2[np.arange(N), y] -= 1
        dz2 /= N
        da1 = dz2 @ W2.T
        mask = a1  # the course's headline bug: a second name, not a copy
        mask[a1 > 0] = 1
        dz1 = da1 * mask
        return dz2, a1.T @ dz2, dz2.sum(axis=0), da1, dz1, X.T @ dz1, dz1.sum(axis=0)

    expect_named(nb08.check_two_layer_backward(aliased_mask), "0/1 mask", "a1.copy()")


# Issue 19 §4, third pass (helper i19c): the leftover of the last newcomer review (a loop over row 0 only)
# and new wrong answers typed the way a newcomer would, each named; the momentum conventions mixed.
def _relu_row_0_only(d, a1):
    out = np.zeros_like(d)
    for j in range(d.shape[1]):
        if a1[0, j] > 0:
            out[0, j] = d[0, j]
    return out


def _relu_last_column_skipped(d, a1):
    out = np.zeros_like(d)
    for i in range(d.shape[0]):
        for j in range(d.shape[1] - 1):
            if a1[i, j] > 0:
                out[i, j] = d[i, j]
    return out


def _relu_copy_all_but_last_row(d, a1):
    out = d.copy()
    for i in range(d.shape[0] - 1):
        out[i][a1[i] <= 0] = 0
    return out


THIRD_RELU = [
    (_relu_row_0_only, "a loop that covers part of the array"),
    (_relu_last_column_skipped, "a loop that covers part of the array"),
    (_relu_copy_all_but_last_row, "a loop that covers part of the array"),
    (lambda d, a1: d * (a1 > 0.5), "a1 > 0.5"),
    (lambda d, a1: d * (a1 > 1), "a1 > 1"),
    (lambda d, a1: d * (a1 > 0) + 0.01 * d * (a1 <= 0), "leaky ReLU"),
    (lambda d, a1: np.where(d > 0, d, 0) * (a1 > 0), "negative gradients are dropped too"),
    (lambda d, a1: d * ((a1 > 0) & (d > 0)), "negative gradients are dropped too"),
]

THIRD_MOMENTUM = [
    (lambda w, dw, v, lr, mu: (w - lr * (mu * v - lr * dw), mu * v - lr * dw), "two conventions mixed"),
    (lambda w, dw, v, lr, mu: (w + (mu * v + dw), mu * v + dw), "two conventions mixed"),
    (lambda w, dw, v, lr, mu: (w + lr * (mu * v + dw), mu * v + dw), "gradient ascent in PyTorch's"),
    (lambda w, dw, v, lr, mu: (w - lr * (mu * v + dw), lr * (mu * v + dw)), "the step η·v, not the velocity"),
    (lambda w, dw, v, lr, mu: (w - lr * v, mu * v + dw), "old velocity (in PyTorch's convention)"),
    (lambda w, dw, v, lr, mu: (w - lr * (v + mu * dw), v + mu * dw), "instead of the velocity (in PyTorch's"),
    (lambda w, dw, v, lr, mu: (w + mu * v, mu * v), "gradient is missing from the velocity"),
    (lambda w, dw, v, lr, mu: (w - mu * v - lr * dw, -mu * v - lr * dw), "−μv"),
]


def _dz1_row_0_only(X, y, W1, b1, W2, b2):
    dz2, dW2, db2, da1, dz1, dW1, db1 = nb08.reference_backward(X, y, W1, b1, W2, b2)
    dz1 = np.vstack([dz1[:1], np.zeros_like(dz1[1:])])
    return dz2, dW2, db2, da1, dz1, X.T @ dz1, dz1.sum(axis=0)


@pytest.mark.parametrize("wrong, words", THIRD_RELU)
def test_each_third_pass_wrong_relu_backward_is_named(wrong, words):
    expect_named(nb08.check_relu_backward(wrong), words)


@pytest.mark.parametrize("wrong, words", THIRD_MOMENTUM)
def test_each_third_pass_wrong_momentum_step_is_named(wrong, words):
    expect_named(nb08.check_momentum_update(wrong), words)


def test_a_backward_whose_loop_fills_row_0_only_is_named_not_blamed_on_a_normalisation():
    fb = expect_named(nb08.check_two_layer_backward(_dz1_row_0_only), "a loop that covers part of the array")
    assert "normalisation" not in fb.message


def test_the_third_pass_answers_get_no_generic_reply():
    replies = [nb08.check_relu_backward(w) for w, _words in THIRD_RELU]
    replies += [nb08.check_momentum_update(w) for w, _words in THIRD_MOMENTUM]
    assert generic_share(replies) == 0


def test_exercise_3_states_the_convention_the_checker_expects():
    from pathlib import Path

    import nbformat

    for edition, words in (
        ("solutions", "`v_new = mu * v - lr * dw`, then `w_new = w + v_new`"),
        ("zh/solutions", "`v_new = mu * v - lr * dw`，然后 `w_new = w + v_new`"),
    ):
        path = Path(__file__).parents[2] / "notebooks" / edition / "08_mnist_two_layer_net.ipynb"
        (cell,) = [c for c in nbformat.read(path, as_version=4).cells if c.id == "5d95840d"]
        assert words in " ".join(cell.source.split()), edition
    right = nb08.check_momentum_update(lambda w, dw, v, lr, mu: (w + mu * v - lr * dw, mu * v - lr * dw))
    assert right.passed and "v = μv − η·dw, then w = w + v" in right.message
    pytorch = nb08.check_momentum_update(lambda w, dw, v, lr, mu: (w - lr * (mu * v + dw), mu * v + dw))
    assert pytorch.passed and "PyTorch's convention" in pytorch.message


def _with_tensor(k, change):
    def backward(X, y, W1, b1, W2, b2):
        out = list(nb08.reference_backward(X, y, W1, b1, W2, b2))
        out[k] = change(out)
        return tuple(out)

    return backward


THIRD_BACKWARD = [
    (_with_tensor(2, lambda o: o[0][0]), "db2 is the first wrong tensor"),
    (_with_tensor(5, lambda o: 2 * o[5]), "in dW1 your result is 2 times the right one"),
    (_with_tensor(6, lambda o: o[4].mean(axis=0)), "in db1 5 times too small"),
    (_with_tensor(5, lambda o: o[5].T), "rows and columns swapped"),
    (lambda X, y, *w: tuple(-t for t in nb08.reference_backward(X, y, *w)), "the sign is flipped"),
    (lambda X, y, *w: nb08.reference_backward(X, (y - 1) % 3, *w), "the labels y − 1"),
    (lambda *a: dict(zip("dz2 dW2 db2 da1 dz1 dW1 db1".split(), nb08.reference_backward(*a))), "as a tuple"),
    (_dz1_row_0_only, "a loop that covers part of the array"),
]


@pytest.mark.parametrize("wrong, words", THIRD_BACKWARD)
def test_each_third_pass_wrong_two_layer_backward_is_named(wrong, words):
    expect_named(nb08.check_two_layer_backward(wrong), words)


# Issue 19, newcomer review b (helper r3): the reply to an endless loop came after three time limits,
# as each case was run again to name an exception; one run past the limit now ends the check.
def test_an_endless_backward_is_run_once(monkeypatch):
    from course_utils.notebooks import _guard

    monkeypatch.setattr(_guard, "DEFAULT_TIME_LIMIT", 0.3)
    calls = []

    def endless(X, y, W1, b1, W2, b2):
        calls.append(1)
        while True:
            pass

    expect(nb08.check_two_layer_backward(endless), "error", "did not return within 0.3 seconds")
    assert len(calls) == 1


def _backward_softmax_axis0(X, y, W1, b1, W2, b2):
    N = X.shape[0]
    z1 = X @ W1 + b1
    a1 = np.maximum(z1, 0)
    z2 = a1 @ W2 + b2
    e = np.exp(z2 - z2.max(axis=0))
    dz2 = e / e.sum(axis=0)  # normalised over the batch
    dz2[np.arange(N), y] -= 1
    dz2 /= N
    da1 = dz2 @ W2.T
    dz1 = da1 * (z1 > 0)
    return dz2, a1.T @ dz2, dz2.sum(axis=0), da1, dz1, X.T @ dz1, dz1.sum(axis=0)


def _relu_two_masks(da1, a1):
    return ((da1 > 0) * (a1 > 0)).astype(float)


def _relu_comparison(da1, a1):
    return (da1 * a1 > 0).astype(float)


# Issue 19, newcomer review b (helper r3): generic, misleading and accepted answers, each named.
def test_the_second_newcomers_backward_relu_and_momentum_answers_are_named():
    expect_named(nb08.check_two_layer_backward(_backward_softmax_axis0), "axis 0")
    expect_named(nb08.check_relu_backward(_relu_two_masks), "mask of da1", "upstream values")
    expect_named(nb08.check_relu_backward(_relu_comparison), "comparison")  # still told apart
    expect_named(nb08.check_relu_backward(lambda da1, a1: (da1 * (a1 > 0)).astype(np.float32)), "float32")
    expect_named(
        nb08.check_momentum_update(
            lambda w, dw, v, lr, mu: (w + mu * v - (1 - mu) * lr * dw, mu * v - (1 - mu) * lr * dw)
        ),
        "(1 − μ)",
    )


# --- the committed prediction: does a network with a planted gradient bug still train? ---------

RIGHT = [2.4, 1.0, 0.4]


@pytest.mark.parametrize(
    "buggy, choice",
    [
        ([2.4, 2.5, 3.0], 0),  # never falls: rises
        ([2.4, 2.4, 2.4], 0),  # never moves
        ([2.4, float("nan"), float("nan")], 0),  # blows up before it ever fell
        ([2.4, 1.5, float("nan")], 1),  # falls, then NaN
        ([2.4, 1.5, 2.6], 1),  # falls, then climbs above its start
        ([2.4, 1.5, 1.3], 2),  # falls by 1.1 of the right run's 2.0: 55%
        ([2.4, 1.2, 0.81], 2),  # 79.5%: just short
        ([2.4, 1.2, 0.79], 3),  # 80.5%: just enough
        ([2.4, 0.9, 0.3], 3),  # further than the right run
    ],
)
def test_which_choice_names_every_choice(buggy, choice):
    assert nb08.which_choice(buggy, RIGHT) == choice
    assert len(nb08.TRAINS_CHOICES) == 4


@pytest.mark.parametrize(
    "buggy, right, message",
    [
        ([2.4, 1.0], RIGHT, "same length"),
        ([2.4], [2.4], "at least 2"),
        ([2.4, 1.0, 0.4], [2.4, 2.5, 2.6], "right run must fall"),
        ([2.4, 1.0, 0.4], [2.4, float("nan"), 0.3], "right run must fall"),
        ([float("nan"), 1.0, 0.4], RIGHT, "finite loss"),
    ],
)
def test_which_choice_refuses_curves_it_cannot_compare(buggy, right, message):
    with pytest.raises(ValueError, match=message):
        nb08.which_choice(buggy, right)


def _run(bug, hidden="relu"):
    X, y = load_mnist("train", n=1000)
    X = X.astype(np.float64)
    return nb08.sgd_losses(cu.TwoLayerNet(784, 32, 10, hidden=hidden, seed=0), X, y, bug=bug)


def test_the_notebooks_run_gives_the_answer_its_text_says():
    """08's planted bug, aliasing, fails the check on W2, yet its loss falls almost as far as the right."""
    right, aliased = _run(None), _run("aliasing")
    assert right.shape == aliased.shape == (11,) and right[0] == aliased[0]
    assert nb08.which_choice(aliased, right) == 3
    assert right[-1] < aliased[-1] < 0.5 * right[0]  # the bug costs something, but little
    assert not cu.bugs.check_bug("aliasing").ok and cu.bugs.check_bug("aliasing").failed == ["W2"]


def test_the_run_sees_a_bug_that_blows_up_and_one_that_goes_uphill():
    right, uphill = _run(None), _run("dropped_minus")
    assert np.isnan(uphill[-1]) and nb08.which_choice(uphill, right) == 0
    # the right gradient with the step 100 times too big (no 1/N): the loss hovers near its start
    assert nb08.which_choice(_run("missing_1_over_N"), right) == 2


def test_sgd_losses_refuses_bad_settings():
    X, y = load_mnist("train", n=50)
    net = cu.TwoLayerNet(784, 4, 10, seed=0)
    with pytest.raises(ValueError, match="bug must be None or one of"):
        nb08.sgd_losses(net, X, y, bug="typo")
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        nb08.sgd_losses(net, X, y, steps=0)
    with pytest.raises(ValueError, match="every must divide steps"):
        nb08.sgd_losses(net, X, y, steps=10, every=3, batch_size=10)
    with pytest.raises(ValueError, match="batch_size must be at most N = 50"):
        nb08.sgd_losses(net, X, y, batch_size=51)


def test_the_question_lists_the_choices_the_widget_offers_in_both_editions():
    """The markdown list a static export shows is the widget's list, in order, in English and Chinese."""
    import json
    from pathlib import Path

    from course_utils import set_language
    from course_utils.teaching.translations import catalog_path, read_catalog

    root = Path(__file__).resolve().parents[2]
    cells = json.loads((root / "notebooks/solutions/08_mnist_two_layer_net.ipynb").read_text())["cells"]
    (question,) = ["".join(c["source"]) for c in cells if c["id"] == "c3a1d2e2"]
    listed = [line[2:] for line in question.splitlines() if line.startswith("- ")]
    assert listed == [str(c) for c in nb08.TRAINS_CHOICES]
    zh_question = read_catalog(catalog_path("08_mnist_two_layer_net"))["c3a1d2e2"][3]
    set_language("zh")
    try:
        zh_choices = [str(c) for c in nb08.TRAINS_CHOICES]
    finally:
        set_language("en")
    assert [line[2:] for line in zh_question.splitlines() if line.startswith("- ")] == zh_choices
    assert all("下降" in c for c in zh_choices)  # translated, not English


def test_the_prediction_control_speaks_the_readers_language():
    from course_utils import set_language

    set_language("zh")
    try:
        control = nb08.trains_prediction()
    finally:
        set_language("en")
    assert control.choices[1] == "先下降，然后发散" and control.guess is None
    assert type(control.choices[0]) is str  # plain text: the widget's stored repr is not the English key
    assert nb08.trains_prediction().choices == tuple(str(c) for c in nb08.TRAINS_CHOICES)
