"""More wrong bias gradients the checker of notebook 09 names (issue 19, the third newcomer review).

Each entry is the wrong formula itself, run on the checker's own ``(h, y)``; ``nb09_bug_hunt`` adds
them to its catalogue.
"""

import numpy as np

from ..i18n import _
from ._checking import N_BY_ONE


def _columns_of_labels(h, y):
    g = h.copy()
    g[:, y] -= 1  # every row loses 1 in each column that some label names
    return g.sum(axis=0) / len(y)


def _rows_of_labels(h, y):
    g = h.copy()
    g[y] -= 1  # the rows whose numbers are labels lose 1 everywhere
    return g.sum(axis=0) / len(y)


def _counts_by_position(h, y):
    """np.unique's counts written at 0, 1, 2, … instead of at the classes they count."""
    _classes, counts = np.unique(y, return_counts=True)
    d = h.sum(axis=0)
    d[: len(counts)] -= counts
    return d / len(y)


def bias_gradient_mistakes():
    """Wrong ``db2(h, y)`` answers the third newcomer typed, each with its reply."""
    return [
        (
            _counts_by_position,
            _(
                "np.unique(y, return_counts=True) returns the classes that occur and their counts, "
                "side by side: counts[i] belongs to class classes[i], not to class i; place each at "
                "its class, d[classes] -= counts, or count every class at once, "
                "np.bincount(y, minlength=C)"
            ),
        ),
        (
            lambda h, y: (h - np.eye(h.shape[1] + 1)[y][:, 1:]).sum(axis=0) / len(y),
            _(
                "np.eye(C + 1)[y][:, 1:] reads the labels as counting from 1, as in Octave: label 0 "
                "gets no 1 at all and every other label marks the class before it; here classes count "
                "from 0, t = np.eye(C)[y]"
            ),
        ),
        (
            lambda h, y: (h - np.eye(h.shape[1])[y[:, None]]).sum(axis=0) / len(y),
            _(
                "shape (N, C) where (C,) belongs: np.eye(C)[y[:, None]] is (N, 1, C), labels shaped "
                "(N, 1), and h minus it broadcasts to (N, N, C), every sample against every label; "
                "index with y of shape (N,), np.eye(C)[y]"
            ),
            N_BY_ONE,
        ),
    ]
