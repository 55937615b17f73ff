"""Notebook 01's wrong formulas and the tests that recognise them, without any message: the
rows a learner's softmax or log-softmax could compute by mistake (a batch-wide sum, the shift on
top only, the wrong axis) and the patterns of a partly right answer. ``_nb01_mistakes`` pairs them
with what the learner is told.
"""

import numpy as np

from ..softmax import softmax


def _in_input_dtype(rows):
    """The mistake of allocating the result like the input: integer logits give an integer answer."""

    def wrong(z):
        out = np.zeros_like(z)
        out[...] = rows(z)
        return out

    return wrong


def only_float32_close(got, expected, args):
    """True when ``got`` is finite and within float32's rounding (1e-5) of the answer, but no closer."""
    g, e = got[0], expected[0]
    return (
        g.shape == e.shape
        and np.all(np.isfinite(g))
        and np.allclose(g, e, rtol=1e-5, atol=1e-7)
        and not np.allclose(g, e, rtol=1e-7, atol=1e-10)
    )


def only_some_rows(got, expected, args):
    """True when some rows of ``got`` are right and the others wrong (a loop over part of the rows)."""
    g, e = got[0], expected[0]
    if g.shape != e.shape or g.ndim != 2 or g.shape[0] < 2:
        return False
    right = np.isclose(g, e, rtol=1e-7, atol=1e-10).all(axis=1)
    return bool(right.any() and not right.all())


# The wrong formulas run under np.errstate(all="ignore") inside run_checks: no guard is needed here.
def _normalised(e):
    return e / e.sum(axis=1, keepdims=True)


def _scaled_logits(got, expected, args):
    """True when each row of ``got`` is softmax(k z) for one k other than 1 (a temperature)."""
    g, z = got[0], np.asarray(args[0], dtype=float)
    small = np.abs(z).max(axis=1) < 50
    if g.shape != z.shape or not small.any() or not np.all(g[small] > 0):
        return False
    a = np.log(g[small]) - np.log(g[small]).mean(axis=1, keepdims=True)
    b = z[small] - z[small].mean(axis=1, keepdims=True)
    k = float(np.vdot(a, b) / np.vdot(b, b))
    return abs(k - 1) > 1e-3 and np.allclose(a, k * b, rtol=1e-6, atol=1e-9)


def _wrong_on_large_rows(got, expected, args):
    """True when only the rows with a logit of size 50 or more differ: an overflow or clipping fix."""
    g, e, z = got[0], expected[0], np.asarray(args[0], dtype=float)
    if g.shape != e.shape:
        return False
    large = np.abs(z).max(axis=1) >= 50
    right = np.isclose(g, e, rtol=1e-7, atol=1e-10).all(axis=1)
    return large.any() and (right | large).all() and not right[large].all()


def _normalised_axis0(e):
    return e / e.sum(axis=0, keepdims=True)


def _softmax_batch_sum(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum()


def _softmax_shift_on_top_only(z):
    return np.exp(z - z.max(axis=1, keepdims=True)) / np.exp(z).sum(axis=1, keepdims=True)


def _log_softmax_shift(z, m, axis=1, log=np.log):
    """(z − m) − log Σ exp(z − m), with the sum over ``axis`` (None: the whole batch)."""
    z = np.asarray(z, dtype=float)
    return (z - m) - log(np.exp(z - m).sum(axis=axis, keepdims=axis is not None))


def _row_max(z):
    return np.max(z, axis=1, keepdims=True)


def _log_softmax_top_shift_only(z):
    z = np.asarray(z, dtype=float)
    return (z - _row_max(z)) - np.log(np.exp(z).sum(axis=1, keepdims=True))


def _lse_rows(z):
    z = np.asarray(z, dtype=float)
    return _row_max(z) + np.log(np.exp(z - _row_max(z)).sum(axis=1, keepdims=True))


def _log_softmax_rows(z):
    return _log_softmax_shift(z, _row_max(z))


_GUARDS = 10.0 ** -np.array([4, 5, 6, 7, 8, 9, 10, 12, 14, 15, 16, 20, 30, 50, 100, 200, 300])


def _log_of_kept_softmax(got, exp, args):
    """log(h + ε) or log(clip(h, ε)): right where h is not tiny, too large (finite) where it is.

    Told apart from float32 rounding, which it resembles where no h is tiny, by computing log(h + ε)
    and log(max(h, ε)) for the usual ε."""
    g, e = got[0], exp[0]
    if g.shape != e.shape or not np.all(np.isfinite(g)) or not np.all(np.isfinite(e)):
        return False
    h = softmax(np.asarray(args[0], dtype=np.float64))
    with np.errstate(all="ignore"):
        for c in _GUARDS:
            for kept in (np.log(h + c), np.log(np.maximum(h, c))):
                if np.allclose(g, kept, rtol=1e-9, atol=1e-12):
                    return True
    off = ~np.isclose(g, e, rtol=1e-6, atol=1e-6)
    return bool(off.any() and np.all(g[off] > e[off]) and np.all(e[off] < -20))
