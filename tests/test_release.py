"""The learner release: it runs on its own, and holds no solution, no grader and no hidden case."""

import subprocess
import sys

import nbformat
import pytest

from course_utils.teaching import classroom, release


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return release.build(tmp_path_factory.mktemp("class") / "release")


def test_the_release_holds_what_learners_need_and_no_grading(built):
    assert sorted(p.name for p in (built / "notebooks").iterdir()) == ["learner"]
    learner = sorted(p.name for p in (built / "notebooks" / "learner").glob("*.ipynb"))
    solutions = sorted(p.name for p in classroom.SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))
    assert learner == solutions and len(learner) == 12
    assert (built / "data" / "mnist" / "train-images-idx3-ubyte.gz").exists()
    assert not (built / "course_utils" / "teaching").exists()
    assert not (built / "course_utils" / "grading.py").exists()
    for path in built.rglob("*"):
        if path.suffix == ".ipynb":  # code only: notebook 00's prose explains the markers
            nb = nbformat.read(path, as_version=4)
            text = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        elif path.suffix in (".py", ".md", ".txt"):
            text = path.read_text()
        else:
            continue
        assert "### BEGIN SOLUTION" not in text, path
        # the hidden inputs are drawn by hidden_rng(seed); only its definition is left
        assert "hidden_rng(" not in text or path.name == "_cases.py", path
        assert "../solutions/" not in path.read_text(), path  # the banner points nowhere else


def test_every_companion_imports_with_an_empty_graded_list(built):
    code = (
        "import course_utils\n"
        "from course_utils.notebooks import NOTEBOOKS, companion\n"
        f"assert course_utils.__file__.startswith({str(built)!r}), course_utils.__file__\n"
        "assert all(companion(n).GRADED == [] for n in NOTEBOOKS)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=built, env={"PYTHONPATH": str(built)})


def test_the_releases_notebook_02_runs_to_the_end_with_the_releases_course_utils(built, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("PYTHONPATH", str(built))
    folder = built / "notebooks" / "learner"
    nb = nbformat.read(folder / "02_softmax_jacobian.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import course_utils\nprint(course_utils.__file__)"))
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    assert nb.cells[-1].outputs[0]["text"].strip() == str(built / "course_utils" / "__init__.py")
    checks = [c for c in nb.cells if c.cell_type == "code" and "nb02.check_" in c.source]
    assert checks and all("not implemented yet" in str(c.outputs) for c in checks)


def test_strip_graded_keeps_what_the_checkers_use():
    source = (
        "def _used_by_checker():\n    return 1\n\n\n"
        "def _only_for_grading():\n    return 2\n\n\n"
        "def check(fn):\n    return _used_by_checker()\n\n\n"
        "GRADED = [(check, _only_for_grading)]\n"
        '"""The docstring of GRADED."""\n'
    )
    out = release.strip_graded(source)
    assert "_used_by_checker" in out and "_only_for_grading" not in out
    assert "GRADED = []" in out and "docstring of GRADED" not in out
