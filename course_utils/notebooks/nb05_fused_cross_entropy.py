"""Companion of notebook 05 · The fused softmax + cross-entropy.

The stability widget and the checkers of its exercises.
"""

import numpy as np

from .. import svg
from ..gradcheck import rel_error
from ..i18n import _
from ..losses import cross_entropy_and_grad, cross_entropy_grad
from ..palette import COLORS
from ..softmax import softmax, softmax_jacobian
from . import _recheck_a as recheck_a
from ._checking import Exercise, Feedback, hidden_rng, normal, run_checks, see, uniform
from ._enforce import named_error, recording
from ._nb04_mistakes import row_sum_hint
from ._nb05_09_predictions import Prediction, overflow_choice  # noqa: F401 - the committed prediction
from ._nb05_mistakes import (
    FLOAT32,
    GUARDED,
    GUARDED_ROUTE,
    GUARDED_ROUTE_FUSED,
    ROWS_SKIPPED,
    float32_reply,
    fused_typed_mistakes,
    guarded,
    guarded_route,
    guarded_route_labels,
    labels_from_one,
    minus_t_over_h,
    minus_t_over_h_message,
    rows_skipped,
    soft_typed_mistakes,
)
from ._view import LiveView, slider
from ._when_raised import limited, replies_when_stalled


def fused_gradient_state(gap, smoothing=0.0, dtype="float64", C=4):
    """Three routes to dL/dz for one sample whose true class trails the leader by ``gap`` logits.

    ``z = (0, gap, 0, ...)`` in ``dtype`` and the label is class 0, smoothed: ``t = (1 − s) onehot
    + s / C``. Routes: fused ``h − t``; the long way ``(−t / h) J``, which turns to inf and NaN once
    ``1/h_0`` overflows (a gap near 89 in float32, 710 in float64); and the general ``h Σt − t``.
    """
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    if not 0 <= smoothing < 1:
        raise ValueError(f"smoothing must be in [0, 1), got {smoothing}")
    if not (isinstance(C, (int, np.integer)) and C >= 2):
        raise ValueError(f"C must be a whole number of classes, at least 2, got {C!r}")
    if not np.isfinite(gap):
        raise ValueError(f"gap must be a finite number, got {gap}")
    z = np.zeros(C, dtype=dt)
    z[1] = gap
    t = np.full(C, smoothing / C, dtype=dt)
    t[0] += 1 - smoothing
    h = softmax(z)
    fused = h - t
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        long_way = (-t / h) @ softmax_jacobian(z)
    general = h * t.sum() - t
    return {
        "z": z,
        "t": t,
        "h": h,
        "gap": float(gap),
        "dtype": dt.name,
        "fused": fused,
        "long_way": long_way,
        "general": general,
        "long_way_finite": bool(np.all(np.isfinite(long_way))),
        "h_true_class": float(h[0]),
    }


def describe_fused(state):
    head = _("{dtype}, gap {gap:.0f}: h of the true class = {h:.3g}. ").format(
        dtype=state["dtype"], gap=state["gap"], h=state["h_true_class"]
    )
    if state["long_way_finite"]:
        err = rel_error(state["long_way"], state["fused"])
        if err < 1e-10:
            return head + _("The −t/h route agrees with h − t to round-off.")
        return head + _("The −t/h route agrees with h − t to a relative error of {err:.1e}.").format(err=err)
    if state["h_true_class"] == 0:
        return head + _(
            "The −t/h route breaks (inf and NaN): h underflowed to 0, so −t/h is −1/0 = −inf at the label "
            "and 0/0 = NaN at the classes whose h and t are both 0. h − t is fine."
        )
    return head + _(
        "The −t/h route breaks (inf and NaN): 1/h overflows {dtype}, so −t/h = −inf. h − t is fine."
    ).format(dtype=state["dtype"])


@svg.picture
def draw_fused(state):
    """h with its target t, the fused gradient h − t, and the long way (−t/h) J, which may break."""
    ok = state["long_way_finite"]
    return svg.row(
        svg.bar_chart(
            state["h"],
            title=_("h, with t dashed"),
            outline=state["t"],
            ylim=(0, 1),
            color=COLORS["probability"],
        ),
        svg.bar_chart(state["fused"], title=_("fused: h − t"), ylim=(-1.2, 1.2), color=COLORS["analytic"]),
        svg.bar_chart(
            state["long_way"],
            title=_("long way: (−t/h) J") if ok else _("long way: (−t/h) J ✗ inf/NaN"),
            ylim=(-1.2, 1.2),
            color=COLORS["analytic" if ok else "wrong"],
        ),
    )


