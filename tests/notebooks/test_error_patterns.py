"""The shared fallback names the shapes of error every exercise can show, before the generic reply.

Planted answers go through real notebook checkers, or through the shared layer alone where a notebook
names the answer first by a rule of its own; the patterns' own properties are stated with
hypothesis on arrays of any shape.
"""

import re
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_utils.notebooks import NOTEBOOKS, _patterns, companion
from course_utils.notebooks import nb01_softmax as nb01
from course_utils.notebooks import nb05_fused_cross_entropy as nb05
from course_utils.notebooks._checking import normal, run_checks

sys.path.insert(0, str(Path(__file__).parent))
from checking_helpers import expect_named, generic_share  # noqa: E402


def _fused(z, y):
    return nb05._fused(z, y)


def _shared_fused_check(fn):
    """05's fused gradient checked by the shared layer alone, with no mistakes or hints of 05's own
    (05 names a row sum that is not 0 before the fallback is reached): what names an answer here is
    the fallback this file tests."""
    cases = [(normal(21, (4, 3)), np.array([0, 2, 0, 2])), (normal(22, (6, 5)), np.array([4, 0, 0, 3, 1, 2]))]
    return run_checks("fused_grad", fn, cases, _fused, [], [], success="right")


# ---- planted answers, through the checker of 05's fused gradient, shape (N, C) ----


def test_a_constant_added_everywhere_is_named_with_its_value():
    expect_named(_shared_fused_check(lambda z, y: _fused(z, y) + 0.25), "plus 0.25 in every entry")


def test_a_constant_per_row_is_named():
    fb = _shared_fused_check(lambda z, y: _fused(z, y) + np.arange(len(y))[:, None] * 0.1 + 0.3)
    expect_named(fb, "each row", "plus a constant of its own")


def test_a_constant_per_column_is_named():
    fb = _shared_fused_check(lambda z, y: _fused(z, y) + np.arange(z.shape[1]) * 0.1 + 0.3)
    expect_named(fb, "each column", "axis 0")


def test_a_row_wise_normalisation_is_named():
    fb = _shared_fused_check(lambda z, y: _fused(z, y) * (1 + np.arange(len(y)))[:, None])
    expect_named(fb, "each row", "times a factor of its own", "row-wise normalisation")


def test_a_column_wise_normalisation_is_named():
    fb = _shared_fused_check(lambda z, y: _fused(z, y) * (1 + np.arange(z.shape[1])))
    expect_named(fb, "each column", "times a factor of its own")


def test_some_rows_right_are_named_by_number():
    def first_row_only(z, y):
        out = np.zeros_like(z) + 0.5
        out[0] = _fused(z, y)[0]
        return out

    expect_named(_shared_fused_check(first_row_only), "only some rows", "rows 0;")


def test_some_columns_right_are_named_by_number():
    def last_column_wrong(z, y):
        out = _fused(z, y)
        out[:, -1] = 0.7
        return out

    fb = expect_named(_shared_fused_check(last_column_wrong), "only some columns")
    wrong, of = re.search(r"wrong: columns (\d+), of (\d+)", fb.message).groups()
    assert int(wrong) == int(of) - 1, fb


def test_one_wrong_entry_per_row_points_at_the_labels():
    def label_entry_off(z, y):
        out = _fused(z, y)
        out[np.arange(len(y)), y] += 0.3
        return out

    expect_named(_shared_fused_check(label_entry_off), "right but for one entry", "label")


def test_a_few_wrong_entries_are_listed_with_the_largest_difference():
    def two_entries(z, y):
        out = _fused(z, y)
        out[0, 0] += 0.5
        out[-1, -1] -= 0.1
        return out

    fb = expect_named(_shared_fused_check(two_entries), "right but for 2 of its", "at index (0, 0)")
    assert "special case" in fb.message


def test_rows_in_reverse_order_are_named():
    expect_named(_shared_fused_check(lambda z, y: _fused(z, y)[::-1]), "rows in reverse order")


def test_an_input_returned_unchanged_is_named_by_its_parameter():
    expect_named(_shared_fused_check(lambda logits, y: logits.copy()), "the input `logits`, unchanged")


def test_all_zeros_is_named():
    expect_named(_shared_fused_check(lambda z, y: np.zeros_like(z)), "all zeros")


