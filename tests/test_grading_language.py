"""The teacher's commands speak the course's language: ``--language zh`` gives Chinese messages.

What the platforms parse stays as they read it: Canvas's column headers and ``Points Possible``,
the keys of Gradescope's ``results.json``. Every message of the grading modules goes through
``_()`` (read from their source here), and every one has a Chinese entry (``test_translations``).
"""

import ast
import csv
import json
import re
import sys
from pathlib import Path

import pytest

from course_utils.i18n import language
from course_utils.teaching import gradebook, gradescope, grading


def _fake_record(folder, notebook, totals):
    """A graded notebook in the book: each student's total on the first exercise."""
    rows = {}
    for student, total in totals.items():
        row = grading.Row(student, f"{student}.ipynb")
        top = grading.maxima(notebook)
        row.scores = {n: (total if k == 0 else 0, top[n], "m") for k, n in enumerate(top)}
        rows[student] = gradebook.record(row, {})
    gradebook.save_rows(folder, notebook, rows)


CJK = re.compile(r"[\u4e00-\u9fff]")
TEACHING = Path(gradebook.__file__).parent
MODULES = ["gradebook", "export", "gradescope", "similarity", "grading", "report"]


def _chinese(text):
    return bool(CJK.search(text))


def test_the_gradebooks_table_and_messages_are_chinese(tmp_path, capsys):
    _fake_record(tmp_path, "01_softmax", {"ann": 5, "ben": 3})
    _fake_record(tmp_path, "02_softmax_jacobian", {"ann": 5, "ben": 5})
    overrides = ["override", str(tmp_path), "ben", "01_softmax", "7", "fixed in class", "--language", "zh"]
    assert gradebook.main(overrides) == 0
    shown = capsys.readouterr().out
    assert shown.splitlines()[0].split()[0] == "学生" and "总分" in shown.splitlines()[0]
    assert language() == "en", "the command puts the language back"
    with open(tmp_path / gradebook.OVERRIDES, "a", encoding="utf-8") as f:
        f.write("ann,01_softmax,99,typo\n")
    assert gradebook.main(["table", str(tmp_path), "--language", "zh"]) == 2
    refused = capsys.readouterr().err
    assert "第 3 行：分数必须是 0 到 10" in refused, refused


def test_canvas_keeps_its_english_columns_while_the_messages_are_chinese(tmp_path, capsys):
    _fake_record(tmp_path, "01_softmax", {"ann": 5, "zoe": 2})
    roster = tmp_path / "canvas-export.csv"
    roster.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section\n    Points Possible,,,,\nann,101,S1,ann,A\n"
    )
    out = tmp_path / "canvas.csv"
    args = ["canvas", str(tmp_path), "-o", str(out), "--canvas-roster", str(roster), "--language", "zh"]
    assert gradebook.main(args) == 0
    assert capsys.readouterr().err.strip() == "不在 Canvas 名单中，已略去：zoe"
    with open(out, newline="") as f:
        lines = list(csv.reader(f))
    assert lines[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "01_softmax"]
    assert lines[1][0] == "Points Possible"
    bad = tmp_path / "not-canvas.csv"
    bad.write_text("name,score\nann,5\n")
    args = ["canvas", str(tmp_path), "-o", str(out), "--canvas-roster", str(bad), "--language", "zh"]
    assert gradebook.main(args) == 2
    assert "不是从 Canvas 导出的成绩册" in capsys.readouterr().err


def test_gradescopes_results_are_chinese_in_gradescopes_own_format(tmp_path, capsys):
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "notes.txt").write_text("no notebook here")
    args = ["run", "02_softmax_jacobian", "--root", str(tmp_path), "--no-sandbox", "--language", "zh"]
    assert gradescope.main(args) == 0
    results = json.loads((tmp_path / "results" / "results.json").read_text(encoding="utf-8"))
    assert set(results) == {"score", "tests", "output_format", "stdout_visibility", "output"}
    assert results["score"] == 0 and "提交中应有一个 02_softmax_jacobian.ipynb 文件" in results["output"]
    for test in results["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output", "output_format", "visibility"}
        assert test["status"] == "failed" and test["output"].startswith("未评分：")
    assert language() == "en"
    zipped = tmp_path / "autograder.zip"
    gradescope.main(["package", "02_softmax_jacobian", "-o", str(zipped), "--language", "zh"])
    import zipfile

    with zipfile.ZipFile(zipped) as archive:
        assert archive.read("options.txt").decode().split() == ["--language", "zh"]


def test_the_graders_notes_are_chinese(tmp_path, capsys):
    broken = tmp_path / "ann" / "02_softmax_jacobian.ipynb"
    broken.parent.mkdir()
    broken.write_text("{ not json")
    out = tmp_path / "grades.csv"
    args = ["02_softmax_jacobian", str(broken), "-o", str(out), "--no-sandbox", "--language", "zh"]
    assert grading.main(args) == 0
    with open(out, newline="", encoding="utf-8") as f:
        row = list(csv.DictReader(f))[0]
    assert "不是笔记本" in row["note"] and "评分时没有使用沙箱" in row["note"], row["note"]
    (feedback,) = (tmp_path / "feedback").rglob("*.md")
    assert "未评分：" in feedback.read_text(encoding="utf-8")


def _unwrapped_messages(module):
    """Text a grading module prints or raises that does not go through ``_()``."""
    tree = ast.parse((TEACHING / f"{module}.py").read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in {"print", "GradebookError", "OSError", "_Stopped", "SystemExit"}:
            continue
        for arg in node.args:
            if isinstance(arg, ast.JoinedStr):
                text = "".join(v.value for v in arg.values if isinstance(v, ast.Constant))
            elif isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                text = arg.value
            else:
                continue
            if re.search("[A-Za-z]{3}", text):
                found.append(f"{module}.py:{node.lineno}")
    return found


@pytest.mark.parametrize("module", MODULES)
def test_every_message_of_the_grading_modules_goes_through_the_translation(module):
    assert _unwrapped_messages(module) == []


def test_the_wrapping_check_can_fail(tmp_path, monkeypatch):
    planted = tmp_path / "planted.py"
    planted.write_text(
        'print(f"{n} graded")\nraise GradebookError("bad line")\nprint(_("fine {n}").format(n=1))\n'
    )
    monkeypatch.setattr(sys.modules[__name__], "TEACHING", tmp_path)
    assert _unwrapped_messages("planted") == ["planted.py:1", "planted.py:2"]
