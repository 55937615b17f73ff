r"""Why the first learner's columns differ, exactly: the binary cost's gradient through a softmax.

:mod:`course_utils.mismatch` reproduces the learner's tables; this module says what the numerical
column *is*. Through a softmax output ``h = softmax(z)``, the binary cost
:math:`J = -\frac1N\sum_n\sum_k [Y_{nk}\log h_{nk} + (1 - Y_{nk})\log(1 - h_{nk})]` has, per sample,

.. math:: N\,dz = (h - Y) + h \odot (u - \langle u, h\rangle), \qquad u_k = \frac{[k \ne y]}{1 - h_k}

while backprop's ``a3 - Y`` keeps only the first term. The second term is exactly
:math:`(h - Y)/(K - 1)` at uniform outputs (ratio :math:`K/(K-1)`) and grows as outputs sharpen.
:func:`mismatch_ratio` measures the ratio on a :class:`~course_utils.network.TwoLayerNet`;
:func:`ratio_against_scale` and :func:`ratio_along_training` trace it, :func:`plot_ratio_curves`
draws both, and :func:`plot_learner_tables` puts the learner's printed rows against the line y = x.
"""

import numpy as np

from . import plotting  # noqa: F401  (loaded, it gives the figures the chosen language's fonts)
from .i18n import _
from .losses import binary_cross_entropy, cross_entropy_grad
from .mismatch import LEARNER_TABLES
from .palette import COLORS
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
    z = net.forward(X)[0]
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


def ratio_along_training(net, X, y, steps, *, lr=0.5, batch=32, seed=0, every=1):
    """Train ``net`` by SGD on cross-entropy for ``steps`` steps, measuring the ratio on all of X.

    The ratio is measured before the first step and after every ``every``-th one (``steps`` must
    be a multiple of ``every``); measuring is what costs time, the steps themselves are cheap.

    Returns
    -------
    ratios : ndarray, shape (steps // every + 1,)
        The ratio before the first step and after steps every, 2·every, ..., steps.
    confidence : ndarray, shape (steps // every + 1,)
        The mean softmax probability of the true class on X at the same moments.
    """
    if every < 1 or steps % every:
        raise ValueError(f"steps must be a multiple of every >= 1, got steps={steps}, every={every}")
    rng = np.random.default_rng(seed)
    ratios, confidence = [], []
    for step in range(steps + 1):
        if step % every == 0:
            ratios.append(mismatch_ratio(net, X, y))
            h = softmax(net.forward(X)[0])
            confidence.append(float(np.mean(h[np.arange(len(y)), y])))
        if step == steps:
            break
        rows = rng.choice(len(y), size=batch, replace=False)
        for k, g in net.gradients(X[rows], y[rows]).items():
            net.params[k] -= lr * g
    return np.array(ratios), np.array(confidence)


def plot_learner_tables(axes=None):
    """Numerical against analytic for each of the learner's three printed tables, with y = x.

    Symmetric-log axes, so that entries from 1e-6 to 1e-2 are all visible and y = x stays straight.
    """
    import matplotlib.pyplot as plt

    keys = [("sigmoid", "sigmoid"), ("sigmoid", "softmax"), ("tanh", "softmax")]
    if axes is None:
        axes = plt.subplots(1, 3, figsize=(10, 3.4), layout="constrained")[1]
    for ax, (k, key) in zip(axes, enumerate(keys, start=1)):
        rows = np.array(LEARNER_TABLES[key])
        num, ana = rows[:, 0], rows[:, 1]
        slope = float(num @ ana / (ana @ ana))
        agree = np.allclose(num, ana)
        lim = 1.5 * np.abs(rows).max()
        ax.plot([-lim, lim], [-lim, lim], color="black", linestyle="--", linewidth=1, label="y = x")
        ax.scatter(ana, num, s=18, color=COLORS["numerical"], label=_("printed entries"), zorder=3)
        ticks = [-1e-2, -1e-4, 0, 1e-4, 1e-2]
        labels = ["−1e-2", "−1e-4", "0", "1e-4", "1e-2"]
        ax.set_xscale("symlog", linthresh=1e-5)
        ax.set_yscale("symlog", linthresh=1e-5)
        ax.set_xticks(ticks, labels)
        ax.set_yticks(ticks, labels)
        ax.set_xlabel(_("analytic (backprop)"))
        ax.set_ylabel(_("numerical (finite differences)"))
        verdict = _("✓ on y = x") if agree else _("✗ off y = x, slope {slope:.2f}").format(slope=slope)
        title = _("table {k}: {hidden} / {output}").format(k=k, hidden=key[0], output=key[1])
        ax.set_title(f"{title}\n{verdict}", fontsize=9)
        ax.legend(fontsize=7, loc="upper left")
    return axes


def plot_ratio_curves(scales, by_scale, steps, by_step, ax_pair=None):
    """The ratio numerical / analytic against weight scale and along training, one line per K.

    ``by_scale`` and ``by_step`` map K to the ratios at ``scales`` and at ``steps``.
    """
    import matplotlib.pyplot as plt

    if ax_pair is None:
        ax_pair = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained")[1]
    styles = {3: "-", 10: "--"}
    for ax, xs, curves in ((ax_pair[0], scales, by_scale), (ax_pair[1], steps, by_step)):
        for K, ratios in curves.items():
            ax.plot(
                xs,
                ratios,
                styles.get(K, ":"),
                color=COLORS["numerical"],
                label=_("K = {K}: measured").format(K=K),
            )
            ax.axhline(K / (K - 1), color="black", linestyle=":", linewidth=1)
            ax.text(xs[0], K / (K - 1), f" K/(K−1) = {K / (K - 1):.3g}", va="bottom", fontsize=7)
        ax.set_ylabel(_("numerical / analytic (least squares)"))
        # Below the axes, so that it covers no curve.
        ax.legend(
            fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=len(curves), frameon=False
        )
    ax_pair[0].set_xscale("log")
    ax_pair[0].set_xlabel(_("weight scale s (W1, W2 multiplied by s)"))
    ax_pair[0].set_title(_("Larger weights, sharper outputs: the ratio leaves K/(K−1)"), fontsize=9)
    ax_pair[1].set_xlabel(_("SGD steps on cross-entropy"))
    ax_pair[1].set_title(_("Training sharpens the outputs: the ratio climbs"), fontsize=9)
    return ax_pair
