"""The second walk of notebooks 00-05 (recheck_a): the answers a newcomer typed that got a reply
naming nothing, or naming a mistake they did not make. Each is typed here as it was typed; its
reply must name the mistake, and the right answer keeps its ✓.
"""

import numpy as np
from checking_helpers import expect, expect_named, hand_softmax

from course_utils.notebooks import nb00_start_here as nb00
from course_utils.notebooks import nb01_softmax as nb01
from course_utils.notebooks import nb02_softmax_jacobian as nb02
from course_utils.notebooks import nb03_kronecker_delta as nb03
from course_utils.notebooks import nb04_chain_rule_reduction as nb04
from course_utils.notebooks import nb05_fused_cross_entropy as nb05


def theta_to_params(Theta1):
    return Theta1[:, 0], Theta1[:, 1:]


# Notebook 00, exercise 1: one_hot(y, C)


def test_nb00_ex1_the_one_hot_times_the_labels_is_named_not_called_more_than_one_1():
    """Row 3: np.eye(C)[y] * y[:, None] was told "some rows have no 1 or more than one"."""
    reply = expect_named(
        nb00.check_one_hot(lambda y, C: np.eye(C)[y] * y[:, None]), "y[:, None]", "label's value"
    )
    assert "more than one" not in reply.message


def test_nb00_ex1_calling_the_next_exercises_function_is_named():
    """Row 11: one_hot returning theta_to_params(y) got the raw IndexError."""

    def one_hot(y, C):
        return theta_to_params(y)

    expect_named(nb00.check_one_hot(one_hot), "theta_to_params")
    expect(nb00.check_one_hot(lambda y, C: np.eye(C)[y]), "correct")


# Notebook 01: softmax(z), log_softmax(z)


def divided_by_max(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.max(axis=1, keepdims=True)


def test_nb01_ex1_dividing_by_the_max_is_named_not_told_it_returned_e():
    """Rows 18 and 92: e / e.max(...) was told "you returned e"."""
    reply = expect_named(nb01.check_softmax(divided_by_max), "max", "e.sum(axis=1, keepdims=True)")
    assert "you returned e" not in reply.message
    expect(nb01.check_softmax(hand_softmax), "correct")


def log_softmax_divided(z):
    m = z.max(axis=1, keepdims=True)
    return (z - m) / np.exp(z - m).sum(axis=1, keepdims=True)


def log_softmax_log_before_sum(z):
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m)).sum(axis=1, keepdims=True)


def log_softmax(z):
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def test_nb01_ex2_a_division_in_log_space_is_named():
    """Row 26: (z − m) / Σ exp(z − m) was told only that exp of the rows does not sum to 1."""
    expect_named(nb01.check_log_softmax(log_softmax_divided), "divided", "subtraction")


def test_nb01_ex2_the_log_before_the_sum_is_named():
    """Row 27: np.log(np.exp(z - m)).sum(...) was told only that exp of the rows does not sum to 1."""
    expect_named(nb01.check_log_softmax(log_softmax_log_before_sum), "log before the sum")
    expect(nb01.check_log_softmax(log_softmax), "correct")


# Notebook 02, exercise 2: numerical_jacobian(f, z, eps)


def _columns(difference):
    def numerical_jacobian(f, z, eps=1e-5):
        z = np.asarray(z, dtype=float)
        J = np.zeros((f(z).size, z.size))
        for j in range(z.size):
            e = np.zeros(z.size)
            e[j] = 1.0
            J[:, j] = difference(f, z, eps, e)
        return J

    return numerical_jacobian


central = _columns(lambda f, z, eps, e: (f(z + eps * e) - f(z - eps * e)) / (2 * eps))


def test_nb02_ex2_summing_the_outputs_is_named():
    """Row 39: (f(z + ε e) − f(z − ε e)).sum() / 2ε got "not the expected values"."""
    summed = _columns(lambda f, z, eps, e: (f(z + eps * e) - f(z - eps * e)).sum() / (2 * eps))
    expect_named(nb02.check_numerical_jacobian(summed), ".sum()")
    expect(nb02.check_numerical_jacobian(central), "correct")


