"""The transcribed Octave check reproduces the learner's three tables digit for digit."""

import numpy as np
import pytest

from course_utils import mismatch as mm
from course_utils.gradcheck import numerical_gradient, rel_error


def test_debug_network_layout():
    Theta1, Theta2, X, y = mm.debug_problem()
    assert Theta1.shape == (5, 4) and Theta2.shape == (3, 6) and X.shape == (5, 3)
    assert y.tolist() == [2, 3, 1, 2, 3]
    # Column-major fill: down the first column first.
    assert Theta1[1, 0] == pytest.approx(np.sin(2) / 10) and Theta1[0, 1] == pytest.approx(np.sin(6) / 10)
    params = mm.unroll(Theta1, Theta2)
    assert params.shape == (38,)
    np.testing.assert_array_equal(mm.roll(params)[1], Theta2)


@pytest.mark.parametrize(
    "hidden, output, cost",
    [
        ("sigmoid", "softmax", "binary_cross_entropy"),
        ("tanh", "softmax", "binary_cross_entropy"),
        ("sigmoid", "sigmoid", "binary_cross_entropy"),
    ],
)
def test_reproduces_the_learner_tables(hidden, output, cost):
    result = mm.gradient_mismatch(hidden, output=output, cost=cost)
    expected = mm.learner_table(hidden, output)
    assert result.table(len(mm.LEARNER_TABLES[(hidden, output)])) == expected


def test_the_printed_tanh_table_used_the_tanh_derivative():
    """With the posted hard-coded sigmoid derivative the tanh table would have looked different."""
    posted = mm.gradient_mismatch("tanh", "sigmoid", output="softmax", cost="binary_cross_entropy")
    assert posted.table(15) != mm.learner_table("tanh", "softmax")
    assert posted.layer_ratios["Theta1"] == pytest.approx(6.0, rel=0.01)
    assert posted.layer_ratios["Theta2"] == pytest.approx(1.5, rel=0.01)


def test_matching_cost_and_output_agree():
    for hidden in ("sigmoid", "tanh", "softplus", "relu", "leaky_relu", "elu"):
        for output, cost in (("softmax", "cross_entropy"), ("sigmoid", "binary_cross_entropy")):
            result = mm.gradient_mismatch(hidden, output=output, cost=cost, reg=1.0)
            assert result.rel_error < 1e-8, (hidden, output, cost)
            assert "agree" in mm.explain(result)


def test_the_ratio_is_near_K_over_K_minus_1():
    result = mm.gradient_mismatch("sigmoid", output="softmax", cost="binary_cross_entropy")
    for ratio in result.layer_ratios.values():
        assert ratio == pytest.approx(3 / 2, rel=0.02)
    assert "cost mismatch" in mm.explain(result) and "1.50" in mm.explain(result)


def test_hard_coded_sigmoid_derivative_only_touches_theta1():
    for hidden in ("tanh", "softplus", "relu"):
        result = mm.gradient_mismatch(hidden, "sigmoid", output="softmax", cost="cross_entropy")
        assert result.layer_errors["Theta2"] < 1e-8
        assert result.layer_errors["Theta1"] > 1e-2
        assert "wrong hidden derivative" in mm.explain(result)


def test_numerical_side_matches_an_independent_finite_difference():
    Theta1, Theta2, X, y = mm.debug_problem()
    params = mm.unroll(Theta1, Theta2)
    J = lambda p: mm.cost(p, X, y, hidden="tanh", output="softmax", cost="cross_entropy", reg=0.5)  # noqa: E731
    analytic = mm.learner_backprop(
        params, X, y, hidden="tanh", backprop_derivative="tanh", output="softmax", reg=0.5
    )
    assert rel_error(numerical_gradient(lambda: J(params), params), analytic) < 1e-8


def test_bad_settings():
    with pytest.raises(ValueError, match="output must be one of"):
        mm.gradient_mismatch("tanh", output="relu")
    with pytest.raises(ValueError, match="cost must be one of"):
        mm.gradient_mismatch("tanh", cost="mse")
    with pytest.raises(ValueError, match="unknown activation"):
        mm.gradient_mismatch("swish")
    with pytest.raises(ValueError, match="lambda"):
        mm.gradient_mismatch("tanh", reg=-1)


