"""Companion of notebook 07, continued: more wrong answers its checkers name.

``nb07_mismatch_lab`` holds the checkers and their references and adds these to its catalogues: the
wrong costs and hidden deltas a newcomer types (a factor ½, a second softmax, a matrix product where
the formula multiplies entry by entry) and the errors some of them raise.
"""

import dataclasses
import re

import numpy as np

from ..i18n import N_, _, lazy_
from ..softmax import softmax
from ._checking import see
from ._partial_loops import part_of_the_batch
from ._when_raised import raises_like

# The replies every checker shares speak of a batch of N samples and C classes; notebook 07's exercises
# call them m and K, as the learner's Octave code does. Only a lone capital letter is a symbol.
_SYMBOLS = {"N": "m", "C": "K"}
_LONE = re.compile(r"(?<![A-Za-z0-9_])([NC])(?![A-Za-z0-9_])")


def in_notebook_symbols(feedback):
    """``feedback`` with the shared replies' N and C written m and K, the symbols of notebook 07."""
    message = _LONE.sub(lambda found: _SYMBOLS[found.group(1)], feedback.message)
    return dataclasses.replace(feedback, message=message)


def bias_column_kept():
    """A hint: ``sigma2`` returned with the bias column kept, shape (m, H + 1) where (m, H) belongs."""

    def predicate(got, expected, args):
        sigma3, Theta2 = args[0], args[1]
        return got[0].shape == (sigma3.shape[0], Theta2.shape[1]) != expected[0].shape

    return (
        predicate,
        _(
            "shape (m, H + 1): the bias column is still in; sigma3 Theta2 has the bias's column first and "
            "one column per hidden unit after it, and the bias has no delta: drop that column, "
            "(sigma3 @ Theta2)[:, 1:] (sigma2(:, 2:end) in Octave), then multiply by f'(z2), which is (m, H)"
        ),
    )


def more_cost_mistakes(right):
    """More wrong costs a newcomer types: a factor ½, a second softmax, int(), log(1 − h), log of a sum."""
    m = lambda h: h.shape[0]  # noqa: E731
    return [
        (
            lambda h, Y: -np.mean(np.log(np.max(h, axis=1))),
            _(
                "log h is taken at each sample's largest output, the class the network predicts: the "
                "cost takes it at the label, which Y marks, L = −(1/m) Σ Y log h"
            ),
        ),
        (
            lambda h, Y: -np.log(np.max(h)),
            _(
                "log h is taken at the largest output of the whole batch: the cost takes each sample's "
                "output at its label, which Y marks, and averages, L = −(1/m) Σ Y log h"
            ),
        ),
        (
            # Divided by m as well, it is a loop that returns at its first sample: "part of the batch".
            lambda h, Y: -np.sum(Y[0] * np.log(h[0])),
            _(
                "only the first sample counts: Y[0] and h[0] are one row; the cost sums over all m "
                "samples, L = −(1/m) Σ Y log h"
            ),
        ),
        (
            lambda h, Y: -np.sum(Y * np.log(h)) / (2 * m(h)),
            _(
                "half the cost: 1/(2m) is the regulariser's factor, λ/(2m) Σ Θ²; the data term is "
                "−(1/m) Σ Y log h"
            ),
        ),
        (
            lambda h, Y: -np.sum(Y * np.log(softmax(h))) / m(h),
            _(
                "a second softmax: h is already the softmax's output, and softmax(h) (or cu.cross_entropy, "
                "which takes logits and applies its own softmax) squeezes it again; take np.log(h) itself"
            ),
            see("09_bug_hunt", "The double softmax"),
        ),
        (
            lambda h, Y: float(int(right(h, Y))),
            _("int(...) cuts the cost to a whole number: return the float itself"),
        ),
        (
            lambda h, Y: float(round(right(h, Y))),
            _("round(...) cuts the cost to a whole number: return the float itself"),
        ),
        (
            lambda h, Y: -np.sum(Y * np.log(1 - h)) / m(h),
            _("log(1 − h) at the label: the cost takes log h where Y is 1, L = −(1/m) Σ Y log h"),
        ),
        (
            lambda h, Y: -np.log(np.sum(Y * h)) / m(h),
            _(
                "the log of one sum over the whole batch: the cost adds one log per sample, "
                "−(1/m) Σ Y log h, so take the log entrywise (or per row) before summing"
            ),
        ),
        *part_of_the_batch(lambda h, Y, rows: -np.sum(Y[rows] * np.log(h[rows])) / m(h), "m"),
        (
            lambda h, Y: -np.sum(Y * np.log(h)) / (m(h) - 1),
            _("divided by m − 1: the cost is a plain mean over the m samples, −(1/m) Σ Y log h"),
        ),
        *[
            (
                lambda h, Y, k=k: -np.sum(np.roll(Y, k, axis=1) * np.log(h)) / m(h),
                _(
                    "log h is taken at the class next to each label (the one-hot shifted by one, "
                    "labels counted from 1 and from 0 mixed up): Y picks the label's own column"
                ),
            )
            for k in (1, -1)
        ],
        (
            lambda h, Y: -np.sum(Y * np.log(h + 1)) / m(h),
            _("log(h + 1) is not log h: the cost is −(1/m) Σ Y log h, with nothing added inside the log"),
        ),
        (
            lambda h, Y: -np.sum(Y * np.exp(h)) / m(h),
            _("np.exp where the cost takes the log: L = −(1/m) Σ Y log h"),
        ),
        (
            lambda h, Y: [right(h, Y)],
            _("that is a list holding the cost, [cost]: return the number itself"),
        ),
    ]


