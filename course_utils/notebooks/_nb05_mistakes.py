"""More wrong answers of notebook 05's exercises, as a newcomer types them (issue 19 §4).

Each entry is the wrong formula itself and the reply that names it; ``nb05_fused_cross_entropy``
adds them to its checkers' catalogues, after the mistakes the notebook's own text names.
"""

import numpy as np

from ..i18n import N_, _
from ..softmax import softmax
from ._when_raised import limited


def _sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))  # 1 / (1 + e^−z), without overflow for large |z|


def _onehot(z, y):
    return np.eye(z.shape[1])[y]


def _batch_softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def _fused(z, y):
    return (softmax(z) - _onehot(z, y)) / z.shape[0]


_SIGMOID = N_(
    "that is σ(z) − t, with the sigmoid 1/(1 + e^−z) of each logit on its own: the cost here is the "
    "softmax's cross-entropy, so h = softmax(z), whose rows sum to 1; the gradient is (h − t)/N"
)
_WHOLE_BATCH = N_(
    "that h is one softmax over the whole batch (np.exp(z) / np.exp(z).sum()): each row is a sample "
    "with its own softmax, summed over its classes, axis=1, keepdims=True"
)
_WITH_RESPECT_TO_H = N_(
    "that is −t/(N·h), the gradient with respect to h, not with respect to the logits z: through the "
    "softmax's Jacobian it becomes (h − t)/N"
)

_WITH_RESPECT_TO_H_SOFT = N_(
    "that is −t/(N·h), the gradient with respect to h, not with respect to the logits z: through the "
    "softmax's Jacobian it becomes (h·Σt − t)/N, which is (h − t)/N only when each row of t sums to 1"
)


def guarded_route(got, exp, args):
    """True when ``got`` is the −t/h route with h guarded, −t/(h + c) for a small c (1e-16 to 1e-4).

    The guard keeps the result finite, but where h underflows to 0 the product h · (−t/c) is 0
    where the gradient is −t/N."""
    z, t = args[0], np.asarray(args[1], dtype=float)
    h = softmax(np.asarray(z, dtype=np.float64))
    if np.shape(got[0]) != h.shape or t.shape != h.shape:
        return False
    for c in 10.0 ** np.arange(-16, -3.5):
        with np.errstate(all="ignore"):
            g = -t / (h + c) / len(h)
            candidate = h * (g - (g * h).sum(axis=1, keepdims=True))
        if np.allclose(got[0], candidate, rtol=1e-7, atol=1e-12):
            return True
    return False


def guarded_minus_t_over_h(z, t, c=1e-8):
    """The −t/h route with h guarded by ``c``: on logits far apart the same for any small ``c``."""
    h = softmax(z)
    with np.errstate(all="ignore"):
        g = -t / (h + c) / z.shape[0]
        return h * (g - (g * h).sum(axis=1, keepdims=True))


def guarded_route_labels(got, exp, args):
    """:func:`guarded_route` for labels y (N,) in place of targets t (N, C)."""
    return guarded_route(got, exp, (args[0], _onehot(args[0], args[1])))


GUARDED_ROUTE_FUSED = N_(
    "that is the −t/h route with a guard, dL/dh = −t/(N·(h + ε)) and then the softmax's backward "
    "pass: where the label's logit sits far below its row's max (a gap of 800 here), h underflows to "
    "0 and h · (−t/ε) is 0 where the gradient is −1/N. Cancel the 1/h on paper first: the gradient "
    "is (h − t)/N, no division by h"
)
GUARDED_ROUTE = N_(
    "that is the −t/h route with a guard, dL/dh = −t/(N·(h + ε)) and then the softmax's backward "
    "pass: where a logit sits far below its row's max (a gap of 800 here), h underflows to 0 and "
    "h · (−t/ε) is 0 where the gradient is −t/N. Cancel the 1/h on paper first: the gradient is "
    "(h·Σt − t)/N, no division by h"
)


