"""The companion of notebook 05 · The fused softmax + cross-entropy.

Its widget's state, picture and live view, and its checkers.
"""

import re

import numpy as np
import pytest
from checking_helpers import expect, expect_named, generic_share, hand_softmax

from course_utils.notebooks import nb05_fused_cross_entropy as nb05


def test_fused_gradient_state():
    ok = nb05.fused_gradient_state(5)
    assert ok["long_way_finite"]
    np.testing.assert_allclose(ok["long_way"], ok["fused"], atol=1e-14)
    broken = nb05.fused_gradient_state(800)
    assert not broken["long_way_finite"] and "h underflowed to 0" in nb05.describe_fused(broken)
    np.testing.assert_allclose(broken["fused"], [-1, 1, 0, 0], atol=1e-12)
    # It breaks when 1/h overflows, before h itself underflows: near 89 in float32, 710 in float64.
    assert nb05.fused_gradient_state(88, dtype="float32")["long_way_finite"]
    f32 = nb05.fused_gradient_state(90, dtype="float32")
    assert not f32["long_way_finite"] and f32["h_true_class"] > 0
    assert "1/h overflows float32" in nb05.describe_fused(f32)
    assert nb05.fused_gradient_state(709, dtype="float64")["long_way_finite"]
    assert not nb05.fused_gradient_state(711, dtype="float64")["long_way_finite"]
    smooth = nb05.fused_gradient_state(3, smoothing=0.2)
    np.testing.assert_allclose(smooth["t"].sum(), 1.0)
    np.testing.assert_allclose(smooth["general"], smooth["fused"], atol=1e-15)
    with pytest.raises(ValueError, match="smoothing"):
        nb05.fused_gradient_state(3, smoothing=1.5)


def test_fused_grad():
    def good(z, y):
        d = hand_softmax(z)
        d[np.arange(len(y)), y] -= 1
        return d / len(y)

    expect(nb05.check_fused_grad(good), "correct")
    expect(nb05.check_fused_grad(lambda z, y: good(z, y) * len(y)), "wrong", "factor of N")
    expect(nb05.check_fused_grad(lambda z, y: hand_softmax(z) / len(y)), "wrong", "subtract 1")
    expect(nb05.check_fused_grad(lambda z, y: -good(z, y)), "wrong", "sign")


def test_soft_target_grad():
    def good(z, t):
        return (hand_softmax(z) * t.sum(axis=1, keepdims=True) - t) / len(z)

    expect(nb05.check_soft_target_grad(good), "correct")
    expect(nb05.check_soft_target_grad(lambda z, t: (hand_softmax(z) - t) / len(z)), "wrong", "sums to 1")
    expect(nb05.check_soft_target_grad(lambda z, t: good(z, t) * len(z)), "wrong", "factor of N")


def test_fused_widget_breaks_and_recovers():
    fused = nb05.fused_widget()
    fused.controls["gap"].value = 800
    assert "breaks" in fused.text.value and "✗ inf/NaN" in fused.chart.value
    fused.controls["gap"].value = 80
    fused.controls["dtype"].value = "float32"
    assert "agrees" in fused.text.value and "✗" not in fused.chart.value
    fused.controls["gap"].value = 95
    assert "breaks" in fused.text.value


def test_fused_state_refuses_fewer_than_two_classes_and_a_gap_that_is_not_finite():
    for C in (1, 0, 2.5):
        with pytest.raises(ValueError, match="at least 2"):
            nb05.fused_gradient_state(3, C=C)
    with pytest.raises(ValueError, match="finite"):
        nb05.fused_gradient_state(np.inf)
    assert nb05.fused_gradient_state(3, C=2)["h"].shape == (2,)


def test_broken_long_way_is_drawn_without_a_non_finite_coordinate():
    text = nb05.draw_fused(nb05.fused_gradient_state(800)).svg
    assert ">NaN<" in text or ">−inf<" in text
    assert not re.search(r'="[^"]*(nan|inf)[^"]*"', text, re.I)


def test_a_softmax_without_the_max_shift_is_named():
    def no_shift(z, y):
        e = np.exp(z)
        d = e / e.sum(axis=1, keepdims=True)
        d[np.arange(len(y)), y] -= 1
        return d / len(y)

    with np.errstate(over="ignore", invalid="ignore"):
        fb = nb05.check_fused_grad(no_shift)
    assert fb.status == "wrong" and "exp(1000) overflows" in fb.message
    assert fb.see.heading == "Overflow, and the one-line fix"


