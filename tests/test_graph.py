"""The reverse-mode engine (course_utils/graph.py), the log-softmax VJP, binary cross-entropy with logits."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import course_utils as cu
from course_utils import graph as G
from course_utils import numerical_gradient
from course_utils.losses import binary_cross_entropy, binary_cross_entropy_with_logits
from course_utils.softmax import log_softmax_vjp

sizes = st.tuples(st.integers(1, 6), st.integers(1, 5), st.integers(1, 5), st.integers(2, 5))
hidden = st.sampled_from(["sigmoid", "tanh", "softplus", "relu", "leaky_relu", "elu", "identity"])


@settings(max_examples=40, deadline=None)
@given(sizes, hidden, st.sampled_from([0.0, 0.3]), st.booleans(), st.integers(0, 2**31))
def test_two_layer_graph_matches_the_network_and_finite_differences(shape, act, reg, fused, seed):
    N, D, H, C = shape
    rng = np.random.default_rng(seed)
    net = cu.TwoLayerNet(D, H, C, hidden=act, seed=seed % 1000)
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, N)
    loss, leaves = G.two_layer(net, X, y, reg, fused=fused)
    G.backward(loss)
    expected = net.gradients(X, y, reg)
    assert np.isclose(float(loss.value), net.loss(X, y, reg), rtol=1e-12, atol=1e-12)
    for key, grad in expected.items():
        np.testing.assert_allclose(leaves[key].grad, grad, rtol=1e-9, atol=1e-12, err_msg=key)
    # And an independent route that shares no code with either backward pass.
    if act not in ("relu", "leaky_relu"):  # kinks: a step may straddle one
        numeric = numerical_gradient(lambda: net.loss(X, y, reg), net.params["W1"])
        np.testing.assert_allclose(leaves["W1"].grad, numeric, rtol=1e-5, atol=1e-7)


def test_a_deeper_network_matches_finite_differences():
    rng = np.random.default_rng(3)
    sizes = [4, 6, 5, 3]
    layers = [
        (rng.standard_normal((a, b)) * 0.7, rng.standard_normal(b) * 0.1) for a, b in zip(sizes, sizes[1:])
    ]
    X, y = rng.standard_normal((7, 4)), rng.integers(0, 3, 7)

    def loss_value():
        return float(G.network(X, y, layers, "tanh", reg=0.05)[0].value)

    loss, params = G.network(X, y, layers, "tanh", reg=0.05)
    G.backward(loss)
    for (W, b), (w_node, b_node) in zip(layers, params):
        np.testing.assert_allclose(w_node.grad, numerical_gradient(loss_value, W), rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(b_node.grad, numerical_gradient(loss_value, b), rtol=1e-6, atol=1e-9)


def test_a_value_used_twice_gets_both_shares():
    x0 = np.array([[1.0, 2.0, -1.0], [0.5, -3.0, 2.0]])
    y = np.array([0, 2])
    x = G.variable(x0.copy(), "x")
    G.backward(G.softmax_cross_entropy(G.multiply(x, x), y))  # L(x * x): dL/dx = 2 x dL/d(x*x)
    _, dz = cu.cross_entropy_and_grad(x0 * x0, y)
    np.testing.assert_allclose(x.grad, 2 * x0 * dz)
    # A write with "=" instead of "+=" would keep only one share: a factor 2 off, and this fails.
    x = G.variable(x0.copy(), "x")
    G.backward(G.nll(G.log_softmax(G.add(x, x)), y))
    np.testing.assert_allclose(x.grad, 2 * cu.cross_entropy_and_grad(2 * x0, y)[1])


def test_the_learner_softmax_rule_reaches_every_weight():
    rng = np.random.default_rng(1)
    net = cu.TwoLayerNet(5, 4, 3, hidden="tanh", seed=2)
    X, y = rng.standard_normal((8, 5)), rng.integers(0, 3, 8)
    expected = net.gradients(X, y)

    def grads(rule):
        loss, leaves = G.two_layer(net, X, y, fused=False, softmax_vjp=rule)
        G.backward(loss)
        return {k: v.grad for k, v in leaves.items()}

    right = grads(lambda h, g: h * (g - (g * h).sum(axis=1, keepdims=True)))
    for key in expected:
        np.testing.assert_allclose(right[key], expected[key], rtol=1e-9, atol=1e-12)
    wrong = grads(lambda h, g: h * g)  # the diagonal of the Jacobian only
    for key in expected:
        assert not np.allclose(wrong[key], expected[key], rtol=1e-3), key


def test_separate_nodes_overflow_where_the_fused_node_does_not():
    z0 = np.array([[800.0, 0.0, 0.0]])  # label 1: its probability underflows to 0
    y = np.array([1])
    z = G.variable(z0, "z")
    with np.errstate(all="ignore"):
        G.backward(G.cross_entropy(G.softmax(z), y))
    assert not np.all(np.isfinite(z.grad))
    z = G.variable(z0, "z")
    G.backward(G.softmax_cross_entropy(z, y))
    np.testing.assert_allclose(z.grad, [[1.0, -1.0, 0.0]], atol=1e-12)
    z = G.variable(z0, "z")
    G.backward(G.nll(G.log_softmax(z), y))  # the log-softmax route survives as well
    np.testing.assert_allclose(z.grad, [[1.0, -1.0, 0.0]], atol=1e-12)


def test_the_topological_order_puts_inputs_first_and_has_no_recursion_limit():
    x = G.variable(np.ones((1, 2)), "x")
    node = x
    for _ in range(5000):
        node = G.add(node, x)
    order = G.topological_order(node)
    position = {id(n): i for i, n in enumerate(order)}
    assert all(position[id(p)] < position[id(n)] for n in order for p in n.parents)
    G.backward(G.nll(G.log_softmax(node), np.array([0])))
    h = cu.softmax(np.full((1, 2), 5001.0))
    np.testing.assert_allclose(x.grad, 5001 * (h - [[1, 0]]))


@pytest.mark.parametrize(
    "build, message",
    [
        (
            lambda: G.matmul(G.variable(np.ones((2, 3))), G.variable(np.ones((2, 3)))),
            r"a \(N, D\) and b \(D, H\)",
        ),
        (lambda: G.add_bias(G.variable(np.ones((2, 3))), G.variable(np.ones(2))), r"shape \(3,\)"),
        (lambda: G.softmax_cross_entropy(G.variable(np.ones((2, 3))), np.array([[0], [1]])), r"\(N, 1\)"),
        (lambda: G.softmax_cross_entropy(G.variable(np.ones((2, 3))), np.array([0, 3])), r"\[0, 3\)"),
        (lambda: G.backward(G.variable(np.ones((2, 3)))), "scalar"),
        (lambda: G.matmul(np.ones((2, 3)), G.variable(np.ones((3, 2)))), "graph.variable"),
        (lambda: G.l2(G.variable(np.ones(2)), -1.0), "reg"),
        (lambda: G.network(np.ones((2, 3)), np.array([0, 1]), [], "tanh"), "at least one"),
        (lambda: G.softmax(G.variable(np.array([[np.nan, 0.0]]))), "NaN"),
    ],
)
def test_bad_input_is_named(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_a_softmax_rule_of_the_wrong_shape_is_named():
    z = G.variable(np.ones((2, 3)))
    loss = G.cross_entropy(G.softmax(z, vjp=lambda h, g: h.sum(axis=1)), np.array([0, 1]))
    with pytest.raises(ValueError, match=r"shape \(2, 3\).*got \(2,\)"):
        G.backward(loss)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 4), st.integers(1, 6), st.integers(0, 2**31))
def test_log_softmax_vjp_matches_finite_differences(N, C, seed):
    rng = np.random.default_rng(seed)
    z, g = rng.standard_normal((N, C)) * 3, rng.standard_normal((N, C))
    numeric = numerical_gradient(lambda: float(np.sum(g * cu.log_softmax(z))), z)
    np.testing.assert_allclose(log_softmax_vjp(z, g), numeric, rtol=1e-6, atol=1e-8)
    # with g = -t/N it is the fused shortcut (h - t)/N
    y = rng.integers(0, C, N)
    t = np.eye(C)[y]
    np.testing.assert_allclose(log_softmax_vjp(z, -t / N), cu.cross_entropy_and_grad(z, y)[1], atol=1e-12)
    assert np.all(np.isfinite(log_softmax_vjp(z * 1e3, -t / N)))


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**31))
def test_binary_cross_entropy_with_logits(N, K, seed):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((N, K)) * 4
    Y = rng.uniform(0, 1, (N, K))
    loss, dz = binary_cross_entropy_with_logits(z, Y)
    np.testing.assert_allclose(loss, binary_cross_entropy(1 / (1 + np.exp(-z)), Y), rtol=1e-10)
    numeric = numerical_gradient(lambda: float(binary_cross_entropy_with_logits(z, Y)[0]), z)
    np.testing.assert_allclose(dz, numeric, rtol=1e-6, atol=1e-9)
    # the two-class softmax over (0, z) is the sigmoid, so the h - t shortcut gives the same gradient
    h = cu.softmax(np.stack([np.zeros(N), z[:, 0]], axis=1))
    np.testing.assert_allclose(h[:, 1], 1 / (1 + np.exp(-z[:, 0])), rtol=1e-12)


def test_binary_cross_entropy_with_logits_is_finite_where_the_probabilities_round_off():
    z = np.array([[800.0, -800.0]], dtype=np.float32)
    Y = np.array([[0.0, 1.0]], dtype=np.float32)
    loss, dz = binary_cross_entropy_with_logits(z, Y)
    assert loss.dtype == np.float32 and np.isclose(loss, 1600.0)
    np.testing.assert_allclose(dz, [[1.0, -1.0]])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        binary_cross_entropy_with_logits(z, Y + 2)
    with pytest.raises(ValueError, match="same shape"):
        binary_cross_entropy_with_logits(z, Y[:, :1])
