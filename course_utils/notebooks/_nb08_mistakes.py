"""Companion of notebook 08, continued: the wrong answers its checkers name, one catalogue per exercise.

``nb08_mnist_two_layer_net`` holds the checkers and their references and calls these functions for
the ``(wrong answer, what it says)`` lists; the notebook imports that module only. Each catalogue is
built when its checker runs, so its messages come in the language of the moment, and takes the
references it varies as arguments, so this module imports nothing from the companion.
"""

import re

import numpy as np

from ..i18n import N_, _
from ._feedback import Feedback
from ._guard import source_of
from ._when_raised import limited, raises_like

COMPARISON = N_(
    "da1 * a1 > 0 is a comparison: Python multiplies first, then compares, (da1 * a1) > 0, "
    "so the result is True/False; put the mask in parentheses, da1 * (a1 > 0)"
)
# (da1 > 0) * (a1 > 0), or with & : two masks multiplied, which gives the same 0/1 array.
_TWO_MASKS = re.compile(r"\(\s*[\w.]+\s*>\s*0\.?0*\s*\)\s*[*&]\s*\(\s*[\w.]+\s*>\s*0")


def two_masks(feedback, fn):
    """``feedback``, or, when it names the comparison and the source multiplies two masks, that reply.

    ``(da1 > 0) * (a1 > 0)`` and ``da1 * a1 > 0`` give the same 0/1 array; only the source tells them
    apart.
    """
    if feedback.message != _(COMPARISON):
        return feedback
    try:
        code = " ".join(line.split("#")[0] for line in source_of(fn).splitlines())
    except (OSError, TypeError):
        return feedback
    if not _TWO_MASKS.search(code):
        return feedback
    return Feedback(
        feedback.exercise,
        "wrong",
        _(
            "(da1 > 0) * (a1 > 0) multiplies the mask of da1 by the mask of a1: the result is 0 or 1, "
            "and the upstream values of da1 are lost; only a1 gives a mask, da1 * (a1 > 0)"
        ),
        feedback.see,
    )


def float32_relu(fn, case):
    """True when ``fn`` returns float32 on the float64 ``case`` (the checker judged its values right)."""
    try:
        with np.errstate(all="ignore"):
            got = limited(fn, *(np.copy(a) for a in case))
    except (Exception, SystemExit):
        return False
    return getattr(got, "dtype", None) == np.float32 and np.asarray(case[0]).dtype == np.float64


FLOAT32 = N_(
    "your result is float32 while da1 came in as float64: the numbers are right to about 7 digits "
    "only; drop the float32 (an astype or a dtype=np.float32) so that the result keeps da1's precision"
)


def relu_backward_mistakes():
    """Wrong ``relu_backward(da1, a1)`` answers, each with what its reply says."""
    return [
        (
            lambda d, a1: a1 * (d > 0),
            _(
                "the roles are swapped: the mask comes from a1 (which units are on) and the values from "
                "da1 (the gradient), so da1 * (a1 > 0), not a1 * (da1 > 0)"
            ),
        ),
        (
            lambda d, a1: d[a1 > 0],
            _(
                "da1[a1 > 0] picks the entries out into one flat array and loses the shape (N, H): "
                "keep every entry and zero the others, da1 * (a1 > 0) or np.where(a1 > 0, da1, 0)"
            ),
        ),
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
        (
            lambda d, a1: (d * a1 > 0).astype(float),
            _(COMPARISON),
        ),
        (
            lambda d, a1: np.maximum(d * a1, 0),
            _(
                "that applies a ReLU to da1 * a1: the backward pass applies no ReLU, and it multiplies by "
                "the mask a1 > 0, not by a1; da1 * (a1 > 0)"
            ),
        ),
        (
            lambda d, a1: a1,
            _("that is a1, the forward pass's output: the backward pass returns da1 * (a1 > 0)"),
        ),
        (
            lambda d, a1: np.trunc(d * (a1 > 0)),
            _(
                "the gradient was cut to whole numbers (astype(int) or int): cast the mask if you like, "
                "(a1 > 0).astype(float), never the product"
            ),
        ),
        (
            lambda d, a1: np.abs(d) * (a1 > 0),
            _("the absolute value of the gradient: keep its sign, da1 * (a1 > 0)"),
        ),
        *[
            (
                lambda d, a1, t=t: d * (a1 > t),
                _(
                    "the mask a1 > {t:g} also stops units that are on with a small output: a ReLU unit "
                    "is on wherever a1 > 0"
                ).format(t=t),
            )
            for t in (0.5, 1.0)
        ],
        (
            lambda d, a1: d * (a1 > 0) + 0.01 * d * (a1 <= 0),
            _(
                "0.01 where the unit is off is the leaky ReLU's derivative: this network's ReLU passes "
                "nothing there, da1 * (a1 > 0)"
            ),
        ),
        (
            lambda d, a1: d * ((a1 > 0) & (d > 0)),
            _(
                "the negative gradients are dropped too: the mask depends on the activations alone, "
                "da1 * (a1 > 0), whatever the sign of da1"
            ),
        ),
    ]


