"""TwoLayerNet: shapes, dtypes, an exact loss value, gradients that pass the checker, and learning."""

import numpy as np
import pytest

from course_utils import ACTIVATIONS, TwoLayerNet, check_gradients, load_mnist


@pytest.fixture(scope="module")
def mnist():
    X, y = load_mnist("train", n=2000)
    return X, y


def test_parameter_and_gradient_shapes(mnist):
    X, y = mnist
    net = TwoLayerNet(784, 32, 10)
    shapes = {"W1": (784, 32), "b1": (32,), "W2": (32, 10), "b2": (10,)}
    assert {k: v.shape for k, v in net.params.items()} == shapes
    grads = net.gradients(X[:16], y[:16])
    assert {k: v.shape for k, v in grads.items()} == shapes


def test_seed_makes_weights_reproducible_and_distinct():
    a, b, c = TwoLayerNet(5, 4, 3, seed=1), TwoLayerNet(5, 4, 3, seed=1), TwoLayerNet(5, 4, 3, seed=2)
    assert np.array_equal(a.params["W1"], b.params["W1"])
    assert not np.array_equal(a.params["W1"], c.params["W1"])


def test_loss_is_log_C_when_the_output_layer_is_zero(mnist):
    X, y = mnist
    net = TwoLayerNet(784, 32, 10)
    net.params["W2"][:] = 0
    assert net.loss(X[:50], y[:50]) == pytest.approx(np.log(10), rel=1e-14)
    net.params["W1"][:] = 1.0
    assert net.loss(X[:50], y[:50], reg=0.2) == pytest.approx(np.log(10) + 0.1 * 784 * 32, rel=1e-12)


@pytest.mark.parametrize("hidden", sorted(ACTIVATIONS))
def test_gradients_pass_the_check(mnist, hidden):
    X, y = mnist
    Xb, yb = X[:40].astype(np.float64), y[:40]
    net = TwoLayerNet(784, 24, 10, hidden=hidden, seed=3)
    rng = np.random.default_rng(0)
    for v in net.params.values():
        v += 0.05 * rng.standard_normal(v.shape)
    report = check_gradients(lambda: net.loss(Xb, yb, reg=0.05), net.params, net.gradients(Xb, yb, reg=0.05))
    assert report.ok, report


def test_float32_network_stays_float32(mnist):
    X, y = mnist
    net = TwoLayerNet(784, 16, 10, dtype=np.float32)
    loss, grads = net.loss_and_gradients(X[:8], y[:8], reg=1e-3)
    assert loss.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())
    assert all(p.dtype == np.float32 for p in net.params.values())


def test_sgd_with_these_gradients_learns(mnist):
    X, y = mnist
    Xtr, ytr, Xva, yva = X[:1500], y[:1500], X[1500:], y[1500:]
    net = TwoLayerNet(784, 64, 10, seed=0, dtype=np.float32)
    before = net.loss(Xva, yva)
    rng = np.random.default_rng(0)
    for _ in range(4):
        order = rng.permutation(1500)
        for start in range(0, 1500, 50):
            idx = order[start : start + 50]
            for k, g in net.gradients(Xtr[idx], ytr[idx]).items():
                net.params[k] -= 0.3 * g
    assert net.loss(Xva, yva) < 0.5 * before
    assert np.mean(net.predict(Xva) == yva) > 0.85


def test_predict_returns_labels(mnist):
    X, _ = mnist
    pred = TwoLayerNet(784, 8, 10).predict(X[:20])
    assert pred.shape == (20,) and pred.dtype == np.int64 and pred.min() >= 0 and pred.max() < 10


def test_bad_input():
    net = TwoLayerNet(6, 4, 3)
    with pytest.raises(ValueError, match=r"X must have shape \(N, 6\).*got \(6,\)"):
        net.loss(np.zeros(6), np.array([0]))
    with pytest.raises(ValueError, match=r"got \(2, 1\).*y.ravel"):
        net.gradients(np.zeros((2, 6)), np.array([[0], [1]]))
    with pytest.raises(ValueError, match="logits are not all finite: X or the weights hold NaN"):
        net.predict(np.full((1, 6), np.nan))
    with pytest.raises(ValueError, match="unknown activation 'swish'; choose one of"):
        TwoLayerNet(6, 4, 3, hidden="swish")
    with pytest.raises(ValueError, match="n_hidden must be a positive integer"):
        TwoLayerNet(6, 0, 3)
    with pytest.raises(ValueError, match="float32 or float64"):
        TwoLayerNet(6, 4, 3, dtype=np.int32)
    with pytest.raises(ValueError, match="reg must be"):
        net.loss(np.zeros((1, 6)), np.array([0]), reg=-1.0)
