"""A second walk over notebooks 06-11 after the last fixes (recheck_b): the wrong answers it saw
accepted, told the wrong thing, or answered by a reply that names nothing. Each is typed here as the
walk typed it and must get a reply that names its mistake, in the words listed beside it; the right
answer beside it still gets ✓.
"""

import numpy as np
import pytest
from checking_helpers import expect

import course_utils as cu
from course_utils.notebooks import nb06_gradient_checking as nb06
from course_utils.notebooks import nb07_mismatch_lab as nb07
from course_utils.notebooks import nb08_mnist_two_layer_net as nb08
from course_utils.notebooks import nb09_bug_hunt as nb09
from course_utils.notebooks import nb10_computational_graph as nb10
from course_utils.notebooks import nb11_choosing_the_cost as nb11


def _gh(g, h):
    return np.sum(g * h, axis=1, keepdims=True)


# Notebook 10


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (lambda h, g: h * (g - h), "subtracts h itself"),
        (lambda h, g: h * (g - g.mean(1, keepdims=True)), "plain mean"),
        (lambda h, g: (1 - h) * (g - _gh(g, h)), "1 − h"),
        (lambda h, g: g * (h - _gh(g, h)), "swapped"),
    ],
)
def test_nb10_ex1_new_wrong_rules_are_named(fn, words):
    expect(nb10.check_softmax_node_vjp(fn), "wrong", words)


def test_nb10_ex1_right_rule_still_accepted():
    expect(nb10.check_softmax_node_vjp(lambda h, g: h * (g - _gh(g, h))), "correct")


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (lambda log_h, g: np.exp(log_h) * g - g.sum(1, keepdims=True), "h multiplies g"),
        (lambda log_h, g: g - np.exp(log_h).sum(1, keepdims=True) * g, "every entry is 0"),
    ],
)
def test_nb10_ex2_new_wrong_rules_are_named(fn, words):
    expect(nb10.check_log_softmax_node_vjp(fn), "wrong", words)


def test_nb10_ex2_right_rule_still_accepted():
    expect(
        nb10.check_log_softmax_node_vjp(lambda log_h, g: g - np.exp(log_h) * g.sum(1, keepdims=True)),
        "correct",
    )


# Notebook 06


def _typed_checker(*, entry=None, analytic=None, score=None, positions=False):
    """Exercise 3 as the walk typed it, with one part replaced."""

    def my_gradient_check(f, x, grad, entries, directions, eps):
        old = x.copy()

        def slope(m):
            x[...] = old + eps * m
            up = f()
            x[...] = old - eps * m
            down = f()
            x[...] = old
            return (up - down) / (2 * eps)

        n, a = [], []
        for i in range(len(entries)):
            k = i if positions else int(entries[i])
            e = np.zeros_like(x)
            e.flat[k] = 1.0
            n.append(slope(e))
            a.append(grad.flat[k] if entry is None else entry(grad, k))
        for u in directions:
            n.append(slope(u))
            a.append(np.sum(grad * u) if analytic is None else analytic(grad, u))
        n, a = np.array(n, dtype=float), np.array(a, dtype=float)
        d = np.abs(n) + np.abs(a)
        if score is None:
            err = np.divide(np.abs(n - a), d, out=np.zeros_like(d), where=d > 0)
        else:
            err = score(n, a, d)
        return err[: len(entries)], err[len(entries) :]

    return my_gradient_check


def test_nb06_ex3_row_for_entry_on_2d_grad_is_named():
    expect(nb06.check_gradient_checker(_typed_checker(entry=lambda g, k: g[k])), "wrong", "grad.flat[k]")


def test_nb06_ex3_np_dot_for_inner_product_is_named():
    fb = nb06.check_gradient_checker(_typed_checker(analytic=lambda g, u: np.dot(g, u)))
    expect(fb, "wrong", "np.sum(grad * u)")


def test_nb06_ex3_loop_position_as_flat_index_is_named():
    expect(nb06.check_gradient_checker(_typed_checker(positions=True)), "wrong", "entries[i]")