def test_the_checker_and_the_verdict_speak_chinese():
    from course_utils.i18n import set_language

    set_language("zh")
    try:
        fb = nb05.check_fused_grad(lambda z, y: -nb05._fused(z, y))
        assert fb.status == "wrong" and "符号反了" in fb.message
        fb = nb05.check_soft_target_grad(nb05._general)
        assert fb.status == "correct" and "只要 t 的某一行之和为 1" in fb.message
        broken = nb05.describe_fused(nb05.fused_gradient_state(90, dtype="float32"))
        assert "路线失效" in broken and "1/h 在 float32 下上溢" in broken
        fine = nb05.describe_fused(nb05.fused_gradient_state(5))
        assert fine.startswith("float64，logit 差距 5：") and "舍入误差" in fine
        assert "长路线：(−t/h) J ✗ inf/NaN" in nb05.draw_fused(nb05.fused_gradient_state(800)).svg
    finally:
        set_language("en")
    assert "The −t/h route breaks" in nb05.describe_fused(nb05.fused_gradient_state(800))


def test_the_diagonal_only_gradient_from_02_is_named_and_divided_by_c_too():
    def diagonal_only(z, y):
        h = hand_softmax(z)
        t = np.eye(z.shape[1])[y]
        return -t * (1 - h) / z.shape[0]

    fb = nb05.check_fused_grad(diagonal_only)
    expect(fb, "wrong", "the gradient through the Jacobian's diagonal alone")
    assert fb.see.notebook == "02_softmax_jacobian"

    def by_classes(z, y):
        return (hand_softmax(z) - np.eye(z.shape[1])[y]) / z.shape[1]

    expect(nb05.check_fused_grad(by_classes), "wrong", "you divided by C, the number of classes")


def test_a_negative_zero_is_shown_as_zero():
    def zero_column(z, y):
        g = (hand_softmax(z) - np.eye(z.shape[1])[y]) / z.shape[0]
        g[0, 1] += g[0, 0]  # the row still sums to 0, so no rule but the values names it
        g[0, 0] = -0.0  # the entry that differs most, written as a negative zero
        return g

    message = nb05.check_fused_grad(zero_column).message
    assert message.endswith(", got 0"), message  # before: "got -0"


def _onehot(z, y):
    return np.eye(z.shape[1])[y]


def _fused_good(z, y):
    return (hand_softmax(z) - _onehot(z, y)) / len(y)


def _label_grid(z, y):
    d = hand_softmax(z)
    d[:, y] -= 1
    return d / len(y)


def _labels_as_column_index(z, y):
    d = hand_softmax(z)
    d[np.arange(len(y)), y.reshape(-1, 1)] -= 1
    return d / len(y)


def _labels_as_column_onehot(z, y):
    return (hand_softmax(z) - np.eye(z.shape[1])[y.reshape(-1, 1)]) / len(y)


def _no_shift(z, y):
    e = np.exp(z)
    return (e / e.sum(axis=1, keepdims=True) - _onehot(z, y)) / len(y)


def _batch_softmax(z, y):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return (e / e.sum(axis=0, keepdims=True) - _onehot(z, y)) / len(y)


# Wrong answers typed for exercise 1 (fused_grad), each with the words its reply must contain.
FUSED_WRONG = [
    (lambda z, y: _fused_good(z, (y - 1) % z.shape[1]), "y − 1"),
    (lambda z, y: _fused_good(z, y - 1), "y − 1"),  # y − 1 = −1 indexes the last class
    (lambda z, y: _fused_good(z, (y + 1) % z.shape[1]), "counted from 1"),
    (_label_grid, "every row at every label"),
    (_labels_as_column_index, "every row at every label"),
    (_labels_as_column_onehot, "labels shaped (N, 1)"),
    (_no_shift, "overflows"),
    (_batch_softmax, "axis 0, the batch"),
    (lambda z, y: (z - _onehot(z, y)) / len(y), "softmax is missing"),
    (lambda z, y: _fused_good(z, y) * len(y), "factor of N"),
    (lambda z, y: -_fused_good(z, y), "sign"),
    (lambda z, y: hand_softmax(z) / len(y), "subtract 1"),
    (lambda z, y: _fused_good(z, y) * len(y) / z.shape[1], "divided by C"),
]


