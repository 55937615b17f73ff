"""The companion of notebook 03 · The Kronecker-delta form.

Its widget's state, picture and live view, and its checkers.
"""

import numpy as np
import pytest
from checking_helpers import expect, hand_softmax, one_softmax

from course_utils import softmax_jacobian
from course_utils.notebooks import nb03_kronecker_delta as nb03


def test_spectrum_state():
    s = nb03.jacobian_spectrum_state([1.0, -2.0, 0.5, 3.0])
    assert s["eigenvalues"].min() > -1e-15 and abs(s["eigenvalues"][0]) < 1e-15
    assert s["rank"] == 3
    assert s["trace"] == pytest.approx(np.sum(s["h"] * (1 - s["h"])))
    assert s["null_residual"] < 1e-15
    assert s["eigenvalues"].max() <= s["h"].max() + 1e-15


def test_batched_jacobian():
    def good(z):
        h = hand_softmax(z)
        return h[:, :, None] * (np.eye(z.shape[1]) - h[:, None, :])

    expect(nb03.check_batched_jacobian(good), "correct")
    expect(nb03.check_batched_jacobian(lambda z: good(z)[0]), "wrong", "first row only")
    expect(nb03.check_batched_jacobian(lambda z: good(z) * np.eye(z.shape[1])), "wrong", "only the diagonals")


def test_lse_hvp():
    expect(nb03.check_lse_hvp(lambda z, v: one_softmax(z) * (v - one_softmax(z) @ v)), "correct")
    expect(
        nb03.check_lse_hvp(lambda z, v: one_softmax(z) * (1 - one_softmax(z)) * v),
        "wrong",
        "diagonal of the Hessian",
    )
    expect(nb03.check_lse_hvp(lambda z, v: one_softmax(z) * (v - v.sum())), "wrong", "not Σ v_i")


def test_spectrum_widget_follows_the_temperature():
    spectrum = nb03.spectrum_widget()
    spectrum.controls["T"].value = 5.0
    assert spectrum.last_state["temperature"] == 5.0
    assert spectrum.chart.value == nb03.draw_spectrum(spectrum.last_state).svg


def test_batched_jacobian_without_the_max_shift_fails_on_large_logits():
    def no_shift(z):
        e = np.exp(z)
        h = e / e.sum(axis=1, keepdims=True)
        return h[:, :, None] * (np.eye(z.shape[1]) - h[:, None, :])

    with np.errstate(over="ignore", invalid="ignore"):
        assert not nb03.check_batched_jacobian(no_shift).passed
    assert "calls the course's own softmax_jacobian" in nb03.check_batched_jacobian(softmax_jacobian).message


def test_checkers_and_description_speak_chinese():
    from course_utils import set_language

    state = nb03.jacobian_spectrum_state([1.0, -2.0, 0.5, 3.0])
    english = nb03.describe_spectrum(state)
    set_language("zh")
    try:
        text = nb03.describe_spectrum(state)
        assert text.startswith("特征值 ") and "秩为 3（共 4 维）" in text and "舍入误差" in text
        expect(nb03.check_lse_hvp(lambda z, v: one_softmax(z) * v), "wrong", "还要减去 h ⟨h, v⟩")
        expect(nb03.check_lse_hvp(lambda z, v: one_softmax(z) * (v - one_softmax(z) @ v)), "correct", "正确")
        assert "特征值：秩 3" in nb03.draw_spectrum(state).svg
    finally:
        set_language("en")
    assert nb03.describe_spectrum(state) == english and english.startswith("eigenvalues ")
