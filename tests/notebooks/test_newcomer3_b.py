"""A third newcomer review of notebooks 06-11 (newcomer3_b): the wrong answers it saw accepted, told
the wrong thing, or answered by a reply that names nothing. Each is typed here as the newcomer typed
it and must get a reply that names its mistake, in the words listed beside it; the right answer
beside it still gets ✓.
"""

import numpy as np
from checking_helpers import expect, expect_named, hand_softmax

import course_utils as cu
from course_utils.notebooks import nb06_gradient_checking as nb06
from course_utils.notebooks import nb07_mismatch_lab as nb07
from course_utils.notebooks import nb08_mnist_two_layer_net as nb08
from course_utils.notebooks import nb09_bug_hunt as nb09
from course_utils.notebooks import nb10_computational_graph as nb10
from course_utils.notebooks import nb11_choosing_the_cost as nb11

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


def _scored(entry_move="row", flip_directions=False, unit_directions=False, columns=False):
    """Exercise 3 written out, with one of the newcomer's slips switched on."""

    def my_gradient_check(f, x, grad, entries, directions, eps):
        old = x.copy()

        def slope(m):
            x[...] = old + eps * m
            up = f()
            x[...] = old - eps * m
            down = f()
            x[...] = old
            return (up - down) / (2 * eps)

        def score(n, a):
            return abs(n - a) / (abs(n) + abs(a)) if abs(n) + abs(a) > 0 else 0.0

        on_entries, on_directions = [], []
        for k in np.asarray(entries, dtype=int).ravel():
            m = np.zeros_like(x)
            if entry_move == "column":
                m.T.flat[k] = 1
            else:
                m.flat[k] = 1
            on_entries.append(score(slope(m), grad.flat[k]))
        for u in directions:
            u = u / np.linalg.norm(u) if unit_directions else u
            a = np.sum(grad * u)
            on_directions.append(score(slope(u), -a if flip_directions else a))
        if columns:
            return np.array(on_entries).reshape(-1, 1), np.array(on_directions).reshape(-1, 1)
        return np.array(on_entries), np.array(on_directions)

    return my_gradient_check


def test_nb06_ex3_a_sign_flipped_on_the_directions_only_is_named():
    fb = expect_named(nb06.check_gradient_checker(_scored(flip_directions=True)), "sign", "direction")
    assert "constant" not in fb.message
    expect(nb06.check_gradient_checker(_scored()), "correct")


def test_nb06_ex3_results_as_columns_are_named():
    expect_named(nb06.check_gradient_checker(_scored(columns=True)), "(n, 1)", "ravel")


def test_nb06_ex3_directions_normalised_on_both_sides_are_named():
    expect_named(nb06.check_gradient_checker(_scored(unit_directions=True)), "u/||u||")


def test_nb06_ex3_entries_read_column_major_are_named():
    expect_named(nb06.check_gradient_checker(_scored(entry_move="column")), "column-major", "e.flat[k] = 1")


# Notebook 07


def _cost_right(h, Y):
    return -np.sum(Y * np.log(h)) / h.shape[0]


def test_nb07_ex1_the_matrix_product_y_t_log_h_is_named():
    expect_named(nb07.check_softmax_cost(lambda h, Y: -np.sum(Y.T @ np.log(h)) / h.shape[0]), "Y.T @ log h")
    expect(nb07.check_softmax_cost(_cost_right), "correct")


def test_nb07_ex1_log_of_the_largest_output_is_named():
    expect_named(nb07.check_softmax_cost(lambda h, Y: -np.mean(np.log(np.max(h, axis=1)))), "largest output")


def test_nb07_ex1_the_first_sample_only_is_named():
    expect_named(nb07.check_softmax_cost(lambda h, Y: -np.sum(Y[0] * np.log(h[0]))), "first sample")


def _df(hidden, z):
    return cu.ACTIVATIONS[hidden].df(z)


def test_nb07_ex2_theta2_transposed_without_its_bias_column_is_named():
    fb = expect_named(nb07.check_sigma2(lambda s3, T2, z2, hid: (s3 @ T2[:, 1:].T) * _df(hid, z2)))
    assert "Theta2[:, 1:].T" in fb.message and "no transpose" in fb.message
    expect(nb07.check_sigma2(lambda s3, T2, z2, hid: (s3 @ T2)[:, 1:] * _df(hid, z2)), "correct")


def test_nb07_ex2_octaves_2_end_carried_over_as_2_colon_is_named():
    for typed in (
        lambda s3, T2, z2, hid: (s3 @ T2[:, 2:]) * _df(hid, z2),
        lambda s3, T2, z2, hid: (s3 @ T2)[:, 2:] * _df(hid, z2),
    ):
        expect_named(nb07.check_sigma2(typed), "[:, 2:]", "2:end", "[:, 1:]")


def test_nb07_ex2_the_first_row_dropped_is_named():
    expect_named(
        nb07.check_sigma2(lambda s3, T2, z2, hid: (s3 @ T2)[1:, 1:] * _df(hid, z2)[1:]),
        "one row short",
        "[:, 1:]",
    )


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