def _soft_good(z, t):
    return (hand_softmax(z) * t.sum(axis=1, keepdims=True) - t) / len(z)


SOFT_WRONG = [
    (lambda z, t: (hand_softmax(z) - t) / len(z), "sums to 1"),
    (lambda z, t: _soft_good(z, t) * len(z), "factor of N"),
    (lambda z, t: (hand_softmax(z) * t.sum(axis=0, keepdims=True) - t) / len(z), "not over axis 0"),
    (lambda z, t: (hand_softmax(z) * t.sum() - t) / len(z), "the whole array"),
    (lambda z, t: (hand_softmax(z) * t.mean(axis=1, keepdims=True) - t) / len(z), "mean"),
    (lambda z, t: (hand_softmax(z) - t / t.sum(axis=1, keepdims=True)) / len(z), "normalises t"),
    (lambda z, t: -_soft_good(z, t), "sign"),
    (lambda z, t: _soft_good(z, t) * len(z) / z.shape[1], "divided by C"),
    (lambda z, t: (hand_softmax(z) * t.sum(axis=1) - t) / len(z), "keepdims"),
]


@pytest.mark.parametrize("wrong, words", FUSED_WRONG)
def test_typed_wrong_fused_grad_are_named(wrong, words):
    fb = nb05.check_fused_grad(wrong)
    assert fb.status in ("wrong", "error") and words in fb.message, fb
    assert "not the expected values" not in fb.message


@pytest.mark.parametrize("wrong, words", SOFT_WRONG)
def test_typed_wrong_soft_target_grad_are_named(wrong, words):
    fb = nb05.check_soft_target_grad(wrong)
    assert fb.status in ("wrong", "error") and words in fb.message, fb
    assert "not the expected values" not in fb.message


# Issue 19 §4: wrong answers a newcomer typed (the review's, then our own), each with the words of
# the reply that names it; none may get the generic "not the expected values".
def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _whole_batch_softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


FUSED_TYPED = [
    (lambda z, y: (_sigmoid(z) - _onehot(z, y)) / len(y), "sigmoid"),  # the newcomer review's
    (lambda z, y: _sigmoid(z) - _onehot(z, y), "sigmoid"),
    (lambda z, y: (hand_softmax(z) - y[:, None]) / len(y), "one-hot"),
    (lambda z, y: (_whole_batch_softmax(z) - _onehot(z, y)) / len(y), "whole batch"),
    (lambda z, y: (np.log(hand_softmax(z)) - _onehot(z, y)) / len(y), "log"),
    (lambda z, y: _fused_good(z, y) * hand_softmax(z) * (1 - hand_softmax(z)), "h(1 − h)"),
    (lambda z, y: -_onehot(z, y) / hand_softmax(z) / len(y), "with respect to h"),
    (lambda z, y: -np.mean(np.log(hand_softmax(z)[np.arange(len(y)), y])), "the loss"),
    (lambda z, y: _fused_good(z, y).mean(axis=0), "over the batch"),
    (lambda z, y: (hand_softmax(z) - 1) / len(y), "every entry"),
    (lambda z, y: _fused_good(z, y).tolist(), "list"),
    (lambda z, y: np.full(z.shape, np.nan), "NaN"),
    # A second round, typed after the catalogue above was written.
    (lambda z, y: hand_softmax(z) - _onehot(z, y) / len(y), "divides t alone"),
    (lambda z, y: _fused_good(z, y).T, "swapped"),
    # A third round, typed after the second was named.
    (lambda z, y: (_fused_good(z, y) * len(y)).sum(axis=1, keepdims=True) / len(y), "one column per class"),
    (lambda z, y: (np.exp(z) - _onehot(z, y)) / len(y), "e^z − t"),
    # A fourth round: no formula of the catalogue, named by a property every right answer has.
    (lambda z, y: (hand_softmax(z) * (1 - hand_softmax(z)) - _onehot(z, y)) / len(y), "do not sum to 0"),
    (lambda z, y: (hand_softmax(z) - 0.9 * _onehot(z, y)) / len(y), "do not sum to 0"),
    (lambda z, y: _fused_good(z, y) ** 2 * len(y), "do not sum to 0"),
]


