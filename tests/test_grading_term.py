"""A term of grading: the gradebook, overrides, per-notebook feedback, Canvas's CSV, Gradescope's package.

One small book of notebook-02 hand-ins is graded once, in the sandbox, and re-graded for one
student; the other tests read it or build records of their own without grading.
"""

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest

from course_utils.teaching import (
    classroom,
    confine,
    export,
    gradebook,
    gradescope,
    grading,
    report,
    similarity,
)

NB = "02_softmax_jacobian"
SAME = (  # bob's answer: alice's under other names, with comments and another layout
    "s = cu.softmax( logits )  # the probabilities\n\n"
    "    return np.diag( s ) - np.outer( s,\n                                  s )"
)
OWN = "h = cu.softmax(z)\n    n = h.size\n    return h[:, None] * (np.eye(n) - h[None, :])"


def _hand_in(folder, student, body=None, learner=False, rename=False):
    source = (classroom.LEARNER if learner else classroom.SOLUTIONS) / f"{NB}.ipynb"
    nb = nbformat.read(source, as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "markdown" or "widget" not in c.source]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            if body and "def softmax_jacobian_one" in cell.source:
                cell.source = re.sub(
                    r"### BEGIN SOLUTION\n.*?### END SOLUTION", body, cell.source, flags=re.S
                )
                if rename:
                    cell.source = cell.source.replace(
                        "softmax_jacobian_one(z)", "softmax_jacobian_one(logits)"
                    )
    path = folder / student / f"{NB}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("term")
    subs = [
        _hand_in(tmp / "hand-ins", "alice"),
        _hand_in(tmp / "hand-ins", "bob", SAME, rename=True),
        _hand_in(tmp / "hand-ins", "carol", OWN),
        _hand_in(tmp / "hand-ins", "dan", learner=True),
    ]
    folder = tmp / "book"
    argv = ["grade", str(folder), NB, *map(str, subs), "--jobs", "2", "--timeout", "60"]
    assert gradebook.main(argv) == 0
    first = json.loads((folder / "grades" / f"{NB}.json").read_text())["rows"]
    # the teacher overrides dan's blank hand-in, then dan hands in the right answer and is re-graded alone
    assert gradebook.main(["override", str(folder), "dan", NB, "4", "=cmd|' /C calc'!A0 handed in late"]) == 0
    _hand_in(tmp / "again", "dan", OWN)
    shutil.rmtree(tmp / "hand-ins" / "dan")
    shutil.copytree(tmp / "again" / "dan", tmp / "hand-ins" / "dan")
    regrade = [
        "grade",
        str(folder),
        NB,
        *map(str, subs),
        "--student",
        "dan",
        "--jobs",
        "1",
        "--timeout",
        "60",
    ]
    assert gradebook.main(regrade) == 0
    return folder, first


def _table(folder):
    with open(folder / "gradebook.csv", newline="", encoding="utf-8") as f:
        return {r["student"]: r for r in csv.DictReader(f)}


def test_the_book_has_a_row_per_student_a_column_per_notebook_and_the_total(book):
    folder, _ = book
    rows = _table(folder)
    assert set(rows) == {"alice", "bob", "carol", "dan"}
    assert rows["alice"][f"{NB} (/11)"] == "11" and rows["alice"]["total (/11)"] == "11"
    assert rows["bob"][f"{NB} (/11)"] == "11" and rows["carol"][f"{NB} (/11)"] == "11"


def test_regrading_one_student_replaces_only_that_row(book):
    folder, first = book
    rows = json.loads((folder / "grades" / f"{NB}.json").read_text())["rows"]
    assert first["dan"]["total"] == 0 and rows["dan"]["total"] == 11
    for student in ("alice", "bob", "carol"):
        assert rows[student] == first[student]
    with open(folder / "grades" / f"{NB}.csv", newline="") as f:
        assert [r["student"] for r in csv.DictReader(f)] == ["alice", "bob", "carol", "dan"]


