"""The companion of notebook 09 · Bug hunt: its widget's state, picture and live view, and its checkers."""

import numpy as np
import pytest
from checking_helpers import expect

from course_utils.notebooks import nb09_bug_hunt as nb09


def test_bug_state_and_widget():
    s = nb09.bug_state("aliasing")
    assert s["report"].failed == ["W2"] and "aliasing" in s["diagnosis"][0]
    assert "Wrong: da1 = a1" in nb09.describe_bug(s)
    view = nb09.bug_widget()
    view.controls["key"].value = "regularised_bias"
    assert "regularised bias" in view.text.value and view.chart.value.count("FAIL") == 2
    cost = nb09.bug_state("binary_cost_on_softmax")
    assert "cost mismatch" in cost["diagnosis"][0] and "uniform outputs" in nb09.describe_bug(cost)
    with pytest.raises(ValueError, match="unknown bug"):
        nb09.bug_state("nope")


def test_mysteries():
    from course_utils import bugs

    right = dict(enumerate(bugs.MYSTERIES, start=1))
    expect(nb09.check_mysteries(right), "correct", "5 of 5")
    wrong = {**right, 2: "missing_1_over_N"}
    fb = expect(nb09.check_mysteries(wrong), "wrong", "4 of 5", "mystery 2: ✗")
    assert "W2" in fb.message  # the hint names the tensors that fail
    expect(nb09.check_mysteries({n: ... for n in range(1, 6)}), "not implemented")
    expect(nb09.check_mysteries({1: "nope"}), "wrong", "not a key")


def test_bias_gradient():
    def good(h, y):
        t = np.eye(h.shape[1])[y]
        return (h - t).sum(axis=0) / len(y)

    expect(nb09.check_bias_gradient(good), "correct")

    def fancy(h, y):
        d = h.sum(axis=0) / len(y)
        d[y] -= 1 / len(y)
        return d

    expect(nb09.check_bias_gradient(fancy), "wrong", "np.subtract.at")


def test_mysteries_accept_titles_string_numbers_and_entries_and_list_the_keys():
    from course_utils import bugs

    truth = {n: key for n, key in enumerate(bugs.MYSTERIES, start=1)}
    by_title = {str(n): bugs.BUGS[key].title for n, key in truth.items()}
    assert nb09.check_mysteries(by_title).passed
    assert nb09.check_mysteries({n: bugs.BUGS[key] for n, key in truth.items()}).passed
    fb = nb09.check_mysteries({1: "no such bug"})
    assert "is not a key of bugs.BUGS; the keys are" in fb.message and next(iter(bugs.BUGS)) in fb.message


def test_a_bincount_without_minlength_fails_on_a_class_with_no_sample():
    # Labels 0 and 1 only, of C = 4 classes: bincount(y) has 2 entries and the shapes clash.
    fb = nb09.check_bias_gradient(lambda h, y: (h.sum(axis=0) - np.bincount(y)) / h.shape[0])
    assert fb.status == "error" and "print the shape of each" in fb.message
    right = nb09.check_bias_gradient(
        lambda h, y: (h.sum(axis=0) - np.bincount(y, minlength=h.shape[1])) / len(y)
    )
    assert right.passed


def test_a_guess_that_fails_the_same_tensors_is_told_how_to_tell_them_apart():
    from course_utils import bugs

    pairs = [
        (number, truth, twin)
        for number, truth in enumerate(bugs.MYSTERIES, start=1)
        for twin, b in bugs.BUGS.items()
        if twin != truth and b.flags == bugs.BUGS[truth].flags
    ]
    assert pairs, "some mystery has a bug that fails the same tensors (mystery 4 does)"
    number, truth, twin = pairs[0]
    message = nb09.check_mysteries({number: twin}).message
    assert "fails the same tensors" in message and "cross-entropy" in message
    assert f"mystery {number}: ✓" in nb09.check_mysteries({number: truth.upper()}).message
