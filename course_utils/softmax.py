r"""Softmax, its logarithm, its Jacobian and its vector-Jacobian product.

Forward and backward live side by side: :func:`softmax` makes ``h`` from the logits ``z``;
:func:`softmax_jacobian` gives every :math:`\partial h_i / \partial z_j`; :func:`softmax_vjp` gives
what backprop actually needs, the upstream gradient pushed through that Jacobian, without ever
building it.

Shapes: a single sample is ``(C,)``; a batch has one sample per row, ``(N, C)``.
"""

import numpy as np

from . import _checks


def shifted_exp(z, axis=-1):
    """The pieces softmax and log-softmax share: ``z - max``, its exp, and the sum of that exp.

    Every exponent is <= 0, so nothing overflows; the sum is >= 1, so its log is finite.
    Takes checked logits; returns arrays shaped like ``z`` (the sum keeps ``axis`` with size 1).
    """
    # Logits ~1e308 apart overflow to -inf here, whose exp is the right 0: no warning needed.
    with np.errstate(over="ignore"):
        shifted = z - z.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return shifted, e, e.sum(axis=axis, keepdims=True)


def _checked_logits(z, axis):
    """Logits of shape (C,) or (N, C), finite, with a class axis that exists."""
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise _checks.DTypeError(f"axis must be an integer, got {type(axis).__name__} {axis!r}")
    arr = _checks.as_float_array(z, "z")
    if arr.ndim == 0:
        raise ValueError("z must be an array of logits, shape (C,) or (N, C), got a scalar")
    if not -arr.ndim <= axis < arr.ndim:
        allowed = "0 or -1" if arr.ndim == 1 else "1 or -1 (classes), or 0 (the batch axis)"
        raise ValueError(f"axis must be {allowed} for z of shape {arr.shape}, got axis={axis}")
    return _checks.logits(arr)


def softmax(z, axis=-1):
    r"""Softmax of the logits along ``axis``.

    .. math:: h_i = \frac{e^{z_i - m}}{\sum_k e^{z_k - m}}, \qquad m = \max_k z_k

    Subtracting the row maximum changes nothing mathematically (softmax is shift invariant) but keeps
    every exponent at or below 0, so nothing overflows, for logits as large as 1e4 in float32.

    Parameters
    ----------
    z : ndarray, shape (C,) or (N, C)
        Logits; float32 stays float32, integers become float64. Must be finite.
    axis : int
        The class axis; the default, the last one, is the course's convention.

    Returns
    -------
    h : ndarray, same shape and dtype as ``z``
        Non-negative, each slice along ``axis`` sums to 1.
    """
    z = _checked_logits(z, axis)
    _, e, total = shifted_exp(z, axis)
    return e / total


def log_softmax(z, axis=-1):
    r"""Logarithm of the softmax, computed without taking the log of a probability.

    .. math:: \log h_i = z_i - m - \log \sum_k e^{z_k - m}, \qquad m = \max_k z_k

    ``np.log(softmax(z))`` gives ``-inf`` once a probability underflows to 0; this stays finite.

    Parameters
    ----------
    z : ndarray, shape (C,) or (N, C)
        Logits, finite.
    axis : int
        The class axis.

    Returns
    -------
    log_h : ndarray, same shape and dtype as ``z``
        Every entry is <= 0; ``exp`` of a slice sums to 1.
    """
    z = _checked_logits(z, axis)
    shifted, _, total = shifted_exp(z, axis)
    return shifted - np.log(total)


def softmax_jacobian(z):
    r"""The full Jacobian of softmax, one ``C x C`` matrix per sample.

    .. math:: J_{ij} = \frac{\partial h_i}{\partial z_j} = h_i(\delta_{ij} - h_j),
              \qquad J = \operatorname{diag}(h) - h h^\top

    Parameters
    ----------
    z : ndarray, shape (C,) or (N, C)
        Logits, finite.

    Returns
    -------
    J : ndarray, shape (C, C) or (N, C, C)
        ``J[..., i, j]`` is the derivative of output ``i`` with respect to logit ``j``. Memory grows as
        ``N * C**2``: backprop should use :func:`softmax_vjp` instead.
    """
    z = _checks.logits(z)
    h = softmax(z)
    eye = np.eye(h.shape[-1], dtype=h.dtype)
    return h[..., :, None] * (eye - h[..., None, :])


def softmax_vjp(z, g):
    r"""Push an upstream gradient back through softmax: the vector-Jacobian product ``g J``.

    .. math:: \frac{\partial L}{\partial z_j} = \sum_i g_i \frac{\partial h_i}{\partial z_j}
              = h_j \Bigl(g_j - \sum_i g_i h_i\Bigr),
              \qquad \text{so } dz = h \odot (g - \langle g, h \rangle)

    O(C) work per sample; the ``C x C`` Jacobian is never formed.

    Parameters
    ----------
    z : ndarray, shape (C,) or (N, C)
        Logits, finite.
    g : ndarray, same shape as ``z``
        Upstream gradient ``dL/dh``, one row per sample.

    Returns
    -------
    dz : ndarray, same shape as ``z``
        ``dL/dz``. Each row sums to 0.
    """
    z = _checks.logits(z)
    g = _checks.as_float_array(g, "g")
    _checks.same_shape(z, g, "z", "g")
    _checks.check_finite(g, "g")
    h = softmax(z)
    g = g.astype(h.dtype, copy=False)
    return h * (g - np.sum(g * h, axis=-1, keepdims=True))


def log_softmax_vjp(z, g):
    r"""Push an upstream gradient back through log-softmax.

    .. math:: \frac{\partial L}{\partial z_j} = \sum_i g_i (\delta_{ij} - h_j) = g_j - h_j \sum_i g_i,
              \qquad \text{so } dz = g - h \textstyle\sum_i g_i

    The Jacobian of :math:`\log h_i = z_i - \log\sum_k e^{z_k}` is :math:`\delta_{ij} - h_j`. With
    ``g = -t/N`` (cross-entropy's upstream gradient on ``log h``) and targets summing to 1 this is
    :math:`(h - t)/N`, the fused shortcut again; unlike :func:`softmax_vjp` fed with ``-t/h``, no
    division by a probability appears, so it stays finite for any finite logits.

    Parameters
    ----------
    z : ndarray, shape (C,) or (N, C)
        Logits, finite.
    g : ndarray, same shape as ``z``
        Upstream gradient ``dL/d(log h)``, one row per sample.

    Returns
    -------
    dz : ndarray, same shape as ``z``
    """
    z = _checks.logits(z)
    g = _checks.as_float_array(g, "g")
    _checks.same_shape(z, g, "z", "g")
    _checks.check_finite(g, "g")
    h = softmax(z)
    g = g.astype(h.dtype, copy=False)
    return g - h * np.sum(g, axis=-1, keepdims=True)
