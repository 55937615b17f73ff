"""The companion of notebook 10 · Backprop as a computational graph: its picture, helpers and checker."""

import numpy as np
import pytest
from checking_helpers import expect, expect_named

import course_utils as cu
from course_utils import graph
from course_utils.notebooks import nb10_computational_graph as nb10


def _net_graph(fused=False):
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(4, 3)), np.array([0, 1, 1, 0])
    net = cu.TwoLayerNet(3, 5, 2, hidden="tanh", seed=1)
    return net, X, y, graph.two_layer(net, X, y, fused=fused)


def test_the_graph_is_listed_inputs_first_and_drawn_with_one_box_per_node():
    _, _, _, (loss, _) = _net_graph()
    rows = nb10.graph_rows(loss)
    assert len(rows) == 12 and rows[-1][1] == "cross_entropy" and rows[-1][2] == ()
    seen = set()
    for label, _op, _shape, inputs in rows:
        assert set(inputs) <= seen, label  # every input listed before the node that uses it
        seen.add(label)
    text = nb10.describe_graph(loss)
    assert "softmax" in text and "from X, W1" in text
    svg = nb10.draw_graph(loss).svg
    assert svg.count("<rect") == 12 and svg.count("<line") == sum(len(r[3]) for r in rows)


def test_vjp_by_differences_is_an_independent_route():
    rng = np.random.default_rng(2)
    Z, g = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    np.testing.assert_allclose(nb10.vjp_by_differences(cu.softmax, Z, g), cu.softmax_vjp(Z, g), atol=1e-8)
    # A wrong rule is told apart: the diagonal alone differs from the differences.
    h = cu.softmax(Z)
    assert not np.allclose(nb10.vjp_by_differences(cu.softmax, Z, g), h * (1 - h) * g, atol=1e-3)


def test_assigning_loses_a_share_where_adding_keeps_both():
    x_values = np.array([[0.5, -1.5, 2.0]])

    def build():
        x = graph.variable(x_values)
        return x, graph.l2(graph.multiply(x, x), 2.0)  # Σ x⁴

    x, L = build()
    graph.backward(L)
    np.testing.assert_allclose(x.grad, 4 * x_values**3)
    x, L = build()
    nb10.backward_assigning(L)
    np.testing.assert_allclose(x.grad, 2 * x_values**3)
    # Where no value is used twice, assigning is harmless: the two loops agree.
    net, X, y, (loss, leaves) = _net_graph(fused=True)
    nb10.backward_assigning(loss)
    for key, grad in net.gradients(X, y).items():
        np.testing.assert_allclose(leaves[key].grad, grad, atol=1e-12)


def test_the_learner_rule_runs_through_the_network():
    net, X, y, _ = _net_graph()
    good = nb10.network_with_your_rule(graph.softmax_rows_vjp, net, X, y)
    assert good["problem"] is None and max(good["errors"].values()) < 1e-12
    assert nb10.describe_network_run(good).count("✓") == 4
    diagonal = nb10.network_with_your_rule(lambda h, g: h * (1 - h) * g, net, X, y)
    text = nb10.describe_network_run(diagonal)
    assert text.count("✗") == 4 and "✓" not in text

    def stub(h, g):
        raise NotImplementedError

    assert "not written yet" in nb10.describe_network_run(nb10.network_with_your_rule(stub, net, X, y))
    broken = nb10.network_with_your_rule(lambda h, g: h[:, :1], net, X, y)
    assert "ValueError" in nb10.describe_network_run(broken)


def _right(h, g):
    inner = (g * h).sum(axis=1, keepdims=True)
    return h * g - h * inner


