"""The package's layout stays one a maintainer can find their way in (see course_utils/notebooks)."""

import ast
import json
import re
from pathlib import Path

import pytest

from course_utils.notebooks import NOTEBOOKS, companion

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "course_utils"
MODULES = sorted(PACKAGE.rglob("*.py"))
TOPICS = [p for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "grading.py")]


def imports(path):
    tree = ast.parse(path.read_text())
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names.append("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            names += [a.name for a in node.names]
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_is_short_and_says_what_it_serves(path):
    assert len(path.read_text().splitlines()) <= 400, "split it by topic"
    if path.name != "__init__.py" or path.parent != PACKAGE:
        assert ast.get_docstring(ast.parse(path.read_text())), "a module docstring says what it serves"


@pytest.mark.parametrize("path", TOPICS, ids=lambda p: p.name)
def test_topic_modules_import_nothing_from_notebook_companions_or_teacher_tooling(path):
    for name in imports(path):
        assert not re.match(r"(\.|course_utils\.)(notebooks|teaching)", name), name


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_each_notebook_imports_its_own_companion_by_name_and_no_other(notebook):
    alias = f"nb{notebook[:2]}"
    for version in ("solutions", "learner"):
        nb = json.loads((ROOT / "notebooks" / version / f"{notebook}.ipynb").read_text())
        code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        assert f"from course_utils.notebooks import nb{notebook} as {alias}\n" in code
        assert set(re.findall(r"\bnb\d\d\b", code)) == {alias}
        assert set(re.findall(r"course_utils\.notebooks import (\w+)", code)) == {f"nb{notebook}"}


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_widget_has_one_drawing_function_and_no_second_renderer(notebook):
    module = companion(notebook)
    source = Path(module.__file__).read_text()
    assert "matplotlib" not in source and "render_" not in source
    widgets = [n[: -len("_widget")] for n in dir(module) if n.endswith("_widget")]
    assert widgets, "each notebook has a widget"
    draws = [n for n in dir(module) if n.startswith("draw_")]
    assert len(draws) == len(widgets), (draws, widgets)
