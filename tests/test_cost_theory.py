"""Squared error on softmax, entropy and KL divergence (course_utils/cost_theory.py)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import course_utils as cu
from course_utils import numerical_gradient
from course_utils.cost_theory import entropy, kl_divergence, squared_error_and_grad


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 4), st.integers(2, 6), st.integers(0, 2**31), st.booleans())
def test_squared_error_gradient_matches_finite_differences(N, C, seed, soft):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((N, C)) * 2
    t = rng.dirichlet(np.ones(C), N) if soft else rng.integers(0, C, N)
    loss, dz = squared_error_and_grad(z, t)
    numeric = numerical_gradient(lambda: float(squared_error_and_grad(z, t)[0]), z)
    np.testing.assert_allclose(dz, numeric, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dz.sum(axis=1), 0, atol=1e-12)


@pytest.mark.parametrize("margin", [10.0, 20.0, 30.0])
def test_a_confidently_wrong_output_learns_slowly_under_squared_error(margin):
    z = np.array([[margin, 0.0, 0.0]])  # the model is sure of class 0; the label is 1
    y = np.array([1])
    _, dz_se = squared_error_and_grad(z, y)
    _, dz_ce = cu.cross_entropy_and_grad(z, y)
    np.testing.assert_allclose(dz_ce, [[1, -1, 0]], atol=1e-3)  # h - t
    # With e = exp(-margin): h = (1 - 2e, e, e), g = h - t, <g, h> = 1 - 5e to first order, so
    # h * (g - <g, h>) = (3e, -2e, -e): the saturated softmax Jacobian shrinks the signal to e.
    np.testing.assert_allclose(dz_se, np.array([[3, -2, -1]]) * np.exp(-margin), rtol=1e-3)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 4), st.integers(2, 6), st.integers(0, 2**31))
def test_cross_entropy_is_entropy_plus_kl(N, C, seed):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((N, C)) * 3
    t = rng.dirichlet(np.ones(C) * 0.5, N)
    kl = kl_divergence(t, z)
    assert np.all(kl >= -1e-12)
    np.testing.assert_allclose(np.mean(entropy(t) + kl), cu.cross_entropy(z, t), rtol=1e-10, atol=1e-12)
    # the floor: cross-entropy reaches H(t), no lower, when the softmax equals the targets
    z_best = np.log(np.where(t > 0, t, 1e-300))
    np.testing.assert_allclose(kl_divergence(t, z_best), 0, atol=1e-9)


def test_one_hot_labels_have_zero_entropy_and_kl_is_the_loss():
    z = np.array([[2.0, -1.0, 0.5]])
    np.testing.assert_allclose(entropy(np.eye(3)[[0]]), [0.0])
    np.testing.assert_allclose(kl_divergence(np.array([0]), z), [cu.cross_entropy(z, np.array([0]))])
    assert np.isfinite(kl_divergence(np.array([1]), np.array([[1e4, 0.0, 0.0]]))).all()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: squared_error_and_grad(np.zeros((2, 3)), np.array([[0], [1]])), r"\(N, 1\)"),
        (lambda: kl_divergence(np.full((1, 2), 0.7), np.zeros((1, 2))), "summing to 1"),
        (lambda: entropy(np.array([0.5, 0.5])), r"\(N, C\)"),
        (lambda: entropy(np.array([[1.5, -0.5]])), ">= 0"),
        (lambda: kl_divergence(np.array([0]), np.array([[np.nan, 0.0]])), "NaN"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
