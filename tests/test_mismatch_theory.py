"""The exact form of the binary cost's gradient through a softmax, against finite differences."""

import numpy as np
import pytest

import course_utils as cu
from course_utils import mismatch_theory as mt
from course_utils.gradcheck import numerical_gradient, rel_error


@pytest.mark.parametrize("K, scale", [(2, 1.0), (3, 2.0), (10, 3.0)])
def test_exact_logit_gradient_matches_finite_differences(K, scale):
    rng = np.random.default_rng(K)
    z, y = scale * rng.normal(size=(7, K)), rng.integers(0, K, size=7)
    num = numerical_gradient(lambda: mt.binary_cost_of_logits(z, y), z)
    assert rel_error(mt.binary_cost_logit_grad(z, y), num) < 1e-7
    # Without the extra term it is backprop's h - Y, which does not match.
    assert rel_error(cu.cross_entropy_grad(z, y), num) > 1e-2


@pytest.mark.parametrize("K", [3, 10])
def test_uniform_outputs_give_exactly_K_over_K_minus_1(K):
    z, y = np.zeros((K, K)), np.arange(K)
    np.testing.assert_allclose(mt.binary_cost_logit_grad(z, y), K / (K - 1) * cu.cross_entropy_grad(z, y))


def test_a_sharp_right_output_gives_1_95():
    z, y = np.array([[3.0, 0.0, 0.0]]), np.array([0])
    ratio = mt.binary_cost_logit_grad(z, y) / cu.cross_entropy_grad(z, y)
    np.testing.assert_allclose(ratio, 1.9526, atol=1e-4)


def test_network_gradients_match_finite_differences_and_ratio_grows_with_training():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 6)), rng.integers(0, 3, size=40)
    net = cu.TwoLayerNet(6, 5, 3, hidden="tanh", seed=1)
    binary, learner = mt.mismatch_gradients(net, X, y)
    cost = lambda: mt.binary_cost_of_logits(net.forward(X)[0], y)  # noqa: E731
    assert cu.check_gradients(cost, net.params, binary).ok
    for k, g in net.gradients(X, y).items():
        np.testing.assert_allclose(learner[k], g)
    small = mt.ratio_against_scale(net, X, y, [1e-3])[0]
    assert small == pytest.approx(1.5, rel=1e-3)
    ratios, confidence = mt.ratio_along_training(net, X, y, 150, lr=1.0, batch=8)
    assert ratios.shape == confidence.shape == (151,)
    assert confidence[-1] > confidence[0] and ratios[-1] > 1.6


def test_ratio_against_scale_leaves_the_weights_as_they_were():
    net = cu.TwoLayerNet(4, 3, 3, hidden="sigmoid", seed=0)
    before = {k: v.copy() for k, v in net.params.items()}
    mt.ratio_against_scale(net, np.ones((2, 4)), np.array([0, 1]), [0.1, 10.0])
    for k in before:
        np.testing.assert_array_equal(net.params[k], before[k])


def test_bad_labels():
    with pytest.raises(ValueError, match="labels must lie"):
        mt.binary_cost_logit_grad(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="integer labels"):
        mt.binary_cost_logit_grad(np.zeros((2, 3)), np.array([0.0, 1.0]))


def test_figures_draw_and_say_the_verdict_in_words():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    axes = mt.plot_learner_tables()
    titles = [ax.get_title() for ax in axes]
    assert "✓" in titles[0] and all("✗ off y = x, slope 1.5" in t for t in titles[1:])
    scales, steps = np.array([0.01, 1.0]), np.arange(3)
    pair = mt.plot_ratio_curves(scales, {3: [1.5, 1.6]}, steps, {3: [1.5, 1.7, 1.9]})
    assert pair[0].get_xscale() == "log" and "K = 3" in pair[1].get_legend().get_texts()[0].get_text()
    plt.close("all")


def test_measuring_every_few_steps_gives_the_same_ratios_at_those_steps():
    import course_utils as cu

    X, y = cu.load_mnist("train", n=64)
    X = X.astype(np.float64)
    y = y % 3
    every = [cu.TwoLayerNet(784, 8, 3, hidden="sigmoid", seed=1) for _ in range(2)]
    all_steps, _ = mt.ratio_along_training(every[0], X, y, 6, batch=8)
    sparse, _ = mt.ratio_along_training(every[1], X, y, 6, batch=8, every=3)
    assert sparse.shape == (3,) and np.allclose(sparse, all_steps[::3])
    with pytest.raises(ValueError, match="multiple"):
        mt.ratio_along_training(every[1], X, y, 7, every=3)
