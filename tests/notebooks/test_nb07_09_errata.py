"""Issue 19, the expert reviewer's findings in notebooks 07 to 09: the statements are true and checked.

The notebooks' own cells check the numbers when nbval runs them; these tests pin the wording and the
stored result of each new check, in both editions, so a revert of either fails here.
"""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cell(notebook, cell_id, edition="solutions"):
    folder = ROOT / "notebooks" / ("zh/solutions" if edition == "zh" else edition)
    nb = json.loads((folder / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    (found,) = [c for c in nb["cells"] if c["id"] == cell_id]
    return " ".join("".join(found["source"]).split()), found


def printed(found):
    return "".join("".join(o.get("text", "")) for o in found.get("outputs", []))


def test_07_the_sign_slip_of_the_commented_cost_is_checked_alone():
    text, _ = cell("07_mismatch_lab", "d6681ff2")
    assert "the sign slip alone is the cost with the $1/m$ put back" in text
    out = printed(cell("07_mismatch_lab", "10444635")[1])
    assert "✗ the sign slip alone, −ΣY log h / m − λp/(2m), fails with λ = 3" in out
    assert "the mismatch we expected" in out.split("the sign slip alone, −ΣY")[1]
    assert "✗ 只有符号错误" in printed(cell("07_mismatch_lab", "10444635", "zh")[1])


def test_07_just_above_one_and_a_half_is_explained_and_checked():
    text, _ = cell("07_mismatch_lab", "4f2a6c48")
    assert "which is why the fit lands just above 1.5" not in text
    assert "every output is within 0.014 of 1/3" in text and "not a rule" in text
    out = printed(cell("07_mismatch_lab", "ed822d16")[1])
    assert "✓ weights × 1: every output within 0.014 of 1/3, and the fit above 1.5 by less than that" in out
    assert "✓ each tenfold shrink of the weights shrinks the gap to 1.5 between 5 and 15 times" in out
    assert "✓ sample by sample the ratio falls on both sides of 1.5" in out
    ratios = [float(x) for x in re.findall(r"\d\.\d+", out.split("fitted to h − Y:")[1].splitlines()[0])]
    assert min(ratios) < 1.5 < max(ratios)


def test_07_the_numerical_column_is_checked_against_the_printed_one_by_differences_in_the_cell():
    """Not by the functions' signatures, which hold by construction: by the learner's printed numbers."""
    text, found = cell("07_mismatch_lab", "c548ca0f")
    assert "inspect.signature" not in text and "(posted_cost(params + s) - posted_cost(params - s))" in text
    out = printed(found)
    assert "✓ central differences of the posted cost alone, no backprop anywhere, give the printed" in out
    assert (
        "✓ while the two backprops' analytic columns differ by a factor of 3 or more on every printed row"
        in out
    )
    text, _ = cell("07_mismatch_lab", "1936873b")
    assert "the numerical gradient gets only the cost and the point" not in text
    assert "with no backprop anywhere, and gets the printed numerical column" in text
    assert "✓ 只对贴出的代价函数做中心差分" in printed(cell("07_mismatch_lab", "c548ca0f", "zh")[1])


def test_07_one_samples_fit_of_one_and_a_half_needs_a_shared_ratio_to_mean_uniform():
    """z = (0, 1.00505, 0) fits to 1.5 over its entries with outputs that are not uniform."""
    for cell_id in ("e111b2b6", "20578cbf"):
        text, _ = cell("07_mismatch_lab", cell_id)
        assert "per sample, for $K \\ge 3$, it does" not in text, cell_id
        assert "the ratio is $K/(K-1)$ only at uniform outputs" not in text, cell_id
        assert "$z = (0, 1.00505, 0)$" in text, cell_id
    text, _ = cell("07_mismatch_lab", "20578cbf")
    assert "a ratio shared by every entry is $K/(K-1)$ only at uniform outputs" in text
    out = printed(cell("07_mismatch_lab", "5b1e7c2d")[1])
    assert "z = (0, 1.00505, 0), label 0: fitted ratio 1.500000" in out
    assert "✓ one sample's entries can fit to K/(K−1) = 1.5 too" in out
    assert "✓ with outputs that are not uniform (0.2 or more from 1/3) and entries whose ratios differ" in out
    assert "✓ K = 3 to 12, h_y from 0.01 to 0.99, the rest equal: one ratio per sample, below K/(K−1)" in out
    zh, _ = cell("07_mismatch_lab", "20578cbf", "zh")
    assert "所有元素共有的比值只有在均匀输出处才是 $K/(K-1)$" in zh


def test_09_a_cost_mismatch_sharpened_toward_a_wrong_class_does_not_fall_toward_one():
    text, _ = cell("09_bug_hunt", "d91e66a6")
    assert "sharpened toward a wrong class it can fall toward 1" not in text
    assert "it stays between 1 and 2" in text and "($z = (0, 3, 0)$ gives 1.69)" in text
    out = printed(cell("09_bug_hunt", "01640dc2")[1])
    assert "✓ sharpened toward the wrong class 1, z = (0, 3, 0): the ratio is 1.69, nowhere near 1" in out
    assert "✓     C = 3: every sample's ratio lies between 1 and 2" in out
    assert "✓     C = 10: every sample's ratio lies between 1 and 2" in out
    zh, _ = cell("09_bug_hunt", "d91e66a6", "zh")
    assert "它可能降向 1" not in zh and "$z = (0, 3, 0)$ 给出 1.69" in zh


def test_09_the_double_softmax_floor_is_checked_from_both_sides_and_over_many_inputs():
    text, found = cell("09_bug_hunt", "e51b0d07")
    assert "top <= np.e / (np.e + 9))" not in text
    out = printed(found)
    assert "✓ the double softmax's loss comes within 0.01 of its floor for C = 10, and never below it" in out
    assert "✓ its largest probability comes within 0.01 of e/(e + 9), and never above it" in out
    assert (
        "✓     no row goes below log(1 + (C−1)/e); those within 0.05 of it put more than 0.9 on the label"
        in out
    )


def test_07_a_confident_wrong_output_is_what_the_cells_show():
    for cell_id in ("3a1005d3", "e111b2b6", "20578cbf"):
        text, _ = cell("07_mismatch_lab", cell_id)
        assert not re.search(r"confident wrong one|A confident wrong one", text), cell_id
        assert "sure of one wrong class" in text, cell_id
    out = printed(cell("07_mismatch_lab", "4e5ea8c7")[1])
    assert "(the label ruled out, the rest equal)" in out and "(confident in a wrong class)" in out
    assert "✓ z = (−3, 0, 0) rules the label out (h_y < 0.03) but picks no class" in out
    assert "✓ z = (0, 3, 0) is confident in the wrong class 1 (h_1 > 0.9)" in out
    text, _ = cell("09_bug_hunt", "dd067a81")
    assert "a confident wrong output, $z_0 = -3$" not in text and "rules the label out" in text
    assert "sure of no other class" in printed(cell("09_bug_hunt", "5c2e9d41")[1])


def test_07_summary_says_per_sample_and_k_at_least_3_and_a_batch_fit_can_hit_the_ratio():
    text, _ = cell("07_mismatch_lab", "20578cbf")
    assert "Per sample, for $K \\ge 3$, a ratio shared by every entry is $K/(K-1)$ only at uniform" in text
    assert "with two classes it is 2 everywhere" in text
    assert "can land on $K/(K-1)$ with no output uniform" in text
    text, _ = cell("07_mismatch_lab", "e111b2b6")
    assert "can land on $K/(K-1)$ with no sample uniform" in text
    out = printed(cell("07_mismatch_lab", "5b1e7c2d")[1])
    assert "✓ the fit over the batch is K/(K−1) = 1.5" in out
    assert "✓ yet no sample is uniform (each has an output 0.1 or more from 1/3)" in out
    zh, _ = cell("07_mismatch_lab", "20578cbf", "zh")
    assert "对单个样本，当 $K \\ge 3$ 时" in zh


def test_08_blank_pixel_rows_are_zero_only_without_the_regulariser():
    text, found = cell("08_mnist_two_layer_net", "123a9dcc")
    assert "so the same 268 rows of `dW1` are exactly 0" not in text
    assert "Without the regulariser the same 268 rows of `dW1` are exactly 0" in text
    assert "exactly `reg · W1`'s rows" in text
    out = printed(cell("08_mnist_two_layer_net", "e2955446")[1])
    assert "✓ without the regulariser, the zero rows of dW1 are exactly the blank pixels" in out
    assert "✓ with reg = 0.0001, those rows are exactly reg · W1's rows, and not 0" in out
    assert "✓ and every other row differs from reg · W1's" in out
    zh = printed(cell("08_mnist_two_layer_net", "e2955446", "zh")[1])
    assert "这些行恰好是 reg · W1 的对应行，而不是 0" in zh
