"""The gradient checker must pass correct backwards and catch planted bugs, including hidden ones."""

import numpy as np
import pytest

from course_utils import (
    ACTIVATIONS,
    TwoLayerNet,
    check_gradients,
    cross_entropy,
    load_mnist,
    numerical_gradient,
    rel_error,
    softmax,
)

# --- numerical_gradient and rel_error ------------------------------------------------------------


def test_numerical_gradient_of_a_known_function():
    x = np.linspace(-2, 2, 12).reshape(3, 4)
    numeric = numerical_gradient(lambda: np.sum(np.sin(x) * x**2), x)
    np.testing.assert_allclose(numeric, np.cos(x) * x**2 + 2 * x * np.sin(x), atol=1e-9)


def test_numerical_gradient_restores_x_exactly_even_when_f_raises():
    x = np.random.default_rng(0).normal(size=5)
    before = x.copy()
    numerical_gradient(lambda: np.sum(x**3), x)
    assert np.array_equal(x, before)

    calls = []

    def exploding():
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("boom")
        return x.sum()

    with pytest.raises(RuntimeError):
        numerical_gradient(exploding, x)
    assert np.array_equal(x, before)


def test_numerical_gradient_float32_uses_the_step_really_taken():
    x = np.array([1000.0, 0.1, 3.0], dtype=np.float32)
    numeric = numerical_gradient(lambda: float(np.sum(x.astype(np.float64))), x)
    assert numeric.dtype == np.float32
    np.testing.assert_allclose(numeric, 1.0, rtol=1e-6)


def test_numerical_gradient_bad_input():
    with pytest.raises(ValueError, match="float32 or float64"):
        numerical_gradient(lambda: 0.0, np.arange(3))
    with pytest.raises(ValueError, match="numpy array"):
        numerical_gradient(lambda: 0.0, [1.0, 2.0])
    x = np.ones(3)
    with pytest.raises(ValueError, match=r"must return a scalar, got an array of shape \(3,\)"):
        numerical_gradient(lambda: x * 2, x)


def test_rel_error_properties():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=10), rng.normal(size=10)
    assert rel_error(a, a) == 0.0
    assert rel_error(a, -a) == pytest.approx(1.0)
    assert rel_error(a, np.zeros(10)) == pytest.approx(1.0)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rel_error(a, b) == pytest.approx(rel_error(b, a))
    assert rel_error(1e-9 * a, 1e-9 * b) == pytest.approx(rel_error(a, b))
    assert rel_error(a, a * (1 + 1e-6)) == pytest.approx(0.5e-6, rel=1e-3)
    with pytest.raises(ValueError, match=r"same shape, got \(10,\) and \(10, 1\)"):
        rel_error(a, b[:, None])


# --- a backward pass with switches that plant the classic bugs ----------------------------------


def backward(net, X, y, *, bug=None, reg=0.0):
    """TwoLayerNet's backward written out, with one planted bug chosen by ``bug``."""
    p = net.params
    N = X.shape[0]
    pre = X @ p["W1"] + p["b1"]
    a1 = net.activation.f(pre)
    z = a1 @ p["W2"] + p["b2"]
    h = softmax(z)
    t = np.zeros_like(h)
    t[np.arange(N), y] = 1
    if bug == "missing_1_over_N":
        dz = h - t
    elif bug == "diagonal_only_softmax":
        dz = (-t / (N * h)) * h * (1 - h)  # dL/dh times only the diagonal h_j (1 - h_j)
    else:
        dz = (h - t) / N
    df = ACTIVATIONS["sigmoid"].df if bug == "sigmoid_derivative_hard_coded" else net.activation.df
    da1 = dz @ p["W2"].T
    dpre = da1 * df(pre)
    grads = {
        "W1": X.T @ dpre + reg * p["W1"],
        "b1": dpre.sum(axis=0),
        "W2": a1.T @ dz + reg * p["W2"],
        "b2": dz.sum(axis=0),
    }
    if bug == "one_wrong_bias_entry":
        grads["b1"][np.argmax(np.abs(grads["b1"]))] *= 1.5
    if bug == "b2_keeps_its_axis":
        grads["b2"] = dz.sum(axis=0, keepdims=True)
    return grads


