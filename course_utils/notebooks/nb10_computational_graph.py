"""Companion of notebook 10 · Backprop as a computational graph.

The picture of a loss graph, the finite-difference VJP every node is checked against, the backward
pass with ``=`` in place of ``+=`` (the bug the notebook shows), the learner's softmax node plugged
into a two-layer network, and the checker of the exercise.
"""

from html import escape

import numpy as np

from .. import graph
from ..finite_differences import numerical_gradient
from ..gradcheck import rel_error
from ..i18n import _
from ..palette import COLORS
from ..softmax import softmax, softmax_jacobian, softmax_vjp
from ..svg import Picture
from ._checking import Exercise, Feedback, hidden_rng, normal, run_checks, see
from ._enforce import peak_bytes
from ._prediction import Prediction  # noqa: F401 - the notebook's committed prediction

SECTION = see("10_computational_graph", "Exercises")


# --- the picture of a graph ------------------------------------------------------------------------


def graph_rows(root):
    """One row per node of ``root``'s graph, inputs first: ``(label, op, shape, input labels)``."""
    order = graph.topological_order(root)
    labels = {}
    for k, node in enumerate(order):
        labels[id(node)] = node.name or f"{node.op}#{k}"
    return [(labels[id(n)], n.op, tuple(n.shape), tuple(labels[id(p)] for p in n.parents)) for n in order]


def describe_graph(root):
    """The graph as text, one node a line: what it is, its shape, what it was computed from."""
    lines = []
    for label, _op, shape, inputs in graph_rows(root):
        source = _("from {inputs}").format(inputs=", ".join(inputs)) if inputs else _("a leaf")
        lines.append(f"{label:<26} {str(shape):<9} {source}")
    return "\n".join(lines)


def _depths(root):
    depth = {}
    for node in graph.topological_order(root):
        depth[id(node)] = 1 + max((depth[id(p)] for p in node.parents), default=-1)
    return depth


def draw_graph(root, box=112, gap_x=30, gap_y=14, height=34):
    """The graph as boxes in columns by depth (leaves on the left, the loss on the right), arrows forward."""
    order = graph.topological_order(root)
    depth = _depths(root)
    columns = {}
    where = {}
    for node in order:
        col = depth[id(node)]
        row = columns.setdefault(col, 0)
        columns[col] += 1
        where[id(node)] = (10 + col * (box + gap_x), 10 + row * (height + gap_y))
    width = 20 + (max(columns) + 1) * (box + gap_x) - gap_x
    tall = 20 + max(columns.values()) * (height + gap_y) - gap_y
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{tall}" '
        'font-family="sans-serif" font-size="10">'
    ]
    for node in order:
        x, y = where[id(node)]
        for parent in node.parents:
            px, py = where[id(parent)]
            parts.append(
                f'<line x1="{px + box}" y1="{py + height / 2}" x2="{x}" y2="{y + height / 2}" '
                f'stroke="{COLORS["neutral"]}" stroke-width="1.5"/>'
            )
    for node in order:
        x, y = where[id(node)]
        leaf = not node.parents
        fill = "#ffffff" if leaf else "#eef6fb"
        title = escape(node.name if node.name else node.op)
        shape = escape(str(tuple(node.shape)))
        mid = x + box / 2
        parts.append(
            f'<rect x="{x}" y="{y}" width="{box}" height="{height}" rx="4" fill="{fill}" '
            f'stroke="{COLORS["target"]}"/>'
            f'<text x="{mid}" y="{y + 14}" text-anchor="middle" font-weight="bold">{title}</text>'
            f'<text x="{mid}" y="{y + 27}" text-anchor="middle">{shape}</text>'
        )
    parts.append("</svg>")
    return Picture("".join(parts))


# --- checking a node's VJP --------------------------------------------------------------------------


def vjp_by_differences(forward, x, g):
    r"""The VJP of ``forward`` at ``x`` for upstream ``g``, by central differences.

    .. math:: \frac{\partial}{\partial x}\,\langle g, f(x)\rangle

    ``forward`` maps an array shaped like ``x`` to one shaped like ``g``; returns an array shaped like
    ``x``. An independent route: it never calls a node's ``vjp``.
    """
    x = np.array(x, dtype=np.float64)
    g = np.asarray(g, dtype=np.float64)
    return numerical_gradient(lambda: float(np.sum(g * forward(x))), x)


# --- a value used twice -----------------------------------------------------------------------------


