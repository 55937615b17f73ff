"""Companion of notebook 06 · Gradient checking.

The step-size widget (error of a finite difference against ε) and the checkers of its exercises;
the wrong answers the checkers name are catalogued in ``_nb06_mistakes``.
"""

import numpy as np

from .. import svg
from ..finite_differences import epsilon_state, numerical_gradient
from ..gradcheck import rel_error
from ..i18n import _
from ..palette import COLORS
from ._checking import Exercise, Feedback, hidden_rng, run_checks, see
from ._nb05_09_predictions import Prediction, zero_init_choice  # noqa: F401 - the committed prediction
from ._nb06_cases import (  # noqa: F401 - also imported from here
    _case,
    _central_gradient,
    _check_case,
    _quartic,
    _Reads,
    _rel,
)
from ._nb06_mistakes import (
    FIXED_STEP,
    added_constant,
    best_named,
    central_difference_mistakes,
    gradient_checker_mistakes,
    ignores_step,
    not_arrays_feedback,
    relative_error_mistakes,
)
from ._nb06_newcomer3 import newcomer3_checker_mistakes
from ._nb06_properties import central_hints, named_by_property, rounded
from ._nb06_recheck import recheck_checker_mistakes, recheck_checker_raised
from ._nb06_review import (
    course_gradient_hint,
    directions_unscored,
    matrix_hint,
    relative_error_review_mistakes,
    row_for_entry,
    slopes_flipped,
    step_left_in_x,
)
from ._nb06_review import entry_and_direction_moves as _moves
from ._nb06_typed import central_typed_mistakes, checker_typed_mistakes, relative_error_typed_mistakes
from ._view import LiveView
from ._when_raised import named_raise, replies_when_stalled


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