def test_nb02_ex2_stepping_back_only_to_z_is_not_told_about_a_copy_it_never_made():
    """Row 40: z[j] += eps; fp = f(z); z[j] -= eps; fm = f(z) was told "zp = z does not copy"."""

    def numerical_jacobian(f, z, eps=1e-5):
        z = np.array(z, dtype=float)
        J = np.zeros((f(z).size, z.size))
        for j in range(z.size):
            z[j] += eps
            fp = f(z)
            z[j] -= eps
            fm = f(z)
            J[:, j] = (fp - fm) / (2 * eps)
        return J

    reply = expect_named(nb02.check_numerical_jacobian(numerical_jacobian), "half a forward difference", "2ε")
    assert not reply.message.startswith("zp = z does not copy"), reply


def test_nb02_ex2_np_gradient_is_named_not_its_raw_error():
    """Row 41: np.gradient(f(z), z) got the raw ValueError."""
    expect_named(nb02.check_numerical_jacobian(lambda f, z, eps=1e-5: np.gradient(f(z), z)), "np.gradient")


def test_nb02_ex2_a_missing_eps_in_the_denominator_names_eps():
    """Row 42: a division by 2 alone was told "exactly 1e-05 times the right one"."""
    halved = _columns(lambda f, z, eps, e: (f(z + eps * e) - f(z - eps * e)) / 2)
    expect_named(nb02.check_numerical_jacobian(halved), "ε times", "(2 * eps)")


# Notebook 03, exercise 1: batched_jacobian(z)


def batched(z):
    h = hand_softmax(z)
    return h[:, :, None] * (np.eye(z.shape[1]) - h[:, None, :])


def test_nb03_ex1_a_jacobian_divided_by_n_is_told_it_takes_no_1_over_n():
    """The walk's note: an answer divided by len(z) was told "divide by N once, not twice"."""
    reply = expect_named(nb03.check_batched_jacobian(lambda z: batched(z) / len(z)), "no 1/N")
    assert "once, not twice" not in reply.message
    expect(nb03.check_batched_jacobian(batched), "correct")


# Notebook 04, exercise 1: vjp(z, g)


def test_nb04_ex1_h_dot_h_in_place_of_g_dot_h_is_named():
    """Row 64: h ⊙ (g − ⟨h, h⟩) got only "the rows do not sum to 0"."""

    def vjp(z, g):
        h = hand_softmax(z)
        return h * (g - (h * h).sum(axis=1, keepdims=True))

    def right(z, g):
        h = hand_softmax(z)
        return h * (g - (g * h).sum(axis=1, keepdims=True))

    expect_named(nb04.check_vjp(vjp), "⟨h, h⟩")
    expect(nb04.check_vjp(right), "correct")


# Notebook 05, exercise 2: soft_target_grad(z, t)


def test_nb05_ex2_the_1_over_n_on_t_alone_is_named():
    """Rows 86 and 95: h·Σt − t/N got only "the rows do not sum to 0"."""

    def soft(z, t):
        return hand_softmax(z) * t.sum(axis=1, keepdims=True) - t / len(z)

    expect_named(nb05.check_soft_target_grad(soft), "only t is divided by N")


def test_nb05_ex2_the_row_sum_on_t_in_place_of_h_is_named():
    """Row 88: (h − t·Σt)/N got only "the rows do not sum to 0"."""

    def soft(z, t):
        return (hand_softmax(z) - t * t.sum(axis=1, keepdims=True)) / len(z)

    def right(z, t):
        return (hand_softmax(z) * t.sum(axis=1, keepdims=True) - t) / len(z)

    expect_named(nb05.check_soft_target_grad(soft), "Σt multiplies t")
    expect(nb05.check_soft_target_grad(right), "correct")
