r"""A small reverse-mode engine over arrays: backprop seen as a computational graph.

Every operation below returns a :class:`Node` that keeps its value, the nodes it was computed from,
and its vector-Jacobian product (VJP): given ``g``, the gradient of the final scalar with respect to
the node's value, the VJP returns the gradient with respect to each input, in the input's shape.
:func:`backward` visits the nodes in reverse topological order and *adds* each share into its
input's ``grad`` with ``+=``: a value used by two operations gets a gradient from each, because the
chain rule sums over every path from the value to the loss.

This is what ``loss.backward()`` does in PyTorch: the forward pass records one node per operation,
``backward`` replays their VJPs in reverse. ``torch.nn.functional.cross_entropy`` takes logits, not
probabilities, because it is ``log_softmax`` then ``nll_loss``: two nodes, :func:`log_softmax` then
:func:`nll` here, that pass ``log h = z - LSE(z)`` between them, never ``h``. Their chained VJP is
``(h - t)/N``, finite where a softmax node followed by a cross-entropy node passes ``-t/(N h)``, which
overflows. :func:`softmax_cross_entropy` is the same ``(h - t)/N`` as a single node.

Batches are rows: inputs ``(N, D)``, logits ``(N, C)``, labels ``(N,)`` of int.
"""

import numpy as np

from . import _checks
from .activations import get_activation
from .losses import cross_entropy_and_grad
from .softmax import log_softmax as _log_softmax
from .softmax import softmax as _softmax


class Node:
    """One value in the graph.

    Attributes
    ----------
    value : ndarray
        What the forward pass computed (a 0-d array for a scalar).
    grad : ndarray or None
        ``d(root)/d(value)``, same shape as ``value``, after :func:`backward`; ``None`` before.
    parents : tuple of Node
        The inputs this value was computed from.
    op : str
        The operation's name, for printing the graph.
    """

    __slots__ = ("value", "grad", "parents", "vjp", "op", "name")

    def __init__(self, value, parents=(), vjp=None, op="input", name=None):
        self.value = value
        self.grad = None
        self.parents = tuple(parents)
        self.vjp = vjp
        self.op = op
        self.name = name

    @property
    def shape(self):
        return self.value.shape

    def __repr__(self):
        label = f"{self.name!r} " if self.name else ""
        return f"Node({label}{self.op}, shape {self.shape})"


def variable(x, name=None):
    """A leaf: an input or a parameter, ``x`` any float array; its gradient lands in ``.grad``."""
    return Node(_checks.as_float_array(x, name or "x"), name=name)


def _node(x, role):
    if not isinstance(x, Node):
        raise ValueError(f"{role} must be a Node (make one with graph.variable), got {type(x).__name__}")
    return x


def _matrix(x, role):
    x = _node(x, role)
    if x.value.ndim != 2:
        raise ValueError(f"{role} must be a matrix, shape (rows, columns), got shape {x.shape}")
    return x


def matmul(a, b):
    r"""``a @ b`` for ``a`` (N, D) and ``b`` (D, H): VJP :math:`(g B^\top,\ A^\top g)`."""
    a, b = _matrix(a, "a"), _matrix(b, "b")
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"matmul needs a (N, D) and b (D, H), got a {a.shape} and b {b.shape}")
    A, B = a.value, b.value
    return Node(A @ B, (a, b), lambda g: (g @ B.T, A.T @ g), "matmul")


def add_bias(a, b):
    r"""``a + b`` for ``a`` (N, H) and a bias ``b`` (H,), added to every row: VJP :math:`(g, \sum_n g_n)`."""
    a, b = _matrix(a, "a"), _node(b, "b")
    if b.value.shape != (a.shape[1],):
        raise ValueError(
            f"the bias must have shape ({a.shape[1]},) to add to a of shape {a.shape}, got {b.shape}"
        )
    return Node(a.value + b.value, (a, b), lambda g: (g, g.sum(axis=0)), "add_bias")


def add(a, b):
    r"""``a + b`` for nodes of the same shape (scalars included): VJP :math:`(g, g)`."""
    a, b = _node(a, "a"), _node(b, "b")
    _checks.same_shape(a.value, b.value, "a", "b")
    return Node(a.value + b.value, (a, b), lambda g: (g, g), "add")


