"""The checker machinery every companion shares: stubs, crashes, in-place edits, reproducible feedback."""

import ast
import json
import re
from pathlib import Path

import numpy as np
import pytest
from checking_helpers import expect

from course_utils.notebooks import NOTEBOOKS, _checking, companion
from course_utils.notebooks import nb01_softmax as nb01
from course_utils.notebooks import nb05_fused_cross_entropy as nb05


def test_not_implemented_is_friendly():
    def stub(z):
        raise NotImplementedError

    fb = expect(nb01.check_softmax(stub), "not implemented", "not implemented yet")
    assert not fb.passed
    assert repr(fb).startswith("… softmax:")


def test_a_crash_is_reported_not_raised():
    expect(nb01.check_softmax(lambda z: z.nope), "error", "AttributeError")


def test_not_a_function():
    expect(nb01.check_softmax(np.zeros(3)), "error", "pass your function itself")


def test_changing_the_input_in_place_is_named():
    def sneaky(z):
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z

    expect(nb01.check_softmax(sneaky), "wrong", "changed its input array in place", "copy()")


def _noisy(z, y):
    """A wrong answer of no recognisable shape: the right one plus fixed noise.

    The noise's rows sum to 0, as every right answer's do (05 names a row sum that is not 0).
    """
    noise = np.random.default_rng(0).normal(size=z.shape)
    return nb05._fused(z, y) + noise - noise.mean(axis=1, keepdims=True)


def test_unrecognised_wrong_answer_points_at_the_difference():
    fb = expect(nb05.check_fused_grad(_noisy), "wrong", "largest difference")
    assert "expected" in fb.message


def test_feedback_is_reproducible():
    wrong = lambda z, y: np.ones_like(z)  # noqa: E731
    assert repr(nb05.check_fused_grad(wrong)) == repr(nb05.check_fused_grad(wrong))


CHECKERS = [
    (name, getattr(companion(nb), name))
    for nb in NOTEBOOKS
    for name in dir(companion(nb))
    if name.startswith("check_") and name != "check_mysteries"
]


@pytest.mark.parametrize("checker", [c for _, c in CHECKERS], ids=[n for n, _ in CHECKERS])
def test_every_checker_reports_a_stub_as_not_implemented(checker):
    def stub(*args):
        raise NotImplementedError

    assert checker(stub).status == "not implemented"


def test_every_exercise_is_graded_with_its_own_checker():
    for nb in NOTEBOOKS:
        module = companion(nb)
        checkers = {
            getattr(module, n) for n in dir(module) if n.startswith("check_") and n != "check_mysteries"
        }
        assert {e.checker for e in module.GRADED} == checkers, nb


def test_companion_refuses_an_unknown_notebook():
    with pytest.raises(ValueError, match="unknown notebook '10_more'"):
        companion("10_more")


def _hostile_answers():
    """Functions a learner could write that return or do something no exercise expects."""

    def raises(exc):
        def fn(*args):
            raise exc

        return fn

    def exits(*args):
        raise SystemExit(3)

    def generator(*args):
        yield 1.0

    return {
        "returns None": lambda *a: None,
        "returns a string": lambda *a: "h - t",
        "returns a scalar": lambda *a: 0.5,
        "returns NaN": lambda *a: float("nan"),
        "returns a dict": lambda *a: {"a": 1},
        "returns a list of lists": lambda *a: [[1.0, 2.0], [3.0]],
        "returns complex numbers": lambda *a: np.ones(3) * 1j,
        "returns an object array": lambda *a: np.array([None, "x"], dtype=object),
        "returns a huge array": lambda *a: np.zeros((50, 50, 3)),
        "returns inf": lambda *a: np.full(4, np.inf),
        "returns a tuple of the wrong length": lambda *a: (1.0, 2.0, 3.0),
        "returns its input": lambda *a: a[0],
        "returns a generator": generator,
        "raises ZeroDivisionError": raises(ZeroDivisionError("division by zero")),
        "raises IndexError": raises(IndexError("tuple index out of range")),
        "raises a broadcast ValueError": raises(ValueError("operands could not be broadcast together")),
        "calls sys.exit": exits,
        "takes no argument": lambda: 1.0,
        "takes too many": lambda a, b, c, d, e, f, g: 1.0,
    }


HOSTILE = _hostile_answers()


@pytest.mark.parametrize("checker", [c for _, c in CHECKERS], ids=[n for n, _ in CHECKERS])
def test_no_answer_makes_a_checker_raise(checker):
    for what, answer in HOSTILE.items():
        feedback = checker(answer)
        assert feedback.status in ("wrong", "error"), (what, feedback)
        assert feedback.message and "checker could not judge" not in feedback.message, (what, feedback)
        assert "np.int64" not in repr(feedback) and "np.float64" not in repr(feedback), (what, feedback)


