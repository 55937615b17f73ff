"""Companion of notebook 11 · Choosing the cost.

The gradient a confidently wrong output gets under squared error and under cross-entropy, a small
training run under each cost (pure: numbers in, a history out) and its figure, and the checker of
the exercise (binary cross-entropy from the logits, in its stable form).
"""

import numpy as np

from .. import svg
from ..cost_theory import squared_error_and_grad
from ..i18n import _
from ..losses import binary_cross_entropy_with_logits, cross_entropy_and_grad
from ..palette import COLORS
from ..softmax import softmax
from ._checking import Exercise, hidden_rng, normal, run_checks, see
from ._nb11_mistakes import (
    OVERFLOW,
    bce_mistakes,
    course_tuple,
    float32_result,
    overflowed,
    squared_error_mistakes,
)
from ._nb11_recheck import recheck_bce_mistakes, recheck_squared_error_mistakes
from ._prediction import Prediction  # noqa: F401 - the notebook's committed prediction
from ._view import LiveView, slider
from ._when_raised import replies_when_stalled

COSTS = ("cross_entropy", "squared_error")


def confident_wrong_logits(margin, C=3, wrong=1):
    """One sample's logits ``(1, C)``: class ``wrong`` leads the others by ``margin``; the label is 0."""
    if not np.isfinite(margin) or margin < 0:
        raise ValueError(f"margin must be a finite number >= 0, got {margin}")
    if not 0 < wrong < C:
        raise ValueError(f"wrong must be a class other than the label 0, in 1..{C - 1}, got {wrong}")
    z = np.zeros((1, C))
    z[0, wrong] = margin
    return z, np.array([0])


def gradient_sizes(margins, C=3):
    """The norm of dL/dz for one confidently wrong sample, under each cost, at each margin.

    Returns a dict ``{cost: ndarray of shape (len(margins),)}``.
    """
    sizes = {cost: [] for cost in COSTS}
    for m in margins:
        z, y = confident_wrong_logits(m, C)
        sizes["cross_entropy"].append(np.linalg.norm(cross_entropy_and_grad(z, y)[1]))
        sizes["squared_error"].append(np.linalg.norm(squared_error_and_grad(z, y)[1]))
    return {cost: np.array(v) for cost, v in sizes.items()}


def larger_gradient_choice(cross_entropy, squared_error):
    """The prediction's answer from two gradient norms: 0 "cross-entropy, by far" (over 10 times
    larger), 1 "squared error, by far" (under a tenth), 2 "about the same"."""
    ce, se = float(cross_entropy), float(squared_error)
    if not (np.isfinite(ce) and np.isfinite(se) and ce >= 0 and se >= 0 and max(ce, se) > 0):
        raise ValueError(f"two finite norms >= 0, not both 0, were expected, got {ce!r} and {se!r}")
    if ce > 10 * se:
        return 0
    if se > 10 * ce:
        return 1
    return 2


def blobs(n_per_class=60, seed=0):
    """Three well-separated Gaussian clouds in 2-D: ``X`` (3n, 2) and labels ``y`` (3n,)."""
    rng = np.random.default_rng(seed)
    centres = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
    X = np.concatenate([c + 0.5 * rng.normal(size=(n_per_class, 2)) for c in centres])
    return X, np.repeat(np.arange(3), n_per_class)


def confident_wrong_start(X, y, confident_wrong=8.0):
    """The start of :func:`train_softmax_regression`: ``W`` (2, C) and ``b`` (C,) of a confidently wrong net.

    ``W`` sends each cloud of class ``k`` to class ``(k + 1) % C``: the wrong class's logit is about
    ``confident_wrong`` at a cloud's centre, and its lead over the true class is larger (the true
    class's logit is negative there). ``b`` is zero.
    """
    C = int(y.max()) + 1
    means = np.stack([X[y == k].mean(axis=0) for k in range(C)])
    W = confident_wrong * np.roll(means, 1, axis=0).T / np.sum(means**2, axis=1).mean()
    return W, np.zeros(C)


def train_softmax_regression(cost, X, y, steps=150, lr=1.0, confident_wrong=8.0):
    """Gradient descent on a softmax regression ``z = X W + b`` under ``cost``, from a bad start.

    The start is :func:`confident_wrong_start`: ``W`` sends each cloud of class ``k`` to class
    ``(k + 1) % C``, whose logit is about ``confident_wrong``. Returns a dict of arrays, one entry per
    step: ``loss`` (the cost being minimised), ``accuracy`` and ``grad_norm`` (of dL/dz).
    """
    if cost not in COSTS:
        raise ValueError(f"cost must be one of {', '.join(COSTS)}, got {cost!r}")
    W, b = confident_wrong_start(X, y, confident_wrong)
    history = {"loss": [], "accuracy": [], "grad_norm": []}
    for _step in range(steps):
        z = X @ W + b
        loss, dz = (cross_entropy_and_grad if cost == "cross_entropy" else squared_error_and_grad)(z, y)
        history["loss"].append(float(loss))
        history["accuracy"].append(float(np.mean(np.argmax(z, axis=1) == y)))
        history["grad_norm"].append(float(np.linalg.norm(dz)))
        W -= lr * X.T @ dz
        b -= lr * dz.sum(axis=0)
    return {key: np.array(v) for key, v in history.items()}


