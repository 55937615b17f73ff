"""The companion of notebook 07 · The mismatch lab.

Its widget's state, picture and live view, and its checkers.
"""

import re

import numpy as np
import pytest
from checking_helpers import expect, expect_named, generic_share

import course_utils as cu
from course_utils.notebooks import nb07_mismatch_lab as nb07


def test_mismatch_state_and_widget():
    s = nb07.mismatch_state(**nb07.MISMATCH_DEFAULTS)
    assert s["learner"] is not None and "cost mismatch" in nb07.describe_mismatch(s)
    assert s["result"].table(15) == "\n".join(f"{a:.4e} {b:.4e}" for a, b in s["learner"])
    agree = nb07.mismatch_state("tanh", "tanh", "softmax", "cross_entropy")
    assert agree["learner"] is None and "agree" in nb07.describe_mismatch(agree)
    view = nb07.mismatch_widget()
    first_table = view.chart.value
    assert "-9.4049e-04" in first_table and "learner num." in first_table
    view.controls["cost"].value = "cross_entropy"
    assert "agree" in view.text.value and "-9.4049e-04" not in view.chart.value
    view.controls["hidden"].value = "tanh"
    assert "wrong hidden derivative" in view.text.value


def test_softmax_cost():
    expect(nb07.check_softmax_cost(lambda h, Y: -(Y * np.log(h)).sum() / len(h)), "correct")
    expect(nb07.check_softmax_cost(lambda h, Y: -(Y * np.log(h)).sum()), "wrong", "1/m")
    binary = lambda h, Y: (-Y * np.log(h) - (1 - Y) * np.log(1 - h)).sum() / len(h)  # noqa: E731
    expect(nb07.check_softmax_cost(binary), "wrong", "binary")


def test_sigma2():
    from course_utils import ACTIVATIONS

    def good(s3, T2, z2, hidden):
        return (s3 @ T2)[:, 1:] * ACTIVATIONS[hidden].df(z2)

    expect(nb07.check_sigma2(good), "correct")
    expect(nb07.check_sigma2(lambda s3, T2, z2, hidden: good(s3, T2, z2, "sigmoid")), "wrong", "hard-coded")
    expect(nb07.check_sigma2(lambda s3, T2, z2, hidden: (s3 @ T2)[:, 1:]), "wrong", "derivative is missing")
    expect(
        nb07.check_sigma2(lambda s3, T2, z2, hidden: good(s3, T2, ACTIVATIONS[hidden].f(z2), hidden)),
        "wrong",
        "pre-activation",
    )


def test_a_mean_over_every_entry_is_named_not_a_crash():
    with np.errstate(divide="ignore"):
        fb = nb07.check_softmax_cost(lambda h, Y: -np.mean(Y * np.log(h)))
    assert fb.status == "wrong" and "K times too small" in fb.message
    fb = nb07.check_softmax_cost(lambda h, Y: -np.sum(Y * np.log(h), axis=1) / h.shape[0])
    assert fb.status == "wrong" and "one number per sample" in fb.message
    fb = nb07.check_softmax_cost(lambda h, Y: -np.sum(Y * np.log(h)))
    assert fb.see.heading == "The commented cost"


def test_feedback_and_verdict_in_chinese():
    from course_utils import set_language

    set_language("zh")
    try:
        fb = nb07.check_softmax_cost(lambda h, Y: -np.sum(Y * np.log(h)))
        assert fb.status == "wrong" and "大了 m 倍" in fb.message
        fb = nb07.check_sigma2(lambda s3, T2, z2, hidden: (s3 @ T2)[:, 1:])
        assert fb.status == "wrong" and "缺少激活函数的导数" in fb.message
        text = nb07.describe_mismatch(nb07.mismatch_state(**nb07.MISMATCH_DEFAULTS))
        assert text.startswith("相对误差") and "代价函数不匹配" in text
        both = nb07.mismatch_state("tanh", "sigmoid", "softmax", "binary_cross_entropy")
        assert "；隐藏层导数用错了" in nb07.describe_mismatch(both)
        picture = nb07.draw_mismatch(both).svg
        assert "每层误差 ✗ 未通过" in picture and "解析与数值对照" in picture
    finally:
        set_language("en")
    assert nb07.describe_mismatch(both).startswith("relative error")


