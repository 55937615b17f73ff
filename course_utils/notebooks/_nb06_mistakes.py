"""Notebook 06's catalogues of wrong answers: the formulas its checkers recognise, and the checks that
name a mistake no formula shows (a step fixed inside the function, a constant added to a
denominator, results returned as lists).

``nb06_gradient_checking`` keeps the checkers and their references and passes each reference in,
so the wrong formulas here are written in terms of the right one.
"""

import numpy as np

from ..i18n import N_, _
from ._checking import Feedback, see
from ._replies import type_name
from ._when_raised import limited


def central_difference_mistakes(central, differences):
    """Exercise 1's wrong answers, as ``(formula, message, section)``: ``central`` is the reference."""

    def forward(f, x, eps):
        grad = np.zeros_like(x)
        base = f()
        for k in range(x.size):
            old = x.flat[k]
            x.flat[k] = old + eps
            grad.flat[k] = (f() - base) / eps
            x.flat[k] = old
        return grad

    return [
        (
            forward,
            _("close, but only to about ε: that is a forward difference; use the central one"),
            differences,
        ),
        (
            lambda f, x, eps: 2 * central(f, x, eps),
            _("twice too large: the central difference spans 2ε, from x − ε to x + ε"),
            differences,
        ),
        (
            lambda f, x, eps: _backward_gradient(f, x, eps),
            _(
                "close, but only to about ε: that is a backward difference, (f(x) − f(x − ε))/ε; "
                "use the central one"
            ),
            differences,
        ),
        (
            lambda f, x, eps: _first_entries(central(f, x, eps), len(x)),
            _(
                "only the first len(x) entries are filled: len(x) counts the rows of x; loop over every "
                "entry, range(x.size) with x.flat[k]"
            ),
            differences,
        ),
        (
            lambda f, x, eps: np.zeros_like(x),  # a copy was perturbed: f, reading x, never moved
            _(
                "every entry is 0: f gave the same value at both steps; either f never saw them (f reads "
                "x itself, so perturb x in place, x.flat[k] = old + eps, not a copy of it) or both steps "
                "went the same way: the second is old − eps; then put the old value back"
            ),
            differences,
        ),
    ]


def _backward_gradient(f, x, eps):
    grad = np.zeros_like(x)
    base = f()
    for k in range(x.size):
        old = x.flat[k]
        x.flat[k] = old - eps
        grad.flat[k] = (base - f()) / eps
        x.flat[k] = old
    return grad


def _first_entries(grad, n):
    out = np.zeros_like(grad)
    out.flat[:n] = grad.flat[:n]
    return out


FIXED_STEP = N_(
    "your result does not change when eps does: the step is fixed inside your function (a "
    "hard-coded 1e-1, 1e-5 or 1e-12, say); step by the eps the caller passes, which picks it for the "
    "precision at hand"
)


def ignores_step(fn, build):
    """True when ``fn`` returns the same numbers for two steps whose right answers differ."""
    try:
        with np.errstate(all="ignore"):
            small = _as_numbers(limited(fn, *build(1e-3)))
            large = _as_numbers(limited(fn, *build(1e-1)))
    except (Exception, SystemExit):
        return False
    return all(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(small, large))


def _as_numbers(result):
    parts = result if isinstance(result, (tuple, list)) else (result,)
    return [np.asarray(p, dtype=np.float64) for p in parts]


