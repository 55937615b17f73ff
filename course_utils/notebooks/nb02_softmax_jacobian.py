"""Companion of notebook 02 · The softmax Jacobian.

The Jacobian explorer and the checkers of its exercises.
"""

import numpy as np

from .. import svg
from ..gradcheck import numerical_gradient, rel_error
from ..i18n import _
from ..palette import COLORS
from ..softmax import softmax, softmax_jacobian
from . import _recheck_a as recheck_a
from ._checking import Exercise, Feedback, hidden_rng, normal, run_checks, see
from ._enforce import named_error, recording
from ._nb02_mistakes import jacobian_hints, jacobian_mistakes, notebook_helper_message, unit_step_mistake
from ._nb02_probes import (  # noqa: F401 - also imported from here
    _all_inputs_at_once,
    _calls_notebook_helper,
    _f_curved,
    _f_test,
    _ignores_f,
    _integer_jacobian,
    _integer_step,
    _numerical_jacobian,
    _plus_side_only,
)
from ._prediction import Prediction  # noqa: F401 - the notebook's committed prediction
from ._view import DEFAULT_LOGITS, GRADCHECK_TOL, LiveView, gather, logit_sliders, logits, upstream
from ._view import DEFAULT_UPSTREAM as DEFAULT_UPSTREAM  # the notebook's g


def jacobian_explorer_state(z, diagonal_only=False, g=None):
    """The softmax Jacobian at ``z`` (C,), the learner's diagonal-only version, and a gradient check.

    The check pushes a fixed upstream gradient ``g = dL/dh`` back through the Jacobian shown
    (``dz = g J``) and compares it with central differences of ``L = <g, softmax(z)>``.
    """
    z = logits(z)
    g = upstream(z.size) if g is None else np.asarray(g, dtype=np.float64)
    if g.shape != z.shape:
        raise ValueError(f"the upstream gradient g must have the shape of z, {z.shape}; got {g.shape}")
    J_true = softmax_jacobian(z)
    J_shown = np.diag(np.diag(J_true)) if diagonal_only else J_true
    z_work = z.copy()
    numerical = numerical_gradient(lambda: float(np.dot(g, softmax(z_work))), z_work)
    analytic = g @ J_shown
    err = rel_error(analytic, numerical)
    return {
        "z": z,
        "g": g,
        "h": softmax(z),
        "diagonal_only": bool(diagonal_only),
        "J_true": J_true,
        "J": J_shown,
        "numerical": numerical,
        "analytic": analytic,
        "rel_error": err,
        "passes": bool(err <= GRADCHECK_TOL),
    }


def describe_jacobian(state):
    which = _("diagonal only, h_j(1 − h_j)") if state["diagonal_only"] else _("full, h_i(δ_ij − h_j)")
    if state["passes"]:
        verdict = _("gradient check PASSES (relative error below {tol:.0e})").format(tol=GRADCHECK_TOL)
    else:
        verdict = _(
            "gradient check FAILS: relative error {err:.3f}, the off-diagonal −h_i h_j terms are missing"
        ).format(err=state["rel_error"])
    return _("Jacobian: {which}. {verdict}").format(which=which, verdict=verdict)


@svg.picture
def draw_jacobian(state):
    """The Jacobian shown as a heat map, beside the numerical and the analytic gradient ``g J``."""
    vmax = np.abs(state["J_true"]).max()
    title = _("J, diagonal only") if state["diagonal_only"] else "J = diag(h) − h hᵀ"
    verdict = _("✓ matches") if state["passes"] else _("✗ does not match")
    top = max(np.abs(state["numerical"]).max(), np.abs(state["analytic"]).max()) * 1.25
    return svg.row(
        svg.heatmap(state["J"], title=title, vmax=vmax),
        svg.bar_chart(
            state["numerical"], title=_("numerical dL/dz"), color=COLORS["numerical"], ylim=(-top, top)
        ),
        svg.bar_chart(
            state["analytic"],
            title=_("analytic g J {verdict}").format(verdict=verdict),
            color=COLORS["analytic" if state["passes"] else "wrong"],
            ylim=(-top, top),
        ),
    )


