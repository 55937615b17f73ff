"""A second walk over notebooks 06-11 after the last fixes (recheck_b): the wrong answers it saw
accepted, told the wrong thing, or answered by a reply that names nothing. Each is typed here as the
walk typed it and must get a reply that names its mistake, in the words listed beside it; the right
answer beside it still gets ✓.
"""

import numpy as np
import pytest
from checking_helpers import expect

from course_utils.notebooks import nb06_gradient_checking as nb06
from course_utils.notebooks import nb10_computational_graph as nb10


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
