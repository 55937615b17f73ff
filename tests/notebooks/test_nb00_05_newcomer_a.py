"""A third newcomer review of notebooks 00-05 (newcomer_a): the wrong answers it saw accepted, told
the wrong thing, or answered by a reply that names nothing. Each is typed here as the newcomer typed
it and must get a reply that names its mistake, in the words listed beside it.
"""

import numpy as np
from checking_helpers import expect, expect_named, hand_softmax

import course_utils as cu
from course_utils.notebooks import nb00_start_here as nb00
from course_utils.notebooks import nb01_softmax as nb01
from course_utils.notebooks import nb02_softmax_jacobian as nb02
from course_utils.notebooks import nb03_kronecker_delta as nb03
from course_utils.notebooks import nb04_chain_rule_reduction as nb04
from course_utils.notebooks import nb05_fused_cross_entropy as nb05


def one_softmax(z):
    return hand_softmax(z[None, :])[0]


def jacobian_one(z):
    h = one_softmax(z)
    return np.diag(h) - np.outer(h, h)


def batched(z):
    h = hand_softmax(z)
    return h[:, :, None] * np.eye(z.shape[1]) - h[:, :, None] * h[:, None, :]


# Notebook 00


def test_nb00_a_boolean_one_hot_is_named_not_passed():
    """y[:, None] == np.arange(C) has the 1s in the right places, as True; -t fails on it later."""
    fb = expect_named(nb00.check_one_hot(lambda y, C: y[:, None] == np.arange(C)), "True/False", "astype")
    assert "✓" not in str(fb)


def test_nb00_an_integer_one_hot_is_accepted_as_harmless():
    """np.eye(C, dtype=int)[y]: integers do arithmetic like floats (-t, t * h), so it is right."""
    expect(nb00.check_one_hot(lambda y, C: np.eye(C, dtype=int)[y]), "correct")


def test_nb00_a_nan_in_a_one_hot_does_not_link_to_notebook_01():
    def nan_one_hot(y, C):
        t = np.eye(C)[y]
        t[0, 0] = np.nan
        return t

    fb = expect_named(nb00.check_one_hot(nan_one_hot), "NaN")
    assert fb.see is None or not fb.see.notebook.startswith("01"), fb


# Notebooks 01-03: float32 from float64 input, one rule for the whole course


def test_a_float32_result_from_float64_input_is_named_in_notebooks_01_to_03():
    expect_named(nb01.check_softmax(lambda z: hand_softmax(z).astype(np.float32)), "float32", "float64")
    expect_named(nb02.check_jacobian(lambda z: jacobian_one(z).astype(np.float32)), "float32", "float64")
    expect_named(nb03.check_batched_jacobian(lambda z: batched(z).astype(np.float32)), "float32", "float64")


# Notebook 01


def test_nb01_softmax_returning_e_is_named():
    def returned_e(z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        s = e / e.sum(axis=1, keepdims=True)  # noqa: F841 - the newcomer's quotient, left unused
        return e

    expect_named(nb01.check_softmax(returned_e), "you returned e")


def test_nb01_log_softmax_with_one_max_for_the_batch_is_named_not_a_loop():
    def one_max(z):
        m = z.max()
        return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))

    fb = expect_named(nb01.check_log_softmax(one_max), "one max for the whole batch")
    assert "loop" not in fb.message


# Notebook 02


def test_nb02_a_factor_2_on_the_outer_product_is_named():
    fb = nb02.check_jacobian(lambda z: np.diag(one_softmax(z)) - 2 * np.outer(one_softmax(z), one_softmax(z)))
    expect_named(fb, "factor 2 on the outer product")


def test_nb02_returning_h_is_named():
    expect_named(nb02.check_jacobian(one_softmax), "you returned h (the softmax itself)")


