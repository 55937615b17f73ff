r"""Notebook 10, one step past one hidden layer: what the gradient meets on its way down a deeper network.

Each hidden layer ``l`` computes :math:`z_l = a_{l-1} W_l + b_l` and :math:`a_l = f(z_l)`; on the way
back the gradient goes through one factor :math:`f'(z_l)` and one :math:`W_l^\top` per layer:

.. math:: da_l = dz_{l+1} W_{l+1}^\top, \qquad dz_l = da_l \odot f'(z_l), \qquad dW_l = a_{l-1}^\top dz_l.

:func:`layer_stack` makes the weights, :func:`layer_gradients` runs :func:`course_utils.graph.network`
forward and backward and measures, per hidden layer, what the notebook's claims are about.
"""

import numpy as np

from .. import graph

SATURATED = 2.0
r"""A tanh unit counts as saturated where :math:`|z| > 2`: there :math:`\tanh'(z) < 0.071`."""


def layer_stack(sizes, *, scale=1.0, bias=0.0, seed=0):
    r"""Weights and biases for a network with layer widths ``sizes``: a list of ``(W, b)``.

    .. math:: W_l \sim \mathcal{N}\!\left(0, \tfrac{\text{scale}^2}{n_{l-1}}\right), \qquad b_l = \text{bias}

    ``sizes = [D, H_1, ..., C]``; ``W_l`` has shape ``(sizes[l-1], sizes[l])``. ``scale = 1`` keeps the
    variance of a tanh layer's pre-activations near that of its inputs; ``scale = sqrt(2)`` is He's
    initialisation for ReLU. ``bias`` is every bias's starting value.
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes must list at least two positive widths [D, ..., C], got {sizes}")
    if not scale > 0:
        raise ValueError(f"scale must be a number > 0, got {scale!r}")
    rng = np.random.default_rng(seed)
    return [
        (rng.standard_normal((a, b)) * scale / np.sqrt(a), np.full(b, float(bias)))
        for a, b in zip(sizes, sizes[1:])
    ]


def layer_gradients(X, y, layers, hidden):
    r"""Backprop a classifier's loss through the graph and measure each hidden layer, input side first.

    Parameters
    ----------
    X : ndarray, shape (N, D); y : ndarray, shape (N,) of int
    layers : list of (W, b), as :func:`layer_stack` makes them
    hidden : str
        The hidden activation's name.

    Returns
    -------
    dict of ndarray, each of shape (L - 1,) for the L - 1 hidden layers, input side first
        ``da`` the norm of :math:`dL/da_l` (what arrives from above), ``dz`` the norm of
        :math:`dL/dz_l` (after the factor :math:`f'(z_l)`), ``dW`` the norm of :math:`dL/dW_l`,
        ``saturated`` the share of entries of :math:`z_l` with :math:`|z| >` :data:`SATURATED`,
        ``zero_gradient`` the share of units whose gradient is exactly 0 (their column of
        :math:`dW_l` and their entry of :math:`db_l` all 0) and ``never_active`` the share whose
        pre-activation is :math:`\le 0` on every sample; ``zero_units`` and ``never_active_units``,
        lists of boolean arrays of shape (H_l,), say which units those are. Also ``logits`` (N, C),
        the top layer's output, and ``dlogits`` (N, C), the gradient the loss node sent it.
    """
    if len(layers) < 2:
        raise ValueError(f"layers must hold at least two (W, b) pairs (one hidden layer), got {len(layers)}")
    loss, params = graph.network(X, y, layers, hidden)
    graph.backward(loss)
    order = graph.topological_order(loss)
    pre = [node for node in order if node.op == "add_bias"]
    post = [node for node in order if node.op == hidden]
    logits = pre.pop()  # the top layer's affine output, the loss node's input
    if len(pre) != len(layers) - 1 or len(post) != len(pre):
        raise ValueError(f"expected {len(layers) - 1} hidden layers in the graph, found {len(pre)}")
    rows, zero_units, never_active_units = [], [], []
    for z, a, (W, b) in zip(pre, post, params[:-1], strict=True):
        zero = np.all(W.grad == 0, axis=0) & (b.grad == 0)
        zero_units.append(zero)
        never_active_units.append(np.all(z.value <= 0, axis=0))
        rows.append(
            (
                np.linalg.norm(a.grad),
                np.linalg.norm(z.grad),
                np.linalg.norm(W.grad),
                np.mean(np.abs(z.value) > SATURATED),
                np.mean(zero),
                np.mean(never_active_units[-1]),
            )
        )
    columns = np.array(rows, dtype=np.float64).T
    names = ("da", "dz", "dW", "saturated", "zero_gradient", "never_active")
    out = dict(zip(names, columns, strict=True))
    out["zero_units"], out["never_active_units"] = zero_units, never_active_units
    out["logits"], out["dlogits"] = logits.value, logits.grad
    return out