@pytest.mark.parametrize("e", [0, 0.0, -1e-4, float("nan"), float("inf")])
def test_a_step_that_is_not_positive_is_refused(e):
    with pytest.raises(ValueError, match="e .*must be a finite number > 0"):
        mm.gradient_mismatch("tanh", e=e)


def test_a_step_below_the_spacing_of_the_parameters_is_refused():
    with pytest.raises(ValueError, match="vanishes next to parameter 0.*use a larger e"):
        mm.gradient_mismatch("tanh", e=1e-30)
    with pytest.raises(TypeError, match="positive real number"):
        mm.gradient_mismatch("tanh", e="1e-4")


def test_the_learners_tables_have_no_steady_ratio_entry_by_entry():
    t2 = np.array(mm.LEARNER_TABLES[("sigmoid", "softmax")])
    t3 = np.array(mm.LEARNER_TABLES[("tanh", "softmax")])
    r2, r3 = t2[:, 0] / t2[:, 1], t3[:, 0] / t3[:, 1]
    assert round(r2[1], 2) == 2.42 and round(r3[1], 2) == 0.42
    others = np.delete(r2, 1)
    assert round(others.min(), 2) == 1.44 and round(others.max(), 2) == 1.64


def test_the_hard_coded_derivative_scales_each_hidden_delta_by_its_own_factor():
    from course_utils.activations import get_activation

    posted = mm.gradient_mismatch("tanh", "sigmoid", output="softmax", cost="cross_entropy")
    Theta1, Theta2, X, y = mm.debug_problem()
    a1, z2, _, a3 = mm.forward(mm.unroll(Theta1, Theta2), X, "tanh", "softmax")
    sigma2 = (a3 - np.eye(3)[y - 1]) @ Theta2
    repaired = (sigma2[:, 1:] * get_activation("tanh").df(z2)).T @ a1 / len(X)
    factor = get_activation("tanh").df(z2) / get_activation("sigmoid").df(z2)
    assert np.ptp(factor) > 1e-2  # not one number
    assert rel_error(repaired.ravel(order="F"), posted.layer("Theta1")[0]) < 1e-8
    assert "its own factor" in mm.explain(posted)


def test_the_verdict_blames_the_learners_own_step_not_something_outside_the_model():
    for eps, words in ((1e-1, "truncation error"), (1e-8, "round-off")):
        result = mm.gradient_mismatch("tanh", output="softmax", cost="cross_entropy", e=eps)
        assert result.rel_error > 1e-7
        verdict = mm.explain(result)
        assert "outside this model" not in verdict and "ε = 1e" in verdict and words in verdict, verdict


def test_the_cost_mismatch_verdict_claims_only_what_is_true():
    """No "sharper outputs, a larger ratio": a confident wrong output gives less than K/(K−1)."""
    from course_utils import cross_entropy_grad, numerical_gradient, softmax
    from course_utils.mismatch_theory import binary_cost_logit_grad, binary_cost_of_logits

    verdict = mm.explain(mm.gradient_mismatch("sigmoid", output="softmax", cost="binary_cross_entropy"))
    assert "larger" not in verdict and "between 1 and 2" in verdict and "K/(K−1) = 1.50" in verdict
    z, y = np.array([[-3.0, 0.0, 0.0]]), np.array([0])
    ratio = binary_cost_logit_grad(z, y) / cross_entropy_grad(z, y)
    assert np.allclose(ratio, 1.0474, atol=1e-4) and np.all(ratio < 1.5)
    z = np.array([[0.0, 3.0, 0.0]])
    fd = numerical_gradient(lambda: binary_cost_of_logits(z, y), z)
    assert np.allclose(fd / cross_entropy_grad(z, y), [[1.48, 1.95, -8.04]], atol=0.01)
    # Equal outputs off the label: one ratio 1 + h_y/(1 − h_k), strictly between 1 and 2 for K >= 3.
    rng = np.random.default_rng(0)
    for _ in range(200):
        K = int(rng.integers(3, 12))
        z = np.zeros((1, K))
        z[0, 0] = rng.uniform(-8, 8)
        h = softmax(z)[0]
        ratio = binary_cost_logit_grad(z, y) / cross_entropy_grad(z, y)
        assert np.allclose(ratio, 1 + h[0] / (1 - h[1]), rtol=1e-9)
        assert 1 < ratio.min() and ratio.max() < 2