@pytest.fixture(scope="module")
def mnist_batch():
    X, y = load_mnist("train", n=64)
    return X.astype(np.float64), y


def check(net, X, y, grads, reg=0.0, **kw):
    return check_gradients(lambda: net.loss(X, y, reg=reg), net.params, grads, **kw)


@pytest.mark.parametrize("hidden", sorted(ACTIVATIONS))
def test_correct_backward_passes_with_every_activation(mnist_batch, hidden):
    X, y = mnist_batch
    for seed in range(3):
        net = TwoLayerNet(784, 48, 10, hidden=hidden, seed=seed)
        rng = np.random.default_rng(seed)
        for v in net.params.values():
            v += 0.05 * rng.standard_normal(v.shape)  # biases away from 0, as after training
        report = check(net, X, y, backward(net, X, y, reg=0.1), reg=0.1, seed=seed)
        assert report.ok, report
        assert max(report.errors.values()) < 1e-6
        for r in report.ratios.values():
            assert r == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize(
    "bug, failing",
    [
        ("missing_1_over_N", {"W1", "b1", "W2", "b2"}),
        ("diagonal_only_softmax", {"W1", "b1", "W2", "b2"}),
        ("sigmoid_derivative_hard_coded", {"W1", "b1"}),
        ("one_wrong_bias_entry", {"b1"}),
        ("b2_keeps_its_axis", {"b2"}),
    ],
)
def test_planted_bugs_fail_exactly_the_tensors_they_touch(mnist_batch, bug, failing):
    X, y = mnist_batch
    net = TwoLayerNet(784, 48, 10, hidden="tanh", seed=1)
    report = check(net, X, y, backward(net, X, y, bug=bug))
    assert not report.ok
    assert set(report.failed) == failing, report
    for name in failing:
        assert report.errors[name] > 1e-3


def test_missing_1_over_N_shows_as_the_ratio(mnist_batch):
    X, y = mnist_batch
    net = TwoLayerNet(784, 48, 10, hidden="relu", seed=0)
    report = check(net, X, y, backward(net, X, y, bug="missing_1_over_N"))
    for name in net.params:
        assert report.ratios[name] == pytest.approx(1 / 64, rel=1e-5)
    assert "numerical/analytic ~ 0.0156" in repr(report)


def test_shape_mismatch_and_missing_or_extra_tensors_are_failures(mnist_batch):
    X, y = mnist_batch
    net = TwoLayerNet(784, 16, 10, seed=0)
    grads = backward(net, X, y, bug="b2_keeps_its_axis")
    report = check(net, X, y, grads)
    assert "shape mismatch: gradient (1, 10), parameter (10,)" in repr(report)
    grads = backward(net, X, y)
    del grads["b1"]
    grads["W3"] = np.zeros(3)
    report = check(net, X, y, grads)
    assert set(report.failed) == {"b1", "W3"}
    assert report.errors["b1"] == np.inf


def test_not_fooled_by_mnist_border_pixels(mnist_batch):
    """Most rows of dW1 are exactly 0 on MNIST (border pixels are always blank).

    A checker that looks at the first entries of W1 only sees those zero rows and passes a wrong
    hidden derivative; check_gradients must not.
    """
    X, y = mnist_batch
    blank = np.all(X == 0, axis=0)
    assert blank[:20].all() and blank.mean() > 0.2
    net = TwoLayerNet(784, 48, 10, hidden="tanh", seed=2)
    wrong = backward(net, X, y, bug="sigmoid_derivative_hard_coded")
    numeric_first = np.array(
        [numerical_gradient(lambda: net.loss(X, y), net.params["W1"][:1, :10].reshape(-1))]
    )
    # The premise: on the first ten entries the wrong gradient agrees perfectly.
    assert np.allclose(numeric_first.ravel(), wrong["W1"][0, :10]) and not wrong["W1"][0, :10].any()
    report = check(net, X, y, wrong, seed=5)
    assert "W1" in report.failed


