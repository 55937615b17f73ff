"""Notebook 06's replies for the newcomer review of issue 19 (its third round): a step left in x,
a row moved where one entry was meant, a matrix norm, and the 0/0 case answered with 1.

``nb06_gradient_checking`` runs the two checks on ``x`` before its checkers compare numbers (what
is left in ``x`` and a row moved for an entry are named by what the function does, not by its
numbers), and adds the relative-error formulas to that exercise's catalogue.
"""

import functools
import warnings

import numpy as np

from ..i18n import N_, _
from . import _fingerprint
from ._checking import Feedback, see
from ._when_raised import limited


def entry_and_direction_moves(args):
    """The moves exercise 3 steps along for the arguments ``args``: each entry's e_k, then each u."""
    x, entries, directions = args[1], args[3], args[4]
    units = [np.eye(1, x.size, k).reshape(x.shape) for k in np.asarray(entries, dtype=int).ravel()]
    return units + list(directions)


_RAISED = object()


def _never_raises(check):
    """``check`` returning None instead of raising: whatever a learner returns, no checker stops."""

    @functools.wraps(check)
    def safe(*args, **kwargs):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return check(*args, **kwargs)
        except Exception:
            return None

    return safe


def _run_quietly(fn, args):
    """``fn(*args)``, or ``_RAISED`` when it raises: the checker's own run reports what it raised.

    A run past the time limit raises ``Stalled``, which the checker turns into its reply at once.
    """
    try:
        with np.errstate(all="ignore"):
            return limited(fn, *args)
    except (Exception, SystemExit):
        return _RAISED


@_never_raises
def step_left_in_x(fn, build, exercise, moves_of=None):
    """Feedback when ``fn`` leaves ``x`` stepped (at old − ε·m or old + ε·m) instead of restoring it.

    ``build()`` gives fresh arguments whose second one is ``x`` and whose last one is ``eps``;
    ``moves_of(args)`` lists the moves the function steps along (by default one per entry). The
    function's numbers may well be right: only the state of ``x`` afterwards is judged here.
    """
    if not callable(fn):
        return None
    args = build()
    x, eps = args[1], args[-1]
    before = x.copy()
    if _run_quietly(fn, args) is _RAISED:  # a step that raised mid-way leaves x stepped too
        return None
    if not isinstance(x, np.ndarray) or x.shape != before.shape or np.array_equal(x, before):
        return None
    diff = x - before
    if moves_of is None:  # one entry at a time: every changed entry is off by ε exactly
        off = diff[diff != 0]
        left = bool(np.allclose(np.abs(off), eps, rtol=1e-6, atol=0))
    else:  # along moves: x is off by ε times the last move, or the moves' sum when none was undone
        moves = moves_of(args)
        sums = [moves[-1], np.sum(moves, axis=0)] if moves else []
        left = any(np.allclose(np.abs(diff), np.abs(eps * m), rtol=1e-6, atol=1e-15) for m in sums)
    if not left:
        return None
    if moves_of is None:
        where = see("06_gradient_checking", "Forward and central differences")
    else:
        where = see("06_gradient_checking", "Your own gradient checker")
    return Feedback(
        exercise,
        "wrong",
        _(
            "x is not as it was afterwards: it is left where the last step put it, old ± ε, because "
            "nothing puts the old value back after the second call of f(); end each step with "
            "x.flat[k] = old (or x[...] = old for a whole move)"
        ),
        where,
    )


def _row_moves_check(f, x, grad, entries, directions, eps, flat=False):
    """Exercise 3 with each entry's move built as ``e[k] = 1``: on a matrix, row k is moved whole
    (``flat``: as ``e.flat[k] = 1``, the right move)."""
    old = x.copy()

    def slope(m):
        x[...] = old + eps * m
        up = f()
        x[...] = old - eps * m
        down = f()
        x[...] = old
        return (up - down) / (2 * eps)

    moves = []
    for k in np.asarray(entries, dtype=int).ravel():
        e = np.zeros_like(x)
        if flat:
            e.flat[k] = 1.0
        else:
            e[k] = 1.0
        moves.append(e)
    moves += list(directions)
    n = np.array([slope(m) for m in moves])
    a = np.array([float(np.sum(grad * m)) for m in moves])
    d = np.abs(n) + np.abs(a)
    err = np.divide(np.abs(n - a), d, out=np.zeros_like(d), where=d > 0)
    return err[: len(moves) - len(directions)], err[len(moves) - len(directions) :]