def relu_backward_raised():
    """Masks that cannot multiply da1: the error each raises, with what its reply says."""
    return [
        (
            raises_like(lambda d, a1: d * (a1 > 0).T),
            _(
                "(a1 > 0).T is (H, N): the mask has the shape of da1 and a1, (N, H), entry by entry; "
                "no transpose"
            ),
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
            lambda w, dw, v, lr, mu: (w + mu * v - (1 - mu) * lr * dw, mu * v - (1 - mu) * lr * dw),
            _(
                "the gradient is damped by (1 − μ): that is an exponential average of the gradients; "
                "the exercise's momentum adds the whole step, v = μv − η·dw"
            ),
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
        (
            lambda w, dw, v, lr, mu: (w - (mu * v + dw), mu * v + dw),
            _("η is missing: the gradient enters the velocity scaled by the learning rate, v = μv − η·dw"),
        ),
        (
            lambda w, dw, v, lr, mu: (w + (mu * v - dw), mu * v - dw),
            _("η is missing: the gradient enters the velocity scaled by the learning rate, v = μv − η·dw"),
        ),
        (
            lambda w, dw, v, lr, mu: (w + v - lr * dw, v - lr * dw),
            _("μ is missing: the old velocity decays by μ at each step, v = μv − η·dw"),
        ),
        (
            lambda w, dw, v, lr, mu: (w + mu * dw - lr * v, mu * dw - lr * v),
            _(
                "dw and v are swapped: the arguments come in the order (w, dw, v, lr, mu), the "
                "gradient before the velocity"
            ),
        ),
        (
            lambda w, dw, v, lr, mu: (w - mu * v - lr * dw, mu * v - lr * dw),
            _("w subtracted the old velocity: w_new = w + v_new = w + μv − η·dw"),
        ),
        (
            lambda w, dw, v, lr, mu: (w + (1 - mu) * v - lr * dw, (1 - mu) * v - lr * dw),
            _("(1 − μ)·v: the velocity keeps the fraction μ of itself, v = μv − η·dw"),
        ),
        *convention_mixes(),
    ]


def convention_mixes():
    """Momentum steps that mix the course's convention with PyTorch's, or slip inside PyTorch's."""
    return [
        (
            lambda w, dw, v, lr, mu: (w - lr * (mu * v - lr * dw), mu * v - lr * dw),
            _(
                "two conventions mixed: v_new = μv − η·dw is the course's velocity, but w − η·v_new is "
                "PyTorch's step, which goes with its own velocity v = μv + dw; with the course's "
                "velocity the step is w_new = w + v_new"
            ),
        ),
        (
            lambda w, dw, v, lr, mu: (w + (mu * v + dw), mu * v + dw),
            _(
                "two conventions mixed: v_new = μv + dw is PyTorch's velocity, but w + v_new is the "
                "course's step, which goes with v = μv − η·dw; the exercise asks for the course's "
                "convention, v_new = μv − η·dw, w_new = w + v_new"
            ),
        ),
        (
            lambda w, dw, v, lr, mu: (w + lr * (mu * v + dw), mu * v + dw),
            _(
                "gradient ascent in PyTorch's convention: with v = μv + dw the step is w − η·v; the "
                "exercise asks for the course's convention, v_new = μv − η·dw, w_new = w + v_new"
            ),
        ),
        (
            lambda w, dw, v, lr, mu: (w - lr * (mu * v + dw), lr * (mu * v + dw)),
            _(
                "the second result is the step η·v, not the velocity: in PyTorch's convention the "
                "velocity is v = μv + dw; the exercise asks for the course's, v_new = μv − η·dw, "
                "w_new = w + v_new"
            ),
        ),
        (
            lambda w, dw, v, lr, mu: (w - lr * v, mu * v + dw),
            _(
                "w moved with the old velocity (in PyTorch's convention): update v first, then move w "
                "by the new one; the exercise asks for the course's convention, v_new = μv − η·dw, "
                "w_new = w + v_new"
            ),
        ),
        (
            lambda w, dw, v, lr, mu: (w - lr * (v + mu * dw), v + mu * dw),
            _(
                "μ multiplies the gradient instead of the velocity (in PyTorch's convention, "
                "v = μv + dw): the old velocity decays by μ; the exercise asks for the course's "
                "convention, v_new = μv − η·dw, w_new = w + v_new"
            ),
        ),
        (
            lambda w, dw, v, lr, mu: (w + mu * v, mu * v),
            _("the gradient is missing from the velocity: v_new = μv − η·dw, then w_new = w + v_new"),
        ),
        (
            lambda w, dw, v, lr, mu: (w - mu * v - lr * dw, -mu * v - lr * dw),
            _("−μv: the old velocity keeps its sign and decays by μ, v_new = μv − η·dw"),
        ),
    ]


def momentum_update_hints():
    """Momentum steps known by a property of one half of the pair: ``(predicate, message)``."""

    def sgd(got, expected, args):
        w, dw, v, lr, mu = args
        return np.allclose(got[0], w - lr * dw) and not np.allclose(expected[0], w - lr * dw)

    def only(k):
        return lambda got, expected, args: (
            np.allclose(got[k], expected[k]) and not np.allclose(got[1 - k], expected[1 - k])
        )

    return [
        (
            sgd,
            _(
                "w_new is the plain SGD step w − η·dw: the velocity is ignored; compute "
                "v_new = μv − η·dw and move w by it, w_new = w + v_new"
            ),
        ),
        (only(1), _("v_new is right, w_new is not: move w by the new velocity, w_new = w + v_new")),
        (only(0), _("w_new is right, v_new is not: return the velocity w moved by, v_new = μv − η·dw")),
    ]
