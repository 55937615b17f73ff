"""The companion of notebook 06 · Gradient checking.

Its widget's state, picture and live view, and its checkers.
"""

import numpy as np
import pytest
from checking_helpers import expect, expect_named, generic_share

import course_utils as cu
from course_utils.notebooks import nb06_gradient_checking as nb06


def test_epsilon_state_and_widget():
    s64 = nb06.epsilon_state(1e-5, "float64")
    s32 = nb06.epsilon_state(1e-3, "float32")
    # Central beats forward at a good step; each dtype has its floor.
    assert s64["at"]["central"] < 1e-9 < s64["at"]["forward"]
    assert 1e-13 < s64["best_error"] < 1e-9 and 1e-6 < s32["best_error"] < 1e-3
    assert 1e-6 <= s64["best_eps"] <= 1e-4 and 1e-3 <= s32["best_eps"] <= 1e-1
    # Truncation: the central error falls like eps^2 on the right side of the U.
    grid, c = s64["grid"], s64["central"]
    slope = np.polyfit(np.log10(grid[grid >= 1e-3]), np.log10(c[grid >= 1e-3]), 1)[0]
    assert 1.8 < slope < 2.2
    assert np.isnan(nb06.epsilon_state(1e-9, "float32")["at"]["central"])
    view = nb06.epsilon_widget()
    view.controls["dtype"].value = "float32"
    view.controls["eps"].value = 1e-10
    assert "lost to rounding" in view.text.value and 'class="marker"' not in view.chart.value


def test_central_difference():
    def good(f, x, eps):
        g = np.zeros_like(x)
        for k in range(x.size):
            old = x.flat[k]
            x.flat[k] = old + eps
            up = f()
            x.flat[k] = old - eps
            down = f()
            x.flat[k] = old
            g.flat[k] = (up - down) / (2 * eps)
        return g

    expect(nb06.check_central_difference(good), "correct")
    # The course's own function gives the right numbers, and the checker says it is the answer itself.
    expect(
        nb06.check_central_difference(lambda f, x, eps: cu.numerical_gradient(f, x, eps)),
        "wrong",
        "calls the course's own numerical_gradient",
    )

    def calls_f_of_x(f, x, eps):
        return good(lambda: f(x), x, eps)

    expect(nb06.check_central_difference(calls_f_of_x), "error", "f takes no argument in this course")

    def perturbs_a_copy(f, x, eps):
        return good(f, x.copy(), eps)

    expect(nb06.check_central_difference(perturbs_a_copy), "wrong", "perturb x in place")

    def not_restored(f, x, eps):
        g = np.zeros_like(x)
        for k in range(x.size):
            x.flat[k] += eps
            up = f()
            x.flat[k] -= 2 * eps
            g.flat[k] = (up - f()) / (2 * eps)
        return g

    expect(nb06.check_central_difference(not_restored), "wrong", "x is not as it was afterwards")


def test_relative_error():
    def good(a, b):
        d = np.linalg.norm(a) + np.linalg.norm(b)
        return 0.0 if d == 0 else np.linalg.norm(a - b) / d

    expect(nb06.check_relative_error(good), "correct")
    with np.errstate(invalid="ignore"):
        expect(
            nb06.check_relative_error(
                lambda a, b: np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))
            ),
            "wrong",
            "0 by 0",
        )
    expect(nb06.check_relative_error(lambda a, b: np.linalg.norm(a - b)), "wrong", "absolute error")
    # The crash: a one-norm version, named now.
    one_norm = lambda a, b: np.sum(np.abs(a - b)) / max(np.sum(np.abs(a)) + np.sum(np.abs(b)), 1e-300)
    expect(nb06.check_relative_error(one_norm), "wrong", "one-norms")
    expect(
        nb06.check_relative_error(lambda a, b: np.max(np.abs(a - b) / (np.abs(a) + np.abs(b) + 1e-300))),
        "wrong",
        "entry-by-entry",
    )


