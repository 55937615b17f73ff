"""Notebooks 05 and 06: the newcomer review's leftovers of issue 19 and a new round of typed answers.

Each leftover is a test that failed before its fix (checked by running it on the commit before it);
each typed wrong answer must get a reply that names its mistake, never the bare generic one.
"""

import numpy as np
import pytest
from checking_helpers import expect, expect_named, generic_share, hand_softmax

import course_utils as cu
from course_utils.notebooks import nb05_fused_cross_entropy as nb05
from course_utils.notebooks import nb06_gradient_checking as nb06


def _onehot(z, y):
    return np.eye(z.shape[1])[y]


def _fused(z, y):
    return (hand_softmax(z) - _onehot(z, y)) / len(y)


def _soft(z, t):
    return (hand_softmax(z) * t.sum(axis=1, keepdims=True) - t) / len(z)


# ---- 05: the review's leftovers ----


def test_dividing_soft_targets_by_their_total_is_named():
    """(h·Σt − t)/t.sum() divides by the sum of all targets, N only when every row sums to 1."""
    expect_named(nb05.check_soft_target_grad(lambda z, t: _soft(z, t) * len(z) / t.sum()), "t.sum()")


def test_dividing_by_the_total_of_a_one_hot_is_right_and_accepted():
    """Decision: for labels, t.sum() of the one-hot is N exactly, so /t.sum() is the right number: ✓."""
    expect(nb05.check_fused_grad(lambda z, y: _fused(z, y) * len(y) / _onehot(z, y).sum()), "correct")
    # and a per-row total (1 for a one-hot row) is the lost 1/N
    expect_named(
        nb05.check_fused_grad(lambda z, y: _fused(z, y) * len(y) / _onehot(z, y).sum(axis=1, keepdims=True)),
        "factor of N",
    )


def test_a_bool_one_hot_is_accepted():
    """Decision: h − a bool one-hot is the same float64 number as h − a float one: ✓."""
    expect(
        nb05.check_fused_grad(lambda z, y: (hand_softmax(z) - np.eye(z.shape[1], dtype=bool)[y]) / len(y)),
        "correct",
    )


def test_a_float32_result_for_float64_logits_is_named_not_passed():
    """Decision: name it (7 digits where 16 came in); before, both exercises gave ✓."""
    expect_named(nb05.check_fused_grad(lambda z, y: _fused(z, y).astype(np.float32)), "float32")
    expect_named(nb05.check_soft_target_grad(lambda z, t: _soft(z, t).astype(np.float32)), "float32")


def test_a_guard_added_to_h_is_named_not_taken_for_float32():
    """np.log(h + 1e-8) was told "float32 arithmetic somewhere?", a different mistake."""

    def guarded(z, y):
        h = np.exp(np.log(hand_softmax(z) + 1e-8))
        return (h - _onehot(z, y)) / len(y)

    fb = expect_named(nb05.check_fused_grad(guarded), "np.log(h + 1e-8)")
    assert "float32" not in fb.message

    def guarded_soft(z, t):
        return (hand_softmax(z + 0) + 1e-8) * t.sum(axis=1, keepdims=True) / len(z) - t / len(z)

    expect_named(nb05.check_soft_target_grad(guarded_soft), "guard")


def test_rows_set_by_the_label_are_named():
    def rows_by_label(z, y):
        t = np.zeros_like(z)
        t[y] = 1
        return (hand_softmax(z) - t) / len(y)

    def every_row(z, y):
        t = np.zeros_like(z)
        for k in range(len(y)):
            t[k] = 1
        return (hand_softmax(z) - t) / len(y)

    expect_named(nb05.check_fused_grad(rows_by_label), "t[y] = 1")
    expect_named(nb05.check_fused_grad(every_row), "t[k, y[k]] = 1")


# ---- 05: a new round of typed wrong answers ----


def _all_but_last_row(z, y):
    d = hand_softmax(z)
    for n in range(len(y) - 1):
        d[n, y[n]] -= 1
    return d / len(y)


def _shifts_z_in_place(z, y):
    z -= z.max(axis=1, keepdims=True)
    return _fused(z, y)


def _loss_and_grad(z, y):
    return cu.cross_entropy(z, y), _fused(z, y)


