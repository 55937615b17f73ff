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
from ..softmax import log_softmax_vjp, softmax, softmax_jacobian, softmax_vjp
from ..svg import Picture
from ._checking import Exercise, Feedback, hidden_rng, normal, run_checks, see
from ._enforce import peak_bytes
from ._guard import PEAK_ATTRIBUTE
from ._nb10_deeper import layer_gradients, layer_stack  # noqa: F401 - one step past one hidden layer
from ._nb10_mistakes import log_softmax_node_mistakes, softmax_node_mistakes
from ._nb10_reuse import reuse_choice  # noqa: F401 - the prediction's answer, from the measured ratio
from ._prediction import Prediction  # noqa: F401 - the notebook's committed prediction
from ._view import LiveView
from ._when_raised import limited, replies_when_stalled

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


def graph_state(hidden_layers=1, fused=False, reg=0.0, hidden="tanh"):
    """A classifier's loss graph (5 inputs, layers of 4, 3 classes, 6 samples), run backward.

    Returns ``loss`` (the root node), ``nodes`` (how many), ``error`` (the relative error, a norm ratio, of
    the first layer's weight gradient against finite differences of the loss) and the settings.
    """
    if hidden_layers not in (1, 2, 3):
        raise ValueError(f"hidden_layers must be 1, 2 or 3, got {hidden_layers!r}")
    if not reg >= 0:
        raise ValueError(f"reg must be a number >= 0, got {reg}")
    rng = np.random.default_rng(0)
    sizes = [5] + [4] * hidden_layers + [3]
    layers = [(rng.normal(size=(a, b)) * 0.8, rng.normal(size=b) * 0.1) for a, b in zip(sizes, sizes[1:])]
    X, y = rng.normal(size=(6, 5)), np.array([0, 1, 2, 0, 1, 2])
    loss, params = graph.network(X, y, layers, hidden, reg=reg, fused=fused)
    graph.backward(loss)

    def value():
        return float(graph.network(X, y, layers, hidden, reg=reg, fused=fused)[0].value)

    # The first layer's weights: every path to the loss runs through them (and finite differences
    # of them alone keep a widget update fast).
    error = rel_error(params[0][0].grad, numerical_gradient(value, layers[0][0]))
    return {
        "loss": loss,
        "nodes": len(graph.topological_order(loss)),
        "error": float(error),
        "hidden_layers": hidden_layers,
        "fused": fused,
        "reg": reg,
    }


def describe_graph_state(state):
    verdict = "✓" if state["error"] < 1e-6 else "✗"
    return _(
        "{nodes} nodes; one backward loop over them gives every gradient; W1's: {verdict} against "
        "finite differences (relative error {bound})"
    ).format(
        nodes=state["nodes"],
        verdict=verdict,
        bound=_("below 1e-6") if state["error"] < 1e-6 else f"{state['error']:.2g}",
    )


def graph_widget():
    """Hidden layers, separate or fused loss nodes, an L2 penalty: the graph redrawn, its backward checked."""
    import ipywidgets as w

    controls = {
        "hidden_layers": w.IntSlider(value=1, min=1, max=3, description=_("hidden layers")),
        "fused": w.ToggleButtons(
            options=[(_("softmax, then cross-entropy"), False), (_("fused loss node"), True)], value=False
        ),
        "reg": w.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.1, description="L2 λ"),
    }
    return LiveView(
        controls,
        graph_state,
        draw=lambda s, **_: draw_graph(s["loss"]),
        describe=lambda s, **_: describe_graph_state(s),
    )


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


@replies_when_stalled("softmax_node_vjp")
def check_softmax_node_vjp(fn):
    """Exercise: the softmax node's backward, ``fn(h, g) -> dz``, all shapes (N, C)."""
    cases = [
        # First: an answer that rebuilds t from g shows here, and with N = C a sum over the wrong
        # axis, or one without keepdims, broadcasts without an error, so its formula is named.
        _upstream_of_cross_entropy(45, 4, 4),
        _case(41, 5, 3),
        _case(43, 3, 6),
    ]
    mistakes = softmax_node_mistakes(_reference)
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
        # The time limit holds here too; a hand-in graded in the sandbox comes as a proxy that measures its
        # own peak there (PEAK_ATTRIBUTE), and a wrapper would hide that measurement.
        measured = fn if hasattr(fn, PEAK_ATTRIBUTE) else (lambda *a: limited(fn, *a))
        peak = peak_bytes(measured, h, g)
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


def _log_softmax_reference(log_h, g):
    return g - np.exp(log_h) * np.sum(g, axis=1, keepdims=True)


def check_log_softmax_node_vjp(fn):
    """Exercise: the log-softmax node's backward, ``fn(log_h, g) -> dz``, all shapes (N, C)."""

    def case(seed, N, C):
        z = normal(seed, (N, C)) * 2
        return (z - np.log(np.sum(np.exp(z), axis=1, keepdims=True)), normal(seed + 1, (N, C)))

    # A row whose other classes trail by 800: h rounds to 0 there (float64), so a rule that divides
    # by h gives NaN while g - h * sum(g) stays finite; without it a dividing route would pass.
    far = np.array([[0.0, -800.0, -800.0, 1.0], [2.0, -1.0, 0.5, 0.0]])
    far_case = (far - np.log(np.sum(np.exp(far), axis=1, keepdims=True)), normal(57, (2, 4)))
    cases = [case(51, 4, 4), case(53, 3, 5), far_case]
    here = see("10_computational_graph", "Log-softmax as a node")
    mistakes = log_softmax_node_mistakes(here)
    return run_checks(
        "log_softmax_node_vjp",
        fn,
        cases,
        _log_softmax_reference,
        mistakes,
        section=here,
        own=(log_softmax_vjp,),
        success=_("g − h Σg, with h = exp(log h): no division by h anywhere, so it stays finite"),
    )


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
    Exercise(
        "log_softmax_node_vjp",
        "log_softmax_node_vjp",
        check_log_softmax_node_vjp,
        _log_softmax_reference,
        lambda: (
            np.log(softmax(hidden_rng(23).normal(size=(5, 4)) * 2)),
            hidden_rng(24).normal(size=(5, 4)),
        ),
        course_functions=("course_utils.softmax.log_softmax_vjp",),
    ),
]
"""The exercises of notebook 10, as the teacher's grader scores them."""