def _own_check(
    f, x, grad, entries, directions, eps, *, span=2.0, forward=False, absolute=False, restore=True
):
    old = x.copy()
    base = f()

    def slope(u):
        x[...] = old + eps * u
        up = f()
        if forward:
            x[...] = old
            return (up - base) / eps
        x[...] = old - eps * u
        down = f()
        if restore:
            x[...] = old
        return (up - down) / (span * eps)

    def score(n, a):
        return abs(n - a) if absolute else (0.0 if n == a == 0 else abs(n - a) / (abs(n) + abs(a)))

    moves = []
    for k in entries:
        e = np.zeros_like(x)
        e.flat[k] = 1.0
        moves.append(e)
    errs = [score(slope(u), float(np.sum(grad * u))) for u in [*moves, *directions]]
    return np.array(errs[: len(entries)]), np.array(errs[len(entries) :])


def test_gradient_checker():
    expect(nb06.check_gradient_checker(_own_check), "correct")
    expect(
        nb06.check_gradient_checker(lambda *a: _own_check(*a, forward=True)), "wrong", "forward differences"
    )
    expect(nb06.check_gradient_checker(lambda *a: _own_check(*a, span=1.0)), "wrong", "twice too large")
    expect(nb06.check_gradient_checker(lambda *a: _own_check(*a, absolute=True)), "wrong", "absolute errors")
    expect(nb06.check_gradient_checker(lambda *a: _own_check(*a, restore=False)), "wrong", "not as it was")

    def stub(f, x, grad, entries, directions, eps):
        raise NotImplementedError

    expect(nb06.check_gradient_checker(stub), "not implemented")
    # The correct gradient scores round-off; the planted wrong entries score far above any tolerance.
    (f, x, grad, entries, directions, eps) = nb06._check_case(52, (3, 4), plant=(5, 0.5))()
    clean = nb06._check_case(52, (3, 4))()
    assert max(np.max(e) for e in nb06._my_check(*clean)) < 1e-8
    assert np.max(nb06._my_check(f, x, grad, entries, directions, eps)[1]) > 1e-3
    exercise = next(e for e in nb06.GRADED if e.name == "my_gradient_check")
    # The course's own checker gives the right numbers, and is told that it is the answer itself.
    expect(exercise.checker(exercise.reference), "wrong", "calls the course's own reference_gradient_check")


def test_a_max_denominator_is_named_and_not_taken_for_b_alone():
    fb = nb06.check_relative_error(
        lambda a, b: np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-300)
    )
    assert fb.status == "wrong" and "max(||a||, ||b||)" in fb.message
    fb = nb06.check_relative_error(lambda a, b: np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300))
    assert "||b|| alone" in fb.message


def _learner_checker(score):
    def my_gradient_check(f, x, grad, entries, directions, eps):
        old = x.copy()

        def slope(u):
            x[...] = old + eps * u
            up = f()
            x[...] = old - eps * u
            down = f()
            x[...] = old
            return (up - down) / (2 * eps)

        moves = [np.eye(1, x.size, int(k)).reshape(x.shape) for k in np.ravel(entries)] + list(directions)
        n = np.array([slope(u) for u in moves])
        a = np.array([np.sum(grad * u) for u in moves])
        e = score(n, a)
        return e[: len(entries)], e[len(entries) :]

    return my_gradient_check


def test_the_gradient_checker_exercise_needs_the_zero_rule_and_no_floor_of_one():
    with np.errstate(all="ignore"):
        no_zero_rule = nb06.check_gradient_checker(
            _learner_checker(lambda n, a: abs(n - a) / (abs(n) + abs(a)))
        )
    assert no_zero_rule.status == "wrong" and "0/0" in no_zero_rule.message
    floor = nb06.check_gradient_checker(
        _learner_checker(lambda n, a: abs(n - a) / np.maximum(1.0, abs(n) + abs(a)))
    )
    assert floor.status == "wrong" and "floor of 1" in floor.message

    def right(n, a):
        d = abs(n) + abs(a)
        return np.divide(abs(n - a), d, out=np.zeros_like(d), where=d > 0)

    assert nb06.check_gradient_checker(_learner_checker(right)).passed


