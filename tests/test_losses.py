"""Cross-entropy and its fused gradient, checked against the Jacobian route and finite differences."""

import numpy as np
import pytest

from course_utils import (
    ACTIVATIONS,
    binary_cross_entropy,
    cross_entropy,
    cross_entropy_grad,
    losses,
    numerical_gradient,
    softmax,
    softmax_jacobian,
)


@pytest.fixture
def rng():
    return np.random.default_rng(1)


def one_hot(y, C):
    t = np.zeros((len(y), C))
    t[np.arange(len(y)), y] = 1
    return t


def jacobian_route(z, t):
    """dL/dz the long way: dL/dh = -t / (N h), then one C x C Jacobian per sample."""
    N = z.shape[0]
    dL_dh = -t / (N * softmax(z))
    return np.einsum("ni,nij->nj", dL_dh, softmax_jacobian(z))


def test_loss_matches_naive_formula(rng):
    z = rng.normal(size=(6, 4))
    y = rng.integers(0, 4, size=6)
    naive = -np.mean(np.log(np.exp(z) / np.exp(z).sum(axis=1, keepdims=True))[np.arange(6), y])
    assert cross_entropy(z, y) == pytest.approx(naive, rel=1e-12)
    assert cross_entropy(z, one_hot(y, 4)) == pytest.approx(naive, rel=1e-12)


def test_loss_of_uniform_prediction_is_log_C():
    assert cross_entropy(np.zeros((3, 10)), np.array([0, 4, 9])) == pytest.approx(np.log(10), rel=1e-14)


def test_loss_is_finite_where_log_of_softmax_is_not():
    z = np.array([[0.0, 800.0]])
    assert cross_entropy(z, np.array([0])) == pytest.approx(800.0)


def test_loss_dtype():
    z = np.zeros((2, 3), dtype=np.float32)
    assert cross_entropy(z, np.array([0, 1])).dtype == np.float32
    assert cross_entropy_grad(z, np.array([0, 1])).dtype == np.float32


def test_fused_gradient_equals_jacobian_route_for_labels(rng):
    z = rng.normal(scale=2, size=(7, 5))
    y = rng.integers(0, 5, size=7)
    np.testing.assert_allclose(cross_entropy_grad(z, y), jacobian_route(z, one_hot(y, 5)), atol=1e-15)
    np.testing.assert_allclose(cross_entropy_grad(z, y), (softmax(z) - one_hot(y, 5)) / 7, atol=1e-16)


def test_fused_gradient_equals_jacobian_route_for_soft_targets(rng):
    z = rng.normal(size=(5, 4))
    t = rng.dirichlet(np.ones(4), size=5)
    np.testing.assert_allclose(cross_entropy_grad(z, t), jacobian_route(z, t), atol=1e-15)
    np.testing.assert_allclose(cross_entropy_grad(z, t), (softmax(z) - t) / 5, atol=1e-16)


def test_targets_whose_rows_do_not_sum_to_one(rng):
    z = rng.normal(size=(4, 3))
    t = rng.uniform(0, 2, size=(4, 3))
    g = cross_entropy_grad(z, t)
    np.testing.assert_allclose(g, jacobian_route(z, t), atol=1e-15)
    np.testing.assert_allclose(g, (softmax(z) * t.sum(axis=1, keepdims=True) - t) / 4, atol=1e-16)
    assert np.abs(g - (softmax(z) - t) / 4).max() > 1e-2  # h - t alone would be wrong here


@pytest.mark.parametrize("targets", ["labels", "soft", "unnormalised"])
def test_gradient_matches_finite_differences(rng, targets):
    z = rng.normal(size=(6, 5))
    t = {
        "labels": rng.integers(0, 5, size=6),
        "soft": rng.dirichlet(np.ones(5), size=6),
        "unnormalised": rng.uniform(0, 1, size=(6, 5)),
    }[targets]
    numeric = numerical_gradient(lambda: cross_entropy(z, t), z)
    np.testing.assert_allclose(cross_entropy_grad(z, t), numeric, atol=1e-10)


def test_gradient_does_not_modify_inputs(rng):
    z = rng.normal(size=(3, 4))
    y = np.array([0, 1, 3])
    z0, y0 = z.copy(), y.copy()
    cross_entropy_grad(z, y)
    np.testing.assert_array_equal(z, z0)
    np.testing.assert_array_equal(y, y0)