def backward_assigning(root):
    """:func:`course_utils.graph.backward` with ``=`` where it has ``+=``: the bug the notebook shows.

    A node used by two operations keeps only the share of the one visited last.
    """
    order = graph.topological_order(root)
    for node in order:
        node.grad = np.zeros_like(node.value)
    root.grad = np.ones_like(root.value)
    for node in reversed(order):
        if node.vjp is None:
            continue
        for parent, share in zip(node.parents, node.vjp(node.grad), strict=True):
            parent.grad = share


# --- the learner's softmax node in a whole network --------------------------------------------------


def network_with_your_rule(rule, net, X, y):
    """Backprop ``net``'s loss through a graph whose softmax node uses ``rule(h, g)``.

    Returns a dict: ``errors`` (per tensor, the relative error against ``net.gradients``) and
    ``problem`` (None, or why the rule could not be used: not written yet, or it raised).
    """
    loss, leaves = graph.two_layer(net, X, y, fused=False, softmax_vjp=rule)
    try:
        with np.errstate(all="ignore"):
            graph.backward(loss)
    except NotImplementedError:
        return {"errors": {}, "problem": _("softmax_node_vjp is not written yet (exercise 1)")}
    except Exception as exc:  # the learner's rule: report it, do not stop the notebook
        return {"errors": {}, "problem": f"{type(exc).__name__}: {exc}"}
    expected = net.gradients(X, y)
    return {"errors": {k: rel_error(leaves[k].grad, expected[k]) for k in expected}, "problem": None}


def describe_network_run(result, tol=1e-7):
    """One line per tensor: the relative error of the graph's gradient, ✓ under ``tol``, else ✗."""
    if result["problem"]:
        return _("The graph could not run with your rule: {problem}.").format(problem=result["problem"])
    lines = []
    for key, err in result["errors"].items():
        if err < tol:  # round-off differs from machine to machine: print the bound, not the digits
            lines.append(
                _("✓ {key}: equal to TwoLayerNet.gradients (relative error below {tol:g})").format(
                    key=key, tol=tol
                )
            )
        else:
            lines.append(
                _("✗ {key}: relative error {err:.2g} against TwoLayerNet.gradients").format(key=key, err=err)
            )
    return "\n".join(lines)


# --- the exercise -----------------------------------------------------------------------------------


def _reference(h, g):
    return h * (g - np.sum(g * h, axis=1, keepdims=True))


def _case(seed, N, C):
    return (softmax(normal(seed, (N, C)) * 2), normal(seed + 1, (N, C)))


def _upstream_of_cross_entropy(seed, N, C):
    """``h`` and what a weighted cross-entropy node sends it: −w_n t/(N h), nonzero at the labels only.

    With every weight 1, (h − t)/N would be the right answer here and ⟨g, h⟩ the same on every row;
    the weights keep both mistakes visible.
    """
    h = softmax(normal(seed, (N, C)))
    y = (2 * np.arange(N) + 1) % C  # labels repeat: a column's sum is not a row's
    w = 1 + np.arange(N)
    g = np.zeros_like(h)
    g[np.arange(N), y] = -w / (N * h[np.arange(N), y])
    return h, g


_BIG_C = 500


