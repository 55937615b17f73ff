"""Companion of notebook 01 · Softmax: the temperature widget and the checkers of its exercises."""

import numpy as np

from .. import svg
from ..i18n import _
from ..palette import COLORS
from ..softmax import log_softmax, softmax
from . import _recheck_a as recheck_a
from ._checking import Exercise, Feedback, normal, run_checks, see
from ._nb01_formulas import _log_softmax_rows
from ._nb01_mistakes import (
    log_softmax_hints,
    log_softmax_mistakes,
    returned_e_message,
    softmax_hints,
    softmax_mistakes,
)
from ._prediction import Prediction  # noqa: F401 - the notebook's committed prediction
from ._view import DEFAULT_LOGITS, LiveView, gather, logit_sliders, logits, slider, tempered


def softmax_state(z, temperature=1.0):
    """Softmax of logits ``z`` (C,) at a temperature: ``h = softmax(z / T)``, with summaries."""
    z = logits(z)
    scaled = tempered(z, temperature)
    h = softmax(scaled)
    log_h = log_softmax(scaled)
    return {
        "z": z,
        "temperature": float(temperature),
        "h": h,
        "argmax": int(np.argmax(h)),
        "max_prob": float(h.max()),
        "entropy": float(-np.sum(h * log_h)),
        "max_entropy": float(np.log(z.size)),
    }


def describe_softmax(state):
    return _(
        "T = {temperature:.2f}: the largest probability is {max_prob:.3f} (class {argmax}); "
        "entropy {entropy:.3f} of at most log C = {max_entropy:.3f}; Σh = {total:.3f}"
    ).format(
        temperature=state["temperature"],
        max_prob=state["max_prob"],
        argmax=state["argmax"],
        entropy=state["entropy"],
        max_entropy=state["max_entropy"],
        total=state["h"].sum(),
    )


@svg.picture
def draw_softmax(state):
    """The logits divided by T beside the probabilities h = softmax(z / T)."""
    return svg.row(
        svg.bar_chart(state["z"] / state["temperature"], title=_("logits divided by T")),
        svg.bar_chart(
            state["h"],
            title=f"h = softmax(z / T), T = {state['temperature']:.2f}",
            color=COLORS["probability"],
            ylim=(0, 1),
        ),
    )


def softmax_widget(z=DEFAULT_LOGITS):
    controls = {**logit_sliders(z, -5, 5), "T": slider("T", 1.0, 0.1, 5.0)}
    return LiveView(
        controls,
        compute=lambda T, **zs: softmax_state(gather(zs), T),
        draw=lambda s, **_: draw_softmax(s),
        describe=lambda s, **_: describe_softmax(s),
    )


_SOFTMAX_CASES = [
    (normal(3, (3, 4)),),
    (np.array([[400.0, 399.0, 398.0], [0.0, 1.0, 2.0]]),),  # exp(z + max) overflows, exp(z) does not
    (np.array([[1000.0, 999.0, 998.0], [0.0, 1.0, 2.0], [-5.0, 5.0, 0.0]]),),
    (np.array([[0.0, 1.0], [-1000.0, -999.0]]),),
    (np.array([[1000.0, 0.0, 1.0], [-3.0, 2.0, -800.0]]),),  # a large and a small logit in one row
    (np.array([[3, 1, 0, -2], [0, 2, 5, 1]]),),  # integer logits: the answer is still float
    (np.array([[1500.0, 0.0, 0.0], [0.0, 1.0, 2.0]]),),  # z − mean(z) overflows, z − max(z) does not
]


def _changed_in_place(exercise):
    return Feedback(
        exercise,
        "wrong",
        _(
            "your function changed its input array in place, the caller's z: `z -= ...` writes into "
            "the array it was given; compute shifted = z - z.max(axis=1, keepdims=True) as a new array, "
            "or work on z.copy()"
        ),
        see("01_softmax", "Overflow, and the one-line fix"),
    )


def check_softmax(fn):
    """Exercise: a numerically stable softmax of each row of ``z`` (N, C)."""
    feedback = run_checks(
        "softmax",
        fn,
        _SOFTMAX_CASES,
        softmax,
        softmax_mistakes(),
        softmax_hints(),
        section=see("01_softmax", "The definition"),
        changed_input=_changed_in_place("softmax"),
        own=(softmax,),
        success=_("rows sum to 1, and logits of 1000 or -1000 give no NaN"),
    )
    if (
        feedback.status == "wrong"
        and feedback.message == returned_e_message()
        and recheck_a.divides_by_max(fn)
    ):
        return Feedback("softmax", "wrong", recheck_a.divided_by_max_message(), feedback.see)
    return feedback


def check_log_softmax(fn):
    """Exercise: log-softmax of each row of ``z`` (N, C), finite even when softmax underflows."""
    cases = _SOFTMAX_CASES + [(np.array([[0.0, 800.0, 10.0]]),)]

    return run_checks(
        "log_softmax",
        fn,
        cases,
        log_softmax,
        log_softmax_mistakes() + recheck_a.log_softmax_mistakes(),
        log_softmax_hints(),
        section=see("01_softmax", "Log-softmax and log-sum-exp"),
        changed_input=_changed_in_place("log_softmax"),
        own=(log_softmax,),
        success=_("finite everywhere, even at a logit gap of 800, and exp of each row sums to 1"),
    )


def naive_softmax_choice(naive, z):
    """Which choice of the notebook's prediction the literal ``exp(z) / Σ exp(z)`` picks out.

    ``naive`` (C,) is what the literal definition returned for the logits ``z`` (C,). The choices,
    in order: the true softmax of ``z``; one-hot on the largest logit; all ``inf``; all ``NaN``.
    Anything else raises ``ValueError``.
    """
    naive, z = np.asarray(naive, dtype=float), logits(z)
    if naive.shape != z.shape:
        raise ValueError(f"naive must have the shape of z, {z.shape}, got {naive.shape}")
    if np.all(np.isfinite(naive)):
        if np.allclose(naive, softmax(z), rtol=1e-6, atol=1e-12):
            return 0
        if np.array_equal(naive, np.eye(z.size)[np.argmax(z)]):
            return 1
    if np.all(np.isposinf(naive)):
        return 2
    if np.all(np.isnan(naive)):
        return 3
    raise ValueError(f"naive is none of the choices (softmax(z), one-hot, all inf, all NaN): {naive}")


GRADED = [
    Exercise(
        "softmax",
        "softmax_rows",
        check_softmax,
        softmax,
        lambda: (np.array([[700.0, -700.0, 1.0], [0.5, 0.25, -3.0]]),),
        course_functions=("course_utils.softmax.softmax",),
    ),
    Exercise(
        "log_softmax",
        "log_softmax_rows",
        check_log_softmax,
        _log_softmax_rows,
        lambda: (np.array([[0.0, 900.0], [-3.0, 2.0]]),),
        course_functions=("course_utils.softmax.log_softmax",),
    ),
]
"""The exercises of notebook 01, as the teacher's grader scores them."""
