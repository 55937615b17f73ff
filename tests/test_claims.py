"""verify() prints a verdict only when the claim holds, and raises when it does not."""

import numpy as np
import pytest

from course_utils.claims import verify, verify_true


def test_match_prints_the_bound_not_the_noise(capsys):
    assert verify("same", np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-13])) is None
    assert capsys.readouterr().out == "✓ same  (relative error below 1e-08)\n"


def test_a_false_match_raises():
    with pytest.raises(AssertionError, match="FAILED, relative error 0.333"):
        verify("wrong", np.array([1.0, 0.0]), np.array([2.0, 0.0]))


def test_expected_mismatch(capsys):
    verify("diag only", np.array([1.0, 0.0]), np.array([2.0, 0.0]), expect="mismatch")
    assert "relative error 0.333: the mismatch we expected" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="expected a mismatch"):
        verify("oops", np.ones(3), np.ones(3), expect="mismatch")


def test_a_mismatch_must_be_above_the_floor(capsys):
    # a 1e-5 difference is neither a match (tol 1e-8) nor a real mismatch (floor 1e-3)
    a = np.array([1.0, 2.0])
    with pytest.raises(AssertionError, match="neither a match nor a mismatch"):
        verify("tiny", a * (1 + 1e-5), a, expect="mismatch")
    with pytest.raises(AssertionError, match="FAILED"):
        verify("tiny", a * (1 + 1e-5), a)
    with pytest.raises(AssertionError, match="neither a match nor a mismatch"):
        verify("just under", a * (1 + 0.9e-3), a, expect="mismatch")
    verify("just over", a * (1 + 3e-3), a, expect="mismatch")
    assert "the mismatch we expected" in capsys.readouterr().out
    # the floor can be raised or lowered, but not below the match tolerance
    with pytest.raises(AssertionError, match="neither"):
        verify("big floor", a * 1.05, a, expect="mismatch", floor=0.1)
    verify("small floor", a * (1 + 1e-5), a, expect="mismatch", floor=1e-6)
    with pytest.raises(ValueError, match="floor"):
        verify("bad", a * 2, a, tol=1e-2, floor=1e-3, expect="mismatch")


def test_nan_never_matches(capsys):
    with pytest.raises(AssertionError):
        verify("nan", np.array([np.nan]), np.array([1.0]))
    verify("nan", np.array([np.nan]), np.array([1.0]), expect="mismatch")
    assert "NaN or inf" in capsys.readouterr().out


def test_shapes_must_agree():
    with pytest.raises(AssertionError, match=r"shapes differ, \(3,\) vs \(3, 1\)"):
        verify("shape", np.ones(3), np.ones((3, 1)))
    with pytest.raises(ValueError, match="expect must be"):
        verify("x", 1.0, 1.0, expect="maybe")


def test_verify_true(capsys):
    verify_true("rank is 3", 3 == 3)
    assert capsys.readouterr().out == "✓ rank is 3\n"
    with pytest.raises(AssertionError, match="rank is 4: FAILED"):
        verify_true("rank is 4", False)


def test_a_loose_match_tolerance_needs_no_floor(capsys):
    verify("a slope of 2, within 5%", 2.03, 2.0, tol=0.05)
    assert "✓ a slope of 2, within 5%" in capsys.readouterr().out
    with pytest.raises(ValueError, match="must be at least tol"):
        verify("a loose mismatch", 1.0, 2.0, tol=0.05, expect="mismatch")