def test_mismatch_theory_figures_in_chinese():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_utils import mismatch_theory, set_language

    set_language("zh")
    try:
        axes = mismatch_theory.plot_learner_tables()
        assert axes[0].get_title().startswith("表 1：sigmoid / sigmoid\n✓ 落在 y = x 上")
        assert axes[1].get_xlabel() == "解析梯度（反向传播）"
    finally:
        set_language("en")
        plt.close("all")


def _sigma2_right(s3, T2, z2, hidden):
    from course_utils import ACTIVATIONS

    return (s3 @ T2)[:, 1:] * ACTIVATIONS[hidden].df(z2)


def _df(hidden, z):
    from course_utils import ACTIVATIONS

    return ACTIVATIONS[hidden].df(z)


# Wrong answers typed for exercise 1 (beyond the issue's), each with the words its reply must hold.
WRONG_COSTS = [
    (lambda h, Y: -np.sum(np.log(h)) / len(h), "Y is missing"),
    (lambda h, Y: -np.sum(Y * np.log(h)) / h.shape[1], "divided by K"),
    (lambda h, Y: -np.sum(Y * h) / len(h), "the log is missing"),
    (lambda h, Y: np.sum((h - Y) ** 2) / (2 * len(h)), "squared error"),
    (lambda h, Y: -np.sum(Y * np.log(h), axis=0) / len(h), "one number per class"),
    (lambda h, Y: -np.sum((1 - Y) * np.log(h)) / len(h), "wrong classes"),
    (lambda h, Y: -np.sum(Y @ np.log(h).T) / len(h), "cross terms"),
    (lambda h, Y: (h - Y) / len(h), "that is the gradient"),
    (lambda h, Y: h - Y, "that is a3 − Y itself"),
    (lambda h, Y: -np.sum((1 - Y) * np.log(1 - h)) / len(h), "second half of the binary cost"),
    (lambda h, Y: -np.sum(Y * np.log10(h)) / len(h), "base-10"),
    (lambda h, Y: -np.sum(Y * np.log2(h)) / len(h), "base-2"),
    (lambda h, Y: np.sum(Y * np.log(h)) / len(h), "sign is flipped"),
]


@pytest.mark.parametrize("wrong, words", WRONG_COSTS)
def test_each_typed_wrong_cost_is_named(wrong, words):
    expect(nb07.check_softmax_cost(wrong), "wrong", words)


WRONG_SIGMA2 = [
    (lambda s3, T2, z2, hid: (s3 @ T2)[:, :-1] * _df(hid, z2), "the bias column is the first"),
    (lambda s3, T2, z2, hid: (s3 @ T2.T)[:, 1:] * _df(hid, z2), "no transpose"),
    (lambda s3, T2, z2, hid: (s3 * T2)[:, 1:] * _df(hid, z2), "matrix product"),
    (lambda s3, T2, z2, hid: (s3 @ T2) * _df(hid, z2), "drop the bias column first"),
    (lambda s3, T2, z2, hid: (s3 @ T2)[:, 1:] * np.tanh(z2), "the activation f(z2) itself"),
    (lambda s3, T2, z2, hid: _df(hid, z2), "f'(z2) alone"),
    (lambda s3, T2, z2, hid: _sigma2_right(s3, T2, z2, hid) / len(z2), "not to the deltas"),
    (lambda s3, T2, z2, hid: _sigma2_right(s3, T2, z2, hid).T, "the transpose"),
    (lambda s3, T2, z2, hid: _sigma2_right(s3, T2, z2, "tanh"), "tanh's derivative whatever"),
    (lambda s3, T2, z2, hid: _sigma2_right(s3, T2, z2, "relu"), "relu's derivative whatever"),
    (lambda s3, T2, z2, hid: _sigma2_right(s3, T2, z2, "hid"), "cu.ACTIVATIONS[hidden]"),
    (lambda s3, T2, z2, hid: -_sigma2_right(s3, T2, z2, hid), "sign is flipped"),
]


@pytest.mark.parametrize("wrong, words", WRONG_SIGMA2)
def test_each_typed_wrong_sigma2_is_named(wrong, words):
    fb = nb07.check_sigma2(wrong)
    assert fb.status == "wrong" and words in fb.message, fb
    assert "keepdims=True)" not in fb.message


def test_the_cost_dropdown_speaks_the_readers_language():
    from course_utils import mismatch, set_language

    assert [value for _label, value in nb07.cost_options()] == list(mismatch.COSTS)
    set_language("zh")
    try:
        labels = [label for label, _value in nb07.cost_options()]
    finally:
        set_language("en")
    assert labels == ["交叉熵", "二元交叉熵"]


