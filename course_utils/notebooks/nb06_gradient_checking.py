"""Companion of notebook 06 · Gradient checking.

The step-size widget (error of a finite difference against ε) and the checkers of its exercises.
"""

import numpy as np

from .. import svg
from ..finite_differences import epsilon_state, numerical_gradient
from ..gradcheck import rel_error
from ..i18n import N_, _
from ..palette import COLORS
from ._checking import Exercise, Feedback, hidden_rng, normal, run_checks, see
from ._view import LiveView


def describe_epsilon(state):
    if not np.isfinite(state["at"]["central"]):
        return _(
            "{dtype}, ε = {eps:.0e}: the step is lost to rounding (z + ε = z), "
            "so the difference quotient is 0/0"
        ).format(**state)
    return _(
        "{dtype}, ε = {eps:.0e}: central error {central:.1e}, forward {forward:.1e}. "
        "The best central step here is ε ≈ {best_eps:.0e} (error {best_error:.0e})"
    ).format(**{**state, **state["at"]})  # the errors at ε, not the curves


@svg.picture
def draw_epsilon(state):
    """Forward and central errors against the step ε on log-log axes, the slider's ε ringed."""
    return svg.loglog_chart(
        state["grid"],
        [
            (_("forward (f(z+ε) − f(z)) / ε"), state["forward"], COLORS["neutral"]),
            (_("central (f(z+ε) − f(z−ε)) / 2ε"), state["central"], COLORS["numerical"]),
        ],
        title=_("error against ε, {dtype}").format(dtype=state["dtype"]),
        marker=(state["eps"], state["at"]["central"]),
        xlabel=_("step ε"),
        ylabel=_("relative error"),
    )


def epsilon_widget():
    import ipywidgets as w

    controls = {
        "eps": w.FloatLogSlider(
            value=1e-3, base=10, min=-12, max=-1, step=0.25, description="ε", readout_format=".0e"
        ),
        "dtype": w.ToggleButtons(options=["float64", "float32"], value="float32"),
    }
    return LiveView(
        controls,
        epsilon_state,
        draw=lambda s, **_: draw_epsilon(s),
        describe=lambda s, **_: describe_epsilon(s),
    )


class remembering:
    """``f()`` for the array ``x``, each value computed once and kept.

    A gradient check that revisits the same points (the same directions, tried against many
    gradients) then costs one loss evaluation per distinct ``x``. The value is keyed by the bytes
    of ``x``, so any change to ``x`` is a new point.
    """

    def __init__(self, f, x):
        if not isinstance(x, np.ndarray):
            raise ValueError(f"x must be the NumPy array f reads, got {type(x).__name__}")
        self.f, self.x, self.values = f, x, {}

    def __call__(self):
        key = self.x.tobytes()
        if key not in self.values:
            self.values[key] = self.f()
        return self.values[key]


class _Reads:
    """A loss ``f()`` in the course's convention: no argument, it reads ``x``; ``f(x)`` is refused."""

    def __init__(self, x, scale=1.0):
        self.x, self.scale = x, scale

    def __call__(self, *args):
        if args:
            raise TypeError(
                "f takes no argument in this course: it reads x, which your function changes in place "
                "(as cu.numerical_gradient does); call f(), not f(x)"
            )
        return self.scale * _quartic(self.x)


def _case(seed, shape, eps=1e-5):
    """A fresh case builder: ``(f, x, eps)`` with ``f`` reading this very ``x``."""

    def build():
        x = normal(seed, shape)
        return _Reads(x), x, eps

    return build


def _central_gradient(f, x, eps):
    grad = np.zeros_like(x)
    for k in range(x.size):
        old = x.flat[k]
        x.flat[k] = old + eps
        up = f()
        x.flat[k] = old - eps
        down = f()
        x.flat[k] = old
        grad.flat[k] = (up - down) / (2 * eps)
    return grad


def _quartic(x):
    return float(np.sum(x**4) + x.ravel()[0] * x.ravel()[-1])


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


_FIXED_STEP = N_(
    "your result does not change when eps does: the step is fixed inside your function (a "
    "hard-coded 1e-1, 1e-5 or 1e-12, say); step by the eps the caller passes, which picks it for the "
    "precision at hand"
)


def _ignores_step(fn, build):
    """True when ``fn`` returns the same numbers for two steps whose right answers differ."""
    try:
        with np.errstate(all="ignore"):
            small = _as_numbers(fn(*build(1e-3)))
            large = _as_numbers(fn(*build(1e-1)))
    except (Exception, SystemExit):
        return False
    return all(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(small, large))


def _as_numbers(result):
    parts = result if isinstance(result, (tuple, list)) else (result,)
    return [np.asarray(p, dtype=np.float64) for p in parts]


