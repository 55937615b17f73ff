r"""The first learner's Octave gradient check, transcribed, so its tables can be reproduced.

The learner checked backprop on the small debug network of the Octave course: 3 inputs, 5 hidden
units, 3 classes, 5 samples, with weights filled by ``sin(1), sin(2), ...`` divided by 10 in
column-major order. Their backprop always starts from the output delta ``a3 - Y`` and (in the
posted code) always multiplies by the *sigmoid* derivative in the hidden layer; their numerical
gradient differentiates whichever cost they print. :func:`gradient_mismatch` runs that check for any
choice of hidden activation, backprop derivative, output and cost.

Octave conventions are kept on purpose: bias weights in the first column of ``Theta1`` (5 x 4) and
``Theta2`` (3 x 6), labels counted from 1, parameters unrolled column-major as
``[Theta1(:); Theta2(:)]`` (38 numbers), central differences with ``e = 1e-4``.
"""

from dataclasses import dataclass

import numpy as np

from . import _checks
from .activations import get_activation
from .gradcheck import rel_error
from .i18n import _
from .softmax import softmax

INPUTS, HIDDEN, CLASSES, SAMPLES = 3, 5, 3, 5
EPSILON = 1e-4
OUTPUTS = ("sigmoid", "softmax")
COSTS = ("cross_entropy", "binary_cross_entropy")


# The three tables the learner printed (numerical, analytic), first rows of the 38, as posted.
LEARNER_TABLES = {
    ("sigmoid", "softmax"): [
        (-9.4049e-04, -6.4143e-04),
        (-6.2623e-05, -2.5895e-05),
        (1.0676e-03, 6.9474e-04),
        (-2.0473e-03, -1.3471e-03),
        (2.9846e-03, 1.9716e-03),
        (4.0945e-05, 2.7627e-05),
        (-2.5102e-05, -1.7017e-05),
        (8.8054e-06, 6.0967e-06),
        (7.8509e-06, 5.0682e-06),
        (-2.4561e-05, -1.6270e-05),
        (5.6108e-05, 3.8449e-05),
        (2.0690e-05, 1.2590e-05),
        (-9.7665e-05, -6.3771e-05),
        (1.7235e-04, 1.1345e-04),
        (-2.4335e-04, -1.6071e-04),
    ],
    ("tanh", "softmax"): [
        (-3.9826e-03, -2.7402e-03),
        (4.6667e-05, 1.1115e-04),
        (3.9368e-03, 2.5504e-03),
        (-7.7824e-03, -5.1228e-03),
        (1.1451e-02, 7.5781e-03),
        (1.5897e-04, 1.0734e-04),
        (-9.6886e-05, -6.5701e-05),
        (3.3560e-05, 2.3153e-05),
        (3.3344e-05, 2.1786e-05),
        (-1.0282e-04, -6.8409e-05),
        (2.1185e-04, 1.4774e-04),
        (9.0293e-05, 5.3752e-05),
        (-4.0012e-04, -2.6047e-04),
        (6.9648e-04, 4.5839e-04),
        (-9.7518e-04, -6.4468e-04),
    ],
    ("sigmoid", "sigmoid"): [
        (-9.2783e-03, -9.2783e-03),
        (8.8991e-03, 8.8991e-03),
        (-8.3601e-03, -8.3601e-03),
        (7.6281e-03, 7.6281e-03),
        (-6.7480e-03, -6.7480e-03),
        (-3.0498e-06, -3.0498e-06),
        (1.4287e-05, 1.4287e-05),
        (-2.5938e-05, -2.5938e-05),
        (3.6988e-05, 3.6988e-05),
        (-4.6876e-05, -4.6876e-05),
        (-1.7506e-04, -1.7506e-04),
        (2.3315e-04, 2.3315e-04),
        (-2.8747e-04, -2.8747e-04),
        (3.3532e-04, 3.3532e-04),
        (-3.7622e-04, -3.7622e-04),
        (-9.6266e-05, -9.6266e-05),
    ],
}


def learner_table(hidden, output):
    """One of the learner's printed tables in their format, ``%.4e %.4e`` per row."""
    return "\n".join(f"{a:.4e} {b:.4e}" for a, b in LEARNER_TABLES[(hidden, output)])


def debug_initialize_weights(fan_out, fan_in):
    """``fan_out x (1 + fan_in)`` matrix of ``sin(1), sin(2), ...`` / 10, filled column by column."""
    n = fan_out * (1 + fan_in)
    return (np.sin(np.arange(1, n + 1)) / 10).reshape((fan_out, 1 + fan_in), order="F")


def debug_problem():
    """``Theta1 (5, 4)``, ``Theta2 (3, 6)``, ``X (5, 3)`` and labels ``y`` in 1..3, as in Octave."""
    Theta1 = debug_initialize_weights(HIDDEN, INPUTS)
    Theta2 = debug_initialize_weights(CLASSES, HIDDEN)
    X = debug_initialize_weights(SAMPLES, INPUTS - 1)
    y = 1 + np.arange(1, SAMPLES + 1) % CLASSES
    return Theta1, Theta2, X, y