FUSED_NEW = [
    (_all_but_last_row, "skips them"),
    (lambda z, y: 2 * _fused(z, y), None),
    (lambda z, y: _fused(z, y).T, None),
    (lambda z, y: (hand_softmax(z) - np.eye(len(y))[y][:, : z.shape[1]]) / len(y), None),
    (_shifts_z_in_place, "in place"),
    (lambda z, y: cu.cross_entropy_grad(z, y), "course's own"),
    (lambda z, y: (cu.softmax(z.ravel()).reshape(z.shape) - _onehot(z, y)) / len(y), "whole batch"),
    (lambda z, y: _fused(z, y).mean(axis=1), None),
    (_loss_and_grad, None),
    (lambda z, y: (_onehot(z, y) - hand_softmax(z)) / len(y), "sign"),
]


def _soft_all_but_first(z, t):
    g = hand_softmax(z) * t.sum(axis=1, keepdims=True)
    for n in range(1, len(z)):
        g[n] -= t[n]
    return g / len(z)


def _normalises_t_in_place(z, t):
    t /= t.sum(axis=1, keepdims=True)
    return (hand_softmax(z) - t) / len(z)


SOFT_NEW = [
    (lambda z, t: _soft(z, t) * len(z) / t.sum(), "t.sum()"),
    (_soft_all_but_first, "skips them"),
    (lambda z, t: _soft(z, t).T, None),
    (_normalises_t_in_place, "in place"),
    (lambda z, t: cu.cross_entropy_grad(z, t), None),
    (lambda z, t: (t - hand_softmax(z) * t.sum(axis=1, keepdims=True)) / len(z), "sign"),
    (lambda z, t: 2 * _soft(z, t), None),
    (lambda z, t: (cu.softmax(z, axis=0) * t.sum(axis=1, keepdims=True) - t) / len(z), "axis"),
]


@pytest.mark.parametrize("wrong, words", FUSED_NEW)
def test_new_typed_fused_grad_answers_are_named(wrong, words):
    with np.errstate(all="ignore"):
        expect_named(nb05.check_fused_grad(wrong), *([words] if words else []))


@pytest.mark.parametrize("wrong, words", SOFT_NEW)
def test_new_typed_soft_target_grad_answers_are_named(wrong, words):
    with np.errstate(all="ignore"):
        expect_named(nb05.check_soft_target_grad(wrong), *([words] if words else []))


# ---- 06: the review's leftovers ----


def _norm(v, *args, **kwargs):
    return np.linalg.norm(v, *args, **kwargs)


def _rel_with(norm):
    def relative_error(a, b):
        d = norm(a) + norm(b)
        return 0.0 if d == 0 else norm(a - b) / d

    return relative_error


def test_a_spectral_norm_is_tested_on_matrices_and_named():
    """Before: every case was a vector, so np.linalg.norm(v, 2) passed; gradients are matrices."""
    expect_named(nb06.check_relative_error(_rel_with(lambda v: _norm(v, 2))), "spectral norm")
    expect_named(nb06.check_relative_error(_rel_with(lambda v: _norm(v, axis=-1).max())), "matrix")
    # np.linalg.norm(v) with no ord is the two-norm of all the entries, for any shape: ✓
    expect(nb06.check_relative_error(_rel_with(_norm)), "correct")
    expect(nb06.check_relative_error(_rel_with(lambda v: np.sqrt(np.sum(v**2)))), "correct")


def test_one_for_both_zero_is_named_as_such_not_a_floor():
    """Before: told "a floor of 1 in the denominator", which the code does not have."""

    def one_when_both_zero(a, b):
        d = _norm(a) + _norm(b)
        return 1.0 if d == 0 else _norm(a - b) / d

    fb = expect_named(nb06.check_relative_error(one_when_both_zero), "both zero you return 1")
    assert "floor" not in fb.message

    def one_below_a_threshold(a, b):
        d = _norm(a) + _norm(b)
        return _norm(a - b) / (d if d > 1e-8 else 1.0)

    fb = expect_named(nb06.check_relative_error(one_below_a_threshold), "below a small threshold")
    assert "floor" not in fb.message
    # A 1.0 in place of a zero denominator changes no number: that is right, and passes.
    for right in (
        lambda a, b: _norm(a - b) / (1.0 if _norm(a) + _norm(b) == 0 else _norm(a) + _norm(b)),
        lambda a, b: _norm(a - b) / ((_norm(a) + _norm(b)) or 1.0),
    ):
        expect(nb06.check_relative_error(right), "correct")
    # and a true floor of 1 keeps its own name
    expect_named(
        nb06.check_relative_error(lambda a, b: _norm(a - b) / max(_norm(a) + _norm(b), 1.0)), "floor of 1"
    )


