"""Companion of notebook 08 · The MNIST two-layer network.

Ask the network, the checkers of its exercises, and its committed prediction (a planted bug's
training run, :mod:`._nb08_planted`).
"""

import numpy as np

from .. import svg
from ..i18n import _, lazy_
from ..palette import COLORS
from ..softmax import softmax
from ._checking import N_BY_ONE, Exercise, Feedback, hidden_rng, normal, run_checks, see
from ._nb08_backward import first_wrong_tensor, two_layer_backward_mistakes, two_layer_backward_raised
from ._nb08_mistakes import (
    FLOAT32,
    float32_relu,
    momentum_update_hints,
    momentum_update_mistakes,
    relu_backward_mistakes,
    relu_backward_raised,
    two_masks,
)
from ._nb08_planted import TRAINS_CHOICES, sgd_losses, trains_prediction, which_choice  # noqa: F401
from ._nb08_recheck import recheck_backward_mistakes, recheck_backward_raised, recheck_momentum_mistakes
from ._partial_loops import part_filled
from ._view import LiveView
from ._when_raised import named_raise, replies_when_stalled


def prediction_state(net, X, y, index):
    """The network's softmax output for row ``index`` of ``X`` (N, 784), with its label."""
    index = int(index)
    if not 0 <= index < len(X):
        raise ValueError(f"index must be in [0, {len(X)}), got {index}")
    h = softmax(net.forward(X[index : index + 1])[0])[0]
    pred = int(np.argmax(h))
    return {
        "index": index,
        "image": np.asarray(X[index]).reshape(28, 28),
        "label": int(y[index]),
        "h": h,
        "prediction": pred,
        "confidence": float(h[pred]),
        "correct": pred == int(y[index]),
    }


def describe_prediction(state):
    verdict = _("right") if state["correct"] else _("WRONG")
    return _(
        "test digit {index}: label {label}, the network says {prediction} with probability "
        "{confidence:.3f} ({verdict})"
    ).format(
        index=state["index"],
        label=state["label"],
        prediction=state["prediction"],
        confidence=state["confidence"],
        verdict=verdict,
    )


@svg.picture
def draw_prediction(state):
    """The digit, and the network's probabilities with the one-hot target dashed over them."""
    target = np.eye(state["h"].size)[state["label"]]
    verdict = "✓" if state["correct"] else "✗"
    return svg.row(
        svg.image(state["image"], title=_("label {label}").format(label=state["label"])),
        svg.bar_chart(
            state["h"],
            title=_("h = softmax(z): says {prediction} {verdict}").format(
                prediction=state["prediction"], verdict=verdict
            ),
            outline=target,
            ylim=(0, 1),
            color=COLORS["probability"],
            width=320,
        ),
    )


def prediction_widget(net, X, y):
    import ipywidgets as w

    controls = {"index": w.IntSlider(value=0, min=0, max=len(X) - 1, description=_("test digit"))}
    return LiveView(
        controls,
        compute=lambda index: prediction_state(net, X, y, index),
        draw=lambda s, **_: draw_prediction(s),
        describe=lambda s, **_: describe_prediction(s),
    )


# The docstring and comments of bugs.learner_backward, for learner_source (kept equal by a test).
_LEARNER_TEXT = (
    lazy_("The learner's FC → ReLU → FC → softmax backward pass, transcribed (the mask line repaired)."),
    lazy_(
        '``eq1="posted"`` multiplies elementwise by ``(1/a2) * mask``; ``eq1="commented"`` uses the\n    '
        "commented line ``-(1/a2[range(N), y])[:, None] * da2 / N``. ``aliasing=True`` keeps\n    "
        "``da1 = a1``, which overwrites the activations with the ReLU mask."
    ),
    lazy_('"derivative of softmax": row y_n of each sample\'s Jacobian, h_y (delta_yj - h_j)'),
    lazy_('"derivative of ReLU"'),
)


def learner_source():
    """The source of ``bugs.learner_backward``, its docstring and comments in the reader's language."""
    import inspect

    from .. import bugs

    text = inspect.getsource(bugs.learner_backward)
    for english in _LEARNER_TEXT:
        text = text.replace(str.__str__(english), str(english))
    return text


