"""The companion of notebook 04 · The chain-rule reduction.

Its widget's state, picture and live view, and its checkers.
"""

import numpy as np
import pytest
from checking_helpers import expect, expect_named, generic_share, hand_softmax

from course_utils import softmax_jacobian
from course_utils.notebooks import nb04_chain_rule_reduction as nb04


def test_vjp_steps():
    z, g = np.array([0.5, -1.0, 2.0]), np.array([1.0, -2.0, 0.5])
    s = nb04.vjp_steps(z, g)
    assert [st["name"] for st in s["steps"]] == [n for n, _ in nb04.VJP_STEPS]
    np.testing.assert_allclose(s["steps"][-1]["value"], g @ softmax_jacobian(z), atol=1e-15)
    np.testing.assert_allclose(s["steps"][-1]["value"], s["vjp"], atol=1e-15)
    assert np.ptp(s["steps"][3]["value"]) == 0
    assert "Same as g J built the long way: yes" in nb04.describe_vjp_step(s, 5)


def test_vjp():
    def good(z, g):
        h = hand_softmax(z)
        return h * (g - (g * h).sum(axis=1, keepdims=True))

    expect(nb04.check_vjp(good), "correct")

    def per_sample_jacobians(z, g):  # the home-made library's route: right, just O(C^2)
        h = hand_softmax(z)
        return np.stack([g[n] @ (np.diag(h[n]) - np.outer(h[n], h[n])) for n in range(len(z))])

    # "without building any Jacobian" is enforced: the right numbers through C × C matrices are refused.
    expect(nb04.check_vjp(per_sample_jacobians), "wrong", "builds a C × C matrix")
    expect(nb04.check_vjp(lambda z, g: g * hand_softmax(z) * (1 - hand_softmax(z))), "wrong", "diagonal")

    def batch_axis(z, g):
        h = hand_softmax(z)
        return h * (g - (g * h).sum(axis=0, keepdims=True))

    expect(nb04.check_vjp(batch_axis), "wrong", "per sample")


def test_delta2():
    def good(a2, y):
        t = np.zeros_like(a2)
        t[np.arange(len(y)), y] = 1
        return (a2 - t) / len(y)

    expect(nb04.check_delta2(good), "correct")

    def learner_004(a2, y):  # eq. 1 as posted (with the mask line repaired)
        N = len(y)
        da2 = -a2.copy()
        da2[np.arange(N), y] += 1
        da2 *= (a2[np.arange(N), y])[:, None]
        mask = np.zeros(a2.shape)
        mask[np.arange(N), y] = 1
        return ((1 / a2) * mask) * da2 / N

    expect(nb04.check_delta2(learner_004), "wrong", "elementwise product", "sum over i")

    def commented_line(a2, y):  # the learner's commented alternative: right
        N = len(y)
        da2 = -a2.copy()
        da2[np.arange(N), y] += 1
        da2 *= (a2[np.arange(N), y])[:, None]
        return -(1 / a2[np.arange(N), y])[:, None] * da2 / N

    expect(nb04.check_delta2(commented_line), "correct")
    expect(nb04.check_delta2(lambda a2, y: -good(a2, y)), "wrong", "sign")
    expect(nb04.check_delta2(lambda a2, y: good(a2, y) * len(y)), "wrong", "1/N")


def test_vjp_widget_steps():
    vjp = nb04.vjp_widget()
    vjp.controls["step"].value = 6
    assert "Same as g J" in vjp.text.value
    vjp.controls["step"].value = 2
    assert "step 2 of 6" in vjp.text.value


@pytest.mark.parametrize("C", [2, 3, 5, 7])
def test_vjp_widget_works_for_any_number_of_classes(C):
    view = nb04.vjp_widget(z=np.linspace(-1, 1, C))
    assert len(view.last_state["steps"][0]["value"]) == C
    assert "yes" in view.text.value


