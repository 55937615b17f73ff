"""Properties of softmax, log_softmax, the Jacobian and the VJP, each checked by an independent route."""

import numpy as np
import pytest

from course_utils import log_softmax, numerical_gradient, softmax, softmax_jacobian, softmax_vjp


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def numerical_jacobian(z):
    """dh_i/dz_j by central differences, one column per logit."""
    z = z.astype(np.float64).copy()
    C = z.size
    J = np.zeros((C, C))
    for i in range(C):
        J[i] = numerical_gradient(lambda: softmax(z)[i], z)
    return J


@pytest.mark.parametrize("shape", [(1,), (5,), (4, 3), (7, 10)])
def test_rows_are_probabilities(rng, shape):
    h = softmax(rng.normal(scale=3, size=shape))
    assert np.all(h >= 0)
    np.testing.assert_allclose(h.sum(axis=-1), 1.0, rtol=1e-12)


def test_matches_the_textbook_formula_for_moderate_logits(rng):
    z = rng.normal(size=(6, 4))
    naive = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(softmax(z), naive, rtol=1e-13)


def test_shift_invariance(rng):
    z = rng.normal(size=(5, 4))
    shift = rng.normal(scale=50, size=(5, 1))
    np.testing.assert_allclose(softmax(z + shift), softmax(z), rtol=1e-10, atol=1e-15)


def test_axis_argument(rng):
    z = rng.normal(size=(3, 4))
    np.testing.assert_allclose(softmax(z, axis=0), softmax(z.T).T, rtol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [1e2, 1e3, 1e4])
def test_stable_for_huge_logits(dtype, scale):
    z = np.array([[scale, 0.0, -scale], [-scale, -scale, -scale], [scale, scale, 0.0]], dtype=dtype)
    h = softmax(z)
    log_h = log_softmax(z)
    assert h.dtype == dtype and log_h.dtype == dtype
    assert np.all(np.isfinite(h)) and np.all(np.isfinite(log_h))
    np.testing.assert_allclose(h, [[1, 0, 0], [1 / 3] * 3, [0.5, 0.5, 0]], atol=1e-6)
    # log h of the smallest entry is exactly the logit gap, about -2 * scale.
    np.testing.assert_allclose(log_h[0], [0.0, -scale, -2 * scale], rtol=1e-6, atol=1e-6)


def test_dtypes():
    assert softmax(np.zeros(3, dtype=np.float32)).dtype == np.float32
    assert softmax(np.array([1, 2, 3])).dtype == np.float64
    assert softmax(np.zeros(3, dtype=np.float16)).dtype == np.float32
    assert softmax_jacobian(np.zeros(3, dtype=np.float32)).dtype == np.float32
    assert softmax_vjp(np.zeros(3, dtype=np.float32), np.ones(3, dtype=np.float32)).dtype == np.float32


def test_log_softmax_is_log_of_softmax(rng):
    z = rng.normal(scale=4, size=(5, 6))
    np.testing.assert_allclose(log_softmax(z), np.log(softmax(z)), rtol=1e-12)
    np.testing.assert_allclose(np.exp(log_softmax(z)).sum(axis=1), 1.0, rtol=1e-12)


def test_jacobian_matches_finite_differences(rng):
    z = rng.normal(size=5)
    np.testing.assert_allclose(softmax_jacobian(z), numerical_jacobian(z), atol=1e-9)


def test_jacobian_shapes_and_batch_consistency(rng):
    z = rng.normal(size=(4, 3))
    J = softmax_jacobian(z)
    assert softmax_jacobian(z[0]).shape == (3, 3)
    assert J.shape == (4, 3, 3)
    for n in range(4):
        np.testing.assert_allclose(J[n], softmax_jacobian(z[n]), rtol=1e-14)