def test_a_missing_return_and_complex_numbers_are_named():
    assert "is a `return` missing" in nb01.check_softmax(lambda z: None).message
    assert "complex" in nb01.check_softmax(lambda z: z * 1j).message


def test_an_unexpected_shape_points_at_the_section_on_n_by_one():
    fb = nb05.check_fused_grad(lambda z, y: np.zeros((len(y), 1)))
    assert fb.status == "wrong" and "one column per class, got (4, 1)" in fb.message
    assert fb.see.notebook == "04_chain_rule_reduction"
    assert fb.see.link == "04_chain_rule_reduction.ipynb#(N,-C)-or-(N,-1)?-The-learner's-equation-1"
    assert "<a href=" in fb._repr_html_() and "(see 04 · (N, C) or (N, 1)?" in repr(fb)


def test_indices_in_messages_are_plain_numbers():
    fb = nb05.check_fused_grad(_noisy)  # generic: the reply points at the largest difference
    assert fb.generic and re.search(r"at index \(\d+, \d+\)", fb.message) and "np." not in fb.message


def _sections_named_in(path):
    """Every (notebook, heading) a companion module links to, read from its source."""
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("see", "Section"):
            if all(isinstance(arg, ast.Constant) for arg in node.args):  # not see()'s own body
                found.append(tuple(arg.value for arg in node.args))
    return found


@pytest.mark.parametrize("path", sorted(Path(_checking.__file__).parent.glob("*.py")), ids=lambda p: p.name)
def test_every_linked_section_is_a_heading_of_its_notebook(path):
    from course_utils.i18n import translated

    root = Path(_checking.__file__).parents[2] / "notebooks"
    for notebook, heading in _sections_named_in(path):
        for language, folder in (("en", root), ("zh", root / "zh")):
            shown = translated(heading, language)
            for version in ("solutions", "learner"):
                nb = json.loads((folder / version / f"{notebook}.ipynb").read_text())
                headings = {
                    line.lstrip("#").strip()
                    for c in nb["cells"]
                    if c["cell_type"] == "markdown"
                    for line in "".join(c["source"]).splitlines()
                    if line.startswith("#")
                }
                assert shown in headings, (language, version, notebook, shown)
                assert "$" not in shown, "a heading with LaTeX makes no reliable anchor"


def test_a_constant_factor_and_a_sign_are_named_wherever_they_occur():
    fb = nb05.check_fused_grad(lambda z, y: -nb05._fused(z, y))
    assert "sign" in fb.message
    fb = nb05.check_soft_target_grad(lambda z, t: nb05._general(z, t) / z.shape[1])
    assert "times too small (C, the number of classes)" in fb.message or "times the right one" in fb.message
    fb = nb05.check_soft_target_grad(lambda z, t: 2.5 * nb05._general(z, t))
    assert "exactly 2.5 times the right one" in fb.message


def test_a_scalar_answer_and_float32_rounding_read_well():
    from course_utils.notebooks import nb07_mismatch_lab as nb07

    fb = nb07.check_softmax_cost(lambda h, Y: nb07._softmax_cost(h, Y) + 0.001)
    assert "expected " in fb.message and "difference is," not in fb.message
    from course_utils.notebooks._difference import _difference

    e = nb01.softmax(np.array([[0.3, -1.2, 2.5, 0.1]]))
    fb = _difference("softmax", (e.astype(np.float32).astype(np.float64),), (e,))
    got, want = re.findall(r"expected (\S+), got (\S+)", fb.message)[0]
    assert got != want.rstrip(" (") and "float32" in fb.message
    # Notebook 01's checkers name float32 themselves, before this generic reply.
    fb = nb01.check_log_softmax(lambda z: nb01.log_softmax(z.astype(np.float32)))
    assert not fb.generic and "float32" in fb.message


def test_a_broadcast_error_gets_a_hint_about_shapes_not_a_wrong_link():
    fb = nb05.check_fused_grad(lambda z, y: z - y)
    assert fb.status == "error" and "print the shape of each" in fb.message and fb.see is None


# --- issue 19 §4: no hang, no ✓ for a wrong type, replies that blame the right thing -----------------

from checking_helpers import expect_named, generic_share, hand_softmax  # noqa: E402

from course_utils.notebooks import _guard  # noqa: E402
from course_utils.notebooks import nb06_gradient_checking as nb06  # noqa: E402


def _endless(z):
    while True:
        z = z + 0