def check_central_difference(fn):
    """Exercise: ``numerical_grad(f, x, eps)``: central differences of ``f()``, which reads ``x``.

    The course's convention (``cu.numerical_gradient``): ``f`` takes no argument and reads the array
    ``x``, which ``numerical_grad`` changes in place, one entry at a time, and puts back exactly.
    """
    # A step other than the usual 1e-5 in the last case: a step fixed inside the function shows.
    cases = [_case(45, 5), _case(46, (2, 3)), _case(47, (3, 2), eps=1e-3)]

    def forward(f, x, eps):
        grad = np.zeros_like(x)
        base = f()
        for k in range(x.size):
            old = x.flat[k]
            x.flat[k] = old + eps
            grad.flat[k] = (f() - base) / eps
            x.flat[k] = old
        return grad

    differences = see("06_gradient_checking", "Forward and central differences")
    mistakes = [
        (
            forward,
            _("close, but only to about ε: that is a forward difference; use the central one"),
            differences,
        ),
        (
            lambda f, x, eps: 2 * _central_gradient(f, x, eps),
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
            lambda f, x, eps: _first_entries(_central_gradient(f, x, eps), len(x)),
            _(
                "only the first len(x) entries are filled: len(x) counts the rows of x; loop over every "
                "entry, range(x.size) with x.flat[k]"
            ),
            differences,
        ),
        (
            lambda f, x, eps: np.zeros_like(x),  # a copy was perturbed: f, reading x, never moved
            _(
                "every entry is 0: f reads x itself, so perturb x in place (x.flat[k] = old + eps), "
                "not a copy of it, and put the old value back"
            ),
            differences,
        ),
    ]
    fixed = (
        lambda got, exp, args: _ignores_step(fn, lambda eps: _case(48, 4, eps)()),
        _(_FIXED_STEP),
        differences,
    )
    return run_checks(
        "numerical_grad",
        fn,
        cases,
        _central_gradient,
        mistakes,
        [fixed],
        rtol=1e-8,
        atol=1e-10,
        changed_input=Feedback(
            "numerical_grad",
            "wrong",
            _(
                "x is not as it was afterwards: after the two calls of f(), put the entry's old value back "
                "(x.flat[k] = old), not old + eps − eps, which rounding can change"
            ),
            differences,
        ),
        own=(numerical_gradient,),
        success=_("central differences of f(), and x is exactly as it was afterwards"),
    )


def _ratio(num, den):
    """num / den, and 0 for 0/0: a wrong formula that still handles the all-zero case."""
    return 0.0 if den == 0 else num / den


def _rel(a, b):
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else np.linalg.norm(a - b) / denom