def jacobian_widget(z=DEFAULT_LOGITS):
    import ipywidgets as w

    controls = {
        **logit_sliders(z, -4, 4),
        "diagonal_only": w.ToggleButton(
            value=False, description=_("diagonal only"), tooltip=_("keep only h_j(1 − h_j)")
        ),
    }
    return LiveView(
        controls,
        compute=lambda diagonal_only, **zs: jacobian_explorer_state(gather(zs), diagonal_only),
        draw=lambda s, **_: draw_jacobian(s),
        describe=lambda s, **_: describe_jacobian(s),
    )


# The last case overflows exp(z) unless h is computed with the max shift (or the course's softmax).
_SINGLE_CASES = [
    (normal(4, 4),),
    (np.array([2.0, -1.0, 0.5]),),
    (normal(5, 6),),
    (np.array([800.0, 0.0, -3.0]),),
]


def check_jacobian(fn):
    """Exercise: the softmax Jacobian ``J[i, j] = dh_i/dz_j`` of one sample ``z`` (C,)."""
    return run_checks(
        "softmax_jacobian",
        fn,
        _SINGLE_CASES,
        softmax_jacobian,
        jacobian_mistakes(),
        jacobian_hints(),
        section=see("02_softmax_jacobian", "Why the diagonal alone fails the gradient check"),
        own=(softmax_jacobian,),
        success=_("J[i, j] = h_i(δ_ij − h_j), on and off the diagonal"),
    )