def _endless_and_stubborn(z):
    while True:
        try:
            z = z + 0
        except Exception:  # a learner's catch-all must not swallow the time limit
            pass


@pytest.mark.parametrize("answer", [_endless, _endless_and_stubborn])
def test_an_endless_loop_gets_a_time_limit_and_a_reply(monkeypatch, answer):
    monkeypatch.setattr(_guard, "DEFAULT_TIME_LIMIT", 0.5)
    fb = expect(nb01.check_softmax(answer), "error", "did not return within 0.5 seconds", "loop")
    assert "(3, 4)" in fb.message or "shapes" in fb.message


def test_the_time_limit_also_works_outside_the_main_thread(monkeypatch):
    import threading

    monkeypatch.setattr(_guard, "DEFAULT_TIME_LIMIT", 0.5)
    found = []
    worker = threading.Thread(target=lambda: found.append(nb01.check_softmax(_endless)))
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive() and found, "the checker hung in a thread"
    expect(found[0], "error", "did not return within 0.5 seconds")


def test_the_time_limit_leaves_no_alarm_behind():
    import signal

    before = signal.getsignal(signal.SIGALRM)
    expect(nb01.check_softmax(lambda z: hand_softmax(z)), "correct")
    assert signal.getsignal(signal.SIGALRM) is before and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_lists_where_the_next_cells_need_arrays_are_named_never_given_a_tick():
    as_lists = lambda *a: tuple(list(r) for r in nb06._my_check(*a))  # noqa: E731
    fb = expect_named(nb06.check_gradient_checker(as_lists), "list", "NumPy arrays")
    assert not fb.passed
    fb = expect_named(nb01.check_softmax(lambda z: hand_softmax(z).tolist()), "of type list", "NumPy array")
    # An explicit requirement: a result that must be a float, not an array.
    fb = _checking.run_checks(
        "mean",
        lambda x: np.array([x.mean()]),
        [(np.arange(4.0),)],
        lambda x: float(x.mean()),
        [],
        success="ok",
        returns=(float,),
    )
    expect_named(fb, "of type ndarray", "a float")


def test_a_broadcast_error_gets_the_keepdims_hint_only_where_it_fits():
    def forgot_keepdims(z):
        m = z.max(axis=1)
        return np.exp(z - m)

    fb = expect(nb01.check_softmax(forgot_keepdims), "error", "keepdims=True", "(3, 4) and (3,)")
    assert "sum, max or mean over axis=1" in fb.message
    # Labels used as a column of numbers: shapes named, no keepdims hint.
    fb = expect(nb05.check_fused_grad(lambda z, y: z - y), "error", "do not line up")
    assert "keepdims" not in fb.message
    # np.bincount without minlength.
    from course_utils.notebooks import nb09_bug_hunt as nb09

    fb = nb09.check_bias_gradient(lambda h, y: (h.sum(axis=0) - np.bincount(y)) / h.shape[0])
    assert "minlength" in fb.message and "keepdims" not in fb.message

    # A Jacobian allocated square where a batch of them is filled: both shapes named.
    def square(z):
        J = np.zeros((z.shape[1], z.shape[1]))
        J[:] = np.ones((z.shape[0], z.shape[1], z.shape[1]))
        return J

    fb = _checking.run_checks(
        "j", square, [(np.ones((2, 3)),)], lambda z: np.ones((2, 3, 3)), [], success="ok"
    )
    assert "(2, 3, 3) into a place of shape (3, 3)" in fb.message and "keepdims" not in fb.message


def test_the_in_place_reply_names_the_argument_and_quotes_the_learners_line():
    def aliased(z):
        s = z
        s[s < 0] = 0
        return hand_softmax(z)

    fb = expect(
        nb01.check_softmax(aliased), "wrong", "argument `z`", "`s = z`", "`s[s < 0] = 0`", "s = z.copy()"
    )
    assert fb.see is not None and fb.see.notebook == "08_mnist_two_layer_net"
    assert "d = a" not in fb.message

    def shifted(z):
        z -= z.max(axis=1, keepdims=True)
        return hand_softmax(z)

    fb = expect(nb01.check_softmax(shifted), "wrong", "in place", "z", "`z -= ...`")
    assert fb.see is None or fb.see.notebook != "08_mnist_two_layer_net"  # no aliasing: nothing in 08 to read

    def second_argument(z, y):
        y[0] = 0
        return nb05._fused(z, y)

    expect(nb05.check_fused_grad(second_argument), "wrong", "argument `y`", "`y[0] = 0`")