def test_feedback_and_descriptions_in_chinese():
    """Under set_language("zh") the checker's feedback, the widget's text and the figure are Chinese."""
    cu.set_language("zh")
    try:
        fb = nb06.check_relative_error(lambda a, b: np.linalg.norm(a - b))
        assert fb.status == "wrong" and "这是绝对误差" in fb.message
        assert fb.see.heading == "Four relative errors, and how each misleads"
        assert "中心差分的最佳步长" in nb06.describe_epsilon(nb06.epsilon_state(1e-5, "float64"))
        assert "步长在舍入中丢失" in nb06.describe_epsilon(nb06.epsilon_state(1e-9, "float32"))
        assert "误差随 ε 的变化" in str(nb06.draw_epsilon(nb06.epsilon_state(1e-5, "float64")).svg)
    finally:
        cu.set_language("en")
    assert "absolute error" in nb06.check_relative_error(lambda a, b: np.linalg.norm(a - b)).message


def test_gradient_check_report_in_chinese():
    """The printed report of check_gradients is Chinese in zh; its notes stay English to code."""
    w = np.array([0.5, -1.0, 2.0])
    params = {"w": w, "b": np.zeros(2)}
    grads = {"w": 3 * w**2 + 1.0, "b": np.zeros((1, 2))}  # w's gradient is wrong, b's misshaped
    loss = lambda: float(np.sum(params["w"] ** 3))  # noqa: E731
    cu.set_language("zh")
    try:
        report = cu.check_gradients(loss, params, grads)
        text = repr(report)
        assert text.startswith("梯度检验未通过：w, b（容差 1e-05，float64，")
        assert "形状不匹配：梯度 (1, 2)，参数 (2,)" in text and "失败" in text
        assert report.tensors["b"].note.startswith("shape mismatch")  # code reads the English note
    finally:
        cu.set_language("en")
    text = repr(cu.check_gradients(loss, params, grads))
    assert text.startswith("Gradient check FAILED for w, b (tolerance 1e-05, float64, ")
    assert "shape mismatch: gradient (1, 2), parameter (2,)" in text


def _central(f, x, eps, step=None):
    step = eps if step is None else step
    g = np.zeros_like(x)
    for k in range(x.size):
        old = x.flat[k]
        x.flat[k] = old + step
        up = f()
        x.flat[k] = old - step
        down = f()
        x.flat[k] = old
        g.flat[k] = (up - down) / (2 * step)
    return g


def _rows_only(f, x, eps):
    g = np.zeros_like(x)
    for k in range(len(x)):
        old = x.flat[k]
        x.flat[k] = old + eps
        up = f()
        x.flat[k] = old - eps
        down = f()
        x.flat[k] = old
        g.flat[k] = (up - down) / (2 * eps)
    return g


def _backward(f, x, eps):
    g = np.zeros_like(x)
    base = f()
    for k in range(x.size):
        old = x.flat[k]
        x.flat[k] = old - eps
        g.flat[k] = (base - f()) / eps
        x.flat[k] = old
    return g


# Wrong answers typed for exercise 1 (numerical_grad), each with the words its reply must contain.
CENTRAL_WRONG = [
    (lambda f, x, eps: _central(f, x, eps, step=1e-1), "step is fixed"),
    (lambda f, x, eps: _central(f, x, eps, step=1e-12), "step is fixed"),
    (lambda f, x, eps: _central(f, x, eps, step=1e-5), "step is fixed"),
    (lambda f, x, eps: _central(f, x, eps, step=1e-6), "step is fixed"),
    (_backward, "backward difference"),
    (_rows_only, "len(x)"),
    (lambda f, x, eps: 2 * _central(f, x, eps), "twice too large"),
    (lambda f, x, eps: -_central(f, x, eps), "sign"),
    (lambda f, x, eps: _central(f, x.copy(), eps), "perturb x in place"),
    (lambda f, x, eps: _central(lambda: f(x), x, eps), "f takes no argument"),
]