def test_a_right_softmax_node_passes():
    expect(nb10.check_softmax_node_vjp(_right), "correct", "h ⊙ (g − ⟨g, h⟩)")


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda h, g: h * (1 - h) * g, "diagonal alone"),
        (lambda h, g: h * (g - h * g), "diagonal alone"),  # the sum left out
        (lambda h, g: h * (g - np.sum(g * h, axis=0, keepdims=True)), "axis 0"),
        (lambda h, g: h * (g - np.sum(g * h, axis=0)), "axis 0"),
        (lambda h, g: h * (g - np.sum(g * h)), "whole array"),
        (lambda h, g: h * (g - np.sum(g * h, axis=1)), "keepdims"),
        (lambda h, g: h * (g - np.sum(g, axis=1, keepdims=True)), "plain sum"),
        (lambda h, g: g - h * np.sum(g, axis=1, keepdims=True), "log-softmax"),
        (lambda h, g: h - g, "h − g"),
        (lambda h, g: h - (g != 0), "h − t"),
        (lambda h, g: (h - (g != 0)) / h.shape[0], "h − t"),
        (lambda h, g: g, "unchanged"),
        (lambda h, g: -_right(h, g), "sign"),
        (lambda h, g: g - np.sum(g * h, axis=1, keepdims=True), "factor h"),
        (lambda h, g: g * h, "g ⊙ h"),
    ],
)
def test_each_planted_mistake_is_named(wrong, words):
    expect_named(nb10.check_softmax_node_vjp(wrong), words)


def test_the_full_jacobian_is_named_even_with_right_numbers():
    def full(h, g):
        J = h[:, :, None] * (np.eye(h.shape[1]) - h[:, None, :])
        return np.einsum("ni,nij->nj", g, J)

    expect(nb10.check_softmax_node_vjp(full), "wrong", "full C × C Jacobian")


def test_a_stub_and_a_call_to_the_course_are_told():
    def stub(h, g):
        raise NotImplementedError

    expect(nb10.check_softmax_node_vjp(stub), "not implemented")
    fb = nb10.check_softmax_node_vjp(graph.softmax_rows_vjp)
    assert fb.status == "wrong" and "course" in fb.message


def test_the_exercises_are_graded():
    softmax_node, log_softmax_node = nb10.GRADED
    args = softmax_node.hidden_args()
    np.testing.assert_allclose(softmax_node.reference(*args), graph.softmax_rows_vjp(*args), atol=1e-14)
    assert softmax_node.checker(_right).passed
    log_h, g = log_softmax_node.hidden_args()
    z_node = graph.variable(log_h)  # log-softmax of log h is log h itself: the same node, the same h
    (expected,) = graph.log_softmax(z_node).vjp(g)
    np.testing.assert_allclose(log_softmax_node.reference(log_h, g), expected, atol=1e-14)


def _log_right(log_h, g):
    return g - np.exp(log_h) * g.sum(axis=1, keepdims=True)


def test_a_right_log_softmax_node_passes_and_the_course_is_told():
    expect(nb10.check_log_softmax_node_vjp(_log_right), "correct", "g − h Σg")
    assert nb10.check_log_softmax_node_vjp(lambda lh, g: cu_vjp(lh, g)).status == "wrong"


def cu_vjp(log_h, g):
    from course_utils.softmax import log_softmax_vjp

    return log_softmax_vjp(log_h, g)  # log h is its own logits: softmax(log h) = h


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda lh, g: g - lh * np.sum(g, axis=1, keepdims=True), "log h"),
        (lambda lh, g: g - np.exp(lh) * g, "h ⊙ g"),
        (lambda lh, g: g - np.exp(lh) * np.sum(g, axis=0, keepdims=True), "axis 0"),
        (lambda lh, g: g - np.exp(lh) * np.sum(g), "whole array"),
        (lambda lh, g: g - np.exp(lh) * np.sum(g, axis=1), "keepdims"),
        (lambda lh, g: np.exp(lh) * (g - np.sum(g * np.exp(lh), axis=1, keepdims=True)), "softmax node"),
        (lambda lh, g: -_log_right(lh, g), "sign"),
        (lambda lh, g: g - np.exp(lh), "g − h"),
        (lambda lh, g: g - np.exp(lh) * np.mean(g, axis=1, keepdims=True), "mean"),
    ],
)
def test_each_planted_log_softmax_mistake_is_named(wrong, words):
    expect_named(nb10.check_log_softmax_node_vjp(wrong), words)


def test_the_graph_widget_redraws_and_checks():
    view = nb10.graph_widget()
    assert view.last_state["nodes"] == 11 + 1 and "✓" in view.text.value
    view.controls["hidden_layers"].value = 3
    assert view.last_state["nodes"] == 22 and view.chart.value.count("<rect") == 22
    view.controls["fused"].value = True
    assert view.last_state["nodes"] == 21
    view.controls["reg"].value = 0.5  # W feeds matmul and l2: the check still passes only with +=
    assert view.last_state["error"] < 1e-6 and "✓" in view.text.value
    with pytest.raises(ValueError, match="hidden_layers"):
        nb10.graph_state(hidden_layers=4)