def check_softmax_node_vjp(fn):
    """Exercise: the softmax node's backward, ``fn(h, g) -> dz``, all shapes (N, C)."""
    cases = [
        # First: an answer that rebuilds t from g shows here, and with N = C a sum over the wrong
        # axis, or one without keepdims, broadcasts without an error, so its formula is named.
        _upstream_of_cross_entropy(45, 4, 4),
        _case(41, 5, 3),
        _case(43, 3, 6),
    ]
    mistakes = [
        (
            lambda h, g: h * (1 - h) * g,
            _(
                "that is h ⊙ (1 − h) ⊙ g, the Jacobian's diagonal alone: the sum ⟨g, h⟩ over each row, "
                "which carries the cross derivatives −h_i h_j, is missing; the rule is h ⊙ (g − ⟨g, h⟩)"
            ),
            see("02_softmax_jacobian", "Why the diagonal alone fails the gradient check"),
        ),
        (
            lambda h, g: h * (g - np.sum(g * h, axis=0, keepdims=True)),
            _(
                "the sum ⟨g, h⟩ runs over axis 0, down the batch: each sample has its own sum over its "
                "classes, np.sum(g * h, axis=1, keepdims=True)"
            ),
        ),
        (
            lambda h, g: h * (g - np.sum(g * h)),
            _(
                "that sum is over the whole array, every sample at once: each row needs its own "
                "⟨g, h⟩, np.sum(g * h, axis=1, keepdims=True)"
            ),
        ),
        (
            lambda h, g: h * (g - np.sum(g * h, axis=1)),
            _("np.sum(g * h, axis=1) has shape (N,) and was broadcast across columns: add keepdims=True"),
        ),
        (
            lambda h, g: h * (g - np.sum(g, axis=1, keepdims=True)),
            _("that subtracts Σ_k g_k, the plain sum of g: the rule weighs it by h, ⟨g, h⟩ = Σ_k g_k h_k"),
        ),
        (
            lambda h, g: g - h * np.sum(g, axis=1, keepdims=True),
            _(
                "that is g − h Σg, the backward of the log-softmax node; this node outputs h itself, "
                "and its backward is h ⊙ (g − ⟨g, h⟩)"
            ),
            see("10_computational_graph", "Log-softmax as a node"),
        ),
        (
            lambda h, g: h - g,
            _(
                "that is h − g, shaped like h − t: h − t is the backward of softmax and cross-entropy "
                "fused, t being the targets; g here is the upstream gradient, whatever the next node "
                "sends, and this node alone returns h ⊙ (g − ⟨g, h⟩)"
            ),
            see("10_computational_graph", "What PyTorch does"),
        ),
        (
            lambda h, g: g,
            _(
                "that passes g through unchanged, as if softmax were the identity: the node must "
                "multiply g by its Jacobian, h ⊙ (g − ⟨g, h⟩)"
            ),
        ),
        (
            lambda h, g: -_reference(h, g),
            _("the sign is flipped: the rule is h ⊙ (g − ⟨g, h⟩), not h ⊙ (⟨g, h⟩ − g)"),
        ),
        (
            lambda h, g: g - np.sum(g * h, axis=1, keepdims=True),
            _("the factor h in front is missing: the rule is h ⊙ (g − ⟨g, h⟩)"),
        ),
        (
            lambda h, g: g * h,
            _("that is g ⊙ h: the term −h ⟨g, h⟩ from the off-diagonal entries −h_i h_j is missing"),
        ),
    ]
    hints = [
        (
            lambda got, expected, args: _looks_like_h_minus_t(got, args),
            _(
                "that looks like h − t: the gradient of softmax and cross-entropy together (the fused "
                "node). This node is softmax alone: it knows h and the upstream g, whatever node sent g, "
                "and returns h ⊙ (g − ⟨g, h⟩)"
            ),
            see("10_computational_graph", "What PyTorch does"),
        ),
    ]
    verdict = run_checks(
        "softmax_node_vjp",
        fn,
        cases,
        _reference,
        mistakes,
        hints,
        section=SECTION,
        own=(softmax_vjp, softmax_jacobian, graph.softmax_rows_vjp),
        success=_(
            "h ⊙ (g − ⟨g, h⟩): the node's backward needs only its output h and the upstream g, "
            "no C × C matrix"
        ),
    )
    if verdict.passed:
        h, g = softmax(normal(47, (3, _BIG_C))), normal(48, (3, _BIG_C))
        peak = peak_bytes(fn, h, g)
        if peak is not None and peak > 0.25 * _BIG_C**2 * 8:
            return Feedback(
                "softmax_node_vjp",
                "wrong",
                _(
                    "right numbers, but your node builds the full C × C Jacobian: on 3 rows of C = {C} "
                    "classes it needed {mb:.1f} MB at its peak, where h itself takes {kb:.0f} kB; a graph "
                    "node must stay O(C) per sample: h ⊙ (g − ⟨g, h⟩)"
                ).format(C=_BIG_C, mb=peak / 1e6, kb=h.nbytes / 1e3),
                see("04_chain_rule_reduction", "The reduction"),
            )
    return verdict


def _looks_like_h_minus_t(got, args):
    """Whether the answer is h − t (or (h − t)/N) for some one-hot t, which the node cannot know."""
    h = np.asarray(args[0], dtype=float)
    try:
        got = np.asarray(got[0] if isinstance(got, tuple) else got, dtype=float)
    except (TypeError, ValueError):
        return False
    if got.shape != h.shape:
        return False
    for scale in (1.0, h.shape[0]):
        t = h - got * scale
        if np.allclose(t.sum(axis=1), 1) and np.allclose(np.sort(t, axis=1)[:, :-1], 0, atol=1e-9):
            return True
    return False


GRADED = [
    Exercise(
        "softmax_node_vjp",
        "softmax_node_vjp",
        check_softmax_node_vjp,
        _reference,
        lambda: (softmax(hidden_rng(21).normal(size=(6, 4)) * 2), hidden_rng(22).normal(size=(6, 4))),
        course_functions=(
            "course_utils.softmax.softmax_vjp",
            "course_utils.softmax.softmax_jacobian",
            "course_utils.graph.softmax_rows_vjp",
        ),
    ),
]
"""The exercises of notebook 10, as the teacher's grader scores them."""
