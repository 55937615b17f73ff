"""Notebook 01's catalogues of wrong answers: the formulas its two checkers recognise (a shift by the
wrong max, the wrong axis, softmax of −z, a temperature, log10, the log-sum-exp alone) and the
properties that name a mistake no single formula shows.

``nb01_softmax`` keeps the checkers and their cases; every entry here is the wrong formula itself,
so a message fires only when the learner's answer really is that mistake.
"""

import numpy as np

from ..i18n import _
from ..softmax import log_softmax, softmax
from ._checking import see
from ._difference import _constant_factor
from ._nb01_formulas import (
    _in_input_dtype,
    _log_of_kept_softmax,
    _log_softmax_rows,
    _log_softmax_shift,
    _log_softmax_top_shift_only,
    _lse_rows,
    _normalised,
    _normalised_axis0,
    _row_max,
    _scaled_logits,
    _softmax_batch_sum,
    _softmax_shift_on_top_only,
    _wrong_on_large_rows,
    only_float32_close,
    only_some_rows,
)


def integer_result():
    return _(
        "on integer logits your answer is rounded to whole numbers: np.zeros_like(z) or np.empty_like(z) "
        "copies z's integer dtype; allocate with dtype=float, or compute the result without filling an array"
    )


def softmax_mistakes():
    """Exercise 1's wrong answers, as ``(formula, message[, section])``."""
    overflow = see("01_softmax", "Overflow, and the one-line fix")

    def min_shift(z):
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(z - z.min(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)

    return [
        (
            lambda z: _normalised(np.exp(z - z.mean(axis=1, keepdims=True))),
            _(
                "subtracting the row's mean leaves exp(z − mean) free to overflow when the row's max "
                "exceeds its mean by more than about 709: subtract the row's max, so every exponent is <= 0"
            ),
            overflow,
        ),
        (
            min_shift,
            _(
                "subtracting each row's minimum leaves the largest logit as large as ever: exp overflows "
                "when one row holds 1000 and 0; subtract the row's maximum, so every exponent is <= 0"
            ),
            overflow,
        ),
        (
            lambda z: _normalised(np.exp(z)),
            _("overflow: exp(1000) is inf, and inf/inf is NaN; subtract each row's max before exp"),
            overflow,
        ),
        (lambda z: _normalised(np.exp(z - z.max())), one_max_message(), overflow),
        (lambda z: np.exp(z - z.max(axis=1, keepdims=True)), returned_e_message()),
        (
            lambda z: _normalised(np.exp(z + z.max(axis=1, keepdims=True))),
            _(
                "you added each row's max, exp(z + max): the exponents grow instead of shrinking and "
                "overflow sooner, exp(2 × 400) is already inf; subtract it, exp(z − max), so that "
                "every exponent is <= 0"
            ),
            overflow,
        ),
        (
            lambda z: _normalised(np.exp(z - z.max(axis=1))),
            _("z.max(axis=1) has shape (N,) and was broadcast across the columns: use keepdims=True"),
        ),
        (
            lambda z: softmax(z, axis=0),
            _("your columns sum to 1, not your rows: normalise over axis=1 (the classes)"),
            see("01_softmax", "Outputs are probabilities"),
        ),
        (
            lambda z: _normalised_axis0(np.exp(z - z.max(axis=1, keepdims=True))),
            _(
                "you divided by the sum over axis=0, each column's sum over the batch, so your columns "
                "sum to 1 and your rows do not: divide each row by its own sum, e.sum(axis=1, "
                "keepdims=True)"
            ),
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
        (_in_input_dtype(softmax), integer_result()),
        (
            lambda z: softmax(-np.asarray(z, dtype=float)),
            _(
                "that is softmax(−z): the smallest logit gets the largest probability, as "
                "np.exp(-(z - z.min(...))) or np.exp(-z) gives; the shift is exp(z − max), with z itself "
                "and a minus only before the max"
            ),
            overflow,
        ),
        (
            lambda z: _normalised(np.exp(z - z.max(axis=0, keepdims=True))),
            _(
                "you subtracted each column's max (axis=0): the shift must be one number per row, or the "
                "ratios inside a row change; use the row's max, z.max(axis=1, keepdims=True)"
            ),
            overflow,
        ),
        (
            lambda z: np.asarray(z, dtype=float) / np.asarray(z, dtype=float).sum(axis=1, keepdims=True),
            _(
                "z / z.sum(...) divides the logits themselves: softmax takes exp first, "
                "exp(z_j) / Σ_k exp(z_k)"
            ),
        ),
        (
            lambda z: np.tile(softmax(np.asarray(z, dtype=float)[0]), (len(z), 1)),
            _("every row is the softmax of the first row: in your loop, use row n, z[n], not z[0]"),
        ),
        (
            lambda z: np.eye(np.shape(z)[1])[np.argmax(z, axis=1)],
            _(
                "that is the one-hot of each row's argmax, the limit T → 0: softmax gives every class "
                "some probability, exp(z_j − m) / Σ exp(z_k − m)"
            ),
        ),
    ]


def softmax_hints():
    """Exercise 1's mistakes known by a property of the answer, as ``(predicate, message[, section])``."""
    overflow = see("01_softmax", "Overflow, and the one-line fix")
    return [
        (only_float32_close, float32_message()),
        (
            _scaled_logits,
            _(
                "your rows are the softmax of the logits times a constant (a temperature T ≠ 1, "
                "z * 2 or z / 2): softmax uses z as it is, exp(z_j − m) / Σ exp(z_k − m)"
            ),
        ),
        (
            _wrong_on_large_rows,
            _(
                "right on the rows with small logits, wrong on the rows with a logit of 1000 or −800: "
                "clipping the logits or a guard against overflow changes the answer there; subtract "
                "each row's max instead, which changes nothing in exact arithmetic"
            ),
            overflow,
        ),
        (
            only_some_rows,
            _(
                "only some rows of your result are right (row 0, say), the others are not normalised: "
                "does a loop or an index cover part of the rows (range(1), e[0] / e[0].sum())? Every "
                "row n needs its own division, e / e.sum(axis=1, keepdims=True) does all at once"
            ),
        ),
        (
            lambda got, exp, args: (
                got[0].shape == exp[0].shape
                and np.all(np.isfinite(got[0]))
                and not np.allclose(got[0].sum(axis=1), 1)
            ),
            _("your rows do not sum to 1: divide each row by its own sum"),
        ),
    ]


def one_max_message():
    """The reply to one max for the whole batch (z.max() with no axis), in either exercise."""
    return _(
        "one max for the whole batch makes rows far below it underflow to 0/0; subtract each "
        "row's own max: z.max(axis=1, keepdims=True)"
    )


def returned_e_message():
    """The reply to a softmax that returns the exponentials, the quotient left in another variable."""
    return _(
        "you returned e, the exponentials before the division: the rows do not sum to 1; return "
        "e / e.sum(axis=1, keepdims=True) (was the quotient kept in another variable?)"
    )


def log_softmax_mistakes():
    """Exercise 2's wrong answers, as ``(formula, message[, section])``."""

    def log_of_softmax(z):
        with np.errstate(divide="ignore"):
            return np.log(softmax(z))

    def forgot_max_back(z):
        m = z.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z - m).sum(axis=1, keepdims=True))

    def no_shift(z):
        with np.errstate(over="ignore", invalid="ignore"):
            return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    return [
        (
            lambda z: _log_softmax_shift(z, z.max()),
            one_max_message(),
            see("01_softmax", "Overflow, and the one-line fix"),
        ),
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
            lambda z: _log_softmax_shift(z, _row_max(z)) + np.log(np.shape(z)[1]),
            _(
                "a mean where the log-sum-exp needs a sum: log of the mean of exp(z − m) is log Σ "
                "exp(z − m) − log C, so every entry of yours is log C too large; use .sum(axis=1, "
                "keepdims=True)"
            ),
        ),
        (
            lambda z: _log_softmax_rows(z.T).T,
            _(
                "you normalised over axis=0, the batch: exp of each column sums to 1, not of each row; "
                "take the max and the log-sum-exp over axis=1 (the classes)"
            ),
            see("01_softmax", "Outputs are probabilities"),
        ),
        (
            lambda z: _log_softmax_shift(z, _row_max(z), axis=0),
            _(
                "the log-sum-exp runs over axis=0, the batch: sum the exponentials of each row, "
                "np.exp(z - m).sum(axis=1, keepdims=True)"
            ),
        ),
        (
            lambda z: _log_softmax_shift(z, np.max(z), axis=None),
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
        (_in_input_dtype(_log_softmax_rows), integer_result()),
        (
            lambda z: z - z.max(axis=1, keepdims=True),
            _("that is z − max only: subtract the log of the sum of the shifted exponentials too"),
        ),
        (
            lambda z: softmax(z),
            _("that is softmax itself, h: log-softmax is log h, computed as (z − m) − log Σ exp(z − m)"),
        ),
        (
            lambda z: _log_softmax_shift(z, np.asarray(z, dtype=float).max(axis=0, keepdims=True)),
            _(
                "you subtracted each column's max (axis=0): the max of the log-sum-exp is one number per "
                "row, m = z.max(axis=1, keepdims=True)"
            ),
            see("01_softmax", "Outputs are probabilities"),
        ),
        (
            _log_softmax_top_shift_only,
            _(
                "you shifted the first term but not the log-sum-exp: (z − m) − log Σ exp(z) is off by m "
                "and overflows; shift both, (z − m) − log Σ exp(z − m)"
            ),
        ),
        (
            lambda z: _log_softmax_shift(z, _row_max(z), log=np.log10),
            _("np.log10 is the base-10 log: log-softmax uses the natural log, np.log"),
        ),
        (
            lambda z: np.broadcast_to(_lse_rows(z), np.shape(z)),
            _(
                "that is the log-sum-exp of each row, LSE = m + log Σ exp(z − m), copied along the row: "
                "log-softmax is z − LSE"
            ),
        ),
        (
            lambda z: _lse_rows(z),
            _("that is the log-sum-exp, one number per row (N, 1): log-softmax is z − LSE, shape (N, C)"),
        ),
        (
            lambda z: _log_softmax_shift(z, _row_max(z), axis=None),
            _(
                "the sum runs over the whole batch: np.exp(z - m).sum() adds every row; sum each row "
                "on its own, .sum(axis=1, keepdims=True)"
            ),
        ),
        (
            lambda z: np.log1p(-softmax(z)),
            _("that is log(1 − h), not log h: log-softmax is (z − m) − log Σ exp(z − m)"),
        ),
    ]