def relative_error_mistakes(rel, four):
    """Exercise 2's wrong formulas, as ``(formula, message, section)``: ``rel`` is the reference."""
    norm = np.linalg.norm
    return [
        (
            lambda a, b: np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-300)),
            _("that is the largest entry-by-entry error: the course's definition uses norms"),
            four,
        ),
        (
            lambda a, b: norm(a - b),
            _("that is the absolute error: divide by ||a|| + ||b|| so the scale of the gradient cancels"),
            four,
        ),
        (
            lambda a, b: norm(a - b) / max(norm(a) + norm(b), 1.0),
            _("a floor of 1 in the denominator makes tiny gradients always pass: use ||a|| + ||b||"),
            four,
        ),
        (
            lambda a, b: norm(a - b) / (norm(a) + norm(b) + 1e-8),
            _(
                "the 1e-8 added to the denominator is harmless for gradients of size 1, but here both "
                "norms are near 1e-9 and it swamps them (0.14 instead of 0.5): return 0 when both are "
                "zero instead of adding a constant"
            ),
            four,
        ),
        (
            lambda a, b: norm(a - b) / max(norm(a) + norm(b), 1e-8),
            _(
                "a floor of 1e-8 in the denominator takes over when both norms are below it (here they "
                "are near 1e-9): return 0 when both are zero instead of flooring"
            ),
            four,
        ),
        (
            lambda a, b: _ratio(np.sum(np.abs(a - b)), np.sum(np.abs(a)) + np.sum(np.abs(b))),
            _(
                "those are one-norms (sums of absolute values); the course's ||·|| is the two-norm, "
                "np.linalg.norm"
            ),
            four,
        ),
        (
            lambda a, b: _ratio(np.sum(a - b), np.sum(a) + np.sum(b)),
            _(
                "those are plain sums, signs included, not norms: entries of opposite signs cancel; "
                "the course's ||·|| is the two-norm, np.linalg.norm"
            ),
            four,
        ),
        (
            lambda a, b: _ratio(norm(a - b) ** 2, norm(a) ** 2 + norm(b) ** 2),
            _("those are squared norms: ||v||² = Σ v_k²; take np.linalg.norm itself, the square root"),
            four,
        ),
        (
            lambda a, b: _ratio(norm(a - b), norm(a + b)),
            _("||a + b|| is not ||a|| + ||b||: take each norm first, then add"),
            four,
        ),
        (
            lambda a, b: 2 * rel(a, b),
            _("twice the course's value: the denominator is ||a|| + ||b||, not their mean"),
            four,
        ),
        (
            lambda a, b: _ratio(norm(a - b), max(norm(a), norm(b))),
            _(
                "max(||a||, ||b||) in the denominator is another definition (it scores up to twice as "
                "high); the course's is ||a|| + ||b||"
            ),
            four,
        ),
        (
            lambda a, b: _ratio(norm(a - b), norm(b)),
            _(
                "dividing by ||b|| alone makes the error depend on which argument is the reference; "
                "use ||a|| + ||b||"
            ),
            four,
        ),
        (
            lambda a, b: _ratio(norm(a - b), norm(a)),
            _(
                "dividing by ||a|| alone makes the error depend on which argument is the reference; "
                "use ||a|| + ||b||"
            ),
            four,
        ),
    ]


def _ratio(num, den):
    """num / den, and 0 for 0/0: a wrong formula that still handles the all-zero case."""
    return 0.0 if den == 0 else num / den


def added_constant(got, a, b):
    """True when ``got`` is ||a − b|| / (||a|| + ||b|| + c) for a small constant c > 0."""
    norms = np.linalg.norm(a) + np.linalg.norm(b)
    if not (got > 0 and norms > 0):
        return False
    c = np.linalg.norm(a - b) / got - norms
    return 1e-6 * norms < c < 1e-3


def best_named(fn, cases, mistakes, verdict):
    """The mistake whose formula matches ``fn`` on the most cases, if it beats the one ``verdict`` names."""
    try:
        with np.errstate(all="ignore"):
            got = [np.asarray(limited(fn, *(a.copy() for a in c)), dtype=np.float64) for c in cases]
    except (Exception, SystemExit):
        return verdict
    best, best_score = None, 0
    for wrong, message, section in mistakes:
        score = sum(_agrees(g, wrong, c) for g, c in zip(got, cases))
        if message == verdict.message:
            score += 0.5  # a tie keeps the verdict
        if score > best_score:
            best, best_score = Feedback("relative_error", "wrong", message, section), score
    return best if best is not None and best.message != verdict.message and best_score >= 1 else verdict


