r"""A catalogue of classic backprop bugs, each one runnable, and :func:`diagnose`, which names them.

:func:`backward` is a :class:`~course_utils.TwoLayerNet` backward pass written out line by line with
a switch for each bug in :data:`BUGS`. Every catalogue entry gives the wrong line, the fix, and which
tensors a gradient check flags (tested in ``tests/test_bugs.py``). :func:`learner_backward` is the
CS231n-style code of one of the learners' questions, with its two bugs switchable.

Two neighbours are re-exported here, so that ``from course_utils.bugs import SILENT_BUGS, diagnose``
keeps working: :data:`SILENT_BUGS` (:mod:`course_utils.silent_bugs`), the bugs a gradient check
cannot see, and :func:`diagnose` (:mod:`course_utils.diagnosis`), which names a bug from a report.
"""

from dataclasses import dataclass
from functools import cache

import numpy as np

from .activations import ACTIVATIONS
from .diagnosis import diagnose
from .i18n import lazy_
from .losses import binary_cross_entropy
from .network import TwoLayerNet
from .silent_bugs import SILENT_BUGS, SilentBug
from .softmax import softmax

__all__ = ["BUGS", "MYSTERIES", "SILENT_BUGS", "Bug", "SilentBug", "backward", "check_bug", "diagnose"]
__all__ += ["MYSTERY_CASE", "learner_backward", "make_case", "mystery_report", "reported_loss"]


@dataclass(frozen=True)
class Bug:
    """One classic bug: where it is, how it shows, how to fix it."""

    key: str
    title: str
    wrong: str  # the wrong line
    fix: str  # the right line
    flags: frozenset  # the tensors a gradient check fails
    diagnosis: str  # words diagnose() uses for it
    hidden: str = "tanh"
    reg: float = 0.0
    square: bool = False  # needs H == C (and N == C) to run at all: otherwise numpy raises


_ALL = frozenset({"W1", "b1", "W2", "b2"})
_HIDDEN = frozenset({"W1", "b1"})

BUGS = {
    b.key: b
    for b in [
        Bug(
            "missing_1_over_N",
            lazy_("the 1/N of the mean is missing"),
            "dz = h - t",
            "dz = (h - t) / N",
            _ALL,
            "missing 1/N",
        ),
        Bug(
            "diagonal_only_softmax",
            lazy_("diagonal-only softmax derivative"),
            "dz = dL_dh * h * (1 - h)",
            lazy_("dz = h - t  (or h * (g - (g * h).sum(1, keepdims=True)))"),
            _ALL,
            "output delta",
        ),
        Bug(
            "dropped_minus",
            lazy_("a dropped minus sign"),
            "dL_dh = t / (N * h)",
            "dL_dh = -t / (N * h)",
            _ALL,
            "sign",
        ),
        Bug(
            "softmax_over_batch",
            lazy_("softmax normalised over the batch axis"),
            "h = e / e.sum(axis=0)",
            "h = e / e.sum(axis=1, keepdims=True)",
            _ALL,
            "output delta",
        ),
        Bug(
            "missing_keepdims",
            lazy_("keepdims missing in the max subtraction"),
            "e = np.exp(z - z.max(axis=1))",
            "e = np.exp(z - z.max(axis=1, keepdims=True))",
            _ALL,
            "output delta",
            square=True,
        ),
        Bug(
            "labels_as_column",
            lazy_("labels shaped (N, 1)"),
            "t[np.arange(N), y[:, None]] = 1",
            lazy_("t[np.arange(N), y] = 1   (y of shape (N,): y.ravel())"),
            _ALL,
            "output delta",
        ),
        Bug(
            "W2_not_transposed",
            lazy_("W2 instead of W2.T"),
            "da1 = dz @ W2",
            "da1 = dz @ W2.T",
            _HIDDEN,
            "hidden",
            square=True,
        ),
        Bug(
            "repeated_label_index",
            lazy_("fancy-index -= with repeated labels"),
            "db2 = h.sum(0) / N; db2[y] -= 1 / N",
            "np.subtract.at(db2, y, 1 / N)",
            frozenset({"b2"}),
            "bias",
        ),
        Bug(
            "regulariser_factor",
            lazy_("the regulariser's factor"),
            "loss += 0.5 * reg * np.sum(W * W); dW += 2 * reg * W",
            lazy_("match the loss: 0.5*reg*sum(W*W) -> dW += reg*W; reg*sum(W*W) (CS231n) -> dW += 2*reg*W"),
            frozenset({"W1", "W2"}),
            "regulariser",
            reg=0.5,
        ),
        Bug(
            "regularised_bias",
            lazy_("a regularised bias"),
            "db += reg * b",
            lazy_("biases are not regularised"),
            frozenset({"b1", "b2"}),
            "bias",
            reg=0.5,
        ),
        Bug(
            "hard_coded_sigmoid",
            lazy_("the hard-coded sigmoid derivative"),
            "dpre = da1 * sigmoid_df(pre)",
            lazy_("dpre = da1 * f.df(pre)  (the hidden layer's own f)"),
            _HIDDEN,
            "hidden",
        ),
        Bug(
            "derivative_at_activation",
            lazy_("the derivative taken at the activation"),
            "dpre = da1 * f.df(a1)",
            "dpre = da1 * f.df(pre)",
            _HIDDEN,
            "hidden",
        ),
        Bug(
            "tanh_derivative_of_z",
            lazy_("tanh' written as 1 - z**2"),
            "dpre = da1 * (1 - pre**2)",
            "dpre = da1 * (1 - a1**2)   (a1 = tanh(pre))",
            _HIDDEN,
            "hidden",
        ),
        Bug(
            "aliasing",
            lazy_("aliasing: the ReLU mask overwrites the activations"),
            "da1 = a1; da1[a1 > 0] = 1",
            "mask = (a1 > 0).astype(a1.dtype)",
            frozenset({"W2"}),
            "aliasing",
            hidden="relu",
        ),
        Bug(
            "binary_cost_on_softmax",
            lazy_("a binary (sigmoid) cost on a softmax output"),
            "loss = binary_cross_entropy(softmax(z), y)",
            "loss = cross_entropy(z, y)",
            _ALL,
            "cost",
        ),
    ]
}
"""Bugs a gradient check catches, by key."""


