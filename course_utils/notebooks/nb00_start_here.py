"""Companion of notebook 00 · Start here: the MNIST digit viewer and the checkers of its exercises."""

import numpy as np

from .. import svg
from ..i18n import _
from . import _recheck_a as recheck_a
from ._checking import N_BY_ONE, Exercise, hidden_rng, normal, run_checks, see
from ._enforce import named_error, recording
from ._prediction import Prediction  # noqa: F401 - the notebook's committed prediction
from ._view import LiveView


def mnist_digit_state(X, y, index):
    """One row of the MNIST batch ``X`` (N, 784) as an image, its label and pixel statistics."""
    index = int(index)
    if not 0 <= index < len(X):
        raise ValueError(f"index must be in [0, {len(X)}), got {index}")
    row = np.asarray(X[index])
    return {
        "index": index,
        "label": int(y[index]),
        "image": row.reshape(28, 28),
        "lit": int(np.count_nonzero(row)),
        "border_lit": int(np.count_nonzero(row.reshape(28, 28)[[0, -1], :]))
        + int(np.count_nonzero(row.reshape(28, 28)[:, [0, -1]])),
    }


def describe_mnist_digit(state):
    return _(
        "X[{index}] is one row of 784 pixels; label y[{index}] = {label}; "
        "{lit} of 784 pixels are not blank ({border_lit} on the border)"
    ).format(index=state["index"], label=state["label"], lit=state["lit"], border_lit=state["border_lit"])


@svg.picture
def draw_mnist_digit(state):
    """The 28 × 28 image of one MNIST row, titled with its index and label."""
    return svg.image(
        state["image"],
        title=_("X[{index}], label {label}").format(index=state["index"], label=state["label"]),
    )


def mnist_widget(X, y):
    import ipywidgets as w

    controls = {"index": w.IntSlider(value=0, min=0, max=len(X) - 1, description=_("sample"))}
    return LiveView(
        controls,
        compute=lambda index: mnist_digit_state(X, y, index),
        draw=lambda s, **_: draw_mnist_digit(s),
        describe=lambda s, **_: describe_mnist_digit(s),
    )


def _one_hot(y, C):
    t = np.zeros((len(y), C))
    t[np.arange(len(y)), y] = 1
    return t


def _whole_rows_of_labels(y, C):
    """``t[y] = 1``: the rows named by the labels are filled with 1s, every column."""
    t = np.zeros((len(y), C))
    t[y] = 1
    return t


