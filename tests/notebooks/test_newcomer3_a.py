"""The third round's first newcomer, notebooks 00-05 (newcomer3_a): the answers it typed that were
given ✓ though wrong, told the wrong mistake, or answered by a reply that names nothing. Each is
typed here as the newcomer typed it; its reply must name the mistake, and the right answer keeps ✓.
"""

import numpy as np
import pytest
from checking_helpers import expect, expect_named, hand_softmax

from course_utils.notebooks import nb00_start_here as nb00
from course_utils.notebooks import nb01_softmax as nb01
from course_utils.notebooks import nb02_softmax_jacobian as nb02
from course_utils.notebooks import nb03_kronecker_delta as nb03
from course_utils.notebooks import nb04_chain_rule_reduction as nb04
from course_utils.notebooks import nb05_fused_cross_entropy as nb05
from course_utils.notebooks import nb09_bug_hunt as nb09
from course_utils.notebooks import nb10_computational_graph as nb10


def vjp_rows(h, g):
    return h * (g - (g * h).sum(axis=1, keepdims=True))


def db2(h, y):
    return (h - np.eye(h.shape[1])[y]).sum(axis=0) / len(y)


# The shared reply layer: an array that is not plain numbers is named, in every notebook

NOT_NUMBERS = [
    (np.asmatrix, "np.matrix"),
    (lambda a: np.array([list(r) for r in np.atleast_2d(a)], dtype=object).reshape(a.shape), "dtype=object"),
    (lambda a: a.astype(str), "strings"),
]


@pytest.mark.parametrize(("wrap", "words"), NOT_NUMBERS)
def test_a_matrix_an_object_array_or_strings_are_named_in_01_ex1(wrap, words):
    expect_named(nb01.check_softmax(lambda z: wrap(hand_softmax(z))), words)


@pytest.mark.parametrize(("wrap", "words"), NOT_NUMBERS)
def test_a_matrix_an_object_array_or_strings_are_named_in_09_ex2(wrap, words):
    expect_named(nb09.check_bias_gradient(lambda h, y: wrap(db2(h, y))), words)


@pytest.mark.parametrize(("wrap", "words"), NOT_NUMBERS)
def test_a_matrix_an_object_array_or_strings_are_named_in_10_ex1(wrap, words):
    expect_named(nb10.check_softmax_node_vjp(lambda h, g: wrap(vjp_rows(h, g))), words)


def test_the_plain_answers_keep_their_tick():
    expect(nb01.check_softmax(hand_softmax), "correct")
    expect(nb09.check_bias_gradient(db2), "correct")
    expect(nb10.check_softmax_node_vjp(vjp_rows), "correct")


@pytest.mark.parametrize("decimals", [2, 3, 4])
def test_a_result_rounded_to_a_few_decimals_is_named(decimals):
    """Row 186: np.round(h, 3) was told only "not the expected values"; rounded to 2 decimals, the
    rows no longer sum to 1, and that property must not be told first."""
    fb = nb01.check_softmax(lambda z: np.round(hand_softmax(z), decimals))
    expect_named(fb, f"rounded to {decimals} decimals")


# Notebook 01


def test_nb01_ex1_adding_the_max_is_named_not_told_to_subtract_it():
    """Row 29: exp(z + max) was told "subtract each row's max", which the learner thought they did."""

    def plus_max(z):
        e = np.exp(z + z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    expect_named(nb01.check_softmax(plus_max), "you added each row's max")


def test_nb01_ex2_a_mean_in_the_log_sum_exp_is_named():
    """Row 47: log of the mean of the exponentials, every entry log C too large."""

    def mean_lse(z):
        m = z.max(axis=1, keepdims=True)
        return z - m - np.log(np.exp(z - m).mean(axis=1, keepdims=True))

    expect_named(nb01.check_log_softmax(mean_lse), "a mean where the log-sum-exp needs a sum")


@pytest.mark.parametrize(
    "kept",
    [
        lambda h: np.log(h + 1e-12),
        lambda h: np.log(np.clip(h, 1e-300, None)),
        lambda h: np.log(h + 1e-8),
        lambda h: np.log(np.maximum(h, 1e-20)),
    ],
    ids=["plus-1e-12", "clipped", "plus-1e-8-not-float32", "maximum"],
)
def test_nb01_ex2_log_of_a_softmax_kept_from_zero_is_named_not_a_special_case(kept):
    """Rows 246-247: log(softmax + 1e-12) and log(clip(softmax, 1e-300)) were told "a special case
    (a first or last index, an edge of a loop)"."""
    fb = expect_named(nb01.check_log_softmax(lambda z: kept(hand_softmax(z))), "except where h is tiny")
    assert "edge of a loop" not in fb.message


def test_nb01_right_answers_keep_their_tick():
    def log_softmax(z):
        m = z.max(axis=1, keepdims=True)
        return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))

    expect(nb01.check_softmax(hand_softmax), "correct")
    expect(nb01.check_log_softmax(log_softmax), "correct")


