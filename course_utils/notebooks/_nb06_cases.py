"""Notebook 06's checker cases: the loss a learner's check must call as ``f()``, the functions whose
gradients the checkers know, and the run of one case of a learner's gradient check. The checkers in
``nb06_gradient_checking`` say what a case shows.
"""

import numpy as np

from ._checking import normal


class _Reads:
    """A loss ``f()`` in the course's convention: no argument, it reads ``x``; ``f(x)`` is refused."""

    def __init__(self, x, scale=1.0):
        self.x, self.scale = x, scale

    def __call__(self, *args):
        if args:
            raise TypeError(
                "f takes no argument in this course: it reads x, which your function changes in place "
                "(as cu.numerical_gradient does); call f(), not f(x)"
            )
        return self.scale * _quartic(self.x)


def _case(seed, shape, eps=1e-5):
    """A fresh case builder: ``(f, x, eps)`` with ``f`` reading this very ``x``."""

    def build():
        x = normal(seed, shape)
        return _Reads(x), x, eps

    return build


def _central_gradient(f, x, eps):
    grad = np.zeros_like(x)
    for k in range(x.size):
        old = x.flat[k]
        x.flat[k] = old + eps
        up = f()
        x.flat[k] = old - eps
        down = f()
        x.flat[k] = old
        grad.flat[k] = (up - down) / (2 * eps)
    return grad


def _quartic(x):
    return float(np.sum(x**4) + x.ravel()[0] * x.ravel()[-1])


def _rel(a, b):
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else np.linalg.norm(a - b) / denom


def _check_case(
    seed,
    shape,
    plant=None,
    eps=1e-5,
    scale=1.0,
    zeros=False,
    no_entries=False,
    flip=False,
    rows_only=False,
    n_entries=3,
    zero_grad=False,
):
    """``(f, x, grad, entries, directions, eps)`` on ``scale`` times the quartic.

    ``plant`` = (flat index, amount) adds a wrong part to ``grad``; ``zeros`` sets the sampled
    entries of x to 0, where the quartic's gradient and its central difference are both exactly 0;
    ``flip`` negates the whole gradient (the sign bug), so that every n and a have opposite signs;
    ``rows_only`` samples flat indices below the number of rows (where ``e[k] = 1`` runs, moving a row);
    ``n_entries`` is how many entries are sampled; ``zero_grad`` sets ``grad`` to 0 at the first sampled
    entry, where the true slope is not 0 (a gradient entry wrongly 0, which must score 1).
    """

    def build():
        x = normal(seed, shape)
        rng = np.random.default_rng(seed + 1)
        entries = rng.choice(
            np.arange(1, (x.shape[0] if rows_only else x.size - 1)), size=n_entries, replace=False
        )
        if zeros:
            x.flat[entries] = 0.0
        grad = 4 * x**3
        grad.flat[0] += x.flat[-1]
        grad.flat[-1] += x.flat[0]
        grad *= -scale if flip else scale
        if plant is not None:
            grad.flat[plant[0]] += plant[1] * scale
        if zero_grad:
            grad.flat[entries[0]] = 0.0
        # The notebook passes entries as an array, or as [] when only directions are wanted.
        return _Reads(x, scale), x, grad, ([] if no_entries else entries), rng.normal(size=(3, *x.shape)), eps

    return build