def test_vjp_pictures_stay_finite_for_a_zero_gradient_and_saturated_logits():
    for z, g in [([1.0, 2.0, 0.0, -1.0], np.zeros(4)), ([1e4, 0.0, 0.0, 0.0], np.ones(4))]:
        state = nb04.vjp_steps(z, g)
        for k in range(6):
            text = nb04.draw_vjp_step(state, k).svg
            assert "nan" not in text.lower().replace("NaN", "") and "inf" not in text


def test_vjp_step_index_out_of_range_is_a_clear_error():
    state = nb04.vjp_steps([1.0, 2.0, 0.0], [1.0, 0.0, -1.0])
    for k in (6, -1, 2.5):
        with pytest.raises(ValueError, match=r"step index k must be an integer in \[0, 6\)"):
            nb04.describe_vjp_step(state, k)
        with pytest.raises(ValueError, match="step index"):
            nb04.draw_vjp_step(state, k)
    with pytest.raises(ValueError, match="shape of z"):
        nb04.vjp_steps([1.0, 2.0, 0.0], [1.0, 0.0])


def test_checkers_and_stepper_speak_chinese():
    from course_utils import set_language

    state = nb04.vjp_steps([1.0, 2.0, 0.0, -1.0], [1.0, -0.5, 0.75, -1.25])
    set_language("zh")
    try:
        assert (
            nb04.describe_vjp_step(state, 1)
            == "第 2 步（共 6 步）：h = softmax(z)，前向输出，在前向传播时保存下来"
        )
        assert nb04.describe_vjp_step(state, 5).endswith("与按长路线构造的 g J 一致吗？是")
        expect(nb04.check_delta2(lambda a2, y: a2.shape[0] * nb04._delta2(a2, y)), "wrong", "大了 N 倍")
        expect(
            nb04.check_vjp(lambda z, g: g - np.sum(g * hand_softmax(z), axis=1, keepdims=True)),
            "wrong",
            "因子 h_j",
        )
    finally:
        set_language("en")
    assert nb04.describe_vjp_step(state, 1) == (
        "step 2 of 6: h = softmax(z), the forward output, kept from the forward pass"
    )


def _softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _vjp_in_place(z, g):
    h = _softmax_rows(z)
    d = g
    d -= (g * h).sum(axis=1, keepdims=True)  # rewrites the caller's g
    return h * d


def _vjp_einsum_jacobian(z, g):
    h = _softmax_rows(z)
    J = h[:, :, None] * (np.eye(z.shape[1]) - h[:, None, :])  # (N, C, C)
    return np.einsum("ni,nij->nj", g, J)


def _vjp_diag_outer(z, g):
    h = _softmax_rows(z)
    return np.stack([(np.diag(h[n]) - np.outer(h[n], h[n])) @ g[n] for n in range(len(z))])


# Wrong answers typed for exercise 1 (vjp_rows), each with the words its reply must contain.
VJP_WRONG = [
    (lambda z, g: g * _softmax_rows(z) * (1 - _softmax_rows(z)), "diagonal"),
    (lambda z, g: _softmax_rows(z) * (g - g.sum(axis=1, keepdims=True)), "not Σ_i g_i"),
    (lambda z, g: g - (g * _softmax_rows(z)).sum(axis=1, keepdims=True), "factor h_j is missing"),
    (lambda z, g: _softmax_rows(z) * (g - (g * _softmax_rows(z)).sum(axis=0, keepdims=True)), "axis=1"),
    (
        lambda z, g: _softmax_rows(z) * (g - (g * _softmax_rows(z)).mean(axis=1, keepdims=True)),
        "not its mean",
    ),
    (lambda z, g: _softmax_rows(z) * (g - (g * z).sum(axis=1, keepdims=True)), "not by the logits"),
    (_vjp_in_place, "changed its argument g in place"),
    (_vjp_einsum_jacobian, "builds a C × C matrix"),
    (_vjp_diag_outer, "builds a C × C matrix"),
    (lambda z, g: g @ softmax_jacobian(z[0]), "first sample's Jacobian"),
]


