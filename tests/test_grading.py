"""Grading: the spec matches the notebooks, and otter scores three known submissions as expected."""

import re

import nbformat
import numpy as np
import pytest

from course_utils.teaching import classroom, grading


@pytest.mark.parametrize("notebook", sorted(grading.SPEC))
def test_every_graded_function_is_an_exercise_of_its_notebook(notebook):
    nb = nbformat.read(classroom.SOLUTIONS / f"{notebook}.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for e in grading.SPEC[notebook]:
        assert re.search(rf"def {e.function}\(", code), e.function
        assert e.checker.__name__ in code


def test_every_notebook_with_exercises_is_graded():
    with_exercises = {
        p.stem for p in classroom.SOLUTIONS.glob("*.ipynb") if "### BEGIN SOLUTION" in p.read_text()
    }
    assert set(grading.SPEC) == with_exercises


@pytest.mark.parametrize("notebook", sorted(grading.SPEC))
def test_reference_answers_earn_every_point_and_stubs_none(notebook):
    from course_utils.bugs import MYSTERIES

    right = {e.function: e.reference for e in grading.SPEC[notebook]}
    right["answers"] = dict(enumerate(MYSTERIES, start=1))

    def stub(*args):
        raise NotImplementedError

    empty = {e.function: stub for e in grading.SPEC[notebook]}
    empty["answers"] = {n: ... for n in range(1, 6)}
    for name, kind, _, _ in grading.cases(notebook):
        assert grading.case(notebook, name, kind, right), (name, kind)
        assert not grading.case(notebook, name, kind, empty), (name, kind)


def test_hidden_cases_are_hidden_and_every_exercise_has_one():
    for notebook in grading.SPEC:
        hidden = {name for name, kind, _, h in grading.cases(notebook) if h}
        assert hidden == {e.name for e in grading.SPEC[notebook]}


def test_written_test_files_are_ok_format(tmp_path):
    names = grading.write_tests("02_softmax_jacobian", tmp_path)
    assert names == ["numerical_jacobian", "softmax_jacobian"]
    env = {}
    exec((tmp_path / "softmax_jacobian.py").read_text(), env)
    assert env["OK_FORMAT"] is True
    points = [c["points"] for c in env["test"]["suites"][0]["cases"]]
    hidden = [c["hidden"] for c in env["test"]["suites"][0]["cases"]]
    assert points == [1, 2, 1, 2] and hidden == [False, False, False, True]


def _submission(tmp_path, name, replace=None):
    nb = nbformat.read(classroom.SOLUTIONS / "02_softmax_jacobian.ipynb", as_version=4)
    if replace == "empty":
        nb = classroom.learner_notebook(nb)
    elif replace == "diagonal":
        for cell in nb.cells:
            if "def softmax_jacobian_one" in cell.source:
                cell.source = re.sub(
                    r"### BEGIN SOLUTION\n.*?### END SOLUTION",
                    "h = cu.softmax(z)\n    return np.diag(h * (1 - h))",
                    cell.source,
                    flags=re.S,
                )
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def test_otter_grades_known_submissions(tmp_path):
    subs = [
        _submission(tmp_path, "full"),
        _submission(tmp_path, "empty", "empty"),
        _submission(tmp_path, "diagonal_only", "diagonal"),
    ]
    results = grading.grade("02_softmax_jacobian", [str(s) for s in subs])
    full, empty, diagonal = (results[str(s)] for s in subs)
    assert full == {"softmax_jacobian": (6.0, 6.0), "numerical_jacobian": (5.0, 5.0)}
    assert empty == {"softmax_jacobian": (0.0, 6.0), "numerical_jacobian": (0.0, 5.0)}
    # Partial credit: it runs, and its diagonal is right; the checker and the hidden case fail.
    assert diagonal == {"softmax_jacobian": (2.0, 6.0), "numerical_jacobian": (5.0, 5.0)}
    assert np.isclose(sum(s for s, _ in full.values()), 11)