def check_relative_error(fn):
    """Exercise: ``relative_error(a, b)`` = ||a − b|| / (||a|| + ||b||), and 0 when both are 0."""
    cases = [
        (np.array([4.0, 3.0]), np.array([2.0, 0.0])),  # ||a|| > ||b||
        (np.array([1.0, -2.0]), np.array([3.0, 1.0])),  # ||a|| < ||b||, signs mixed
        (np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.3])),
        (np.array([1e-9, 0.0]), np.array([3e-9, 0.0])),  # norms near 1e-8: an added 1e-8 shows
        (np.zeros(3), np.zeros(3)),
        (np.array([2.0, -1.0]), np.array([-2.0, 1.0])),
    ]
    four = see("06_gradient_checking", "Four relative errors, and how each misleads")
    norm = np.linalg.norm
    mistakes = [
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
            lambda a, b: 2 * _rel(a, b),
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
    zero = _("both arrays are zero here: return 0 instead of dividing 0 by 0")
    added = _(
        "a small constant was added to the denominator: it swamps vectors whose norms are of its size "
        "or below (here they are near 1e-9); return 0 when both are zero instead of adding a constant"
    )
    hints = [
        (lambda got, exp, args: not np.all(np.isfinite(got[0])), zero),
        (lambda got, exp, args: _added_constant(float(got[0]), *args), added, four),
    ]
    verdict = run_checks(
        "relative_error",
        fn,
        cases,
        _rel,
        mistakes,
        hints,
        own=(rel_error,),
        success=_("||a − b|| / (||a|| + ||b||): 0 when equal, 1 when b = −a or b = 0"),
    )
    if verdict.status == "wrong" and callable(fn) and any(m[1] == verdict.message for m in mistakes):
        # One case can make two wrong formulas agree (max(||a||, ||b||) is ||a|| when ||a|| is the
        # larger one; plain sums are one-norms when nothing is negative): name the formula that
        # gives the learner's numbers on the most cases.
        return _best_named(fn, cases, mistakes, verdict)
    return verdict


def _added_constant(got, a, b):
    """True when ``got`` is ||a − b|| / (||a|| + ||b|| + c) for a small constant c > 0."""
    norms = np.linalg.norm(a) + np.linalg.norm(b)
    if not (got > 0 and norms > 0):
        return False
    c = np.linalg.norm(a - b) / got - norms
    return 1e-6 * norms < c < 1e-3


def _best_named(fn, cases, mistakes, verdict):
    """The mistake whose formula matches ``fn`` on the most cases, if it beats the one ``verdict`` names."""
    try:
        with np.errstate(all="ignore"):
            got = [np.asarray(fn(*(a.copy() for a in c)), dtype=np.float64) for c in cases]
    except (Exception, SystemExit):
        return verdict
    best, best_score = None, 0
    for wrong, message, section in mistakes:
        with np.errstate(all="ignore"):
            want = [np.asarray(wrong(*c), dtype=np.float64) for c in cases]
        score = sum(
            g.shape == w.shape and bool(np.allclose(g, w, rtol=1e-7, atol=1e-12)) for g, w in zip(got, want)
        )
        if message == verdict.message:
            score += 0.5  # a tie keeps the verdict
        if score > best_score:
            best, best_score = Feedback("relative_error", "wrong", message, section), score
    return best if best is not None and best.message != verdict.message and best_score >= 1 else verdict


def _my_check(
    f,
    x,
    grad,
    entries,
    directions,
    eps,
    *,
    forward=False,
    span=2.0,
    absolute=False,
    floor=0.0,
    over_analytic=False,
):
    """Exercise 3's reference; its switches give four of the named mistakes."""
    old, base = x.copy(), (f() if forward else None)

    def slope(move):
        x[...] = old + eps * move
        up = f()
        x[...] = old
        if forward:
            return (up - base) / eps
        x[...] = old - eps * move
        down = f()
        x[...] = old
        return (up - down) / (span * eps)

    moves = [np.eye(1, x.size, k).reshape(x.shape) for k in np.asarray(entries, dtype=int).ravel()]
    moves += list(directions)
    num = np.array([slope(u) for u in moves])
    ana = np.array([float(np.sum(grad * u)) for u in moves])
    d = np.ones_like(num) if absolute else np.maximum(np.abs(num) + np.abs(ana), floor)  # 0/0 scores 0
    if over_analytic:
        d = np.abs(ana)
    err = np.divide(np.abs(num - ana), d, out=np.zeros_like(d), where=d > 0)
    return err[: len(moves) - len(directions)], err[len(moves) - len(directions) :]


def _check_case(seed, shape, plant=None, eps=1e-5, scale=1.0, zeros=False, no_entries=False):
    """``(f, x, grad, entries, directions, eps)`` on ``scale`` times the quartic.

    ``plant`` = (flat index, amount) adds a wrong part to ``grad``; ``zeros`` sets the sampled
    entries of x to 0, where the quartic's gradient and its central difference are both exactly 0.
    """

    def build():
        x = normal(seed, shape)
        rng = np.random.default_rng(seed + 1)
        entries = rng.choice(np.arange(1, x.size - 1), size=3, replace=False)
        if zeros:
            x.flat[entries] = 0.0
        grad = 4 * x**3
        grad.flat[0] += x.flat[-1]
        grad.flat[-1] += x.flat[0]
        grad *= scale
        if plant is not None:
            grad.flat[plant[0]] += plant[1] * scale
        # The notebook passes entries as an array, or as [] when only directions are wanted.
        return _Reads(x, scale), x, grad, ([] if no_entries else entries), rng.normal(size=(3, *x.shape)), eps

    return build


def _not_arrays(fn, build):
    """Feedback when ``fn`` returns its two results as something other than NumPy arrays, or None.

    The notebook's next cells call ``.max()`` on both results, so lists or tuples, right as their
    numbers may be, would stop the notebook there.
    """
    if not callable(fn):
        return None
    try:
        with np.errstate(all="ignore"):
            result = fn(*build())
    except (Exception, SystemExit):  # run_checks reports what the function raised
        return None
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return None
    kinds = [type(r).__name__ for r in result if not isinstance(r, np.ndarray)]
    if not kinds:
        return None
    return Feedback(
        "my_gradient_check",
        "wrong",
        _(
            "return the two results as NumPy arrays, got {kinds}: the cells after this exercise call "
            ".max() on them, which a list does not have; wrap each in np.array(...)"
        ).format(kinds=", ".join(kinds)),
        see("06_gradient_checking", "Your own gradient checker"),
    )


def check_gradient_checker(fn):
    """Exercise: ``my_gradient_check(f, x, grad, entries, directions, eps)`` -> (entry, direction) errors.

    Central differences of ``f()`` along each flat index and each direction ``u`` against ``grad[k]``
    or ``<grad, u>``, scored ``|n − a| / (|n| + |a|)`` (0 when both are 0); ``x`` left as it was."""
    cases = [
        _check_case(51, (3, 4)),
        _check_case(52, (3, 4), plant=(5, 0.5)),
        _check_case(53, 6, plant=(0, -3.0)),
        _check_case(54, (2, 5), zeros=True),  # entries where both slopes are 0: 0/0 must score 0
        _check_case(55, (3, 3), plant=(4, 0.5), scale=1e-7),  # a tiny gradient, wrong in one entry
        _check_case(56, (2, 3), plant=(1, 0.5), no_entries=True),  # directions only, as the notebook does
        _check_case(57, (3, 2), eps=1e-2),  # a larger step: truncation shows, and a fixed step would
    ]
    own = see("06_gradient_checking", "Your own gradient checker")
    differences = see("06_gradient_checking", "Forward and central differences")
    mistakes = [
        (
            lambda *a: _my_check(*a, forward=True),
            _("close, but only to about ε: those are forward differences; step both ways, x ± ε·u"),
            differences,
        ),
        (
            lambda *a: _my_check(*a, span=1.0),
            _("every numerical slope is twice too large: the central difference spans 2ε"),
            differences,
        ),
        (
            lambda *a: _my_check(*a, floor=1.0),
            _(
                "a floor of 1 in the denominator hides every error in a gradient much smaller than 1 "
                "(case 3 of the four): divide by |n| + |a| alone, and score 0/0 as 0"
            ),
            see("06_gradient_checking", "Four relative errors, and how each misleads"),
        ),
        (
            lambda *a: _my_check(*a, absolute=True),
            _("those are absolute errors |n − a|: divide by |n| + |a| so the scale of the gradient cancels"),
            see("06_gradient_checking", "Four relative errors, and how each misleads"),
        ),
        (
            lambda *a: _my_check(*a)[::-1],
            _(
                "the pair is swapped: return (entry_errors, direction_errors), the entries' errors first, "
                "in the order of the arguments"
            ),
        ),
        (
            lambda *a: _my_check(*a, over_analytic=True),
            _(
                "those errors are |n − a| / |a|, relative to the analytic value alone: divide by |n| + |a|, "
                "so that neither side is the reference"
            ),
            see("06_gradient_checking", "Four relative errors, and how each misleads"),
        ),
    ]
    restore = _(
        "x is not as it was afterwards: keep old = x.copy() and put it back (x[...] = old) after each step"
    )
    not_arrays = _not_arrays(fn, cases[0])
    if not_arrays:
        return not_arrays
    empty = _(
        "the direction errors are missing: score every u in directions too, after the entries, and "
        "return their errors as the second array"
    )
    return run_checks(
        "my_gradient_check",
        fn,
        cases,
        _my_check,
        mistakes,
        [
            (
                lambda got, exp, args: any(
                    np.isnan(g).any() and not np.isnan(e).any() for g, e in zip(got, exp)
                ),
                _(
                    "NaN where the numerical and the analytic values are both 0: 0/0; score those entries 0 "
                    "(a correct gradient is often exactly 0, on a blank pixel for instance)"
                ),
            ),
            (lambda got, exp, args: got[1].size == 0 < exp[1].size, empty),
            (
                lambda got, exp, args: _ignores_step(fn, lambda eps: _check_case(58, (3, 3), eps=eps)()),
                _(_FIXED_STEP),
                differences,
            ),
        ],
        n_out=2,
        rtol=1e-4,
        atol=1e-7,
        section=own,
        changed_input=Feedback("my_gradient_check", "wrong", restore, own),
        own=(_my_check,),
        success=_(
            "central differences along entries and directions, scored |n − a| / (|n| + |a|): "
            "round-off for the correct gradient, large errors where a wrong entry was planted"
        ),
    )


GRADED = [
    Exercise(
        "numerical_grad",
        "numerical_grad",
        check_central_difference,
        _central_gradient,
        lambda: (lambda x: (_Reads(x), x, 1e-5))(hidden_rng(14).normal(size=(3, 2))),
        course_functions=(
            "course_utils.finite_differences.numerical_gradient",
            "course_utils.gradcheck.numerical_gradient",
            "course_utils.notebooks.nb06_gradient_checking._central_gradient",
        ),
    ),
    Exercise(
        "relative_error",
        "relative_error",
        check_relative_error,
        _rel,
        lambda: (np.array([3.0, -4.0]), np.array([3.0, -4.5])),
        course_functions=("course_utils.gradcheck.rel_error",),
    ),
    Exercise(
        "my_gradient_check",
        "my_gradient_check",
        check_gradient_checker,
        _my_check,
        lambda: _check_case(10_061, (4, 3), plant=(7, 0.25))(),
        course_functions=("course_utils.notebooks.nb06_gradient_checking._my_check",),
    ),
]
"""The exercises of notebook 06, as the teacher's grader scores them."""
reference_gradient_check = _my_check  # stands in for the learner's until exercise 3 passes