# Issue 19, newcomer review b (helper r3): wrong answers that got the bare generic reply, each named.
@pytest.mark.parametrize(
    "check, wrong, words",
    [
        (nb10.check_softmax_node_vjp, lambda h, g: cu.softmax_vjp(h, g), "cu.softmax_vjp"),
        (nb10.check_log_softmax_node_vjp, lambda lh, g: np.exp(lh) + g, "h + g"),
        (nb10.check_log_softmax_node_vjp, lambda lh, g: g / np.exp(lh), "divides by h"),
        (
            nb10.check_log_softmax_node_vjp,
            lambda lh, g: g + np.exp(lh) * np.sum(g, axis=1, keepdims=True),
            "sign",
        ),
        (
            nb10.check_log_softmax_node_vjp,
            lambda lh, g: g - np.exp(lh) * np.sum(g * np.exp(lh), axis=1, keepdims=True),
            "h ⟨g, h⟩",
        ),
    ],
)
def test_the_second_newcomers_generic_answers_are_named(check, wrong, words):
    expect_named(check(wrong), words)


def test_a_node_that_stalls_only_on_the_large_memory_case_gets_the_time_limit(monkeypatch):
    from course_utils.notebooks import _guard

    monkeypatch.setattr(_guard, "DEFAULT_TIME_LIMIT", 0.3)

    def stalls_when_wide(h, g):
        while h.shape[1] > 100:
            pass
        return h * (g - np.sum(g * h, axis=1, keepdims=True))

    expect(nb10.check_softmax_node_vjp(stalls_when_wide), "error", "did not return within 0.3 seconds")


# --- one step past one hidden layer ------------------------------------------------------------------


def test_layer_stack_shapes_scale_and_bias():
    layers = nb10.layer_stack([400, 300, 200, 10], scale=2.0, bias=-0.5, seed=0)
    assert [W.shape for W, _ in layers] == [(400, 300), (300, 200), (200, 10)]
    assert all(np.all(b == -0.5) and b.shape == (W.shape[1],) for W, b in layers)
    assert abs(np.std(layers[0][0]) / (2.0 / np.sqrt(400)) - 1) < 0.02
    with pytest.raises(ValueError, match="at least two positive widths"):
        nb10.layer_stack([5])
    with pytest.raises(ValueError, match="scale must be a number > 0"):
        nb10.layer_stack([5, 3], scale=0)


def _case(seed=0, N=12):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(N, 6)), rng.integers(0, 3, size=N)


def test_layer_gradients_measures_against_an_independent_backward():
    """Norms of da, dz and dW against a backward pass written out here, layer by layer."""
    X, y = _case()
    layers = nb10.layer_stack([6, 5, 4, 3], scale=1.5, bias=0.1, seed=2)
    run = nb10.layer_gradients(X, y, layers, "tanh")
    (W1, b1), (W2, b2), (W3, b3) = layers
    z1 = X @ W1 + b1
    a1 = np.tanh(z1)
    z2 = a1 @ W2 + b2
    a2 = np.tanh(z2)
    z3 = a2 @ W3 + b3
    dz3 = cu.cross_entropy_grad(z3, y)
    da2 = dz3 @ W3.T
    dz2 = da2 * (1 - a2**2)
    da1 = dz2 @ W2.T
    dz1 = da1 * (1 - a1**2)
    norms = np.linalg.norm
    np.testing.assert_allclose(run["da"], [norms(da1), norms(da2)], rtol=1e-12)
    np.testing.assert_allclose(run["dz"], [norms(dz1), norms(dz2)], rtol=1e-12)
    np.testing.assert_allclose(run["dW"], [norms(X.T @ dz1), norms(a1.T @ dz2)], rtol=1e-12)
    np.testing.assert_allclose(run["saturated"], [np.mean(np.abs(z1) > 2), np.mean(np.abs(z2) > 2)])
    np.testing.assert_allclose(run["dlogits"], dz3, rtol=1e-12)
    assert np.all(run["dz"] <= run["da"])  # |tanh'| <= 1 takes away, never adds