def test_whole_numbers_are_named():
    expect_named(_shared_fused_check(lambda z, y: np.round(_fused(z, y) * 10)), "whole numbers")


def test_a_single_number_where_an_array_belongs_is_named():
    fb = _shared_fused_check(lambda z, y: float(_fused(z, y).sum() + 1.0))
    expect_named(fb, "one number (float)", "where an array of shape")
    fb = nb01.check_softmax(lambda z: np.float64(nb01.softmax(z).mean()))
    expect_named(fb, "np.mean of every entry")
    # The rows of 05's gradient sum to 0: its sum and its mean are both 0, and neither is named.
    fb = _shared_fused_check(lambda z, y: np.float64(_fused(z, y).mean()))
    expect_named(fb, "a sum, mean or max over every entry")


def test_a_sum_over_the_batch_is_named_with_its_axis():
    expect_named(
        _shared_fused_check(lambda z, y: _fused(z, y).sum(axis=0)), "np.sum over axis=0", "per class"
    )


@pytest.mark.parametrize(("factor", "words"), [(2, "factor 2 too many"), (0.5, "factor 1/2 too many")])
def test_a_factor_two_or_a_half_is_named(factor, words):
    expect_named(_shared_fused_check(lambda z, y: factor * _fused(z, y)), words)
    expect_named(_shared_fused_check(lambda z, y: -factor * _fused(z, y)), words, "sign is flipped")


# ---- the Jacobian of 02, square: the diagonal ----


def _shared_jacobian_check(fn):
    """02's Jacobian checked by the shared layer alone (02 names rows that do not sum to 0 first)."""
    cases = [(normal(31, (4,)),), (normal(32, (3,)),)]
    return run_checks(
        "softmax_jacobian",
        fn,
        cases,
        lambda z: (
            nb01.softmax(z[None, :])[0][:, None] * (np.eye(len(z)) - nb01.softmax(z[None, :])[0][None, :])
        ),
        [],
        [],
        success="right",
    )


def test_the_diagonal_right_and_the_rest_wrong_is_named():
    def diagonal_only(z):
        h = nb01.softmax(z[None, :])[0]
        return np.diag(h * (1 - h)) + 0.1 * (1 - np.eye(len(z)))

    expect_named(_shared_jacobian_check(diagonal_only), "diagonal of your result is right")


def test_the_rest_right_and_the_diagonal_wrong_is_named():
    def diagonal_wrong(z):
        h = nb01.softmax(z[None, :])[0]
        return -np.outer(h, h) + np.diag(h * 0.5)

    expect_named(_shared_jacobian_check(diagonal_wrong), "the diagonal is not", "i = j")


# ---- properties of the patterns on any array ----

arrays = hnp.arrays(
    np.float64,
    st.tuples(st.integers(2, 6), st.integers(2, 6)),
    elements=st.floats(-10, 10, allow_nan=False).filter(lambda x: abs(x) > 1e-3),
)


@settings(max_examples=60, deadline=None)
@given(arrays, st.floats(0.01, 100).map(lambda c: c * np.random.default_rng(0).choice([-1, 1])))
def test_any_constant_offset_is_named_and_its_value_said(e, c):
    told = _patterns.offset(e + c, e)
    assert told is not None and f"{c:.6g}" in told


@settings(max_examples=60, deadline=None)
@given(arrays, st.data())
def test_any_row_scaling_is_named_unless_the_factors_are_equal(e, data):
    r = np.array(data.draw(st.lists(st.floats(0.1, 10), min_size=e.shape[0], max_size=e.shape[0])))
    told = _patterns.scaled(r[:, None] * e, e)
    if np.ptp(r) > 1e-3 * r.max():
        assert told is not None and "each row" in told
    # A right answer is never told any pattern.
    assert all(p(e.copy(), e) is None for p in (_patterns.offset, _patterns.scaled, _patterns.right_in_part))


