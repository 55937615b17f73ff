"""A third newcomer review of notebooks 06-11 (newcomer3_b): the wrong answers it saw accepted, told
the wrong thing, or answered by a reply that names nothing. Each is typed here as the newcomer typed
it and must get a reply that names its mistake, in the words listed beside it; the right answer
beside it still gets ✓.
"""

import numpy as np
from checking_helpers import expect, expect_named, hand_softmax

import course_utils as cu
from course_utils.notebooks import nb06_gradient_checking as nb06
from course_utils.notebooks import nb08_mnist_two_layer_net as nb08
from course_utils.notebooks import nb10_computational_graph as nb10

# Notebook 06


def test_nb06_ex1_a_call_of_the_course_function_is_named_not_a_fixed_step():
    """cu.numerical_gradient(f, x) steps by its own default: the reply says whose function it is."""
    fb = expect_named(
        nb06.check_central_difference(lambda f, x, eps: cu.numerical_gradient(f, x)), "cu.numerical_gradient"
    )
    assert "hard-coded" not in fb.message


def _checker(restore_by_adding):
    def my_gradient_check(f, x, grad, entries, directions, eps):
        old = x.copy()

        def slope(m):
            x[...] = old + eps * m
            up = f()
            x[...] = old - eps * m
            down = f()
            if restore_by_adding:
                x[...] += eps * m
            else:
                x[...] = old
            return (up - down) / (2 * eps)

        units = [np.eye(1, x.size, int(k)).reshape(x.shape) for k in np.asarray(entries, dtype=int).ravel()]
        moves = units + list(directions)
        num = np.array([slope(m) for m in moves])
        ana = np.array([np.sum(grad * m) for m in moves])
        d = np.abs(num) + np.abs(ana)
        err = np.divide(np.abs(num - ana), d, out=np.zeros_like(d), where=d > 0)
        return err[: len(units)], err[len(units) :]

    return my_gradient_check


def test_nb06_ex3_x_restored_by_arithmetic_is_rejected_as_in_ex1():
    """x[...] += eps·u after old − eps·u: exercise 1 rejects it, exercise 3 now does too."""
    expect(nb06.check_gradient_checker(_checker(True)), "wrong", "x[...] = old", "rounding")
    expect(nb06.check_gradient_checker(_checker(False)), "correct")


# Notebook 08


def _backward(rule):
    def two_layer_backward(X, y, W1, b1, W2, b2):
        N = X.shape[0]
        z1 = X @ W1 + b1
        a1 = np.maximum(z1, 0)
        h = hand_softmax(a1 @ W2 + b2)
        t = np.eye(W2.shape[1])[y]
        dz2 = rule(h, t, N)
        da1 = dz2 @ W2.T
        dz1 = da1 * (z1 > 0)
        return dz2, a1.T @ dz2, dz2.sum(0), da1, dz1, X.T @ dz1, dz1.sum(0)

    return two_layer_backward


def test_nb08_ex1_the_diagonal_only_softmax_derivative_is_named():
    fb = expect_named(nb08.check_two_layer_backward(_backward(lambda h, t, N: h * (1 - h) * (-t / h) / N)))
    assert "diagonal" in fb.message and "−h_i h_j" in fb.message
    expect(nb08.check_two_layer_backward(_backward(lambda h, t, N: (h - t) / N)), "correct")


def test_nb08_ex1_the_posted_equation_1_is_named():
    """The learner's equation 1 made elementwise, −(t/h) ⊙ h ⊙ (t − h), with and without its minus."""
    fb = expect_named(nb08.check_two_layer_backward(_backward(lambda h, t, N: -(t / h) * h * (t - h) / N)))
    assert "equation 1" in fb.message
    fb = expect_named(nb08.check_two_layer_backward(_backward(lambda h, t, N: (t / h) * h * (t - h) / N)))
    assert "equation 1" in fb.message and "minus" in fb.message


def test_nb08_relu_backward_divided_by_n_is_told_it_has_no_1_over_n():
    fb = expect_named(nb08.check_relu_backward(lambda d, a1: d * (a1 > 0) / d.shape[0]), "no 1/N")
    assert "twice" not in fb.message


# Notebook 10


def _node(h, g):
    return h * (g - np.sum(g * h, axis=1, keepdims=True))


def test_nb10_ex1_g_matmul_h_transposed_is_named_as_an_n_by_n_product():
    fb = expect_named(nb10.check_softmax_node_vjp(lambda h, g: h * (g - g @ h.T)), "N × N", "axis=1")
    assert "diagonal" not in fb.message
    expect(nb10.check_softmax_node_vjp(_node), "correct")


def test_nb10_nodes_divided_by_n_are_told_they_have_no_1_over_n():
    fb = expect_named(nb10.check_softmax_node_vjp(lambda h, g: _node(h, g) / h.shape[0]), "no 1/N")
    assert "twice" not in fb.message
    fb = expect_named(
        nb10.check_log_softmax_node_vjp(lambda lh, g: (g - np.exp(lh) * g.sum(1, keepdims=True)) / len(lh)),
        "no 1/N",
    )
    assert "twice" not in fb.message


def test_nb10_ex2_h_minus_g_is_named():
    expect_named(nb10.check_log_softmax_node_vjp(lambda lh, g: np.exp(lh) - g), "h − g", "g − h Σg")


def test_nb10_ex2_dividing_g_by_h_is_named():
    fb = expect_named(
        nb10.check_log_softmax_node_vjp(lambda lh, g: g / np.exp(lh) - np.sum(g, axis=1, keepdims=True)),
        "g / h",
    )
    assert "divides" in fb.message