def _agrees(got, wrong, case):
    """Whether the wrong formula gives ``got`` on ``case`` (False where it does not even run)."""
    try:
        with np.errstate(all="ignore"):
            want = np.asarray(wrong(*case), dtype=np.float64)
    except (Exception, SystemExit):  # e.g. a matrix norm's ord on a vector
        return False
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=1e-7, atol=1e-12))


def gradient_checker_mistakes(my_check, differences):
    """Exercise 3's wrong checkers, as ``(checker, message[, section])``: ``my_check`` is the reference,
    whose switches give four of them."""
    return [
        (
            lambda *a: my_check(*a, forward=True),
            _("close, but only to about ε: those are forward differences; step both ways, x ± ε·u"),
            differences,
        ),
        (
            lambda *a: my_check(*a, span=1.0),
            _("every numerical slope is twice too large: the central difference spans 2ε"),
            differences,
        ),
        (
            lambda *a: my_check(*a, floor=1.0),
            _(
                "a floor of 1 in the denominator hides every error in a gradient much smaller than 1 "
                "(case 3 of the four): divide by |n| + |a| alone, and score 0/0 as 0"
            ),
            see("06_gradient_checking", "Four relative errors, and how each misleads"),
        ),
        (
            lambda *a: my_check(*a, absolute=True),
            _("those are absolute errors |n − a|: divide by |n| + |a| so the scale of the gradient cancels"),
            see("06_gradient_checking", "Four relative errors, and how each misleads"),
        ),
        (
            lambda *a: my_check(*a)[::-1],
            _(
                "the pair is swapped: return (entry_errors, direction_errors), the entries' errors first, "
                "in the order of the arguments"
            ),
        ),
        (
            lambda *a: my_check(*a, over_analytic=True),
            _(
                "those errors are |n − a| / |a|, relative to the analytic value alone: divide by |n| + |a|, "
                "so that neither side is the reference"
            ),
            see("06_gradient_checking", "Four relative errors, and how each misleads"),
        ),
    ]


def not_arrays_feedback(fn, build):
    """Feedback when ``fn`` returns its two results as something other than NumPy arrays, or None.

    The notebook's next cells call ``.max()`` on both results, so lists or tuples, right as their
    numbers may be, would stop the notebook there.
    """
    if not callable(fn):
        return None
    try:
        with np.errstate(all="ignore"):
            result = limited(fn, *build())
    except (Exception, SystemExit):  # run_checks reports what the function raised
        return None
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return None
    others = [r for r in result if not isinstance(r, np.ndarray)]
    if not others:
        return None
    kinds = ", ".join(type(r).__name__ for r in others)
    if all(np.ndim(r) == 0 for r in others):
        return Feedback(
            "my_gradient_check",
            "wrong",
            _(
                "you returned one number where an array belongs ({kinds}): the exercise wants one error "
                "per entry in entries and one per direction, each group as a NumPy array"
            ).format(kinds=kinds),
            see("06_gradient_checking", "Your own gradient checker"),
        )
    lacking = next((r for r in others if not hasattr(r, "max")), None)
    if lacking is None:  # NumPy scalars have .max(), but the cells index them as arrays
        message = _(
            "return the two results as NumPy arrays, got {kinds}: the cells after this exercise use "
            "them as arrays; wrap each in np.array(...)"
        ).format(kinds=kinds)
    else:
        message = _(
            "return the two results as NumPy arrays, got {kinds}: the cells after this exercise call "
            ".max() on them, which {kind} does not have; wrap each in np.array(...)"
        ).format(kinds=kinds, kind=type_name(lacking))
    return Feedback(
        "my_gradient_check",
        "wrong",
        message,
        see("06_gradient_checking", "Your own gradient checker"),
    )
