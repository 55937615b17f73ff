"""Notebook 06's replies for wrong answers that no formula catalogues: what the result shows (a step
other than eps, entries skipped, signs lost, a rounded number) or which property of a relative error
it breaks (bounds, scale, symmetry). ``nb06_gradient_checking`` tries them after the catalogued
mistakes, before the generic reply.
"""

import numpy as np

from ..i18n import N_, _
from ._checking import Feedback
from ._when_raised import limited

OTHER_STEP = N_(
    "your slopes are central differences taken with a step other than the eps passed in: step by eps "
    "itself, x.flat[k] = old + eps and old − eps"
)


def other_step(central, got, f, x, eps):
    """True when ``got`` is the central difference of ``f`` at ``x`` with a step other than ``eps``."""
    for k in (10, 0.1, 100, 0.01, 2, 0.5):
        with np.errstate(all="ignore"):
            if np.allclose(got, central(f, x, eps * k), rtol=1e-9, atol=0):
                return True
    return False


def rounded(got, expected):
    """True when ``got`` is ``expected`` rounded to between 0 and 6 decimals (and is not it)."""
    g, e = float(np.ravel(got)[0]), float(np.ravel(expected)[0])
    return g != e and any(g == round(e, d) for d in range(7))


def signs_lost(got, expected):
    """True when ``got`` has the right sizes but some of its signs differ (np.abs somewhere)."""
    return bool(
        got.shape == expected.shape
        and np.allclose(np.abs(got), np.abs(expected), rtol=1e-8, atol=1e-10)
        and not np.allclose(got, expected, rtol=1e-8, atol=1e-10)
        and not np.allclose(got, -expected, rtol=1e-8, atol=1e-10)  # every sign: the factor −1 names it
    )


SIGNS = N_(
    "your result has the right sizes, but some signs are flipped: an np.abs (or abs) where the "
    "difference f(x + ε) − f(x − ε) keeps its sign"
)


def skipped_entries(got, expected):
    """True when ``got`` is right except at some entries left at 0 where the slope is not 0."""
    if got.shape != expected.shape:
        return False
    off = ~np.isclose(got, expected, rtol=1e-8, atol=1e-10)
    return bool(off.any() and np.all(got[off] == 0) and np.all(expected[off] != 0))


SKIPPED = N_(
    "your result is right except at some entries, which are still 0: your loop skips them (a range "
    "that starts at 1 or stops one short, say); loop over every entry, for k in range(x.size)"
)


def property_broken(fn, a, b):
    """What a relative error must do and ``fn`` does not, as a reply, or None.

    The relative error lies in [0, 1], does not change when a and b are swapped, and does not change
    when both are scaled by the same number; each is tried on the case at hand.
    """
    try:
        with np.errstate(all="ignore"):
            here = float(np.asarray(limited(fn, a.copy(), b.copy()), dtype=np.float64))
            swapped = float(np.asarray(limited(fn, b.copy(), a.copy()), dtype=np.float64))
            scaled = float(np.asarray(limited(fn, 1000 * a, 1000 * b), dtype=np.float64))
    except (Exception, SystemExit):
        return None
    if not np.isfinite(here):
        return None
    if not -1e-12 <= here <= 1 + 1e-12:
        return _(
            "your result, {got:.6g}, lies outside [0, 1]: ||a − b|| is at most ||a|| + ||b||, so the "
            "relative error never exceeds 1; look for a square, a missing square root or a missing norm"
        ).format(got=here)
    if not np.isclose(scaled, here, rtol=1e-6, atol=1e-12):
        return _(
            "multiplying both a and b by 1000 changes your result ({got:.6g}, then {scaled:.6g}): the "
            "relative error must not depend on the scale, which is what dividing by ||a|| + ||b|| is for; "
            "a constant added somewhere, or a power other than 1, breaks it"
        ).format(got=here, scaled=scaled)
    if not np.isclose(swapped, here, rtol=1e-6, atol=1e-12):
        return _(
            "swapping a and b changes your result ({got:.6g}, then {swapped:.6g}): the course's relative "
            "error treats both alike, ||a − b|| / (||a|| + ||b||)"
        ).format(got=here, swapped=swapped)
    return None


def central_hints(central, differences):
    """Exercise 1's run_checks hints: a step other than eps, entries skipped, signs lost."""
    return [
        (lambda got, exp, args: other_step(central, got[0], *args), _(OTHER_STEP), differences),
        (lambda got, exp, args: skipped_entries(got[0], exp[0]), _(SKIPPED), differences),
        (lambda got, exp, args: signs_lost(got[0], exp[0]), _(SIGNS), differences),
    ]


def named_by_property(fn, cases, rel, four):
    """Feedback naming a property of the relative error that ``fn`` breaks on ``cases``, or None."""
    if not callable(fn):
        return None
    for a, b in cases:
        broken = property_broken(fn, a, b)
        if broken and not _same_as_right(fn, rel, a, b):
            return Feedback("relative_error", "wrong", broken, four)
    return None


def _same_as_right(fn, rel, a, b):
    try:
        with np.errstate(all="ignore"):
            mine = float(np.asarray(limited(fn, a.copy(), b.copy())))
            return bool(np.isclose(mine, rel(a, b), rtol=1e-7, atol=0))
    except (Exception, SystemExit):
        return False