SOFT_TYPED = [
    (lambda z, t: _fused_good(z, t.argmax(axis=1)), "argmax"),  # the newcomer review's
    (lambda z, t: (hand_softmax(z) - t) * t.sum(axis=1, keepdims=True) / len(z), "whole difference"),
    (lambda z, t: (hand_softmax(z) * t.sum(axis=1, keepdims=True) + t) / len(z), "+ t"),
    (lambda z, t: (hand_softmax(z) * t - t) / len(z), "h ⊙ t"),
    (lambda z, t: -t / hand_softmax(z) / len(z), "with respect to h"),
    (lambda z, t: (hand_softmax(z) * z.shape[1] - t) / len(z), "number of classes"),
    (lambda z, t: (hand_softmax(z) * t.max(axis=1, keepdims=True) - t) / len(z), "largest"),
    (lambda z, t: (z * t.sum(axis=1, keepdims=True) - t) / len(z), "softmax is missing"),
    (lambda z, t: (_whole_batch_softmax(z) * t.sum(axis=1, keepdims=True) - t) / len(z), "whole batch"),
    (lambda z, t: _soft_good(z, t).tolist(), "list"),
    (lambda z, t: _soft_good(z, t).sum(axis=0), "over the batch"),
    # A second round, typed after the catalogue above was written.
    (lambda z, t: (hand_softmax(z) - t) * t.sum() / len(z), "the whole t"),
    (lambda z, t: _soft_good(z, t) * len(z) / t.sum(axis=1, keepdims=True), "each row's Σt"),
    (lambda z, t: _soft_good(z, t) / z.shape[1], "one division by C too many"),
    # A third round, typed after the second was named.
    (lambda z, t: (hand_softmax(z) - t / t.sum()) / len(z), "the whole array"),
    (lambda z, t: _soft_good(z, t) / t.sum(axis=1, keepdims=True), "normalises t"),
    # A fourth round: no formula of the catalogue, named by a property every right answer has.
    (lambda z, t: hand_softmax(z) * t.sum(axis=1, keepdims=True) - t / len(z), "only t is divided by N"),
    (lambda z, t: (hand_softmax(z) - t / t.max(axis=1, keepdims=True)) / len(z), "do not sum to 0"),
    (lambda z, t: _soft_good(z, t) ** 2, "do not sum to 0"),
]


@pytest.mark.parametrize("wrong, words", FUSED_TYPED)
def test_fused_grad_names_every_typed_wrong_answer(wrong, words):
    with np.errstate(all="ignore"):
        expect_named(nb05.check_fused_grad(wrong), words)


@pytest.mark.parametrize("wrong, words", SOFT_TYPED)
def test_soft_target_grad_names_every_typed_wrong_answer(wrong, words):
    expect_named(nb05.check_soft_target_grad(wrong), words)


def test_no_typed_wrong_answer_of_05_gets_the_generic_reply():
    with np.errstate(all="ignore"):
        replies = [nb05.check_fused_grad(w) for w, _ in FUSED_WRONG + FUSED_TYPED]
        replies += [nb05.check_soft_target_grad(w) for w, _ in SOFT_WRONG + SOFT_TYPED]
    assert generic_share(replies) == 0


def test_the_typed_replies_speak_chinese():
    import course_utils as cu

    cu.set_language("zh")
    try:
        sigmoid = nb05.check_fused_grad(FUSED_TYPED[1][0])
        hard = nb05.check_soft_target_grad(SOFT_TYPED[0][0])
    finally:
        cu.set_language("en")
    assert sigmoid.message.startswith("这是 σ(z) − t") and sigmoid.message.endswith("还少了平均值的 1/N"), (
        sigmoid
    )
    assert "硬标签" in hard.message, hard


def test_a_division_by_an_empty_rows_sum_is_named():
    """The newcomer's (h − t/Σt)·Σt/N: right where Σt > 0, NaN on an all-zero row, which the text allows."""
    import course_utils as cu

    def divides(z, t):
        s = t.sum(axis=1, keepdims=True)
        return (cu.softmax(z) - t / s) * s / z.shape[0]

    fb = nb05.check_soft_target_grad(divides)
    assert not fb.passed and "all zeros" in fb.message, fb.message
