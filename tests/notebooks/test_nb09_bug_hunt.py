"""The companion of notebook 09 · Bug hunt: its widget's state, picture and live view, and its checkers."""

import numpy as np
import pytest
from checking_helpers import expect, expect_named, generic_share

import course_utils as cu
from course_utils.notebooks import nb09_bug_hunt as nb09


def test_bug_state_and_widget():
    s = nb09.bug_state("aliasing")
    assert s["report"].failed == ["W2"] and "aliasing" in s["diagnosis"][0]
    assert "Wrong: da1 = a1" in nb09.describe_bug(s)
    view = nb09.bug_widget()
    view.controls["key"].value = "regularised_bias"
    assert "regularised bias" in view.text.value and view.chart.value.count("FAIL") == 2
    cost = nb09.bug_state("binary_cost_on_softmax")
    assert "cost mismatch" in cost["diagnosis"][0] and "uniform outputs" in nb09.describe_bug(cost)
    with pytest.raises(ValueError, match="unknown bug"):
        nb09.bug_state("nope")


def test_mysteries():
    from course_utils import bugs

    right = dict(enumerate(bugs.MYSTERIES, start=1))
    expect(nb09.check_mysteries(right), "correct", "5 of 5")
    wrong = {**right, 2: "missing_1_over_N"}
    fb = expect(nb09.check_mysteries(wrong), "wrong", "4 of 5", "mystery 2: ✗")
    assert "W2" in fb.message  # the hint names the tensors that fail
    expect(nb09.check_mysteries({n: ... for n in range(1, 6)}), "not implemented")
    expect(nb09.check_mysteries({1: "nope"}), "wrong", "not a key")


def test_bias_gradient():
    def good(h, y):
        t = np.eye(h.shape[1])[y]
        return (h - t).sum(axis=0) / len(y)

    expect(nb09.check_bias_gradient(good), "correct")

    def fancy(h, y):
        d = h.sum(axis=0) / len(y)
        d[y] -= 1 / len(y)
        return d

    expect(nb09.check_bias_gradient(fancy), "wrong", "np.subtract.at")


def test_mysteries_accept_titles_string_numbers_and_entries_and_list_the_keys():
    from course_utils import bugs

    truth = {n: key for n, key in enumerate(bugs.MYSTERIES, start=1)}
    by_title = {str(n): bugs.BUGS[key].title for n, key in truth.items()}
    assert nb09.check_mysteries(by_title).passed
    assert nb09.check_mysteries({n: bugs.BUGS[key] for n, key in truth.items()}).passed
    fb = nb09.check_mysteries({1: "no such bug"})
    assert "is not a key of bugs.BUGS; the keys are" in fb.message and next(iter(bugs.BUGS)) in fb.message


def test_a_bincount_without_minlength_fails_on_a_class_with_no_sample():
    # Labels 0 and 1 only, of C = 4 classes: bincount(y) has 2 entries and the shapes clash.
    # Named for what it is, never the generic keepdims hint of a broadcasting error.
    fb = nb09.check_bias_gradient(lambda h, y: (h.sum(axis=0) - np.bincount(y)) / h.shape[0])
    assert fb.status == "wrong" and "minlength" in fb.message and "keepdims" not in fb.message
    right = nb09.check_bias_gradient(
        lambda h, y: (h.sum(axis=0) - np.bincount(y, minlength=h.shape[1])) / len(y)
    )
    assert right.passed


def test_a_guess_that_fails_the_same_tensors_is_told_how_to_tell_them_apart():
    from course_utils import bugs

    pairs = [
        (number, truth, twin)
        for number, truth in enumerate(bugs.MYSTERIES, start=1)
        for twin, b in bugs.BUGS.items()
        if twin != truth and b.flags == bugs.BUGS[truth].flags
    ]
    assert pairs, "some mystery has a bug that fails the same tensors (mystery 4 does)"
    number, truth, twin = pairs[0]
    message = nb09.check_mysteries({number: twin}).message
    assert "fails the same tensors" in message and "cross-entropy" in message
    assert f"mystery {number}: ✓" in nb09.check_mysteries({number: truth.upper()}).message