def check_numerical_jacobian(fn):
    """Exercise: ``numerical_jacobian(f, z, eps)`` by central differences, ``J[i, j] = df_i/dz_j``."""
    cases = [(_f_test, np.array([0.3, -1.2, 0.7]), 1e-5), (_f_test, np.array([1.5, 0.4, -0.2]), 1e-5)]

    def backward(f, z, eps):
        out = f(z)
        J = np.zeros((out.size, z.size))
        for j in range(z.size):
            step = np.zeros_like(z)
            step[j] = eps
            J[:, j] = (out - f(z - step)) / eps
        return J

    def forward(f, z, eps):
        out = f(z)
        J = np.zeros((out.size, z.size))
        for j in range(z.size):
            step = np.zeros_like(z)
            step[j] = eps
            J[:, j] = (f(z + step) - out) / eps
        return J

    mistakes = [
        (
            lambda f, z, eps: _numerical_jacobian(f, z, eps).T,
            _("rows and columns are swapped: row i should hold df_i/dz_j for every j (one output per row)"),
        ),
        (
            lambda f, z, eps: 2 * _numerical_jacobian(f, z, eps),
            _("twice too large: the central difference spans 2ε, from z − ε to z + ε"),
        ),
        (
            forward,
            _(
                "close, but only to about ε: that is a forward difference; use (f(z + ε) − f(z − ε)) / 2ε, "
                "whose error is about ε²"
            ),
        ),
        (
            backward,
            _(
                "close, but only to about ε: that is a backward difference, (f(z) − f(z − ε)) / ε; "
                "use (f(z + ε) − f(z − ε)) / 2ε, whose error is about ε²"
            ),
        ),
        (
            lambda f, z, eps: _numerical_jacobian(f, z, eps) * eps**2,
            _(
                "/ 2 * eps divides by 2 and then multiplies by ε: Python reads it left to right; "
                "write / (2 * eps)"
            ),
        ),
        (
            lambda f, z, eps: _numerical_jacobian(f, z, eps) * 2 * eps,
            _(
                "you did not divide by 2ε: the difference quotient is "
                "(f(z + ε e_j) − f(z − ε e_j)) / (2 * eps)"
            ),
        ),
        (
            lambda f, z, eps: forward(f, z, eps) / 2,
            recheck_a.half_forward_message(),
        ),
        unit_step_mistake(),
        (
            _all_inputs_at_once,
            _(
                "z + eps moves every input at once, so every column is the same: move one input at a "
                "time, z + ε e_j, with e_j zero except a 1 at j"
            ),
        ),
        (
            _integer_jacobian,
            _(
                "every entry is rounded to a whole number: np.zeros(..., dtype=int) or np.zeros_like(z) "
                "of an integer z makes an integer array; allocate np.zeros((f(z).size, z.size)), float"
            ),
        ),
        (
            _plus_side_only,
            _(
                "only f(z + ε e_j) is there: the central difference subtracts f(z − ε e_j), "
                "(f(z + ε e_j) − f(z − ε e_j)) / 2ε"
            ),
        ),
        (
            lambda f, z, eps: _numerical_jacobian(f, z, eps) * np.eye(np.size(f(z)), z.size),
            _(
                "only the diagonal is filled: column j holds the change of every output f_i "
                "when z_j moves, J[:, j] = (f(z + ε e_j) − f(z − ε e_j)) / 2ε"
            ),
        ),
    ]
    mistakes += recheck_a.numerical_jacobian_mistakes(_numerical_jacobian)
    raised = []
    feedback = run_checks(
        "numerical_jacobian",
        recording(fn, raised),
        cases,
        _numerical_jacobian,
        mistakes,
        [
            (
                lambda got, exp, args: (
                    got[0].shape == exp[0].shape
                    and (np.abs(got[0]) < 1e-300).all(axis=0).any()
                    and not (np.abs(exp[0]) < 1e-300).all(axis=0).any()
                ),
                _(
                    "some columns are all zeros: fill column j for every j, J[:, j] = ... inside the loop "
                    "over j (is the assignment after the loop, or the loop shorter than z.size?)"
                ),
            )
        ],
        rtol=1e-8,
        atol=1e-10,
        section=see("02_softmax_jacobian", "One output, one input: the numerical reference"),
        changed_input=Feedback(
            "numerical_jacobian",
            "wrong",
            _(
                "your function changed z in place (z[j] += eps, and even z[j] += eps then z[j] -= eps "
                "can leave z a rounding away from where it was): perturb a copy, z + step"
            ),
            see("02_softmax_jacobian", "One output, one input: the numerical reference"),
        ),
        success=_("central differences, one column per input, one row per output"),
    )
    feedback = named_error(
        feedback,
        raised,
        lambda exc, args: _square_jacobian(exc, args) or recheck_a.np_gradient_error(fn, exc),
    )
    feedback = recheck_a.half_forward_reply(fn, feedback)
    if feedback.passed and _calls_notebook_helper(fn):
        return Feedback("numerical_jacobian", "wrong", notebook_helper_message(), feedback.see)
    if feedback.status == "wrong" and _integer_step(fn):
        return Feedback(
            "numerical_jacobian",
            "wrong",
            _(
                "your step is rounded to 0: it is stored as an integer (an int(eps), or a step array "
                "made by np.zeros(..., dtype=int), np.arange or np.zeros_like of an integer array), so "
                "eps = 1e-5 becomes 0 and f(z + 0) − f(z − 0) is 0 (or 0/0); at eps = 1 your function "
                "gives the right columns. Make the step a float, step = np.zeros(z.size); step[j] = eps"
            ),
            feedback.see,
        )
    if feedback.status in ("wrong", "correct") and _ignores_f(fn):
        return Feedback(
            "numerical_jacobian",
            "wrong",
            _(
                "your answer does not use f: it returns the same matrix for two different functions f "
                "(the analytic Jacobian, or the course's own function, whatever f is); the exercise "
                "differentiates any f, so evaluate f(z + ε e_j) and f(z − ε e_j)"
            ),
            feedback.see,
        )
    if feedback.status in ("wrong", "correct"):  # a step that ignores eps is the first thing to fix
        fixed = _fixed_step(fn)
        if fixed:
            return Feedback("numerical_jacobian", "wrong", fixed, feedback.see)
    return feedback


