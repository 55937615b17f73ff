r"""Claims a notebook makes, checked in the cell right under them.

:func:`verify` compares two arrays by :func:`~course_utils.rel_error`, prints one line saying what
was shown, and raises ``AssertionError`` when the claim is false, so a notebook whose formula is
wrong fails its own run (and CI). It never prints a round-off-sized number, which would change from
one machine to the next; it prints the bound instead.

A shown mistake must be a real one: ``expect="mismatch"`` passes only when the relative error is
above :data:`MISMATCH_FLOOR` (1e-3). An error between the match tolerance and that floor is neither
a match nor a mismatch, and raises: a formula that is off by 1e-5 proves nothing either way.
"""

import numpy as np

from .gradcheck import rel_error
from .i18n import _

MISMATCH_FLOOR = 1e-3


def verify(claim, got, expected, *, tol=1e-8, expect="match", floor=MISMATCH_FLOOR):
    """Check ``got`` against ``expected`` and print the verdict; raise if the claim is false.

    Parameters
    ----------
    claim : str
        What is being shown, in words ("softmax Jacobian = finite differences").
    got, expected : array_like, the same shape
    tol : float
        Largest relative error (see :func:`rel_error`) that counts as a match.
    expect : {"match", "mismatch"}
        "mismatch" demonstrates a wrong formula: it passes only when the error is above ``floor``
        (or a NaN or inf shows up).
    floor : float
        Smallest relative error that counts as a real mismatch; with ``expect="mismatch"`` it
        must be at least ``tol`` (a match needs no floor: a loose ``tol`` there is fine).

    Returns nothing, so a check at the end of a cell adds no round-off-sized number to its output.
    """
    if expect not in ("match", "mismatch"):
        raise ValueError(f"expect must be 'match' or 'mismatch', got {expect!r}")
    if expect == "mismatch" and floor < tol:
        raise ValueError(f"floor ({floor:.0e}) must be at least tol ({tol:.0e})")
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        raise AssertionError(
            _("{claim}: shapes differ, {got} vs {expected}").format(
                claim=claim, got=got.shape, expected=expected.shape
            )
        )
    finite = np.all(np.isfinite(got)) and np.all(np.isfinite(expected))
    err = rel_error(got, expected) if finite else float("nan")
    matched = finite and err <= tol
    if expect == "match":
        if not matched:
            raise AssertionError(
                _("{claim}: FAILED, relative error {err:.3g} > {tol:.0e}").format(
                    claim=claim, err=err, tol=tol
                )
            )
        print(_("✓ {claim}  (relative error below {tol:.0e})").format(claim=claim, tol=tol))
    else:
        if matched:
            raise AssertionError(
                _("{claim}: expected a mismatch but the two agree to {tol:.0e}").format(claim=claim, tol=tol)
            )
        if finite and err <= floor:
            raise AssertionError(
                _(
                    "{claim}: neither a match nor a mismatch, relative error {err:.3g} is above {tol:.0e}"
                    " but not above {floor:.0e}"
                ).format(claim=claim, err=err, tol=tol, floor=floor)
            )
        shown = _("NaN or inf in the result") if not finite else _("relative error {err:.3g}").format(err=err)
        print(_("✗ {claim}  ({shown}: the mismatch we expected)").format(claim=claim, shown=shown))


def verify_true(claim, condition):
    """Print ``✓ claim`` when ``condition`` holds, raise AssertionError otherwise."""
    if not bool(condition):
        raise AssertionError(_("{claim}: FAILED").format(claim=claim))
    print(_("✓ {claim}").format(claim=claim))