def _forward_over_two_eps(f, x, eps):
    g, base = np.zeros_like(x), f()
    for k in range(x.size):
        old = x.flat[k]
        x.flat[k] = old + eps
        g.flat[k] = (f() - base) / (2 * eps)
        x.flat[k] = old
    return g


def _rel_threshold(a, b):
    d = np.linalg.norm(a) + np.linalg.norm(b)
    return np.linalg.norm(a - b) / d if d > 1e-8 else 0.0


def _rel_one_norm(a, b):
    return np.sum(np.abs(a - b)) / (np.sum(np.abs(a)) + np.sum(np.abs(b)) + 1e-300)


# Wrong answers typed for exercise 2 (relative_error).
REL_WRONG = [
    (lambda a, b: np.linalg.norm(a - b) / max(np.linalg.norm(a), 1e-300), "||a|| alone"),
    (lambda a, b: np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300), "||b|| alone"),
    (
        lambda a, b: np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-300),
        "max(||a||, ||b||)",
    ),
    (lambda a, b: np.sum(a - b) / (np.sum(a) + np.sum(b) + 1e-300), "plain sums"),
    (_rel_one_norm, "one-norms"),
    (lambda a, b: np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b) + 1e-8), "1e-8 added"),
    (lambda a, b: np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b) + 1e-10), "small constant"),
    (lambda a, b: np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-8), "floor of 1e-8"),
    (lambda a, b: np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1.0), "floor of 1"),
    (
        lambda a, b: (
            np.linalg.norm(a - b) ** 2 / max(np.linalg.norm(a) ** 2 + np.linalg.norm(b) ** 2, 1e-300)
        ),
        "squared norms",
    ),
    (lambda a, b: np.linalg.norm(a - b) / max(np.linalg.norm(a + b), 1e-300), "||a + b||"),
    (lambda a, b: 2 * np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300), "twice"),
    (lambda a, b: np.linalg.norm(a - b), "absolute error"),
]


def _as_lists(*args):
    e, d = _own_check(*args)
    return e.tolist(), d.tolist()


def _fixed_step(f, x, grad, entries, directions, eps):
    return _own_check(f, x, grad, entries, directions, 1e-5)


def _over_analytic(f, x, grad, entries, directions, eps):
    def score(n, a):
        return np.divide(np.abs(n - a), np.abs(a), out=np.zeros_like(n), where=a != 0)

    return _learner_checker(lambda n, a: score(n, a))(f, x, grad, entries, directions, eps)


# Wrong answers typed for exercise 3 (my_gradient_check).
CHECKER_WRONG = [
    (_as_lists, "NumPy arrays"),
    (lambda *a: tuple(np.array(r) for r in _as_lists(*a)), None),  # the fix of the above: right
    (_fixed_step, "step is fixed"),
    (lambda *a: _own_check(*a)[::-1], "pair is swapped"),
    (_over_analytic, "analytic value alone"),
    (lambda *a: (_own_check(*a)[0], np.array([])), "direction errors are missing"),
    (lambda *a: _own_check(*a, forward=True), "forward differences"),
    (lambda *a: _own_check(*a, span=1.0), "twice too large"),
    (lambda *a: _own_check(*a, absolute=True), "absolute errors"),
    (lambda *a: _own_check(*a, restore=False), "not as it was"),
    (_learner_checker(lambda n, a: abs(n - a) / np.maximum(1.0, abs(n) + abs(a))), "floor of 1"),
]


@pytest.mark.parametrize("wrong, words", CENTRAL_WRONG)
def test_typed_wrong_numerical_grad_are_named(wrong, words):
    with np.errstate(all="ignore"):
        fb = nb06.check_central_difference(wrong)
    assert fb.status in ("wrong", "error") and words in fb.message, fb
    assert "not the expected values" not in fb.message


