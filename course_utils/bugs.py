r"""A catalogue of classic backprop bugs, each one runnable, and :func:`diagnose`, which names them.

:func:`backward` is a :class:`~course_utils.TwoLayerNet` backward pass written out line by line with
a switch for each bug in :data:`BUGS`. Every catalogue entry gives the wrong line, the fix, and which
tensors a gradient check flags (tested in ``tests/test_bugs.py``). :data:`SILENT_BUGS` are the ones a
gradient check cannot see, because they change the loss and its gradient together; each comes with
the test that does catch it. :func:`learner_backward` is the CS231n-style code of one of the
learners' questions, with its two bugs switchable.
"""

from dataclasses import dataclass
from functools import cache

import numpy as np

from .activations import ACTIVATIONS
from .losses import binary_cross_entropy, cross_entropy, cross_entropy_grad
from .network import TwoLayerNet
from .softmax import softmax


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
            "the 1/N of the mean is missing",
            "dz = h - t",
            "dz = (h - t) / N",
            _ALL,
            "missing 1/N",
        ),
        Bug(
            "diagonal_only_softmax",
            "diagonal-only softmax derivative",
            "dz = dL_dh * h * (1 - h)",
            "dz = h - t  (or h * (g - (g * h).sum(1, keepdims=True)))",
            _ALL,
            "output delta",
        ),
        Bug(
            "dropped_minus",
            "a dropped minus sign",
            "dL_dh = t / (N * h)",
            "dL_dh = -t / (N * h)",
            _ALL,
            "sign",
        ),
        Bug(
            "softmax_over_batch",
            "softmax normalised over the batch axis",
            "h = e / e.sum(axis=0)",
            "h = e / e.sum(axis=1, keepdims=True)",
            _ALL,
            "output delta",
        ),
        Bug(
            "missing_keepdims",
            "keepdims missing in the max subtraction",
            "e = np.exp(z - z.max(axis=1))",
            "e = np.exp(z - z.max(axis=1, keepdims=True))",
            _ALL,
            "output delta",
            square=True,
        ),
        Bug(
            "labels_as_column",
            "labels shaped (N, 1)",
            "t[np.arange(N), y[:, None]] = 1",
            "t[np.arange(N), y] = 1   (y of shape (N,): y.ravel())",
            _ALL,
            "output delta",
        ),
        Bug(
            "W2_not_transposed",
            "W2 instead of W2.T",
            "da1 = dz @ W2",
            "da1 = dz @ W2.T",
            _HIDDEN,
            "hidden",
            square=True,
        ),
        Bug(
            "repeated_label_index",
            "fancy-index -= with repeated labels",
            "db2 = h.sum(0) / N; db2[y] -= 1 / N",
            "np.subtract.at(db2, y, 1 / N)",
            frozenset({"b2"}),
            "bias",
        ),
        Bug(
            "regulariser_factor",
            "the regulariser's factor",
            "dW += 2 * reg * W  (or reg / 2 * W)",
            "dW += reg * W   (the gradient of reg/2 * ||W||^2)",
            frozenset({"W1", "W2"}),
            "regulariser",
            reg=0.5,
        ),
        Bug(
            "regularised_bias",
            "a regularised bias",
            "db += reg * b",
            "biases are not regularised",
            frozenset({"b1", "b2"}),
            "bias",
            reg=0.5,
        ),
        Bug(
            "hard_coded_sigmoid",
            "the hard-coded sigmoid derivative",
            "dpre = da1 * sigmoid_df(pre)",
            "dpre = da1 * f.df(pre)  (the hidden layer's own f)",
            _HIDDEN,
            "hidden",
        ),
        Bug(
            "derivative_at_activation",
            "the derivative taken at the activation",
            "dpre = da1 * f.df(a1)",
            "dpre = da1 * f.df(pre)",
            _HIDDEN,
            "hidden",
        ),
        Bug(
            "tanh_derivative_of_z",
            "tanh' written as 1 - z**2",
            "dpre = da1 * (1 - pre**2)",
            "dpre = da1 * (1 - a1**2)   (a1 = tanh(pre))",
            _HIDDEN,
            "hidden",
        ),
        Bug(
            "aliasing",
            "aliasing: the ReLU mask overwrites the activations",
            "da1 = a1; da1[a1 > 0] = 1",
            "mask = (a1 > 0).astype(a1.dtype)",
            frozenset({"W2"}),
            "aliasing",
            hidden="relu",
        ),
        Bug(
            "binary_cost_on_softmax",
            "a binary (sigmoid) cost on a softmax output",
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


def make_case(bug, *, seed=0):
    """A small MNIST case on which ``bug`` can run: ``(net, X, y, reg)``, biases away from 0."""
    from .data import load_mnist

    b = BUGS[bug]
    X, y = load_mnist("train", n=10 if b.square else 16)
    net = TwoLayerNet(784, 10 if b.square else 24, 10, hidden=b.hidden, seed=seed)
    rng = np.random.default_rng(seed)
    for v in net.params.values():
        v += 0.05 * rng.standard_normal(v.shape)
    return net, X.astype(np.float64), y, b.reg


@cache
def check_bug(bug, *, seed=0):
    """Run ``check_gradients`` on the buggy backward against the loss it reports (cached)."""
    from .gradcheck import check_gradients

    net, X, y, reg = make_case(bug, seed=seed)
    grads = backward(net, X, y, bug=None if bug == "binary_cost_on_softmax" else bug, reg=reg)
    return check_gradients(lambda: reported_loss(net, X, y, bug=bug, reg=reg), net.params, grads)


# --- bugs that a gradient check cannot see -----------------------------------------------------


def _naive_loss(z, y):
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        e = np.exp(z)
        h = e / e.sum(axis=1, keepdims=True)
        return -np.mean(np.log(h[np.arange(len(y)), y]))


def _log_of_softmax_loss(z, y):
    with np.errstate(divide="ignore"):
        return -np.mean(np.log(softmax(z)[np.arange(len(y)), y]))


def _shifted_labels_loss(z, y):
    return cross_entropy(z, (y + 1) % z.shape[1])


def _sum_loss(z, y):
    return cross_entropy(z, y) * z.shape[0]


def _finite_at_large_logits(loss):
    z = np.array([[1000.0, 0.0, -1000.0], [0.0, 800.0, 0.0]])
    value = loss(z, np.array([0, 0]))
    return bool(np.isfinite(value)), f"loss at logits of ±1000 and a gap of 800: {value}"


def _zero_when_right(loss):
    y = np.array([0, 2, 1])
    value = loss(50.0 * np.eye(3)[y], y)
    return bool(abs(value) < 1e-10), f"loss of a confident, correct prediction: {value:.3g} (should be 0)"


def _mean_ignores_batch_size(loss):
    z = np.random.default_rng(0).normal(size=(4, 3))
    y = np.array([0, 1, 2, 1])
    once, twice = loss(z, y), loss(np.vstack([z, z]), np.r_[y, y])
    return bool(abs(once - twice) < 1e-12), f"loss of a batch {once:.4f}, of it twice {twice:.4f}"


@dataclass(frozen=True)
class SilentBug:
    """A bug whose loss and gradient agree with each other, so only a different test catches it."""

    key: str
    title: str
    wrong: str
    fix: str
    loss: object  # the buggy loss(z, y)
    grad: object  # its gradient dz(z, y), consistent with it: the check passes
    test: object  # test(loss) -> (passed, what it measured)
    test_name: str


def _fused(z, y):
    return cross_entropy_grad(z, y)


def _shifted_grad(z, y):
    return cross_entropy_grad(z, (y + 1) % z.shape[1])


def _sum_grad(z, y):
    return cross_entropy_grad(z, y) * z.shape[0]


SILENT_BUGS = {
    b.key: b
    for b in [
        SilentBug(
            "no_max_subtraction",
            "no max-subtraction in softmax",
            "e = np.exp(z)",
            "e = np.exp(z - z.max(axis=1, keepdims=True))",
            _naive_loss,
            _fused,
            _finite_at_large_logits,
            "the loss stays finite at logits of ±1000",
        ),
        SilentBug(
            "log_of_softmax",
            "log of softmax instead of log-softmax",
            "np.log(softmax(z))",
            "log_softmax(z) = z - m - log(sum(exp(z - m)))",
            _log_of_softmax_loss,
            _fused,
            _finite_at_large_logits,
            "the loss stays finite at a logit gap of 800",
        ),
        SilentBug(
            "labels_shifted",
            "labels shifted by one in both loss and gradient",
            "t = onehot(y + 1)",
            "t = onehot(y)",
            _shifted_labels_loss,
            _shifted_grad,
            _zero_when_right,
            "a confident, correct prediction has loss 0",
        ),
        SilentBug(
            "sum_not_mean",
            "sum instead of mean over the batch",
            "L = sum of per-sample losses",
            "L = mean of per-sample losses",
            _sum_loss,
            _sum_grad,
            _mean_ignores_batch_size,
            "repeating the batch leaves the loss unchanged",
        ),
    ]
}
"""Bugs a gradient check passes, with the test that fails them, by key."""


# --- reading a report ---------------------------------------------------------------------------


def _same(values, target, rel=0.02):
    return all(abs(v - target) <= rel * abs(target) for v in values)


def diagnose(report, *, classes=10):
    """Name the likely bugs behind a :class:`~course_utils.GradCheckReport`.

    Reads which tensors fail, the notes (shapes, missing gradients) and the numerical/analytic
    ratios. Returns a list of sentences, most specific first; an empty failure list says what a
    gradient check cannot see.
    """
    failed = set(report.failed)
    if not failed:
        return [
            "every tensor passes: the gradient matches the loss. A check cannot see bugs that "
            "change both together (no max-subtraction, log of softmax, shifted labels, sum "
            "instead of mean): test those directly"
        ]
    findings = []
    notes = {name: t.note for name, t in report.tensors.items() if t.note}
    for name, note in notes.items():
        if note.startswith("shape mismatch"):
            findings.append(f"{name}: {note} — a missing keepdims=True, or labels shaped (N, 1)")
        elif note:
            findings.append(f"{name}: {note}")
    ratios = {n: report.ratios[n] for n in failed if np.isfinite(report.ratios.get(n, np.nan))}
    values = list(ratios.values())
    if failed == set(report.tensors) and values and len(values) == len(failed):
        r = values[0]
        if _same(values, -1.0):
            findings.append(
                "every tensor is off by a factor of −1: a sign error, most likely a "
                "dropped minus sign in dL/dh = −t/h (or t − h instead of h − t)"
            )
        elif _same(values, r) and r < 0.5:
            findings.append(
                f"every tensor is {1 / r:.0f} times too large, the same factor everywhere: "
                f"missing 1/N (batch size N = {1 / r:.0f})"
            )
        elif min(values) > 1.005 and max(values) <= 1.6:
            findings.append(
                "every tensor's numerical gradient is a little larger, up to "
                f"K/(K−1) = {classes / (classes - 1):.2f}: a cost mismatch, a binary "
                "(sigmoid) cost checked against the softmax cross-entropy delta h − t"
            )
        else:
            findings.append(
                "every tensor fails with different ratios: the output delta dz is wrong "
                "(diagonal-only softmax derivative, an elementwise product where the "
                "chain rule needs a sum, softmax over the batch axis, labels shaped "
                "(N, 1), a missing keepdims)"
            )
    elif failed == {"W1", "b1"}:
        findings.append(
            "only the first layer fails: the hidden derivative is wrong (a hard-coded "
            "sigmoid derivative, the derivative taken at the activation instead of the "
            "pre-activation, tanh' written as 1 − z²) or W2 was used instead of W2.T"
        )
    elif failed == {"W2"}:
        findings.append(
            "only W2 fails: its gradient used the wrong hidden activations, typically "
            "aliasing (da1 = a1; da1[a1 > 0] = 1 overwrote a1 in place)"
        )
    elif failed == {"W1", "W2"}:
        findings.append(
            "the weights fail, the biases pass: the regulariser's gradient is wrong "
            "(reg·W is the gradient of reg/2·‖W‖²)"
        )
    elif failed <= {"b1", "b2"}:
        if failed == {"b1", "b2"}:
            findings.append(
                "both biases fail, the weights pass: a regularised bias (biases are not regularised)"
            )
        else:
            findings.append(
                f"only {', '.join(sorted(failed))} fails: a bias bug, such as a "
                "fancy-index -= with repeated labels (np.subtract.at adds each one), "
                "or one wrong entry"
            )
    if not findings:
        findings.append(f"{', '.join(sorted(failed))} fail: compare their ratios and worst entries")
    return findings


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


def mystery_report(number):
    """The gradient-check report of mystery ``number`` (1 to 5), without saying which bug it is."""
    if number not in range(1, len(MYSTERIES) + 1):
        raise ValueError(f"mysteries are numbered 1 to {len(MYSTERIES)}, got {number!r}")
    return check_bug(MYSTERIES[number - 1])