def _relu_backward(dout, a1):
    return dout * (a1 > 0)


@replies_when_stalled("relu_backward")
def check_relu_backward(fn):
    """Exercise: ``relu_backward(da1, a1)``, gradient through ReLU from its output ``a1``, no aliasing."""
    a = np.maximum(normal(34, (4, 5)), 0)
    a[0, 0] = 0.0
    cases = [(normal(35, (4, 5)), a), (normal(36, (3, 2)), np.maximum(normal(37, (3, 2)), 0))]
    mistakes = [
        *relu_backward_mistakes(),
        (
            lambda d, a1: d * (a1 > 0) / d.shape[0],
            _(
                "N times too small (N, the batch size): the ReLU's backward has no 1/N of its own; the "
                "mean's 1/N came in once, in dz2 = (h − t)/N, and reaches da1 through dz2 W2ᵀ; the mask "
                "only keeps or zeroes each entry, da1 * (a1 > 0)"
            ),
        ),
    ]
    feedback = run_checks(
        "relu_backward",
        fn,
        cases,
        _relu_backward,
        mistakes,
        [part_filled("N")],
        section=see("08_mnist_two_layer_net", "The backward pass, tensor by tensor"),
        success=_("da1 ⊙ [a1 > 0], and a1 left untouched"),
    )
    feedback = two_masks(named_raise(feedback, fn, cases, relu_backward_raised()), fn)
    if feedback.passed and float32_relu(fn, cases[0]):  # right to the tolerance, but float32
        return Feedback("relu_backward", "wrong", _(FLOAT32), feedback.see)
    return feedback


def _momentum(w, dw, v, lr, mu):
    """The course's convention (notebook 08's training loop): v = μv − η·dw, then w = w + v."""
    v_new = mu * v - lr * dw
    return w + v_new, v_new


def _momentum_step_velocity(w, dw, v, lr, mu):
    """The step as velocity, sign flipped, right too: v = μv + η·dw, then w = w − v."""
    v_new = mu * v + lr * dw
    return w - v_new, v_new


def _momentum_gradient_velocity(w, dw, v, lr, mu):
    """PyTorch's convention, right too: the velocity sums gradients, v = μv + dw, then w = w − η·v."""
    v_new = mu * v + dw
    return w - lr * v_new, v_new


def _momentum_negative_gradient_velocity(w, dw, v, lr, mu):
    """PyTorch's velocity with its sign flipped, right too: v = μv − dw, then w = w + η·v."""
    v_new = mu * v - dw
    return w + lr * v_new, v_new


# Every convention that takes the same steps as the course's: (reference, what the reply says).
_CONVENTIONS = (
    (
        _momentum_gradient_velocity,
        lazy_(
            "v = μv + dw, then w = w − η·v: PyTorch's convention, right too (the course's own keeps "
            "η inside the velocity, v = μv − η·dw, w = w + v; for a fixed η the two take the same steps)"
        ),
    ),
    (
        _momentum_step_velocity,
        lazy_(
            "v = μv + η·dw, then w = w − v: right too, the course's v with its sign flipped (the "
            "course's loop writes v = μv − η·dw, w = w + v)"
        ),
    ),
    (
        _momentum_negative_gradient_velocity,
        lazy_(
            "v = μv − dw, then w = w + η·v: right too, PyTorch's velocity with its sign flipped (the "
            "course's loop keeps η inside the velocity, v = μv − η·dw, w = w + v)"
        ),
    ),
)