def test_nb06_ex3_zero_guard_on_the_analytic_side_alone_is_rejected():
    def guard(n, a, d):
        return np.divide(np.abs(n - a), d, out=np.zeros_like(d), where=a != 0)

    expect(nb06.check_gradient_checker(_typed_checker(score=guard)), "wrong", "both 0")


def test_nb06_ex3_right_checker_still_accepted():
    expect(nb06.check_gradient_checker(_typed_checker()), "correct")


def _whole_array(f, x, eps):
    """The whole array stepped at once (x put back from a copy, so only the one slope is wrong)."""
    old = x.copy()
    x += eps
    up = f()
    x -= 2 * eps
    down = f()
    x[...] = old
    return np.full_like(x, (up - down) / (2 * eps))


def _two_d_only(f, x, eps):
    grad = np.zeros_like(x)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            old = x[i, j]
            x[i, j] = old + eps
            up = f()
            x[i, j] = old - eps
            down = f()
            x[i, j] = old
            grad[i, j] = (up - down) / (2 * eps)
    return grad


def _central(both_up=False):
    def numerical_grad(f, x, eps):
        grad = np.zeros_like(x)
        for k in range(x.size):
            old = x.flat[k]
            x.flat[k] = old + eps
            up = f()
            x.flat[k] = old + eps if both_up else old - eps
            down = f()
            x.flat[k] = old
            grad.flat[k] = (up - down) / (2 * eps)
        return grad

    return numerical_grad


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (_whole_array, "same slope"),
        (_two_d_only, "x.shape[1]"),
        (_central(both_up=True), "both steps went the same way"),
    ],
)
def test_nb06_ex1_new_wrong_differences_are_named(fn, words):
    expect(nb06.check_central_difference(fn), "wrong", words)


def test_nb06_ex1_right_differences_still_accepted():
    expect(nb06.check_central_difference(_central()), "correct")


def _max_norms(a, b):
    d = np.abs(a).max() + np.abs(b).max()
    return 0.0 if d == 0 else float(np.abs(a - b).max() / d)


def _allclose_zero(a, b):
    if np.allclose(a, b):
        return 0.0
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


def test_nb06_ex2_max_norms_throughout_are_named_not_rounding():
    fb = expect(nb06.check_relative_error(_max_norms), "wrong", "max-norms throughout")
    assert "rounded" not in fb.message


def test_nb06_ex2_allclose_guard_is_named_as_a_tolerance():
    expect(nb06.check_relative_error(_allclose_zero), "wrong", "np.allclose")


# Notebook 07


def _df(hidden, z):
    return cu.ACTIVATIONS[hidden].df(z)


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (lambda s3, T2, z2, hid: (T2[:, 1:].T @ s3.T) * _df(hid, z2), "transpose that product back"),
        (lambda s3, T2, z2, hid: s3 * T2[:, 1:], "sigma3 @ Theta2[:, 1:]"),
        (
            lambda s3, T2, z2, hid: ((s3 @ T2) * _df(hid, np.hstack([np.ones((len(z2), 1)), z2])))[:, :-1],
            "one unit off",
        ),
    ],
)
def test_nb07_ex2_new_wrong_deltas_are_named(fn, words):
    expect(nb07.check_sigma2(fn), "wrong", words)


def test_nb07_ex2_right_delta_still_accepted():
    expect(nb07.check_sigma2(lambda s3, T2, z2, hid: (s3 @ T2)[:, 1:] * _df(hid, z2)), "correct")


# Notebook 11


def _se(g_of, jacobian=True, batch_sum=False):
    def squared_error_grad(z, y):
        z = z - z.max(axis=1, keepdims=True)
        h = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        g = g_of(h, y) / len(y)
        if not jacobian:
            return h * g
        gh = np.sum(g * h) if batch_sum else np.sum(g * h, axis=1, keepdims=True)
        return h * (g - gh)

    return squared_error_grad


def _onehot_g(h, y):
    return h - np.eye(h.shape[1])[y]


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (_se(_onehot_g, jacobian=False), "is missing"),
        (_se(_onehot_g, batch_sum=True), "whole batch"),
        (_se(lambda h, y: h - y[:, None]), "raw labels"),
    ],
)
def test_nb11_ex1_new_wrong_gradients_are_named(fn, words):
    expect(nb11.check_squared_error_grad(fn), "wrong", words)