def test_a_bug_in_entries_the_sample_misses_is_caught_by_the_directions(mnist_batch):
    X, y = mnist_batch
    net = TwoLayerNet(784, 48, 10, hidden="relu", seed=3)
    grads = backward(net, X, y)
    # Zero the gradient of every W1 entry except the largest: the sample of large entries looks fine.
    g = grads["W1"]
    keep = np.abs(g) >= np.sort(np.abs(g).ravel())[-12]
    grads["W1"] = np.where(keep, g, 0.0)
    report = check(net, X, y, grads, n_coords=24, seed=0)
    assert "W1" in report.failed


def test_parameters_are_restored_bit_for_bit(mnist_batch):
    X, y = mnist_batch
    net = TwoLayerNet(784, 16, 10, hidden="elu", seed=4)
    before = {k: v.copy() for k, v in net.params.items()}
    check(net, X, y, backward(net, X, y, bug="diagonal_only_softmax"))
    for k in before:
        assert np.array_equal(net.params[k], before[k])


def test_float32_check_catches_gross_bugs_without_false_alarm(mnist_batch):
    X, y = mnist_batch
    X32 = X.astype(np.float32)
    for seed in range(4):
        net = TwoLayerNet(784, 48, 10, hidden="tanh", seed=seed, dtype=np.float32)
        report = check(net, X32, y, net.gradients(X32, y), seed=seed)
        assert report.ok, report
        assert "check in float64" in repr(report)
        for bug in ("diagonal_only_softmax", "missing_1_over_N"):
            bad = check(net, X32, y, backward(net, X32, y, bug=bug), seed=seed)
            assert set(bad.failed) == {"W1", "b1", "W2", "b2"}, bad


def test_report_is_reproducible_and_readable(mnist_batch):
    X, y = mnist_batch
    net = TwoLayerNet(784, 16, 10, seed=0)
    grads = backward(net, X, y, bug="sigmoid_derivative_hard_coded")
    r1, r2 = check(net, X, y, grads, seed=7), check(net, X, y, grads, seed=7)
    assert r1.errors == r2.errors
    text = repr(r1)
    assert text.startswith("Gradient check FAILED for W1, b1")
    for name in ("W1", "b1", "W2", "b2"):
        assert name in text
    assert text.count("FAIL ") == 2 and text.count("ok ") == 2
    # Passing tensors show the bound, not their machine-dependent noise.
    assert text.count("error < 1e-05") == 2


def test_a_loss_that_ignores_its_parameters_is_caught():
    W = np.ones((3, 2))
    z = np.zeros((4, 2))
    y = np.array([0, 1, 0, 1])
    report = check_gradients(lambda: cross_entropy(z, y), {"W": W}, {"W": np.ones((3, 2))})
    assert not report.ok and report.errors["W"] == pytest.approx(1.0)


def test_check_gradients_bad_input():
    with pytest.raises(ValueError, match="nothing to check"):
        check_gradients(lambda: 0.0, {}, {})
    with pytest.raises(ValueError, match="float32 or float64"):
        check_gradients(lambda: 0.0, {"W": np.ones(3, dtype=int)}, {"W": np.ones(3)})


def test_rel_error_survives_huge_and_tiny_magnitudes():
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([1.0, 2.0, 3.3])
    expected = rel_error(a, b)
    for scale in (1e200, 1e-200, 1e300, 1e-300):
        assert rel_error(scale * a, scale * b) == pytest.approx(expected, rel=1e-12), scale
    assert rel_error(np.array([np.inf]), np.array([1.0])) == 1.0


def test_rel_error_keeps_imaginary_parts_and_refuses_objects():
    a = np.array([1 + 1j, 2 - 1j])
    assert rel_error(a, a.real) > 0.2  # the imaginary parts differ: not equal
    assert rel_error(a, a) == 0.0
    # a - conj(a) = (2j, -2j); |a| = |conj(a)| = sqrt(2 + 5)
    assert rel_error(a, np.conj(a)) == pytest.approx(np.sqrt(8) / (2 * np.sqrt(7)), rel=1e-12)
    with pytest.raises(TypeError, match="must hold numbers, got an array of dtype object"):
        rel_error(np.array([1.0, None]), np.ones(2))
