"""The mistakes the checkers of notebook 10 name: each one the wrong formula itself, run on the same input."""

import numpy as np

from ..i18n import _
from ..softmax import softmax_vjp
from ._checking import see


def softmax_node_mistakes(right):
    """Wrong backward rules for the softmax node, ``(h, g) -> dz``; ``right`` is the right one."""
    return [
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
            lambda h, g: -right(h, g),
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
        (
            lambda h, g: h * (g - g @ h.T),
            _(
                "g @ h.T is an N × N matrix, every sample's g against every sample's h; it only ran "
                "because N = C in this case, for any other batch its shape does not fit g (N, C): "
                "⟨g, h⟩ is one number per sample, np.sum(g * h, axis=1, keepdims=True)"
            ),
        ),
        (
            lambda h, g: right(h, g) / h.shape[0],
            _(
                "N times too small (N, the batch size): this node has no 1/N of its own; the mean's 1/N "
                "is already in g, which the loss node sent, and a node's backward only multiplies g by "
                "its own Jacobian: h ⊙ (g − ⟨g, h⟩), with no division"
            ),
        ),
        (
            lambda h, g: softmax_vjp(h, g),
            _(
                "that is the course's own cu.softmax_vjp(h, g): it takes the logits z and applies softmax "
                "to them first, so on h it works with softmax(h), not h; this node is given h itself: "
                "write h ⊙ (g − ⟨g, h⟩) with NumPy yourself (a graded hand-in that calls the course's "
                "function scores 0 anyway)"
            ),
        ),
        (
            lambda h, g: h * (g - h),
            _(
                "that subtracts h itself where ⟨g, h⟩ belongs: ⟨g, h⟩ = Σ_k g_k h_k is one number per "
                "sample, np.sum(g * h, axis=1, keepdims=True); the rule is h ⊙ (g − ⟨g, h⟩)"
            ),
        ),
        (
            lambda h, g: h * (g - np.mean(g, axis=1, keepdims=True)),
            _(
                "that subtracts the plain mean of each row of g; the rule subtracts ⟨g, h⟩ = Σ_k g_k h_k, "
                "the average of g weighed by h: h ⊙ (g − ⟨g, h⟩)"
            ),
        ),
        (
            lambda h, g: (1 - h) * (g - np.sum(g * h, axis=1, keepdims=True)),
            _(
                "the factor in front is 1 − h; the rule's factor is h itself, h ⊙ (g − ⟨g, h⟩) (1 − h "
                "appears only in the diagonal entries h_i (1 − h_i) of the Jacobian)"
            ),
        ),
        (
            lambda h, g: g * (h - np.sum(g * h, axis=1, keepdims=True)),
            _("g and h have swapped places: the rule is h ⊙ (g − ⟨g, h⟩), h in front"),
        ),
    ]


def _through_h(log_h, g):
    """The log node's VJP g / h chained into the softmax node's h ⊙ (u − ⟨u, h⟩): NaN where h is 0."""
    h = np.exp(log_h)
    with np.errstate(divide="ignore", invalid="ignore"):
        u = g / h
        return h * (u - np.sum(u * h, axis=1, keepdims=True))