def test_an_override_survives_a_regrade_and_shows_its_reason_and_the_graders_score(book):
    folder, _ = book
    text = (folder / gradebook.OVERRIDES).read_text()
    assert "handed in late" in text  # the re-grade left the teacher's file alone
    dan = _table(folder)["dan"]
    assert dan[f"{NB} (/11)"] == "4" and dan["total (/11)"] == "4"
    assert dan["overrides"] == f"{NB}: 4 (graded 11): =cmd|' /C calc'!A0 handed in late"
    with open(folder / "gradebook.csv", newline="") as f:  # the cell does not start a formula
        assert not any(c.startswith(("=", "+", "-", "@")) for line in csv.reader(f) for c in line)


def test_a_copied_pair_is_flagged_for_the_teacher_only(book):
    """alice and bob wrote the same Jacobian, carol another one (which dan re-handed in); all four
    kept the notebook's numerical_jacobian, the class's obvious answer, which is left out."""
    folder, _ = book
    rows = _table(folder)
    assert rows["alice"]["similar to (teacher only)"] == f"bob ({NB}: softmax_jacobian)"
    assert rows["bob"]["similar to (teacher only)"] == f"alice ({NB}: softmax_jacobian)"
    assert rows["carol"]["similar to (teacher only)"] == f"dan ({NB}: softmax_jacobian)"
    with open(folder / "similarity.csv", newline="") as f:
        flagged = {(r["student"], r["other student"]) for r in csv.DictReader(f)}
    assert flagged == {("alice", "bob"), ("carol", "dan")}  # alice and carol differ: not a pair
    for path in (folder / "feedback").rglob("*.md"):  # never shown to the students
        text = path.read_text()
        assert "similar" not in text.lower() and not any(
            s in text for s in ("alice", "bob", "carol", "dan") if s != path.parent.name
        )


def test_feedback_is_kept_per_student_and_per_notebook(book, tmp_path):
    folder, _ = book
    assert (folder / "feedback" / "dan" / f"{NB}.md").read_text().count("**Total: 11 / 11**") == 1
    row = grading.Row("alice", "a.ipynb")
    row.scores = {"softmax": (5, 5, "fine"), "log_softmax": (5, 5, "fine")}
    first = report.write_feedback(tmp_path, "01_softmax", row, grading.maxima("01_softmax"))
    row.scores = {n: (0, m, "no") for n, m in grading.maxima(NB).items()}
    second = report.write_feedback(tmp_path, NB, row, grading.maxima(NB))
    assert first != second and "01_softmax" in open(first).read() and NB in open(second).read()
    for hostile in ("../../etc/passwd", "a b", "a_b", "", "..", "/"):
        row.student = hostile
        path = report.write_feedback(tmp_path, NB, row, grading.maxima(NB))
        assert os.path.realpath(path).startswith(str(tmp_path.resolve()) + os.sep)
    assert report.file_name("a b") != report.file_name("a_b")


def _fake_record(folder, notebook, totals):
    rows = {}
    for student, total in totals.items():
        row = grading.Row(student, f"{student}.ipynb")
        names = list(grading.maxima(notebook))
        row.scores = {
            n: (total if k == 0 else 0, grading.maxima(notebook)[n], "m") for k, n in enumerate(names)
        }
        rows[student] = gradebook.record(row, {})
    gradebook.save_rows(folder, notebook, rows)


def test_notebooks_merge_with_blanks_for_what_was_not_handed_in(tmp_path):
    _fake_record(tmp_path, "01_softmax", {"ann": 5, "=evil()": 3})
    _fake_record(tmp_path, "06_gradient_checking", {"ann": 4, "ben": 2})
    notebooks, students, flags = gradebook.write_table(tmp_path)
    assert notebooks == ["01_softmax", "06_gradient_checking"] and flags == []
    rows = _table(tmp_path)
    assert set(rows) == {"ann", "ben", "'=evil()"}
    assert rows["ann"]["01_softmax (/10)"] == "5" and rows["ann"]["total (/25)"] == "9"
    assert rows["ben"]["01_softmax (/10)"] == "" and rows["ben"]["total (/25)"] == "2"
    assert "ann" in gradebook.text_table(notebooks, students)


