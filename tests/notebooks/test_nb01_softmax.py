"""The companion of notebook 01 · Softmax: its widget's state, picture and live view, and its checkers."""

import numpy as np
import pytest
from checking_helpers import expect, hand_softmax

from course_utils import softmax
from course_utils.notebooks import nb01_softmax as nb01


def test_softmax_state_and_temperature():
    s = nb01.softmax_state([2.0, 1.0, 0.1, -1.0])
    assert s["h"].sum() == pytest.approx(1.0) and s["argmax"] == 0
    assert 0 < s["entropy"] < s["max_entropy"] == pytest.approx(np.log(4))
    cold = nb01.softmax_state([2.0, 1.0, 0.1, -1.0], temperature=0.1)
    hot = nb01.softmax_state([2.0, 1.0, 0.1, -1.0], temperature=100.0)
    assert cold["max_prob"] > 0.9999 and cold["argmax"] == 0
    np.testing.assert_allclose(hot["h"], 0.25, atol=0.01)
    assert cold["entropy"] < s["entropy"] < hot["entropy"]
    assert "T = 1.00" in nb01.describe_softmax(s)
    with pytest.raises(ValueError, match="temperature must be a positive number"):
        nb01.softmax_state([1.0, 2.0], 0.0)


def test_softmax_widget_follows_the_sliders():
    view = nb01.softmax_widget()
    view.controls["T"].value = 0.1
    assert view.last_state["max_prob"] > 0.99
    view.controls["z3"].value = 5.0
    assert view.last_state["argmax"] == 3


def test_softmax():
    expect(nb01.check_softmax(hand_softmax), "correct")

    def naive(z):
        return np.exp(z) / np.sum(np.exp(z), axis=1, keepdims=True)

    with np.errstate(over="ignore", invalid="ignore"):
        expect(nb01.check_softmax(naive), "wrong", "overflow", "max")

    def global_max(z):
        e = np.exp(z - np.max(z))
        return e / e.sum(axis=1, keepdims=True)

    with np.errstate(invalid="ignore"):
        expect(nb01.check_softmax(global_max), "wrong", "whole batch")
    expect(nb01.check_softmax(lambda z: np.exp(z - z.max(axis=1, keepdims=True))), "wrong", "do not sum to 1")
    expect(nb01.check_softmax(lambda z: hand_softmax(z.T).T), "wrong", "columns sum to 1")

    def forgot_keepdims(z):
        m = z.max(axis=1)
        e = np.exp(z - m)
        return e / e.sum(axis=1, keepdims=True)

    with np.errstate(over="ignore", invalid="ignore"):
        expect(nb01.check_softmax(forgot_keepdims), "error", "broadcast", "keepdims=True")


def test_log_softmax():
    def good(z):
        m = z.max(axis=1, keepdims=True)
        return z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))

    expect(nb01.check_log_softmax(good), "correct")
    with np.errstate(divide="ignore"):
        expect(nb01.check_log_softmax(lambda z: np.log(hand_softmax(z))), "wrong", "-inf")

    def dropped_m(z):
        m = z.max(axis=1, keepdims=True)
        return z - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))

    expect(nb01.check_log_softmax(dropped_m), "wrong", "unshifted")


