"""Bugs a gradient check cannot see, because they change the loss and its gradient together.

Each :class:`SilentBug` in :data:`SILENT_BUGS` comes with its buggy loss, the gradient consistent
with it (so ``check_gradients`` passes), and the direct test that does catch it.
"""

from dataclasses import dataclass

import numpy as np

from .i18n import _, lazy_
from .losses import cross_entropy, cross_entropy_grad
from .softmax import softmax, softmax_vjp


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


def _double_softmax_loss(z, y):
    return cross_entropy(softmax(z), y)  # cross_entropy applies a softmax of its own


def _double_softmax_grad(z, y):
    # the outer softmax's h − t, pushed back through the inner softmax: right for this loss
    return softmax_vjp(z, cross_entropy_grad(softmax(z), y))


def confident_loss_floor(classes):
    r"""The least loss a double softmax can reach with ``classes`` classes, at one-hot first outputs.

    .. math:: \min L = \log\Bigl(1 + \frac{C - 1}{e}\Bigr)

    The first softmax's outputs lie in [0, 1], so the second one sees logits at most 1 apart.
    """
    return float(np.log1p((classes - 1) / np.e))


def _can_reach_zero(loss):
    y = np.array([0, 2, 1])
    value = loss(50.0 * np.eye(3)[y], y)
    return bool(value < 1e-3), _(
        "loss of a confident, correct prediction: {value:.4f} (should be 0; a double softmax stops "
        "at log(1 + (C−1)/e) = {floor:.4f} for C = 3)"
    ).format(value=value, floor=confident_loss_floor(3))


def _finite_at_large_logits(loss):
    z = np.array([[1000.0, 0.0, -1000.0], [0.0, 800.0, 0.0]])
    value = loss(z, np.array([0, 0]))
    return bool(np.isfinite(value)), _("loss at logits of ±1000 and a gap of 800: {value}").format(
        value=value
    )


def _zero_when_right(loss):
    y = np.array([0, 2, 1])
    value = loss(50.0 * np.eye(3)[y], y)
    return bool(abs(value) < 1e-10), _(
        "loss of a confident, correct prediction: {value:.3g} (should be 0)"
    ).format(value=value)


def _mean_ignores_batch_size(loss):
    z = np.random.default_rng(0).normal(size=(4, 3))
    y = np.array([0, 1, 2, 1])
    once, twice = loss(z, y), loss(np.vstack([z, z]), np.r_[y, y])
    return bool(abs(once - twice) < 1e-12), _("loss of a batch {once:.4f}, of it twice {twice:.4f}").format(
        once=once, twice=twice
    )


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
            lazy_("no max-subtraction in softmax"),
            "e = np.exp(z)",
            "e = np.exp(z - z.max(axis=1, keepdims=True))",
            _naive_loss,
            _fused,
            _finite_at_large_logits,
            lazy_("the loss stays finite at logits of ±1000"),
        ),
        SilentBug(
            "log_of_softmax",
            lazy_("log of softmax instead of log-softmax"),
            "np.log(softmax(z))",
            "log_softmax(z) = z - m - log(sum(exp(z - m)))",
            _log_of_softmax_loss,
            _fused,
            _finite_at_large_logits,
            lazy_("the loss stays finite at a logit gap of 800"),
        ),
        SilentBug(
            "labels_shifted",
            lazy_("labels shifted by one in both loss and gradient"),
            "t = onehot(y + 1)",
            "t = onehot(y)",
            _shifted_labels_loss,
            _shifted_grad,
            _zero_when_right,
            lazy_("a confident, correct prediction has loss 0"),
        ),
        SilentBug(
            "sum_not_mean",
            lazy_("sum instead of mean over the batch"),
            lazy_("L = sum of per-sample losses"),
            lazy_("L = mean of per-sample losses"),
            _sum_loss,
            _sum_grad,
            _mean_ignores_batch_size,
            lazy_("repeating the batch leaves the loss unchanged"),
        ),
        SilentBug(
            "double_softmax",
            lazy_("a softmax fed to a loss that expects logits"),
            "loss = cross_entropy(softmax(z), y)",
            lazy_("loss = cross_entropy(z, y)   (the loss applies the softmax itself)"),
            _double_softmax_loss,
            _double_softmax_grad,
            _can_reach_zero,
            lazy_("a confident, correct prediction has a loss near 0"),
        ),
    ]
}
"""Bugs a gradient check passes, with the test that fails them, by key."""