def backward(net, X, y, *, bug=None, reg=0.0):
    """Gradients of ``net.loss(X, y, reg)`` written out, with the bug ``bug`` (a key of ``BUGS``)."""
    if bug is not None and bug not in BUGS:
        raise ValueError(f"unknown bug {bug!r}; choose one of {', '.join(BUGS)}")
    p = net.params
    f = net.activation
    N = X.shape[0]
    pre = X @ p["W1"] + p["b1"]
    a1 = f.f(pre)
    z = a1 @ p["W2"] + p["b2"]
    if bug == "missing_keepdims":
        e = np.exp(z - z.max(axis=1))
        h = e / e.sum(axis=1, keepdims=True)
    elif bug == "softmax_over_batch":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        h = e / e.sum(axis=0)
    else:
        h = softmax(z)
    t = np.zeros_like(h)
    t[np.arange(N), y[:, None] if bug == "labels_as_column" else y] = 1
    if bug == "missing_1_over_N":
        dz = h - t
    elif bug == "diagonal_only_softmax":
        dz = (-t / (N * h)) * h * (1 - h)
    elif bug == "dropped_minus":
        g = t / (N * h)
        dz = h * (g - np.sum(g * h, axis=1, keepdims=True))
    else:
        dz = (h - t) / N
    if bug == "aliasing":
        da1_mask = a1  # the same array under a second name
        da1_mask[a1 > 0] = 1  # ... so a1 itself becomes the mask, and dW2 below reads the mask
    dW2 = a1.T @ dz
    db2 = dz.sum(axis=0)
    if bug == "repeated_label_index":
        db2 = h.sum(axis=0) / N
        db2[y] -= 1 / N  # a repeated label is subtracted once, not once per sample
    da1 = dz @ p["W2"] if bug == "W2_not_transposed" else dz @ p["W2"].T
    if bug == "hard_coded_sigmoid":
        local = ACTIVATIONS["sigmoid"].df(pre)
    elif bug == "derivative_at_activation":
        local = f.df(a1)
    elif bug == "tanh_derivative_of_z":
        local = 1 - pre**2
    elif bug == "aliasing":
        local = a1  # the mask, which is the right ReLU derivative
    else:
        local = f.df(pre)
    dpre = da1 * local
    dW1 = X.T @ dpre
    db1 = dpre.sum(axis=0)
    w_factor = 2 * reg if bug == "regulariser_factor" else reg
    dW1 = dW1 + w_factor * p["W1"]
    dW2 = dW2 + w_factor * p["W2"]
    if bug == "regularised_bias":
        db1 = db1 + reg * p["b1"]
        db2 = db2 + reg * p["b2"]
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def reported_loss(net, X, y, *, bug=None, reg=0.0):
    """The loss the buggy code prints: the network's own, except for a binary cost on softmax."""
    if bug == "binary_cost_on_softmax":
        z, _ = net.forward(X)
        return binary_cross_entropy(softmax(z), y) + net._reg_term(reg)
    return net.loss(X, y, reg)