def test_layer_gradients_sees_dead_and_saturated_units():
    X, y = _case(1)
    dead = nb10.layer_gradients(X, y, nb10.layer_stack([6, 5, 4, 3], bias=-100.0), "relu")
    assert np.all(dead["zero_gradient"] == 1) and np.all(dead["never_active"] == 1)
    assert np.all(dead["dz"] == 0)
    alive = nb10.layer_gradients(X, y, nb10.layer_stack([6, 5, 4, 3], bias=100.0), "relu")
    assert np.all(alive["zero_gradient"] == 0) and np.all(alive["never_active"] == 0)
    # one unit planted dead: only its column is flagged
    layers = nb10.layer_stack([6, 5, 4, 3], bias=100.0)
    layers[0][1][2] = -1e4
    planted = nb10.layer_gradients(X, y, layers, "relu")
    assert planted["zero_units"][0].tolist() == [False, False, True, False, False]
    assert planted["never_active_units"][0].tolist() == [False, False, True, False, False]
    # layer 2 planted dead, layer 1 active everywhere: layer 1 gets no gradient though never inactive
    layers = nb10.layer_stack([6, 5, 4, 3], bias=100.0)
    layers[1][1][:] = -1e4
    starved = nb10.layer_gradients(X, y, layers, "relu")
    assert np.all(starved["zero_units"][0]) and not np.any(starved["never_active_units"][0])
    assert starved["zero_gradient"][0] == 1 and starved["never_active"][0] == 0
    calm = nb10.layer_gradients(X, y, nb10.layer_stack([6, 5, 4, 3], scale=0.01), "tanh")
    hot = nb10.layer_gradients(X, y, nb10.layer_stack([6, 5, 4, 3], scale=50.0), "tanh")
    assert np.all(calm["saturated"] == 0) and np.all(hot["saturated"] > 0.5)
    assert np.all(hot["dz"] / hot["da"] < calm["dz"] / calm["da"])
    with pytest.raises(ValueError, match="at least two"):
        nb10.layer_gradients(X, y, nb10.layer_stack([6, 3]), "tanh")


def test_the_notebooks_deeper_measurements_say_what_its_text_says():
    X, y = cu.load_mnist("train", n=64)
    X = X.astype(np.float64)
    small, large = (
        nb10.layer_gradients(X, y, nb10.layer_stack([784, 32, 32, 10], scale=s), "tanh") for s in (1.0, 5.0)
    )
    assert np.all(large["saturated"] > small["saturated"])
    assert small["dz"][0] < small["dz"][1] and large["dz"][0] > large["dz"][1]
    at_zero, shifted = (
        nb10.layer_gradients(X, y, nb10.layer_stack([784, 32, 32, 10], scale=np.sqrt(2), bias=b), "relu")
        for b in (0.0, -0.5)
    )
    assert np.all(shifted["zero_gradient"] > at_zero["zero_gradient"])
    assert shifted["zero_gradient"][0] > shifted["never_active"][0]


# --- the committed prediction: which choice the measured ratio picks ------------------------------


@pytest.mark.parametrize(
    "ratios, choice",
    [
        (np.ones((1, 5)), 0),
        (np.full((1, 5), 2.0), 1),
        (np.full((1, 5), 0.5), 2),
        ([2.0, 2.0, 1.0], 3),  # differs from entry to entry
        ([2.0, 2.1, 2.0], 3),
        ([2.0, np.inf, 2.0], 3),
        ([np.nan], 3),
        (2.0 * (1 + 1e-9), 1),  # round-off of a finite difference
    ],
)
def test_reuse_choice_names_every_choice(ratios, choice):
    assert nb10.reuse_choice(ratios) == choice


def test_reuse_choice_refuses_nothing_to_read():
    with pytest.raises(ValueError, match="at least one entry"):
        nb10.reuse_choice([])


def test_the_notebooks_reuse_run_picks_choice_1():
    """x·x with = instead of +=: numerical/analytic is 2 on every entry, the second choice."""
    x_values = np.random.default_rng(0).normal(size=(1, 5))

    def fourth_power_sum():
        x = graph.variable(x_values, "x")
        return x, graph.l2(graph.multiply(x, x), 2.0)

    x, L = fourth_power_sum()
    nb10.backward_assigning(L)
    x_work = x_values.copy()
    numerical = cu.numerical_gradient(lambda: np.sum(x_work**4), x_work)
    assert nb10.reuse_choice(numerical / x.grad) == 1
    x, L = fourth_power_sum()
    graph.backward(L)
    assert nb10.reuse_choice(numerical / x.grad) == 0