def check_one_hot(fn):
    """Exercise: ``one_hot(y, C)`` turns labels ``(N,)`` in ``[0, C)`` into rows ``(N, C)``."""
    # The last case has classes that no label uses: C must come from the argument, not from y.
    # The first case has fewer samples than classes, so t[y, np.arange(N)] runs and can be named.
    cases = [(np.array([1, 0, 1]), 4), (np.array([2, 0, 1, 2]), 3), (np.array([0, 4, 4, 1, 3, 2]), 5)]
    mistakes = [
        (
            lambda y, C: _one_hot(y, C).T,
            _("your rows and columns are swapped: the course puts one sample per row, shape (N, C)"),
        ),
        (
            lambda y, C: _one_hot((y + 1) % C, C),
            _("every 1 sits one class to the right: Octave labels start at 1, ours at 0"),
        ),
        (
            lambda y, C: _one_hot((y - 1) % C, C),
            _("every 1 sits one class to the left: the labels already start at 0, do not subtract 1"),
        ),
        (
            lambda y, C: np.eye(y.max() + 1)[y],
            _(
                "one column per label that occurs, y.max() + 1, not per class: use C, the number of "
                "classes, even when some class has no sample in y"
            ),
        ),
        (
            lambda y, C: np.tile((np.bincount(y, minlength=C) > 0).astype(float), (len(y), 1)),
            _(
                "every row has a 1 in each column that some label uses: t[:, y] = 1 sets whole columns; "
                "set one entry per row with t[np.arange(N), y] = 1"
            ),
        ),
        (
            _whole_rows_of_labels,
            _(
                "t[y] = 1 sets whole rows: y indexes the rows, so row y_n gets 1 in every column and the "
                "rows no label names stay 0; set one entry per row, t[np.arange(N), y] = 1"
            ),
        ),
        (
            lambda y, C: y[:, None].astype(float),
            _("that is the labels as a column (N, 1): one-hot targets have one column per class, (N, C)"),
            N_BY_ONE,
        ),
        (
            lambda y, C: np.zeros((len(y), C)),
            _("every entry is 0: the array is allocated but no 1 is set; add t[np.arange(N), y] = 1"),
        ),
        (
            _one_hot_indices_swapped,
            _(
                "t[y, np.arange(N)] puts the label first, as a row index: the row is the sample, "
                "the column the class, t[np.arange(N), y] = 1"
            ),
        ),
        (
            lambda y, C: np.eye(len(y))[y],
            _("one column per sample, N × N: the number of columns is C, the number of classes"),
        ),
        (
            lambda y, C: np.eye(C)[y] * (np.arange(C) + 1),
            _("the entries hold the class number, not 1: a one-hot row is 0 everywhere and 1 at the label"),
        ),
        (
            lambda y, C: 1 - _one_hot(y, C),
            _(
                "0 at the label and 1 everywhere else: that is 1 − t, the complement; "
                "the 1 belongs at the label"
            ),
        ),
        (
            lambda y, C: np.eye(C + 1)[y],
            _(
                "one column too many, C + 1: the classes are 0, ..., C − 1, "
                "so np.zeros((N, C)) or np.eye(C)[y]"
            ),
        ),
        (
            lambda y, C: np.cumsum(_one_hot(y, C), axis=1),
            _("every entry from the label rightwards is 1: a one-hot row has a single 1, at the label"),
        ),
    ]
    mistakes += recheck_a.one_hot_mistakes()
    hints = [
        (_one_hot_elsewhere, _one_hot_elsewhere_message),
        (
            lambda got, exp, args: got[0].shape == exp[0].shape and np.isin(got[0], (0, 1)).all(),
            _(
                "some rows have no 1 or more than one: each row of t has exactly one 1, in the column of "
                "its label, t[np.arange(N), y] = 1"
            ),
        ),
    ]
    raised = []
    feedback = run_checks(
        "one_hot",
        recording(fn, raised),
        cases,
        _one_hot,
        mistakes,
        hints,
        section=see("00_start_here", "Notation: one sample per row"),
        success=_("one row per sample, a single 1 in the column of its label"),
    )
    return named_error(
        feedback,
        raised,
        lambda exc, args: (
            _one_hot_error(exc, args) or recheck_a.other_exercise_called(fn, "one_hot", ["theta_to_params"])
        ),
    )


def _one_hot_elsewhere(got, expected, args):
    """True when every row is a one-hot row, but some 1 sits outside its label's column."""
    g = got[0]
    return (
        g.shape == expected[0].shape
        and np.isin(g, (0, 1)).all()
        and (g.sum(axis=1) == 1).all()
        and not np.array_equal(g, expected[0])
    )


_one_hot_elsewhere_message = _(
    "every row has a single 1, but not always in the column of its label: row n's 1 belongs in column "
    "y[n]; index the rows with np.arange(N) and the columns with y itself, in y's order"
)


def _one_hot_indices_swapped(y, C):
    t = np.zeros((len(y), C))
    t[y, np.arange(len(y))] = 1
    return t


def _one_hot_error(exc, args):
    """Name the mistakes that raise: y compared with the classes, or indexed, the wrong way round."""
    y, C = args
    text = str(exc)
    if isinstance(exc, ValueError) and "broadcast" in text and f"({len(y)},)" in text and f"({C},)" in text:
        return _(
            "y (N,) and the classes np.arange(C) (C,) do not line up: make y a column first, "
            "y[:, None] == np.arange(C) gives (N, C)"
        )
    if isinstance(exc, IndexError) and "out of bounds" in text:
        return _(
            "an index ran past the end of t: the row index is the sample, np.arange(N), and the "
            "column index the label, y; t = np.zeros((N, C)); t[np.arange(N), y] = 1"
        )
    return None


def _theta_to_params(Theta1):
    return Theta1[:, 1:].T, Theta1[:, 0]