@pytest.mark.parametrize("wrong, words", REL_WRONG)
def test_typed_wrong_relative_error_are_named(wrong, words):
    fb = nb06.check_relative_error(wrong)
    assert fb.status in ("wrong", "error") and words in fb.message, fb
    assert "not the expected values" not in fb.message


@pytest.mark.parametrize("wrong, words", CHECKER_WRONG)
def test_typed_wrong_gradient_checkers_are_named(wrong, words):
    with np.errstate(all="ignore"):
        fb = nb06.check_gradient_checker(wrong)
    if words is None:
        assert fb.passed, fb
        return
    assert fb.status in ("wrong", "error") and words in fb.message, fb
    assert "not the expected values" not in fb.message


def test_a_passing_checker_serves_the_next_cells():
    """Whatever passes exercise 3 works where the notebook uses it next: .max() on both results,
    entries given as [] (directions only) and directions as one array."""
    (f, x, grad, _, directions, eps) = nb06._check_case(61, (4, 3))()
    for fn in (_own_check, _learner_checker(lambda n, a: np.abs(n - a) / (np.abs(n) + np.abs(a)))):
        if not nb06.check_gradient_checker(fn).passed:
            continue
        errors = fn(f, x, grad, [], directions, eps)
        assert errors[1].max() < 1e-6 and errors[0].size == 0


def test_remembering_computes_each_point_once():
    x = np.array([1.0, 2.0])
    calls = []
    f = nb06.remembering(lambda: calls.append(1) or float(np.sum(x**2)), x)
    assert f() == 5.0 and f() == 5.0 and len(calls) == 1
    x[0] = 3.0
    assert f() == 13.0 and len(calls) == 2  # a changed x is a new point
    x[0] = 1.0
    assert f() == 5.0 and len(calls) == 2
    with pytest.raises(ValueError, match="NumPy array"):
        nb06.remembering(lambda: 0.0, [1.0])


# Issue 19 §4: wrong answers a newcomer typed (the review's, then our own), each with the words of
# the reply that names it; none may get the generic "not the expected values".
def _first_row_loop(f, x, eps):
    g = np.zeros_like(x)
    for k in range(x.shape[-1]):  # the columns of one row: all of a vector, the first row of a matrix
        old = x.flat[k]
        x.flat[k] = old + eps
        up = f()
        x.flat[k] = old - eps
        down = f()
        x.flat[k] = old
        g.flat[k] = (up - down) / (2 * eps)
    return g


def _whole_rows(f, x, eps):
    g = np.zeros_like(x)
    for k in range(len(x)):  # x[k] of a matrix is a whole row
        old = np.copy(x[k])
        x[k] = old + eps
        up = f()
        x[k] = old - eps
        down = f()
        x[k] = old
        g[k] = (up - down) / (2 * eps)
    return g


def _integer_gradient(f, x, eps):
    g = np.zeros(x.shape, dtype=int)
    g[...] = _central(f, x, eps)
    return g


CENTRAL_TYPED = [
    (_first_row_loop, "first row"),  # the newcomer review's
    (_whole_rows, "whole row"),
    (_integer_gradient, "whole numbers"),
    (lambda f, x, eps: _central(f, x, eps).ravel(), "flat"),
    (lambda f, x, eps: _central(f, x, eps) / eps, "divided by ε"),
    (lambda f, x, eps: _central(f, x, eps) * 2 * eps, "not divided"),
    (lambda f, x, eps: _central(f, x, eps).tolist(), "list"),
    (lambda f, x, eps: np.full(x.shape, np.nan), "NaN"),
    (lambda f, x, eps: float(np.sum(_central(f, x, eps))), "one number"),
    (lambda f, x, eps: _central(f, x, eps) * eps**2, "left to right"),
    # A second round, typed after the catalogue above was written.
    (lambda f, x, eps: _central(f, x, eps) / 2, "0.5 times"),
    (lambda f, x, eps: _central(f, x, eps, step=eps * 10), "a step other than the eps"),
    # A third round, typed after the second was named.
    (lambda f, x, eps: _forward_over_two_eps(f, x, eps), "forward differences divided by 2ε"),
    # A fourth round: no formula of the catalogue, named by what the result shows.
    (lambda f, x, eps: _central(f, x, eps) * (np.arange(x.size).reshape(x.shape) > 0), "loop skips them"),
    (lambda f, x, eps: _central(f, x, eps) * (np.arange(x.size).reshape(x.shape) < x.size - 1), "loop skips"),
    (lambda f, x, eps: np.abs(_central(f, x, eps)), "some signs are flipped"),
]


