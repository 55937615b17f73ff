r"""Costs for a classifier's output layer, with their gradients.

:func:`cross_entropy` and :func:`cross_entropy_grad` work from the logits ``z`` (the softmax is
inside them), which is both stabler and shorter than going through ``h``. :func:`binary_cross_entropy`
is the cost of K independent sigmoid outputs: the "sigmoid" cost of the learners' Octave code, which
matches a sigmoid output layer but not a softmax one.
"""

import math

import numpy as np

from . import _checks
from . import threads as _threads

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def cross_entropy(z, t):
    r"""Mean cross-entropy of softmax outputs against targets, from the logits.

    .. math:: L = -\frac{1}{N} \sum_{n=1}^{N} \sum_{j=1}^{C} t_{nj} \log h_{nj},
              \qquad h = \operatorname{softmax}(z)

    With integer labels ``y`` this is :math:`L = -\frac{1}{N}\sum_n \log h_{n, y_n}`.

    Parameters
    ----------
    z : ndarray, shape (N, C)
        Logits, one row per sample, finite.
    t : ndarray, shape (N,) of int, or shape (N, C) of float
        Either class labels in ``[0, C)`` or target probabilities (one-hot, smoothed, ...), >= 0.

    Returns
    -------
    L : numpy scalar, dtype of ``z``
        The mean over the N rows.
    """
    return cross_entropy_and_grad(z, t)[0]


def cross_entropy_grad(z, t):
    r"""Exact gradient of :func:`cross_entropy` with respect to the logits: the fused shortcut.

    .. math:: \frac{\partial L}{\partial z_{nj}} = \frac{1}{N}\Bigl(h_{nj} \sum_k t_{nk} - t_{nj}\Bigr)

    which is :math:`(h - t)/N` whenever each row of ``t`` sums to 1 (labels, one-hot, label
    smoothing). The ``1/N`` comes from the mean over the batch.

    Parameters
    ----------
    z : ndarray, shape (N, C)
        Logits, finite.
    t : ndarray, shape (N,) of int, or shape (N, C) of float
        Labels in ``[0, C)`` or target probabilities.

    Returns
    -------
    dz : ndarray, shape (N, C), dtype of ``z``
    """
    return cross_entropy_and_grad(z, t)[1]


def cross_entropy_and_grad(z, t):
    r""":func:`cross_entropy` and :func:`cross_entropy_grad` from one softmax: what training uses.

    Parameters
    ----------
    z : ndarray, shape (N, C)
        Logits, finite.
    t : ndarray, shape (N,) of int, or shape (N, C) of float
        Labels in ``[0, C)`` or target probabilities.

    Returns
    -------
    L : numpy scalar, dtype of ``z``
        :math:`-\frac{1}{N}\sum_{n,j} t_{nj} \log h_{nj}`.
    dz : ndarray, shape (N, C), dtype of ``z``
        :math:`(h \sum_k t_k - t)/N`, which is :math:`(h - t)/N` for labels.
    """
    if not (type(z) is np.ndarray and z.ndim == 2 and z.dtype in _FLOATS and z.size):
        z = _checks.logits(z, ndim=(2,), finite=False)  # the same checks, with their messages
    kind, t = _checks.targets(t, z)
    N = z.shape[0]
    inv_N = z.dtype.type(1.0 / N)
    if kind == "labels" and z.size > _BLOCK:
        return _labels_loss_and_grad(z, t, inv_N)
    # Memory traffic is the cost at large N x C: each line below is one pass over N x C, in place on
    # a single (N, C) buffer that becomes dz; the log is taken on (N,) vectors only.
    m = np.maximum.reduce(z, axis=1)  # the ufunc's own reduce: no Python wrapper on small batches
    # Two reductions carry the NaN/inf check and cannot overflow: NaN and -inf reach the smallest
    # entry, +inf the largest row maximum. Only when they see one does the full check look entry
    # by entry, to name it.
    if not (math.isfinite(np.minimum.reduce(z, axis=None)) and math.isfinite(np.maximum.reduce(m))):
        _checks.check_finite(z, "z")
    dz = np.subtract(z, m[:, None])  # z - max: every exponent <= 0, nothing overflows
    np.exp(dz, out=dz)
    s = np.add.reduce(dz, axis=1)  # >= 1, so its log is finite
    log_s = np.log(s)
    if kind == "labels":  # a small batch, in one block: the same operations as _labels_loss_and_grad
        rows = np.arange(N)
        # log h at the label entries only: (z - max) - log(sum), never the log of a rounded-off 0.
        loss = np.add.reduce(log_s - (z[rows, t] - m)) * inv_N
        np.multiply(dz, (inv_N / s)[:, None], out=dz)  # h / N
        dz[rows, t] -= inv_N
        return loss, dz
    log_h = z - (m + log_s)[:, None]
    loss = -np.sum(t * log_h) * inv_N
    np.multiply(dz, (t.sum(axis=1) * inv_N / s)[:, None], out=dz)  # h * sum(t) / N
    dz -= t * inv_N
    return loss, dz


