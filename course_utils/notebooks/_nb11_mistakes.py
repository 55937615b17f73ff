"""More wrong answers the checkers of notebook 11 name (issue 19, newcomer review b).

Each catalogue entry is the wrong formula itself, run on the checker's own input; the two checks
around ``run_checks`` name what a formula cannot: the course's own loss returned whole (a tuple),
and right values returned in float32.
"""

import numpy as np

from ..i18n import N_, _
from ..losses import binary_cross_entropy_with_logits
from ..softmax import log_softmax, softmax
from ._checking import Feedback, see
from ._when_raised import limited


def _onehot(z, y):
    return np.eye(z.shape[1])[y]


def _through(z, g):
    h = softmax(z)
    return h * (g - np.sum(g * h, axis=1, keepdims=True))


def squared_error_mistakes(here):
    """Wrong ``squared_error_grad(z, y)`` formulas, each with its reply."""
    return [
        (
            lambda z, y: _through(z, (softmax(z) - _onehot(z, y - 1)) / z.shape[0]),
            _(
                "the one-hot t marks the class before each label: np.eye(C)[y − 1] shifts it by one; "
                "the labels already count from 0, so t = np.eye(C)[y]"
            ),
            here,
        ),
        (
            lambda z, y: _through(z, (z - _onehot(z, y)) / z.shape[0]),
            _(
                "that residual is z − t, on the logits: the squared error compares the softmax "
                "outputs with the targets, so g = (h − t)/N with h = softmax(z)"
            ),
            here,
        ),
        (
            lambda z, y: (lambda h, g: h * (g - np.sum(g * h, axis=0, keepdims=True)))(
                softmax(z), (softmax(z) - _onehot(z, y)) / z.shape[0]
            ),
            _(
                "the sum ⟨g, h⟩ runs over axis 0, down the batch: each sample's Jacobian sums over its "
                "own classes, np.sum(g * h, axis=1, keepdims=True)"
            ),
            here,
        ),
        (
            lambda z, y: (lambda h, g: h * (g - np.sum(g, axis=1, keepdims=True)))(
                softmax(z), (softmax(z) - _onehot(z, y)) / z.shape[0]
            ),
            _(
                "that subtracts Σ_k g_k, the plain sum of g: the softmax Jacobian weighs it by h, "
                "⟨g, h⟩ = Σ_k g_k h_k, so the rule is h ⊙ (g − ⟨g, h⟩) with g = (h − t)/N"
            ),
            here,
        ),
        (
            _columns_through,
            _(
                "your softmax normalises down each column, over the batch (axis 0): each sample's "
                "outputs sum to 1 over its classes, exp(z) / exp(z).sum(axis=1, keepdims=True), after "
                "subtracting each row's max"
            ),
            here,
        ),
    ]


def _columns_through(z, y):
    """The right rule with a softmax of one's own normalised over axis 0, down the batch."""
    e = np.exp(z - z.max(axis=0, keepdims=True))
    h = e / e.sum(axis=0, keepdims=True)
    g = (h - _onehot(z, y)) / z.shape[0]
    return h * (g - np.sum(g * h, axis=1, keepdims=True))


def overflowed(got, expected, args):
    """A hint's predicate: the answer is NaN or infinite where the right one is finite."""
    got = np.asarray(got[0] if isinstance(got, (tuple, list)) else got, dtype=float)
    expected = np.asarray(expected[0] if isinstance(expected, (tuple, list)) else expected, dtype=float)
    return got.shape == expected.shape and bool(np.any(~np.isfinite(got) & np.isfinite(expected)))


OVERFLOW = N_(
    "NaN or inf on the case with logits of several hundred: e^z overflows when your softmax is "
    "exp(z) / sum(exp(z)); subtract each row's max first, exp(z − max z), which changes no h"
)