@settings(max_examples=60, deadline=None)
@given(arrays, st.data())
def test_rows_right_in_part_are_listed_exactly(e, data):
    wrong = data.draw(st.lists(st.integers(0, e.shape[0] - 1), min_size=1, unique=True))
    if len(wrong) == e.shape[0]:
        return
    g = e.copy()
    g[wrong] += 1.0 + np.abs(e[wrong])  # every entry of those rows wrong
    told = _patterns.right_in_part(g, e)
    assert told is not None and "only some rows" in told
    assert f"wrong: rows {', '.join(str(i) for i in sorted(wrong)[:4])}" in told


# ---- every exercise, the same planted shapes of error ----


def _planted(reference, n_out, probe):
    """Shapes of error any exercise's answer can have, built from its reference.

    Only those the exercise's result can show: a single number has no rows, and cannot be "all
    zeros" or "whole numbers" in a way that says anything.
    """

    def each(f):
        def answer(*a):
            out = reference(*a)
            return (
                tuple(f(np.array(r, dtype=float)) for r in out)
                if n_out > 1
                else f(np.array(out, dtype=float))
            )

        return answer

    shapes = [np.shape(r) for r in (probe if n_out > 1 else (probe,))]
    answers = {
        "plus a constant": each(lambda r: r + 0.37),
        "times 2": each(lambda r: 2 * r),
        "halved": each(lambda r: r / 2),
        "sign flipped": each(lambda r: -r),
    }
    if any(np.prod(s) > 1 for s in shapes):
        answers["all zeros"] = each(lambda r: np.zeros_like(r))
        answers["whole numbers"] = each(lambda r: np.round(r * 10))
    if any(len(s) == 2 and s[0] > 1 for s in shapes):
        rows = {
            "rows reversed": lambda r: r[::-1],
            "per-row constant": lambda r: r + np.arange(r.shape[0])[:, None] + 0.5,
            "per-row factor": lambda r: r * (1 + np.arange(r.shape[0]))[:, None],
            "first row wrong": lambda r: np.vstack([r[:1] + 1 + np.abs(r[:1]), r[1:]]),
        }
        for what, f in rows.items():
            answers[what] = each(lambda r, f=f: f(r) if r.ndim == 2 and r.shape[0] > 1 else r)
    return answers


def test_the_share_of_generic_replies_to_planted_shapes_of_error_is_small():
    feedbacks = []
    for nb in NOTEBOOKS:
        for exercise in companion(nb).GRADED:
            probe = exercise.reference(*exercise.hidden_args())
            n_out = len(probe) if isinstance(probe, tuple) else 1
            for what, answer in _planted(exercise.reference, n_out, probe).items():
                fb = exercise.checker(answer)
                if not fb.passed:
                    feedbacks.append(fb)
                if fb.generic:
                    print(exercise.name, what, fb)
    share = generic_share(feedbacks)
    print(f"{len(feedbacks)} planted wrong answers, generic reply for {share:.1%}")
    assert share <= 1 / 20, share


def test_the_shapes_of_error_are_said_in_chinese():
    from course_utils import set_language

    set_language("zh")
    try:
        fb = _shared_fused_check(lambda z, y: _fused(z, y) + 0.25)
        rows = _shared_fused_check(lambda z, y: _fused(z, y) * (1 + np.arange(len(y)))[:, None])
    finally:
        set_language("en")
    assert "每个元素上都比正确结果多了 0.25" in fb.message, fb
    assert "逐行的归一化" in rows.message and "row" not in rows.message, rows


def test_the_not_arrays_reply_names_the_type_returned():
    """06: a float was told "which a list does not have"; the reply names the real type."""
    from course_utils.notebooks import nb06_gradient_checking as nb06

    def a_float_and_a_list(*args):
        entry, direction = nb06._my_check(*args)
        return float(np.max(entry)), list(direction)

    fb = nb06.check_gradient_checker(a_float_and_a_list)
    assert "which a float does not have" in fb.message and "a list does not" not in fb.message, fb

    def numpy_scalars(*args):
        entry, direction = nb06._my_check(*args)
        return np.max(entry), np.asarray(direction)

    fb = nb06.check_gradient_checker(numpy_scalars)  # a NumPy scalar where a group of errors belongs
    assert (
        "one number where an array belongs (float64)" in fb.message and "does not have" not in fb.message
    ), fb


def test_a_float32_result_is_named_not_generic():
    fb = nb01.check_softmax(lambda z: nb01.softmax(z.astype(np.float32)))
    expect_named(fb, "float32")