def make_case(bug, *, seed=0, n=None, hidden=None, reg=None, scale=1.0):
    """A small MNIST case on which ``bug`` can run: ``(net, X, y, reg)``, biases away from 0.

    ``n`` images (16, or 10 for a square bug), the bug's hidden layer and ``reg`` unless given;
    ``scale`` multiplies the weights, which sharpens the softmax outputs.
    """
    from .data import load_mnist

    b = BUGS[bug]
    X, y = load_mnist("train", n=n or (10 if b.square else 16))
    net = TwoLayerNet(784, 10 if b.square else 24, 10, hidden=hidden or b.hidden, seed=seed)
    rng = np.random.default_rng(seed)
    for name, v in net.params.items():
        v *= scale if name.startswith("W") else 1.0
        v += 0.05 * rng.standard_normal(v.shape)
    return net, X.astype(np.float64), y, b.reg if reg is None else reg


@cache
def check_bug(bug, *, against="reported", **case):
    """Run ``check_gradients`` on the buggy backward of :func:`make_case` ``(bug, **case)`` (cached).

    ``against="reported"`` checks the gradients against the loss the buggy code reports;
    ``against="cross_entropy"`` checks the same gradients against the softmax cross-entropy
    (plus the regulariser), the loss the backward pass is written for. The two differ only for
    the binary cost, whose backward is the cross-entropy's: that second report passes.
    """
    from .gradcheck import check_gradients

    if against not in ("reported", "cross_entropy"):
        raise ValueError(f"against must be 'reported' or 'cross_entropy', got {against!r}")
    if against == "cross_entropy" and bug != "binary_cost_on_softmax":
        return check_bug(bug, **case)  # the loss it reports is already the cross-entropy
    net, X, y, reg = make_case(bug, **case)
    grads = backward(net, X, y, bug=None if bug == "binary_cost_on_softmax" else bug, reg=reg)
    loss_bug = bug if against == "reported" else None
    return check_gradients(lambda: reported_loss(net, X, y, bug=loss_bug, reg=reg), net.params, grads)


# --- the CS231n-style code of the learner's question ------------------------------------------


def learner_backward(X, y, params, *, eq1="posted", aliasing=True):
    """The learner's FC → ReLU → FC → softmax backward pass, transcribed (the mask line repaired).

    ``eq1="posted"`` multiplies elementwise by ``(1/a2) * mask``; ``eq1="commented"`` uses the
    commented line ``-(1/a2[range(N), y])[:, None] * da2 / N``. ``aliasing=True`` keeps
    ``da1 = a1``, which overwrites the activations with the ReLU mask.
    """
    N = X.shape[0]
    a1 = np.maximum(X @ params["W1"] + params["b1"], 0)
    a2 = softmax(a1 @ params["W2"] + params["b2"])
    rows = np.arange(N)
    # "derivative of softmax": row y_n of each sample's Jacobian, h_y (delta_yj - h_j)
    da2 = -a2
    da2[rows, y] += 1
    da2 *= a2[rows, y][:, None]
    # "derivative of ReLU"
    da1 = a1 if aliasing else a1.copy()
    da1[a1 > 0] = 1
    if eq1 == "posted":
        mask = np.zeros(a2.shape)
        mask[rows, y] = 1
        delta_2 = ((1 / a2) * mask) * da2 / N
    elif eq1 == "commented":
        delta_2 = -(1 / a2[rows, y])[:, None] * da2 / N
    else:
        raise ValueError(f"eq1 must be 'posted' or 'commented', got {eq1!r}")
    delta_1 = (delta_2 @ params["W2"].T) * da1
    return {"W1": X.T @ delta_1, "b1": delta_1.sum(axis=0), "W2": a1.T @ delta_2, "b2": delta_2.sum(axis=0)}


# --- five mysteries for the learner -------------------------------------------------------------

MYSTERIES = (
    "regularised_bias",
    "aliasing",
    "missing_1_over_N",
    "hard_coded_sigmoid",
    "binary_cost_on_softmax",
)
"""The bugs behind mysteries 1 to 5 of notebook 09 (the learner's version does not print them)."""


MYSTERY_CASE = {"seed": 3, "n": 12, "hidden": "relu", "scale": 2.0}
"""The one case every mystery runs on: not the gallery's, so its ratios are not the gallery's."""


def mystery_report(number, *, against="reported"):
    """The gradient-check report of mystery ``number`` (1 to 5), without saying which bug it is.

    ``against="cross_entropy"``: the same gradients checked against the cross-entropy instead.
    """
    if number not in range(1, len(MYSTERIES) + 1):
        raise ValueError(f"mysteries are numbered 1 to {len(MYSTERIES)}, got {number!r}")
    return check_bug(MYSTERIES[number - 1], against=against, **MYSTERY_CASE)
