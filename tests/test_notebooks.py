"""The notebooks keep the course's rules: executed, no errors, honest nbval markers, every part present.

nbval itself (configured in pyproject.toml) re-runs each notebook and compares its outputs; these
tests check what nbval does not: the structure every notebook promises its reader.
"""

import ast
import json
import re
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parent.parent / "notebooks"
SOLUTIONS = sorted((FOLDER / "solutions").glob("[0-9][0-9]_*.ipynb"))
LEARNER = sorted((FOLDER / "learner").glob("[0-9][0-9]_*.ipynb"))
ZH_SOLUTIONS = sorted((FOLDER / "zh" / "solutions").glob("[0-9][0-9]_*.ipynb"))
ZH_LEARNER = sorted((FOLDER / "zh" / "learner").glob("[0-9][0-9]_*.ipynb"))
NOTEBOOKS = SOLUTIONS + LEARNER + ZH_SOLUTIONS + ZH_LEARNER


def ident(path):
    edition = "zh/" if path.parent.parent.name == "zh" else ""
    return f"{edition}{path.parent.name}/{path.stem}"


def chinese(path):
    return path.parent.parent.name == "zh"


# The parts every notebook promises, in each edition's words (notebooks/zh/GLOSSARY.md).
PARTS = {
    "en": (
        "**In this notebook you will**",
        "**Prerequisites:**",
        "## Exercises",
        "## Summary",
        "Predict, then run",
    ),
    "zh": ("**本笔记本中你将**", "**预备知识：**", "## 练习", "## 小结", "先预测，再运行"),
}


IGNORE = "# NBVAL_IGNORE_OUTPUT"


def cells(path):
    return json.loads(path.read_text())["cells"]


def text(value):
    """Notebook JSON stores multi-line strings either whole or as a list of lines."""
    return "".join(value) if isinstance(value, list) else value


def source(cell):
    return text(cell["source"])


def test_the_notebooks_exist_in_order_in_both_versions():
    assert [p.stem for p in LEARNER] == [p.stem for p in SOLUTIONS]
    assert [p.stem for p in ZH_SOLUTIONS] == [p.stem for p in ZH_LEARNER] == [p.stem for p in SOLUTIONS]
    names = [p.stem for p in SOLUTIONS]
    assert names == [
        "00_start_here",
        "01_softmax",
        "02_softmax_jacobian",
        "03_kronecker_delta",
        "04_chain_rule_reduction",
        "05_fused_cross_entropy",
        "06_gradient_checking",
        "07_mismatch_lab",
        "08_mnist_two_layer_net",
        "09_bug_hunt",
        "10_computational_graph",
        "11_choosing_the_cost",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ident)
def test_links_to_notebooks_point_at_files_that_exist(path):
    markdown = "\n".join(source(c) for c in cells(path) if c["cell_type"] == "markdown")
    targets = re.findall(r"\]\(([\w.]+\.ipynb)(?:#[\w-]*)?\)", markdown)
    assert targets
    for target in targets:
        assert (path.parent / target).exists(), target


def _anchors(path):
    """The anchors JupyterLab and nbconvert give a notebook's headings: the text, spaces as '-'."""
    return {
        line.lstrip("#").strip().replace(" ", "-")
        for c in cells(path)
        if c["cell_type"] == "markdown"
        for line in source(c).splitlines()
        if re.match(r"#{1,6} ", line)
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ident)
def test_every_link_to_a_section_finds_its_heading(path):
    markdown = "\n".join(source(c) for c in cells(path) if c["cell_type"] == "markdown")
    for file, anchor in re.findall(r"\]\((\w*\.ipynb)?#([^)\s]+)\)", markdown):
        target = path.parent / file if file else path
        assert anchor in _anchors(target), f"{file or path.name}#{anchor}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ident)
