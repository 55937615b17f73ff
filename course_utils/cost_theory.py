r"""Why cross-entropy: squared error on a softmax output, entropy and KL divergence.

Squared error :math:`\frac{1}{2N}\sum_n \lVert h_n - t_n\rVert^2` on a softmax output is a valid cost,
but its gradient with respect to the logits passes through the softmax Jacobian, which vanishes
when the output saturates: a confidently wrong output learns slowest. Cross-entropy's gradient
:math:`(h - t)/N` has no such factor.

Cross-entropy is the negative log-likelihood of a categorical model, and it splits as
:math:`H(t, h) = H(t) + \mathrm{KL}(t \,\Vert\, h)`: the entropy of the targets, which no model can
go below (zero for one-hot labels, positive for soft ones), plus the divergence the training
removes.

Batches are rows: logits ``z`` and targets ``t`` of shape (N, C); targets are probabilities (each
row sums to 1) or integer labels of shape (N,).
"""

import numpy as np

from . import _checks
from .softmax import log_softmax, softmax


def _targets(t, z):
    kind, t = _checks.targets(t, z)
    if kind == "labels":
        onehot = np.zeros_like(z)
        onehot[np.arange(z.shape[0]), t] = 1
        return onehot
    if np.any(t < 0) or not np.allclose(t.sum(axis=1), 1, atol=1e-6):
        raise ValueError(
            "target probabilities must be >= 0 with each row summing to 1, got rows summing to "
            f"{t.sum(axis=1).min()}..{t.sum(axis=1).max()}"
        )
    return t


def squared_error_and_grad(z, t):
    r"""Squared error of softmax outputs, and its gradient with respect to the logits.

    .. math:: L = \frac{1}{2N}\sum_n \lVert h_n - t_n\rVert^2, \qquad
              \frac{\partial L}{\partial z} = h \odot (g - \langle g, h\rangle), \quad g = \frac{h - t}{N}

    Parameters
    ----------
    z : ndarray, shape (N, C)
        Logits, finite.
    t : ndarray, shape (N,) of int labels in ``[0, C)``, or (N, C) of target probabilities

    Returns
    -------
    L : numpy scalar
    dz : ndarray, shape (N, C)
        Each row sums to 0, like every gradient that passes through softmax.
    """
    z = _checks.logits(z, ndim=(2,))
    t = _targets(t, z)
    h = softmax(z)
    N = z.shape[0]
    g = (h - t) / N
    loss = 0.5 * np.sum((h - t) ** 2) / N
    return loss, h * (g - np.sum(g * h, axis=1, keepdims=True))


def entropy(t):
    r"""Entropy of each row of target probabilities ``t`` (N, C): :math:`H(t_n) = -\sum_k t_{nk}\log t_{nk}`.

    Terms with :math:`t_{nk} = 0` count 0 (the limit of :math:`x \log x`). Returns shape (N,).
    """
    t = _checks.as_float_array(t, "t")
    if t.ndim != 2:
        raise ValueError(
            f"t must have shape (N, C), one row of probabilities per sample, got shape {t.shape}"
        )
    _checks.check_finite(t, "t")
    if np.any(t < 0):
        raise ValueError(f"t must hold probabilities >= 0, got a minimum of {t.min()}")
    return -np.sum(np.where(t > 0, t * np.log(np.where(t > 0, t, 1)), 0), axis=1)


def kl_divergence(t, z):
    r"""KL divergence of the softmax of ``z`` from targets ``t``, per row, from the logits.

    .. math:: \mathrm{KL}(t_n \Vert h_n) = \sum_k t_{nk}\,(\log t_{nk} - \log h_{nk}) \;\ge 0

    Parameters
    ----------
    t : ndarray, shape (N, C) of target probabilities, or (N,) of int labels
    z : ndarray, shape (N, C)
        Logits, finite; ``log h`` is taken as :func:`course_utils.log_softmax`, never as the log of
        a probability that rounded to 0.

    Returns
    -------
    kl : ndarray, shape (N,)
        Zero exactly where ``h`` equals ``t``.
    """
    z = _checks.logits(z, ndim=(2,))
    t = _targets(t, z)
    log_h = log_softmax(z)
    # From the definition, the t = 0 terms dropped: not as cross-entropy minus entropy, so that
    # "cross-entropy = H(t) + KL" is a check of two independent computations, not an identity.
    log_t = np.log(np.where(t > 0, t, 1))
    return np.sum(np.where(t > 0, t * (log_t - log_h), 0), axis=1)