@pytest.mark.parametrize(
    "line, says",
    [
        ("ann,01_softmax,=1+1,why", "must be a number from 0 to 10"),
        ("ann,01_softmax,11,why", "must be a number from 0 to 10"),
        ("ann,01_softmax,nan,why", "must be a number"),
        ("ann,99_nothing,3,why", "unknown notebook"),
        ("ann,01_softmax,3,", "needs a student and a reason"),
        (",01_softmax,3,why", "needs a student and a reason"),
    ],
)
def test_a_bad_override_is_refused_naming_the_line(tmp_path, line, says):
    (tmp_path / gradebook.OVERRIDES).write_text(
        "student,notebook,score,reason\nann,01_softmax,3,ok\n" + line + "\n"
    )
    with pytest.raises(gradebook.GradebookError, match=f"line 3: .*{says}"):
        gradebook.load_overrides(tmp_path)
    assert gradebook.main(["table", str(tmp_path)]) == 2
    (tmp_path / gradebook.OVERRIDES).write_text("name;score\n")
    with pytest.raises(gradebook.GradebookError, match="expected the columns"):
        gradebook.load_overrides(tmp_path)


def test_a_damaged_record_is_refused_not_read():
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "grades").mkdir()
        (Path(folder) / "grades" / "01_softmax.json").write_text("[1, 2")
        with pytest.raises(gradebook.GradebookError, match="grade the notebook again"):
            gradebook.merge(folder)


# --- Canvas ------------------------------------------------------------------------------------


def test_the_canvas_csv_has_canvass_columns_the_points_possible_row_and_the_ids(tmp_path):
    _fake_record(tmp_path, "01_softmax", {"ann": 5, "ben": 3, "=evil()": 1, "zoe": 2})
    _fake_record(tmp_path, "06_gradient_checking", {"ann": 4})
    gradebook.add_override(tmp_path, "ben", "01_softmax", "7", "regraded by hand")
    roster = tmp_path / "canvas-export.csv"
    roster.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,01_softmax (4411),Current Score\n"
        "    Points Possible,,,,,10,(read only)\n"
        '"Lee, Ann",101,S1,ann@uni.edu,A,,\n'
        '"Ng, Ben",102,S2,BEN,A,,\n'
        '"=evil()",103,S3,x3,B,,\n'
    )
    out = tmp_path / "canvas.csv"
    assert export.write_canvas(tmp_path, out, roster) == ["zoe"]
    with open(out, newline="") as f:
        lines = list(csv.reader(f))
    assert lines[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "01_softmax (4411)",
        "06_gradient_checking",
    ]
    assert lines[1] == ["Points Possible", "", "", "", "", "10", "15"]
    assert lines[2] == ["'=evil()", "103", "S3", "x3", "B", "1", ""]
    assert lines[3] == ["Lee, Ann", "101", "S1", "ann@uni.edu", "A", "5", "4"]
    assert lines[4] == ["Ng, Ben", "102", "S2", "BEN", "A", "7", ""]  # the override, not the grader's 3
    assert len(lines) == 5
    assert gradebook.main(["canvas", str(tmp_path), "-o", str(out)]) == 0  # no roster: names, no ids
    with open(out, newline="") as f:
        assert [line[:2] for line in list(csv.reader(f))[2:]] == [
            ["'=evil()", ""],
            ["ann", ""],
            ["ben", ""],
            ["zoe", ""],
        ]