def test_nb08_ex1_labels_as_a_column_in_the_one_hot_are_named():
    def two_layer_backward(X, y, W1, b1, W2, b2):
        z1 = X @ W1 + b1
        a1 = np.maximum(z1, 0)
        dz2 = (hand_softmax(a1 @ W2 + b2) - np.eye(W2.shape[1])[y.reshape(-1, 1)]) / X.shape[0]
        da1 = dz2 @ W2.T
        dz1 = da1 * (z1 > 0)
        return dz2, a1.T @ dz2, dz2.sum(0), da1, dz1, X.T @ dz1, dz1.sum(0)

    expect_named(nb08.check_two_layer_backward(two_layer_backward), "(N, N, C)", "(N, 1)")


def test_nb08_ex1_a_notebook_variable_read_instead_of_an_argument_is_named():
    notebook_w2 = np.random.default_rng(0).normal(size=(32, 10))  # the notebook's p["W2"]

    def two_layer_backward(X, y, W1, b1, W2, b2):
        z1 = X @ W1 + b1
        a1 = np.maximum(z1, 0)
        dz2 = hand_softmax(a1 @ W2 + b2)
        dz2[np.arange(len(y)), y] -= 1
        dz2 /= len(y)
        da1 = dz2 @ notebook_w2.T
        dz1 = da1 * (z1 > 0)
        return dz2, a1.T @ dz2, dz2.sum(0), da1, dz1, X.T @ dz1, dz1.sum(0)

    expect_named(nb08.check_two_layer_backward(two_layer_backward), "variable of the notebook")


# Notebook 09


def test_nb09_ex2_unique_counts_placed_by_position_are_named():
    def db2(h, y):
        _classes, counts = np.unique(y, return_counts=True)
        d = h.sum(0)
        d[: len(counts)] -= counts
        return d / len(y)

    def right(h, y):
        classes, counts = np.unique(y, return_counts=True)
        d = h.sum(0)
        d[classes] -= counts
        return d / len(y)

    fb = expect_named(nb09.check_bias_gradient(db2), "np.unique", "d[classes] -= counts")
    assert "loop" not in fb.message
    expect(nb09.check_bias_gradient(right), "correct")


def test_nb09_ex2_labels_read_as_counting_from_1_are_named():
    expect_named(
        nb09.check_bias_gradient(lambda h, y: (h - np.eye(h.shape[1] + 1)[y][:, 1:]).sum(0) / len(y)),
        "counting from 1",
    )


def test_nb09_ex2_labels_as_a_column_are_named():
    expect_named(
        nb09.check_bias_gradient(lambda h, y: (h - np.eye(h.shape[1])[y[:, None]]).sum(0) / len(y)), "(N, 1)"
    )


# Notebook 11


def _squared_error_grad(softmax_axis=1, plain_sum=False):
    def squared_error_grad(z, y):
        e = np.exp(z - z.max(axis=softmax_axis, keepdims=True))
        h = e / e.sum(axis=softmax_axis, keepdims=True)
        g = (h - np.eye(z.shape[1])[y]) / len(y)
        s = g.sum(axis=1, keepdims=True) if plain_sum else np.sum(g * h, axis=1, keepdims=True)
        return h * (g - s)

    return squared_error_grad


def test_nb11_ex1_a_softmax_over_axis_0_is_named():
    expect_named(nb11.check_squared_error_grad(_squared_error_grad(softmax_axis=0)), "axis 0")
    expect(nb11.check_squared_error_grad(_squared_error_grad()), "correct")


def test_nb11_ex1_the_plain_sum_of_g_is_named():
    expect_named(nb11.check_squared_error_grad(_squared_error_grad(plain_sum=True)), "plain sum of g")


def _bce_terms(z, t):
    return np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))


def test_nb11_ex2_the_missing_max_term_is_named():
    typed = lambda z, t: float(np.sum(-z * t + np.log1p(np.exp(-np.abs(z)))) / len(z))  # noqa: E731
    expect_named(nb11.check_bce_with_logits(typed), "max(z, 0) is missing")
    expect(nb11.check_bce_with_logits(lambda z, t: float(np.sum(_bce_terms(z, t)) / len(z))), "correct")


def test_nb11_ex2_flipped_targets_are_named():
    expect_named(
        nb11.check_bce_with_logits(lambda z, t: float(np.sum(_bce_terms(z, 1 - t)) / len(z))),
        "targets are flipped",
    )


def test_nb11_ex2_the_gradient_returned_instead_of_the_loss_is_named():
    expect_named(
        nb11.check_bce_with_logits(lambda z, t: (1 / (1 + np.exp(-z)) - t) / len(z)), "gradient", "loss"
    )


def test_nb11_ex2_the_loss_in_a_one_entry_array_is_named():
    expect_named(
        nb11.check_bce_with_logits(lambda z, t: np.array([np.sum(_bce_terms(z, t)) / len(z)])),
        "shape (1,)",
        "float",
    )
