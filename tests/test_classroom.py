"""Learner copies: stubs where the solutions were, and a failing test when they fall out of date."""

import re
import shutil

import nbformat
import pytest

from course_utils.teaching import classroom


def test_strip_solutions_in_a_function_and_at_top_level():
    src = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n\ncheck(f)"
    assert (
        classroom.strip_solutions(src)
        == "def f(x):\n    raise NotImplementedError  # your code here\n\ncheck(f)"
    )
    top = "a = {1: ...}\n### BEGIN SOLUTION\na = {1: 'x'}\n### END SOLUTION\nshow(a)"
    assert classroom.strip_solutions(top) == "a = {1: ...}\n# your answer here\nshow(a)"


@pytest.mark.parametrize(
    "bad",
    [
        "### BEGIN SOLUTION\nx = 1",
        "x = 1\n### END SOLUTION",
        "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION",
    ],
)
def test_unbalanced_markers_are_refused(bad):
    with pytest.raises(ValueError):
        classroom.strip_solutions(bad)


def test_committed_learner_copies_are_up_to_date():
    assert classroom.out_of_date() == [], "run: python -m course_utils.teaching.classroom build"


def test_an_edited_solution_makes_its_copy_stale(tmp_path, monkeypatch):
    solutions, learner = tmp_path / "solutions", tmp_path / "learner"
    shutil.copytree(classroom.SOLUTIONS, solutions)
    shutil.copytree(classroom.LEARNER, learner)
    monkeypatch.setattr(classroom, "SOLUTIONS", solutions)
    monkeypatch.setattr(classroom, "LEARNER", learner)
    monkeypatch.setattr(classroom, "LANGUAGES", ("en",))  # the copied course is the English one
    assert classroom.out_of_date(("en",)) == []
    path = solutions / "03_kronecker_delta.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[3].source += "\nA sentence added to the solutions."
    nbformat.write(nb, path)
    (learner / "01_softmax.ipynb").unlink()
    assert classroom.out_of_date(("en",)) == ["learner/01_softmax.ipynb", "learner/03_kronecker_delta.ipynb"]
    assert classroom.main(["check"]) == 1


def test_learner_copies_hold_no_solution_code():
    for path in sorted(classroom.SOLUTIONS.glob("*.ipynb")):
        solution = nbformat.read(path, as_version=4)
        learner = nbformat.read(classroom.LEARNER / path.name, as_version=4)
        learner_code = "\n".join(c.source for c in learner.cells if c.cell_type == "code")
        for cell in solution.cells:
            for block in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S):
                for line in block.splitlines():
                    if len(line.strip()) > 12:
                        # The same line may appear in an ordinary cell; not in the exercise's own cell.
                        exercise_cells = [
                            c.source
                            for c in learner.cells
                            if "your code here" in c.source or "your answer here" in c.source
                        ]
                        assert all(line not in c for c in exercise_cells), (path.name, line)
        assert learner_code.count("raise NotImplementedError") + learner_code.count("# your answer here") >= 2
        assert learner.metadata["course_version"] == "learner"
        assert learner.cells[1].source == classroom.BANNER


def _copy_course(tmp_path, monkeypatch, names):
    solutions, learner = tmp_path / "solutions", tmp_path / "learner"
    solutions.mkdir()
    learner.mkdir()
    for name in names:
        shutil.copy(classroom.SOLUTIONS / f"{name}.ipynb", solutions)
        shutil.copy(classroom.LEARNER / f"{name}.ipynb", learner)
    monkeypatch.setattr(classroom, "SOLUTIONS", solutions)
    monkeypatch.setattr(classroom, "LEARNER", learner)
    monkeypatch.setattr(classroom, "ROOT", tmp_path)
    monkeypatch.setattr(classroom, "LANGUAGES", ("en",))  # the copied course is the English one
    return solutions, learner


def test_building_from_unchanged_sources_writes_the_same_bytes(tmp_path, monkeypatch):
    solutions, learner = _copy_course(tmp_path, monkeypatch, ["02_softmax_jacobian"])
    before = {p: p.read_bytes() for p in [*solutions.glob("*"), *learner.glob("*")]}
    classroom.build(solutions=True)
    after = {p: p.read_bytes() for p in [*solutions.glob("*"), *learner.glob("*")]}
    assert after == before


def test_a_notebook_that_fails_leaves_every_file_as_it_was(tmp_path, monkeypatch):
    solutions, learner = _copy_course(tmp_path, monkeypatch, ["00_start_here", "01_softmax"])
    path = solutions / "01_softmax.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('a broken cell')"))
    nbformat.write(nb, path)
    before = {p: p.read_bytes() for p in [*solutions.glob("*"), *learner.glob("*")]}
    with pytest.raises(Exception, match="a broken cell"):
        classroom.build(solutions=True)
    assert {p: p.read_bytes() for p in [*solutions.glob("*"), *learner.glob("*")]} == before
    assert not list(tmp_path.rglob("*.tmp"))