# Notebook 02


def softmax_one(z):
    return hand_softmax(np.asarray(z, dtype=float)[None, :])[0]


def jacobian_one(z):
    h = softmax_one(z)
    return np.diag(h) - np.outer(h, h)


def test_nb02_ex1_the_lower_triangle_only_is_named():
    """Row 56: a loop over j in range(i) fills J below the diagonal only."""

    def lower(z):
        h = softmax_one(z)
        C = len(z)
        J = np.zeros((C, C))
        for i in range(C):
            J[i, i] = h[i] * (1 - h[i])
            for j in range(i):
                J[i, j] = -h[i] * h[j]
        return J

    expect_named(nb02.check_jacobian(lower), "the ones above it are 0")


def test_nb02_ex1_np_diag_of_a_column_is_named():
    """Row 57: np.diag of h shaped (C, 1) returns [h_0], which broadcasts over h hᵀ."""

    def column(z):
        h = softmax_one(z)[:, None]
        return np.diag(h) - h @ h.T

    expect_named(nb02.check_jacobian(column), "np.diag of a column h")


def test_nb02_ex1_outer_of_h_and_one_minus_h_is_named():
    """Row 228: diag(h) − np.outer(h, 1 − h); and its mirror, np.outer(1 − h, h)."""

    def outer_one_minus(z):
        h = softmax_one(z)
        return np.diag(h) - np.outer(h, 1 - h)

    def outer_one_minus_first(z):
        h = softmax_one(z)
        return np.diag(h) - np.outer(1 - h, h)

    expect_named(nb02.check_jacobian(outer_one_minus), "np.outer(h, 1 − h)")
    expect_named(nb02.check_jacobian(outer_one_minus_first), "np.outer(1 − h, h)")


def test_nb02_ex2_a_step_of_one_is_named_not_a_row_normalisation():
    """Row 230: e[j] = 1 with a division by 2 eps was told "a row-wise normalisation is missing"."""

    def unit_step(f, z, eps):
        J = np.zeros((np.size(f(z)), z.size))
        for j in range(z.size):
            e = np.zeros(z.size)
            e[j] = 1
            J[:, j] = (f(z + e) - f(z - e)) / (2 * eps)
        return J

    fb = expect_named(nb02.check_numerical_jacobian(unit_step), "your step is 1, not ε")
    assert "normalisation" not in fb.message


def numerical_jacobian(f, z, eps=1e-6):
    """The notebook's first cell defines this helper, which is exercise 2's answer."""
    J = np.zeros((np.size(f(z)), z.size))
    for j in range(z.size):
        step = np.zeros_like(z)
        step[j] = eps
        J[:, j] = (f(z + step) - f(z - step)) / (2 * eps)
    return J


def test_nb02_ex2_calling_the_notebooks_own_helper_is_named_not_passed():
    """Row 73: the exercise's function returned numerical_jacobian(f, z, eps), the top cell's helper."""

    def numerical_jacobian_ex(f, z, eps):
        return numerical_jacobian(f, z, eps)

    expect_named(nb02.check_numerical_jacobian(numerical_jacobian_ex), "the notebook's first cell")


def test_nb02_right_answers_keep_their_tick():
    def numerical_jacobian_ex(f, z, eps):
        J = np.zeros((np.size(f(z)), z.size))
        for j in range(z.size):
            step = np.zeros_like(z)
            step[j] = eps
            J[:, j] = (f(z + step) - f(z - step)) / (2 * eps)
        return J

    expect(nb02.check_jacobian(jacobian_one), "correct")
    expect(nb02.check_numerical_jacobian(numerical_jacobian_ex), "correct")


# Notebook 03


def batched(z):
    h = hand_softmax(z)
    return h[:, :, None] * (np.eye(z.shape[1]) - h[:, None, :])


