"""The gradient checker must pass correct backwards and catch planted bugs, including hidden ones."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_utils import (
    ACTIVATIONS,
    TwoLayerNet,
    binary_cross_entropy,
    check_gradients,
    cross_entropy,
    cross_entropy_grad,
    diagnose,
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
        assert "float32, differences in float64" in repr(report)
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


# --- kinks, the absolute floor, and bad arguments -----------------------------------------------


def relu_net_at_kinks():
    """b1 = 0 and a quarter of the input rows all zero: those rows put every hidden unit at pre = 0."""
    X, y = load_mnist("train", n=32)
    X = X.astype(np.float64)
    X[::4] = 0
    return TwoLayerNet(784, 24, 10, hidden="relu", seed=0), X, y


def relu_backward(net, X, y, mask, b1_scale=1.0):
    p = net.params
    pre = X @ p["W1"] + p["b1"]
    a1 = np.maximum(pre, 0)
    dz = cross_entropy_grad(a1 @ p["W2"] + p["b2"], y)
    dpre = (dz @ p["W2"].T) * mask(pre)
    return {"W1": X.T @ dpre, "b1": b1_scale * dpre.sum(0), "W2": a1.T @ dz, "b2": dz.sum(0)}


@pytest.mark.parametrize("mask", [lambda pre: pre > 0, lambda pre: pre >= 0], ids=["pre>0", "pre>=0"])
def test_a_correct_relu_backward_at_exact_kinks_is_not_checkable_rather_than_failed(mask):
    net, X, y = relu_net_at_kinks()
    report = check(net, X, y, relu_backward(net, X, y, mask))
    assert report.ok, report
    assert set(report.kinks) == {"b1"} and report.kinks["b1"] == 24
    assert not report.tensors["b1"].checked and report.tensors["W1"].checked
    text = repr(report)
    assert text.startswith("Gradient check passed; b1 at a kink, not checkable")
    assert "n/a   not checkable  24 all entries + 4 directions; 24 entries and 4 directions at a kink" in text
    assert "every tensor passes" not in diagnose(report)[0] and "kink" in diagnose(report)[0]


@pytest.mark.parametrize("b1_scale", [-1.0, 1.5, 2.0])
def test_a_wrong_gradient_at_a_kink_still_fails(b1_scale):
    net, X, y = relu_net_at_kinks()
    report = check(net, X, y, relu_backward(net, X, y, lambda pre: pre > 0, b1_scale))
    assert report.failed == ["b1"], report


def test_smooth_bugs_are_never_taken_for_kinks(mnist_batch):
    X, y = mnist_batch
    net = TwoLayerNet(784, 48, 10, hidden="tanh", seed=1)
    report = check(net, X, y, backward(net, X, y, bug="diagonal_only_softmax"))
    assert set(report.failed) == {"W1", "b1", "W2", "b2"} and report.kinks == {}


def test_a_correct_all_zero_gradient_passes_and_a_wrong_zero_fails():
    W = np.zeros((3, 4))
    report = check_gradients(lambda: np.sum(W**3), {"W": W}, {"W": np.zeros_like(W)})
    assert report.ok, report
    P32 = {"W": np.zeros((3, 4), dtype=np.float32)}
    report = check_gradients(lambda: np.sum(P32["W"].astype(np.float64) ** 3), P32, {"W": np.zeros((3, 4))})
    # All-zero float32 weights: nothing shows whether the loss runs in float64, so no verdict either way.
    assert report.verdict == "inconclusive" and "every float32 parameter is 0" in repr(report)
    # The floor is absolute but tiny: a zero where the true gradient is 3 W**2 = 3e-4 still fails.
    W[:] = 1e-2
    report = check_gradients(lambda: np.sum(W**3), {"W": W}, {"W": np.zeros_like(W)})
    assert not report.ok and report.errors["W"] > 0.5
    report = check_gradients(lambda: np.sum(W**3), {"W": W}, {"W": 3 * W**2})
    assert report.ok, report


@pytest.mark.parametrize("eps", [0, 0.0, -1e-5, float("nan"), float("inf")])
def test_a_step_that_is_not_positive_is_refused(eps):
    W = np.ones(3)
    with pytest.raises(ValueError, match="eps must be a finite number > 0"):
        check_gradients(lambda: np.sum(W**2), {"W": W}, {"W": 2 * W}, eps=eps)
    with pytest.raises(ValueError, match="eps must be a finite number > 0"):
        numerical_gradient(lambda: np.sum(W**2), W, eps=eps)


def test_a_float32_step_below_the_spacing_of_the_weights_is_refused():
    W = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    before = W.copy()
    with pytest.raises(
        ValueError, match=r"eps = 1e-09 vanishes next to params\['W'\]\[0\] = 1.*float32 numbers"
    ):
        check_gradients(lambda: float(np.sum(W**2)), {"W": W}, {"W": 2 * W}, eps=1e-9)
    with pytest.raises(
        ValueError, match=r"vanishes next to x\[0\] = 1: float32 numbers there are 1\.2e-07 apart"
    ):
        numerical_gradient(lambda: float(np.sum(W**2)), W, eps=1e-9)
    assert np.array_equal(W, before)
    with pytest.raises(TypeError, match="eps must be a positive real number"):
        numerical_gradient(lambda: float(np.sum(W**2)), W, eps="small")


@pytest.mark.parametrize("n_coords", [0, 1, 2, 399, 400, 401, 10_000])
def test_any_number_of_sampled_entries_works(n_coords):
    rng = np.random.default_rng(0)
    W = rng.normal(size=(20, 20))
    report = check_gradients(lambda: np.sum(np.sin(W)), {"W": W}, {"W": np.cos(W)}, n_coords=n_coords)
    assert report.ok, report
    t = report.tensors["W"]
    assert t.n_coords == min(n_coords, 400) and t.all_coords == (n_coords >= 400)
    wrong = np.cos(W) * 1.01
    assert not check_gradients(lambda: np.sum(np.sin(W)), {"W": W}, {"W": wrong}, n_coords=n_coords).ok


def test_bad_counts_are_refused():
    W = np.ones((20, 20))
    args = (lambda: np.sum(W), {"W": W}, {"W": np.ones_like(W)})
    with pytest.raises(ValueError, match="n_coords must be an integer >= 0, got -1"):
        check_gradients(*args, n_coords=-1)
    with pytest.raises(TypeError, match="n_directions must be an integer, got float 2.5"):
        check_gradients(*args, n_directions=2.5)
    with pytest.raises(ValueError, match="both 0"):
        check_gradients(*args, n_coords=0, n_directions=0)
    with pytest.raises(ValueError, match="tol must be a finite number > 0"):
        check_gradients(*args, tol=0)


def test_complex_and_object_gradients_are_refused():
    W = np.ones(3)
    loss = lambda: np.sum(W**2)
    with pytest.raises(TypeError, match=r"grads\['W'\] must hold real numbers, got dtype complex128"):
        check_gradients(loss, {"W": W}, {"W": 2 * W + 1j})
    with pytest.raises(TypeError, match=r"grads\['W'\] must be an array of real numbers, got dtype object"):
        check_gradients(loss, {"W": W}, {"W": np.array([2.0, 2.0, None])})
    with pytest.raises(TypeError, match="the loss function must return a real number, got dtype complex128"):
        check_gradients(lambda: np.sum(W**2) + 0j, {"W": W}, {"W": 2 * W})
    with pytest.raises(TypeError, match="params and grads must be dicts"):
        check_gradients(loss, W, {"W": 2 * W})


def test_the_documented_default_step_is_the_one_used():
    from course_utils.finite_differences import DEFAULT_EPS

    assert "1e-5 for float64 and 1e-3 for float32" in numerical_gradient.__doc__
    assert "1e-5 for float64, 1e-3 for float32" in check_gradients.__doc__
    assert DEFAULT_EPS[np.dtype(np.float64)] == 1e-5 and DEFAULT_EPS[np.dtype(np.float32)] == 1e-3


# --- a verdict of "passed" must mean the check could have seen the course's bugs ------------------


def _binary_cost_case(dtype):
    """07's network: 10 classes, small weights, the binary cost on its softmax (ratio about 10/9)."""
    from course_utils.losses import binary_cross_entropy

    X, y = load_mnist("train", n=64)
    X = X.astype(dtype)
    net = TwoLayerNet(784, 25, 10, hidden="sigmoid", seed=0, dtype=dtype)
    for k in net.params:
        net.params[k] *= 0.1
    binary = lambda: binary_cross_entropy(softmax(net.forward(X)[0]), y)  # noqa: E731
    return net, X, y, binary


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_the_binary_cost_on_a_softmax_never_passes_and_correct_gradients_do(dtype):
    net, X, y, binary = _binary_cost_case(dtype)
    before = {k: v.copy() for k, v in net.params.items()}
    bug = check_gradients(binary, net.params, net.gradients(X, y))
    assert not bug.ok, bug
    assert bug.verdict == "failed" and set(bug.failed) == {"W1", "b1", "W2", "b2"}, bug
    np.testing.assert_allclose(list(bug.ratios.values()), 10 / 9, rtol=2e-3)
    right = check_gradients(lambda: net.loss(X, y), net.params, net.gradients(X, y))
    assert right.ok and right.verdict == "passed", right
    for k in before:  # the dict holds its own arrays again, unchanged
        assert net.params[k].dtype == dtype and np.array_equal(net.params[k], before[k])
    if dtype == np.float32:
        assert "float32, differences in float64" in repr(right) and right.tol == 1e-3
        assert "Gradient check passed" in repr(right)