def _output_lines(path, cell_id):
    import nbformat

    cell = next(c for c in nbformat.read(path, as_version=4).cells if c.id == cell_id)
    return "".join(o.get("text", "") for o in cell.outputs).splitlines()


@pytest.mark.parametrize("edition", ["zh/solutions"])
def test_the_printed_tables_headers_sit_over_their_numbers(edition):
    """Each header ends (on screen: a Chinese character takes two columns) where its column does."""
    from pathlib import Path

    from course_utils.i18n import display_width

    path = Path(__file__).parents[2] / "notebooks" / edition / "07_mismatch_lab.ipynb"
    header, first = _output_lines(path, "f58fe69b")[:2]
    ends = lambda line: [display_width(line[: m.end()]) for m in re.finditer(r"\S+", line)]  # noqa: E731
    assert ends(first) == [10, 25, 39, 45, 60, 80, 86]
    assert ends(header)[-1] == 86 and set(ends(first)) <= set(ends(header)), header
    header, first = _output_lines(path, "6e4fa7ed")[:2]
    learner = header.index("学习者") if "学习者" in header else header.index("learner")
    assert display_width(header[:learner]) == 29 == [m.start() for m in re.finditer(r"\S+", first)][2]


# Issue 19 §4, second newcomer review: wrong answers that got the bare generic reply, and more of our own,
# each with the words its reply must hold. expect_named also asserts the reply is not the generic one.
def _indexes_with_one_hot(h, Y):
    return -np.sum(np.log(h[np.arange(len(h)), Y])) / len(h)


def _log_in_place(h, Y):
    h[:] = np.log(h)
    return -np.sum(Y * h) / len(h)


NEWCOMER_COSTS = [
    (lambda h, Y: -np.sum(Y * np.log(h)) / (2 * len(h)), "half the cost"),
    (lambda h, Y: -np.sum(Y * np.log(cu.softmax(h))) / len(h), "a second softmax"),
    (lambda h, Y: cu.cross_entropy(h, Y), "a second softmax"),
    (lambda h, Y: cu.cross_entropy(h, Y.argmax(axis=1)), "a second softmax"),
    (_indexes_with_one_hot, "Y.argmax(axis=1)"),
    (lambda h, Y: -np.sum(Y * np.log(1 - h)) / len(h), "log(1 − h) at the label"),
    (lambda h, Y: int(-np.sum(Y * np.log(h)) / len(h)), "int(...)"),
    (lambda h, Y: round(-np.sum(Y * np.log(h)) / len(h)), "round(...)"),
    (lambda h, Y: -np.log(np.sum(Y * h)) / len(h), "the log of one sum"),
    (lambda h, Y: -np.sum(Y * np.log(h), axis=1, keepdims=True) / len(h), "(5, 1)"),
    (lambda h, Y: np.nan, "NaN"),
    (_log_in_place, "in place, the argument `h`"),
    (lambda h, Y: -np.sum(Y * np.log(h)) / h.shape[1], "divided by K"),
]


@pytest.mark.parametrize("wrong, words", NEWCOMER_COSTS)
def test_each_newcomer_wrong_cost_is_named(wrong, words):
    expect_named(nb07.check_softmax_cost(wrong), words)


def _derivative_in_place(s3, T2, z2, hid):
    z2[:] = _df(hid, z2)
    return (s3 @ T2)[:, 1:] * z2


def _f(hidden, z):
    from course_utils import ACTIVATIONS

    return ACTIVATIONS[hidden].f(z)


