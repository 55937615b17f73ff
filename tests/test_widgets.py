"""The pure functions behind the widgets, then each live widget driven as a learner would."""

import numpy as np
import pytest

from course_utils import load_mnist, softmax, softmax_jacobian
from course_utils import widgets as wg


def test_mnist_digit_state():
    X, y = load_mnist("train", n=10)
    s = wg.mnist_digit_state(X, y, 3)
    np.testing.assert_array_equal(s["image"], X[3].reshape(28, 28))
    assert s["label"] == y[3] == 1
    assert s["lit"] == np.count_nonzero(X[3]) and s["border_lit"] == 0
    with pytest.raises(ValueError, match=r"index must be in \[0, 10\)"):
        wg.mnist_digit_state(X, y, 10)


def test_softmax_state_and_temperature():
    s = wg.softmax_state([2.0, 1.0, 0.1, -1.0])
    assert s["h"].sum() == pytest.approx(1.0) and s["argmax"] == 0
    assert 0 < s["entropy"] < s["max_entropy"] == pytest.approx(np.log(4))
    cold = wg.softmax_state([2.0, 1.0, 0.1, -1.0], temperature=0.1)
    hot = wg.softmax_state([2.0, 1.0, 0.1, -1.0], temperature=100.0)
    assert cold["max_prob"] > 0.9999 and cold["argmax"] == 0
    np.testing.assert_allclose(hot["h"], 0.25, atol=0.01)
    assert cold["entropy"] < s["entropy"] < hot["entropy"]
    assert "T = 1.00" in wg.describe_softmax(s)
    with pytest.raises(ValueError, match="temperature must be > 0"):
        wg.softmax_state([1.0, 2.0], 0.0)


def test_jacobian_explorer_state():
    full = wg.jacobian_explorer_state(wg.DEFAULT_LOGITS)
    h = softmax(np.array(wg.DEFAULT_LOGITS))
    np.testing.assert_allclose(full["J"], np.diag(h) - np.outer(h, h), atol=1e-16)
    np.testing.assert_allclose(full["numerical"], full["g"] @ full["J_true"], atol=1e-9)
    assert full["passes"] and "PASSES" in wg.describe_jacobian(full)
    diag = wg.jacobian_explorer_state(wg.DEFAULT_LOGITS, diagonal_only=True)
    assert not diag["passes"] and diag["rel_error"] > 0.05
    assert np.count_nonzero(diag["J"] - np.diag(np.diag(diag["J"]))) == 0
    assert "FAILS" in wg.describe_jacobian(diag) and "−h_i h_j" in wg.describe_jacobian(diag)


def test_spectrum_state():
    s = wg.jacobian_spectrum_state([1.0, -2.0, 0.5, 3.0])
    assert s["eigenvalues"].min() > -1e-15 and abs(s["eigenvalues"][0]) < 1e-15
    assert s["rank"] == 3
    assert s["trace"] == pytest.approx(np.sum(s["h"] * (1 - s["h"])))
    assert s["null_residual"] < 1e-15
    assert s["eigenvalues"].max() <= s["h"].max() + 1e-15


def test_vjp_steps():
    z, g = np.array([0.5, -1.0, 2.0]), np.array([1.0, -2.0, 0.5])
    s = wg.vjp_steps(z, g)
    assert [st["name"] for st in s["steps"]] == [n for n, _ in wg.VJP_STEPS]
    np.testing.assert_allclose(s["steps"][-1]["value"], g @ softmax_jacobian(z), atol=1e-15)
    np.testing.assert_allclose(s["steps"][-1]["value"], s["vjp"], atol=1e-15)
    assert np.ptp(s["steps"][3]["value"]) == 0
    assert "Same as g J built the long way: yes" in wg.describe_vjp_step(s, 5)


def test_fused_gradient_state():
    ok = wg.fused_gradient_state(5)
    assert ok["long_way_finite"]
    np.testing.assert_allclose(ok["long_way"], ok["fused"], atol=1e-14)
    broken = wg.fused_gradient_state(800)
    assert not broken["long_way_finite"] and "h underflowed to 0" in wg.describe_fused(broken)
    np.testing.assert_allclose(broken["fused"], [-1, 1, 0, 0], atol=1e-12)
    # It breaks when 1/h overflows, before h itself underflows: near 89 in float32, 710 in float64.
    assert wg.fused_gradient_state(88, dtype="float32")["long_way_finite"]
    f32 = wg.fused_gradient_state(90, dtype="float32")
    assert not f32["long_way_finite"] and f32["h_true_class"] > 0
    assert "1/h overflows float32" in wg.describe_fused(f32)
    assert wg.fused_gradient_state(709, dtype="float64")["long_way_finite"]
    assert not wg.fused_gradient_state(711, dtype="float64")["long_way_finite"]
    smooth = wg.fused_gradient_state(3, smoothing=0.2)
    np.testing.assert_allclose(smooth["t"].sum(), 1.0)
    np.testing.assert_allclose(smooth["general"], smooth["fused"], atol=1e-15)
    with pytest.raises(ValueError, match="smoothing"):
        wg.fused_gradient_state(3, smoothing=1.5)