def margin_state(margin=5.0):
    """One confidently wrong sample (class 1 leads the label 0 by ``margin``): h and dL/dz under each cost."""
    z, y = confident_wrong_logits(margin)
    return {
        "margin": float(margin),
        "h": softmax(z)[0],
        "cross_entropy": cross_entropy_and_grad(z, y)[1][0],
        "squared_error": squared_error_and_grad(z, y)[1][0],
    }


def describe_margin(state):
    ce, se = (float(np.linalg.norm(state[c])) for c in COSTS)
    return _(
        "margin {m:g}: h of the label = {h:.2g}; |dL/dz| is {ce:.3g} under cross-entropy and {se:.3g} "
        "under squared error"
    ).format(m=state["margin"], h=state["h"][0], ce=ce, se=se)


def draw_margin(state):
    """Three bar charts: h (the label dashed), dL/dz under cross-entropy, under squared error."""
    t = np.zeros(3)
    t[0] = 1
    lim = (-1.05, 1.05)
    return svg.Picture(
        svg.row(
            svg.bar_chart(state["h"], title=_("h, label dashed"), color=COLORS["probability"], outline=t),
            svg.bar_chart(
                state["cross_entropy"], title=_("cross-entropy: h − t"), color=COLORS["analytic"], ylim=lim
            ),
            svg.bar_chart(
                state["squared_error"], title=_("squared error: through J"), color=COLORS["wrong"], ylim=lim
            ),
        )
    )


def margin_widget():
    return LiveView(
        {"margin": slider(_("margin"), 5.0, 0.0, 20.0, step=0.5)},
        margin_state,
        draw=lambda s, **_: draw_margin(s),
        describe=lambda s, **_: describe_margin(s),
    )


# --- the exercise -----------------------------------------------------------------------------------


def _reference(z, t):
    loss, _dz = binary_cross_entropy_with_logits(z, t)
    return float(loss)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


