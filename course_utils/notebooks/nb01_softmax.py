"""Companion of notebook 01 · Softmax: the temperature widget and the checkers of its exercises."""

import numpy as np

from .. import svg
from ..i18n import _
from ..palette import COLORS
from ..softmax import log_softmax, softmax
from ._checking import Exercise, normal, run_checks, see
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
    (np.array([[1000.0, 999.0, 998.0], [0.0, 1.0, 2.0], [-5.0, 5.0, 0.0]]),),
    (np.array([[0.0, 1.0], [-1000.0, -999.0]]),),
    (np.array([[1000.0, 0.0, 1.0], [-3.0, 2.0, -800.0]]),),  # a large and a small logit in one row
]


def _softmax_no_shift(z):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def _softmax_global_shift(z):
    with np.errstate(invalid="ignore"):
        e = np.exp(z - z.max())
        return e / e.sum(axis=1, keepdims=True)


def _softmax_no_keepdims(z):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z - z.max(axis=1))
        return e / e.sum(axis=1, keepdims=True)


def check_softmax(fn):
    """Exercise: a numerically stable softmax of each row of ``z`` (N, C)."""
    overflow = see("01_softmax", "Overflow, and the one-line fix")

    def min_shift(z):
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(z - z.min(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)

    mistakes = [
        (
            min_shift,
            _(
                "subtracting each row's minimum leaves the largest logit as large as ever: exp overflows "
                "when one row holds 1000 and 0; subtract the row's maximum, so every exponent is <= 0"
            ),
            overflow,
        ),
        (
            _softmax_no_shift,
            _("overflow: exp(1000) is inf, and inf/inf is NaN; subtract each row's max before exp"),
            overflow,
        ),
        (
            _softmax_global_shift,
            _(
                "one max for the whole batch makes rows far below it underflow to 0/0; subtract each "
                "row's own max: z.max(axis=1, keepdims=True)"
            ),
            overflow,
        ),
        (
            _softmax_no_keepdims,
            _("z.max(axis=1) has shape (N,) and was broadcast across the columns: use keepdims=True"),
        ),
        (
            lambda z: softmax(z, axis=0),
            _("your columns sum to 1, not your rows: normalise over axis=1 (the classes)"),
            see("01_softmax", "Outputs are probabilities"),
        ),
    ]
    hints = [
        (
            lambda got, exp, args: (
                got[0].shape == exp[0].shape
                and np.all(np.isfinite(got[0]))
                and not np.allclose(got[0].sum(axis=1), 1)
            ),
            _("your rows do not sum to 1: divide each row by its own sum"),
        )
    ]
    return run_checks(
        "softmax",
        fn,
        _SOFTMAX_CASES,
        softmax,
        mistakes,
        hints,
        section=see("01_softmax", "The definition"),
        own=(softmax,),
        success=_("rows sum to 1, and logits of 1000 or -1000 give no NaN"),
    )


def check_log_softmax(fn):
    """Exercise: log-softmax of each row of ``z`` (N, C), finite even when softmax underflows."""
    cases = _SOFTMAX_CASES + [(np.array([[0.0, 800.0, 10.0]]),)]

    def log_of_softmax(z):
        with np.errstate(divide="ignore"):
            return np.log(softmax(z))

    def forgot_max_back(z):
        m = z.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z - m).sum(axis=1, keepdims=True))

    def no_shift(z):
        with np.errstate(over="ignore", invalid="ignore"):
            return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    mistakes = [
        (
            log_of_softmax,
            _(
                "log of a softmax that underflowed to 0 is -inf: "
                "compute z - m - log(sum(exp(z - m))) directly"
            ),
        ),
        (
            forgot_max_back,
            _(
                "you subtracted the log-sum-exp of the shifted logits from the unshifted ones: "
                "log h = (z - m) - log(sum(exp(z - m)))"
            ),
        ),
        (no_shift, _("overflow: exp(1000) is inf; shift by the row max inside the log-sum-exp")),
    ]
    return run_checks(
        "log_softmax",
        fn,
        cases,
        log_softmax,
        mistakes,
        section=see("01_softmax", "Log-softmax and log-sum-exp"),
        own=(log_softmax,),
        success=_("finite everywhere, even at a logit gap of 800, and exp of each row sums to 1"),
    )


def _log_softmax_rows(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


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