def multiply(a, b):
    r"""``a * b`` elementwise, same shapes: VJP :math:`(g \odot b,\ g \odot a)`."""
    a, b = _node(a, "a"), _node(b, "b")
    _checks.same_shape(a.value, b.value, "a", "b")
    A, B = a.value, b.value
    return Node(A * B, (a, b), lambda g: (g * B, g * A), "multiply")


def activation(a, name):
    r"""``f(a)`` elementwise for a hidden activation of the course: VJP :math:`g \odot f'(a)`."""
    a = _node(a, "a")
    act = get_activation(name)
    pre = a.value
    return Node(act.f(pre), (a,), lambda g: (g * act.df(pre),), act.name)


def softmax_rows_vjp(h, g):
    r"""The softmax node's VJP from its output: :math:`dz = h \odot (g - \langle g, h\rangle)`, row by row.

    ``h`` and ``g`` have shape (N, C); returns ``dz`` (N, C).
    """
    inner = np.einsum("nc,nc->n", g, h)[:, None]  # <g_n, h_n>, one per row
    return h * (g - inner)


def softmax(z, vjp=None):
    r"""Softmax over each row of ``z`` (N, C).

    ``vjp(h, g) -> dz`` is the node's backward, by default :func:`softmax_rows_vjp`; pass your own to
    watch its gradients flow through a whole network. It must return an array of shape (N, C).
    """
    z = _matrix(z, "z")
    h = _softmax(z.value)
    backward_rule = softmax_rows_vjp if vjp is None else vjp

    def rule(g):
        dz = np.asarray(backward_rule(h, g))
        if dz.shape != h.shape:
            raise ValueError(
                f"the softmax node's VJP must return shape {h.shape}, one row per sample, got {dz.shape}"
            )
        return (dz,)

    return Node(h, (z,), rule, "softmax")


def log_softmax(z):
    r"""Log-softmax over each row of ``z`` (N, C).

    VJP :math:`g - h \sum_k g_k`, row by row, with :math:`h = e^{\log h}` the softmax.
    """
    z = _matrix(z, "z")
    log_h = _log_softmax(z.value)
    h = np.exp(log_h)
    return Node(log_h, (z,), lambda g: (g - h * g.sum(axis=1, keepdims=True),), "log_softmax")


def _label_targets(y, node):
    kind, y = _checks.targets(y, node.value, name="y")
    if kind != "labels":
        raise ValueError(f"y must hold integer labels, shape ({node.shape[0]},), got shape {np.shape(y)}")
    return y


def cross_entropy(h, y):
    r"""Mean cross-entropy of probabilities ``h`` (N, C) against labels ``y`` (N,).

    :math:`L = -\frac1N \sum_n \log h_{n, y_n}`, VJP :math:`-\frac{g}{N h_{n,y_n}}` at the label entries
    and 0 elsewhere: this is the ``-t/h`` that overflows when a probability rounds to 0.
    """
    h = _matrix(h, "h")
    y = _label_targets(y, h)
    rows, N = np.arange(h.shape[0]), h.shape[0]
    picked = h.value[rows, y]
    with np.errstate(divide="ignore"):
        loss = -np.mean(np.log(picked))

    def rule(g):
        dh = np.zeros_like(h.value)
        with np.errstate(divide="ignore"):
            dh[rows, y] = -g / (N * picked)
        return (dh,)

    return Node(np.asarray(loss), (h,), rule, "cross_entropy")


def nll(log_h, y):
    r"""Mean negative log-likelihood from log-probabilities ``log_h`` (N, C) and labels ``y`` (N,).

    :math:`L = -\frac1N\sum_n \log h_{n,y_n}`, VJP :math:`-g/N` at the label entries, 0 elsewhere.
    """
    log_h = _matrix(log_h, "log_h")
    y = _label_targets(y, log_h)
    rows, N = np.arange(log_h.shape[0]), log_h.shape[0]

    def rule(g):
        d = np.zeros_like(log_h.value)
        d[rows, y] = -g / N
        return (d,)

    return Node(np.asarray(-np.mean(log_h.value[rows, y])), (log_h,), rule, "nll")


def softmax_cross_entropy(z, y):
    r"""Softmax and cross-entropy fused, from logits ``z`` (N, C): VJP :math:`g\,(h - t)/N`."""
    z = _matrix(z, "z")
    y = _label_targets(y, z)
    loss, dz = cross_entropy_and_grad(z.value, y)
    return Node(np.asarray(loss), (z,), lambda g: (g * dz,), "softmax_cross_entropy")


