"""Wrong answers of notebooks 00-05 from the second newcomer walk (recheck_a, issue 19).

Each entry is the wrong formula as the newcomer typed it and the reply that names it; the checkers
of ``nb00`` to ``nb05`` add them to their catalogues. The probes read ``fn``'s code or source where
two mistakes give the same numbers (``e / e.max(...)`` equals ``e``, since each row's max is exp(0)).
"""

import re

import numpy as np

from ..i18n import _
from ..softmax import softmax, softmax_jacobian
from ._guard import source_of


def _sum_rows(a):
    return a.sum(axis=1, keepdims=True)


def one_hot_mistakes():
    """Notebook 00, exercise 1 (``one_hot(y, C)``)."""
    return [
        (
            lambda y, C: np.eye(C)[y] * y[:, None],
            _(
                "* y[:, None] multiplies each row's 1 by its label, so the entry holds the label's "
                "value y_n (and a row whose label is 0 is all zeros): np.eye(C)[y] is the one-hot "
                "already, drop the product"
            ),
        )
    ]


def other_exercise_called(fn, exercise, names):
    """The reply when ``fn`` calls one of ``names`` (another exercise's function), else None."""
    code = getattr(fn, "__code__", None)
    called = [n for n in names if code is not None and n in code.co_names]
    if not called:
        return None
    return _(
        "your {exercise} calls {other}, the function of another exercise: {exercise} computes its "
        "result from its own arguments"
    ).format(exercise=exercise, other=called[0])


_BY_MAX = re.compile(r"/\s*\(?\s*(np\.)?\w*\.?(max|amax)\(")


def divides_by_max(fn):
    """Whether ``fn``'s source divides by a max (``e / e.max(...)``, ``/ np.max(e, ...)``)."""
    try:
        return bool(_BY_MAX.search(source_of(fn)))
    except (OSError, TypeError):
        return False


def divided_by_max_message():
    """Notebook 01, exercise 1: the reply to ``e / e.max(axis=1, keepdims=True)``."""
    return _(
        "you divided e by its row's max, and after the shift that max is exp(0) = 1, so your rows "
        "are e itself and do not sum to 1: divide by the row's sum, e / e.sum(axis=1, keepdims=True)"
    )


def log_softmax_mistakes():
    """Notebook 01, exercise 2 (``log_softmax(z)``)."""

    def divided(z):
        s = z - z.max(axis=1, keepdims=True)
        return s / _sum_rows(np.exp(s))

    def log_before_sum(z):
        s = z - z.max(axis=1, keepdims=True)
        return s - _sum_rows(s)

    return [
        (
            divided,
            _(
                "you divided z − m by Σ exp(z − m): in log space the softmax's division becomes a "
                "subtraction of a log, log h = (z − m) − log Σ exp(z − m)"
            ),
        ),
        (
            log_before_sum,
            _(
                "np.log(np.exp(z - m)).sum(...) takes the log before the sum: log exp(a) is a itself, "
                "so you subtracted Σ (z − m); the log comes after the sum, "
                "np.log(np.exp(z - m).sum(axis=1, keepdims=True))"
            ),
        ),
    ]


def numerical_jacobian_mistakes(reference):
    """Notebook 02, exercise 2 (``numerical_jacobian(f, z, eps)``); ``reference`` is the right one."""

    def summed(f, z, eps):
        J = reference(f, z, eps)
        return np.ones_like(J) * J.sum(axis=0, keepdims=True)

    return [
        (
            summed,
            _(
                "every entry of column j is the same number, the sum of the changes of all outputs: "
                ".sum() adds the outputs f_i together; keep them apart, one row per output, "
                "J[:, j] = (f(z + ε e_j) − f(z − ε e_j)) / (2 * eps)"
            ),
        ),
        (
            lambda f, z, eps: reference(f, z, eps) * eps,
            _(
                "your result is ε times the right one (ε = eps, 1e-05 here): the difference is "
                "divided by 2, not by 2ε; write / (2 * eps)"
            ),
        ),
    ]


def half_forward_message():
    """Notebook 02, exercise 2: the columns (f(z + ε e_j) − f(z)) / 2ε, the step back lands on z."""
    return _(
        "your columns are (f(z + ε e_j) − f(z)) / 2ε, half a forward difference: the second f is "
        "evaluated at z, not at z − ε e_j (a step back of ε after the step forward of ε lands on z, "
        "and so does zm[j] -= eps on a zp = z that is no copy); step back by 2ε, or evaluate "
        "f(z + step) and f(z - step) on copies"
    )


_ALIAS = re.compile(r"^\s*\w+\s*=\s*z\s*(#.*)?$", re.MULTILINE)


def aliased_z_message():
    """Notebook 02, exercise 2: the half forward difference of ``zp = z`` and ``zm = z``, no copies."""
    return _(
        "zp = z does not copy: zp is z itself, and so is zm, so zm[j] -= eps undoes zp's step "
        "and f(zm) sees z unchanged; your columns are (f(z + ε e_j) − f(z)) / 2ε, half a "
        "forward difference; perturb copies, zp = z.copy() (or z + step)"
    )


def half_forward_reply(fn, feedback):
    """``feedback`` with the aliasing named when ``fn``'s source has a bare ``zp = z``, else as it is."""
    if feedback.message != half_forward_message():
        return feedback
    try:
        aliased = bool(_ALIAS.search(source_of(fn)))
    except (OSError, TypeError):
        aliased = False
    if not aliased:
        return feedback
    return type(feedback)(feedback.exercise, feedback.status, aliased_z_message(), feedback.see)


def np_gradient_error(fn, exc):
    """Notebook 02, exercise 2: the reply to ``np.gradient(f(z), z)``, or None."""
    code = getattr(fn, "__code__", None)
    if code is None or "gradient" not in code.co_names or not isinstance(exc, (ValueError, IndexError)):
        return None
    return _(
        "np.gradient estimates the slope of one array of samples from its neighbouring samples; it "
        "does not differentiate f (here f(z) has a different length from z): move one input at a "
        "time, J[:, j] = (f(z + ε e_j) − f(z − ε e_j)) / (2 * eps)"
    )


def batched_mistakes():
    """Notebook 03, exercise 1 (``batched_jacobian(z)``)."""
    return [
        (
            lambda z: softmax_jacobian(z) / len(z),
            _(
                "your Jacobians are divided by N, the batch size: each is the softmax's own "
                "diag(h) − h hᵀ, which takes no 1/N (the 1/N of the mean belongs to the loss's "
                "gradient, not to dh/dz); drop the / len(z)"
            ),
        )
    ]


def vjp_mistakes():
    """Notebook 04, exercise 1 (``vjp(z, g)``)."""

    def h_dot_h(z, g):
        h = softmax(z)
        return h * (g - _sum_rows(h * h))

    return [
        (
            h_dot_h,
            _(
                "you subtract ⟨h, h⟩ = Σ_k h_k², and the term is ⟨g, h⟩ = Σ_k g_k h_k: "
                "(g * h).sum(axis=1, keepdims=True)"
            ),
        )
    ]


def soft_target_mistakes():
    """Notebook 05, exercise 2 (``soft_target_grad(z, t)``)."""
    return [
        (
            lambda z, t: softmax(z) * _sum_rows(t) - t / len(z),
            _("only t is divided by N: the 1/N of the mean divides the whole difference, (h·Σt − t)/N"),
        ),
        (
            lambda z, t: (softmax(z) - t * _sum_rows(t)) / len(z),
            _("Σt multiplies t, and it belongs to h: (h·Σt − t)/N, with Σt each row's sum of t"),
        ),
    ]