def test_nb03_ex1_h_at_h_transposed_is_named_not_eye_of_n():
    """Row 79: h @ h.T on a batch, (N, N), was told "eye(N) where the Jacobian needs eye(C)"."""

    def outer_by_matmul(z):
        h = hand_softmax(z)
        C = z.shape[1]
        return h[:, :, None] * np.eye(C) - h @ h.T

    fb = expect_named(nb03.check_batched_jacobian(outer_by_matmul), "h @ h.T on a batch")
    assert "eye(N)" not in fb.message


def test_nb03_ex1_eye_of_n_is_still_named():
    def eye_n(z):
        h = hand_softmax(z)
        return h[:, :, None] * np.eye(len(z)) - h[:, :, None] * h[:, None, :]

    expect_named(nb03.check_batched_jacobian(eye_n), "eye(N) where the Jacobian needs eye(C)")


def test_nb03_ex1_a_sum_over_the_whole_batch_is_named():
    """Row 86: e / e.sum() normalises by the exponentials of every sample together."""

    def batch_sum(z):
        e = np.exp(z - z.max())
        h = e / e.sum()
        C = z.shape[1]
        return h[:, :, None] * (np.eye(C) - h[:, None, :])

    expect_named(nb03.check_batched_jacobian(batch_sum), "e.sum() without an axis")


def test_nb03_ex2_the_plain_mean_of_v_is_named():
    """Row 96: h * (v − v.mean()) where the weighted mean ⟨h, v⟩ belongs."""
    expect_named(
        nb03.check_lse_hvp(lambda z, v: softmax_one(z) * (v - v.mean())), "v.mean() is the plain mean"
    )


def test_nb03_ex2_a_softmax_without_the_max_shift_is_rejected():
    """Row 100: h = exp(z) / exp(z).sum() was given ✓ (no case had large logits)."""

    def no_shift(z, v):
        h = np.exp(z) / np.exp(z).sum()
        return h * v - h * (h @ v)

    expect_named(nb03.check_lse_hvp(no_shift), "overflows")


def test_nb03_right_answers_keep_their_tick():
    expect(nb03.check_batched_jacobian(batched), "correct")
    expect(nb03.check_lse_hvp(lambda z, v: softmax_one(z) * (v - softmax_one(z) @ v)), "correct")


# Notebook 00


def test_nb00_t_of_y_sets_whole_rows_is_named():
    """Row 222: t[y] = 1 fills the rows named by the labels."""

    def whole_rows(y, C):
        t = np.zeros((len(y), C))
        t[y] = 1
        return t

    expect_named(nb00.check_one_hot(whole_rows), "t[y] = 1 sets whole rows")
    expect(nb00.check_one_hot(lambda y, C: np.eye(C)[y]), "correct")


# Notebook 04


def test_nb04_ex1_g_at_h_transposed_is_named():
    """Rows 109 and 168: g @ h.T is (N, N); the reply named no mistake, only the shapes."""

    def matmul_dot(z, g):
        h = hand_softmax(z)
        return h * (g - g @ h.T)

    expect_named(nb04.check_vjp(matmul_dot), "A @ B.T of two batches", "(A * B).sum(axis=1, keepdims=True)")


def test_nb04_ex1_a_softmax_without_the_max_shift_is_rejected():
    """Row 236: exp(z) / sum, no shift, was given ✓."""

    def no_shift(z, g):
        h = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return h * (g - (g * h).sum(axis=1, keepdims=True))

    expect_named(nb04.check_vjp(no_shift), "exp(1000) overflows")


def test_nb04_ex1_one_max_for_the_whole_batch_is_rejected():
    """Row 235: exp(z − z.max()), one max for the batch, was given ✓."""

    def one_max(z, g):
        e = np.exp(z - z.max())
        h = e / e.sum(axis=1, keepdims=True)
        return h * (g - (g * h).sum(axis=1, keepdims=True))

    expect_named(nb04.check_vjp(one_max), "one max for the whole batch")


def test_nb04_ex2_the_labels_subtracted_as_numbers_are_named():
    """Rows 126 and 169: (a2 − y[:, None]) / N."""

    def minus_labels(a2, y):
        N, C = a2.shape
        return (a2 - y[:, None]) / N

    expect_named(nb04.check_delta2(minus_labels), "the label numbers y themselves")


def test_nb04_ex2_and_nb05_ex1_a_mean_over_the_batch_is_not_called_only_a_sum():
    """The newcomer's note: (a2 − t).mean(axis=0) was told "summed over the batch"."""

    def mean_rows(a2, y):
        return (a2 - np.eye(a2.shape[1])[y]).mean(axis=0)

    expect_named(nb04.check_delta2(mean_rows), ".mean(axis=0)")
    expect_named(nb05.check_fused_grad(lambda z, y: mean_rows(hand_softmax(z), y)), ".mean(axis=0)")