def _central_without_restore(f, x, eps):
    grad = np.zeros_like(x)
    for i in range(len(x)):
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        down = f()
        grad[i] = (up - down) / (2 * eps)
    return grad


def test_a_missing_restore_is_named_not_taken_for_aliasing():
    """Before: "old = x[i] copies nothing" (the aliasing mistake); old = x[i] of a vector is a copy."""
    fb = expect_named(
        nb06.check_central_difference(_central_without_restore), "nothing puts the old value back"
    )
    assert "copies nothing" not in fb.message


def _checker(f, x, grad, entries, directions, eps, *, unit=None, restore=True, entries_of=None):
    old = x.copy()

    def slope(m):
        x[...] = old + eps * m
        up = f()
        x[...] = old - eps * m
        down = f()
        if restore:
            x[...] = old
        else:
            x[...] = x  # the newcomer's line that restores nothing
        return (up - down) / (2 * eps)

    moves = []
    for k in entries if entries_of is None else entries_of(entries):
        e = np.zeros_like(x)
        if unit is None:
            e.flat[k] = 1.0
        else:
            unit(e, k)
        moves.append(e)
    moves += list(directions)
    n = np.array([slope(m) for m in moves])
    a = np.array([np.sum(grad * m) for m in moves])
    d = np.abs(n) + np.abs(a)
    err = np.divide(np.abs(n - a), d, out=np.zeros_like(d), where=d > 0)
    return err[: len(moves) - len(directions)], err[len(moves) - len(directions) :]


def _row_unit(e, k):
    e[k] = 1.0


def test_a_unit_move_that_sets_a_row_is_named():
    """e[k] = 1 on a matrix: an IndexError past the last row, a whole row before it."""
    fb = expect_named(nb06.check_gradient_checker(lambda *a: _checker(*a, unit=_row_unit)), "e.flat[k] = 1")
    assert "IndexError" in fb.message


def test_a_checker_that_leaves_x_stepped_is_named():
    expect_named(
        nb06.check_gradient_checker(lambda *a: _checker(*a, restore=False)), "nothing puts the old value back"
    )
    expect(nb06.check_gradient_checker(_checker), "correct")


# ---- 06: a new round of typed wrong answers ----


def _central(f, x, eps, *, stop=0, sign=1, step=1.0, out=None):
    grad = np.zeros_like(x) if out is None else out(x)
    for k in range(x.size - stop):
        old = x.flat[k]
        x.flat[k] = old + step * eps
        up = f()
        x.flat[k] = old - step * eps
        down = f()
        x.flat[k] = old
        grad.flat[k] = sign * (up - down) / (2 * eps)
    return grad


def _grad_is_x(f, x, eps):
    grad = x
    for k in range(x.size):
        old = x.flat[k]
        x.flat[k] = old + eps
        up = f()
        x.flat[k] = old - eps
        down = f()
        x.flat[k] = old
        grad.flat[k] = (up - down) / (2 * eps)
    return grad


def _as_list(f, x, eps):
    return [float(v) for v in _central(f, x, eps).ravel()]


CENTRAL_NEW = [
    (lambda f, x, eps: _central(f, x, eps, stop=1), "loop skips"),
    (lambda f, x, eps: _central(f, x, eps, sign=-1), None),
    (lambda f, x, eps: _central(f, x, eps, step=2.0), None),
    (_central_without_restore, "old value back"),
    (_grad_is_x, None),
    (_as_list, None),
    (lambda f, x, eps: _central(f, x, eps).T, None),
    (lambda f, x, eps: _central(f, x, eps) / 2, None),
]


def _ratio(num, den):
    return 0.0 if den == 0 else num / den