# --- live widgets, driven without a browser: setting a value fires the observers -------------


def test_jacobian_widget_toggle_breaks_the_check():
    view = wg.jacobian_widget()
    first = view.chart.value
    assert first.count('class="cell"') == 16 and "PASSES" in view.text.value
    view.controls["diagonal_only"].value = True
    assert "FAILS" in view.text.value and view.chart.value != first
    assert "J, diagonal only" in view.chart.value
    view.controls["z0"].value = -3.0
    assert view.last_state["z"][0] == -3.0


def test_softmax_widget_follows_the_sliders():
    view = wg.softmax_widget()
    view.controls["T"].value = 0.1
    assert view.last_state["max_prob"] > 0.99
    view.controls["z3"].value = 5.0
    assert view.last_state["argmax"] == 3


def test_other_widgets_update():
    X, y = load_mnist("test", n=5)
    mnist = wg.mnist_widget(X, y)
    mnist.controls["index"].value = 2
    assert mnist.last_state["label"] == y[2] and f"label y[2] = {y[2]}" in mnist.text.value

    spectrum = wg.spectrum_widget()
    spectrum.controls["T"].value = 5.0
    assert spectrum.last_state["temperature"] == 5.0

    vjp = wg.vjp_widget()
    vjp.controls["step"].value = 6
    assert "Same as g J" in vjp.text.value

    fused = wg.fused_widget()
    fused.controls["gap"].value = 800
    assert "breaks" in fused.text.value
    fused.controls["gap"].value = 80
    fused.controls["dtype"].value = "float32"
    assert "agrees" in fused.text.value
    fused.controls["gap"].value = 95
    assert "breaks" in fused.text.value


def test_mismatch_state_and_widget():
    s = wg.mismatch_state(**wg.MISMATCH_DEFAULTS)
    assert s["learner"] is not None and "cost mismatch" in wg.describe_mismatch(s)
    assert s["result"].table(15) == "\n".join(f"{a:.4e} {b:.4e}" for a, b in s["learner"])
    agree = wg.mismatch_state("tanh", "tanh", "softmax", "cross_entropy")
    assert agree["learner"] is None and "agree" in wg.describe_mismatch(agree)
    view = wg.mismatch_widget()
    first_table = view.chart.value
    assert "-9.4049e-04" in first_table and "learner num." in first_table
    view.controls["cost"].value = "cross_entropy"
    assert "agree" in view.text.value and "-9.4049e-04" not in view.chart.value
    view.controls["hidden"].value = "tanh"
    assert "wrong hidden derivative" in view.text.value


def test_prediction_state_and_widget():
    from course_utils import TwoLayerNet

    X, y = load_mnist("test", n=5)
    net = TwoLayerNet(784, 8, 10, seed=0)
    s = wg.prediction_state(net, X, y, 2)
    np.testing.assert_allclose(s["h"], softmax(net.forward(X[2:3])[0])[0])
    assert s["prediction"] == int(np.argmax(s["h"])) and s["label"] == y[2]
    assert f"label {y[2]}" in wg.describe_prediction(s)
    view = wg.prediction_widget(net, X, y)
    view.controls["index"].value = 4
    assert view.last_state["index"] == 4 and "test digit 4" in view.text.value
    with pytest.raises(ValueError, match="index"):
        wg.prediction_state(net, X, y, 5)


def test_bug_state_and_widget():
    s = wg.bug_state("aliasing")
    assert s["report"].failed == ["W2"] and "aliasing" in s["diagnosis"][0]
    assert "Wrong: da1 = a1" in wg.describe_bug(s)
    view = wg.bug_widget()
    view.controls["key"].value = "regularised_bias"
    assert "regularised bias" in view.text.value and view.chart.value.count("FAIL") == 2
    with pytest.raises(ValueError, match="unknown bug"):
        wg.bug_state("nope")


def test_epsilon_state_and_widget():
    s64 = wg.epsilon_state(1e-5, "float64")
    s32 = wg.epsilon_state(1e-3, "float32")
    # Central beats forward at a good step; each dtype has its floor.
    assert s64["at"]["central"] < 1e-9 < s64["at"]["forward"]
    assert 1e-13 < s64["best_error"] < 1e-9 and 1e-6 < s32["best_error"] < 1e-3
    assert 1e-6 <= s64["best_eps"] <= 1e-4 and 1e-3 <= s32["best_eps"] <= 1e-1
    # Truncation: the central error falls like eps^2 on the right side of the U.
    grid, c = s64["grid"], s64["central"]
    slope = np.polyfit(np.log10(grid[grid >= 1e-3]), np.log10(c[grid >= 1e-3]), 1)[0]
    assert 1.8 < slope < 2.2
    assert np.isnan(wg.epsilon_state(1e-9, "float32")["at"]["central"])
    view = wg.epsilon_widget()
    view.controls["dtype"].value = "float32"
    view.controls["eps"].value = 1e-10
    assert "lost to rounding" in view.text.value and 'class="marker"' not in view.chart.value