@replies_when_stalled("numerical_grad")
def check_central_difference(fn):
    """Exercise: ``numerical_grad(f, x, eps)``: central differences of ``f()``, which reads ``x``.

    The course's convention (``cu.numerical_gradient``): ``f`` takes no argument and reads the array
    ``x``, which ``numerical_grad`` changes in place, one entry at a time, and puts back exactly.
    """
    # A step other than the usual 1e-5 in the last case: a step fixed inside the function shows.
    cases = [_case(45, 5), _case(46, (2, 3)), _case(47, (3, 2), eps=1e-3)]

    differences = see("06_gradient_checking", "Forward and central differences")
    mistakes = central_difference_mistakes(_central_gradient, differences)
    mistakes += central_typed_mistakes(_central_gradient, differences)
    left = step_left_in_x(fn, _case(49, 5), "numerical_grad")  # 1-D: old = x[k] is a copy there
    if left:
        return left
    fixed = (
        lambda got, exp, args: ignores_step(fn, lambda eps: _case(48, 4, eps)()),
        _(FIXED_STEP),
        differences,
    )
    course = course_gradient_hint(fn, fixed, _case(48, 4, 1e-3))  # cu.numerical_gradient(f, x) ignores eps
    feedback = run_checks(
        "numerical_grad",
        fn,
        cases,
        _central_gradient,
        mistakes,
        [course, fixed, *central_hints(_central_gradient, differences)],
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
    return named_raise(feedback, fn, cases, recheck_checker_raised(differences))


@replies_when_stalled("relative_error")
def check_relative_error(fn):
    """Exercise: ``relative_error(a, b)`` = ||a − b|| / (||a|| + ||b||), and 0 when both are 0."""
    cases = [
        (np.array([4.0, 3.0]), np.array([2.0, 0.0])),  # ||a|| > ||b||
        (np.array([1.0, -2.0]), np.array([3.0, 1.0])),  # ||a|| < ||b||, signs mixed
        (np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.3])),
        (np.array([1e-9, 0.0]), np.array([3e-9, 0.0])),  # norms near 1e-8: an added 1e-8 shows
        (np.zeros(3), np.zeros(3)),
        (np.array([2.0, -1.0]), np.array([-2.0, 1.0])),
        (np.zeros(2), np.array([1.0, -2.0])),  # one side zero: the error is 1, not the 0/0 case
        (np.array([3.0, 4.0]), np.zeros(2)),
        (np.array([0.3, 0.0]), np.array([0.1, 0.0])),  # norms below 1: a floor of 1 shows, a 1e-8 cut-off not
        # Matrices, as gradients come (issue 19): a norm with an ord or an axis treats them otherwise.
        (np.array([[1.0, 2.0], [0.0, -1.0]]), np.array([[1.0, 2.5], [0.5, -1.0]])),
        (np.array([[0.5, -1.0, 2.0], [1.0, 0.0, 3.0]]), np.array([[0.4, -1.0, 2.5], [1.0, 0.2, 3.0]])),
    ]
    four = see("06_gradient_checking", "Four relative errors, and how each misleads")
    mistakes = relative_error_review_mistakes(_rel, four) + relative_error_mistakes(_rel, four)
    mistakes += relative_error_typed_mistakes(_rel, four)
    zero = _("both arrays are zero here: return 0 instead of dividing 0 by 0")
    added = _(
        "a small constant was added to the denominator: it swamps vectors whose norms are of its size "
        "or below (here they are near 1e-9); return 0 when both are zero instead of adding a constant"
    )
    hints = [
        (lambda got, exp, args: not np.all(np.isfinite(got[0])), zero),
        (lambda got, exp, args: added_constant(float(got[0]), *args), added, four),
        (
            lambda got, exp, args: rounded(got[0], exp[0]),
            _("your result is rounded: return the number as it comes, and round only where you print it"),
        ),
        matrix_hint(four),
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
        return best_named(fn, cases, mistakes, verdict)
    if verdict.generic:  # no formula matched: name a property of a relative error it breaks
        return named_by_property(fn, cases[:3], _rel, four) or verdict
    return verdict


def reference_gradient_check(
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


# The notebook calls it reference_gradient_check (it stands in for the learner's until exercise 3
# passes), so that is the name a reply gives when a learner calls it; the checker's code says _my_check.
_my_check = reference_gradient_check


@replies_when_stalled("my_gradient_check")
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
        _check_case(59, (2, 3), flip=True),  # n = −a everywhere: each error is 1, and |n + a| shows
        _check_case(62, (4, 5), plant=(17, 0.5), n_entries=14),  # more than 10 entries, all scored
        # A step as large as x: x restored by arithmetic (x[...] += eps * u after old − eps·u) is off by
        # a rounding there, as exercise 1's cases show it; with a step of 1e-5 the sum happens to round back.
        _check_case(64, (3, 4), eps=0.5),
        _check_case(65, (3, 4), plant=(9, 0.5), zero_grad=True),  # a wrong 0 in grad: n ≠ 0 = a scores 1
    ]
    own = see("06_gradient_checking", "Your own gradient checker")
    differences = see("06_gradient_checking", "Forward and central differences")
    mistakes = gradient_checker_mistakes(_my_check, differences) + checker_typed_mistakes(differences)
    mistakes += recheck_checker_mistakes(own) + newcomer3_checker_mistakes()
    mistakes.append(
        (
            lambda f, x, grad, entries, directions, eps: (
                _my_check(f, x, grad, entries[:10], directions, eps)[0],
                _my_check(f, x, grad, entries, directions, eps)[1],
            ),
            _(
                "only the first 10 entries are scored (entries[:10], or a loop that stops at 10): score "
                "every entry the caller passes, however many"
            ),
            own,
        )
    )
    restore = _(
        "x is not as it was afterwards: keep old = x.copy() and put it back (x[...] = old) after each "
        "step, not by adding eps·u back to old − eps·u, which rounding can change"
    )
    not_arrays = not_arrays_feedback(fn, cases[0])
    if not_arrays:
        return not_arrays
    named = (
        step_left_in_x(fn, cases[0], "my_gradient_check", _moves)
        or row_for_entry(fn, _check_case(60, (6, 2), plant=(4, 0.5), rows_only=True))
        or directions_unscored(fn, cases[1], _my_check)
        or slopes_flipped(fn, cases[7], _my_check)
    )
    if named:
        return named
    empty = _(
        "the direction errors are missing: score every u in directions too, after the entries, and "
        "return their errors as the second array"
    )
    feedback = run_checks(
        "my_gradient_check",
        fn,
        cases,
        _my_check,
        mistakes,
        [
            (
                lambda got, exp, args: (
                    any(np.isnan(g).any() and not np.isnan(e).any() for g, e in zip(got, exp))
                    and all(np.all(e[np.isnan(g)] == 0) for g, e in zip(got, exp) if g.shape == e.shape)
                ),
                _(
                    "NaN where the numerical and the analytic values are both 0: 0/0; score those entries 0 "
                    "(a correct gradient is often exactly 0, on a blank pixel for instance)"
                ),
            ),
            (
                lambda got, exp, args: any(
                    np.isnan(g).any() and not np.isnan(e).any() for g, e in zip(got, exp)
                ),
                _(
                    "your errors are NaN where the numerical and the analytic values are not both 0, so "
                    "this is not the 0/0 case: the NaN comes from your slopes or your score themselves "
                    "(np.nan left as a placeholder, inf − inf, a NaN step); score each one "
                    "|n − a| / (|n| + |a|)"
                ),
            ),
            (lambda got, exp, args: got[1].size == 0 < exp[1].size, empty),
            (
                lambda got, exp, args: ignores_step(fn, lambda eps: _check_case(58, (3, 3), eps=eps)()),
                _(FIXED_STEP),
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
    return named_raise(feedback, fn, cases, recheck_checker_raised(own))


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
