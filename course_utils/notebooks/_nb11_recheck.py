"""Wrong answers to notebook 11's exercises that a second walk typed (issue 19, recheck b).

Each catalogue entry is the wrong formula itself, run on the checker's own input. The checkers put
these first: two of them give the same numbers as an older entry (Σ_k g_k is 0 when h and t each sum
to 1; |z| + log(1 + e^(−|z|)) is log(1 + e^(−z)) for a negative z), and the reply names both ways.
"""

import numpy as np

from ..i18n import _
from ..softmax import softmax


def _through(z, g):
    h = softmax(z)
    return h * (g - np.sum(g * h, axis=1, keepdims=True))


def _mean_over_rows(per_entry, z):
    return float(np.sum(per_entry) / z.shape[0])


def recheck_squared_error_mistakes(here):
    """Wrong ``squared_error_grad(z, y)`` formulas: ⟨g, h⟩ left out, summed over the batch, raw labels."""

    def g_of(z, t):
        return (softmax(z) - t) / z.shape[0]

    def onehot(z, y):
        return np.eye(z.shape[1])[y]

    return [
        (
            lambda z, y: softmax(z) * g_of(z, onehot(z, y)),
            _(
                "that is h ⊙ g with g = (h − t)/N: the Jacobian's term −h ⟨g, h⟩, from its off-diagonal "
                "entries −h_i h_j, is missing (subtracting the plain sum of g, Σ_k g_k, gives the same "
                "numbers, as it is 0 when h and t each sum to 1); the rule is h ⊙ (g − ⟨g, h⟩), "
                "⟨g, h⟩ = Σ_k g_k h_k"
            ),
            here,
        ),
        (
            lambda z, y: (lambda h, g: h * (g - np.sum(g * h)))(softmax(z), g_of(z, onehot(z, y))),
            _(
                "that ⟨g, h⟩ is summed over the whole batch, every sample at once: each row needs its own, "
                "np.sum(g * h, axis=1, keepdims=True)"
            ),
            here,
        ),
        (
            lambda z, y: _through(z, g_of(z, np.asarray(y, dtype=float)[:, None])),
            _(
                "t is the raw labels as a column, y[:, None], broadcast across the classes: the targets "
                "are one-hot rows, t = np.eye(C)[y], with a 1 in each sample's class"
            ),
            here,
        ),
    ]


def recheck_bce_mistakes(stable):
    """Wrong ``bce_with_logits(z, t)`` formulas: t left out, |z| for max(z, 0), the exponent's sign."""
    soft = lambda z: np.log1p(np.exp(-np.abs(z)))  # noqa: E731
    return [
        (
            lambda z, t: _mean_over_rows(np.maximum(z, 0) - z + soft(z), z),
            _(
                "t is missing from the linear term, − z where the loss has − z t: the targets enter the "
                "loss only there; the loss is max(z, 0) − z t + log(1 + e^(−|z|))"
            ),
            stable,
        ),
        (
            lambda z, t: _mean_over_rows(np.abs(z) - z * t + soft(z), z),
            _(
                "that is |z| where the loss has max(z, 0): for a negative z, |z| = −z instead of 0 (the "
                "same numbers come from log(1 + e^(−z)) written for log(1 + e^(−|z|))); the loss is "
                "max(z, 0) − z t + log(1 + e^(−|z|))"
            ),
            stable,
        ),
        (
            lambda z, t: _mean_over_rows(np.maximum(z, 0) - z * t + np.log1p(np.exp(np.abs(z))), z),
            _(
                "the minus inside the exponent is lost, log(1 + e^|z|): that adds about |z| again, and "
                "e^|z| overflows for a large |z|; the term is log(1 + e^(−|z|)), where no exponent is "
                "positive"
            ),
            stable,
        ),
    ]