def _delta2_aliased(a2, y):
    d = a2
    d[np.arange(len(y)), y] -= 1
    return d / len(y)


def _delta2_label_grid(a2, y):
    d = a2.copy()
    d[:, y] -= 1
    return d / len(y)


def _delta2_label_column_index(a2, y):
    d = a2.copy()
    d[np.arange(len(y)), y.reshape(-1, 1)] -= 1
    return d / len(y)


def _delta2_set(a2, y):
    d = a2.copy()
    d[np.arange(len(y)), y] = -1
    return d / len(y)


def _delta2_shift(a2, y, k):
    d = a2.copy()
    d[np.arange(len(y)), y + k] -= 1 if k < 0 else 0
    return d / len(y)


def _good_delta2(a2, y):
    t = np.zeros_like(a2)
    t[np.arange(len(y)), y] = 1
    return (a2 - t) / len(y)


DELTA2_WRONG = [
    (_delta2_aliased, "changed its argument a2 in place"),
    (lambda a2, y: _good_delta2(a2, y - 1), "y − 1"),
    (_delta2_label_grid, "every row at every label"),
    (_delta2_label_column_index, "every row at every label"),
    (_delta2_set, "overwrites"),
    (lambda a2, y: a2 / len(y), "subtract 1"),
    (lambda a2, y: -_good_delta2(a2, y), "sign"),
    (lambda a2, y: _good_delta2(a2, y) * len(y), "1/N"),
    (lambda a2, y: _good_delta2(a2, y) * len(y) / a2.shape[1], "divided by C"),
    (lambda a2, y: (-1 / (len(y) * a2[np.arange(len(y)), y]))[:, None], "one number per sample"),
]


@pytest.mark.parametrize("wrong, words", VJP_WRONG)
def test_typed_wrong_vjp_rows_are_named(wrong, words):
    fb = nb04.check_vjp(wrong)
    assert fb.status in ("wrong", "error") and words in fb.message, fb
    assert "not the expected values" not in fb.message


@pytest.mark.parametrize("wrong, words", DELTA2_WRONG)
def test_typed_wrong_delta2_are_named(wrong, words):
    fb = nb04.check_delta2(wrong)
    assert fb.status in ("wrong", "error") and words in fb.message, fb
    assert "not the expected values" not in fb.message


def test_the_jacobian_rule_leaves_right_answers_alone():
    """The C × C detector passes O(C) answers, also written with a loop over the rows."""

    def row_by_row(z, g):
        h = _softmax_rows(z)
        return np.stack([h[n] * (g[n] - g[n] @ h[n]) for n in range(len(z))])

    assert nb04.check_vjp(row_by_row).passed


def test_count_operations():
    a, b = np.arange(6.0).reshape(2, 3), np.ones((3, 4))
    (result, n) = nb04.count_operations(lambda a, b: a @ b, a, b)
    np.testing.assert_array_equal(result, a @ b)
    assert n == 2 * 4 * (2 * 3 - 1)  # 8 entries, 3 products and 2 additions each
    assert nb04.count_operations(lambda a: np.sum(a * a), a)[1] == 6 + 5
    assert nb04.count_operations(lambda a: np.exp(a) - 1, a)[1] == 12
    with pytest.raises(ValueError, match="out="):
        nb04.count_operations(lambda a: np.add(a, a, out=a), a)


def test_listing_shows_the_source_and_translates_its_words():
    import inspect

    import course_utils as cu
    from course_utils import bugs

    assert nb04.listing(bugs.learner_backward) == inspect.getsource(bugs.learner_backward)
    # The words the listing translates are the function's own (else the Chinese one shows English).
    assert inspect.getdoc(bugs.learner_backward) == nb04._LISTING[0]
    for comment in nb04._LISTING[1:]:
        assert "# " + comment in inspect.getsource(bugs.learner_backward)
    cu.set_language("zh")
    try:
        shown = nb04.listing(bugs.learner_backward)
    finally:
        cu.set_language("en")
    assert "The learner's" not in shown and "derivative of ReLU" not in shown
    assert "def learner_backward(X, y, params" in shown and "da1[a1 > 0] = 1" in shown


