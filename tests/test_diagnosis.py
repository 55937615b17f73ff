"""diagnose() names a cost mismatch at any sharpness, and the regulariser's rule: match the loss."""

import numpy as np
import pytest

from course_utils import check_gradients, cross_entropy, cross_entropy_grad, diagnose, softmax
from course_utils.losses import binary_cross_entropy


def _binary_cost_case(classes, scale, seed=0):
    """A linear softmax model whose backward is the cross-entropy's and whose checked loss is the
    binary cost: the two reports (against the binary cost, against the cross-entropy) and the
    ratio. ``scale`` 0 gives uniform outputs; a large one gives sharp, mostly right outputs."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(8, 12))  # more inputs than samples: any logits can be reached
    y = rng.integers(0, classes, size=8)
    W = scale * np.linalg.lstsq(X, 4.0 * np.eye(classes)[y], rcond=None)[0]
    grads = {"W": X.T @ cross_entropy_grad(X @ W, y)}
    report = check_gradients(lambda: binary_cross_entropy(softmax(X @ W), y), {"W": W}, grads)
    recheck = check_gradients(lambda: cross_entropy(X @ W, y), {"W": W}, grads)
    return report, recheck


@pytest.mark.parametrize("classes", [3, 10])
@pytest.mark.parametrize("sharp", [False, True])
def test_cost_mismatch_is_named_at_any_sharpness(classes, sharp):
    report, recheck = _binary_cost_case(classes, 1.0 if sharp else 0.0)
    ratio = report.ratios["W"]
    if sharp:  # beyond K/(K−1), and beyond the old window's 1.6
        assert ratio > 1.6, ratio
    else:
        assert ratio == pytest.approx(classes / (classes - 1), rel=1e-6)
    assert not report.ok and recheck.ok
    findings = diagnose(report, classes=classes, cross_entropy_report=recheck)
    assert "cost mismatch" in findings[0] and "output delta" not in findings[0], findings
    # without the second report, the pattern is ambiguous and diagnose says so
    alone = diagnose(report, classes=classes)
    assert "cost" in " ".join(alone) and "cross_entropy_report" in alone[-1], alone


def test_a_wrong_output_delta_with_ratios_in_the_old_window_is_not_a_cost_mismatch():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(6, 3))
    y = np.array([0, 1, 2, 2, 1, 0])
    wrong = cross_entropy_grad(z, y) * np.array([0.7, 0.8, 0.75])  # ratios between 1.25 and 1.43
    report = check_gradients(lambda: cross_entropy(z, y), {"z": z}, {"z": wrong})
    assert 1.005 < report.ratios["z"] <= 1.6
    recheck = report  # the loss checked is already the cross-entropy
    findings = diagnose(report, classes=3, cross_entropy_report=recheck)
    assert "cost mismatch" not in " ".join(findings), findings


def test_cross_entropy_report_must_be_a_report():
    report, _ = _binary_cost_case(3, 0.0)
    with pytest.raises(TypeError, match="cross_entropy_report must be a report"):
        diagnose(report, cross_entropy_report={"W": 1.0})


@pytest.mark.parametrize(
    ("term", "factor", "ok"),
    [(1.0, 2.0, True), (0.5, 1.0, True), (0.5, 2.0, False), (1.0, 1.0, False)],
)
def test_the_regulariser_gradient_must_match_its_term(term, factor, ok):
    """reg·ΣW² → 2·reg·W and ½·reg·ΣW² → reg·W both pass; a mismatched pair fails by 2 or ½."""
    W = np.random.default_rng(2).normal(size=(4, 3))
    reg = 0.3
    report = check_gradients(lambda: term * reg * np.sum(W * W), {"W": W}, {"W": factor * reg * W})
    assert report.ok == ok
    if not ok:
        assert report.ratios["W"] == pytest.approx(2 * term / factor, rel=1e-6)
