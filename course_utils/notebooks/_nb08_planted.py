"""Notebook 08's committed prediction: does a network whose backward pass has a planted bug still train?

:func:`sgd_losses` trains a :class:`~course_utils.TwoLayerNet` with plain mini-batch SGD on the
gradients of :func:`course_utils.bugs.backward` (one bug of the gallery, or none), and records the
loss as it goes; :func:`which_choice` reads two such curves, the buggy one and the right one, and
returns the index of the choice in :data:`TRAINS_CHOICES` they pick out; :func:`trains_prediction`
is the control the learner commits with.
"""

import numpy as np

from .. import threads
from ..i18n import lazy_
from ._prediction import Prediction

TRAINS_CHOICES = (
    lazy_("The loss does not fall, since a wrong gradient sends the weights the wrong way"),
    lazy_("It falls at first, then blows up"),
    lazy_("It falls, but stalls far above the right network's loss (less than 80% of its drop)"),
    lazy_("It falls almost as far as the right network's (at least 80% of its drop)"),
)
"""The choices of the prediction, in the order :func:`which_choice` numbers them."""

NEAR = 0.8
"""The share of the right run's drop that counts as "almost as far"."""


def trains_prediction():
    """The notebook's :class:`Prediction`, its choices in the reader's language (:data:`TRAINS_CHOICES`)."""
    return Prediction([str(choice) for choice in TRAINS_CHOICES])


def _loss(net, X, y):
    """The network's loss on (X, y), or NaN once its weights have blown up (the net refuses then)."""
    with np.errstate(all="ignore"):
        try:
            return float(net.loss(X, y))
        except ValueError:
            return float("nan")


def sgd_losses(net, X, y, *, bug=None, steps=200, batch_size=100, lr=0.1, seed=0, every=20):
    r"""Train ``net`` in place with plain SGD on the gallery's backward pass; the loss every ``every`` steps.

    .. math:: \theta \leftarrow \theta - \eta\, \widehat{\nabla} L(\text{batch}),

    where :math:`\widehat{\nabla} L` is ``bugs.backward(net, X_batch, y_batch, bug=bug)``: the true
    gradient when ``bug`` is None, the planted bug's otherwise.

    Parameters
    ----------
    net : TwoLayerNet
    X : ndarray, shape (N, D); y : ndarray, shape (N,) of int
    bug : str or None
        A key of :data:`course_utils.bugs.BUGS`, or None for the right backward pass.
    steps, batch_size, every : int
        ``steps`` SGD steps on batches of ``batch_size`` rows drawn without replacement; the loss on
        the whole of ``(X, y)`` is recorded before the first step and after every ``every`` steps.
    lr : float
        The learning rate :math:`\eta`.
    seed : int
        Seeds the batches, so the right run and the buggy run see the same ones.

    Returns
    -------
    ndarray, shape (steps // every + 1,)
        The recorded losses; NaN from the point where the weights blew up (training stops there).
    """
    from ..bugs import BUGS, backward

    if bug is not None and bug not in BUGS:
        raise ValueError(f"bug must be None or one of {', '.join(BUGS)}, got {bug!r}")
    for name, value in (("steps", steps), ("batch_size", batch_size), ("every", every)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if batch_size > len(X) or steps % every:
        raise ValueError(
            f"batch_size must be at most N = {len(X)} and every must divide steps, got "
            f"batch_size={batch_size}, steps={steps}, every={every}"
        )
    rng = np.random.default_rng(seed)
    losses = np.full(steps // every + 1, np.nan)
    losses[0] = _loss(net, X, y)
    with threads.policy_limits(), np.errstate(all="ignore"):
        for step in range(1, steps + 1):
            idx = rng.choice(len(X), batch_size, replace=False)
            try:
                grads = backward(net, X[idx], y[idx], bug=bug)
            except ValueError:  # the backward pass met NaN or inf: the weights have blown up
                break
            for key, g in grads.items():
                net.params[key] -= lr * g
            if step % every == 0:
                losses[step // every] = _loss(net, X, y)
                if not np.isfinite(losses[step // every]):
                    break
    return losses


def which_choice(buggy, right, near=NEAR):
    """The index in :data:`TRAINS_CHOICES` that the buggy loss curve picks, measured against the right one.

    Parameters
    ----------
    buggy, right : array_like, shape (K,)
        Losses recorded along two runs from the same start (:func:`sgd_losses`); ``right`` must fall.
    near : float
        The share of the right run's drop that counts as "almost as far".

    Returns
    -------
    int
        0 the buggy loss ends no lower than it started (and never fell first); 1 it fell, then rose
        above its start or became NaN; 2 it fell, by less than ``near`` of the right drop; 3 it fell
        by at least ``near`` of it.
    """
    buggy = np.asarray(buggy, dtype=np.float64)
    right = np.asarray(right, dtype=np.float64)
    if buggy.ndim != 1 or buggy.shape != right.shape or buggy.size < 2:
        raise ValueError(
            f"buggy and right must be two loss curves of the same length, at least 2, got shapes "
            f"{buggy.shape} and {right.shape}"
        )
    if not (np.isfinite(right).all() and right[-1] < right[0]):
        raise ValueError(
            f"the right run must fall to compare against it, got losses {right[0]} to {right[-1]}"
        )
    if not np.isfinite(buggy[0]):
        raise ValueError(f"the buggy run must start from a finite loss, got {buggy[0]}")
    finite = buggy[np.isfinite(buggy)]
    fell_first = finite.min() < buggy[0]
    if not np.isfinite(buggy[-1]) or buggy[-1] >= buggy[0]:
        return 1 if fell_first else 0
    drop = (buggy[0] - buggy[-1]) / (right[0] - right[-1])
    return 3 if drop >= near else 2