def _rel_norm_difference(a, b):
    d = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if d == 0 else abs(np.linalg.norm(a) - np.linalg.norm(b)) / d


REL_TYPED = [
    (_rel_norm_difference, "difference of the norms"),
    (lambda a, b: np.linalg.norm(a - b) / max(np.linalg.norm(a), 1e-300) + np.linalg.norm(b), "parentheses"),
    (lambda a, b: np.linalg.norm(a - b) / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-300), "product"),
    (
        lambda a, b: 1 - np.dot(a, b) / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-300),
        "cosine",
    ),
    (lambda a, b: np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-300), "entry by entry"),
    (lambda a, b: 100 * (nb06._rel(a, b)), "percent"),
    (lambda a, b: round(float(nb06._rel(a, b)), 2), "rounded"),
    (
        lambda a, b: (
            np.sqrt(np.sum(a - b) ** 2) / max(np.sqrt(np.sum(a) ** 2) + np.sqrt(np.sum(b) ** 2), 1e-300)
        ),
        "sum of the entries",
    ),
    (lambda a, b: [nb06._rel(a, b)], "list"),
    (lambda a, b: nb06._rel(a, b) ** 2, "squared"),
    # A second round, typed after the catalogue above was written.
    (lambda a, b: nb06._rel(a, b) / 2, "half"),
    (
        lambda a, b: np.linalg.norm(a - b, 1) / max(np.linalg.norm(a, 1) + np.linalg.norm(b, 1), 1e-300),
        "one-norms",
    ),
    # A third round, typed after the second was named: the last one was accepted before.
    (_rel_threshold, "below a threshold"),
    (lambda a, b: np.linalg.norm(a - b) / max(np.abs(a).max() + np.abs(b).max(), 1e-300), "max-norms"),
    (lambda a, b: nb06._rel(a, b) if np.linalg.norm(a) > 0 else 0.0, "whenever a is zero"),
    (lambda a, b: nb06._rel(a, b) if np.linalg.norm(b) > 0 else 0.0, "whenever b is zero"),
    # A fourth round: no formula of the catalogue, named by a property every right answer has.
    (
        lambda a, b: np.sum((a - b) ** 2) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300),
        "outside [0, 1]",
    ),
    (lambda a, b: np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b) + 1), "by 1000"),
    (
        lambda a, b: np.linalg.norm(a - b) / (2 * np.linalg.norm(b)) if np.linalg.norm(b) else 0.0,
        "swapping a and b",
    ),
]


def _checker_variant(analytic=None, numeric_move=None, score=None, step_reaches_f=True, down_unit=False):
    """The learner's checker, with one of its parts replaced by a typed mistake."""

    def my_gradient_check(f, x, grad, entries, directions, eps):
        old = x.copy()

        def slope(u):
            m = u if numeric_move is None else numeric_move(u)
            if not step_reaches_f:
                x2 = old + eps * m  # noqa: F841 - the mistake: f() reads x, which never moves
                up = f()
                down = f()
                return (up - down) / (2 * eps)
            x[...] = old + eps * m
            up = f()
            x[...] = old - (eps if down_unit else eps * m)
            down = f()
            x[...] = old
            return (up - down) / (2 * eps)

        moves = [np.eye(1, x.size, int(k)).reshape(x.shape) for k in np.ravel(entries)] + list(directions)
        n = np.array([slope(u) for u in moves])
        a = np.array([np.sum(grad * u) if analytic is None else analytic(grad, u) for u in moves])
        if score is None:
            d = np.abs(n) + np.abs(a)
            e = np.divide(np.abs(n - a), d, out=np.zeros_like(d), where=d > 0)
        else:
            e = score(n, a)
        return e[: len(np.ravel(entries))], e[len(np.ravel(entries)) :]

    return my_gradient_check