def test_common_mistakes_are_named_generically():
    expect_named(nb05.check_fused_grad(lambda z, y: nb05._fused(z, y[:, None])), "(N, 1)")
    expect_named(nb05.check_fused_grad(lambda z, y: nb05._fused(z, y - 1)), "y − 1")
    expect_named(nb06.check_gradient_checker(lambda *a: nb06._my_check(*a)[::-1]), "swapped")
    # Integers that are not labels (06's flat indices) are never blamed on a one-hot.
    shifted = lambda f, x, g, e, d, eps: nb06._my_check(f, x, g, e - 1, d, eps)  # noqa: E731
    assert "one-hot" not in nb06.check_gradient_checker(shifted).message
    expect_named(nb05.check_fused_grad(lambda z, y: -nb05._fused(z, y)), "sign")
    fb = _checking.run_checks(
        "t",
        lambda a: (a @ a.T).T + np.triu(np.ones_like(a), 1),
        [(np.arange(9.0).reshape(3, 3),)],
        lambda a: a @ a.T + np.tril(np.ones_like(a), -1),
        [],
        success="ok",
    )
    expect_named(fb, "transpose")


def test_the_generic_reply_is_marked_and_the_helper_can_fail():
    fb = nb05.check_fused_grad(_noisy)
    assert fb.generic
    with pytest.raises(AssertionError):
        expect_named(fb)


def _wrong_answers_from(reference, n_out, arrays):
    """Mistakes any exercise can receive, built from its reference: what the runner must name."""

    def each(f):
        return lambda *a: tuple(f(r) for r in reference(*a)) if n_out > 1 else f(reference(*a))

    answers = {
        "sign flipped": each(lambda r: -np.asarray(r)),
        "twice too large": each(lambda r: 2 * np.asarray(r)),
        "returns None": lambda *a: None,
        "raises a broadcast error": lambda *a: np.ones((3, 4)) - np.ones(3),
    }
    if arrays:
        answers["a list"] = each(lambda r: np.asarray(r).tolist() if np.ndim(r) else r)
    if n_out > 1:
        answers["pair swapped"] = lambda *a: tuple(reversed(reference(*a)))
    return answers


def test_the_share_of_generic_replies_to_common_mistakes_is_below_one_in_twenty():
    feedbacks = []
    for nb in NOTEBOOKS:
        for exercise in companion(nb).GRADED:
            probe = exercise.reference(*exercise.hidden_args())
            n_out = len(probe) if isinstance(probe, tuple) else 1
            arrays = any(np.ndim(r) for r in (probe if n_out > 1 else (probe,)))
            for what, answer in _wrong_answers_from(exercise.reference, n_out, arrays).items():
                fb = exercise.checker(answer)
                feedbacks.append(fb)
                assert not fb.passed, (exercise.name, what, fb)
    share = generic_share(feedbacks)
    print(f"{len(feedbacks)} wrong answers, generic reply for {share:.1%}")
    assert share <= 1 / 20, share


def test_an_alarm_already_running_is_left_alone(monkeypatch):
    import signal

    monkeypatch.setattr(_guard, "DEFAULT_TIME_LIMIT", 0.5)
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    signal.setitimer(signal.ITIMER_REAL, 30.0)
    try:
        expect(nb01.check_softmax(_endless), "error", "did not return within 0.5 seconds")
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 0 < remaining <= 30.0 and not fired  # still armed, still the caller's handler
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_an_endless_loop_in_a_notebook_cell_is_stopped_by_the_kernel_s_alarm(tmp_path):
    """In a Jupyter kernel the checker runs in the main thread: the alarm stops the loop there."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from course_utils.notebooks import _guard, nb01_softmax as nb01\n"
            "_guard.DEFAULT_TIME_LIMIT = 0.5\n"
            "def softmax(z):\n"
            "    while True:\n"
            "        pass\n"
            "print(nb01.check_softmax(softmax))"
        ),
        nbformat.v4.new_code_cell("print('the notebook goes on')"),
    ]
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    first, second = ("".join(o.get("text", "") for o in c.outputs) for c in nb.cells)
    assert "did not return within 0.5 seconds" in first and second == "the notebook goes on\n"


def test_nan_everywhere_and_a_division_by_n_times_c_are_told_for_what_they_are():
    from course_utils.notebooks import nb01_softmax as nb01_

    fb = nb01_.check_log_softmax(lambda z: np.full_like(np.asarray(z, dtype=float), np.nan))
    assert not fb.passed and "every entry" in fb.message and "overflow" not in fb.message, fb.message
    fb = nb05.check_fused_grad(lambda z, y: nb05._fused(z, y) / z.shape[1])
    assert "one division by C too many" in fb.message and "once, not twice" not in fb.message, fb.message