def test_the_gallery_diagnosis_and_checkers_speak_chinese():
    from course_utils import bugs, set_language

    set_language("zh")
    try:
        s = nb09.bug_state("missing_1_over_N")
        text = nb09.describe_bug(s)
        assert text.startswith("漏掉了均值中的 1/N。错误写法：") and "批量大小 N = 16" in text
        picture = nb09.draw_bug(s).svg
        assert "张量" in picture and "数值/解析" in picture and picture.count("失败") == 4
        cost = bugs.diagnose(
            bugs.check_bug("binary_cost_on_softmax"),
            cross_entropy_report=bugs.check_bug("binary_cost_on_softmax", against="cross_entropy"),
        )
        assert cost[0].startswith("代价函数不匹配") and "K/(K−1) = 1.11" in cost[0]
        fb = nb09.check_mysteries({2: "missing_1_over_N"})
        assert "谜题 2：✗ 不是“漏掉了均值中的 1/N”" in fb.message and "谜题 1：还没有答案" in fb.message
        # a learner may name a bug by its Chinese title too
        assert "谜题 1：✓" in nb09.check_mysteries({1: "被正则化的偏置"}).message

        def fancy(h, y):
            d = h.sum(axis=0) / len(y)
            d[y] -= 1 / len(y)
            return d

        expect(nb09.check_bias_gradient(fancy), "wrong", "对每个不同的标签只减一次")
    finally:
        set_language("en")
    assert nb09.describe_bug(nb09.bug_state("missing_1_over_N")).startswith("the 1/N of the mean is missing.")


def test_silent_bugs_tests_speak_chinese():
    from course_utils import bugs, set_language

    set_language("zh")
    try:
        double = bugs.SILENT_BUGS["double_softmax"]
        passed, measured = double.test(double.loss)
        assert not passed and measured.startswith("自信且正确的预测的损失：0.5514（应为 0；")
        assert f"{double.title}" == "把 softmax 的输出传给了期望 logit 的损失"
        assert double.title == "a softmax fed to a loss that expects logits"  # the key text stays English
    finally:
        set_language("en")


def _onehot(h, y):
    return np.eye(h.shape[1])[y]


def _subtract_at_unique(h, y):
    d = h.sum(axis=0)
    np.subtract.at(d, np.unique(y), 1)
    return d / len(y)


def _add_at(h, y):
    d = h.sum(axis=0)
    np.add.at(d, y, 1)
    return d / len(y)


# Wrong answers typed for exercise 2 (beyond the issue's), each with the words its reply must hold.
WRONG_DB2 = [
    (lambda h, y: h.sum(0) / len(y) - np.bincount(y) / len(y), "minlength"),
    (lambda h, y: (h - _onehot(h, y)) / len(y), "one row per sample"),
    (lambda h, y: (h - _onehot(h, y)).sum(1) / len(y), "sums over the classes"),
    (lambda h, y: (h - _onehot(h, y)).sum(0) / h.shape[1], "divided by C"),
    (lambda h, y: h.sum(0) / len(y) - _onehot(h, y).sum(0), "not divided by N"),
    (lambda h, y: (h - np.eye(h.shape[1])[y - 1]).sum(0) / len(y), "shifted by one class"),
    (_add_at, "added, not subtracted"),
    (lambda h, y: np.mean(h - _onehot(h, y)), "np.mean averages over the classes too"),
    (lambda h, y: (h - np.eye(len(y))[y]).sum(0) / len(y), "np.eye(N)[y] has N columns"),
    (lambda h, y: (_onehot(h, y) - h).sum(0) / len(y), "sign is flipped"),
    (lambda h, y: -_onehot(h, y).sum(0) / len(y), "h is missing"),
    (lambda h, y: h.sum(0) / len(y), "targets are missing"),
    (_subtract_at_unique, "once per distinct label"),
    (lambda h, y: (h - _onehot(h, y)).sum(0, keepdims=True) / len(y), "keepdims=True keeps a row"),
]


@pytest.mark.parametrize("wrong, words", WRONG_DB2)
def test_each_typed_wrong_bias_gradient_is_named(wrong, words):
    fb = nb09.check_bias_gradient(wrong)
    assert fb.status == "wrong" and words in fb.message, fb
    assert "keepdims=True)" not in fb.message  # the generic broadcasting hint


# Wrong guesses typed for the mysteries: (answers, words the reply must hold).
WRONG_MYSTERIES = [
    ({4: "derivative_at_activation"}, "fails no tensor at all"),
    ({4: "derivative_at_activation"}, "[relu(z) > 0]"),
    ({1: "W2_not_transposed"}, "needs square shapes"),
    ({2: "missing_keepdims"}, "needs square shapes"),
    ({3: "dropped_minus"}, "its ratios would be -1"),
    ({3: "diagonal_only_softmax"}, "the mystery's are 0.0833"),
    ({5: "softmax_over_batch"}, "whether the same gradients pass against the cross-entropy"),
    ({1: "repeated_label_index"}, "would fail b2, but the mystery fails b1, b2"),
    ({2: "regularised_bias"}, "would fail b1, b2, but the mystery fails W2"),
    ({4: "aliasing"}, "would fail W2, but the mystery fails W1, b1"),
    ({1: "regularized_bias"}, "did you mean 'regularised_bias'?"),
    ({2: "alias"}, "did you mean 'aliasing'?"),
    ({1: 3}, "3 is not a key of bugs.BUGS"),
    ({"one": "aliasing"}, "'one' is not a mystery number"),
    ({6: "aliasing"}, "6 is not a mystery number"),
]