def _zero_safe(num, den):
    return np.divide(num, den, out=np.zeros_like(den), where=den > 0)


CHECKER_TYPED = [
    (_checker_variant(analytic=lambda grad, u: grad.sum()), "grad.sum()"),  # the newcomer review's
    (_checker_variant(numeric_move=lambda u: u / np.linalg.norm(u)), "normalised"),  # the review's
    (_checker_variant(step_reaches_f=False), "never reaches f"),  # the review's
    (_checker_variant(score=lambda n, a: _zero_safe(n - a, np.abs(n) + np.abs(a))), "signed"),
    (_checker_variant(score=lambda n, a: _zero_safe(np.abs(n - a), np.abs(n + a))), "|n + a|"),
    (
        _checker_variant(score=lambda n, a: _zero_safe(np.abs(n - a), np.maximum(abs(n), abs(a)))),
        "max(|n|, |a|)",
    ),
    (_checker_variant(score=lambda n, a: n), "slopes themselves"),
    (_checker_variant(score=lambda n, a: a), "slopes themselves"),
    (_checker_variant(down_unit=True), "x − ε"),
    (_checker_variant(analytic=lambda grad, u: np.sum(grad * u) / np.linalg.norm(u)), "normalised"),
    (
        lambda *a: tuple(float(np.max(e)) for e in _own_check(*a)),
        "one error per entry",
    ),
    # A second round, typed after the catalogue above was written.
    (lambda *a: tuple(e / 2 for e in _own_check(*a)), "0.5 times"),
    (lambda *a: (_own_check(*a)[0],) * 2, "both results are the entries' errors"),
    # A third round, typed after the second was named.
    (lambda *a: (_own_check(*a)[0], _own_check(*a)[1][:1]), "expected shape"),
    (lambda *a: tuple(100 * e for e in _own_check(*a)), "100 times"),
    # A fourth round, typed after the third was named.
    (
        _checker_variant(
            score=lambda n, a: np.divide(
                np.abs(n - a), np.abs(n) + np.abs(a), out=np.ones_like(n), where=np.abs(n) + np.abs(a) > 0
            )
        ),
        "score 0/0 as 0",
    ),
]


@pytest.mark.parametrize("wrong, words", CENTRAL_TYPED)
def test_numerical_grad_names_every_typed_wrong_answer(wrong, words):
    with np.errstate(all="ignore"):
        expect_named(nb06.check_central_difference(wrong), words)


@pytest.mark.parametrize("wrong, words", REL_TYPED)
def test_relative_error_names_every_typed_wrong_answer(wrong, words):
    with np.errstate(all="ignore"):
        expect_named(nb06.check_relative_error(wrong), words)


@pytest.mark.parametrize("wrong, words", CHECKER_TYPED)
def test_my_gradient_check_names_every_typed_wrong_answer(wrong, words):
    with np.errstate(all="ignore"):
        expect_named(nb06.check_gradient_checker(wrong), words)


def test_no_typed_wrong_answer_of_06_gets_the_generic_reply():
    with np.errstate(all="ignore"):
        replies = [nb06.check_central_difference(w) for w, _ in CENTRAL_WRONG + CENTRAL_TYPED]
        replies += [nb06.check_relative_error(w) for w, _ in REL_WRONG + REL_TYPED]
        replies += [nb06.check_gradient_checker(w) for w, words in CHECKER_WRONG + CHECKER_TYPED if words]
    assert generic_share(replies) == 0