@replies_when_stalled("bce_with_logits")
def check_bce_with_logits(fn):
    """Exercise: ``bce_with_logits(z, t)``, the mean binary cross-entropy from logits, stable."""
    cases = [
        # Targets of both values first: where t is all 0, a loss with z t dropped, flipped or kept agree.
        (normal(64, (4, 3)), np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])),
        (normal(61, (4, 3)), (normal(62, (4, 3)) > 0).astype(float)),
        # σ(40) rounds to 1 in float64, yet e^40 is finite: the naive log fails here, log(1 + e^z) not.
        (np.array([[40.0, -40.0], [1.0, -2.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])),
        (np.array([[800.0, -800.0], [30.0, -40.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])),
        (normal(63, (3, 2)) * 3, np.array([[0.2, 0.9], [0.5, 0.0], [1.0, 0.7]])),  # soft targets
    ]
    stable = see("11_choosing_the_cost", "Binary cross-entropy from the logits")

    def naive(z, t):
        s = _sigmoid(z)
        return float(np.sum(-t * np.log(s) - (1 - t) * np.log(1 - s)) / z.shape[0])

    def log1p_exp(z, t):
        return float(np.sum(np.log1p(np.exp(z)) - z * t) / z.shape[0])

    def per_sample(z, t):
        return _reference(z, t) * z.shape[0]

    mistakes = [
        *recheck_bce_mistakes(stable),
        (
            log1p_exp,
            _(
                "log(1 + e^z) − z t is right on paper, but e^z overflows for a large z (e^800 is inf): "
                "write it as max(z, 0) + log(1 + e^(−|z|)), where no exponent is positive"
            ),
            stable,
        ),
        (
            naive,
            _(
                "inf or NaN at large logits: σ(z) rounds to exactly 0 or 1 and the log of it is −inf; "
                "write the loss in z itself, max(z, 0) − z t + log(1 + e^(−|z|))"
            ),
            stable,
        ),
        (
            per_sample,
            _("off by a factor of N: the loss is the mean over the N rows, a sum divided by z.shape[0]"),
        ),
        (
            lambda z, t: per_sample(z, t) / z.size,
            _(
                "that divides by every entry, N·K: the course's loss sums the K outputs of a row and "
                "averages over the N rows only"
            ),
        ),
        (
            lambda z, t: float(np.sum(np.maximum(z, 0) + z * t + np.log1p(np.exp(-np.abs(z)))) / z.shape[0]),
            _("the sign of the z t term is flipped: the loss is max(z, 0) − z t + log(1 + e^(−|z|))"),
            stable,
        ),
        (
            lambda z, t: float(np.sum(np.maximum(z, 0) - z * t + np.log1p(np.exp(-z))) / z.shape[0]),
            _(
                "log(1 + e^(−z)) where the stable form has log(1 + e^(−|z|)): for a negative z the "
                "exponent is positive again, and the value is wrong besides"
            ),
            stable,
        ),
        (
            lambda z, t: float(np.sum(np.maximum(z, 0) - z * t) / z.shape[0]),
            _("the term log(1 + e^(−|z|)) is missing: it is what makes the loss smooth near z = 0"),
            stable,
        ),
        *bce_mistakes(stable),
    ]
    told = course_tuple(fn, cases[0])
    if told:
        return told
    verdict = run_checks(
        "bce_with_logits",
        fn,
        cases,
        _reference,
        mistakes,
        section=stable,
        returns=(float, np.floating, np.ndarray),
        own=(binary_cross_entropy_with_logits,),
        success=_(
            "max(z, 0) − z t + log(1 + e^(−|z|)), averaged over the rows: finite for any finite logits, "
            "and its gradient is (σ(z) − t)/N"
        ),
    )
    if verdict.passed:
        return float32_result(fn, cases[0], "bce_with_logits", "z") or verdict
    return verdict


def _se_reference(z, y):
    return squared_error_and_grad(z, y)[1]


@replies_when_stalled("squared_error_grad")
def check_squared_error_grad(fn):
    """Exercise: ``squared_error_grad(z, y)``, dL/dz of the squared error of softmax outputs."""
    cases = [
        (normal(71, (4, 3)) * 2, np.array([0, 2, 1, 0])),
        (normal(72, (3, 5)), np.array([4, 0, 4])),
        # Logits of several hundred: a softmax without the max subtracted overflows to NaN here.
        (np.array([[800.0, 0.0, -5.0], [1.0, 2.0, 3.0], [-700.0, 5.0, 0.0]]), np.array([1, 0, 2])),
    ]
    here = see("11_choosing_the_cost", "A confidently wrong output")

    def onehot(z, y):
        return np.eye(z.shape[1])[y]

    def through(z, g):
        h = softmax(z)
        return h * (g - np.sum(g * h, axis=1, keepdims=True))

    mistakes = [
        *recheck_squared_error_mistakes(here),
        (
            lambda z, y: (softmax(z) - onehot(z, y)) / z.shape[0],
            _(
                "that is (h − t)/N, the gradient of cross-entropy: squared error on a softmax output "
                "has dL/dh = (h − t)/N, which must still go through the softmax Jacobian"
            ),
            here,
        ),
        (
            lambda z, y: through(z, softmax(z) - onehot(z, y)),
            _("off by a factor of N: the loss is a mean over the rows, so g = (h − t)/N"),
        ),
        (
            lambda z, y: softmax(z) * (1 - softmax(z)) * (softmax(z) - onehot(z, y)) / z.shape[0],
            _(
                "that is g ⊙ h(1 − h), the Jacobian's diagonal alone: the rule is h ⊙ (g − ⟨g, h⟩) "
                "with g = (h − t)/N"
            ),
            see("02_softmax_jacobian", "Why the diagonal alone fails the gradient check"),
        ),
        (
            lambda z, y: -_se_reference(z, y),
            _("the sign is flipped: g = (h − t)/N, not (t − h)/N"),
        ),
        *squared_error_mistakes(here),
    ]
    return run_checks(
        "squared_error_grad",
        fn,
        cases,
        _se_reference,
        mistakes,
        [(overflowed, _(OVERFLOW), see("01_softmax", "Overflow, and the one-line fix"))],
        section=here,
        own=(squared_error_and_grad,),
        success=_(
            "h ⊙ (g − ⟨g, h⟩) with g = (h − t)/N: the Jacobian's factor h is what silences a "
            "confident mistake"
        ),
    )


def _graded_reference(z, t):
    """The solution's own stable form, written out: the grader scores it as a learner's hand-in,
    and a hand-in that calls the course's ``binary_cross_entropy_with_logits`` scores no checker points."""
    return float(np.sum(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))) / z.shape[0])


def _graded_se_reference(z, y):
    """The solution's chain through the softmax, written out (the grader scores it as a hand-in)."""
    h = np.exp(z - z.max(axis=1, keepdims=True))
    h /= h.sum(axis=1, keepdims=True)
    g = h.copy()
    g[np.arange(len(y)), y] -= 1
    g /= len(y)
    return h * (g - (g * h).sum(axis=1, keepdims=True))


GRADED = [
    Exercise(
        "bce_with_logits",
        "bce_with_logits",
        check_bce_with_logits,
        _graded_reference,
        lambda: (hidden_rng(31).normal(size=(5, 3)) * 20, hidden_rng(32).uniform(0, 1, size=(5, 3))),
        course_functions=("course_utils.losses.binary_cross_entropy_with_logits",),
    ),
    Exercise(
        "squared_error_grad",
        "squared_error_grad",
        check_squared_error_grad,
        _graded_se_reference,
        lambda: (hidden_rng(33).normal(size=(5, 4)) * 3, np.array([0, 3, 1, 1, 2])),
        course_functions=("course_utils.cost_theory.squared_error_and_grad",),
    ),
]
"""The exercises of notebook 11, as the teacher's grader scores them."""