@pytest.mark.parametrize("answers, words", WRONG_MYSTERIES)
def test_each_typed_wrong_mystery_guess_is_named(answers, words):
    fb = nb09.check_mysteries(answers)
    assert fb.status == "wrong" and words in fb.message, fb


def test_a_wrong_guess_is_never_told_it_fails_tensors_it_cannot_fail_here():
    from course_utils import bugs

    for number in range(1, len(bugs.MYSTERIES) + 1):
        for key, bug in bugs.BUGS.items():
            if key == bugs.MYSTERIES[number - 1]:
                continue
            line = [
                row
                for row in nb09.check_mysteries({number: key}).message.splitlines()
                if f"mystery {number}:" in row
            ]
            if bug.square:
                assert "needs square shapes" in line[0]
                continue
            run = bugs.check_bug(key, **bugs.MYSTERY_CASE)
            if "fails the same tensors" in line[0]:
                assert set(run.failed) == set(bugs.mystery_report(number).failed), line


# Issue 19 §4, second newcomer review: wrong answers that got the bare generic reply, and more of our own,
# each with the words its reply must hold. expect_named also asserts the reply is not the generic one.
def _columns_of_labels(h, y):
    g = h.copy()
    g[:, y] -= 1
    return g.sum(axis=0) / len(y)


def _rows_of_labels(h, y):
    g = h.copy()
    g[y] -= 1
    return g.sum(axis=0) / len(y)


def _labels_in_place(h, y):
    h[np.arange(len(y)), y] -= 1
    return h.sum(axis=0) / len(y)


def _once_per_class_seen(h, y):
    d = h.mean(axis=0)
    for c in set(y):
        d[c] -= 1 / len(y)
    return d


NEWCOMER_DB2 = [
    (_columns_of_labels, "g[np.arange(N), y] -= 1"),
    (_rows_of_labels, "picks rows by the labels' values"),
    (_labels_in_place, "in place, the argument `h`"),
    (_once_per_class_seen, "once per distinct label"),
    (lambda h, y: h.mean(axis=0) - np.unique(y, return_counts=True)[1] / len(y), "np.unique"),
    (lambda h, y: (h - y[:, None]).sum(axis=0) / len(y), "the label's value"),
    (lambda h, y: h.mean(axis=0) - 1 / len(y), "from every class"),
    (lambda h, y: (h - np.eye(h.shape[1])[y].T).sum(axis=0) / len(y), "no transpose"),
    (lambda h, y: (np.log(h) - _onehot(h, y)).mean(axis=0), "without the log"),
    (lambda h, y: (h * (1 - h) - _onehot(h, y)).mean(axis=0), "sigmoid's derivative"),
    (lambda h, y: cu.cross_entropy_grad(h, y).sum(axis=0), "a second softmax"),
    (lambda h, y: cu.cross_entropy_grad(np.log(h), y).sum(axis=0), "the course's own cross_entropy_grad"),
    (lambda h, y: h.sum(axis=0) - np.bincount(y), "N times too large"),
    (lambda h, y: list((h - _onehot(h, y)).mean(axis=0)), "list"),
]


@pytest.mark.parametrize("wrong, words", NEWCOMER_DB2)
def test_each_newcomer_wrong_bias_gradient_is_named(wrong, words):
    expect_named(nb09.check_bias_gradient(wrong), words)


def _right():
    from course_utils import bugs

    return dict(enumerate(bugs.MYSTERIES, start=1))


NEWCOMER_MYSTERIES = [
    (lambda r: {**r, 1: r[2], 2: r[1]}, "3 of 5 solved"),
    (lambda r: list(r.values()), "must be a dict"),
    (lambda r: {k - 1: v for k, v in r.items()}, "0 is not a mystery number"),
    (lambda r: {**r, 3: r[3].replace("_", " ")}, "did you mean"),
    (lambda r: {k: r[1] for k in r}, "1 of 5 solved"),
    (lambda r: {k: k for k in r}, "is not a key of bugs.BUGS"),
    (lambda r: tuple(r.items()), "must be a dict"),
    (lambda r: {k: v for k, v in r.items() if k != 5}, "mystery 5: no answer yet"),
]


