"""Companion of notebook 07 · The mismatch lab.

The first learner's Octave gradient check as a widget, and the checkers of its exercises.
"""

import numpy as np

from .. import mismatch, svg
from ..i18n import _
from ..losses import cross_entropy
from ..palette import COLORS
from ..softmax import softmax
from ._checking import Exercise, hidden_rng, normal, run_checks, see
from ._nb05_09_predictions import Prediction, mismatch_ratio_choice  # noqa: F401 - the committed prediction
from ._nb07_mistakes import (
    bias_column_kept,
    cost_raised,
    in_notebook_symbols,
    more_cost_mistakes,
    more_sigma2_mistakes,
    one_row_short,
    sigma2_raised,
)
from ._partial_loops import part_filled
from ._view import LiveView
from ._when_raised import named_raise, raises_like

MISMATCH_DEFAULTS = dict(
    hidden="sigmoid",
    backprop_derivative="sigmoid",
    output="softmax",
    cost="binary_cross_entropy",
    reg=0.0,
    eps=1e-4,
)
TABLE_ROWS = 10


def mismatch_state(hidden, backprop_derivative, output, cost, reg=0.0, eps=1e-4):
    """The learner's check for one choice of settings, with the explanation and their printed table."""
    result = mismatch.gradient_mismatch(hidden, backprop_derivative, output, cost, reg, eps)
    printed = None
    if (
        (hidden, output) in mismatch.LEARNER_TABLES
        and cost == "binary_cross_entropy"
        and reg == 0
        and eps == mismatch.EPSILON
    ):
        printed = mismatch.LEARNER_TABLES[(hidden, output)]
    return {
        "result": result,
        "explanation": mismatch.explain(result),
        "learner": printed,
        "layer_errors": result.layer_errors,
        "layer_ratios": result.layer_ratios,
    }


def describe_mismatch(state):
    r = state["result"]
    return _("relative error {err:.3g}: {explanation}").format(
        err=r.rel_error, explanation=state["explanation"]
    )


def _mismatch_rows(state):
    r = state["result"]
    rows = []
    for k in range(TABLE_ROWS):
        row = [f"{r.numerical[k]:.4e}", f"{r.analytic[k]:.4e}"]
        if state["learner"] is not None and k < len(state["learner"]):
            row += [f"{state['learner'][k][0]:.4e}", f"{state['learner'][k][1]:.4e}"]
        rows.append(row)
    return rows


@svg.picture
def draw_mismatch(state):
    """The gradient table (with the learner's printed one), the scatter, and the error per layer."""
    header = [_("numerical"), _("analytic")]
    if state["learner"]:
        header += [_("learner num."), _("learner an.")]
    r = state["result"]
    errors = svg.bar_chart(
        [max(state["layer_errors"][n], 0.0) for n in ("Theta1", "Theta2")],
        title=_("error per layer ✗ fails") if r.rel_error > 1e-7 else _("error per layer ✓ passes"),
        labels=["Theta1", "Theta2"],
        ylim=(0, 1),
        color=COLORS["wrong" if r.rel_error > 1e-7 else "analytic"],
    )
    return svg.row(
        svg.table(header, _mismatch_rows(state)),
        svg.scatter(
            r.numerical,
            r.analytic,
            title=_("analytic vs numerical"),
            xlabel=_("numerical"),
            ylabel=_("analytic"),
        ),
        errors,
    )


def cost_options():
    """The cost dropdown's ``(label, value)`` pairs: labels in the reader's language, values the keys."""
    labels = {"cross_entropy": _("cross-entropy"), "binary_cross_entropy": _("binary cross-entropy")}
    return [(labels.get(key, key), key) for key in mismatch.COSTS]