def test_a_file_that_is_not_a_canvas_export_is_refused(tmp_path):
    _fake_record(tmp_path, "01_softmax", {"ann": 5})
    (tmp_path / "roster.csv").write_text("name,score\nann,3\n")
    with pytest.raises(gradebook.GradebookError, match="not a Canvas gradebook export"):
        export.write_canvas(tmp_path, tmp_path / "out.csv", tmp_path / "roster.csv")


# --- Gradescope --------------------------------------------------------------------------------


def _gradescope_root(tmp_path, **options):
    """A folder laid out as Gradescope's ``/autograder``, with the package unpacked in ``source``."""
    root = tmp_path / "autograder"
    for name in ("source", "submission", "results"):
        (root / name).mkdir(parents=True)
    archive = gradescope.package(NB, tmp_path / "autograder.zip", **options)
    with zipfile.ZipFile(archive) as z:
        z.extractall(root / "source")
        assert {"setup.sh", "run_autograder", "course_utils/teaching/grading.py"} <= set(z.namelist())
        assert z.getinfo("run_autograder").external_attr >> 16 & 0o111
    return root


def _run_autograder(root):
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    return subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_gradescope_package_grades_a_hand_in_in_gradescopes_layout(tmp_path):
    root = _gradescope_root(tmp_path, timeout=60, fast=True)
    assert (root / "source" / "options.txt").read_text().split() == ["--fast", "--timeout", "60"]
    shutil.copy(
        _hand_in(tmp_path / "h", "x", "h = cu.softmax(z)\n    return np.diag(h * (1 - h))"),
        root / "submission",
    )
    done = _run_autograder(root)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 2 + 5
    tests = {t["name"]: t for t in results["tests"]}
    assert list(tests) == list(grading.maxima(NB))
    assert tests["softmax_jacobian"]["max_score"] == 6 and tests["softmax_jacobian"]["score"] == 2
    assert "off-diagonal entries are zero" in tests["softmax_jacobian"]["output"]
    assert tests["numerical_jacobian"] | {"output": ""} == {
        "name": "numerical_jacobian",
        "score": 5,
        "max_score": 5,
        "status": "passed",
        "output": "",
        "output_format": "text",
        "visibility": "visible",
    }
    assert "WITHOUT the sandbox" not in json.dumps(results)


def test_a_link_in_the_submission_is_never_graded(tmp_path):
    """A link named as the hand-in, to the solution the package holds, would score full marks."""
    root = _gradescope_root(tmp_path)
    (root / "submission" / f"{NB}.ipynb").symlink_to(classroom.SOLUTIONS / f"{NB}.ipynb")
    assert gradescope.run(NB, root) == 0
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and "found no .ipynb file" in results["output"]
    (root / "submission" / "a").mkdir()
    for name in ("one.ipynb", "two.ipynb"):
        (root / "submission" / "a" / name).write_text("{}")
    assert gradescope.run(NB, root) == 0
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and "a/one.ipynb, a/two.ipynb" in results["output"]
    assert all(t["score"] == 0 and "not graded" in t["output"] for t in results["tests"])


def test_without_its_sandbox_the_package_grades_nothing(tmp_path, monkeypatch, capsys):
    root = _gradescope_root(tmp_path)
    shutil.copy(classroom.SOLUTIONS / f"{NB}.ipynb", root / "submission")

    def unavailable():
        raise confine.Unavailable("bwrap: no permission to create namespaces")

    monkeypatch.setattr(confine, "check", unavailable)
    assert gradescope.run(NB, root) == 3
    assert not (root / "results" / "results.json").exists()
    assert "no permission to create namespaces" in capsys.readouterr().out


def test_similarity_of_a_graded_book_leaves_scores_alone(book):
    folder, _ = book
    rows = json.loads((folder / "grades" / f"{NB}.json").read_text())["rows"]
    answers = {s: r["answers"] for s, r in rows.items()}
    assert [p.exercises for p in similarity.flag_pairs(NB, answers)] == [("softmax_jacobian",)] * 2
    assert rows["alice"]["total"] == rows["bob"]["total"] == rows["carol"]["total"] == 11