def unroll(Theta1, Theta2):
    """``[Theta1(:); Theta2(:)]``: column-major, as Octave's ``(:)``."""
    return np.concatenate([Theta1.ravel(order="F"), Theta2.ravel(order="F")])


def roll(params):
    t1 = HIDDEN * (INPUTS + 1)
    return (
        params[:t1].reshape((HIDDEN, INPUTS + 1), order="F"),
        params[t1:].reshape((CLASSES, HIDDEN + 1), order="F"),
    )


def _output(z3, output):
    return get_activation("sigmoid").f(z3) if output == "sigmoid" else softmax(z3)


def forward(params, X, hidden, output):
    """Octave-style forward pass: returns a1 (with ones), z2, a2 (with ones), a3."""
    Theta1, Theta2 = roll(params)
    m = X.shape[0]
    a1 = np.column_stack([np.ones(m), X])
    z2 = a1 @ Theta1.T
    a2 = np.column_stack([np.ones(m), get_activation(hidden).f(z2)])
    a3 = _output(a2 @ Theta2.T, output)
    return a1, z2, a2, a3


def cost(params, X, y, *, hidden, output, cost, reg):
    r"""The printed cost ``J``, with the regulariser :math:`\frac{\lambda}{2m}\sum \Theta^2`.

    The bias columns are not regularised.

    ``cross_entropy``: :math:`J = -\frac{1}{m}\sum Y \log h`;
    ``binary_cross_entropy``: :math:`J = -\frac{1}{m}\sum [Y\log h + (1 - Y)\log(1 - h)]`.
    """
    Theta1, Theta2 = roll(params)
    m = X.shape[0]
    Y = np.eye(CLASSES)[y - 1]
    h = forward(params, X, hidden, output)[3]
    if cost == "cross_entropy":
        data = -np.sum(Y * np.log(h)) / m
    else:
        data = np.sum(-Y * np.log(h) - (1 - Y) * np.log(1 - h)) / m
    p = np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2)
    return data + reg * p / (2 * m)


def learner_backprop(params, X, y, *, hidden, backprop_derivative, output, reg):
    """The learner's backprop: ``sigma3 = a3 - Y`` and the chosen hidden derivative, unrolled."""
    Theta1, Theta2 = roll(params)
    m = X.shape[0]
    Y = np.eye(CLASSES)[y - 1]
    a1, z2, a2, a3 = forward(params, X, hidden, output)
    sigma3 = a3 - Y
    sigma2 = (sigma3 @ Theta2)[:, 1:] * get_activation(backprop_derivative).df(z2)
    Theta1_grad = sigma2.T @ a1 / m
    Theta2_grad = sigma3.T @ a2 / m
    Theta1_grad[:, 1:] += reg / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += reg / m * Theta2[:, 1:]
    return unroll(Theta1_grad, Theta2_grad)


def numerical_gradient_octave(J, params, e=EPSILON):
    """``computeNumericalGradient``: ``(J(theta + e) - J(theta - e)) / 2e`` for every entry."""
    grad = np.zeros_like(params)
    for k in range(params.size):
        step = np.zeros_like(params)
        step[k] = e
        plus, minus = params + step, params - step
        if plus[k] == minus[k]:
            raise ValueError(
                f"the step e = {e:g} vanishes next to parameter {k} = {params[k]:g} "
                f"(the spacing of float64 there is {np.spacing(params[k]):.1e}): use a larger e"
            )
        grad[k] = (J(plus) - J(minus)) / (2 * e)
    return grad


@dataclass(frozen=True)
class MismatchResult:
    """Both columns of the learner's check, and how far apart they are."""

    hidden: str
    backprop_derivative: str
    output: str
    cost: str
    reg: float
    numerical: np.ndarray
    analytic: np.ndarray
    eps: float = EPSILON  # the central-difference step the numerical column used

    @property
    def rel_error(self):
        return rel_error(self.numerical, self.analytic)

    def layer(self, name):
        """The slice of both columns that belongs to ``Theta1`` or ``Theta2``."""
        t1 = HIDDEN * (INPUTS + 1)
        part = slice(0, t1) if name == "Theta1" else slice(t1, None)
        return self.numerical[part], self.analytic[part]

    @property
    def layer_errors(self):
        return {name: rel_error(*self.layer(name)) for name in ("Theta1", "Theta2")}

    @property
    def layer_ratios(self):
        """Least-squares numerical / analytic per layer (1 when they agree)."""
        out = {}
        for name in ("Theta1", "Theta2"):
            num, ana = self.layer(name)
            out[name] = float(num @ ana / (ana @ ana))
        return out

    def table(self, rows=None):
        """The two columns as the learner printed them: ``numerical analytic``, ``%.4e``."""
        n = self.numerical.size if rows is None else rows
        return "\n".join(f"{a:.4e} {b:.4e}" for a, b in zip(self.numerical[:n], self.analytic[:n]))


