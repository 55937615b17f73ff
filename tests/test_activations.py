"""Each activation against an independent formula, and each derivative against finite differences."""

import warnings

import numpy as np
import pytest

from course_utils import ACTIVATIONS, numerical_gradient

REQUIRED = {"sigmoid", "tanh", "softplus", "relu", "leaky_relu", "elu", "identity"}

REFERENCE = {
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)),
    "softplus": lambda z: np.log(1 + np.exp(z)),
    "relu": lambda z: z * (z > 0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.exp(z) - 1),
    "identity": lambda z: z,
}


def test_required_activations_exist():
    assert REQUIRED <= set(ACTIVATIONS)
    for name, act in ACTIVATIONS.items():
        assert act.name == name


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_values_match_reference(name):
    z = np.linspace(-5, 5, 101)
    np.testing.assert_allclose(ACTIVATIONS[name].f(z), REFERENCE[name](z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_derivative_matches_finite_differences(name):
    rng = np.random.default_rng(2)
    z = rng.uniform(-4, 4, size=200)
    z = z[np.abs(z) > 1e-3]  # keep the central difference off the kinks at 0
    act = ACTIVATIONS[name]
    numeric = numerical_gradient(lambda: act.f(z).sum(), z)
    np.testing.assert_allclose(act.df(z), numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_float32_stays_float32_and_shape_is_kept(name):
    z = np.zeros((3, 4), dtype=np.float32)
    assert ACTIVATIONS[name].f(z).dtype == np.float32
    assert ACTIVATIONS[name].df(z).dtype == np.float32
    assert ACTIVATIONS[name].df(z).shape == (3, 4)


@pytest.mark.parametrize("name", ["sigmoid", "softplus", "elu", "tanh"])
def test_no_overflow_for_large_inputs(name):
    z = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f, df = ACTIVATIONS[name].f(z), ACTIVATIONS[name].df(z)
    assert np.all(np.isfinite(f)) and np.all(np.isfinite(df))


def test_constants_and_kinks():
    assert ACTIVATIONS["leaky_relu"].df(np.array([-2.0]))[0] == 0.01
    assert ACTIVATIONS["elu"].f(np.array([-1.0]))[0] == pytest.approx(np.exp(-1) - 1)
    assert ACTIVATIONS["relu"].df(np.array([0.0]))[0] == 0.0
    assert ACTIVATIONS["softplus"].df(np.array([0.0]))[0] == 0.5


def test_identity_returns_a_copy():
    z = np.ones(3)
    out = ACTIVATIONS["identity"].f(z)
    out[0] = 5
    assert z[0] == 1


def test_repr_shows_both_formulas():
    assert "1 - \\tanh^2 z" in repr(ACTIVATIONS["tanh"])