def log_softmax_hints():
    """Exercise 2's mistakes known by a property of the answer."""
    return [
        (
            _log_of_kept_softmax,
            _(
                "your log-softmax is right except where h is tiny, and there it is too large: log of h "
                "plus a small ε (or clipped at ε) cannot go below log ε, where log h is −1000 at a logit "
                "gap of 1000; compute (z − m) − log Σ exp(z − m) directly, without taking h"
            ),
        ),
        (only_float32_close, float32_message()),
        (
            only_some_rows,
            _(
                "only some rows of your result are right (row 0, say), the others are not: does a "
                "loop or an index cover part of the rows (range(1), out[0] = ...)? Every row n needs "
                "its own log-sum-exp, taken over axis=1 with keepdims=True"
            ),
        ),
        (
            lambda got, exp, args: (
                got[0].shape == exp[0].shape
                and np.all(np.isfinite(got[0]))
                and not np.allclose(np.exp(got[0]).sum(axis=1), 1)
                and _constant_factor(got[0], exp[0]) is None  # a factor (−1, 1/ln 2) is named below
            ),
            _(
                "exp of your rows does not sum to 1, as exp(log h) = h must: "
                "log h = (z − m) − log Σ exp(z − m), with m each row's max"
            ),
        ),
    ]


def float32_message():
    return _(
        "close, but only to about 1e-6, as float32 arithmetic gives: some array along the way is "
        "float32 (np.float32, or an input made with dtype=np.float32); compute in float64, "
        "np.asarray(z, dtype=float)"
    )