def l2(w, reg):
    r"""The penalty :math:`\frac{\lambda}{2}\lVert W\rVert^2` for any-shaped ``w``, ``reg`` = λ >= 0.

    VJP :math:`g \lambda W`.
    """
    w = _node(w, "w")
    if isinstance(reg, bool) or not isinstance(reg, (int, float, np.floating, np.integer)) or not reg >= 0:
        raise ValueError(f"reg must be a number >= 0, got {reg!r}")
    W = w.value
    return Node(np.asarray(0.5 * reg * np.sum(W * W)), (w,), lambda g: (g * reg * W,), "l2")


def topological_order(root):
    """Every node ``root`` depends on, each after all of its inputs (iterative: no recursion limit)."""
    order, seen, stack = [], set(), [(_node(root, "root"), False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((p, False) for p in node.parents if id(p) not in seen)
    return order


def backward(root):
    """Fill ``.grad`` of every node ``root`` depends on with ``d(root)/d(node)``; ``root`` is a scalar.

    Gradients accumulate with ``+=``: a node used twice receives the sum of both uses' shares.
    """
    root = _node(root, "root")
    if root.value.shape != ():
        raise ValueError(f"backward starts from a scalar loss, shape (), got shape {root.shape}")
    order = topological_order(root)
    for node in order:
        node.grad = np.zeros_like(node.value)
    root.grad = np.ones_like(root.value)
    for node in reversed(order):
        if node.vjp is None:
            continue
        shares = node.vjp(node.grad)
        for parent, share in zip(node.parents, shares, strict=True):
            parent.grad += share


def network(X, y, layers, hidden="relu", *, reg=0.0, fused=True, softmax_vjp=None):
    r"""The loss graph of a classifier with any number of hidden layers.

    ``X -> [affine -> f] * (L - 1) -> affine -> softmax -> cross-entropy``, plus
    :math:`\frac{\lambda}{2}\sum_l \lVert W_l\rVert^2`.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    y : ndarray, shape (N,) of int, labels in ``[0, C)``
    layers : list of (W, b)
        ``W`` of shape (D_in, D_out) and ``b`` of shape (D_out,), the last layer's D_out being C.
    hidden : str
        The hidden activation's name (:data:`course_utils.ACTIVATIONS`).
    reg : float
        λ >= 0.
    fused : bool
        One :func:`softmax_cross_entropy` node, or separate :func:`softmax` and :func:`cross_entropy`.
    softmax_vjp : callable ``(h, g) -> dz`` or None
        The separate softmax node's backward (only with ``fused=False``).

    Returns
    -------
    loss : Node
        A scalar; call :func:`backward` on it.
    params : list of (Node, Node)
        The leaves ``(W, b)`` of each layer, whose ``.grad`` the backward pass fills.
    """
    if not layers:
        raise ValueError("layers must hold at least one (W, b) pair, got none")
    if softmax_vjp is not None and fused:
        raise ValueError("softmax_vjp is the separate softmax node's backward: pass fused=False with it")
    a = variable(X, "X")
    params, penalties = [], []
    for i, (W, b) in enumerate(layers, start=1):
        w_node, b_node = variable(W, f"W{i}"), variable(b, f"b{i}")
        params.append((w_node, b_node))
        a = add_bias(matmul(a, w_node), b_node)
        if i < len(layers):
            a = activation(a, hidden)
        if reg:
            penalties.append(l2(w_node, reg))
    loss = softmax_cross_entropy(a, y) if fused else cross_entropy(softmax(a, softmax_vjp), y)
    for penalty in penalties:
        loss = add(loss, penalty)
    return loss, params


def two_layer(net, X, y, reg=0.0, *, fused=True, softmax_vjp=None):
    """The graph of a :class:`course_utils.TwoLayerNet`'s loss.

    Returns ``(loss, leaves)``, the leaves keyed like ``net.params`` (``W1, b1, W2, b2``).
    """
    p = net.params
    loss, [(W1, b1), (W2, b2)] = network(
        X,
        y,
        [(p["W1"], p["b1"]), (p["W2"], p["b2"])],
        net.hidden,
        reg=reg,
        fused=fused,
        softmax_vjp=softmax_vjp,
    )
    return loss, {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