def check_momentum_update(fn):
    """Exercise: one SGD-with-momentum step, ``(w, dw, v, lr, mu) -> (w_new, v_new)``."""
    cases = [
        (normal(38, (3, 2)), normal(39, (3, 2)), normal(40, (3, 2)), 0.1, 0.9),
        (normal(41, 4), normal(42, 4), normal(43, 4), 0.5, 0.5),
    ]
    mistakes = momentum_update_mistakes(_momentum, [reference for reference, _said in _CONVENTIONS])
    training = see("08_mnist_two_layer_net", "Training")
    mistakes += recheck_momentum_mistakes(training)
    ours = run_checks(
        "momentum_update",
        fn,
        cases,
        _momentum,
        mistakes,
        momentum_update_hints(),
        n_out=2,
        names=("w_new", "v_new"),
        section=training,
        success=_("v = μv − η·dw, then w = w + v: the convention of this course's training loop"),
    )
    if ours.passed or ours.status == "not implemented":
        return ours
    # Other conventions are right too: each takes the same steps.
    for reference, said in _CONVENTIONS:
        theirs = run_checks("momentum_update", fn, cases, reference, [], n_out=2, success=str(said))
        if theirs.passed:
            return theirs
    return ours


def reference_backward(
    X, y, W1, b1, W2, b2, *, scale=True, mask=True, dw2_from_pre=False, aliased=False, slip=None
):
    """Exercise 1's reference, FC → ReLU → FC → softmax + cross-entropy; switches give mistakes.

    ``slip`` names one more classic mistake: "labels_column", "no_target", "relu_of_gradient",
    "times_activation", "dW1_from_da1", "no_b1", "db2_over_classes", "db1_keepdims",
    "dW2_transposed", "sigmoid_derivative", "da1_times_activation", "sigmoid_hidden", "dz2_is_h",
    "db2_keepdims", "db1_over_units", "mask_aliases_a1", "softmax_axis0", "dz2_diagonal",
    "dz2_diagonal_plus".
    """
    N = X.shape[0]
    z1 = X @ W1 + (0 if slip == "no_b1" else b1)  # (N, H)
    a1 = 1 / (1 + np.exp(-z1)) if slip == "sigmoid_hidden" else np.maximum(z1, 0)  # (N, H)
    z2 = a1 @ W2 + b2  # (N, C)
    dz2 = softmax(z2)  # (N, C): (h − t)/N
    if slip == "softmax_axis0":  # a softmax of one's own, normalised down each column
        e = np.exp(z2 - z2.max(axis=0, keepdims=True))
        dz2 = e / e.sum(axis=0, keepdims=True)
    if slip == "labels_column":  # y[:, None] pairs every row with every label: an (N, N) index
        dz2[np.arange(N), y[:, None]] -= 1
    elif slip != "no_target":
        dz2[np.arange(N), y] -= 1
    dz2 = dz2 / N if scale else dz2
    if slip in ("dz2_diagonal", "dz2_diagonal_plus"):  # ∓t/(N h) times the Jacobian's diagonal h(1 − h)
        h, t = softmax(z2), np.eye(z2.shape[1])[y]  # the same as the posted equation 1, t/h ⊙ h(t − h)
        dz2 = (-1 if slip == "dz2_diagonal" else 1) * t * (1 - h) / N
    dW2 = (z1 if dw2_from_pre else a1).T @ dz2  # (H, C)
    if slip == "mask_aliases_a1":  # mask = a1; mask[a1 > 0] = 1 rewrote a1 before dW2 read it
        dW2 = (a1 > 0).astype(a1.dtype).T @ dz2
    if slip == "dW2_transposed":
        dW2 = dz2.T @ a1
    db2 = dz2.sum(axis=1 if slip == "db2_over_classes" else 0, keepdims=slip == "db2_keepdims")  # (C,)
    da1 = dz2 @ W2.T  # (N, H)
    dz1 = da1 * (z1 > 0) if mask else da1  # (N, H)
    if slip == "sigmoid_hidden":
        dz1 = da1 * a1 * (1 - a1)
    if slip == "relu_of_gradient":
        dz1 = np.maximum(da1, 0)
    elif slip == "times_activation":
        dz1 = da1 * a1
    elif slip == "sigmoid_derivative":
        dz1 = da1 * a1 * (1 - a1)
    elif slip == "da1_times_activation":  # da1 = dz2 W2ᵀ ⊙ a1, then masked: a1 is 0 where the mask is
        da1 = da1 * a1
        dz1 = da1
    if aliased:  # dz1 = da1; dz1[z1 <= 0] = 0 masks da1 as well: they are one array
        da1 = dz1
    dW1 = X.T @ (da1 if slip == "dW1_from_da1" else dz1)  # (D, H)
    db1 = dz1.sum(axis=1 if slip == "db1_over_units" else 0, keepdims=slip == "db1_keepdims")  # (H,)
    if slip == "dz2_is_h":
        dz2 = softmax(z2)
    return dz2, dW2, db2, da1, dz1, dW1, db1


