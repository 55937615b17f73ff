"""The companion of notebook 06 · Gradient checking.

Its widget's state, picture and live view, and its checkers.
"""

import numpy as np
from checking_helpers import expect

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
    expect(exercise.checker(exercise.reference), "wrong", "calls the course's own _my_check")


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
