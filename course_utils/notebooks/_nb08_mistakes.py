"""Companion of notebook 08, continued: the wrong answers its checkers name, one catalogue per exercise.

``nb08_mnist_two_layer_net`` holds the checkers and their references and calls these functions for
the ``(wrong answer, what it says)`` lists; the notebook imports that module only. Each catalogue is
built when its checker runs, so its messages come in the language of the moment, and takes the
references it varies as arguments, so this module imports nothing from the companion.
"""

import numpy as np

from ..i18n import _
from ..softmax import softmax
from ._checking import N_BY_ONE, see
from ._when_raised import raises_like


def relu_backward_mistakes():
    """Wrong ``relu_backward(da1, a1)`` answers, each with what its reply says."""
    return [
        # For a ReLU output a1 >= 0 holds everywhere, so a mask a1 >= 0 and no mask give the same numbers.
        (
            lambda d, a1: d,
            _(
                "every unit passes the gradient, also those that are off (a1 = 0): multiply by the mask "
                "a1 > 0 (a mask a1 >= 0 is true everywhere, since a ReLU output is never negative)"
            ),
        ),
        (
            lambda d, a1: (a1 > 0).astype(float),
            _("that is the mask alone: multiply it by the upstream gradient"),
        ),
        (
            lambda d, a1: np.maximum(d, 0),
            _(
                "np.maximum(da1, 0) is the ReLU applied to the gradient: it keeps the positive gradients "
                "and drops the negative ones, whichever units are on; the mask comes from the "
                "activations, da1 * (a1 > 0)"
            ),
        ),
        (
            lambda d, a1: d * a1,
            _(
                "da1 * a1 multiplies by the activation's value: ReLU's derivative is 1 where the unit is "
                "on and 0 where it is off, so multiply by the mask a1 > 0"
            ),
        ),
        (
            lambda d, a1: d * (a1 <= 0),
            _("the mask is inverted: the gradient passes where the unit is off; use a1 > 0"),
        ),
        (
            lambda d, a1: d * (a1 < 0),
            _("a1 < 0 is never true for a ReLU output, so nothing passes: the mask is a1 > 0"),
        ),
        (
            lambda d, a1: (d > 0).astype(float),
            _("that is a mask of the gradient's signs: multiply da1 by the activations' mask a1 > 0"),
        ),
        (
            lambda d, a1: d * a1 * (1 - a1),
            _("a1(1 − a1) is the sigmoid's derivative: the ReLU's is the mask a1 > 0"),
        ),
        (
            lambda d, a1: d @ (a1 > 0).T,
            _("a matrix product: the mask multiplies elementwise, da1 * (a1 > 0), one factor per entry"),
        ),
    ]


def _swapped(reference):
    return lambda *a: reference(*a)[::-1]


def momentum_update_mistakes(momentum, also_right):
    """Wrong momentum steps, each with what its reply says.

    First ``momentum`` and each of ``also_right`` (the conventions that are right too) with the
    returned pair swapped, then the classic slips.
    """
    swapped = _(
        "the returned pair is swapped: return (w_new, v_new), the new weights first, then the new velocity"
    )
    return [
        (_swapped(momentum), swapped),
        *[(_swapped(reference), swapped) for reference in also_right],
        (
            lambda w, dw, v, lr, mu: (w + (mu * v + lr * dw), mu * v + lr * dw),
            _("gradient ascent: the step must go against the gradient, v = μv − η·dw"),
        ),
        (
            lambda w, dw, v, lr, mu: (w + v, mu * v - lr * dw),
            _("w moved with the old velocity: update v first, then w = w + v_new"),
        ),
        (
            lambda w, dw, v, lr, mu: (w - lr * dw, -lr * dw),
            _("the momentum term μv is missing: that is plain SGD"),
        ),
        (
            lambda w, dw, v, lr, mu: (w - lr * dw, mu * v - lr * dw),
            _(
                "the velocity is computed but ignored: w took the plain SGD step w − η·dw; "
                "move w by the new velocity, w = w + v_new"
            ),
        ),
        (
            lambda w, dw, v, lr, mu: (w + mu * v - lr * dw, v),
            _("w is right, but the velocity came back unchanged: return the new one, v_new = μv − η·dw"),
        ),
        (
            lambda w, dw, v, lr, mu: (w + v - mu * lr * dw, v - mu * lr * dw),
            _(
                "μ multiplies the gradient instead of the velocity: v = μv − η·dw, the old velocity "
                "decays by μ and the gradient enters with η alone"
            ),
        ),
        (
            lambda w, dw, v, lr, mu: (w + mu * (v - lr * dw), mu * (v - lr * dw)),
            _("μ multiplies the gradient too: only the old velocity decays by μ, v = μv − η·dw"),
        ),
        (
            lambda w, dw, v, lr, mu: (w + lr * v - mu * dw, lr * v - mu * dw),
            _("η and μ are swapped: the velocity decays by μ and the gradient is scaled by η, v = μv − η·dw"),
        ),
        (
            lambda w, dw, v, lr, mu: (w - (mu * v - lr * dw), mu * v - lr * dw),
            _(
                "v = μv − η·dw already points downhill, so w = w − v climbs: with this velocity the "
                "step is w = w + v"
            ),
        ),
        (
            lambda w, dw, v, lr, mu: (w + mu * (mu * v - lr * dw) - lr * dw, mu * v - lr * dw),
            _(
                "that is Nesterov's look-ahead step, w + μv_new − η·dw: the exercise asks for plain "
                "momentum, w = w + v_new"
            ),
        ),
        (
            lambda w, dw, v, lr, mu: (w - lr * (mu * v + (1 - mu) * dw), mu * v + (1 - mu) * dw),
            _(
                "(1 − μ)·dw makes the velocity an average of the gradients (Adam's first moment, or "
                "momentum with dampening): plain momentum adds the whole gradient, v = μv − η·dw"
            ),
        ),
        (
            lambda w, dw, v, lr, mu: (w + lr * (mu * v - lr * dw), mu * v - lr * dw),
            _("η is applied twice: it is already inside v = μv − η·dw, so w = w + v"),
        ),
    ]