def test_jacobian_kronecker_form_and_properties(rng):
    z = rng.normal(scale=2, size=(6, 5))
    h = softmax(z)
    J = softmax_jacobian(z)
    for n in range(6):
        np.testing.assert_allclose(J[n], np.diag(h[n]) - np.outer(h[n], h[n]), atol=1e-16)
        assert np.linalg.matrix_rank(J[n]) == 5 - 1
        assert np.linalg.eigvalsh(J[n]).min() > -1e-15
    np.testing.assert_allclose(J, np.swapaxes(J, 1, 2), atol=0)
    np.testing.assert_allclose(J.sum(axis=2), 0, atol=1e-16)
    np.testing.assert_allclose(J.sum(axis=1), 0, atol=1e-16)
    # The diagonal alone is h(1 - h): right on the diagonal, but not the whole story.
    np.testing.assert_allclose(np.diagonal(J, axis1=1, axis2=2), h * (1 - h), rtol=1e-14)
    assert np.abs(J - np.eye(5) * J).max() > 1e-3


def test_vjp_equals_g_times_jacobian(rng):
    z = rng.normal(size=(8, 6))
    g = rng.normal(size=(8, 6))
    expected = np.einsum("ni,nij->nj", g, softmax_jacobian(z))
    np.testing.assert_allclose(softmax_vjp(z, g), expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(softmax_vjp(z, g).sum(axis=1), 0, atol=1e-15)


def test_vjp_matches_finite_differences(rng):
    z = rng.normal(size=(3, 4))
    g = rng.normal(size=(3, 4))
    numeric = numerical_gradient(lambda: np.sum(g * softmax(z)), z)
    np.testing.assert_allclose(softmax_vjp(z, g), numeric, atol=1e-9)


def test_vjp_single_sample(rng):
    z, g = rng.normal(size=4), rng.normal(size=4)
    np.testing.assert_allclose(softmax_vjp(z, g), g @ softmax_jacobian(z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("func", [softmax, log_softmax, softmax_jacobian])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_logits_are_refused(func, bad):
    with pytest.raises(ValueError, match="must be finite"):
        func(np.array([[0.0, bad, 1.0]]))


@pytest.mark.parametrize("func", [softmax, log_softmax, softmax_jacobian])
def test_scalar_is_refused(func):
    with pytest.raises(ValueError, match=r"\(C,\) or \(N, C\)"):
        func(3.0)


def test_empty_class_axis_is_refused():
    with pytest.raises(ValueError, match="at least one class"):
        softmax(np.zeros((2, 0)))


def test_jacobian_refuses_three_dimensions():
    with pytest.raises(ValueError, match=r"got shape \(2, 3, 4\)"):
        softmax_jacobian(np.zeros((2, 3, 4)))


def test_vjp_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match=r"g must have the same shape as z, \(4, 3\), got \(4, 1\)"):
        softmax_vjp(np.zeros((4, 3)), np.zeros((4, 1)))


def test_strings_are_refused():
    with pytest.raises(ValueError, match="real numbers"):
        softmax(np.array(["a", "b"]))


@pytest.mark.parametrize("func", [softmax, log_softmax])
def test_softmax_refuses_what_the_rest_of_the_course_refuses(func):
    with pytest.raises(ValueError, match=r"at least one sample \(N >= 1\), got shape \(0, 3\)"):
        func(np.zeros((0, 3)))
    with pytest.raises(ValueError, match=r"\(C,\) or \(N, C\), got shape \(2, 3, 4\)"):
        func(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match=r"axis must be 1 or -1 .* for z of shape \(2, 3\), got axis=5"):
        func(np.zeros((2, 3)), axis=5)
    with pytest.raises(ValueError, match=r"axis must be 0 or -1 for z of shape \(3,\), got axis=-2"):
        func(np.zeros(3), axis=-2)
    with pytest.raises(TypeError, match="axis must be an integer"):
        func(np.zeros(3), axis=None)
    with pytest.raises(TypeError, match="complex128; keep the real part"):
        func(np.zeros(3, dtype=complex))