_RESULTS = ("dz2", "dW2", "db2", "da1", "dz1", "dW1", "db1")


_backward = reference_backward  # the name the mistakes and tests use


def _reordered(got, expected, args):
    """True when every result is right but some come back in another tensor's place."""
    places = []
    for g in got:
        found = [k for k, e in enumerate(expected) if g.shape == e.shape and np.allclose(g, e, atol=1e-10)]
        if not found:
            return False
        places.append(found)
    return any(k not in found for k, found in enumerate(places))


def _net_case(seed, N=5, D=4, H=6, C=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, D))
    W1, W2 = rng.normal(size=(D, H)), rng.normal(size=(H, C))
    return X, rng.integers(0, C, size=N), W1, rng.normal(size=H) * 0.5, W2, rng.normal(size=C)


def check_two_layer_backward(fn):
    """Exercise: ``two_layer_backward(X, y, W1, b1, W2, b2)`` -> ``(dz2, dW2, db2, da1, dz1, dW1, db1)``."""
    cases = [_net_case(61), _net_case(62, N=7, D=3, H=4, C=5)]
    steps = see("08_mnist_two_layer_net", "The backward pass, tensor by tensor")
    mistakes = two_layer_backward_mistakes(_backward, steps) + recheck_backward_mistakes(_backward, steps)
    hints = [
        (
            _reordered,
            _(
                "the right tensors in the wrong places: return them in the order "
                "(dz2, dW2, db2, da1, dz1, dW1, db1)"
            ),
        ),
        part_filled("N"),
        (
            lambda got, expected, args: got[0].shape == (len(args[1]), *expected[0].shape),
            _(
                "dz2 is (N, N, C): the one-hot was built from labels shaped (N, 1), np.eye(C)[y[:, None]] "
                "or y.reshape(-1, 1), which is (N, 1, C), and h minus it pairs every sample with every "
                "label; build t from y of shape (N,), np.eye(C)[y]"
            ),
            N_BY_ONE,
        ),
    ]
    raised = two_layer_backward_raised(steps) + recheck_backward_raised(steps)
    feedback = run_checks(
        "two_layer_backward",
        fn,
        cases,
        _backward,
        mistakes,
        hints,
        n_out=7,
        names=_RESULTS,
        section=steps,
        own=(_backward,),  # the notebook's reference_backward, which the next cells use until this passes
        success=_("all seven tensors, each with the shape of what it is the gradient of"),
    )
    feedback = named_raise(feedback, fn, cases, raised)
    return first_wrong_tensor(feedback, fn, cases, _backward, _RESULTS)


GRADED = [
    Exercise(
        "relu_backward",
        "relu_backward",
        check_relu_backward,
        _relu_backward,
        lambda: (hidden_rng(19).normal(size=(5, 4)), np.maximum(hidden_rng(20).normal(size=(5, 4)), 0)),
    ),
    Exercise(
        "momentum_update",
        "momentum_update",
        check_momentum_update,
        _momentum,
        also_right=tuple(reference for reference, _said in _CONVENTIONS),
        hidden_args=lambda: (
            hidden_rng(21).normal(size=3),
            hidden_rng(22).normal(size=3),
            hidden_rng(23).normal(size=3),
            0.05,
            0.8,
        ),
    ),
    Exercise(
        "two_layer_backward",
        "two_layer_backward",
        check_two_layer_backward,
        _backward,
        lambda: _net_case(10_063, N=6, D=5, H=4, C=3),
    ),
]
"""The exercises of notebook 08, as the teacher's grader scores them."""
# reference_backward stands in for the learner's until exercise 1 passes; the checker and the
# grader name it when an answer calls it.