def two_layer_backward_mistakes(backward, steps):
    """Wrong ``two_layer_backward`` answers, made by ``backward``'s switches, with their replies.

    ``steps`` is the section the replies send the learner to by default.
    """
    return [
        (
            lambda *a: backward(*a, scale=False),
            _("every tensor is N times too large: the loss is a mean, so dz2 = (h − t)/N"),
            see("05_fused_cross_entropy", "Where the 1/N goes"),
        ),
        (
            lambda *a: backward(*a, mask=False),
            _("dz1 equals da1: the ReLU's derivative is missing, dz1 = da1 ⊙ [z1 > 0]"),
            steps,
        ),
        (
            lambda *a: backward(*a, aliased=True),
            _(
                "da1 came back masked like dz1: after dz1 = da1 the two names share one array, so zeroing "
                "dz1 in place zeroed da1 too; write dz1 = da1 * (z1 > 0), or start from da1.copy()"
            ),
            see("08_mnist_two_layer_net", "Line 4: the aliasing"),
        ),
        (
            lambda *a: backward(*a, dw2_from_pre=True),
            _("dW2 used the pre-activation z1: the second layer's input is a1 = relu(z1), so dW2 = a1ᵀ dz2"),
            steps,
        ),
        (
            lambda *a: backward(*a, slip="labels_column"),
            _(
                "dz2 has −1 at every sample's column for every label in the batch: labels shaped (N, 1) "
                "(y[:, None] or y.reshape(-1, 1)) pair each row with all N labels; index with y of shape "
                "(N,): dz2[np.arange(N), y] -= 1"
            ),
            N_BY_ONE,
        ),
        (
            lambda *a: backward(*a, slip="no_target"),
            _("dz2 is h/N: the one-hot target t is never subtracted, dz2 = (h − t)/N"),
            steps,
        ),
        (
            lambda *a: backward(*a, slip="relu_of_gradient"),
            _(
                "dz1 = np.maximum(da1, 0) is the ReLU applied to the gradient: it keeps positive gradients "
                "whichever units are on; mask by the forward pass instead, dz1 = da1 ⊙ [z1 > 0]"
            ),
            steps,
        ),
        (
            lambda *a: backward(*a, slip="times_activation"),
            _(
                "dz1 = da1 * a1 multiplies by the activation's value: ReLU's derivative is the mask, "
                "dz1 = da1 ⊙ [z1 > 0]"
            ),
            steps,
        ),
        (
            lambda *a: backward(*a, slip="dW1_from_da1"),
            _("dW1 = Xᵀ da1 skips the ReLU: the first layer's gradient is built from dz1, dW1 = Xᵀ dz1"),
            steps,
        ),
        (
            lambda *a: backward(*a, slip="no_b1"),
            _("every tensor is off because the forward pass left out b1: z1 = X W1 + b1"),
            steps,
        ),
        (
            lambda *a: backward(*a, slip="db2_over_classes"),
            _(
                "db2 has one number per sample: it sums over the classes (axis=1); a bias gradient sums "
                "over the samples, db2 = dz2.sum(axis=0), shape (C,)"
            ),
            steps,
        ),
        (
            lambda *a: backward(*a, slip="db1_keepdims"),
            _("db1 has shape (1, H): keepdims=True keeps a row; a bias gradient has the bias's shape, (H,)"),
            steps,
        ),
        (
            lambda *a: backward(*a, slip="dW2_transposed"),
            _("dW2 = dz2ᵀ a1 is (C, H), the transpose of W2's shape: dW2 = a1ᵀ dz2 is (H, C)"),
            steps,
        ),
    ]


def two_layer_backward_raised(steps):
    """Products written the wrong way round: the error each raises, with what its reply says."""
    return [
        (
            raises_like(lambda X, y, W1, b1, W2, b2: _product(X, y, W1, b1, W2, b2, "W2")),
            _(
                "dz2 @ W2 cannot multiply, (N, C) by (H, C): going back through a layer multiplies by the "
                "transposed weights, da1 = dz2 W2ᵀ"
            ),
            steps,
        ),
        (
            raises_like(lambda X, y, W1, b1, W2, b2: _product(X, y, W1, b1, W2, b2, "X")),
            _("X @ dz1 cannot multiply, (N, D) by (N, H): the weight gradient is dW1 = Xᵀ dz1, (D, H)"),
            steps,
        ),
        (
            raises_like(lambda X, y, W1, b1, W2, b2: _product(X, y, W1, b1, W2, b2, "a1")),
            _("a1 @ dz2 cannot multiply, (N, H) by (N, C): the weight gradient is dW2 = a1ᵀ dz2, (H, C)"),
            steps,
        ),
    ]


def _product(X, y, W1, b1, W2, b2, wrong):
    """The forward pass and dz2, then the one product ``wrong`` written the wrong way round."""
    N = X.shape[0]
    z1 = X @ W1 + b1
    a1 = np.maximum(z1, 0)
    dz2 = softmax(a1 @ W2 + b2)
    dz2[np.arange(N), y] -= 1
    dz2 /= N
    if wrong == "W2":
        return dz2 @ W2
    if wrong == "a1":
        return a1 @ dz2
    return X @ (dz2 @ W2.T * (z1 > 0))