REL_NEW = [
    (lambda a, b: _ratio(_norm(a - b, 2), _norm(a, 2) + _norm(b, 2)), "spectral"),
    (lambda a, b: 1.0 if _norm(a) + _norm(b) == 0 else _ratio(_norm(a - b), _norm(a) + _norm(b)), "return 1"),
    (lambda a, b: round(_ratio(_norm(a - b), _norm(a) + _norm(b)), 4), "rounded"),
    (lambda a, b: _ratio(_norm(a - b), _norm(a) + _norm(b) + 1e-12), None),
    (lambda a, b: _ratio(_norm(a.T - b), _norm(a) + _norm(b)), None),
    (lambda a, b: _ratio(np.abs(a - b).max(), _norm(a) + _norm(b)), None),
    (lambda a, b: _ratio(_norm(a - b, axis=0).sum(), _norm(a) + _norm(b)), None),
    (lambda a, b: 1 - _ratio(_norm(a - b), _norm(a) + _norm(b)), None),
]


def _first_entries_only(f, x, grad, entries, directions, eps):
    e, _d = _checker(f, x, grad, entries, directions, eps)
    return e, np.zeros(len(directions))


CHECKER_NEW = [
    (lambda *a: _checker(*a, unit=_row_unit), "e.flat[k] = 1"),
    (lambda *a: _checker(*a, restore=False), "old value back"),
    (lambda *a: _checker(*a, entries_of=lambda e: list(e)[:-1]), None),
    (lambda f, x, grad, entries, directions, eps: _checker(f, x, grad, entries, directions, 1e-5), None),
    (lambda *a: tuple(r.max() for r in _checker(*a)), None),
    (lambda *a: np.concatenate(_checker(*a)), None),
    (_first_entries_only, "never scored"),
    (lambda *a: tuple(1 - r for r in _checker(*a)), None),
]


@pytest.mark.parametrize("wrong, words", CENTRAL_NEW)
def test_new_typed_numerical_grad_answers_are_named(wrong, words):
    with np.errstate(all="ignore"):
        expect_named(nb06.check_central_difference(wrong), *([words] if words else []))


@pytest.mark.parametrize("wrong, words", REL_NEW)
def test_new_typed_relative_error_answers_are_named(wrong, words):
    with np.errstate(all="ignore"):
        expect_named(nb06.check_relative_error(wrong), *([words] if words else []))


@pytest.mark.parametrize("wrong, words", CHECKER_NEW)
def test_new_typed_gradient_checker_answers_are_named(wrong, words):
    with np.errstate(all="ignore"):
        expect_named(nb06.check_gradient_checker(wrong), *([words] if words else []))


def test_no_new_typed_answer_gets_the_generic_reply():
    with np.errstate(all="ignore"):
        replies = [nb05.check_fused_grad(w) for w, _ in FUSED_NEW]
        replies += [nb05.check_soft_target_grad(w) for w, _ in SOFT_NEW]
        replies += [nb06.check_central_difference(w) for w, _ in CENTRAL_NEW]
        replies += [nb06.check_relative_error(w) for w, _ in REL_NEW]
        replies += [nb06.check_gradient_checker(w) for w, _ in CHECKER_NEW]
    assert generic_share(replies) == 0


def test_the_new_replies_speak_chinese():
    cu.set_language("zh")
    try:
        soft = nb05.check_soft_target_grad(SOFT_NEW[0][0])
        spectral = nb06.check_relative_error(REL_NEW[0][0])
        restore = nb06.check_central_difference(_central_without_restore)
    finally:
        cu.set_language("en")
    assert "t.sum()" in soft.message and "行数" in soft.message, soft
    assert "谱范数" in spectral.message, spectral
    assert "没有把旧值放回去" in restore.message and restore.see.heading, restore


# ---- The expert's findings in the text of 05 and 06: conditions stated, checks that can fail ----

_ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def _cell(name, cell_id, edition="solutions"):
    import nbformat

    folder = _ROOT / "notebooks" / ("zh/solutions" if edition == "zh" else "solutions")
    nb = nbformat.read(folder / f"{name}.ipynb", as_version=4)
    return next(c for c in nb.cells if c.id == cell_id)