def fused_widget():
    import ipywidgets as w

    controls = {
        "gap": w.FloatSlider(
            value=5, min=0, max=1000, step=1, description=_("logit gap"), layout=w.Layout(width="360px")
        ),
        "smoothing": slider(_("smoothing"), 0.0, 0.0, 0.5, step=0.05),
        "dtype": w.ToggleButtons(options=["float64", "float32"], value="float64"),
    }
    return LiveView(
        controls,
        fused_gradient_state,
        draw=lambda s, **_: draw_fused(s),
        describe=lambda s, **_: describe_fused(s),
    )


def _fused(z, y):
    """(h − t)/N for logits z (N, C) and labels y (N,)."""
    return (softmax(z) - np.eye(z.shape[1])[y]) / z.shape[0]


def _extra_axis(fn, case, message):
    """Feedback for a result with a third axis (labels used as an (N, 1) index), or None."""
    if not callable(fn):
        return None
    try:
        with np.errstate(all="ignore"):
            got = np.asarray(limited(fn, *(a.copy() for a in case)), dtype=np.float64)
    except (Exception, SystemExit):  # run_checks reports what the function raised or returned
        return None
    if got.ndim == 3 and got.shape[-1] == case[0].shape[1]:
        return Feedback(
            "fused_grad",
            "wrong",
            message.format(got=got.shape),
            see("05_fused_cross_entropy", "The derivation"),
        )
    return None


@replies_when_stalled("fused_grad")
def check_fused_grad(fn):
    """Exercise: ``fused_grad(z, y)``, the gradient of the mean cross-entropy w.r.t. logits (N, C)."""
    cases = [
        (normal(21, (4, 3)), np.array([0, 2, 0, 2])),  # class 1 is nobody's label: d[:, y] ≠ h − 1
        (normal(22, (6, 5)), np.array([4, 0, 0, 3, 1, 2])),
        # Logits far apart, as a trained network produces them: exp without the max shift overflows.
        (np.array([[1000.0, 0.0, -5.0], [3.0, 800.0, 2.0]]), np.array([0, 2])),
    ]
    one_over_n = see("05_fused_cross_entropy", "Where the 1/N goes")

    def no_shift(z, y):
        e = np.exp(z)
        return (e / e.sum(axis=1, keepdims=True) - np.eye(z.shape[1])[y]) / z.shape[0]

    mistakes = [
        (lambda z, y: minus_t_over_h(z, np.eye(z.shape[1])[y]), minus_t_over_h_message()),
        (
            no_shift,
            _(
                "NaN where the logits are large: exp(1000) overflows to inf and inf/inf is NaN; take the "
                "softmax with each row's max subtracted first (or call cu.softmax)"
            ),
            see("01_softmax", "Overflow, and the one-line fix"),
        ),
        (
            lambda z, y: z.shape[0] * _fused(z, y),
            _("off by a factor of N: where did the 1/N of the mean go?"),
            one_over_n,
        ),
        (lambda z, y: -_fused(z, y), _("the sign is flipped: the gradient is h − t, not t − h")),
        (
            lambda z, y: softmax(z) / z.shape[0],
            _("that is h/N: subtract 1 at each row's label (the t in h − t)"),
        ),
        (
            lambda z, y: -np.eye(z.shape[1])[y] * (1 - softmax(z)) / z.shape[0],
            _(
                "that is −t(1 − h)/N, the gradient through the Jacobian's diagonal alone: it is zero "
                "off the label because it leaves out the cross derivatives; with them it is (h − t)/N"
            ),
            see("02_softmax_jacobian", "Why the diagonal alone fails the gradient check"),
        ),
        (
            lambda z, y: _fused(z, (y + 1) % z.shape[1]),
            _("the 1 is subtracted one class to the right of the label: are your labels counted from 1?"),
        ),
        (
            lambda z, y: _fused(z, (y - 1) % z.shape[1]),
            _(
                "the 1 is subtracted one class to the left of the label: did you write y − 1? The "
                "labels here count from 0 already"
            ),
        ),
        (
            lambda z, y: (softmax(z) - np.isin(np.arange(z.shape[1]), y)) / z.shape[0],
            _(
                "1 is subtracted in every row at every label of the batch: d[:, y], or labels shaped "
                "(N, 1) as an index, pick the whole N × N grid of rows and labels; pair each row with "
                "its own label: d[np.arange(N), y], with y of shape (N,)"
            ),
        ),
        (
            lambda z, y: (softmax(z, axis=0) - np.eye(z.shape[1])[y]) / z.shape[0],
            _("that softmax runs over axis 0, the batch: each row's softmax is over its classes, axis=1"),
            see("01_softmax", "Overflow, and the one-line fix"),
        ),
        (
            lambda z, y: (z - np.eye(z.shape[1])[y]) / z.shape[0],
            _("that is (z − t)/N: the softmax is missing; the gradient is (h − t)/N with h = softmax(z)"),
        ),
    ]
    mistakes += fused_typed_mistakes()
    extra_axis = _(
        "your result has shape {got}, with an extra axis: labels shaped (N, 1) make np.eye(C)[y] "
        "(N, 1, C), and h − t then broadcasts to (N, N, C); keep y of shape (N,), so that "
        "np.eye(C)[y] is (N, C)"
    )
    shape_named = _extra_axis(fn, cases[0], extra_axis)
    if shape_named:
        return shape_named
    raised = []
    verdict = run_checks(
        "fused_grad",
        recording(fn, raised),
        cases,
        _fused,
        mistakes,
        [
            (guarded_route_labels, _(GUARDED_ROUTE_FUSED)),
            (lambda got, exp, args: guarded(_fused, got[0], args), _(GUARDED)),
            (lambda got, exp, args: rows_skipped(got[0], exp[0], args), _(ROWS_SKIPPED)),
            row_sum_hint("(h − t)/N"),
        ],
        section=see("05_fused_cross_entropy", "The derivation"),
        own=(cross_entropy_grad, cross_entropy_and_grad),
        success=_("(h − t)/N: the whole softmax Jacobian and the 1/h of the log collapse to this"),
    )
    verdict = named_error(verdict, raised, labels_from_one)
    # Values right to the checker's tolerance, but float32: the reply says so rather than ✓.
    if verdict.passed and float32_reply(fn, cases[1]):
        return Feedback("fused_grad", "wrong", _(FLOAT32), see("05_fused_cross_entropy", "The derivation"))
    return verdict


