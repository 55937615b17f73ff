"""Companion of notebook 01 · Softmax: the temperature widget and the checkers of its exercises."""

import numpy as np

from .. import svg
from ..i18n import _
from ..palette import COLORS
from ..softmax import log_softmax, softmax
from ._checking import Exercise, Feedback, normal, run_checks, see
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
    (np.array([[3, 1, 0, -2], [0, 2, 5, 1]]),),  # integer logits: the answer is still float
]


def _in_input_dtype(rows):
    """The mistake of allocating the result like the input: integer logits give an integer answer."""

    def wrong(z):
        out = np.zeros_like(z)
        out[...] = rows(z)
        return out

    return wrong


_INTEGER_RESULT = _(
    "on integer logits your answer is rounded to whole numbers: np.zeros_like(z) or np.empty_like(z) "
    "copies z's integer dtype; allocate with dtype=float, or compute the result without filling an array"
)


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
        (
            _softmax_batch_sum,
            _(
                "you divided by the sum over the whole batch, so all rows together sum to 1: divide each "
                "row by its own sum, e.sum(axis=1, keepdims=True)"
            ),
        ),
        (
            _softmax_shift_on_top_only,
            _(
                "you shifted the numerator but not the denominator: exp(z − m) / Σ exp(z) is off by the "
                "factor exp(−m) and overflows; shift both, e = exp(z − m), then e / e.sum(...)"
            ),
            overflow,
        ),
        (
            lambda z: log_softmax(z),
            _("that is log-softmax, log h: softmax is its exponential, which sums to 1 in each row"),
        ),
        (
            lambda z: 1 / (1 + np.exp(-np.asarray(z, dtype=float))),
            _(
                "that is the sigmoid of each logit on its own: softmax divides exp(z_j) by the sum "
                "over the whole row"
            ),
        ),
        (_in_input_dtype(softmax), _INTEGER_RESULT),
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
        changed_input=_changed_in_place("softmax"),
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
        (
            lambda z: _log_softmax_rows(z.T).T,
            _(
                "you normalised over axis=0, the batch: exp of each column sums to 1, not of each row; "
                "take the max and the log-sum-exp over axis=1 (the classes)"
            ),
            see("01_softmax", "Outputs are probabilities"),
        ),
        (
            _log_softmax_lse_over_batch,
            _(
                "the log-sum-exp runs over axis=0, the batch: sum the exponentials of each row, "
                "np.exp(z - m).sum(axis=1, keepdims=True)"
            ),
        ),
        (
            _log_softmax_whole_batch,
            _(
                "one log-sum-exp for the whole batch: each row needs its own, "
                "np.log(np.exp(z - m).sum(axis=1, keepdims=True))"
            ),
        ),
        (
            lambda z: (
                _log_softmax_rows(z)
                + 2 * np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True))
            ),
            _("the log-sum-exp is added: log h = (z − m) − log Σ exp(z − m), with a minus"),
        ),
        # before z − max: on integer logits a truncated log h can equal z − max
        (_in_input_dtype(_log_softmax_rows), _INTEGER_RESULT),
        (
            lambda z: z - z.max(axis=1, keepdims=True),
            _("that is z − max only: subtract the log of the sum of the shifted exponentials too"),
        ),
        (
            lambda z: softmax(z),
            _("that is softmax itself, h: log-softmax is log h, computed as (z − m) − log Σ exp(z − m)"),
        ),
    ]
    return run_checks(
        "log_softmax",
        fn,
        cases,
        log_softmax,
        mistakes,
        section=see("01_softmax", "Log-softmax and log-sum-exp"),
        changed_input=_changed_in_place("log_softmax"),
        own=(log_softmax,),
        success=_("finite everywhere, even at a logit gap of 800, and exp of each row sums to 1"),
    )


def _softmax_batch_sum(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum()


def _softmax_shift_on_top_only(z):
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(z - z.max(axis=1, keepdims=True)) / np.exp(z).sum(axis=1, keepdims=True)


def _log_softmax_lse_over_batch(z):
    shifted = z - z.max(axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))


def _log_softmax_whole_batch(z):
    m = z.max()
    with np.errstate(divide="ignore"):
        return (z - m) - np.log(np.exp(z - m).sum())


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
