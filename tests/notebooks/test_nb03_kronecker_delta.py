"""The companion of notebook 03 · The Kronecker-delta form.

Its widget's state, picture and live view, and its checkers.
"""

import re

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


def _jac_loop(z):
    h = hand_softmax(z)
    return np.stack([np.diag(row) - np.outer(row, row) for row in h])


def _jac_for(z):
    h = hand_softmax(z)
    out = np.zeros((len(z), z.shape[1], z.shape[1]))
    for n in range(len(z)):
        out[n] = np.diag(h[n]) - np.outer(h[n], h[n])
    return out


def _jac_outer_on_batch(z):
    h = hand_softmax(z)
    return np.diag(h) - np.outer(h, h)


def _jac_no_shift(z):
    e = np.exp(z)
    h = e / e.sum(axis=1, keepdims=True)
    return h[:, :, None] * (np.eye(z.shape[1]) - h[:, None, :])


# Wrong answers typed for this review (issue 19 §4), each with the words its reply must contain.
BATCHED_WRONG = [
    (_jac_loop, "Python loop (list comprehension)"),
    (_jac_for, "Python loop (for)"),
    (lambda z: hand_softmax(z)[:, :, None] * (1 - hand_softmax(z)[:, None, :]), "identity is missing"),
    (lambda z: -np.einsum("ni,nj->nij", hand_softmax(z), hand_softmax(z)), "−h hᵀ alone"),
    (
        lambda z: hand_softmax(z)[:, :, None] * (np.eye(z.shape[1]) + hand_softmax(z)[:, None, :]),
        "outer product is subtracted",
    ),
    (lambda z: z[:, :, None] * (np.eye(z.shape[1]) - z[:, None, :]), "logits z"),
    (_jac_no_shift, "shift each row by its max"),
    (_jac_outer_on_batch, "np.outer flattens"),
    (
        lambda z: hand_softmax(z)[:, :, None] * (np.eye(z.shape[1]) - hand_softmax(z)[:, :, None]),
        "h[:, None, :], not h[:, :, None]",
    ),
    (lambda z: _jac_loop(z)[0], "first row only"),
]


@pytest.mark.parametrize("wrong, words", BATCHED_WRONG)
def test_every_typed_wrong_batched_jacobian_is_named(wrong, words):
    with np.errstate(all="ignore"):
        fb = expect(nb03.check_batched_jacobian(wrong), "wrong", words)
    assert "keepdims" not in fb.message


def test_the_loop_free_claim_is_made_only_when_checked():
    def good(z):
        h = hand_softmax(z)
        return h[:, :, None] * (np.eye(z.shape[1]) - h[:, None, :])

    expect(nb03.check_batched_jacobian(good), "correct", "without a Python loop")
    namespace = {"np": np, "hand_softmax": hand_softmax}
    exec(  # a function without source to read: right, but no promise about loops
        "def built(z):\n"
        "    h = hand_softmax(z)\n"
        "    return h[:, :, None] * (np.eye(z.shape[1]) - h[:, None, :])",
        namespace,
    )
    fb = expect(nb03.check_batched_jacobian(namespace["built"]), "correct")
    assert "loop" not in fb.message


def _hvp_matrix(z, v):
    h = one_softmax(z)
    return (np.diag(h) - np.outer(h, h)) @ v


def _hvp_outer_only(z, v):
    h = one_softmax(z)
    return h * v - np.outer(h, h) @ v


HVP_WRONG = [
    (_hvp_matrix, "C × C matrix"),
    (_hvp_outer_only, "C × C matrix"),
    (lambda z, v: one_softmax(z) * (1 - one_softmax(z)) * v, "diagonal of the Hessian"),
    (lambda z, v: one_softmax(z) * v - one_softmax(z) @ v, "multiply ⟨h, v⟩ by h"),
    (lambda z, v: one_softmax(z) * (v - v.sum()), "not Σ v_i"),
    (lambda z, v: one_softmax(z) * v, "diag(h) v alone"),
    (lambda z, v: one_softmax(z) * (v + one_softmax(z) @ v), "the second term is subtracted"),
    (lambda z, v: one_softmax(z) * (one_softmax(z) @ v - v), "every sign is flipped"),
    (lambda z, v: z * (v - z @ v), "logits z"),
    (lambda z, v: one_softmax(z) * (1 - one_softmax(z) @ v), "h ⊙ v, h times v"),
    (lambda z, v: one_softmax(v) * (z - one_softmax(v) @ z), "z and v are swapped"),
]


@pytest.mark.parametrize("wrong, words", HVP_WRONG)
def test_every_typed_wrong_lse_hvp_is_named(wrong, words):
    expect(nb03.check_lse_hvp(wrong), "wrong", words)


def test_the_spectrum_keeps_rank_c_minus_1_at_a_low_temperature():
    # Issue 19 §4: at T = 0.1 the widget said "rank 2 of 4" under a text that promises C − 1.
    cold = nb03.jacobian_spectrum_state(nb03.DEFAULT_LOGITS, temperature=0.1)
    assert cold["rank"] == 3 and "rank 3 of 4" in nb03.describe_spectrum(cold)
    assert np.count_nonzero(cold["eigenvalues"] == 0) == 1 and np.all(cold["eigenvalues"] >= 0)
    # An independent route where the matrix is well conditioned: numpy's own rank.
    for seed in range(5):
        z = np.random.default_rng(seed).normal(size=5)
        s = nb03.jacobian_spectrum_state(z)
        assert s["rank"] == np.linalg.matrix_rank(s["J"]) == 4
    # Where an h_k underflows to exactly 0, the rank drops, and the state says so.
    assert nb03.jacobian_spectrum_state([0.0, -800.0, 1.0])["rank"] == 1


def test_the_spectrum_never_shows_round_off_as_a_negative_eigenvalue():
    # At T = 0.1 one class takes all the mass: eigvalsh returns about −2e−35 for an eigenvalue whose
    # true value is h_2 > 0 (J(e₂ − e₃) = h₂(e₂ − e₃) exactly).
    state = nb03.jacobian_spectrum_state([4.0, -4.0, -4.0, -4.0], temperature=0.1)
    raw = np.linalg.eigvalsh(state["J"])
    assert raw.min() < 0 and abs(raw.min()) <= state["roundoff"]
    v = np.array([0.0, 1.0, -1.0, 0.0])
    assert np.allclose(state["J"] @ v, state["h"][1] * v, rtol=0, atol=1e-300) and state["h"][1] > 0
    text = nb03.describe_spectrum(state)
    assert re.search(r"(^|[\s,，])-\d", text) is None, text
    assert "≈0" in text and f"{state['roundoff']:.1e}" in text
    assert (state["shown"] >= 0).all()
    # Eigenvalues above the bound are still printed as they are (none is hidden as ≈0).
    default = nb03.jacobian_spectrum_state(nb03.DEFAULT_LOGITS, temperature=0.1)
    assert "≈0" not in nb03.describe_spectrum(default) and "1.2e-13" in nb03.describe_spectrum(default)