NEWCOMER_SIGMA2 = [
    (lambda s3, T2, z2, hid: (s3 @ T2)[:, 1:] @ _df(hid, z2), "@ is the matrix product"),
    (lambda s3, T2, z2, hid: (s3 @ T2)[:, 1:] @ _df(hid, z2).T, "@ is the matrix product"),
    (lambda s3, T2, z2, hid: _df(hid, z2).T @ (s3 @ T2)[:, 1:], "@ is the matrix product"),
    (lambda s3, T2, z2, hid: np.dot((s3 @ T2)[:, 1:], _df(hid, z2).T), "@ is the matrix product"),
    (lambda s3, T2, z2, hid: (s3 @ T2)[:, 1:] * _f(hid, z2) * (1 - _f(hid, z2)), "written with f"),
    (lambda s3, T2, z2, hid: (s3 @ T2)[:, 1:] * (1 - _f(hid, z2) ** 2), "tanh's derivative written"),
    (lambda s3, T2, z2, hid: (s3 @ T2)[:, 1:] + _df(hid, z2), "+ adds f'(z2)"),
    (lambda s3, T2, z2, hid: (s3 @ T2[1:])[:, 1:] * _df(hid, z2), "Theta2[1:] drops"),
    (lambda s3, T2, z2, hid: (s3 @ T2)[:, 1:] * _df(hid, z2[:, 1:]), "z2[:, 1:] drops a hidden unit"),
    (lambda s3, T2, z2, hid: (s3 @ T2)[1:] * _df(hid, z2), "a sample"),
    (lambda s3, T2, z2, hid: ((s3 @ T2)[:, 1:] * _df(hid, z2)).tolist(), "list"),
    (_derivative_in_place, "in place, the argument `z2`"),
    (lambda s3, T2, z2, hid: 2 * (s3 @ T2)[:, 1:] * _df(hid, z2), "2 times the right one"),
    (lambda s3, T2, z2, hid: (s3 @ T2)[:, 1:] * _df("sigmoid", z2), "sigmoid derivative"),
]


@pytest.mark.parametrize("wrong, words", NEWCOMER_SIGMA2)
def test_each_newcomer_wrong_sigma2_is_named(wrong, words):
    expect_named(nb07.check_sigma2(wrong), words)


@pytest.mark.parametrize(
    "right",
    [
        lambda h, Y: -np.mean(np.sum(Y * np.log(h), axis=1)),
        lambda h, Y: -np.trace(Y.T @ np.log(h)) / len(h),
        lambda h, Y: -np.sum(np.log(h[Y == 1])) / len(h),
        lambda h, Y: -np.sum(Y * np.log(h + 1e-12)) / len(h),
    ],
)
def test_right_costs_written_otherwise_pass(right):
    assert nb07.check_softmax_cost(right).passed


@pytest.mark.parametrize(
    "right",
    [
        lambda s3, T2, z2, hid: (s3 @ T2[:, 1:]) * _df(hid, z2),
        lambda s3, T2, z2, hid: s3 @ T2[:, 1:] * _df(hid, z2),  # @ and * bind alike, left to right
        lambda s3, T2, z2, hid: (T2.T @ s3.T)[1:].T * _df(hid, z2),
    ],
)
def test_right_deltas_written_otherwise_pass(right):
    assert nb07.check_sigma2(right).passed


def test_the_course_cross_entropy_on_log_h_is_right_but_flagged():
    fb = nb07.check_softmax_cost(lambda h, Y: cu.cross_entropy(np.log(h), Y.argmax(axis=1)))
    assert fb.status == "wrong" and "the course's own cross_entropy" in fb.message, fb


def test_the_newcomer_answers_get_no_generic_reply():
    replies = [nb07.check_softmax_cost(w) for w, _words in NEWCOMER_COSTS + WRONG_COSTS]
    replies += [nb07.check_sigma2(w) for w, _words in NEWCOMER_SIGMA2 + WRONG_SIGMA2]
    assert generic_share(replies) == 0


# Issue 19 §4, third pass (helper i19c): the leftovers of the last newcomer review and new wrong answers
# typed the way a newcomer would. Each must get a reply that names it, in the notebook's symbols m and K.
def _sigma2_row_0_only(s3, T2, z2, hid):
    out = np.zeros_like(z2)
    out[0] = (s3 @ T2)[0, 1:] * _df(hid, z2[0])
    return out


def _sigma2_last_unit_skipped(s3, T2, z2, hid):
    out = np.zeros_like(z2)
    for j in range(z2.shape[1] - 1):
        out[:, j] = (s3 @ T2)[:, j + 1] * _df(hid, z2[:, j])
    return out


def _with_ones(a):
    return np.column_stack([np.ones(len(a)), a])


THIRD_SIGMA2 = [
    (lambda s3, T2, z2, hid: (s3 @ T2) * _with_ones(_df(hid, z2)), "the bias column is still in"),
    (lambda s3, T2, z2, hid: s3 @ T2, "the bias column is still in"),
    (
        lambda s3, T2, z2, hid: (s3 @ T2) * np.column_stack([np.zeros(len(z2)), _df(hid, z2)]),
        "the bias column is still in",
    ),
    (_sigma2_row_0_only, "a loop that covers part of the array"),
    (_sigma2_last_unit_skipped, "a loop that covers part of the array"),
    (lambda s3, T2, z2, hid: _sigma2_right(s3, T2, z2, hid) * _df(hid, z2), "multiplied in twice"),
    (lambda s3, T2, z2, hid: _sigma2_right(s3, T2, z2, hid).sum(axis=0), "shape (H,)"),
    (lambda s3, T2, z2, hid: _sigma2_right(s3, T2, z2, hid).astype(int), "astype(int)"),
]


