"""Every catalogued bug fails exactly the tensors it claims, and diagnose() names it."""

import numpy as np
import pytest

from course_utils import TwoLayerNet, bugs, check_gradients, cross_entropy, load_mnist


@pytest.mark.parametrize("key", list(bugs.BUGS))
def test_bug_flags_exactly_its_tensors_and_is_diagnosed(key):
    bug = bugs.BUGS[key]
    report = bugs.check_bug(key)
    assert set(report.failed) == bug.flags, report
    recheck = bugs.check_bug(key, against="cross_entropy")
    assert recheck.ok == (key == "binary_cost_on_softmax"), recheck
    findings = bugs.diagnose(report, cross_entropy_report=recheck)
    keywords = {
        "missing 1/N": "missing 1/N",
        "output delta": "output delta",
        "sign": "sign error",
        "hidden": "hidden derivative",
        "bias": "bias",
        "regulariser": "regulariser",
        "aliasing": "aliasing",
        "cost": "cost mismatch",
    }
    assert keywords[bug.diagnosis] in findings[0], findings


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_correct_backward_passes_and_diagnose_says_so(seed):
    for hidden in ("tanh", "relu"):
        X, y = load_mnist("train", n=16)
        X = X.astype(np.float64)
        net = TwoLayerNet(784, 24, 10, hidden=hidden, seed=seed)
        report = check_gradients(lambda: net.loss(X, y, 0.5), net.params, bugs.backward(net, X, y, reg=0.5))
        assert report.ok, report
        assert "every tensor passes" in bugs.diagnose(report)[0]


def test_square_bugs_crash_on_ordinary_shapes():
    X, y = load_mnist("train", n=16)
    net = TwoLayerNet(784, 24, 10)
    for key in ("missing_keepdims", "W2_not_transposed"):
        assert bugs.BUGS[key].square
        with pytest.raises(ValueError):
            bugs.backward(net, X.astype(np.float64), y, bug=key)


def test_diagnose_reads_shape_mismatches():
    net = TwoLayerNet(4, 3, 2)
    X, y = np.ones((2, 4)), np.array([0, 1])
    grads = net.gradients(X, y)
    grads["b2"] = grads["b2"][None, :]
    report = check_gradients(lambda: net.loss(X, y), net.params, grads)
    assert any("shape mismatch" in f and "keepdims" in f for f in bugs.diagnose(report))


@pytest.mark.parametrize("key", list(bugs.SILENT_BUGS))
def test_silent_bugs_pass_a_gradient_check_and_fail_their_test(key):
    bug = bugs.SILENT_BUGS[key]
    z = np.random.default_rng(1).normal(size=(6, 4))
    y = np.array([0, 3, 1, 1, 2, 0])
    report = check_gradients(lambda: bug.loss(z, y), {"z": z}, {"z": bug.grad(z, y)})
    assert report.ok, report
    passed, measured = bug.test(bug.loss)
    assert not passed, measured
    assert bug.test(cross_entropy)[0], "the test must pass the correct loss"


def test_learner_backward_versions():
    X, y = load_mnist("train", n=16)
    X = X.astype(np.float64)
    net = TwoLayerNet(784, 24, 10, hidden="relu", seed=0)
    net.params["b1"][:] = 0.1
    check = lambda g: check_gradients(lambda: net.loss(X, y), net.params, g)  # noqa: E731
    assert set(check(bugs.learner_backward(X, y, net.params, eq1="commented")).failed) == {"W2"}
    assert check(bugs.learner_backward(X, y, net.params, eq1="commented", aliasing=False)).ok
    assert set(check(bugs.learner_backward(X, y, net.params, aliasing=False)).failed) == {
        "W1",
        "b1",
        "W2",
        "b2",
    }
    with pytest.raises(ValueError, match="eq1"):
        bugs.learner_backward(X, y, net.params, eq1="other")


def test_unknown_bug():
    with pytest.raises(ValueError, match="unknown bug 'nope'"):
        bugs.backward(TwoLayerNet(4, 3, 2), np.ones((2, 4)), np.array([0, 1]), bug="nope")


@pytest.mark.parametrize("bad", [{}, None, "report", [("W1", 1.0)]])
def test_diagnose_wants_a_report(bad):
    with pytest.raises(TypeError, match="diagnose needs the report that check_gradients returns"):
        bugs.diagnose(bad)


def test_diagnose_bad_class_count_and_empty_report():
    from course_utils.gradcheck import GradCheckReport

    report = bugs.check_bug("missing_1_over_N")
    with pytest.raises(ValueError, match="classes must be an integer >= 2, got 1"):
        bugs.diagnose(report, classes=1)
    with pytest.raises(TypeError, match="classes must be an integer"):
        bugs.diagnose(report, classes=10.0)
    with pytest.raises(ValueError, match="holds no tensor"):
        bugs.diagnose(GradCheckReport(tol=1e-5, dtype="float64", n_loss_evals=0))


def test_the_split_modules_keep_every_old_import_working():
    from course_utils import bugs as module
    from course_utils.bugs import BUGS, MYSTERIES, SILENT_BUGS, check_bug, diagnose, learner_backward
    from course_utils.diagnosis import diagnose as diagnose_itself
    from course_utils.silent_bugs import SILENT_BUGS as silent_itself

    assert diagnose is diagnose_itself and SILENT_BUGS is silent_itself
    assert len(BUGS) == 15 and len(SILENT_BUGS) == 5 and set(MYSTERIES) <= set(BUGS)
    assert callable(check_bug) and callable(learner_backward) and module.mystery_report(1).failed


def test_mysteries_run_on_a_case_of_their_own():
    """Each mystery fails its bug's tensors, but not by the ratios the gallery printed."""
    for number, key in enumerate(bugs.MYSTERIES, start=1):
        report, gallery = bugs.mystery_report(number), bugs.check_bug(key)
        assert set(report.failed) == bugs.BUGS[key].flags, (number, report)
        far = [abs(report.ratios[n] / gallery.ratios[n] - 1) > 0.05 for n in report.failed]
        assert all(far), (number, report.ratios, gallery.ratios)
        assert bugs.mystery_report(number, against="cross_entropy").ok == (key == "binary_cost_on_softmax")
    with pytest.raises(ValueError, match="numbered 1 to 5"):
        bugs.mystery_report(6)
    with pytest.raises(ValueError, match="against"):
        bugs.check_bug("aliasing", against="mse")


def test_double_softmax_floor():
    from course_utils.silent_bugs import SILENT_BUGS, confident_loss_floor

    bug = SILENT_BUGS["double_softmax"]
    for C in (3, 10):
        y = np.arange(C)
        assert bug.loss(60.0 * np.eye(C), y) == pytest.approx(confident_loss_floor(C), rel=1e-9)
        assert cross_entropy(60.0 * np.eye(C), y) < 1e-20
    assert confident_loss_floor(10) == pytest.approx(1.4612, abs=1e-4)