def gradient_mismatch(
    hidden, backprop_derivative=None, output="softmax", cost="cross_entropy", reg=0.0, e=EPSILON
):
    """Run the learner's gradient check on the Octave debug network.

    Parameters
    ----------
    hidden : str
        Hidden activation, a name from ``ACTIVATIONS``.
    backprop_derivative : str, optional
        Whose derivative backprop multiplies by in the hidden layer; by default the hidden
        activation's own. The learner's posted code hard-codes ``"sigmoid"``.
    output : {"softmax", "sigmoid"}
        Output layer.
    cost : {"cross_entropy", "binary_cross_entropy"}
        The cost the numerical side differentiates (the learner's printed ``J``).
    reg : float
        lambda, >= 0.
    e : float
        Central-difference step.

    Returns
    -------
    MismatchResult
        ``.numerical`` and ``.analytic``, each shape (38,), ``.rel_error``, per-layer errors and
        ratios, and ``.table()`` in the learner's format.
    """
    backprop_derivative = hidden if backprop_derivative is None else backprop_derivative
    e = _checks.positive_number(e, "e (the central-difference step)")
    get_activation(hidden)
    get_activation(backprop_derivative)
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {OUTPUTS}, got {output!r}")
    if cost not in COSTS:
        raise ValueError(f"cost must be one of {COSTS}, got {cost!r}")
    if isinstance(reg, bool) or not isinstance(reg, (int, float, np.integer, np.floating)):
        raise _checks.DTypeError(f"reg (lambda) must be a number >= 0, got {type(reg).__name__} {reg!r}")
    if not (np.isfinite(reg) and reg >= 0):
        raise ValueError(f"reg (lambda) must be a number >= 0, got {reg!r}")
    Theta1, Theta2, X, y = debug_problem()
    params = unroll(Theta1, Theta2)
    settings = dict(hidden=hidden, output=output, reg=reg)
    numerical = numerical_gradient_octave(lambda p: _cost(p, X, y, cost, settings), params, e)
    analytic = learner_backprop(params, X, y, backprop_derivative=backprop_derivative, **settings)
    return MismatchResult(hidden, backprop_derivative, output, cost, float(reg), numerical, analytic, e)


def _cost(params, X, y, which, settings):
    return cost(params, X, y, cost=which, **settings)


def explain(result, tol=1e-7):
    """Name what makes the two columns differ, from the settings and the measured errors."""
    findings = []
    if result.output == "softmax" and result.cost == "binary_cross_entropy":
        findings.append(
            _(
                "cost mismatch: the numerical side differentiates the binary (sigmoid) "
                "cost, while backprop's a3 − Y is the gradient of softmax cross-entropy; "
                "at uniform outputs the ratio is exactly K/(K−1) = {ratio:.2f}, elsewhere it "
                "depends on the outputs: 1 + h_y/(1 − h_k), between 1 and 2, when the outputs off "
                "the label are equal, and one ratio per entry when they are not"
            ).format(ratio=CLASSES / (CLASSES - 1))
        )
    if result.output == "sigmoid" and result.cost == "cross_entropy":
        findings.append(
            _(
                "cost mismatch: with sigmoid outputs a3 − Y is the gradient of the binary cost, "
                "not of −Σ Y log h"
            )
        )
    if result.backprop_derivative != result.hidden:
        findings.append(
            _(
                "wrong hidden derivative: backprop multiplies by {used}' "
                "but the hidden layer is {hidden}; only Theta1's gradient is affected, each "
                "sample and hidden unit by its own factor {used}'(z2)/{hidden}'(z2)"
            ).format(used=result.backprop_derivative, hidden=result.hidden)
        )
    # The separator between findings is a message too: Chinese joins clauses with a full-width "；".
    separator = _("; ")
    if result.rel_error <= tol:
        if findings:
            return _("the columns agree here despite: {findings}").format(findings=separator.join(findings))
        return _(
            "the columns agree (relative error below {tol:.0e}): backprop matches the printed cost"
        ).format(tol=tol)
    if not findings and result.eps != EPSILON:
        return _step_finding(result, tol)
    if not findings:
        findings.append(_("the columns differ for a reason outside this model"))
    return separator.join(findings)


def _step_finding(result, tol):
    """Blame the step ε when the same settings agree at the learner's ε = 1e-4."""
    again = gradient_mismatch(
        result.hidden, result.backprop_derivative, result.output, result.cost, result.reg, EPSILON
    )
    if again.rel_error > tol:
        return _("the columns differ for a reason outside this model")
    why = (
        _("with a step this large the central difference carries a truncation error of order ε²")
        if result.eps > EPSILON
        else _("with a step this small the round-off in each cost, divided by 2ε, grows as 1/ε")
    )
    return _(
        "the step ε = {eps:.0e} you set is the cause: {why}; at the learner's ε = {ref:.0e} the same "
        "settings agree (relative error {err:.1e})"
    ).format(eps=result.eps, why=why, ref=EPSILON, err=again.rel_error)
