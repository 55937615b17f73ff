"""The expert review of issue 19 (second round), notebooks 00, 03 and 04: each statement it found false
or unconditioned is fixed in the text, and the cell under it holds a check that fails if the claim is
wrong. These tests read the cells and re-check the numbers the text now quotes."""

from pathlib import Path

import nbformat
import numpy as np

import course_utils as cu

ROOT = Path(__file__).resolve().parents[2]


def _cell(name, cell_id):
    cells = nbformat.read(ROOT / "notebooks" / "solutions" / f"{name}.ipynb", as_version=4).cells
    return next(c for c in cells if c.id == cell_id).source


def _route(z, t):
    h = cu.softmax(z)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return (-t / h) @ cu.softmax_jacobian(z)


def test_an_underflowing_h_gives_nan_whatever_the_label_and_the_text_says_so():
    z = np.array([10.0, 0.0, -100.0], dtype=np.float32)
    assert cu.softmax(z)[2] == 0
    for y in range(3):
        assert np.isnan(_route(z, np.eye(3, dtype=np.float32)[y])).all()
    with np.errstate(under="ignore"):  # the gaps the text quotes, subnormals included
        assert np.exp(np.float32(-103.96)) > 0 and np.exp(np.float32(-103.98)) == 0
        assert np.exp(-745.12) > 0 and np.exp(-745.14) == 0
    for name, cell_id in (
        ("00_start_here", "1db3520b"),
        ("04_chain_rule_reduction", "5df2ca79"),
        ("04_chain_rule_reduction", "4419fdf5"),
    ):
        text = _cell(name, cell_id)
        assert r"103.97 - \log S" in text and r"745.13 - \log S" in text, (name, cell_id)
        assert "whatever the" in text or "no particular label" in text, (name, cell_id)
    checks = _cell("04_chain_rule_reduction", "c7d2a94e") + _cell("00_start_here", "5e1a7c03")
    assert "np.isnan(r).all() for r in under_rows" in checks


def test_the_cards_state_that_h_minus_t_needs_targets_that_sum_to_one():
    z = np.array([1.0, 0.0, -1.0, 2.0])
    t = np.array([0.5, 0.0, 0.4, 0.0])  # sums to 0.9
    h = cu.softmax(z)
    assert np.allclose(_route(z, t), 0.9 * h - t) and not np.allclose(_route(z, t), h - t)
    for cell_id in ("1db3520b", "267b5743"):
        assert r"\sum_k" in _cell("00_start_here", cell_id) and "sum to 1" in _cell("00_start_here", cell_id)
    assert 'expect="mismatch"' in _cell("00_start_here", "5e1a7c03")
    assert 'expect="mismatch"' in _cell("00_start_here", "9b4d2e61")


def test_symmetry_is_not_said_to_fail_for_every_other_layer():
    text = _cell("03_kronecker_delta", "8750a562")
    assert "not with other layers" not in text and "elementwise activation" in text
    checks = _cell("03_kronecker_delta", "4e8b1d27")
    # tanh's symmetry follows from its Jacobian being diagonal, which is checked against finite
    # differences; a J = Jᵀ check on the finite-difference Jacobian could not fail (its off-diagonal
    # entries are exactly 0), so there is none.
    assert "np.diag(1 - np.tanh(z_act) ** 2)" in checks and "J_tanh, J_tanh.T" not in checks
    assert 'J_dense.T, expect="mismatch"' in checks


def test_the_spectrum_text_names_round_off_with_its_bound():
    text = _cell("03_kronecker_delta", "a874d80e")
    assert "≈0" in text and "C(C + 4)" in text and "not a" in text
    assert 'cold["shown"] >= 0' in _cell("03_kronecker_delta", "b6f3a0d9")