def _general(z, t):
    return (softmax(z) * t.sum(axis=-1, keepdims=True) - t) / z.shape[0]


def _nan_on_empty_rows(got, expected, args):
    """Whether ``got`` is NaN on the rows of t that are all zeros, and right on the others."""
    t, (got,), (expected,) = np.asarray(args[1], dtype=float), got, expected  # one result each
    got = np.asarray(got, dtype=float) if np.shape(got) == np.shape(expected) else None
    if got is None or t.ndim != 2:
        return False
    empty = t.sum(axis=1) == 0
    return bool(
        empty.any()
        and np.isnan(got[empty]).any()
        and np.allclose(got[~empty], expected[~empty], equal_nan=False)
    )


@replies_when_stalled("soft_target_grad")
def check_soft_target_grad(fn):
    """Exercise: gradient w.r.t. logits of the mean cross-entropy for any targets ``t`` (N, C) >= 0."""
    cases = [
        (normal(23, (3, 4)), uniform(25, (3, 4))),
        (normal(24, (2, 3)), np.array([[0.0, 2.0, 0.0], [0.5, 0.0, 0.0]])),
        # An all-zero row is allowed ("non-negative, rows need not sum to 1"): its gradient is 0.
        (normal(26, (3, 4)), np.array([[0.2, 0.0, 0.3, 0.0], [0.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]])),
        # A logit gap of 800 in float64: h underflows to 0, so the −t/h route gives NaN.
        (np.array([[800.0, 0.0, -3.0], [1.0, 0.5, 2.0]]), np.array([[0.2, 0.5, 0.3], [0.0, 1.0, 1.0]])),
    ]
    mistakes = [
        (minus_t_over_h, minus_t_over_h_message()),
        (
            lambda z, t: (softmax(z) - t) / z.shape[0],
            _(
                "that is (h − t)/N, right only when each row of t sums to 1: here they do not; "
                "use (h·Σ_k t_k − t)/N"
            ),
        ),
        (
            lambda z, t: softmax(z) * t.sum(axis=-1, keepdims=True) - t,
            _("off by a factor of N: where did the 1/N of the mean go?"),
            see("05_fused_cross_entropy", "Where the 1/N goes"),
        ),
        (
            lambda z, t: (softmax(z) * t.sum(axis=0, keepdims=True) - t) / z.shape[0],
            _("Σt must be each row's own sum, over axis=1 (the classes), not over axis 0 (the batch)"),
        ),
        (
            lambda z, t: (softmax(z) * t.sum() - t) / z.shape[0],
            _("that Σt is the sum of the whole array: each row needs its own, t.sum(axis=1, keepdims=True)"),
        ),
        (
            lambda z, t: (softmax(z) * t.mean(axis=1, keepdims=True) - t) / z.shape[0],
            _("that is the mean of each row of t; the formula needs its sum, Σ_k t_k"),
        ),
        (
            lambda z, t: (softmax(z) - t / t.sum(axis=1, keepdims=True)) / z.shape[0],
            _(
                "that normalises t to rows summing to 1 and then uses h − t: the loss −Σ t log h weighs "
                "each row by its Σt, so the gradient is (h·Σt − t)/N, with t as given"
            ),
        ),
    ]
    mistakes += soft_typed_mistakes() + recheck_a.soft_target_mistakes()
    verdict = run_checks(
        "soft_target_grad",
        fn,
        cases,
        _general,
        mistakes,
        [
            (
                _nan_on_empty_rows,
                _(
                    "a row of t that is all zeros makes your result NaN there: it divides by that row's "
                    "Σt, which is 0. The formula multiplies by Σt instead, so that row's gradient is "
                    "h·0 − 0 = 0: write (h·Σt − t)/N without dividing by Σt"
                ),
            ),
            (guarded_route, _(GUARDED_ROUTE)),
            (lambda got, exp, args: guarded(_general, got[0], args), _(GUARDED)),
            (lambda got, exp, args: rows_skipped(got[0], exp[0], args), _(ROWS_SKIPPED)),
            row_sum_hint("(h·Σt − t)/N"),
        ],
        section=see("05_fused_cross_entropy", "Soft targets"),
        own=(cross_entropy_grad, cross_entropy_and_grad),
        success=_("(h·Σt − t)/N, which becomes (h − t)/N whenever a row of t sums to 1"),
    )
    if verdict.passed and float32_reply(fn, cases[0]):
        return Feedback(
            "soft_target_grad", "wrong", _(FLOAT32), see("05_fused_cross_entropy", "Soft targets")
        )
    return verdict


