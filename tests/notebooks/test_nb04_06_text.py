"""What notebooks 04-06 tell a learner, held to issue 19: conditions stated, checks that can fail,
exercises in order, and the Chinese edition's terms."""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _cells(name):
    return nbformat.read(ROOT / "notebooks" / "solutions" / f"{name}.ipynb", as_version=4).cells


def _text(name):
    return "\n".join(c.source for c in _cells(name))


def test_overflow_thresholds_carry_their_condition():
    for name in ("04_chain_rule_reduction", "05_fused_cross_entropy"):
        text = _text(name)
        assert r"\log(\text{max float}) - \log S" in text, name  # not "at log(max float)" alone
        # ∞ · 0 = NaN needs J_true,j = −h_true h_j to underflow too, not just a third class: with
        # z = (−100, 0, 0) and label 0 the route gives ±inf and no NaN (the expert review's case).
        assert "underflows to 0 as well" in text and "(-100, 0, 0)" in text, name
    assert "but also the only" not in _text("05_fused_cross_entropy")
    assert "g - h \\sum" in _text("05_fused_cross_entropy")  # the log-softmax route survives too


def test_the_lost_float32_step_is_stated_relative_to_z():
    """A step is lost below half the float spacing at z, about 3 to 6e-8 |z| in float32, not below a
    fixed 1e-7 (the expert review: at z = 1000 even 1e-5 is lost)."""
    cell = next(c for c in _cells("06_gradient_checking") if c.id == "63609a3e").source
    assert "below about\n$10^{-7}$ is lost" not in cell and "10^{-7}$ is lost" not in cell
    assert "u|z|/4" in cell and "u|z|/2" in cell and "z = 1000" in cell
    checks = next(c for c in _cells("06_gradient_checking") if c.id == "98947b3c").source
    assert "step_is_lost(1000, 1e-5)" in checks and "step_is_lost(1e-3, 1e-8)" in checks


def test_exercise_three_says_it_returns_arrays():
    cell = next(c for c in _cells("06_gradient_checking") if c.id == "f4487929").source
    assert "two NumPy\narrays" in cell


def test_two_wrongs_is_called_a_reconstruction_and_the_cost_is_l():
    text = _text("05_fused_cross_entropy")
    assert "reconstruction" in text
    assert "J_{\\text{BCE}}" not in text and "∂J/∂h" not in text  # J is only the Jacobian


def test_checks_are_not_the_claim_restated():
    assert "2 * C / 3" not in _text("04_chain_rule_reduction")
    assert "2 * C_ / 3" not in _text("05_fused_cross_entropy")
    assert "count_operations" in _text("04_chain_rule_reduction")
    assert "count_operations" in _text("05_fused_cross_entropy")
    assert "np.abs(dz_reduced.sum(axis=1)).max() < 1e-15" not in _text("04_chain_rule_reduction")
    assert "r / 1e-8, tol" not in _text("06_gradient_checking")


def test_exercises_one_and_two_come_before_three():
    ids = [c.id for c in _cells("06_gradient_checking")]
    # numerical_grad, relative_error, then my_gradient_check, which says "As in exercise 1".
    assert ids.index("fda6f2c1") < ids.index("8665db71") < ids.index("612b4da0")


@pytest.mark.parametrize(
    "name", ["04_chain_rule_reduction", "05_fused_cross_entropy", "06_gradient_checking"]
)
def test_chinese_terms(name):
    catalog = (ROOT / "notebooks" / "zh" / "catalog" / f"{name}.md").read_text(encoding="utf-8")
    po = (ROOT / "course_utils" / "locale" / "zh" / f"notebooks.nb{name[:2]}_{name[3:]}.po").read_text(
        encoding="utf-8"
    )
    for text in (catalog, po):
        for wrong in ("拐点", "比对", "路径", "上游误差", "无须", "他们", "本文", "批次"):
            assert wrong not in text, (name, wrong)
        assert not re.search(r"批(?!量)", text.replace("批判", "")), name