def test_a_min_shift_is_named_because_one_row_holds_a_large_and_a_small_logit():
    def min_shift(z):
        e = np.exp(z - z.min(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    with np.errstate(over="ignore", invalid="ignore"):
        fb = nb01.check_softmax(min_shift)
    assert fb.status == "wrong" and "row's minimum" in fb.message


def test_calling_the_course_softmax_is_told_not_passed():
    fb = nb01.check_softmax(lambda z: softmax(z))
    assert fb.status == "wrong" and "calls the course's own softmax" in fb.message
    fb = nb01.check_softmax(lambda z: softmax(z).astype(np.float32))
    assert "float32" in fb.message or "calls the course's own softmax" in fb.message


def test_checker_and_description_speak_chinese():
    from course_utils import set_language

    def naive(z):
        return np.exp(z) / np.sum(np.exp(z), axis=1, keepdims=True)

    set_language("zh")
    try:
        text = nb01.describe_softmax(nb01.softmax_state([2.0, 1.0, 0.1, -1.0]))
        assert text.startswith("T = 1.00：最大概率为 0.638（类别 0）")
        with np.errstate(over="ignore", invalid="ignore"):
            feedback = nb01.check_softmax(naive)
        assert feedback.status == "wrong" and "上溢" in feedback.message
        assert "每一行之和为 1" in nb01.check_softmax(hand_softmax).message
    finally:
        set_language("en")
    assert "the largest probability" in nb01.describe_softmax(nb01.softmax_state([2.0, 1.0, 0.1, -1.0]))


def _softmax_into_zeros_like(z):
    out = np.zeros_like(z)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    out[:] = e / e.sum(axis=1, keepdims=True)
    return out


def _softmax_in_place(z):
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _naive(z):
    return np.exp(z) / np.sum(np.exp(z), axis=1, keepdims=True)


def _min_shift(z):
    e = np.exp(z - z.min(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _global_max(z):
    e = np.exp(z - np.max(z))
    return e / e.sum(axis=1, keepdims=True)


def _batch_sum(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum()


def _top_only(z):
    return np.exp(z - z.max(axis=1, keepdims=True)) / np.exp(z).sum(axis=1, keepdims=True)


def _as_log(z):
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


# Wrong answers typed for this review (issue 19 §4), each with the words its reply must contain.
SOFTMAX_WRONG = [
    (_naive, "overflow"),
    (_min_shift, "row's minimum"),
    (_global_max, "whole batch"),
    (lambda z: np.exp(z - z.max(axis=1, keepdims=True)), "do not sum to 1"),
    (lambda z: hand_softmax(z.T).T, "columns sum to 1"),
    (_batch_sum, "sum over the whole batch"),
    (_top_only, "numerator but not the denominator"),
    (_as_log, "log-softmax"),
    (lambda z: 1 / (1 + np.exp(-z)), "sigmoid"),
    (_softmax_into_zeros_like, "integer dtype"),
    (_softmax_in_place, "the caller's z: `z -= ...`"),
]


@pytest.mark.parametrize("wrong, words", SOFTMAX_WRONG)
def test_every_typed_wrong_softmax_is_named(wrong, words):
    with np.errstate(all="ignore"):
        expect(nb01.check_softmax(wrong), "wrong", words)


def _log_in_place(z):
    z -= z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def _log_into_zeros_like(z):
    out = np.zeros_like(z)
    out[:] = _as_log(z)
    return out


def _log_axis0(z):
    m = z.max(axis=0, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=0, keepdims=True))


def _log_lse_axis0(z):
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=0, keepdims=True))


def _log_whole_batch(z):
    m = z.max()
    return z - m - np.log(np.exp(z - m).sum())


def _log_plus(z):
    m = z.max(axis=1, keepdims=True)
    return z - m + np.log(np.exp(z - m).sum(axis=1, keepdims=True))


LOG_SOFTMAX_WRONG = [
    (lambda z: np.log(hand_softmax(z)), "-inf"),
    (lambda z: z - np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)), "unshifted"),
    (lambda z: z - np.log(np.exp(z).sum(axis=1, keepdims=True)), "overflow"),
    (_log_axis0, "axis=0"),
    (_log_lse_axis0, "axis=0"),
    (_log_whole_batch, "whole batch"),
    (_log_plus, "with a minus"),
    (lambda z: z - z.max(axis=1, keepdims=True), "z − max only"),
    (hand_softmax, "softmax itself"),
    (_log_into_zeros_like, "integer dtype"),
    (_log_in_place, "the caller's z: `z -= ...`"),
]


@pytest.mark.parametrize("wrong, words", LOG_SOFTMAX_WRONG)
def test_every_typed_wrong_log_softmax_is_named(wrong, words):
    with np.errstate(all="ignore"):
        expect(nb01.check_log_softmax(wrong), "wrong", words)
