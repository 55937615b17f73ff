"""Exercises 1 and 3 of notebook 06 as a second walk typed them wrong (issue 19): the loop position taken for
the flat index, a 0/0 guard on the analytic side alone, and two slips that raise on a 2-D ``x``
(``grad[k]`` for ``grad.flat[k]``, ``np.dot(grad, u)`` for the inner product).

``recheck_checker_mistakes`` are wrong checkers run on the checker's own case;
``recheck_checker_raised`` are rules for ``named_raise`` on the exception such a slip raises.
"""

import numpy as np

from ..i18n import _
from ._nb06_typed import _variant


def _analytic_guard(n, a):
    """|n − a| / (|n| + |a|), but 0 wherever a is 0, even where n is not."""
    n, a = np.asarray(n, dtype=float), np.asarray(a, dtype=float)
    return np.divide(np.abs(n - a), np.abs(n) + np.abs(a), out=np.zeros_like(n), where=a != 0)


def recheck_checker_mistakes(own):
    """Wrong checkers: the loop position as the flat index, and a 0/0 guard on ``a`` alone."""
    return [
        (
            lambda f, x, grad, entries, directions, eps: _variant(
                f, x, grad, np.arange(len(entries)), directions, eps
            ),
            _(
                "your entries are 0, 1, 2, …: the loop's position i was taken for the flat index; "
                "the index to move is the entry itself, entries[i] (for k in entries: … x.flat[k])"
            ),
            own,
        ),
        (
            lambda *args: _variant(*args, score=_analytic_guard),
            _(
                "an entry whose analytic slope a is 0 scored 0 though its numerical slope n is not: a "
                "gradient entry wrongly 0 is just the bug a check must catch, and it scores |n| / |n| = 1; "
                "score 0 only where n and a are both 0 (|n| + |a| = 0)"
            ),
            own,
        ),
    ]


def _two_d(args):
    return np.ndim(args[1]) > 1


def recheck_checker_raised(own):
    """Rules for ``named_raise`` (exercises 1 and 3, ``x`` the second argument): the exception a
    1-D-only slip raises on a 2-D ``x``, and a 2-D-only loop's on a 1-D ``x``."""
    return [
        (
            lambda exc, args: (
                np.ndim(args[1]) == 1 and isinstance(exc, IndexError) and "tuple index" in str(exc)
            ),
            _(
                "x.shape[1] does not exist for a 1-D x: a loop over rows and columns works for 2-D arrays "
                "only; loop over every entry whatever the shape, for k in range(x.size) with x.flat[k]"
            ),
            own,
        ),
        (
            lambda exc, args: _two_d(args) and isinstance(exc, IndexError) and "axis 0" in str(exc),
            _(
                "on a 2-D x, grad[k] (or x[k]) is a whole row, and past the last row it raises: an entry's "
                "flat index k means grad.flat[k] and x.flat[k], whatever the shape"
            ),
            own,
        ),
        (
            lambda exc, args: _two_d(args) and isinstance(exc, ValueError) and "not aligned" in str(exc),
            _(
                "np.dot(grad, u) on 2-D arrays is a matrix product, not the inner product: the analytic "
                "slope along u is ⟨grad, u⟩ = np.sum(grad * u), one number for any shape"
            ),
            own,
        ),
    ]