@_never_raises
def row_for_entry(fn, build):
    """Feedback when ``fn`` builds an entry's move as ``e[k] = 1``, which on a matrix sets a row.

    ``build()`` must give a matrix ``x`` whose sampled flat indices are all below its number of
    rows, so that the row move runs (past them it raises IndexError, as in the checker's cases).
    """
    if not callable(fn):
        return None
    mine = _run_quietly(fn, build())
    if not isinstance(mine, (tuple, list)) or len(mine) != 2:
        return None

    def same(ours, theirs):
        return all(
            np.shape(m) == np.shape(r) and np.allclose(np.asarray(m, dtype=float), r, rtol=1e-6, atol=1e-9)
            for m, r in zip(ours, theirs)
        )

    rows, right = _row_moves_check(*build()), _row_moves_check(*build(), flat=True)
    try:
        if same(right, rows) or not same(mine, rows):
            return None
    except Exception:  # whatever the learner returned: no named reply here
        return None
    return Feedback(
        "my_gradient_check",
        "wrong",
        _(
            "e[k] = 1 on a matrix x sets the whole row k, not the entry k: your entry moves step a row "
            "at a time, and an index k past the last row raises IndexError; the entries are flat "
            "indices, so write e.flat[k] = 1"
        ),
        see("06_gradient_checking", "Your own gradient checker"),
    )


def _ratio(num, den):
    return 0.0 if den == 0 else num / den


def relative_error_review_mistakes(rel, four):
    """Exercise 2 (``relative_error``): ``(wrong(a, b), message, section)``, from the review."""
    norm = np.linalg.norm
    spectral = _(
        "np.linalg.norm(v, 2) of a matrix is its spectral norm (its largest singular value), not the "
        "two-norm of its entries: the course's ||·|| treats a gradient of any shape as one long "
        "vector, np.linalg.norm(v) with no ord (for a matrix, the Frobenius norm)"
    )
    return [
        (
            lambda a, b: 1.0 if norm(a) + norm(b) == 0 else rel(a, b),
            _(
                "when a and b are both zero you return 1: two zero gradients agree perfectly, so their "
                "error is 0; return 0.0 in that case (a 1.0 belongs in the denominator, if anywhere)"
            ),
            four,
        ),
        (
            lambda a, b: norm(a - b) / (norm(a) + norm(b) if norm(a) + norm(b) > 1e-8 else 1.0),
            _(
                "when ||a|| + ||b|| is below a small threshold you divide by 1 instead: for gradients "
                "that small (here the norms are near 1e-9) the result is then the absolute error, near "
                "0 whatever the mistake; divide by ||a|| + ||b|| whenever it is not exactly 0"
            ),
            four,
        ),
        (lambda a, b: _ratio(norm(a - b, 2), norm(a, 2) + norm(b, 2)), spectral, four),
        (
            lambda a, b: 1 - rel(a, b),
            _(
                "that is 1 minus the relative error, a score of agreement: the error itself is "
                "||a − b|| / (||a|| + ||b||), 0 when a = b and 1 when b = −a"
            ),
            four,
        ),
        (
            lambda a, b: _ratio(norm(a - b, "nuc"), norm(a, "nuc") + norm(b, "nuc")),
            _(
                "np.linalg.norm(v, 'nuc') of a matrix is its nuclear norm (the sum of its singular "
                "values): the course's ||·|| is the two-norm of all the entries, np.linalg.norm(v) with "
                "no ord"
            ),
            four,
        ),
    ]


def matrix_only(got, expected, args):
    """True when ``relative_error`` went wrong on a matrix case (1-D cases pass before these)."""
    return np.ndim(args[0]) == 2 and not np.allclose(
        np.asarray(got[0], dtype=float), expected[0], rtol=1e-7, atol=1e-12
    )