def check_theta_to_params(fn):
    """Exercise: turn an Octave ``Theta1`` of shape (H, D+1), bias first, into ``W1 (D, H), b1 (H,)``."""
    cases = [(normal(1, (5, 4)),), (normal(2, (3, 7)),)]
    mistakes = [
        (
            lambda T: (T[:, 1:], T[:, 0]),
            _("W1 has shape (H, D): Theta1 holds one row per hidden unit, W1 one column; transpose it"),
        ),
        (
            lambda T: (T.T, T[:, 0]),
            _("W1 still holds the bias column: drop Theta1's first column (W1 = Theta1[:, 1:].T)"),
        ),
        (
            lambda T: (T[:, :-1].T, T[:, -1]),
            _("the bias is Theta1's first column, not its last (Octave prepends the column of ones)"),
        ),
        (
            lambda T: (T[:, 1:].T, T[:, :1]),
            _("b1 has shape (H, 1): the course's biases are vectors of shape (H,); use Theta1[:, 0]"),
        ),
        (
            lambda T: (T[:, 0], T[:, 1:].T),
            _(
                "the pair is in the wrong order: return W1 first, then b1, "
                "as in `W1, b1 = theta_to_params(Theta1)`"
            ),
        ),
        (
            lambda T: (T[:, 2:].T, T[:, 1]),
            _(
                "you counted columns from 1, as Octave does: NumPy counts from 0, so the bias is "
                "Theta1[:, 0] and the weights Theta1[:, 1:]"
            ),
        ),
        (
            lambda T: (T[:, 1:].T, T[:, 1]),
            _("b1 = Theta1[:, 1] is the first input's weights: the bias is column 0, Theta1[:, 0]"),
        ),
        (
            lambda T: (T, T[:, 0]),
            _(
                "W1 is Theta1 itself, bias column and all, in Octave's layout (one row per hidden "
                "unit): drop the bias column and transpose, W1 = Theta1[:, 1:].T"
            ),
        ),
        (
            lambda T: (T[:, 1:].T, T[0, :]),
            _(
                "b1 = Theta1[0, :] is Theta1's first row, the first hidden unit's bias and weights: "
                "the bias is Theta1's first column, Theta1[:, 0], one number per hidden unit"
            ),
        ),
        (
            lambda T: (T[:, 1:].T, T[0, 1:]),
            _(
                "b1 = Theta1[0, 1:] is the first hidden unit's weights (Theta1's first row): the bias "
                "is Theta1's first column, Theta1[:, 0], one number per hidden unit"
            ),
        ),
        (
            lambda T: (T[1:, :].T, T[0, :]),
            _("you split off Theta1's first row: the bias is its first column, Theta1[:, 0]"),
        ),
        (
            lambda T: (T.T[:, 1:], T[:, 0]),
            _(
                "T.T[:, 1:] drops the first hidden unit, not the bias: slice the columns first, "
                "then transpose, Theta1[:, 1:].T"
            ),
        ),
        (
            lambda T: (T[:, 1:].reshape(T.shape[1] - 1, T.shape[0]), T[:, 0]),
            _(
                "W1 has the right shape but its numbers are in the wrong places: reshape reads them "
                "again row by row, it does not transpose; use Theta1[:, 1:].T"
            ),
        ),
        (
            lambda T: (T[:, 1:].T, T[:, :1].T),
            _("b1 has shape (1, H): the course's biases are vectors of shape (H,); use Theta1[:, 0]"),
        ),
        (
            lambda T: (T[:, 1:].T, T[:, 0].sum()),
            _("b1 is one number per hidden unit, shape (H,): the first column itself, not its sum"),
        ),
    ]
    return run_checks(
        "theta_to_params",
        fn,
        cases,
        _theta_to_params,
        mistakes,
        [
            (
                lambda got, exp, args: (
                    got[1].shape == exp[1].shape
                    and not any(np.allclose(abs(got[1]), abs(c)) for c in args[0].T)
                ),
                _(
                    "b1 is none of Theta1's columns: the bias is the column Octave prepends, "
                    "Theta1[:, 0], one number per hidden unit"
                ),
            )
        ],
        n_out=2,
        names=("W1", "b1"),
        section=see("00_start_here", "The learners' Octave names"),
        success=_("W1 = Theta1[:, 1:].T and b1 = Theta1[:, 0]: X @ W1 + b1 equals [1 X] Theta1'"),
    )


def gradient_shape_choice(shape, N, C):
    """Which choice of the notebook's prediction the shape of ``dL/dz`` picks out.

    The choices, in order: ``(N, 1)``, ``(C,)``, ``(N, C)``, ``(C, C)``, for a batch of ``N`` samples
    and ``C`` classes. Any other shape raises ``ValueError``.
    """
    choices = [(N, 1), (C,), (N, C), (C, C)]
    shape = tuple(int(n) for n in shape)
    if shape not in choices:
        raise ValueError(f"the shape of dL/dz should be one of {choices}, got {shape}")
    return choices.index(shape)


GRADED = [
    Exercise("one_hot", "one_hot", check_one_hot, _one_hot, lambda: (np.array([3, 1, 1, 0, 4]), 6)),
    Exercise(
        "theta_to_params",
        "theta_to_params",
        check_theta_to_params,
        _theta_to_params,
        lambda: (hidden_rng(3).normal(size=(4, 6)),),
    ),
]
"""The exercises of notebook 00, as the teacher's grader scores them."""