def log_softmax_node_mistakes(here):
    """Wrong backward rules for the log-softmax node, ``(log_h, g) -> dz``; ``here`` its section."""
    return [
        (
            _through_h,
            _(
                "your rule divides by h (the log's backward g / h, then the softmax node's): where h "
                "rounds to 0, as at log h = −800, that gives NaN; g − h Σg never divides"
            ),
            here,
        ),
        (
            lambda log_h, g: g - log_h * np.sum(g, axis=1, keepdims=True),
            _("that multiplies Σg by log h: the rule needs h itself, h = exp(log h)"),
            here,
        ),
        (
            lambda log_h, g: g - np.exp(log_h) * g,
            _("that is g − h ⊙ g: each row subtracts h times the sum Σ_k g_k of that row, not h ⊙ g"),
            here,
        ),
        (
            lambda log_h, g: g - np.exp(log_h) * np.sum(g, axis=0, keepdims=True),
            _(
                "Σg runs over axis 0, down the batch: each row needs its own sum, "
                "np.sum(g, axis=1, keepdims=True)"
            ),
            here,
        ),
        (
            lambda log_h, g: g - np.exp(log_h) * np.sum(g),
            _("that Σg is over the whole array: each row needs its own, np.sum(g, axis=1, keepdims=True)"),
            here,
        ),
        (
            lambda log_h, g: g - np.exp(log_h) * np.sum(g, axis=1),
            _("np.sum(g, axis=1) has shape (N,) and was broadcast across columns: add keepdims=True"),
        ),
        (
            lambda log_h, g: np.exp(log_h) * (g - np.sum(g * np.exp(log_h), axis=1, keepdims=True)),
            _(
                "that is the softmax node's rule h ⊙ (g − ⟨g, h⟩); this node outputs log h, whose "
                "Jacobian is δ_ij − h_j, so its backward is g − h Σg"
            ),
            here,
        ),
        (
            lambda log_h, g: np.exp(log_h) * np.sum(g, axis=1, keepdims=True) - g,
            _("the sign is flipped: the rule is g − h Σg"),
        ),
        (
            lambda log_h, g: g - np.exp(log_h),
            _("that is g − h: the h must be multiplied by Σg (it is 1 only when g sums to 1 on a row)"),
            here,
        ),
        (
            lambda log_h, g: g - np.exp(log_h) * np.mean(g, axis=1, keepdims=True),
            _("that is the mean of each row of g; the rule needs its sum, Σ_k g_k"),
        ),
        (
            lambda log_h, g: np.exp(log_h) + g,
            _(
                "that is h + g, as if a particular loss came after the node: the node knows only the "
                "upstream g, whatever sent it, and its backward is g − h Σg"
            ),
            here,
        ),
        (
            lambda log_h, g: g / np.exp(log_h),
            _(
                "that is g / h, the backward of a log alone (d log h / dh = 1/h), and it divides by h, "
                "which the notebook warns about: where h underflows it blows up; this node goes from z "
                "to log h, and its backward g − h Σg divides by nothing"
            ),
            here,
        ),
        (
            lambda log_h, g: g + np.exp(log_h) * np.sum(g, axis=1, keepdims=True),
            _("the sign of h Σg is flipped: the rule subtracts it, g − h Σg"),
            here,
        ),
        (
            lambda log_h, g: (g - np.exp(log_h) * np.sum(g, axis=1, keepdims=True)) / log_h.shape[0],
            _(
                "N times too small (N, the batch size): this node has no 1/N of its own; the mean's 1/N "
                "is already in g, which the loss node sent, and a node's backward only multiplies g by "
                "its own Jacobian: g − h Σg, with no division"
            ),
            here,
        ),
        (
            lambda log_h, g: np.exp(log_h) - g,
            _(
                "that is h − g, shaped like h − t, the backward of softmax and cross-entropy fused: g "
                "here is the upstream gradient, whatever the next node sends, and this node alone "
                "returns g − h Σg"
            ),
            see("10_computational_graph", "What PyTorch does"),
        ),
        (
            lambda log_h, g: g / np.exp(log_h) - np.sum(g, axis=1, keepdims=True),
            _(
                "that is g / h − Σg: it divides g by h, which blows up where h rounds to 0, and the h "
                "that multiplies Σg is missing; the rule is g − h Σg, with no division"
            ),
            here,
        ),
        (
            lambda log_h, g: g - np.exp(log_h) * np.sum(g * np.exp(log_h), axis=1, keepdims=True),
            _(
                "that subtracts h ⟨g, h⟩, the sum weighed by h as in the softmax node: log-softmax's "
                "Jacobian δ_ij − h_j sums g plainly, so the rule is g − h Σg"
            ),
            here,
        ),
        (
            lambda log_h, g: np.exp(log_h) * g - np.sum(g, axis=1, keepdims=True),
            _("h multiplies g instead of the sum Σg: the rule is g − h Σg"),
            here,
        ),
        (
            lambda log_h, g: np.zeros_like(g),
            _(
                "every entry is 0: that is g − (Σh) g, and Σ_k h_k = 1 on every row, so it cancels; "
                "the sum in the rule runs over g, g − h Σg"
            ),
            here,
        ),
    ]