def test_nb11_ex1_right_gradient_still_accepted():
    expect(nb11.check_squared_error_grad(_se(_onehot_g)), "correct")


def _bce(first, linear, soft):
    return lambda z, t: float(np.sum(first(z) - linear(z, t) + soft(z)) / z.shape[0])


_SOFT = lambda z: np.log1p(np.exp(-np.abs(z)))  # noqa: E731
_MAX = lambda z: np.maximum(z, 0)  # noqa: E731


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (_bce(_MAX, lambda z, t: z, _SOFT), "t is missing"),
        (_bce(_MAX, lambda z, t: z * t, lambda z: np.log1p(np.exp(np.abs(z)))), "minus inside the exponent"),
        (_bce(np.abs, lambda z, t: z * t, _SOFT), "|z| where the loss has max(z, 0)"),
    ],
)
def test_nb11_ex2_new_wrong_losses_are_named(fn, words):
    fb = expect(nb11.check_bce_with_logits(fn), "wrong", words)
    assert "flipped" not in fb.message


def test_nb11_ex2_right_loss_still_accepted():
    expect(nb11.check_bce_with_logits(_bce(_MAX, lambda z, t: z * t, _SOFT)), "correct")


# Notebook 08


def _backward(one_hot_rows=None, mask_without_b1=False):
    def two_layer_backward(X, y, W1, b1, W2, b2):
        N = X.shape[0]
        z1 = X @ W1 + b1
        a1 = np.maximum(z1, 0)
        z2 = a1 @ W2 + b2
        e = np.exp(z2 - z2.max(axis=1, keepdims=True))
        h = e / e.sum(axis=1, keepdims=True)
        t = np.eye(one_hot_rows(N, W2.shape[1]))[y]
        dz2 = (h - t) / N
        dW2 = a1.T @ dz2
        db2 = dz2.sum(axis=0)
        da1 = dz2 @ W2.T
        dz1 = da1 * ((X @ W1 > 0) if mask_without_b1 else (z1 > 0))
        return dz2, dW2, db2, da1, dz1, X.T @ dz1, dz1.sum(axis=0)

    return two_layer_backward


def test_nb08_ex1_mask_without_b1_is_named():
    fb = nb08.check_two_layer_backward(_backward(lambda N, C: C, mask_without_b1=True))
    expect(fb, "wrong", "without b1")


def test_nb08_ex1_one_hot_as_wide_as_the_batch_is_named_not_a_product():
    fb = expect(nb08.check_two_layer_backward(_backward(lambda N, C: N)), "wrong", "np.eye(C)[y]")
    assert "A @ B.T" not in fb.message


def test_nb08_ex1_right_backward_still_accepted():
    expect(nb08.check_two_layer_backward(_backward(lambda N, C: C)), "correct")


def test_nb08_ex3_mu_as_a_percentage_is_named():
    def momentum_update(w, dw, v, lr, mu):
        v_new = (mu / 100) * v - lr * dw
        return w + v_new, v_new

    expect(nb08.check_momentum_update(momentum_update), "wrong", "percentage")


# Notebook 09


def _rows_by_labels(h, y):
    t = np.zeros_like(h)
    t[y] = 1
    return (h - t).sum(axis=0) / len(y)


def _onehot_t(h, y):
    return np.eye(h.shape[1])[y]


def test_nb09_ex2_rows_by_labels_on_t_quotes_t():
    expect(nb09.check_bias_gradient(_rows_by_labels), "wrong", "t[y] = 1")


def test_nb09_ex2_second_cu_softmax_is_not_blamed_on_cross_entropy_grad_alone():
    fn = lambda h, y: (cu.softmax(h) - _onehot_t(h, y)).sum(axis=0) / len(y)  # noqa: E731
    expect(nb09.check_bias_gradient(fn), "wrong", "cu.softmax(h)", "second softmax")


def test_nb09_ex2_right_bias_gradient_still_accepted():
    expect(nb09.check_bias_gradient(lambda h, y: (h - _onehot_t(h, y)).sum(axis=0) / len(y)), "correct")