def test_nb04_right_answers_keep_their_tick():
    expect(nb04.check_vjp(vjp_rows_z), "correct")
    expect(nb04.check_delta2(lambda a2, y: (a2 - np.eye(a2.shape[1])[y]) / len(y)), "correct")


def vjp_rows_z(z, g):
    return vjp_rows(hand_softmax(z), g)


# Notebook 05


def test_nb05_ex1_the_predicted_class_as_target_is_named():
    """Row 136: t = one-hot of argmax(z)."""

    def predicted(z, y):
        N, C = z.shape
        return (hand_softmax(z) - np.eye(C)[np.argmax(z, axis=1)]) / N

    expect_named(nb05.check_fused_grad(predicted), "argmax(z)")


def test_nb05_ex1_softmax_twice_is_named():
    """Row 241: softmax(softmax(z))."""

    def twice(z, y):
        N, C = z.shape
        return (hand_softmax(hand_softmax(z)) - np.eye(C)[y]) / N

    expect_named(nb05.check_fused_grad(twice), "softmax twice")


def test_nb05_ex1_eye_of_n_is_named():
    """Row 242: np.eye(N)[y] has N columns; the reply named only the shapes."""

    def eye_n(z, y):
        N, C = z.shape
        return (hand_softmax(z) - np.eye(N)[y]) / N

    expect_named(nb05.check_fused_grad(eye_n), "np.eye(N)[y]", "np.eye(C)[y]")


def test_nb05_ex2_the_guarded_minus_t_over_h_route_is_named_not_a_partial_loop():
    """Row 244: −t/(h + 1e-12) through the softmax's backward pass was told "a loop that covers part
    of the array"."""

    def guarded(z, t):
        N = len(z)
        h = hand_softmax(z)
        g = -t / (h + 1e-12)
        return h * (g - (g * h).sum(axis=1, keepdims=True)) / N

    fb = expect_named(nb05.check_soft_target_grad(guarded), "−t/h route with a guard")
    assert "loop" not in fb.message


def test_nb05_ex2_the_gradient_with_respect_to_h_names_the_soft_target_formula():
    """The newcomer's note: −t/h/N was told "(h − t)/N", which soft targets do not give."""
    fb = expect_named(nb05.check_soft_target_grad(lambda z, t: -t / hand_softmax(z) / len(z)), "(h·Σt − t)/N")
    assert "becomes (h − t)/N" not in fb.message


def test_nb05_right_answers_keep_their_tick():
    def soft(z, t):
        return (hand_softmax(z) * t.sum(axis=1, keepdims=True) - t) / len(z)

    expect(nb05.check_fused_grad(lambda z, y: (hand_softmax(z) - np.eye(z.shape[1])[y]) / len(y)), "correct")
    expect(nb05.check_soft_target_grad(soft), "correct")


@pytest.mark.parametrize("eps", [1e-12, 1e-8, 1e-6, 1e-4])
def test_nb05_ex1_the_guarded_minus_t_over_h_route_is_named_not_argmax(eps):
    """Row 244's route in exercise 1: on logits 800 apart its rows are 0, as the argmax target's
    are; the guard is named, not the argmax."""

    def guarded(z, y):
        N, C = z.shape
        h = hand_softmax(z)
        g = -np.eye(C)[y] / (h + eps) / N
        return h * (g - (g * h).sum(axis=1, keepdims=True))

    fb = expect_named(nb05.check_fused_grad(guarded), "−t/h route with a guard")
    assert "argmax" not in fb.message


def test_labels_subtracted_without_a_column_are_named_in_04_and_05():
    """Row 126's answer without [:, None]: a2 − y raises a broadcast error; it names the labels."""

    def minus_labels(a2, y):
        return (a2 - y) / len(y)

    expect_named(nb04.check_delta2(minus_labels), "is the labels y", "np.eye(C)[y]")
    expect_named(nb05.check_fused_grad(lambda z, y: minus_labels(hand_softmax(z), y)), "is the labels y")


def test_a_sum_without_keepdims_is_still_told_as_one():
    def row_sum(z, y):
        h = hand_softmax(z)
        return h - h.sum(axis=1)

    fb = expect_named(nb05.check_fused_grad(row_sum), "keepdims=True")
    assert "labels" not in fb.message