@pytest.mark.parametrize("answers, words", NEWCOMER_MYSTERIES)
def test_each_newcomer_wrong_mystery_answer_is_named(answers, words):
    fb = nb09.check_mysteries(answers(_right()))
    assert fb.status in ("wrong", "error") and not fb.generic and words in fb.message, fb


@pytest.mark.parametrize(
    "right",
    [
        lambda h, y: (h.sum(axis=0) - np.bincount(y, minlength=h.shape[1])) / len(y),
        lambda h, y: (h - np.eye(h.shape[1])[y]).mean(axis=0),
        lambda h, y: h.mean(axis=0) - np.bincount(y, minlength=h.shape[1]) / len(y),
    ],
)
def test_right_bias_gradients_written_otherwise_pass(right):
    assert nb09.check_bias_gradient(right).passed


def test_the_newcomer_answers_get_no_generic_reply():
    replies = [nb09.check_bias_gradient(w) for w, _words in NEWCOMER_DB2 + WRONG_DB2]
    assert generic_share(replies) == 0


# Issue 19 §4, third pass (helper i19c): new wrong answers typed the way a newcomer would, each named.
def _db2_first_sample_only(h, y):
    d = h[0].copy()
    d[y[0]] -= 1
    return d / len(y)


def _db2_loop_stops_early(h, y):
    d = np.zeros(h.shape[1])
    for i in range(len(y) - 1):
        d += h[i]
        d[y[i]] -= 1
    return d / len(y)


def _db2_loop_from_1(h, y):
    d = np.zeros(h.shape[1])
    for i in range(1, len(y)):
        d += h[i] - np.eye(h.shape[1])[y[i]]
    return d / len(y)


THIRD_DB2 = [
    (_db2_first_sample_only, "only part of the batch"),
    (_db2_loop_stops_early, "only part of the batch"),
    (_db2_loop_from_1, "only part of the batch"),
    (lambda h, y: (h - _onehot(h, y)).sum(axis=0) / (len(y) - 1), "divided by N − 1"),
    (lambda h, y: np.median(h - _onehot(h, y), axis=0), "np.median"),
    (lambda h, y: (h - _onehot(h, y)).max(axis=0), "the largest row"),
]


@pytest.mark.parametrize("wrong, words", THIRD_DB2)
def test_each_third_pass_wrong_bias_gradient_is_named(wrong, words):
    expect_named(nb09.check_bias_gradient(wrong), words)


def test_the_third_pass_answers_get_no_generic_reply():
    assert generic_share([nb09.check_bias_gradient(w) for w, _words in THIRD_DB2]) == 0


THIRD_MYSTERIES = [
    (lambda r: set(r.values()), "must be a dict"),
    (lambda r: str(r), "must be a dict"),
    (lambda r: {k: [v] for k, v in r.items()}, "'list' is not a key of bugs.BUGS"),
    (lambda r: {k: "aliasing" for k in r}, "1 of 5 solved"),
    (lambda r: {k: r[6 - k] for k in r}, "1 of 5 solved"),
    (lambda r: {**r, 4: "aliasing"}, "would fail W2, but the mystery fails W1, b1"),
]


@pytest.mark.parametrize("answers, words", THIRD_MYSTERIES)
def test_each_third_pass_wrong_mystery_answer_is_named(answers, words):
    fb = nb09.check_mysteries(answers(_right()))
    assert fb.status in ("wrong", "error") and not fb.generic and words in fb.message, fb


# Issue 19, newcomer review b (helper r3): the next class's one-hot got the generic reply; the lenient
# keys (a bug's title, a key in lower case) are meant to pass and stay so.
def test_the_next_class_one_hot_is_named_and_lenient_keys_pass():
    from course_utils import bugs

    expect_named(
        nb09.check_bias_gradient(
            lambda h, y: (h - np.eye(h.shape[1])[(y + 1) % h.shape[1]]).sum(axis=0) / len(y)
        ),
        "(y + 1) % C",
    )
    truth = dict(enumerate(bugs.MYSTERIES, start=1))
    expect(nb09.check_mysteries({n: key.lower() for n, key in truth.items()}), "correct", "5 of 5")
    expect(nb09.check_mysteries({n: bugs.BUGS[key].title for n, key in truth.items()}), "correct", "5 of 5")