def cost_raised():
    """Costs that raise: one-hot Y used as labels."""
    return [
        (
            lambda exc, args: isinstance(exc, IndexError) and "integer" in str(exc),
            _(
                "Y is the one-hot matrix (m, K) of floats, not a vector of labels, so it cannot index h: "
                "multiply instead, Y * np.log(h), or take the labels Y.argmax(axis=1)"
            ),
        ),
    ]


_ELEMENTWISE = lazy_(
    "@ is the matrix product, but the formula's ⊙ (Octave's .*) multiplies entry by entry: "
    "(sigma3 @ Theta2)[:, 1:] * f'(z2), both factors (m, H)"
)


def more_sigma2_mistakes(df, get_activation):
    """More wrong deltas: a matrix product for ⊙, a derivative written with f, a sum for a product."""
    f = lambda hid, z: get_activation(hid).f(z)  # noqa: E731
    back = lambda s3, T2: (s3 @ T2)[:, 1:]  # noqa: E731
    return [
        (lambda s3, T2, z2, hid: back(s3, T2) @ df(hid, z2).T, str(_ELEMENTWISE)),
        (lambda s3, T2, z2, hid: df(hid, z2).T @ back(s3, T2), str(_ELEMENTWISE)),
        (lambda s3, T2, z2, hid: back(s3, T2).T @ df(hid, z2), str(_ELEMENTWISE)),
        (
            lambda s3, T2, z2, hid: back(s3, T2) * f(hid, z2) * (1 - f(hid, z2)),
            _(
                "f(z2)(1 − f(z2)) is the sigmoid's derivative written with f: it is f' only when f is "
                "the sigmoid; use the hidden activation's own derivative, cu.ACTIVATIONS[hidden].df(z2)"
            ),
        ),
        (
            lambda s3, T2, z2, hid: back(s3, T2) * (1 - f(hid, z2) ** 2),
            _(
                "1 − f(z2)² is tanh's derivative written with f: it is f' only when f is tanh; use the "
                "hidden activation's own derivative, cu.ACTIVATIONS[hidden].df(z2)"
            ),
        ),
        (
            lambda s3, T2, z2, hid: (back(s3, T2) * df(hid, z2)).sum(axis=0),
            _("shape (H,): summed over the samples; sigma2 keeps one row per sample, (m, H)"),
        ),
        (
            lambda s3, T2, z2, hid: np.trunc(back(s3, T2) * df(hid, z2)),
            _("whole numbers only: astype(int) (or int(...)) cut the deltas; keep them as floats"),
        ),
        (
            lambda s3, T2, z2, hid: back(s3, T2) * df(hid, z2) ** 2,
            _("f'(z2) is multiplied in twice: the chain rule takes the hidden derivative once"),
        ),
        (
            lambda s3, T2, z2, hid: back(s3, T2) * z2,
            _(
                "that multiplies by z2 itself: the chain rule multiplies by the derivative of the hidden "
                "activation at z2, cu.ACTIVATIONS[hidden].df(z2)"
            ),
        ),
        (
            lambda s3, T2, z2, hid: back(s3, T2) + df(hid, z2),
            _("+ adds f'(z2): the chain rule multiplies by it, (sigma3 Theta2)(:, 2:end) .* f'(z2)"),
        ),
        (
            lambda s3, T2, z2, hid: ((s3 @ T2) * df(hid, np.column_stack([np.ones(len(z2)), z2])))[:, :-1],
            _(
                "f' was taken on [1, z2], a column of ones in front, and the last column dropped after: "
                "each column of f' now sits one unit off its column of sigma3 Theta2; z2 has no bias "
                "column, and the bias column to drop is the first, (sigma3 @ Theta2)[:, 1:] * f'(z2)"
            ),
        ),
    ]


