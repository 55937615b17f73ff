"""The checker machinery every companion shares: stubs, crashes, in-place edits, reproducible feedback."""

import numpy as np
import pytest
from checking_helpers import expect

from course_utils.notebooks import NOTEBOOKS, companion
from course_utils.notebooks import nb01_softmax as nb01
from course_utils.notebooks import nb05_fused_cross_entropy as nb05


def test_not_implemented_is_friendly():
    def stub(z):
        raise NotImplementedError

    fb = expect(nb01.check_softmax(stub), "not implemented", "not implemented yet")
    assert not fb.passed
    assert repr(fb).startswith("… softmax:")


def test_a_crash_is_reported_not_raised():
    expect(nb01.check_softmax(lambda z: z.nope), "error", "AttributeError")


def test_not_a_function():
    expect(nb01.check_softmax(np.zeros(3)), "error", "pass your function itself")


def test_changing_the_input_in_place_is_named():
    def sneaky(z):
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z

    expect(nb01.check_softmax(sneaky), "wrong", "changed its input array in place", "copy()")


def test_unrecognised_wrong_answer_points_at_the_difference():
    fb = expect(nb05.check_fused_grad(lambda z, y: np.zeros_like(z)), "wrong", "largest difference")
    assert "expected" in fb.message


def test_feedback_is_reproducible():
    wrong = lambda z, y: np.ones_like(z)  # noqa: E731
    assert repr(nb05.check_fused_grad(wrong)) == repr(nb05.check_fused_grad(wrong))


CHECKERS = [
    (name, getattr(companion(nb), name))
    for nb in NOTEBOOKS
    for name in dir(companion(nb))
    if name.startswith("check_") and name != "check_mysteries"
]


@pytest.mark.parametrize("checker", [c for _, c in CHECKERS], ids=[n for n, _ in CHECKERS])
def test_every_checker_reports_a_stub_as_not_implemented(checker):
    def stub(*args):
        raise NotImplementedError

    assert checker(stub).status == "not implemented"


def test_every_exercise_is_graded_with_its_own_checker():
    for nb in NOTEBOOKS:
        module = companion(nb)
        checkers = {
            getattr(module, n) for n in dir(module) if n.startswith("check_") and n != "check_mysteries"
        }
        assert {e.checker for e in module.GRADED} == checkers, nb


def test_companion_refuses_an_unknown_notebook():
    with pytest.raises(ValueError, match="unknown notebook '10_more'"):
        companion("10_more")
