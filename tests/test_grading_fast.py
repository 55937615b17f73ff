"""Grading fast: only the cells the graded functions need run, and the grade is the same.

:mod:`course_utils.teaching.prune` on planted notebooks (what must run, what may be skipped, and
everything when a cell cannot be read), then real hand-ins graded with and without ``fast``.
"""

import nbformat
import pytest

from course_utils.teaching import classroom, grading, prune

NB = "02_softmax_jacobian"


def _kept(cells, names=("f",)):
    return prune.needed_cells(cells, set(names))


def test_a_graded_function_keeps_what_it_reads_and_nothing_else():
    cells = [
        "import numpy as np\nimport matplotlib.pyplot as plt",  # 0 binds np: needed
        "scale = 2.0",  # 1 read by f
        "fig, ax = plt.subplots()\nax.plot(np.arange(3))",  # 2 draws only
        "def f(x):\n    k = scale * helper(x)\n    return np.sum(k)",  # 3
        "def helper(x):\n    return x + offset",  # 4 defined after f: still needed
        "offset = 1",  # 5
        "k = 99\nprint(f(3))",  # 6 a global named like f's local: not needed
        "check = [f(v) for v in range(3)]",  # 7 calls f: changes nothing f reads
    ]
    assert _kept(cells) == [0, 1, 3, 4, 5]


def test_a_cell_that_changes_what_the_function_reads_runs():
    cells = [
        "import numpy as np\ntable = {'eps': 1.0}\nweights = [1.0]",
        "def f(x):\n    return x * table['eps'] * weights[0]",
        "table['eps'] = 1e-3",  # assigns into a needed name
        "weights.reverse()",  # a method call on a needed name
        "np.set_printoptions(precision=3)",  # a module's function: skipped
        "del table['unused']",  # deletes from it
        "for table in [table]:\n    pass",  # rebinds it
    ]
    assert _kept(cells) == [0, 1, 2, 3, 5, 6]


@pytest.mark.parametrize(
    "cell",
    [
        "exec('scale = 3')",
        "globals()['scale'] = 3",
        "from numpy import *",
        "%run other.py",
        "!rm -rf x",
        "def g(:",
        "get_ipython().user_ns['scale'] = 3",
        "import sys\nsys.modules['numpy'] = None",
        "vars()['scale'] = 3",
    ],
)
def test_a_cell_that_cannot_be_read_safely_runs_everything(cell):
    cells = ["scale = 2", "def f(x):\n    return scale * x", "fig = 1", cell]
    assert _kept(cells) == [0, 1, 2, 3]


def test_a_magic_that_only_configures_is_no_reason_to_run_everything():
    cells = ["%matplotlib inline\nimport numpy as np", "def f(x):\n    return np.sum(x)", "print(f(1))"]
    assert _kept(cells) == [0, 1]


@pytest.mark.parametrize("notebook", sorted(grading.SPEC))
def test_every_graded_function_is_still_defined_in_each_edition(notebook):
    for folder in (classroom.SOLUTIONS, classroom.LEARNER):
        nb = nbformat.read(folder / f"{notebook}.ipynb", as_version=4)
        sources = [c.source for c in nb.cells if c.cell_type == "code"]
        run = prune.cells_to_run(notebook, sources)
        assert len(run) == len(sources) and run.count("pass") >= 1
        code = "\n".join(run)
        for e in grading.SPEC[notebook]:
            assert f"def {e.function}(" in code, (notebook, e.function)


def test_a_fast_grade_is_the_same_grade(tmp_path):
    """The solution, a half-right answer and a hand-in whose figure cell would stall: same scores."""
    nb = nbformat.read(classroom.SOLUTIONS / f"{NB}.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "markdown" or "widget" not in c.source]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    right = tmp_path / "right" / f"{NB}.ipynb"
    right.parent.mkdir()
    nbformat.write(nb, right)
    nb.cells.append(nbformat.v4.new_code_cell("import time\nfig = plt.figure()\ntime.sleep(3600)"))
    stalls = tmp_path / "stalls" / f"{NB}.ipynb"
    stalls.parent.mkdir()
    nbformat.write(nb, stalls)
    fast = {r.student: r for r in grading.grade(NB, [right, stalls], jobs=2, timeout=60, fast=True)}
    assert fast["right"].total == fast["stalls"].total == 11, fast
    assert "left out" not in fast["stalls"].note  # the stalling cell never ran
    slow = grading.grade(NB, [right], jobs=1, timeout=60)
    assert slow[0].scores == fast["right"].scores


def test_a_kept_cell_drops_only_imports_nothing_needs():
    cell = "%matplotlib inline\nimport numpy as np\nimport matplotlib.pyplot as plt\n"
    cell += "import json; x = 1\nfrom os import (\n    path,\n)"
    trimmed = prune.trim(cell, {"np", "x"})
    assert trimmed.split("\n") == ["", "import numpy as np", "", "import json; x = 1", "", "", ""]
    assert prune.trim(cell, {"np", "plt", "path"}).split("\n")[1:3] == [
        "import numpy as np",
        "import matplotlib.pyplot as plt",
    ]
    assert prune.trim("def f(:\n%matplotlib inline", set()) == "def f(:\n%matplotlib inline"
    cells = [
        "import matplotlib.pyplot as plt\nimport numpy as np",
        "def f(x):\n    return plt.gca() and np.sum(x)",
    ]
    assert prune.cells_to_run("02_softmax_jacobian", cells + ["exec('1')"]) == cells + ["exec('1')"]


def test_the_sandboxs_course_copy_is_compiled_for_the_paths_the_sandbox_sees():
    """The sandbox cannot write bytecode, so the copy it mounts carries it, named as mounted."""
    import importlib.util
    import marshal

    from course_utils.teaching import confine

    top = confine.course_copy()
    sources = sorted((top / "course").rglob("*.py")) + sorted((top / "grader").rglob("*.py"))
    assert len(sources) > 10
    for source in sources:
        cached = importlib.util.cache_from_source(str(source))
        with open(cached, "rb") as f:
            f.read(16)  # the header: magic, flags, the source's mtime and size
            code = marshal.load(f)
        mount = confine.COURSE if source.is_relative_to(top / "course") else confine.GRADER
        folder = "course" if mount == confine.COURSE else "grader"
        assert code.co_filename == f"{mount}/{source.relative_to(top / folder)}"