def _printed(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")


def test_05_says_the_long_route_gives_nan_when_any_h_underflows():
    """HIGH: −t/h is 0/0 = NaN wherever an h_k underflows, whatever the label, not only on overflow."""
    text = _cell("05_fused_cross_entropy", "a759ac31").source
    assert "0/0" in text and "103.97 - \\log S" in text and "745.13 - \\log S" in text
    assert "z = (10, 0, -100)" in text
    summary = _cell("05_fused_cross_entropy", "59b93f83").source
    assert "103.97 - \\log S" in summary and "745.13 - \\log S" in summary
    checked = _cell("05_fused_cross_entropy", "c0ffee05")
    out = _printed(checked)
    assert "✓ h_2 underflowed to 0 and −t_2/h_2 = 0/0 is NaN" in out
    assert "✓ float32: within two steps" in out and "✓ float64: within two steps" in out
    assert "(predicted: 103.97" in out and "(predicted: 745.13" in out


def test_the_0_over_0_case_is_what_the_code_finds():
    """The cell's own case, outside the notebook: float32 z = (10, 0, −100), label 0."""
    z = np.array([10.0, 0.0, -100.0], dtype=np.float32)
    h = cu.softmax(z)
    with np.errstate(all="ignore"):
        g = -np.array([1.0, 0.0, 0.0], dtype=np.float32) / h
        long_way = g @ cu.softmax_jacobian(z)
    assert h[2] == 0 and np.isnan(g[2]) and np.isnan(long_way).all() and h[0] > 0.99


def test_06_the_10_over_9_is_measured_on_the_bug_with_its_condition():
    """The old check rel_error(10/9·a, a) held by construction; the new one runs the bug itself."""
    cell = _cell("06_gradient_checking", "b7c41e26")
    assert "10 / 9 * a_any" not in cell.source and "binary_cross_entropy" in cell.source
    out = _printed(cell)
    assert "✓ small logits (near-uniform outputs): every ratio within 1% of 10/9" in out
    assert "✓ larger logits: the ratios leave [0.82, 1.22]" in out
    assert "while the weights are small" in _cell("06_gradient_checking", "5e0d8a93").source


def test_06_the_blank_pixel_zeros_hold_without_l2_only():
    assert "as long as the loss has no L2 penalty" in _cell("06_gradient_checking", "e9f06ced").source
    out = _printed(_cell("06_gradient_checking", "20146e30"))
    assert "✓ with an L2 penalty λ = 1e-3 they are not 0" in out


def test_06_the_best_float32_error_is_bounded_on_its_value():
    cell = _cell("06_gradient_checking", "98947b3c")
    assert 'np.nanmin(s32["central"]) > 1e-6' not in cell.source
    assert (
        "✓ float32: the best step of the grid reaches an error within a factor of 10 of u^(2/3)"
        in _printed(cell)
    )


def test_06_the_detection_limit_is_claimed_for_the_20_entries_it_checks():
    cell = _cell("06_gradient_checking", "e3f4047d")
    out = _printed(cell)
    assert "✓ the limit lies within a factor of 10 of tol·‖G‖ for each of these 20 entries" in out
    assert "✓ such entries exist, and they are rare" in out
    prose = _cell("06_gradient_checking", "7fed6a29").source
    assert "wherever it hides" not in prose and "these 20" in prose


def test_the_chinese_edition_carries_the_new_checks():
    assert "✓ h_2 下溢为 0" in _printed(_cell("05_fused_cross_entropy", "c0ffee05", "zh"))
    assert "✓ logit 更大时" in _printed(_cell("06_gradient_checking", "b7c41e26", "zh"))


def test_the_widget_says_where_the_underflowed_route_is_nan():
    """Past h = 0 the route is −inf at the label and 0/0 = NaN elsewhere, not −inf alone."""
    state = nb05.fused_gradient_state(800)
    assert np.isneginf(state["long_way"][0]) or np.isnan(state["long_way"]).any()
    with np.errstate(all="ignore"):
        g = -state["t"] / state["h"]
    assert np.isneginf(g[0]) and np.isnan(g[2:]).all()
    assert "0/0 = NaN" in nb05.describe_fused(state)