def mismatch_widget():
    import ipywidgets as w

    names = ["sigmoid", "tanh", "softplus", "relu", "leaky_relu", "elu"]
    d = MISMATCH_DEFAULTS
    controls = {
        "hidden": w.Dropdown(options=names, value=d["hidden"], description=_("hidden")),
        "backprop_derivative": w.Dropdown(
            options=names, value=d["backprop_derivative"], description=_("backprop f'")
        ),
        "output": w.Dropdown(options=list(mismatch.OUTPUTS), value=d["output"], description=_("output")),
        "cost": w.Dropdown(options=cost_options(), value=d["cost"], description=_("cost")),
        "reg": w.FloatSlider(value=d["reg"], min=0, max=3, step=0.1, description="λ"),
        "eps": w.FloatLogSlider(value=d["eps"], base=10, min=-8, max=-1, step=1, description="ε"),
    }
    return LiveView(
        controls,
        mismatch_state,
        draw=lambda s, **_values: draw_mismatch(s),
        describe=lambda s, **_values: describe_mismatch(s),
    )


def _softmax_cost(h, Y):
    return -np.sum(Y * np.log(h)) / h.shape[0]


def check_softmax_cost(fn):
    """Exercise: the cost ``L(h, Y)`` whose gradient is ``a3 - Y`` for a softmax output; h, Y (m, K)."""
    cases = [
        (softmax(normal(26, (5, 3))), np.eye(3)[[1, 2, 0, 1, 2]]),
        (softmax(normal(27, (4, 4))), np.eye(4)[[3, 0, 0, 2]]),
    ]
    mistakes = [
        (
            lambda h, Y: -np.sum(Y * np.log(h)),
            _("m times too large: that is the learner's commented line, which forgot the 1/m"),
            see("07_mismatch_lab", "The commented cost"),
        ),
        (
            lambda h, Y: -np.mean(Y * np.log(h)),
            _(
                "K times too small: np.mean averages over all m·K entries of Y·log h, but the cost "
                "averages over the m samples only; use −np.sum(Y * np.log(h)) / m"
            ),
        ),
        (
            lambda h, Y: -np.sum(Y * np.log(h), axis=1) / h.shape[0],
            _("one number per sample, shape (m,): the cost is one number; sum over the samples too"),
        ),
        (
            lambda h, Y: np.sum(-Y * np.log(h) - (1 - Y) * np.log(1 - h)) / h.shape[0],
            _("that is the binary (sigmoid) cost: its gradient through a softmax is not a3 − Y"),
        ),
        (lambda h, Y: np.sum(Y * np.log(h)) / h.shape[0], _("the sign is flipped: L = −(1/m) Σ Y log h")),
        (
            lambda h, Y: -np.sum(np.log(h)) / h.shape[0],
            _(
                "Y is missing, or does nothing: −Σ log h adds the log of every class's output (so does a "
                "matrix product Y.T @ log h summed, since each row of Y sums to 1); the cost takes log h "
                "at the label only, elementwise, L = −(1/m) Σ Y ⊙ log h"
            ),
        ),
        (
            lambda h, Y: -np.sum((1 - Y) * np.log(h)) / h.shape[0],
            _("log h is taken at the wrong classes: Y picks the label, 1 − Y picks every other class"),
        ),
        (
            lambda h, Y: -np.sum(Y * h) / h.shape[0],
            _("the log is missing: L = −(1/m) Σ Y log h, not −(1/m) Σ Y h"),
        ),
        (
            lambda h, Y: -np.sum(Y * np.log10(h)) / h.shape[0],
            _(
                "np.log10 is the base-10 logarithm: the cost, and a3 − Y as its gradient, use the "
                "natural log np.log"
            ),
        ),
        (
            lambda h, Y: -np.sum(Y * np.log2(h)) / h.shape[0],
            _(
                "np.log2 is the base-2 logarithm: the cost, and a3 − Y as its gradient, use the "
                "natural log np.log"
            ),
        ),
        (
            lambda h, Y: np.sum((h - Y) ** 2) / (2 * h.shape[0]),
            _(
                "that is the squared error ½ Σ (h − Y)² / m: through a softmax its gradient is not "
                "a3 − Y either; the cost is −(1/m) Σ Y log h"
            ),
        ),
        (
            lambda h, Y: -np.sum(Y * np.log(h), axis=0) / h.shape[0],
            _("one number per class, shape (K,): the cost is one number; sum over the classes too"),
        ),
        (
            lambda h, Y: -np.sum(Y @ np.log(h).T) / h.shape[0],
            _(
                "Y @ log(h).T pairs each sample's label with every sample's outputs, and the sum adds "
                "the cross terms: multiply elementwise, Y * np.log(h), then sum"
            ),
        ),
        (
            lambda h, Y: (h - Y) / h.shape[0],
            _(
                "that is the gradient (a3 − Y)/m, shape (m, K): the exercise asks for the cost, one "
                "number, whose gradient it is"
            ),
        ),
        (
            lambda h, Y: h - Y,
            _("that is a3 − Y itself, the gradient's numerator: the exercise asks for the cost, one number"),
        ),
        (
            lambda h, Y: -np.sum((1 - Y) * np.log(1 - h)) / h.shape[0],
            _(
                "only the second half of the binary cost, −(1/m) Σ (1 − Y) log(1 − h): the softmax "
                "cost is −(1/m) Σ Y log h"
            ),
        ),
        *more_cost_mistakes(_softmax_cost),
    ]
    feedback = run_checks(
        "softmax_cost",
        fn,
        cases,
        _softmax_cost,
        mistakes,
        section=see("07_mismatch_lab", "Why: two costs, one delta"),
        success=_("L = −(1/m) Σ Y log h: the cost that a3 − Y is the gradient of, for softmax"),
        own=(cross_entropy,),
    )
    return in_notebook_symbols(named_raise(feedback, fn, cases, cost_raised()))