def test_committed_executed_without_errors(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and source(c).strip()]
    counts = [c["execution_count"] for c in code]
    assert None not in counts, "stored unexecuted: run it top to bottom before committing"
    assert counts == list(range(1, len(code) + 1)), "not from one clean top-to-bottom run"
    for c in code:
        for out in c["outputs"]:
            assert out["output_type"] != "error", source(c)[:80]
            text = json.dumps(out.get("text", "")) + json.dumps(out.get("data", {}).get("text/plain", ""))
            assert not re.search(r"/(work|tmp|root|home)/", text), "a machine path in an output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ident)
def test_nbval_markers_are_honest(path):
    for c in cells(path):
        src = source(c)
        assert "NBVAL_SKIP" not in src
        assert "NBVAL_RAISES_EXCEPTION" not in src, "use the raises-exception tag instead"
        lines = [line.strip() for line in src.splitlines()]
        if any("NBVAL_IGNORE_OUTPUT" in line for line in lines):
            # nbval only sees the marker when it stands alone on its line.
            assert IGNORE in lines, src[:80]
            # Only live widgets and timings may have their output ignored.
            assert re.search(r"nb\d\d\.\w+_widget\(|timeit|training\.train\(", src), src[:80]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ident)
def test_every_part_is_there(path):
    cs = cells(path)
    markdown = "\n".join(source(c) for c in cs if c["cell_type"] == "markdown")
    code = [source(c) for c in cs if c["cell_type"] == "code"]
    for heading in PARTS["zh" if chinese(path) else "en"]:
        assert heading in markdown, heading
    widget_cells = [i for i, c in enumerate(cs) if re.search(r"nb\d\d\.\w+_widget\(", source(c))]
    assert widget_cells, "at least one widget"
    for i in widget_cells:
        before = "\n".join(source(c) for c in cs[max(0, i - 2) : i])
        assert re.search(r"nb\d\d\.draw_", before), (
            "a static figure of the default state comes before each widget"
        )
    checks = [src for src in code if re.search(r"nb\d\d\.check_\w+\(", src)]
    assert len(checks) >= 2, "at least two exercises with feedback"
    for src in checks:
        if path.parent.name == "solutions":
            assert src.count("### BEGIN SOLUTION") == src.count("### END SOLUTION") == 1
        else:
            stub = "# 在这里写你的" if chinese(path) else "# your "
            assert (
                "SOLUTION" not in src
                and stub in src
                and ("raise NotImplementedError" in src or "answer here" in src or "写你的答案" in src)
            )
    assert re.search(r"\]\(0\d_\w+\.ipynb\)", markdown), "a link to another notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ident)
def test_exercise_feedback_in_committed_outputs_is_correct(path):
    for c in cells(path):
        if c["cell_type"] == "code" and re.search(r"exercises\.check_\w+\(", source(c)):
            shown = "".join(text(o.get("data", {}).get("text/plain", "")) for o in c["outputs"])
            # Solutions show a passing check; learner copies the friendly "not implemented yet".
            assert shown.startswith("✓" if path.parent.name == "solutions" else "…"), shown


@pytest.mark.parametrize("path", SOLUTIONS + ZH_SOLUTIONS, ids=ident)
def test_cells_carry_slide_metadata(path):
    kinds = {c["metadata"].get("slideshow", {}).get("slide_type") for c in cells(path)}
    assert None not in kinds and "slide" in kinds


TIMING = re.compile(r"\b(seconds|timeit|perf_counter|monotonic|time\.time|elapsed|_ms\b|\bms\b)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ident)
def test_no_notebook_asserts_a_wall_clock_time(path):
    """Timings may be printed (in a cell nbval ignores); a check that depends on them may not."""
    for cell in cells(path):
        code = source(cell)
        if cell["cell_type"] != "code" or code.lstrip().startswith("%"):
            continue
        for node in ast.walk(ast.parse(code)):
            is_check = isinstance(node, ast.Assert) or (
                isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("verify", "verify_true")
            )
            if is_check:
                assert not TIMING.search(ast.get_source_segment(code, node)), ast.get_source_segment(
                    code, node
                )