def test_binary_cross_entropy_matches_naive_formula(rng):
    h = rng.uniform(0.05, 0.95, size=(5, 3))
    y = rng.integers(0, 3, size=5)
    Y = one_hot(y, 3)
    naive = np.sum(-Y * np.log(h) - (1 - Y) * np.log(1 - h)) / 5
    assert binary_cross_entropy(h, Y) == pytest.approx(naive, rel=1e-13)
    assert binary_cross_entropy(h, y) == pytest.approx(naive, rel=1e-13)


def test_binary_cross_entropy_gradient_through_sigmoid_is_h_minus_Y(rng):
    z = rng.normal(size=(4, 3))
    Y = one_hot(rng.integers(0, 3, size=4), 3)
    sigmoid = ACTIVATIONS["sigmoid"].f
    numeric = numerical_gradient(lambda: binary_cross_entropy(sigmoid(z), Y), z)
    np.testing.assert_allclose(numeric, (sigmoid(z) - Y) / 4, atol=1e-10)


def test_binary_cross_entropy_with_saturated_outputs():
    h = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert binary_cross_entropy(h, np.array([0, 1])) == 0.0


def test_binary_cross_entropy_refuses_logits():
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*not the logits"):
        binary_cross_entropy(np.array([[2.0, -1.0]]), np.array([0]))


# --- bad input: each message says what was expected and what came -----------------------------

Z = np.zeros((4, 3))


@pytest.mark.parametrize("func", [cross_entropy, cross_entropy_grad])
class TestBadInput:
    def test_labels_as_a_column(self, func):
        with pytest.raises(ValueError, match=r"shape \(N,\) = \(4,\), got \(4, 1\).*y.ravel\(\)"):
            func(Z, np.array([[0], [1], [2], [1]]))

    def test_labels_out_of_range(self, func):
        with pytest.raises(ValueError, match=r"\[0, 3\) for C = 3 classes, got 3.*y - 1"):
            func(Z, np.array([1, 2, 3, 1]))
        with pytest.raises(ValueError, match=r"\[0, 3\).*got -1"):
            func(Z, np.array([0, -1, 2, 1]))

    def test_float_labels(self, func):
        with pytest.raises(ValueError, match="must be integers.*float64.*astype"):
            func(Z, np.array([0.0, 1.0, 2.0, 1.0]))

    def test_wrong_number_of_labels(self, func):
        with pytest.raises(ValueError, match=r"\(N,\) = \(4,\).*got \(5,\)"):
            func(Z, np.array([0, 1, 2, 1, 0]))

    def test_targets_of_the_wrong_shape(self, func):
        with pytest.raises(ValueError, match=r"\(N, C\) = \(4, 3\), got \(4, 4\)"):
            func(Z, np.eye(4))

    def test_negative_targets(self, func):
        with pytest.raises(ValueError, match=">= 0"):
            func(Z, -np.ones((4, 3)))

    def test_nan_logits(self, func):
        z = Z.copy()
        z[2, 1] = np.nan
        with pytest.raises(ValueError, match=r"z must be finite, got nan at index \(2, 1\)"):
            func(z, np.array([0, 1, 2, 1]))

    def test_single_row_of_logits(self, func):
        with pytest.raises(ValueError, match=r"z must have shape \(N, C\), got shape \(3,\)"):
            func(np.zeros(3), np.array([1]))

    def test_scalar_labels(self, func):
        with pytest.raises(ValueError, match=r"got shape \(\)"):
            func(Z, 1)


def test_binary_cross_entropy_refuses_an_empty_batch_like_cross_entropy():
    with pytest.raises(ValueError, match="at least one sample"):
        cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int))
    with pytest.raises(
        ValueError, match=r"at least one sample and one output \(N, K >= 1\), got shape \(0, 3\)"
    ):
        binary_cross_entropy(np.zeros((0, 3)), np.zeros((0, 3)))
    with pytest.raises(ValueError, match=r"got shape \(2, 0\)"):
        binary_cross_entropy(np.zeros((2, 0)), np.zeros((2, 0)))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_fused_loss_refuses_each_non_finite_logit_by_its_place(bad, dtype):
    z = np.zeros((4, 3), dtype=dtype)
    z[2, 1] = bad
    with pytest.raises(ValueError, match=r"\(2, 1\)"):
        losses.cross_entropy_and_grad(z, np.array([0, 1, 2, 0]))