def test_float32_differences_alone_give_no_verdict_of_passed():
    net, X, y, binary = _binary_cost_case(np.float32)
    # A copy of the dict: the loss reads net.params, never the copies, so float64 cannot be used.
    report = check_gradients(binary, dict(net.params), net.gradients(X, y))
    assert report.verdict == "inconclusive" and not report.ok and report.failed == [], report
    text = repr(report)
    assert text.startswith("Gradient check INCONCLUSIVE") and "check passed" not in text
    assert "keeps its own references" in text and "between 0.82 and 1.22" in text
    assert text.count("  ?  ") == 4, text
    # A loss that rounds its parameters to float32 cannot be evaluated in float64 either.
    P = {"W": net.params["W2"]}
    rounded = check_gradients(lambda: np.sum(P["W"].astype(np.float32) ** 2), P, {"W": 2 * P["W"]})
    assert rounded.verdict == "inconclusive" and "back to float32" in repr(rounded)
    # A gross bug is still a failure: that verdict is true in float32 too.
    gross = check_gradients(binary, dict(net.params), {k: 3 * g for k, g in net.gradients(X, y).items()})
    assert gross.verdict == "failed" and not gross.ok


def test_a_tolerance_too_coarse_to_see_10_over_9_gives_no_verdict_of_passed():
    W = np.random.default_rng(0).normal(size=(3, 4))
    P = {"W": W}
    report = check_gradients(lambda: np.sum(np.sin(P["W"])), P, {"W": np.cos(W)}, tol=0.1)
    assert report.verdict == "inconclusive" and not report.ok
    assert "a tolerance of 1e-01" in repr(report)
    assert check_gradients(lambda: np.sum(np.sin(P["W"])), P, {"W": np.cos(W)}, tol=1e-2).ok