def matrix_hint(four):
    """The hint for :func:`matrix_only`: a norm that treats a matrix other than as its entries."""
    return (
        matrix_only,
        _(
            "right on vectors, wrong on a matrix: your norm treats a matrix differently from the list "
            "of its entries (an ord, an axis, or a row at a time); the course's ||·|| is the two-norm "
            "of all the entries, np.linalg.norm(v) with no ord and no axis"
        ),
        four,
    )


@_never_raises
def directions_unscored(fn, build, reference):
    """Feedback when ``fn`` scores the entries right and returns 0 for every direction, or None.

    ``build()`` must plant a wrong entry, so that the right direction errors are far from 0.
    """
    if not callable(fn):
        return None
    mine = _run_quietly(fn, build())
    right = reference(*build())
    try:
        entries, directions = (np.asarray(r, dtype=float) for r in mine)
    except Exception:  # whatever the learner returned: no named reply here
        return None
    if not (
        directions.shape == right[1].shape
        and directions.size
        and np.all(directions == 0)
        and np.any(right[1] > 1e-3)
        and entries.shape == right[0].shape
        and np.allclose(entries, right[0], rtol=1e-4, atol=1e-7)
    ):
        return None
    return Feedback(
        "my_gradient_check",
        "wrong",
        _(
            "your direction errors are all 0 while the entries' are right: the directions are never "
            "scored; step along each u in directions too and score n = (f(x + εu) − f(x − εu))/2ε "
            "against a = ⟨grad, u⟩"
        ),
        see("06_gradient_checking", "Your own gradient checker"),
    )


@_never_raises
def slopes_flipped(fn, build, reference):
    """Feedback when ``fn`` scores about 0 on a gradient that is exactly minus the true one, or None.

    ``build()`` must give the negated gradient, where every right error is 1: errors near 0 there
    mean the learner's numerical slope (or analytic value) has its sign flipped too.
    """
    if not callable(fn):
        return None
    mine = _run_quietly(fn, build())
    right = reference(*build())
    try:
        errors = np.concatenate([np.asarray(m, dtype=float).ravel() for m in mine])
    except Exception:  # whatever the learner returned: no named reply here
        return None
    expected = np.concatenate([np.ravel(r) for r in right])
    if not (
        errors.shape == expected.shape
        and errors.size
        and np.all(expected > 0.99)
        and np.all(np.abs(errors) < 1e-3)
    ):
        return None
    return Feedback(
        "my_gradient_check",
        "wrong",
        _(
            "a sign is flipped: on a gradient that is exactly minus the true one, where every error "
            "should be 1, yours are all about 0; the central difference is "
            "n = (f(x + εm) − f(x − εm)) / 2ε, the plus side first, against a = ⟨grad, m⟩"
        ),
        see("06_gradient_checking", "Forward and central differences"),
    )


COURSE_GRADIENT = N_(
    "your function calls the course's own cu.numerical_gradient, which is this very answer (a graded "
    "hand-in scores 0 on this exercise), and without eps it steps by its own default whatever eps the "
    "caller passes: write the central differences with NumPy yourself, stepping by eps"
)


@_never_raises
def calls_course_gradient(fn, build):
    """Whether ``fn`` calls the course's ``numerical_gradient`` on the fresh ``(f, x, eps)`` of ``build()``.

    Such an answer, called without eps, steps by the course's default whatever eps is passed: it is
    told that, not that its step is hard-coded.
    """
    ran = set()
    with _fingerprint.watching(ran):
        _run_quietly(fn, build())
    names = (
        "course_utils.finite_differences.numerical_gradient",
        "course_utils.gradcheck.numerical_gradient",
    )
    return bool(_fingerprint.used(ran, _fingerprint.targets(names)))


def course_gradient_hint(fn, fixed, build):
    """A hint for ``run_checks``: the step ignored (``fixed``'s predicate) because ``fn`` calls the
    course's ``numerical_gradient`` without eps; it says so rather than "the step is fixed"."""
    return (
        lambda got, exp, args: fixed[0](got, exp, args) and calls_course_gradient(fn, build),
        _(COURSE_GRADIENT),
        see("06_gradient_checking", "Forward and central differences"),
    )