_OCTAVE_TWO = N_(
    "[:, 2:] drops two columns, the bias's and the first hidden unit's: Octave's 2:end counts from 1 and "
    "keeps every column but the first; Python counts from 0, and the same columns are [:, 1:]"
)


def one_row_short():
    """A hint: ``sigma2`` one row short, (m − 1, H): [1:, ...] dropped a sample where a column belongs."""

    def predicate(got, expected, args):
        return got[0].shape == (expected[0].shape[0] - 1, expected[0].shape[1])

    return (
        predicate,
        _(
            "one row short, (m − 1, H): [1:, ...] drops the first row, a sample; the bias is the first "
            "column of sigma3 Theta2, [:, 1:], sigma2(:, 2:end) in Octave"
        ),
    )


def sigma2_raised(df):
    """Hidden deltas that raise: a matrix product for ⊙, a row or a unit dropped where a column belongs."""
    return [
        (
            raises_like(lambda s3, T2, z2, hid: (s3 @ T2)[:, 1:] @ df(hid, z2)),
            _ELEMENTWISE,
        ),
        (
            raises_like(lambda s3, T2, z2, hid: (s3 @ T2[1:])[:, 1:] * df(hid, z2)),
            _(
                "Theta2[1:] drops Theta2's first row, a class: the bias is Theta2's first column, dropped "
                "after the product, (sigma3 @ Theta2)[:, 1:] (or before it, sigma3 @ Theta2[:, 1:])"
            ),
        ),
        (
            raises_like(lambda s3, T2, z2, hid: (s3 @ T2)[1:] * df(hid, z2)),
            _(
                "[1:] drops the first row, a sample: the bias is the first column of sigma3 Theta2, "
                "[:, 1:], sigma2(:, 2:end) in Octave"
            ),
        ),
        (
            raises_like(lambda s3, T2, z2, hid: s3 @ T2[:, 1:].T),
            _(
                "Theta2[:, 1:].T cannot multiply: in this layout Theta2 is (K, H + 1), one row per class, "
                "so sigma3 @ Theta2[:, 1:] is already (m, H), with no transpose"
            ),
        ),
        (
            raises_like(lambda s3, T2, z2, hid: (s3 @ T2[:, 2:]) * df(hid, z2)),
            _(_OCTAVE_TWO),
        ),
        (
            raises_like(lambda s3, T2, z2, hid: (s3 @ T2)[:, 2:] * df(hid, z2)),
            _(_OCTAVE_TWO),
        ),
        (
            raises_like(lambda s3, T2, z2, hid: (s3 @ T2)[:, 1:] * df(hid, z2[:, 1:])),
            _(
                "z2[:, 1:] drops a hidden unit: z2 has no bias column; only the product sigma3 Theta2 "
                "loses its first column"
            ),
        ),
        (
            raises_like(lambda s3, T2, z2, hid: (T2[:, 1:].T @ s3.T) * df(hid, z2)),
            _(
                "Theta2[:, 1:].T @ sigma3.T is (H, m), one column per sample, while f'(z2) is (m, H): "
                "transpose that product back, (Theta2[:, 1:].T @ sigma3.T).T, which is sigma3 @ Theta2[:, 1:]"
            ),
        ),
        (
            raises_like(lambda s3, T2, z2, hid: s3 * T2[:, 1:]),
            _(
                "sigma3 * Theta2[:, 1:] multiplies elementwise, shapes (m, K) and (K, H): the chain rule "
                "needs the matrix product sigma3 @ Theta2[:, 1:]"
            ),
        ),
    ]