def _square_jacobian(exc, args):
    """The Jacobian allocated (z.size, z.size) when f has another number of outputs."""
    f, z, _eps = args
    rows = np.size(f(z))
    if (
        isinstance(exc, (ValueError, IndexError))
        and rows != z.size
        and ("shape" in str(exc) or "bounds" in str(exc))
    ):
        return _(
            "your Jacobian is square, but f maps {n} inputs to {k} outputs: allocate one row per output "
            "and one column per input, np.zeros((f(z).size, z.size))"
        ).format(n=z.size, k=rows)
    return None


def _fixed_step(fn):
    """Name a step that ignores eps: the same answer for two steps, too coarse or too fine to be eps."""
    z = np.array([0.4, -0.7])
    try:
        with np.errstate(all="ignore"):
            a = np.asarray(fn(_f_curved, z.copy(), 1e-3), dtype=float)
            b = np.asarray(fn(_f_curved, z.copy(), 1e-5), dtype=float)
    except Exception:
        return None
    if a.shape != (2, 2) or not np.all(np.isfinite(a)) or not np.array_equal(a, b):
        return None
    if np.array_equal(a, np.round(a)):  # whole numbers: an integer array, named by its own mistake
        return None
    large = [h for h in (1e-1, 1e-2) if np.allclose(a, _numerical_jacobian(_f_curved, z, h), rtol=1e-6)]
    exact = _numerical_jacobian(_f_curved, z, 1e-5)
    error = float(np.abs(a - exact).max() / np.abs(exact).max())
    if large:
        why = _("It matches a step of {h:g}, whose error is of order ε², {e:.0e} here").format(
            h=large[0], e=error
        )
    elif error > 1e-2:  # far from any step's central difference: not round-off, say nothing of it
        why = ""
    elif error > 1e-8:
        why = _(
            "It is off by a relative {e:.0e}, the mark of a tiny step such as 1e-12 drowned in round-off"
        ).format(e=error)
    else:
        why = _("A step chosen by the caller is what makes the function reusable")
    return (
        _(
            "your answer does not change with eps (the same for eps = 1e-3 and 1e-5): the step is "
            "hard-coded; use the argument eps. {why}"
        )
        .format(why=why)
        .strip()
    )


def _jacobian_diagonal(fn):
    """Partial credit: the diagonal h_i(1 − h_i) is right, whatever the rest."""
    z = hidden_rng(1).normal(size=5)
    return np.allclose(np.diag(np.asarray(fn(z.copy()))), np.diag(softmax_jacobian(z)))


def diagonal_error_choice(error):
    """Which choice of the notebook's prediction the diagonal-only gradient's relative error picks out.

    The choices, in order: round-off (below 1e-6, the check passes); a little (1e-6 up to 0.1);
    a lot (0.1 or more). ``error`` must be a number in [0, 1], as :func:`~course_utils.rel_error`
    returns; anything else raises ``ValueError``.
    """
    if isinstance(error, bool) or not isinstance(error, (int, float, np.floating)) or not 0 <= error <= 1:
        raise ValueError(f"error must be a relative error, a number in [0, 1], got {error!r}")
    return 0 if error < 1e-6 else 1 if error < 0.1 else 2


GRADED = [
    Exercise(
        "softmax_jacobian",
        "softmax_jacobian_one",
        check_jacobian,
        softmax_jacobian,
        lambda: (hidden_rng(4).normal(size=7),),
        extra=(("diagonal", 1, False, _jacobian_diagonal),),
    ),
    Exercise(
        "numerical_jacobian",
        "numerical_jacobian_ex",
        check_numerical_jacobian,
        _numerical_jacobian,
        lambda: (_f_test, np.array([-0.4, 0.9, 0.1]), 1e-5),
    ),
]
"""The exercises of notebook 02, as the teacher's grader scores them."""