def _sigma2(sigma3, Theta2, z2, hidden):
    from ..activations import get_activation

    return (sigma3 @ Theta2)[:, 1:] * get_activation(hidden).df(z2)


def check_sigma2(fn):
    """Exercise: the hidden delta ``sigma2(sigma3, Theta2, z2, hidden)``, shape (m, H)."""
    from ..activations import ACTIVATIONS, get_activation

    # m, K and H + 1 all differ in each case, so a transposed or swapped product cannot pass.
    cases = [
        (normal(28, (4, 3)), normal(29, (3, 6)), normal(30, (4, 5)), "tanh"),
        (normal(31, (6, 3)), normal(32, (3, 5)), normal(33, (6, 4)), "softplus"),
    ]
    df = lambda hid, z: get_activation(hid).df(z)  # noqa: E731
    mistakes = [
        (
            lambda s3, T2, z2, hid: _sigma2(s3, T2, z2, "sigmoid"),
            _(
                "that is the sigmoid derivative: the learner's hard-coded line; use the derivative of the "
                "hidden activation you actually have"
            ),
        ),
        *[
            (
                lambda s3, T2, z2, hid, name=name: _sigma2(s3, T2, z2, name),
                _(
                    "that is {name}'s derivative whatever `hidden` says: it is right only when the hidden "
                    "layer is {name}; use cu.ACTIVATIONS[hidden].df"
                ).format(name=name),
            )
            for name in ACTIVATIONS
            if name not in ("sigmoid", "identity")  # identity's derivative 1: "missing" below
        ],
        (
            lambda s3, T2, z2, hid: (s3 @ T2) * df(hid, np.column_stack([np.ones(len(z2)), z2])),
            _("shape (m, H + 1): drop the bias column, sigma2(:, 2:end) in Octave, [:, 1:] here"),
        ),
        (
            lambda s3, T2, z2, hid: (s3 @ T2)[:, :-1] * df(hid, z2),
            _(
                "[:, :-1] drops the last column of sigma3 Theta2, but the bias column is the first: "
                "[:, 1:], sigma2(:, 2:end) in Octave"
            ),
        ),
        (
            lambda s3, T2, z2, hid: (s3 @ T2)[:, 1:] * df(hid, get_activation(hid).f(z2)),
            _("the derivative was taken at the activation f(z2), not at the pre-activation z2"),
        ),
        (
            lambda s3, T2, z2, hid: (s3 @ T2)[:, 1:] * get_activation(hid).f(z2),
            _("that multiplies by the activation f(z2) itself: the chain rule needs its derivative f'(z2)"),
        ),
        (
            lambda s3, T2, z2, hid: (s3 @ T2)[:, 1:],
            _("the activation's derivative is missing: multiply elementwise by f'(z2)"),
        ),
        (
            lambda s3, T2, z2, hid: df(hid, z2),
            _(
                "that is f'(z2) alone: multiply it by the delta from above, (sigma3 Theta2) without "
                "the bias column"
            ),
        ),
        (
            lambda s3, T2, z2, hid: _sigma2(s3, T2, z2, hid) / len(z2),
            _(
                "m times too small: the 1/m of the mean belongs to the gradients of Theta1 and Theta2, "
                "not to the deltas"
            ),
        ),
        (
            lambda s3, T2, z2, hid: _sigma2(s3, T2, z2, hid).T,
            _("shape (H, m), the transpose: the learner's layout has one row per sample, (m, H)"),
        ),
        *more_sigma2_mistakes(df, get_activation),
    ]
    raised = [
        (
            raises_like(lambda s3, T2, z2, hid: s3 @ T2.T),
            _(
                "sigma3 @ Theta2.T cannot multiply: in this layout Theta2 is (K, H + 1), so sigma3 @ Theta2 "
                "is already (m, H + 1), with no transpose"
            ),
        ),
        (
            raises_like(lambda s3, T2, z2, hid: s3 * T2),
            _(
                "sigma3 * Theta2 multiplies elementwise, shapes (m, K) and (K, H + 1): the chain rule needs "
                "the matrix product sigma3 @ Theta2"
            ),
        ),
        (
            raises_like(lambda s3, T2, z2, hid: (s3 @ T2) * df(hid, z2)),
            _(
                "sigma3 Theta2 is (m, H + 1) and f'(z2) is (m, H): drop the bias column first, "
                "(sigma3 @ Theta2)[:, 1:]"
            ),
        ),
        (
            raises_like(
                lambda s3, T2, z2, hid: (s3 @ T2)[:, 1:] * df(hid, np.column_stack([np.ones(len(z2)), z2]))
            ),
            _(
                "f'(z2) with a column of ones added is (m, H + 1): z2 has no bias column; only the "
                "product sigma3 Theta2 loses its first column"
            ),
        ),
        *sigma2_raised(df),
        (
            lambda exc, args: isinstance(exc, KeyError),
            _(
                "cu.ACTIVATIONS has no entry of that name: index it with the argument itself, "
                "cu.ACTIVATIONS[hidden], not with a fixed string"
            ),
        ),
    ]
    feedback = run_checks(
        "sigma2",
        fn,
        cases,
        _sigma2,
        mistakes,
        [bias_column_kept(), one_row_short(), part_filled("m")],
        section=see("07_mismatch_lab", "Table 3, and a latent bug"),
        success=_("sigma2 = (sigma3 Theta2)(:, 2:end) .* f'(z2), with f the hidden activation"),
    )
    return in_notebook_symbols(named_raise(feedback, fn, cases, raised))


GRADED = [
    Exercise(
        "softmax_cost",
        "softmax_cost",
        check_softmax_cost,
        _softmax_cost,
        lambda: (softmax(hidden_rng(15).normal(size=(6, 3))), np.eye(3)[[0, 1, 2, 2, 1, 0]]),
        course_functions=("course_utils.losses.cross_entropy",),
    ),
    Exercise(
        "sigma2",
        "sigma2",
        check_sigma2,
        _sigma2,
        lambda: (
            hidden_rng(16).normal(size=(4, 3)),
            hidden_rng(17).normal(size=(3, 7)),
            hidden_rng(18).normal(size=(4, 6)),
            "elu",
        ),
    ),
]
"""The exercises of notebook 07, as the teacher's grader scores them."""