# Issue 19 §4: wrong answers a newcomer typed (the review's, then our own), each with the words of
# the reply that names it; none may get the generic "not the expected values".
def _rows_vjp(z, g, h=None):
    h = _softmax_rows(z) if h is None else h
    return h * (g - (g * h).sum(axis=1, keepdims=True))


def _vjp_first_row_only(z, g):
    out = np.zeros_like(g)
    out[0] = _rows_vjp(z[:1], g[:1])[0]
    return out


def _vjp_whole_batch_softmax(z, g):
    e = np.exp(z - z.max())
    return _rows_vjp(z, g, e / e.sum())


VJP_TYPED = [
    (lambda z, g: _softmax_rows(z) - g, "upstream gradient g"),  # the newcomer review's
    (lambda z, g: g * _softmax_rows(z), "⟨g, h⟩ is missing"),
    (lambda z, g: _softmax_rows(z) * (g - np.sum(g * _softmax_rows(z))), "the whole batch"),
    (lambda z, g: _softmax_rows(z) * (g + (g * _softmax_rows(z)).sum(axis=1, keepdims=True)), "added"),
    (lambda z, g: _rows_vjp(z, g, _softmax_rows(g)), "softmax of g"),
    (lambda z, g: z * (g - (g * z).sum(axis=1, keepdims=True)), "softmax is missing"),
    (lambda z, g: _softmax_rows(z) * (1 - (g * _softmax_rows(z)).sum(axis=1, keepdims=True)), "1 − ⟨g, h⟩"),
    (_vjp_first_row_only, "first row"),
    (_vjp_whole_batch_softmax, "whole batch"),
    (lambda z, g: _rows_vjp(z, g) / len(z), "times too small"),
    (lambda z, g: _rows_vjp(z, g).tolist(), "list"),
    (lambda z, g: np.full(z.shape, np.nan), "NaN"),
    (lambda z, g: g @ softmax_jacobian(z[0]).T, "first sample's Jacobian"),
    # A second round, typed after the catalogue above was written (all but the first were generic).
    (lambda z, g: 2 * _rows_vjp(z, g), "2 times"),
    (lambda z, g: _softmax_rows(z) * (g - _softmax_rows(z).sum(axis=1, keepdims=True)), "Σ_i h_i"),
    (lambda z, g: g * (_softmax_rows(z) - (g * _softmax_rows(z)).sum(axis=1, keepdims=True)), "swapped"),
    (lambda z, g: _softmax_rows(z) * g - (g * _softmax_rows(z)).sum(axis=1, keepdims=True), "second term"),
    # A third round, typed after the second was named.
    (lambda z, g: _softmax_rows(z) * (g - (g * _softmax_rows(z)).max(axis=1, keepdims=True)), "not np.max"),
    (lambda z, g: _softmax_rows(z) * (g - g.mean(axis=1, keepdims=True)), "mean of g"),
    (lambda z, g: _rows_vjp(z, g) + _softmax_rows(z), "extra h"),
    # A fourth round: no formula of the catalogue, named by a property every right answer has.
    (lambda z, g: _rows_vjp(z, g) * (1 - _softmax_rows(z)), "do not sum to 0"),
    (lambda z, g: _rows_vjp(z, g) ** 2, "do not sum to 0"),
    (
        lambda z, g: _softmax_rows(z) * (g - (g * _softmax_rows(z) ** 2).sum(axis=1, keepdims=True)),
        "sum to 0",
    ),
    (lambda z, g: _rows_vjp(z, g) + g, "do not sum to 0"),
]


