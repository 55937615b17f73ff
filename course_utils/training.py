"""Training a :class:`~course_utils.TwoLayerNet` with mini-batch SGD, and looking at the result.

:func:`train` is plain mini-batch SGD with momentum and a cosine learning-rate schedule, with a
progress bar; everything it measures goes into a :class:`History`. :func:`confusion_matrix` and
:func:`confident_mistakes` look at what the trained network gets wrong.
"""

import time
from dataclasses import dataclass, field

import numpy as np

from . import _checks, threads
from .i18n import _


@dataclass
class History:
    """Per-epoch measurements of one training run."""

    train_loss: list = field(default_factory=list)  # mean mini-batch loss over the epoch
    val_accuracy: list = field(default_factory=list)
    seconds: list = field(default_factory=list)  # cumulative wall-clock time at the epoch's end

    @property
    def epochs(self):
        return len(self.train_loss)


def accuracy(net, X, y):
    """Share of rows of ``X`` (N, D) whose predicted class equals ``y`` (N,).

    Parameters
    ----------
    net : TwoLayerNet
    X : ndarray, shape (N, D)
    y : ndarray, shape (N,) of int
        An (N, 1) column is refused: compared with the (N,) predictions it would broadcast to an
        N x N table and give a meaningless share.

    Returns
    -------
    float, in [0, 1]
    """
    pred = net.predict(X)
    y = _checks.labels(y, "y", n=len(pred), classes=net.params["W2"].shape[1])
    return float(np.mean(pred == y))


def train(
    net,
    X,
    y,
    *,
    epochs=12,
    batch_size=128,
    lr=0.1,
    momentum=0.9,
    reg=1e-4,
    seed=0,
    X_val=None,
    y_val=None,
    progress=True,
):
    r"""Mini-batch SGD with momentum on ``net.params``, in place.

    .. math:: v \leftarrow \mu v - \eta_t \nabla L, \qquad \theta \leftarrow \theta + v,
              \qquad \eta_t = \tfrac{\eta}{2}\bigl(1 + \cos(\pi t / T)\bigr)

    Parameters
    ----------
    net : TwoLayerNet
    X : ndarray, shape (N, D); y : ndarray, shape (N,) of int
    epochs, batch_size : int
        ``epochs >= 0`` (0 trains nothing and says so with an empty history).
    lr, momentum, reg : float
        Peak learning rate (cosine-decayed to 0 over the run), momentum, L2 strength.
    seed : int
        Seeds the shuffling, so a run is reproducible: BLAS runs on the fixed thread count of
        :mod:`course_utils.threads`, so the thread count of the machine does not change the weights.
    X_val, y_val : optional
        Measured after every epoch when given.
    progress : bool
        Show a progress bar (tqdm) with the running loss.

    Returns
    -------
    History
    """
    X = _checks.as_float_array(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must have shape (N, D), one sample per row, got {X.shape}")
    y = _checks.labels(y, "y", n=len(X))
    epochs = _checks.count(epochs, "epochs")
    if not (isinstance(batch_size, (int, np.integer)) and 1 <= batch_size <= len(X)):
        raise ValueError(f"batch_size must be an integer from 1 to N = {len(X)}, got {batch_size!r}")
    if (X_val is None) != (y_val is None):
        given, missing = ("X_val", "y_val") if y_val is None else ("y_val", "X_val")
        raise ValueError(f"{given} was given without {missing}: pass both to measure validation accuracy")
    if X_val is not None:
        X_val = _checks.as_float_array(X_val, "X_val")
        if X_val.ndim != 2 or X_val.shape[1] != X.shape[1]:
            raise ValueError(f"X_val must have shape (N_val, {X.shape[1]}) like X, got {X_val.shape}")
        y_val = _checks.labels(y_val, "y_val", n=len(X_val))
    from tqdm.auto import tqdm

    rng = np.random.default_rng(seed)
    velocity = {k: np.zeros_like(v) for k, v in net.params.items()}
    steps_per_epoch = len(X) // batch_size
    total = epochs * steps_per_epoch
    history = History()
    start = time.perf_counter()
    step = 0
    # No rate in the bar: before the first steps tqdm would show it as "?step/s", and the time left
    # says what a learner wants to know.
    bar_format = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}{postfix}]"
    # BLAS on the policy's fixed thread count (course_utils/threads.py): the same weights on any machine.
    with (
        threads.policy_limits(),
        tqdm(total=total, disable=not progress, desc=_("training"), bar_format=bar_format) as bar,
    ):
        for _epoch in range(epochs):
            order = rng.permutation(len(X))
            losses = []
            for i in range(steps_per_epoch):
                idx = order[i * batch_size : (i + 1) * batch_size]
                rate = lr * 0.5 * (1 + np.cos(np.pi * step / total))
                loss, grads = net.loss_and_gradients(X[idx], y[idx], reg=reg)
                for k, g in grads.items():
                    velocity[k] *= momentum
                    velocity[k] -= rate * g
                    net.params[k] += velocity[k]
                losses.append(float(loss))
                step += 1
                bar.update(1)
                if i % 50 == 0:
                    bar.set_postfix({_("loss"): f"{np.mean(losses[-50:]):.3f}"})
            history.train_loss.append(float(np.mean(losses)))
            if X_val is not None:
                history.val_accuracy.append(accuracy(net, X_val, y_val))
            history.seconds.append(time.perf_counter() - start)
    return history


def confusion_matrix(y_true, y_pred, C):
    """``M[i, j]`` = number of samples of class ``i`` predicted as ``j``.

    Parameters
    ----------
    y_true, y_pred : ndarray, shape (N,) of int, each in ``[0, C)``
    C : int
        Number of classes.

    Returns
    -------
    M : ndarray, shape (C, C), int64
        Its entries add up to N.
    """
    C = _checks.count(C, "C", minimum=1)
    y_true = _checks.labels(y_true, "y_true", classes=C)
    y_pred = _checks.labels(y_pred, "y_pred", n=len(y_true), classes=C)
    return np.bincount(y_true * C + y_pred, minlength=C * C).reshape(C, C)


def confident_mistakes(net, X, y, k=8):
    """The ``k`` wrong predictions made with the highest probability: indices, predictions, probs."""
    from .softmax import softmax

    h = softmax(net.forward(X)[0])
    y = _checks.labels(y, "y", n=len(h), classes=h.shape[1])
    k = _checks.count(k, "k")
    pred = h.argmax(axis=1)
    wrong = np.flatnonzero(pred != y)
    order = wrong[np.argsort(-h[wrong, pred[wrong]], kind="stable")][:k]
    return order, pred[order], h[order, pred[order]]