def fused_typed_mistakes():
    """Exercise 1 (``fused_grad``): ``(wrong(z, y), message)`` pairs."""
    return [
        (lambda z, y: guarded_minus_t_over_h(z, _onehot(z, y)), _(GUARDED_ROUTE_FUSED)),
        (
            lambda z, y: (softmax(z) - np.eye(z.shape[1])[np.argmax(z, axis=1)]) / z.shape[0],
            _(
                "your t is the one-hot of argmax(z), the class the network predicts: the target is the "
                "true label, t = np.eye(C)[y]; with the prediction as its target the loss only pushes "
                "the net further the way it already leans"
            ),
        ),
        (
            lambda z, y: (softmax(softmax(z)) - np.eye(z.shape[1])[y]) / z.shape[0],
            _(
                "you applied the softmax twice: softmax(softmax(z)) squeezes every row towards uniform; "
                "h = softmax(z) once, then (h − t)/N"
            ),
        ),
        (lambda z, y: (_sigmoid(z) - _onehot(z, y)) / z.shape[0], _(_SIGMOID)),
        (
            lambda z, y: _sigmoid(z) - _onehot(z, y),
            _(_SIGMOID) + _(", and the 1/N of the mean is missing too"),
        ),
        (
            lambda z, y: (softmax(z) - y[:, None]) / z.shape[0],
            _(
                "the label numbers themselves were subtracted, y[:, None]: t is the one-hot of y, a 1 "
                "in column y[n] of row n and 0 elsewhere, np.eye(C)[y]"
            ),
        ),
        (lambda z, y: (_batch_softmax(z) - _onehot(z, y)) / z.shape[0], _(_WHOLE_BATCH)),
        (
            lambda z, y: (np.log(softmax(z)) - _onehot(z, y)) / z.shape[0],
            _(
                "that is (log h − t)/N: the gradient has h itself, (h − t)/N; the log is in the loss, "
                "not here"
            ),
        ),
        (
            lambda z, y: _fused(z, y) * softmax(z) * (1 - softmax(z)),
            _(
                "that is (h − t)/N times h(1 − h), a sigmoid's derivative: the softmax's Jacobian is "
                "already inside h − t; multiply by nothing more"
            ),
        ),
        (lambda z, y: -_onehot(z, y) / softmax(z) / z.shape[0], _(_WITH_RESPECT_TO_H)),
        (
            lambda z, y: -np.mean(np.log(softmax(z)[np.arange(z.shape[0]), y])),
            _("that is the loss itself, one number: the exercise asks for its gradient, shape (N, C)"),
        ),
        (
            lambda z, y: -np.log(softmax(z)[np.arange(z.shape[0]), y]) / z.shape[0],
            _(
                "those are the loss's terms −log h_y / N, one per sample: the exercise asks for the "
                "gradient, (N, C)"
            ),
        ),
        (
            lambda z, y: _fused(z, y).mean(axis=0),
            _("your result is averaged over the batch, one row: keep one row per sample, shape (N, C)"),
        ),
        (
            lambda z, y: _fused(z, y).sum(axis=0),
            _(
                "your result is summed over the batch, one row: a .sum(axis=0), or a .mean(axis=0) of the "
                "rows before the division by N, which is the same sum; keep one row per sample, shape "
                "(N, C)"
            ),
        ),
        (
            lambda z, y: (np.exp(z) - _onehot(z, y)) / z.shape[0],
            _("that is (e^z − t)/N: the softmax divides each row of e^z by its sum, h = e^z / Σ_k e^z_k"),
        ),
        (
            lambda z, y: softmax(z) - _onehot(z, y) / z.shape[0],
            _("the 1/N divides t alone: it divides the whole difference, (h − t)/N"),
        ),
        (
            lambda z, y: (softmax(z) - 1) / z.shape[0],
            _(
                "1 is subtracted from every entry: only each row's label entry gets it (t is one-hot); "
                "t[k] = 1 for a row k of a matrix sets that whole row, write t[k, y[k]] = 1"
            ),
        ),
        (
            lambda z, y: (softmax(z) - _rows_by_label(z, y)) / z.shape[0],
            _(
                "t[y] = 1 sets whole rows of t, the rows numbered by the labels: the label is a column, "
                "the class; set one entry per row, t[np.arange(N), y] = 1 (or t = np.eye(C)[y])"
            ),
        ),
    ]


def _rows_by_label(z, y):
    t = np.zeros_like(z)
    t[y] = 1
    return t