def _fused_up_to_scale(fn):
    """Partial credit: the direction of h − t is right, whatever the factor (a lost 1/N, say)."""
    z, y = hidden_rng(2).normal(size=(6, 4)), np.array([0, 3, 1, 1, 2, 0])
    got, right = np.asarray(fn(z.copy(), y.copy())), _fused(z, y)
    return (
        got.shape == right.shape
        and abs(np.sum(got * right)) > 0
        and np.allclose(got / np.sum(got * right) * np.sum(right * right), right, atol=1e-9)
    )


GRADED = [
    Exercise(
        "fused_grad",
        "fused_grad",
        check_fused_grad,
        _fused,
        lambda: (hidden_rng(11).normal(size=(7, 3)), np.array([2, 2, 0, 1, 0, 2, 1])),
        extra=(("right up to a factor", 1, False, _fused_up_to_scale),),
        course_functions=(
            "course_utils.losses.cross_entropy_grad",
            "course_utils.losses.cross_entropy_and_grad",
        ),
    ),
    Exercise(
        "soft_target_grad",
        "soft_target_grad",
        check_soft_target_grad,
        _general,
        lambda: (hidden_rng(12).normal(size=(3, 5)), hidden_rng(13).uniform(0, 3, size=(3, 5))),
        course_functions=(
            "course_utils.losses.cross_entropy_grad",
            "course_utils.losses.cross_entropy_and_grad",
        ),
    ),
]
"""The exercises of notebook 05, as the teacher's grader scores them."""