def test_an_ignored_cell_keeps_its_output_only_while_its_source_is_the_one_that_made_it(
    tmp_path, monkeypatch
):
    solutions, _ = _copy_course(tmp_path, monkeypatch, ["02_softmax_jacobian"])
    path = solutions / "02_softmax_jacobian.ipynb"
    nb = nbformat.read(path, as_version=4)
    ignored = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("# NBVAL_IGNORE_OUTPUT")]
    kept, edited = ignored[0], nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nprint('before')")
    nb.cells.append(edited)
    nbformat.write(nb, path)
    classroom.build(solutions=True)  # the new cell runs once and its digest is recorded
    nb = nbformat.read(path, as_version=4)
    kept_now = next(c for c in nb.cells if c.get("id") == kept.get("id"))
    kept_now.outputs = [nbformat.v4.new_output("stream", text="a stored progress bar\n")]
    edited_now = next(c for c in nb.cells if c.get("id") == edited.get("id"))
    edited_now.source = "# NBVAL_IGNORE_OUTPUT\nprint('after')"  # edited in place, old output beside it
    nbformat.write(nb, path)
    classroom.build(solutions=True)
    nb = nbformat.read(path, as_version=4)
    outputs = {
        c.get("id"): "".join(o.get("text", "") for o in c.outputs) for c in nb.cells if c.cell_type == "code"
    }
    assert outputs[kept.get("id")] == "a stored progress bar\n"
    assert outputs[edited.get("id")] == "after\n"


def test_a_notebook_whose_figure_lacks_glyphs_is_refused():
    """matplotlib's missing-glyph warning in any output stops the build (fonts-noto-cjk is missing)."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("plt.title('交叉熵')")
    warning = "UserWarning: Glyph 20132 (\\N{CJK UNIFIED IDEOGRAPH-4EA4}) missing from font(s) DejaVu Sans."
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text=warning)]
    nb.cells.append(cell)
    with pytest.raises(SystemExit, match="install a CJK font"):
        classroom._check_fonts(nb, classroom.ZH / "solutions" / "01_softmax.ipynb")
    cell.outputs = []
    classroom._check_fonts(nb, classroom.ZH / "solutions" / "01_softmax.ipynb")  # no warning: accepted


def _learner_copy(name):
    return classroom.learner_notebook(nbformat.read(classroom.SOLUTIONS / f"{name}.ipynb", as_version=4))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_banner_speaks_to_learners_and_links_to_nothing_outside_their_folder(language):
    from course_utils.i18n import translated

    text = translated(classroom.BANNER, language)
    assert text != classroom.BANNER or language == "en"
    for maintainer_words in ("solutions", "classroom build", "edit the solution", "参考答案笔记本", "生成"):
        assert maintainer_words not in text, text
    assert "](" not in text and "../" not in text, "a link outside the folder JupyterLab serves"
    assert _learner_copy("01_softmax").cells[1].source == classroom.BANNER


def test_learner_copies_carry_nbvals_tag_instead_of_the_marker_comment():
    marked = 0
    for path in sorted(classroom.SOLUTIONS.glob("*.ipynb")):
        solution = nbformat.read(path, as_version=4)
        learner = classroom.learner_notebook(solution)
        by_id = {c.get("id"): c for c in learner.cells}
        for cell in solution.cells:
            if cell.cell_type != "code":
                continue
            copy = by_id[cell.get("id")]
            assert "NBVAL_IGNORE_OUTPUT" not in copy.source, (path.name, copy.source[:80])
            tagged = "nbval-ignore-output" in copy.metadata.get("tags", [])
            assert tagged == cell.source.startswith("# NBVAL_IGNORE_OUTPUT"), (path.name, cell.source[:80])
            assert classroom.ignores_output(copy) == classroom.ignores_output(cell)
            marked += tagged
    assert marked >= 5  # the widget and timing cells of the course


def test_nbval_ignores_the_output_of_a_tagged_cell_as_of_a_marked_one(tmp_path):
    """Strict nbval passes a cell whose stored output differs only when the tag is there."""
    import subprocess
    import sys

    def notebook(tagged, name):
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        cell = nbformat.v4.new_code_cell("print('fresh')", execution_count=1)
        cell.outputs = [nbformat.v4.new_output("stream", text="stored\n")]
        if tagged:
            cell.metadata["tags"] = ["nbval-ignore-output"]
        nb.cells.append(cell)
        path = tmp_path / name
        nbformat.write(nb, path)
        return path

    def nbval(path):
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            "--nbval",
            "--nbval-current-env",
            "-q",
            "-p",
            "no:cacheprovider",
            str(path),
        ]
        return subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=600).returncode

    assert nbval(notebook(True, "tagged.ipynb")) == 0
    assert nbval(notebook(False, "untagged.ipynb")) != 0