def _general(z, t):
    return (softmax(z) * t.sum(axis=1, keepdims=True) - t) / z.shape[0]


def soft_typed_mistakes():
    """Exercise 2 (``soft_target_grad``): ``(wrong(z, t), message)`` pairs."""
    return [
        (
            lambda z, t: _fused(z, t.argmax(axis=1)),
            _(
                "those are hard labels, t.argmax(axis=1): a soft target spreads its weight over several "
                "classes and all of it counts; use t as given, (h·Σt − t)/N"
            ),
        ),
        (
            lambda z, t: (softmax(z) - t) * t.sum(axis=1, keepdims=True) / z.shape[0],
            _("Σt multiplies the whole difference (h − t): it belongs on h alone, (h·Σt − t)/N"),
        ),
        (
            lambda z, t: (softmax(z) - t / t.sum()) / z.shape[0],
            _(
                "that divides t by the sum of the whole array and then uses h − t: the loss −Σ t log h "
                "weighs each row by its Σt, so the gradient is (h·Σt − t)/N, with t as given"
            ),
        ),
        (
            lambda z, t: (softmax(z) - t) * t.sum() / z.shape[0],
            _(
                "(h − t) times the sum of the whole t: Σt belongs on h alone, and it is each row's own "
                "sum, (h·Σt − t)/N with t.sum(axis=1, keepdims=True)"
            ),
        ),
        (
            lambda z, t: (softmax(z) * t.sum(axis=1, keepdims=True) - t) / t.sum(axis=1, keepdims=True),
            _("you divided by each row's Σt where the mean divides by N, the batch size: (h·Σt − t)/N"),
        ),
        (
            lambda z, t: (softmax(z) * t.sum(axis=1, keepdims=True) - t) / t.sum(),
            _(
                "you divided by t.sum(), the sum of all the targets, where the mean divides by N, the "
                "number of rows: the two agree only when every row of t sums to 1 (one-hot or smoothed "
                "labels), and these rows do not; divide by len(z)"
            ),
        ),
        (
            lambda z, t: (softmax(z) * t.sum(axis=1, keepdims=True) + t) / z.shape[0],
            _("the sign of t is flipped: (h·Σt − t)/N, not (h·Σt + t)/N"),
        ),
        (
            lambda z, t: (softmax(z) * t - t) / z.shape[0],
            _(
                "that is (h ⊙ t − t)/N: h is multiplied by the row's sum Σ_k t_k, one number, not by t "
                "entrywise"
            ),
        ),
        (lambda z, t: -t / softmax(z) / z.shape[0], _(_WITH_RESPECT_TO_H_SOFT)),
        (
            lambda z, t: (softmax(z) * z.shape[1] - t) / z.shape[0],
            _(
                "that is h·C − t: C is the number of classes; the factor is each row's sum of "
                "targets, Σ_k t_k"
            ),
        ),
        (
            lambda z, t: (softmax(z) * t.max(axis=1, keepdims=True) - t) / z.shape[0],
            _("that is h times each row's largest target: the factor is the row's sum, Σ_k t_k"),
        ),
        (
            lambda z, t: (z * t.sum(axis=1, keepdims=True) - t) / z.shape[0],
            _("the softmax is missing: you used the logits z where h = softmax(z) belongs"),
        ),
        (lambda z, t: (_batch_softmax(z) * t.sum(axis=1, keepdims=True) - t) / z.shape[0], _(_WHOLE_BATCH)),
        (
            lambda z, t: (softmax(z, axis=0) * t.sum(axis=1, keepdims=True) - t) / z.shape[0],
            _("that softmax runs over axis 0, the batch: each row's softmax is over its classes, axis=1"),
        ),
        (
            lambda z, t: _general(z, t).sum(axis=0),
            _(
                "your result is summed over the batch, one row: a .sum(axis=0), or a .mean(axis=0) of the "
                "rows before the division by N, which is the same sum; keep one row per sample, shape "
                "(N, C)"
            ),
        ),
        (
            lambda z, t: _general(z, t).mean(axis=0),
            _("your result is averaged over the batch, one row: keep one row per sample, shape (N, C)"),
        ),
    ]