def _delta2_bce_through_softmax(a2, y):
    t = np.eye(a2.shape[1])[y]
    g = (-t / a2 + (1 - t) / (1 - a2)) / len(y)
    return _rows_vjp(None, g, a2)


def _delta2_first_row_only(a2, y):
    d = a2.copy()
    d[0, y[0]] -= 1
    return d / len(y)


DELTA2_TYPED = [
    (lambda a2, y: _good_delta2(a2, (y + 1) % a2.shape[1]), "y + 1"),  # the newcomer review's
    (lambda a2, y: -np.eye(a2.shape[1])[y] / a2 / len(y), "gradient with respect to h"),  # the review's
    (_delta2_bce_through_softmax, "binary cross-entropy"),  # the review's
    (
        lambda a2, y: (-np.eye(a2.shape[1])[y] / a2 + (1 - np.eye(a2.shape[1])[y]) / (1 - a2)) / len(y),
        "binary",
    ),
    (lambda a2, y: (a2 - 1) / len(y), "every entry"),
    (lambda a2, y: _good_delta2(a2, y) * a2 * (1 - a2), "h(1 − h)"),
    (lambda a2, y: _good_delta2(_softmax_rows(a2), y), "softmax again"),
    (lambda a2, y: -np.log(a2[np.arange(len(y)), y]).mean(), "the loss"),
    (lambda a2, y: -np.eye(a2.shape[1])[y] * np.log(a2) / len(y), "the loss"),
    (lambda a2, y: _good_delta2(a2, y).sum(axis=0), "summed over the batch"),
    (_delta2_first_row_only, "first row"),
    (lambda a2, y: _good_delta2(a2, y).tolist(), "list"),
    (lambda a2, y: _good_delta2(a2, y).T, "swapped"),
    # A second round, typed after the catalogue above was written.
    (lambda a2, y: a2 - np.eye(a2.shape[1])[y] / len(y), "divides t alone"),
    (lambda a2, y: _good_delta2(a2, y) / a2.shape[1], "one division by C too many"),
    (lambda a2, y: _good_delta2(a2, y) * len(y) / a2.shape[1], "divided by C"),
    # A third round, typed after the second was named.
    (lambda a2, y: -np.eye(a2.shape[1])[y] / a2, "without the 1/N"),
    (lambda a2, y: (_good_delta2(a2, y) * len(y)).mean(), "one number"),
    (lambda a2, y: (np.log(a2) - np.eye(a2.shape[1])[y]) / len(y), "log h − t"),
    # A fourth round: no formula of the catalogue, named by a property every right answer has.
    (lambda a2, y: _good_delta2(a2, y) * a2, "do not sum to 0"),
    (lambda a2, y: _good_delta2(a2, y) - 1e-3, "do not sum to 0"),
]


@pytest.mark.parametrize("wrong, words", VJP_TYPED)
def test_vjp_rows_names_every_typed_wrong_answer(wrong, words):
    expect_named(nb04.check_vjp(wrong), words)


@pytest.mark.parametrize("wrong, words", DELTA2_TYPED)
def test_delta2_names_every_typed_wrong_answer(wrong, words):
    expect_named(nb04.check_delta2(wrong), words)


def test_no_typed_wrong_answer_of_04_gets_the_generic_reply():
    replies = [nb04.check_vjp(w) for w, _ in VJP_WRONG + VJP_TYPED]
    replies += [nb04.check_delta2(w) for w, _ in DELTA2_WRONG + DELTA2_TYPED]
    assert generic_share(replies) == 0


def test_the_typed_replies_speak_chinese():
    from course_utils import set_language

    set_language("zh")
    try:
        upstream = nb04.check_vjp(VJP_TYPED[0][0])
        bce = nb04.check_delta2(DELTA2_TYPED[2][0])
    finally:
        set_language("en")
    assert upstream.message.startswith("这是 h − g：上游梯度 g"), upstream
    assert "二元交叉熵" in bce.message, bce