_BLOCK = 1 << 17
"""Entries per block of rows (512 kB in float32): a block's passes stay in the core's cache."""

_PARALLEL_ROWS = 1 << 17
"""Entries each worker gets at least: below that, handing rows to a thread costs more than it saves."""

_SHIFT_FLOOR = 2.0**-30
"""A row whose sum of exp(z - block max) falls below this is redone with its own row's maximum."""


def _labels_loss_and_grad(z, y, inv_N):
    """The labels case, in blocks of rows fixed by C alone, shared among the policy's worker threads.

    Each block is shifted by its own largest logit (one fast reduction over the block instead of one
    per row); a row that sits so far below that maximum that its sum of exponentials falls below
    :data:`_SHIFT_FLOOR` (about 21 + log C below it) is redone with its own maximum, so no row loses
    more than a few digits' worth of its last bits to the shared shift. The blocks are cut the same
    way whatever the number of threads, each worker takes whole blocks, and the per-row losses are
    added up once at the end: the result is bit for bit the same for any number of threads.
    """
    N, C = z.shape
    dz = np.empty_like(z)
    row_loss = np.empty(N, dtype=z.dtype)
    finite = []
    rows_per_block = max(1, _BLOCK // C)
    n_blocks = -(-N // rows_per_block)
    floor = z.dtype.type(_SHIFT_FLOOR)

    def blocks(first, last):
        for k in range(first, last):
            a = k * rows_per_block
            b = min(N, a + rows_per_block)
            zb, out = z[a:b], dz[a:b]
            top = np.maximum.reduce(zb, axis=None)
            # Two reductions carry the NaN/inf check: NaN and -inf reach the smallest entry, +inf
            # the largest. Only when they see one does the full check look entry by entry, to name it.
            if not (math.isfinite(np.minimum.reduce(zb, axis=None)) and math.isfinite(top)):
                finite.append(False)
                return
            shift = top
            np.subtract(zb, shift, out=out)  # every exponent <= 0: nothing overflows
            np.exp(out, out=out)
            s = np.add.reduce(out, axis=1)
            if np.minimum.reduce(s) < floor:  # rows far below the block's maximum: each its own shift
                far = np.flatnonzero(s < floor)
                shift = np.full(b - a, top)
                shift[far] = np.maximum.reduce(zb[far], axis=1)
                out[far] = np.exp(zb[far] - shift[far, None])
                s[far] = np.add.reduce(out[far], axis=1)  # >= 1 now
            rows = np.arange(b - a)
            yb = y[a:b]
            # log h at the label entries only: (z - shift) - log(sum), never the log of a rounded-off 0.
            np.subtract(np.log(s), zb[rows, yb] - shift, out=row_loss[a:b])
            np.multiply(out, (inv_N / s)[:, None], out=out)  # h / N
            out[rows, yb] -= inv_N

    _threads.map_rows(blocks, n_blocks, min_rows=max(1, -(-_PARALLEL_ROWS // (rows_per_block * C))))
    if finite:
        _checks.check_finite(z, "z")
    return np.add.reduce(row_loss) * inv_N, dz


def binary_cross_entropy(h, Y):
    r"""Cost of K independent yes/no outputs (sigmoid outputs), averaged over the N rows.

    .. math:: L = -\frac{1}{N} \sum_{n=1}^{N} \sum_{k=1}^{K}
              \Bigl[ Y_{nk} \log h_{nk} + (1 - Y_{nk}) \log(1 - h_{nk}) \Bigr]

    This is the cost whose gradient with respect to the sigmoid logits is :math:`(h - Y)/N`. Paired
    with a *softmax* output it is the wrong cost: that is the mismatch in the learners' question.
    Terms with ``Y = 0`` or ``Y = 1`` skip the log they multiply by zero, so ``h`` may touch 0 or 1.

    Precision: ``log(1 - h)`` is taken from ``h``, and an ``h`` within about ``1e-10`` of 1 has kept
    only a few digits of ``1 - h`` (none once ``1 - h`` is below half the spacing of floats next
    to 1, 1.1e-16 in float64). There the loss moves in rounded steps and a gradient check of it is
    blind: for a softmax output, ``z = (0, 0, 25)`` with label 0 leaves no entry checkable, and at
    ``(0, 0, 30)`` a wrong gradient passes. Where the logits are at hand, compute ``1 - h_k`` from
    them (``log(1 - h_k) = LSE(z_{-k}) - LSE(z)``) or use :func:`binary_cross_entropy_with_logits`
    for sigmoid outputs.

    Parameters
    ----------
    h : ndarray, shape (N, K)
        Output probabilities, each in [0, 1].
    Y : ndarray, shape (N, K) of 0/1 (or probabilities), or shape (N,) of int labels in ``[0, K)``
        Labels are turned into one-hot rows.

    Returns
    -------
    L : numpy scalar, dtype of ``h``
    """
    h = _checks.as_float_array(h, "h")
    if h.ndim != 2:
        raise ValueError(f"h must have shape (N, K), got shape {h.shape}")
    if h.shape[0] == 0 or h.shape[1] == 0:
        raise ValueError(f"h must hold at least one sample and one output (N, K >= 1), got shape {h.shape}")
    _checks.check_finite(h, "h")
    if np.any((h < 0) | (h > 1)):
        raise ValueError(
            f"h must hold probabilities in [0, 1], got values from {h.min()} to {h.max()}; "
            "pass the outputs of a sigmoid or softmax, not the logits"
        )
    kind, Y = _checks.targets(Y, h, name="Y")
    if kind == "labels":
        onehot = np.zeros_like(h)
        onehot[np.arange(h.shape[0]), Y] = 1
        Y = onehot
    if np.any(Y > 1):
        raise ValueError(f"Y must hold values in [0, 1], got a maximum of {Y.max()}")
    with np.errstate(divide="ignore"):
        pos = np.where(Y > 0, Y * np.log(np.where(Y > 0, h, 1)), 0)
        neg = np.where(Y < 1, (1 - Y) * np.log(np.where(Y < 1, 1 - h, 1)), 0)
    return -np.sum(pos + neg) / h.dtype.type(h.shape[0])


def binary_cross_entropy_with_logits(z, Y):
    r"""Binary cross-entropy of sigmoid outputs, from the logits, and its gradient: the two-class h - t.

    .. math:: L = \frac1N \sum_{n,k} \bigl[\max(z_{nk}, 0) - z_{nk} Y_{nk}
              + \log(1 + e^{-|z_{nk}|})\bigr], \qquad
              \frac{\partial L}{\partial z} = \frac{\sigma(z) - Y}{N}

    The bracket equals :math:`-Y\log\sigma(z) - (1 - Y)\log(1 - \sigma(z))` for every real ``z`` but
    never takes the log of a probability that rounded to 0 or 1, and no exponent is positive, so it
    is finite for any finite logits. :math:`\sigma(z) - Y` is what :math:`h - t` becomes for a single
    yes/no output (softmax over the two logits ``(0, z)`` gives :math:`\sigma(z)`).

    Parameters
    ----------
    z : ndarray, shape (N, K)
        Logits of K independent yes/no outputs, finite.
    Y : ndarray, shape (N, K)
        Targets in [0, 1].

    Returns
    -------
    L : numpy scalar, dtype of ``z``
    dz : ndarray, shape (N, K), dtype of ``z``
    """
    z = _checks.logits(z, ndim=(2,))
    Y = _checks.as_float_array(Y, "Y")
    _checks.same_shape(z, Y, "z", "Y")
    _checks.check_finite(Y, "Y")
    if np.any((Y < 0) | (Y > 1)):
        raise ValueError(f"Y must hold targets in [0, 1], got values from {Y.min()} to {Y.max()}")
    Y = Y.astype(z.dtype, copy=False)
    N = z.dtype.type(z.shape[0])
    loss = np.sum(np.maximum(z, 0) - z * Y + np.log1p(np.exp(-np.abs(z)))) / N
    e = np.exp(-np.abs(z))  # <= 1: sigma(z) = 1/(1 + e) for z >= 0 and e/(1 + e) for z < 0
    sigma = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return loss, (sigma - Y) / N