def _cost_all_but_last(h, Y):
    total = 0.0
    for i in range(h.shape[0] - 1):
        total += -np.sum(Y[i] * np.log(h[i]))
    return total / h.shape[0]


def _cost_returns_in_the_loop(h, Y):
    for i in range(h.shape[0]):
        return -np.sum(Y[i] * np.log(h[i])) / h.shape[0]


THIRD_COSTS = [
    (_cost_all_but_last, "only part of the batch"),
    (_cost_returns_in_the_loop, "only part of the batch"),
    (lambda h, Y: -np.sum(Y * np.log(h)) / (len(h) - 1), "divided by m − 1"),
    (lambda h, Y: -np.sum(np.log(h[np.arange(len(h)), Y.argmax(axis=1) - 1])) / len(h), "next to each label"),
    (lambda h, Y: -np.sum(Y * np.log(h + 1)) / len(h), "log(h + 1)"),
    (lambda h, Y: -np.sum(Y * np.exp(h)) / len(h), "np.exp"),
    (lambda h, Y: -np.sum(Y.T * np.log(h.T)) / h.T.shape[0], "divided by K"),
    (lambda h, Y: -np.sum(Y * np.log(h)) / len(h) ** 2, "divide by m once"),
]


@pytest.mark.parametrize("wrong, words", THIRD_SIGMA2)
def test_each_third_pass_wrong_sigma2_is_named(wrong, words):
    expect_named(nb07.check_sigma2(wrong), words)


@pytest.mark.parametrize("wrong, words", THIRD_COSTS)
def test_each_third_pass_wrong_cost_is_named(wrong, words):
    expect_named(nb07.check_softmax_cost(wrong), words)


def test_the_replies_use_the_notebooks_symbols_m_and_k():
    """The shared replies say N and C; notebook 07's exercises say m and K, and so must its replies."""
    from course_utils import set_language

    answers = [
        (nb07.check_softmax_cost, lambda h, Y: -np.sum(Y * np.log(h)) / h.shape[1]),
        (nb07.check_softmax_cost, lambda h, Y: -np.sum(Y * np.log(h)) / len(h) ** 2),
        (nb07.check_sigma2, _sigma2_row_0_only),
    ]
    for language in ("en", "zh"):
        set_language(language)
        try:
            for checker, wrong in answers:
                message = checker(wrong).message
                assert not re.search(r"(?<![A-Za-z0-9_])[NC](?![A-Za-z0-9_])", message), message
                assert re.search(r"(?<![A-Za-z0-9_])[mK](?![A-Za-z0-9_])", message), message
        finally:
            set_language("en")


def test_the_third_pass_answers_get_no_generic_reply():
    replies = [nb07.check_sigma2(w) for w, _words in THIRD_SIGMA2]
    replies += [nb07.check_softmax_cost(w) for w, _words in THIRD_COSTS]
    assert generic_share(replies) == 0


def test_the_exercises_say_h_and_that_df_takes_z():
    from pathlib import Path

    import nbformat

    path = Path(__file__).parents[2] / "notebooks" / "solutions" / "07_mismatch_lab.ipynb"
    cells = {c.id: " ".join(c.source.split()) for c in nbformat.read(path, as_version=4).cells}
    assert "gradient with respect to the logits is `(h - Y)/m`" in cells["ecc4d897"]
    assert "`(a3 - Y)/m` for softmax outputs `h`" not in cells["ecc4d897"]
    assert "which takes the pre-activation `z`, here `z2`, not the activation's output" in cells["a9eeb4ce"]


# Issue 19, newcomer review b (helper r3): answers that got the bare generic reply, each named.
def test_the_second_newcomers_cost_in_a_list_and_sigma2_times_z2_are_named():
    expect_named(nb07.check_softmax_cost(lambda h, Y: [-np.sum(Y * np.log(h)) / h.shape[0]]), "a list")
    expect_named(nb07.check_sigma2(lambda s3, T2, z2, hidden: (s3 @ T2)[:, 1:] * z2), "z2 itself", "df(z2)")