def _mean_over_rows(per_entry, z):
    return float(np.sum(per_entry) / z.shape[0])


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def bce_mistakes(stable):
    """Wrong ``bce_with_logits(z, t)`` formulas, each with its reply."""

    def stable_form(z, t):
        return np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))

    def clipped(z, t, floor=1e-7):
        s = np.clip(_sigmoid(z), floor, 1 - floor)
        return _mean_over_rows(-t * np.log(s) - (1 - t) * np.log(1 - s), z)

    return [
        (
            lambda z, t: _mean_over_rows(np.minimum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z))), z),
            _(
                "that is min(z, 0) where the stable form has max(z, 0): log(1 + e^z) = max(z, 0) + "
                "log(1 + e^(−|z|)), the larger of 0 and z taken out of the log"
            ),
            stable,
        ),
        (
            lambda z, t: _mean_over_rows(-t * log_softmax(z, axis=1), z),
            _(
                "that is the categorical cross-entropy of a softmax over each row: here every output is "
                "its own yes/no with its own sigmoid, so the loss per entry is "
                "max(z, 0) − z t + log(1 + e^(−|z|))"
            ),
            stable,
        ),
        (
            lambda z, t: np.sum(stable_form(z, t), axis=1),
            _(
                "one loss per row: the exercise wants one number, the rows' losses averaged, "
                "np.sum(...) / z.shape[0]"
            ),
        ),
        (
            lambda z, t: np.mean(stable_form(z, t), axis=1),
            _(
                "one loss per row: the exercise wants one number, the sum over each row's outputs "
                "averaged over the rows, np.sum(...) / z.shape[0]"
            ),
        ),
        (
            clipped,
            _(
                "clipping σ(z) into [1e-7, 1 − 1e-7] keeps the log finite but caps each entry's loss "
                "at −log(1e-7) ≈ 16: at z = 800 against t = 0 the loss is 800; write it in z itself, "
                "max(z, 0) − z t + log(1 + e^(−|z|))"
            ),
            stable,
        ),
        (
            lambda z, t: _mean_over_rows(-z * t + np.log1p(np.exp(-np.abs(z))), z),
            _(
                "the term max(z, 0) is missing: log(1 + e^z) = max(z, 0) + log(1 + e^(−|z|)), so the "
                "loss is max(z, 0) − z t + log(1 + e^(−|z|))"
            ),
            stable,
        ),
        (
            lambda z, t: _mean_over_rows(stable_form(z, 1 - t), z),
            _(
                "the targets are flipped, z (1 − t) where the loss has z t: with t = 1 the loss must "
                "be small for a large z; the loss is max(z, 0) − z t + log(1 + e^(−|z|))"
            ),
            stable,
        ),
        (
            lambda z, t: (_sigmoid(z) - t) / z.shape[0],
            _(
                "that is the gradient (σ(z) − t)/N, shape (N, K): the exercise asks for the loss, one "
                "number, max(z, 0) − z t + log(1 + e^(−|z|)) summed and divided by N"
            ),
            stable,
        ),
        (
            lambda z, t: np.array([_mean_over_rows(stable_form(z, t), z)]),
            _(
                "the right value, in an array of shape (1,): return the number itself, a float (float(loss) "
                "or loss[0]), as the cells after the exercise expect"
            ),
        ),
        (
            lambda z, t: _mean_over_rows(stable_form(t, z), z),
            _(
                "z and t have swapped places: the logits go into max(z, 0) and log(1 + e^(−|z|)), the "
                "targets only into − z t"
            ),
            stable,
        ),
    ]


def course_tuple(fn, case):
    """Feedback when ``fn`` returns the course's ``binary_cross_entropy_with_logits`` whole, or None."""
    if not callable(fn):
        return None
    try:
        with np.errstate(all="ignore"):
            got = limited(fn, *(np.copy(a) for a in case))
        if not isinstance(got, tuple) or len(got) != 2:
            return None
        loss, grad = binary_cross_entropy_with_logits(*case)
        if not (np.isclose(float(got[0]), float(loss)) and np.allclose(got[1], grad)):
            return None
    except (Exception, SystemExit):
        return None
    return Feedback(
        "bce_with_logits",
        "wrong",
        _(
            "that is the course's own binary_cross_entropy_with_logits, which returns a pair, the "
            "loss and its gradient: the exercise wants the loss alone, one number, and written with "
            "NumPy yourself (a graded hand-in that calls the course's function scores 0)"
        ),
        see("11_choosing_the_cost", "Binary cross-entropy from the logits"),
    )


def float32_result(fn, case, exercise, first):
    """Feedback when ``fn`` returns float32 on the float64 ``case`` (values judged right), or None."""
    try:
        with np.errstate(all="ignore"):
            got = limited(fn, *(np.copy(a) for a in case))
    except (Exception, SystemExit):
        return None
    if getattr(got, "dtype", None) != np.float32 or np.asarray(case[0]).dtype != np.float64:
        return None
    return Feedback(
        exercise,
        "wrong",
        _(
            "your result is float32 while {first} came in as float64: the numbers are right to about "
            "7 digits only; drop the float32 (an astype, a dtype=np.float32 or np.float32(...)) so that "
            "the result keeps the input's precision"
        ).format(first=first),
    )