_FACTORS = st.one_of(st.floats(-3.0, 0.97), st.floats(1.03, 3.0))


@given(
    factor=_FACTORS,
    dtype=st.sampled_from([np.float32, np.float64]),
    tol=st.sampled_from([None, 1e-4, 1e-3, 1e-2, 0.05, 0.1, 0.5]),
    through_dict=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_a_uniformly_wrong_tensor_is_never_passed(factor, dtype, tol, through_dict, seed):
    """Property: a whole tensor wrong by one factor (10/9, 0.9, −1, ...) never gets "passed"."""
    rng = np.random.default_rng(seed)
    W, b = rng.normal(size=(4, 3)).astype(dtype), rng.normal(size=3).astype(dtype)
    P = {"W": W, "b": b}
    x = rng.normal(size=4)

    def loss():
        W_, b_ = (P["W"], P["b"]) if through_dict else (W, b)
        return np.sum(np.log1p(np.exp(x @ W_ + b_))) + 0.5 * np.sum(W_ * W_)

    s = 1 / (1 + np.exp(-(x @ W.astype(np.float64) + b)))
    grads = {"W": factor * (np.outer(x, s) + W), "b": s}
    report = check_gradients(loss, P, grads, tol=tol, seed=seed)
    assert not report.ok, (factor, report)
    assert report.verdict != "passed", report
    assert "W" in report.failed or report.verdict == "inconclusive", report


def test_diagnose_does_not_call_an_inconclusive_check_a_pass():
    W = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    report = check_gradients(lambda: np.sum(np.sin(W)), {"W": W}, {"W": 1.11 * np.cos(W)})
    assert report.verdict == "inconclusive"
    (finding,) = diagnose(report)
    assert "passes" not in finding and "could not have seen a small wrong factor" in finding
    assert "keeps its own references" in finding


def test_a_check_with_no_checkable_entry_is_inconclusive_not_passed():
    # The reviewer's case: the binary cost of a softmax at z = (0, 0, 25), label 0, where log(1 - h)
    # rounds; the gradient handed in is cross-entropy's, which is wrong for this loss. Every entry's
    # one-sided differences disagree, so nothing was compared: the verdict must not be "passed".
    z = np.array([[0.0, 0.0, 25.0]])
    y = np.array([0])
    report = check_gradients(
        lambda: binary_cross_entropy(softmax(z), y), {"z": z}, {"z": cross_entropy_grad(z, y)}
    )
    assert report.kinks == {"z": 3}
    assert report.verdict == "inconclusive" and not report.ok
    assert "no entry of z could be checked" in str(report)
