r"""Why the first learner's columns differ, exactly: the binary cost's gradient through a softmax.

:mod:`course_utils.mismatch` reproduces the learner's tables; this module says what the numerical
column *is*. Through a softmax output ``h = softmax(z)``, the binary cost
:math:`J = -\frac1N\sum_n\sum_k [Y_{nk}\log h_{nk} + (1 - Y_{nk})\log(1 - h_{nk})]` has, per sample,

.. math:: N\,dz = (h - Y) + h \odot (u - \langle u, h\rangle), \qquad u_k = \frac{[k \ne y]}{1 - h_k}

while backprop's ``a3 - Y`` keeps only the first term. The second term is exactly
:math:`(h - Y)/(K - 1)` at uniform outputs (ratio :math:`K/(K-1)`) and grows as outputs sharpen.
:func:`mismatch_ratio` measures the ratio on a :class:`~course_utils.network.TwoLayerNet`;
:func:`ratio_against_scale` and :func:`ratio_along_training` trace it.
"""

import numpy as np

from .losses import binary_cross_entropy, cross_entropy_grad
from .softmax import softmax


def _one_hot(y, K):
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must be integer labels of shape (N,), got dtype {y.dtype} shape {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= K):
        raise ValueError(f"labels must lie in [0, {K}), got {y.min()}..{y.max()}")
    return np.eye(K)[y]


def binary_cost_of_logits(z, y):
    r"""The binary cost of the softmax outputs, as a function of the logits ``z`` (N, K).

    .. math:: J(z) = -\frac1N\sum_{n,k}\bigl[Y_{nk}\log h_{nk} + (1 - Y_{nk})\log(1 - h_{nk})\bigr],
              \quad h = \operatorname{softmax}(z)
    """
    return binary_cross_entropy(softmax(z), y)


def binary_cost_logit_grad(z, y):
    r"""Exact gradient of :func:`binary_cost_of_logits` with respect to the logits.

    .. math:: dz = \frac1N\Bigl[(h - Y) + h \odot \bigl(u - \langle u, h\rangle\bigr)\Bigr],
              \qquad u_{nk} = \frac{[k \ne y_n]}{1 - h_{nk}}

    Parameters
    ----------
    z : ndarray, shape (N, K)
        Logits.
    y : ndarray, shape (N,)
        Integer labels in ``[0, K)``.

    Returns
    -------
    dz : ndarray, shape (N, K)
    """
    z = np.asarray(z, dtype=np.float64)
    h = softmax(z)
    Y = _one_hot(y, z.shape[1])
    u = (1 - Y) / (1 - h)
    return ((h - Y) + h * (u - np.sum(u * h, axis=1, keepdims=True))) / z.shape[0]


def backprop_from_logits(net, X, dz):
    """Push a logit gradient ``dz`` (N, C) back through ``net``: a dict of W1, b1, W2, b2 gradients."""
    z, (X, pre, a1) = net.forward(X)
    dpre = (dz @ net.params["W2"].T) * net.activation.df(pre)  # (N, H)
    return {"W1": X.T @ dpre, "b1": dpre.sum(axis=0), "W2": a1.T @ dz, "b2": dz.sum(axis=0)}


def _flat(grads):
    return np.concatenate([np.ravel(grads[k]) for k in ("W1", "b1", "W2", "b2")])


def mismatch_gradients(net, X, y):
    """The two columns of the learner's check on ``net``: the binary cost's gradient, and backprop's.

    Returns
    -------
    binary, learner : dict
        Gradients of :func:`binary_cost_of_logits` (what finite differences of the printed cost
        measure) and of backprop started from ``(h - Y)/N``, each keyed W1, b1, W2, b2.
    """
    z, _ = net.forward(X)
    binary = backprop_from_logits(net, X, binary_cost_logit_grad(z, y))
    learner = backprop_from_logits(net, X, cross_entropy_grad(z, y))
    return binary, learner


def mismatch_ratio(net, X, y):
    """Least-squares ratio binary / learner over every parameter of ``net`` (K/(K-1) at uniform h)."""
    binary, learner = (_flat(g) for g in mismatch_gradients(net, X, y))
    return float(binary @ learner / (learner @ learner))


def ratio_against_scale(net, X, y, scales):
    """:func:`mismatch_ratio` with both weight matrices multiplied by each of ``scales``."""
    W1, W2 = net.params["W1"].copy(), net.params["W2"].copy()
    out = []
    try:
        for s in scales:
            net.params["W1"], net.params["W2"] = W1 * s, W2 * s
            out.append(mismatch_ratio(net, X, y))
    finally:
        net.params["W1"], net.params["W2"] = W1, W2
    return np.array(out)


def ratio_along_training(net, X, y, steps, *, lr=0.5, batch=32, seed=0):
    """Train ``net`` by SGD on cross-entropy for ``steps`` steps, measuring the ratio on all of X.

    Returns
    -------
    ratios : ndarray, shape (steps + 1,)
        The ratio before the first step and after each one.
    confidence : ndarray, shape (steps + 1,)
        The mean softmax probability of the true class on X at the same moments.
    """
    rng = np.random.default_rng(seed)
    ratios, confidence = [], []
    for step in range(steps + 1):
        ratios.append(mismatch_ratio(net, X, y))
        h = softmax(net.forward(X)[0])
        confidence.append(float(np.mean(h[np.arange(len(y)), y])))
        if step == steps:
            break
        rows = rng.choice(len(y), size=batch, replace=False)
        for k, g in net.gradients(X[rows], y[rows]).items():
            net.params[k] -= lr * g
    return np.array(ratios), np.array(confidence)