def test_nb02_numerical_jacobian_aliasing_z_is_named():
    def aliased(f, z, eps):
        K = np.asarray(f(z)).size
        J = np.zeros((K, z.size))
        for j in range(z.size):
            zp = z
            zp[j] += eps
            fp = f(zp)
            zm = z
            zm[j] -= eps
            fm = f(zm)
            J[:, j] = (fp - fm) / (2 * eps)
        return J

    expect_named(nb02.check_numerical_jacobian(aliased), "zp is z itself", "z.copy()")


def test_nb02_numerical_jacobian_that_ignores_f_is_named_not_a_tiny_step():
    fb = expect_named(
        nb02.check_numerical_jacobian(lambda f, z, eps: cu.softmax_jacobian(z)), "does not use f"
    )
    assert "1e-12" not in fb.message


# Notebook 03


def test_nb03_eye_of_n_is_named():
    def eye_n(z):
        h = hand_softmax(z)
        return h[:, :, None] * np.eye(len(z)) - h[:, :, None] * h[:, None, :]

    expect_named(nb03.check_batched_jacobian(eye_n), "eye(N) where the Jacobian needs eye(C)")


def test_nb03_the_quadratic_form_is_named_not_a_sum_over_entries():
    def quadratic(z, v):
        h = one_softmax(z)
        return v @ (h * v) - (h @ v) ** 2

    fb = expect_named(nb03.check_lse_hvp(quadratic), "vᵀHv", "Hv")
    assert "max over every entry" not in fb.message


# Notebook 04


def test_nb04_vjp_with_a_short_loop_is_a_partial_loop_not_a_factor_list():
    def short_loop(z, g):
        h = cu.softmax(z)
        out = np.zeros_like(g)
        for n in range(len(z) - 1):
            out[n] = h[n] * (g[n] - g[n] @ h[n])
        return out

    fb = expect_named(nb04.check_vjp(short_loop), "range(N − 1)")
    assert "1, 1, 1" not in fb.message and "factor" not in fb.message


def test_nb04_vjp_answered_with_log_softmax_backward_is_named():
    fb = nb04.check_vjp(lambda z, g: g - cu.softmax(z) * g.sum(axis=1, keepdims=True))
    expect_named(fb, "log-softmax")


def test_nb04_delta2_through_the_diagonal_alone_is_named():
    def diagonal(a2, y):
        N = len(y)
        t = np.zeros_like(a2)
        t[np.arange(N), y] = 1
        return a2 * (1 - a2) * (-t / a2) / N

    expect_named(nb04.check_delta2(diagonal), "diagonal of the softmax Jacobian")


def test_nb04_delta2_with_a_short_loop_is_named():
    def short_loop(a2, y):
        N = len(y)
        d = a2.copy()
        for n in range(N - 1):
            d[n, y[n]] -= 1
        return d / N

    expect_named(nb04.check_delta2(short_loop), "some rows only", "range(N − 1)")


# Notebook 05


def _minus_t_over_h(z, t):
    N = len(t)
    h = hand_softmax(z)
    g = -t / h / N
    return h * (g - (g * h).sum(axis=1, keepdims=True))


def test_nb05_soft_target_grad_by_the_minus_t_over_h_route_is_named_not_passed():
    expect_named(nb05.check_soft_target_grad(_minus_t_over_h), "−t/h route")


def test_nb05_fused_grad_by_the_minus_t_over_h_route_is_named_not_a_placeholder():
    def route(z, y):
        return _minus_t_over_h(z, np.eye(z.shape[1])[y])

    fb = expect_named(nb05.check_fused_grad(route), "−t/h route")
    assert "placeholder" not in fb.message


def test_nb05_labels_counted_from_1_are_named():
    def from_one(z, y):
        h = hand_softmax(z)
        t = np.eye(z.shape[1])[y + 1 if y.min() == 0 else y]
        return (h - t) / len(y)

    expect_named(nb05.check_fused_grad(from_one), "labels start at 0 here")