def guarded(reference, got, args):
    """True when ``got`` is ``reference`` with a small constant c (1e-12 to 1e-4) added to h.

    That is what a guard such as ``np.log(h + 1e-8)`` or ``h + 1e-8`` leaves in the numbers: a
    shift of about c/N that no float32 rounding explains.
    """
    z, rest = args[0], args[1]
    h = softmax(np.asarray(z, dtype=np.float64))
    if np.shape(got) != h.shape:
        return False
    for c in 10.0 ** np.arange(-12, -3.5):
        with np.errstate(all="ignore"):
            shifted = reference(np.log(h + c), rest)  # softmax(log(h + c)) = (h + c)/(1 + Cc)
            plain = reference(np.log(h) if np.all(h > 0) else z, rest) + c * _weight(rest, h) / len(h)
        if np.allclose(got, shifted, rtol=1e-9, atol=1e-15) or np.allclose(got, plain, rtol=1e-9, atol=1e-15):
            return True
    return False


def _weight(rest, h):
    """Σt per row for targets ``rest`` (N, C), or 1 per row for labels (N,)."""
    rest = np.asarray(rest)
    return rest.sum(axis=1, keepdims=True) if rest.ndim == 2 else np.ones((len(h), 1))


GUARDED = N_(
    "your result is off by a tiny constant in every entry, about c/N: a guard such as "
    "np.log(h + 1e-8) or h + 1e-8 changed h; this gradient never divides by h nor takes its log, "
    "so it needs no guard: use h = softmax(z) as it is"
)
FLOAT32 = N_(
    "your result is float32 while z came in as float64: the numbers are right to about 7 digits "
    "only; drop the float32 (an astype or a dtype=np.float32) so that the result keeps z's precision"
)


def float32_reply(fn, case):
    """True when ``fn`` returns float32 for a float64 ``case`` (the checker judged its values right)."""
    try:
        with np.errstate(all="ignore"):
            got = limited(fn, *(np.copy(a) for a in case))
    except (Exception, SystemExit):
        return False
    return getattr(got, "dtype", None) == np.float32 and np.asarray(case[0]).dtype == np.float64


def rows_skipped(got, expected, args):
    """True when the rows of ``got`` that are wrong are h·Σt/N, the label's 1 never subtracted."""
    z, rest = args
    rest = np.asarray(rest)
    h = softmax(np.asarray(z, dtype=np.float64))
    if np.shape(got) != h.shape:
        return False
    wrong = ~np.all(np.isclose(got, expected, rtol=1e-7, atol=1e-10), axis=1)
    untouched = h * _weight(rest, h) / len(h)
    return bool(
        wrong.any() and not wrong.all() and np.allclose(got[wrong], untouched[wrong], rtol=1e-7, atol=1e-12)
    )


ROWS_SKIPPED = N_(
    "your result is right in some rows and h/N in the others, where nothing was subtracted: your loop "
    "over the rows skips them (range(N − 1), or a start at 1); loop over every row, or subtract "
    "without a loop"
)


def minus_t_over_h(z, t):
    """The route through dL/dh = −t/(N·h) and then the softmax's VJP: NaN where h underflows to 0."""
    h = softmax(z)
    with np.errstate(all="ignore"):
        g = -t / h / z.shape[0]
        return h * (g - (g * h).sum(axis=1, keepdims=True))


def minus_t_over_h_message():
    """The reply to the −t/h route, in either exercise."""
    return _(
        "that is the −t/h route: dL/dh = −t/(N·h) and then the softmax's backward pass; where a logit "
        "sits far below its row's max (a gap of 800 here), h underflows to 0, −t/h is −inf or 0/0 and "
        "the result NaN. Cancel the 1/h on paper first: the gradient is (h·Σt − t)/N, no division by h"
    )


def labels_from_one(exc, args):
    """Name an index past the last class, as labels counted from 1 (Octave's habit) give."""
    z = args[0]
    C = np.shape(z)[1]
    text = str(exc)
    if isinstance(exc, IndexError) and "out of bounds" in text and f"index {C} " in text:
        return _(
            "an index ran one past the last class, {C}: labels start at 0 here (0, ..., C − 1), "
            "not at 1 as in Octave; use y as given, np.eye(C)[y], with no + 1"
        ).format(C=C)
    return None
