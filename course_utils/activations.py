r"""Hidden-layer activations, each with its derivative next to it.

``ACTIVATIONS[name].f(z)`` is the activation and ``ACTIVATIONS[name].df(z)`` its derivative with
respect to the *pre-activation* ``z`` (not with respect to the activation's output: writing tanh'
as ``1 - a**2`` is right, ``1 - z**2`` is a classic bug). Both work elementwise on any shape and keep
float32 as float32.

At the kink of ReLU and leaky ReLU (z = 0) the derivative takes the left-hand value, as its formula
says (``[z > 0]`` is 0 there); a finite difference whose step straddles a kink disagrees with any
choice, which is expected and explained in the gradient-checking notebook.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import _checks


@dataclass(frozen=True)
class Activation:
    """An elementwise activation ``f``, its derivative ``df = f'(z)`` and both formulas in LaTeX."""

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray], np.ndarray]
    formula: str
    derivative: str

    def __repr__(self):
        return f"Activation({self.name!r}: f = {self.formula}, f' = {self.derivative})"


def _float(z):
    return _checks.as_float_array(z, "z")


def _sigmoid(z):
    z = _float(z)
    # exp of a non-positive number never overflows; pick the form that only uses one.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _sigmoid_df(z):
    s = _sigmoid(z)
    return s * (1 - s)


def _tanh(z):
    return np.tanh(_float(z))


def _tanh_df(z):
    return 1 - np.tanh(_float(z)) ** 2


def _softplus(z):
    z = _float(z)
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def _relu(z):
    z = _float(z)
    return np.maximum(z, 0)


def _relu_df(z):
    z = _float(z)
    return (z > 0).astype(z.dtype)


LEAKY_SLOPE = 0.01
ELU_ALPHA = 1.0


def _leaky_relu(z):
    z = _float(z)
    return np.where(z > 0, z, z.dtype.type(LEAKY_SLOPE) * z)


def _leaky_relu_df(z):
    z = _float(z)
    return np.where(z > 0, z.dtype.type(1), z.dtype.type(LEAKY_SLOPE))


def _elu(z):
    z = _float(z)
    return np.where(z > 0, z, z.dtype.type(ELU_ALPHA) * np.expm1(np.minimum(z, 0)))


def _elu_df(z):
    z = _float(z)
    return np.where(z > 0, z.dtype.type(1), z.dtype.type(ELU_ALPHA) * np.exp(np.minimum(z, 0)))


def _identity(z):
    return _float(z).copy()


def _identity_df(z):
    return np.ones_like(_float(z))


ACTIVATIONS = {
    a.name: a
    for a in [
        Activation(
            "sigmoid", _sigmoid, _sigmoid_df, r"\sigma(z) = 1/(1 + e^{-z})", r"\sigma(z)(1 - \sigma(z))"
        ),
        Activation("tanh", _tanh, _tanh_df, r"\tanh z", r"1 - \tanh^2 z"),
        Activation("softplus", _softplus, _sigmoid, r"\log(1 + e^{z})", r"\sigma(z)"),
        Activation("relu", _relu, _relu_df, r"\max(z, 0)", r"[z > 0]"),
        Activation(
            "leaky_relu",
            _leaky_relu,
            _leaky_relu_df,
            rf"z \text{{ if }} z > 0 \text{{ else }} {LEAKY_SLOPE} z",
            rf"1 \text{{ if }} z > 0 \text{{ else }} {LEAKY_SLOPE}",
        ),
        Activation(
            "elu",
            _elu,
            _elu_df,
            rf"z \text{{ if }} z > 0 \text{{ else }} {ELU_ALPHA:g}(e^z - 1)",
            rf"1 \text{{ if }} z > 0 \text{{ else }} {ELU_ALPHA:g} e^z",
        ),
        Activation("identity", _identity, _identity_df, r"z", r"1"),
    ]
}
"""Every hidden activation of the course by name: ``ACTIVATIONS["tanh"].df(z)``."""


def get_activation(name):
    """Look up an activation by name, with an error that lists the choices."""
    if isinstance(name, Activation):
        return name
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {name!r}; choose one of {', '.join(sorted(ACTIVATIONS))}"
        ) from None