def test_the_typed_replies_speak_chinese():
    cu.set_language("zh")
    try:
        with np.errstate(all="ignore"):
            still = nb06.check_gradient_checker(_checker_variant(step_reaches_f=False))
            row = nb06.check_central_difference(_first_row_loop)
        scalars = nb06.check_gradient_checker(lambda *a: tuple(float(np.max(e)) for e in _own_check(*a)))
    finally:
        cu.set_language("en")
    assert "这一步根本没有到达 f" in still.message, still
    assert "只填了第一行" in row.message, row
    assert "该返回数组的地方你返回了一个数（float, float）" in scalars.message, scalars


# Issue 19, newcomer review b (helper r3): an endless loop in exercise 1 or 3 hung the checker, whose
# own run for a step left in x had no time limit; each now replies after one run past the limit.
def _endless_counted(calls):
    def endless(*args):
        calls.append(1)
        while True:
            pass

    return endless


@pytest.mark.parametrize(
    "check", [nb06.check_central_difference, nb06.check_relative_error, nb06.check_gradient_checker]
)
def test_an_endless_loop_stops_at_the_first_run_past_the_limit(monkeypatch, check):
    from course_utils.notebooks import _guard

    monkeypatch.setattr(_guard, "DEFAULT_TIME_LIMIT", 0.3)
    calls = []
    expect(check(_endless_counted(calls)), "error", "did not return within 0.3 seconds", "loop")
    assert len(calls) == 1


def _scored(sign=1, first=None):
    """A gradient checker like the exercise's, with its central difference's sign and entries varied."""

    def check(f, x, grad, entries, directions, eps):
        old = x.copy()

        def slope(m):
            x[...] = old + eps * m
            up = f()
            x[...] = old - eps * m
            down = f()
            x[...] = old
            return sign * (up - down) / (2 * eps)

        picked = np.asarray(entries, dtype=int).ravel()[:first]
        moves = [np.eye(1, x.size, k).reshape(x.shape) for k in picked] + list(directions)
        n = np.array([slope(m) for m in moves])
        a = np.array([float(np.sum(grad * m)) for m in moves])
        d = np.abs(n) + np.abs(a)
        err = np.divide(np.abs(n - a), d, out=np.zeros_like(d), where=d > 0)
        return err[: len(picked)], err[len(picked) :]

    return check


# Issue 19, newcomer review b (helper r3): an answer accepted and four misleading replies, each named.
@pytest.mark.parametrize(
    "check, wrong, words",
    [
        (nb06.check_gradient_checker, _scored(first=10), "first 10 entries"),
        (nb06.check_gradient_checker, _scored(sign=-1), "sign is flipped"),
        (
            nb06.check_gradient_checker,
            lambda f, x, grad, entries, directions, eps: (
                np.full(len(entries), np.nan),
                np.full(len(directions), np.nan),
            ),
            "not the 0/0 case",
        ),
        (
            nb06.check_gradient_checker,
            lambda *a: nb06.reference_gradient_check(*a),
            "reference_gradient_check",
        ),
        (
            nb06.check_relative_error,
            lambda a, b: np.abs(a - b).max() / (np.linalg.norm(a) + np.linalg.norm(b)),
            "max |a − b|",
        ),
    ],
)
def test_the_second_newcomers_checker_answers_are_named(check, wrong, words):
    expect_named(check(wrong), words)


def test_the_sign_and_nan_replies_leave_the_right_checker_and_the_zero_case_alone():
    expect(nb06.check_gradient_checker(_scored()), "correct")
    fb = nb06.check_gradient_checker(
        lambda f, x, grad, e, d, eps: tuple(
            np.where(r == 0, np.nan, r) for r in nb06._my_check(f, x, grad, e, d, eps)
        )
    )
    expect(fb, "wrong", "0/0")
    assert "sign" not in fb.message
