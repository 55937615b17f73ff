"""Companion of notebook 08, continued: the wrong ``two_layer_backward`` answers its checker names.

``nb08_mnist_two_layer_net`` holds the checker and its reference and calls these functions: the
``(wrong answer, what it says)`` list made by the reference's switches, the products that raise, and
the reply that names the first wrong tensor when no catalogued mistake matches.
"""

import re

import numpy as np

from ..i18n import _
from ..softmax import softmax
from . import _guard
from ._checking import N_BY_ONE, see
from ._feedback import Feedback
from ._guard import TimeLimit, time_limit
from ._when_raised import raises_like


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
            lambda *a: backward(*a, slip="softmax_axis0"),
            _(
                "dz2 is the first wrong tensor: your softmax normalises down each column, over the "
                "batch (axis 0); each sample's probabilities sum to 1 over its classes, axis=1 with "
                "keepdims=True"
            ),
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
            lambda *a: backward(*a, slip="mask_aliases_a1"),
            _(
                "dW2 was computed from a 0/1 mask, not from a1: mask = a1 gives the same array a second "
                "name, so mask[a1 > 0] = 1 rewrote a1 itself before dW2 = a1ᵀ dz2 read it; write "
                "mask = (a1 > 0), or start from a1.copy()"
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
            lambda *a: backward(*a, slip="dz2_diagonal"),
            _(
                "dz2 is the first wrong tensor: yours is −t/(N h) times the diagonal of softmax's "
                "Jacobian alone, h ⊙ (1 − h) (the posted equation 1's elementwise product gives the "
                "same): it is 0 off each label, where the off-diagonal entries −h_i h_j belong; the "
                "chain rule sums over every output (notebook 04), and that sum is dz2 = (h − t)/N"
            ),
            see("08_mnist_two_layer_net", "Lines 2 and 3: equation 1, the missing minus and the missing sum"),
        ),
        (
            lambda *a: backward(*a, slip="dz2_diagonal_plus"),
            _(
                "dz2 is the first wrong tensor: yours is t/(N h) times the diagonal of softmax's Jacobian "
                "alone, h ⊙ (1 − h) (the posted equation 1's elementwise product gives the same): "
                "∂L/∂h = −t/(N h) has a minus, and the chain rule sums over every output (notebook 04), "
                "the off-diagonal entries −h_i h_j included; that sum is dz2 = (h − t)/N"
            ),
            see("08_mnist_two_layer_net", "Lines 2 and 3: equation 1, the missing minus and the missing sum"),
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
            lambda *a: backward(*a, slip="da1_times_activation"),
            _(
                "da1 was multiplied by a1: da1 = dz2 W2ᵀ is the gradient with respect to a1 itself, "
                "nothing more; the ReLU's derivative comes next, in dz1, and it is the mask [z1 > 0], "
                "not a1"
            ),
            steps,
        ),
        (
            lambda *a: backward(*a, slip="sigmoid_derivative"),
            _(
                "dz1 = da1 * a1 * (1 − a1) uses the sigmoid's derivative: this hidden layer is a ReLU, "
                "whose derivative is the mask, dz1 = da1 ⊙ [z1 > 0]"
            ),
            steps,
        ),
        (
            lambda *a: backward(*a, slip="sigmoid_hidden"),
            _(
                "your forward pass has a sigmoid hidden layer: this network's is a ReLU, "
                "a1 = max(z1, 0), and its derivative is the mask [z1 > 0]"
            ),
            steps,
        ),
        (
            lambda *a: backward(*a, slip="dz2_is_h"),
            _("dz2 came back as h, the softmax's output: dz2 = (h − t)/N; the other tensors are right"),
            steps,
        ),
        (
            lambda *a: backward(*a, slip="db2_keepdims"),
            _("db2 has shape (1, C): keepdims=True keeps a row; a bias gradient has the bias's shape, (C,)"),
            steps,
        ),
        (
            lambda *a: backward(*a, slip="db1_over_units"),
            _(
                "db1 has one number per sample: it sums over the hidden units (axis=1); a bias gradient "
                "sums over the samples, db1 = dz1.sum(axis=0), shape (H,)"
            ),
            steps,
        ),
        (
            lambda *a: backward(*a, slip="dW2_transposed"),
            _("dW2 = dz2ᵀ a1 is (C, H), the transpose of W2's shape: dW2 = a1ᵀ dz2 is (H, C)"),
            steps,
        ),
    ]


# Each tensor's formula, for the reply that names the first wrong one.
_FORMULAS = {
    "dz2": "(h − t)/N",
    "dW2": "a1ᵀ dz2",
    "db2": "dz2.sum(axis=0)",
    "da1": "dz2 W2ᵀ",
    "dz1": "da1 ⊙ [z1 > 0]",
    "dW1": "Xᵀ dz1",
    "db1": "dz1.sum(axis=0)",
}


def first_wrong_tensor(feedback, fn, cases, reference, names):
    """``feedback``, or, when it is the bare generic reply, one naming the first wrong tensor.

    The tensors come in the order of the backward pass, so the first wrong one is where the mistake
    is (the ones after it inherit it): the reply says which are right and gives its formula.
    """
    if not feedback.generic:
        return feedback
    for case in cases:
        try:
            with np.errstate(all="ignore"), time_limit(_guard.DEFAULT_TIME_LIMIT):
                got = fn(*[a.copy() if isinstance(a, np.ndarray) else a for a in case])
            got = [np.asarray(g, dtype=float) for g in got]
        except (Exception, SystemExit, TimeLimit):
            return feedback
        expected = reference(*case)
        for k, (g, e) in enumerate(zip(got, expected)):
            if g.shape == e.shape and np.allclose(g, e, rtol=1e-7, atol=1e-10):
                continue
            right = ", ".join(names[:k])
            text = _("{name} is the first wrong tensor: {name} = {formula}").format(
                name=names[k], formula=_FORMULAS[names[k]]
            )
            if k:
                text = _("{right} right, but {rest}").format(right=right, rest=text)
            return Feedback(feedback.exercise, "wrong", text, feedback.see)
    return feedback


def _size_from_outside(exc, args):
    """Whether a shape error names a size that none of the arguments has: a notebook variable read."""
    sizes = {int(n) for n in re.findall(r"size (\d+) is different from (\d+)", str(exc))[0]}
    known = {d for a in args if isinstance(a, np.ndarray) for d in a.shape}
    return bool(sizes - known)


def two_layer_backward_raised(steps):
    """Products written the wrong way round: the error each raises, with what its reply says."""
    return [
        (
            _size_from_outside,
            _(
                "a product met a size that none of your function's arguments has: it reads a variable of "
                "the notebook (p['W2'], the MNIST batch …) instead of its own arguments; use only X, y, "
                "W1, b1, W2 and b2, the checker passes small ones of its own"
            ),
            steps,
        ),
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
