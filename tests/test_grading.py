"""Grading: the spec matches the notebooks, scores cannot be gamed, and a bad hand-in costs one row.

One batch of small notebook-02 submissions (right, blank, half right, patching, cheating,
crashing, looping, not JSON) is graded once, in parallel, and every test reads its rows.
"""

import csv
import os
import re
import signal
import subprocess
import sys
import time
import types

import nbformat
import pytest

from course_utils.teaching import classroom, detect, grading
from course_utils.teaching.sandbox import Sandbox

NB = "02_softmax_jacobian"
GUIDE = classroom.ROOT / "notebooks" / "TEACHER_GUIDE.md"


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
    assert {n for n, graded in grading.SPEC.items() if graded} == with_exercises


@pytest.mark.parametrize("notebook", sorted(grading.SPEC))
def test_reference_answers_earn_every_point_and_stubs_none(notebook):
    from course_utils.bugs import MYSTERIES

    def stub(*args):
        raise NotImplementedError

    for e in grading.SPEC[notebook]:
        right, _ = grading.score_exercise(e, _learners_copy(e.reference))
        empty, _ = grading.score_exercise(e, stub)
        assert sum(right.values()) == grading.maxima(notebook)[e.name], (e.name, right)
        assert sum(empty.values()) == 0, (e.name, empty)
    if notebook == grading.MYSTERY_NOTEBOOK:
        assert sum(grading.score_mysteries(dict(enumerate(MYSTERIES, 1)))[0].values()) == 5
        assert sum(grading.score_mysteries({n: ... for n in range(1, 6)})[0].values()) == 0
        assert grading.score_mysteries([["not", "a dict"]])[0] == {f"mystery {k}": 0 for k in range(1, 6)}


def _learners_copy(fn):
    """The reference under a code object of its own, as a learner's own copy of it would be.

    The checkers tell a learner whose function calls the course's own implementation of the answer;
    the reference itself is that implementation for some exercises.
    """
    if not isinstance(fn, types.FunctionType):
        return fn
    code = fn.__code__.replace(co_name=fn.__code__.co_name + "_learners_copy")
    copy = types.FunctionType(code, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)
    copy.__kwdefaults__ = fn.__kwdefaults__
    return copy


def test_the_guide_states_the_real_maxima():
    """The points table in the teacher guide is generated from ``GRADED``; paste it again if this fails."""
    assert grading.points_table() in GUIDE.read_text(), "\n" + grading.points_table()


# --- the static reading of an answer -----------------------------------------------------------


@pytest.mark.parametrize(
    "cells, flagged",
    [
        (
            ["import course_utils as cu", "def softmax_jacobian_one(z):\n    return cu.softmax_jacobian(z)"],
            True,
        ),
        (
            [
                "from course_utils.softmax import softmax_jacobian as sj",
                "def softmax_jacobian_one(z):\n    return sj(z)",
            ],
            True,
        ),
        (["import course_utils as cu\njac = cu.softmax_jacobian", "softmax_jacobian_one = jac"], True),
        (
            [
                "import course_utils as cu",
                "def softmax_jacobian_one(z):\n    return getattr(cu, 'softmax_jacobian')(z)",
            ],
            True,
        ),
        (
            [
                "%matplotlib inline\nimport course_utils as cu",
                "def helper(z):\n    return cu.softmax_jacobian(z)",
                "def softmax_jacobian_one(z):\n    return helper(z)",
            ],
            True,
        ),
        (
            [
                "import course_utils as cu",
                "def softmax_jacobian_one(z):\n    h = cu.softmax(z)\n    return np.diag(h) - np.outer(h, h)",
            ],
            False,
        ),
        (
            [
                "from scipy import special",
                "def softmax_jacobian_one(z):\n    return special.softmax_jacobian(z)",
            ],
            False,
        ),
        (["def softmax_jacobian_one(z:\n"], False),
    ],
)
def test_the_code_is_read_for_calls_of_the_course_answer(cells, flagged):
    targets = detect.forbidden(NB)["softmax_jacobian_one"]
    found = detect.calls_course_answer(cells, "softmax_jacobian_one", targets)
    assert bool(found) == flagged, found


# --- one process per submission ----------------------------------------------------------------


def _graded(e, sources, notebook):
    with Sandbox(notebook, sources, timeout=60) as box:
        box.run()
        return grading.score_exercise(e, box.function(e.function))


def test_a_test_function_argument_is_called_back_in_the_grader():
    """06's ``f`` stays in the grader; the learner's in-place steps on ``x`` reach it."""
    e = grading.SPEC["06_gradient_checking"][0]
    answer = (
        "import numpy as np\n"
        "def numerical_grad(f, x, eps):\n"
        "    g = np.zeros_like(x)\n"
        "    for k in range(x.size):\n"
        "        old = x.flat[k]\n"
        "        x.flat[k] = old + eps\n"
        "        up = f()\n"
        "        x.flat[k] = old - eps\n"
        "        down = f()\n"
        "        x.flat[k] = old\n"
        "        g.flat[k] = (up - down) / (2 * eps)\n"
        "    return g\n"
    )
    parts, message = _graded(e, [answer], "06_gradient_checking")
    assert sum(parts.values()) == grading.maxima("06_gradient_checking")[e.name], message


def _submission(folder, name, body=None, extra=None, learner=False, language="en"):
    """A hand-in of notebook 02 (solution or learner copy, in ``language``), ``body`` its Jacobian."""
    solutions, learners = classroom.editions()[language]
    nb = nbformat.read((learners if learner else solutions) / f"{NB}.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "markdown" or "widget" not in c.source]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
        if body and "def softmax_jacobian_one" in cell.source:
            block = r"raise NotImplementedError.*" if learner else r"### BEGIN SOLUTION\n.*?### END SOLUTION"
            cell.source = re.sub(block, body, cell.source, count=1, flags=re.S if not learner else 0)
    if extra:
        nb.cells.append(nbformat.v4.new_code_cell(extra))
    path = folder / name / f"{NB}.ipynb"  # every hand-in has the same file name
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    return path


PATCHES = """
import course_utils.grading, course_utils.teaching.grading as tg
import course_utils.notebooks._checking as ch
import course_utils.notebooks.nb02_softmax_jacobian as nb02
import course_utils as cu
tg.score_exercise = lambda e, fn: ({"runs": 99}, "all right")
course_utils.grading.case = lambda *a, **k: True
ch.run_checks = lambda *a, **k: ch.Feedback("x", "correct", "fine")
nb02.check_jacobian = nb02.check_numerical_jacobian = lambda fn: ch.Feedback("x", "correct", "fine")
cu.softmax_jacobian = lambda z: 0
"""


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hand-ins")
    spy = "import os\nseen = sorted(os.listdir())\nopen('mine', 'w').close()\n"
    spy += "raise OSError(f'CWD {os.getcwd()} {seen}')"
    subs = {
        "full": _submission(tmp, "full", extra=spy),
        "blank": _submission(tmp, "blank", learner=True, extra=spy),
        "diagonal": _submission(tmp, "diagonal", "h = cu.softmax(z)\n    return np.diag(h * (1 - h))"),
        "patcher": _submission(tmp, "patcher", learner=True, extra=PATCHES),
        "calls_cu": _submission(tmp, "calls_cu", "return cu.softmax_jacobian(z)"),
        "hidden_call": _submission(
            tmp,
            "hidden_call",
            "import importlib\n    m = importlib.import_module('course_' + 'utils')\n"
            "    return getattr(m, 'softmax_' + 'jacobian')(z)",
        ),
        "raises": _submission(tmp, "raises", "return z[10]"),
        "stalls": _submission(  # right in its notebook, endless once graded
            tmp,
            "stalls",
            "while globals().get('TRAP'):\n        pass\n    h = cu.softmax(z)\n"
            "    return np.diag(h) - np.outer(h, h)",
            extra="TRAP = True",
        ),
        "exits": _submission(tmp, "exits", extra="import os\nos._exit(3)"),
        "loops": _submission(
            tmp,
            "loops",
            extra="import subprocess\np = subprocess.Popen(['sleep', '3017'])\nwhile True:\n    pass",
        ),
    }
    subs["garbles"] = _submission(
        tmp, "garbles", extra="import os, sys\nos.write(int(sys.argv[-2]), b'{oops\\n')"
    )
    other = tmp / "wrong_notebook" / f"{NB}.ipynb"  # notebook 01 handed in as 02
    other.parent.mkdir()
    other.write_text((classroom.SOLUTIONS / "01_softmax.ipynb").read_text())
    subs["wrong_notebook"] = other
    empty = tmp / "empty" / f"{NB}.ipynb"
    empty.parent.mkdir()
    nbformat.write(nbformat.v4.new_notebook(), empty)
    subs["empty"] = empty
    not_json = tmp / "not_json" / f"{NB}.ipynb"
    not_json.parent.mkdir()
    not_json.write_text('{"cells": [')
    subs["not_json"] = not_json
    out = tmp / "grades.csv"
    args = [NB, *map(str, subs.values()), "-o", str(out), "--timeout", "10", "--jobs", "2"]
    assert grading.main(args) == 0
    with open(out, newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    return tmp, rows, out


def _scores(row):
    return float(row["softmax_jacobian (/6)"]), float(row["numerical_jacobian (/5)"])


def test_right_blank_and_half_right_answers(batch):
    _, rows, out = batch
    assert _scores(rows["full"]) == (6, 5) and rows["full"]["total (/11)"] == "11"
    assert _scores(rows["blank"]) == (0, 0)
    assert "not implemented yet" in rows["blank"]["softmax_jacobian message"]
    assert _scores(rows["diagonal"]) == (2, 5)  # runs, and its diagonal is right
    assert "off-diagonal entries are zero" in rows["diagonal"]["softmax_jacobian message"]
    header = next(csv.reader(open(out)))
    assert header[0] == "student" and header[-1] == "total (/11)"


def test_patching_the_grader_or_course_utils_earns_nothing(batch):
    _, rows, _ = batch
    assert _scores(rows["patcher"]) == (0, 0)


def test_calling_the_course_answer_scores_zero_and_is_flagged(batch):
    _, rows, _ = batch
    for name in ("calls_cu", "hidden_call"):  # read in the code; seen only at run time
        assert _scores(rows[name]) == (0, 5)
        assert (
            "flagged: softmax_jacobian_one calls course_utils.softmax.softmax_jacobian" in rows[name]["note"]
        )


def test_a_crash_inside_the_learners_function_costs_that_exercise(batch):
    _, rows, _ = batch
    assert _scores(rows["raises"]) == (0, 5)
    assert "your function raised IndexError" in rows["raises"]["softmax_jacobian message"]


def test_a_cell_that_kills_stalls_or_garbles_is_left_out_and_the_rest_graded(batch):
    _, rows, _ = batch
    said = {
        "exits": "the notebook's process ended (exit code 3) while running it",
        "loops": "time limit of 10 s reached while running it",
        "garbles": "the notebook's process sent something unreadable",  # it wrote on the grader's pipe
    }
    for name, why in said.items():
        note = rows[name]["note"]
        assert re.search(r"code cell \d+ \(`import [\w, ]+`\) left out \(" + re.escape(why), note), note
        assert rows[name]["total (/11)"] == "11", (name, note)  # its functions came before that cell
    assert "not a notebook" in rows["not_json"]["note"] and rows["not_json"]["total (/11)"] == "0"


def test_a_function_that_stalls_while_graded_costs_that_exercise_only(batch):
    _, rows, _ = batch
    row = rows["stalls"]
    assert _scores(row) == (0, 5), row
    assert (
        "time limit of 10 s reached while your function was being graded" in row["softmax_jacobian message"]
    )
    assert "softmax_jacobian: time limit of 10 s reached while grading it" in row["note"]


def test_no_process_of_a_hand_in_is_left_running(batch):
    for _ in range(50):  # the looping notebook's `sleep 3017` was killed with it (reaped soon after)
        left = sandbox_processes()
        if not left:
            break
        time.sleep(0.1)
    assert not left, left


def sandbox_processes():
    """Every process a sandbox may have left: its user ids, its worker, a hand-in's `sleep 3017`."""
    from course_utils.teaching import confine

    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode()
            status = open(f"/proc/{pid}/status").read()
        except OSError:
            continue
        if status.split("State:")[1].split()[0] in "ZX":
            continue
        uid = int(status.split("Uid:")[1].split()[0])
        ours = confine.user_id(0) <= uid < confine.user_id(0) + confine.SLOTS  # this grader's sandboxes
        if ours or "sleep 3017" in cmdline:
            left.append(f"{pid} {cmdline}")
    return left


def test_each_submission_ran_in_an_empty_folder_of_its_own(batch):
    _, rows, _ = batch
    for name in ("full", "blank"):  # the other's file is not there: a tmpfs of each sandbox's own
        note = rows[name]["note"]
        assert "raised OSError: CWD /tmp [" in note and "mine" not in note, note


def test_same_file_names_are_told_apart_and_each_student_gets_feedback(batch):
    tmp, rows, _ = batch
    assert {"full", "blank", "diagonal"} <= set(rows)
    text = (tmp / "feedback" / "diagonal" / f"{NB}.md").read_text()
    assert "## softmax_jacobian: 2 / 6" in text and "off-diagonal entries are zero" in text
    assert "**Total: 7 / 11**" in text


def test_every_zero_says_why(batch):
    _, rows, _ = batch
    said = {
        "blank": "blank: every exercise still raises NotImplementedError",
        "wrong_notebook": "another exercise's notebook: it defines the functions of 01_softmax",
        "empty": "an empty notebook: no code cell",
        "not_json": "not a notebook",
    }
    for name, why in said.items():
        assert rows[name]["total (/11)"] == "0" and rows[name]["note"].startswith(why), rows[name]["note"]
    assert all(r["note"] for r in rows.values() if r["total (/11)"] == "0")


def test_only_clashing_names_are_told_apart():
    from course_utils.teaching import report

    paths = ["b1/alice/nb.ipynb", "b2/alice/nb.ipynb", "b1/bob/nb.ipynb", "b2/carol/nb.ipynb"]
    assert report.student_names(paths) == ["alice (b1)", "alice (b2)", "bob", "carol"]
    assert report.student_names(["x/a/nb.ipynb", "x/a/nb.ipynb"]) == ["a (1)", "a (2)"]


def test_names_and_notes_are_escaped_for_csv_and_markdown(tmp_path):
    from course_utils.teaching import report

    row = grading.Row('=HYPERLINK("http://x")', "@sub.ipynb", note="-2+3 <b>**bold**</b>\n# title")
    row.scores = {"softmax_jacobian": (0, 6, "+1 ```` end"), "numerical_jacobian": (5, 5, "fine")}
    out = tmp_path / "grades.csv"
    writer = report.CsvRows(out, NB, grading.maxima(NB))
    writer.write(row)
    writer.close()
    with open(out, newline="") as f:
        cells = list(csv.reader(f))[1]
    assert cells[:3] == ['\'=HYPERLINK("http://x")', "'@sub.ipynb", "'-2+3 <b>**bold**</b>\n# title"]
    assert cells[4] == "'+1 ```` end"
    text = report.feedback_markdown(NB, row, grading.maxima(NB))
    assert 'feedback for =HYPERLINK\\("http://x"\\)' in text
    assert "\\-2\\+3 \\<b\\>\\*\\*bold\\*\\*\\</b\\> \\# title" in text
    assert "`````text\n+1 ```` end\n`````" in text


def test_a_roster_names_the_students(tmp_path):
    from course_utils.teaching import report

    roster = tmp_path / "roster.csv"
    roster.write_text("submission,student\nu1,Ada Lovelace\n")
    assert report.student_names(["u1/a.ipynb", "u2/a.ipynb"], roster) == ["Ada Lovelace", "u2"]
    assert report.student_names(["x/alice.ipynb", "y/bob.ipynb"]) == ["alice", "bob"]


def test_rows_are_written_as_they_finish_and_an_interrupt_keeps_them(tmp_path):
    blank = _submission(tmp_path, "quick", learner=True)
    loops = _submission(tmp_path, "slow", learner=True, extra="while True:\n    pass")
    out = tmp_path / "grades.csv"
    command = [sys.executable, "-m", "course_utils.grading", NB, str(blank), str(loops)]
    # Started with SIGINT ignored, as by a parent that ignores it (a test runner's worker, a shell's
    # background job): the child inherits the ignore, and the grader must undo it. This was the flaky
    # failure: some test workers had SIGINT ignored, and the Ctrl-C never reached the grader.
    grader = subprocess.Popen(
        command + ["-o", str(out), "--jobs", "1", "--timeout", "300"],
        cwd=tmp_path,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        for _ in range(600):  # the quick one is in the file while the slow one still runs
            if out.exists() and len(out.read_text().splitlines()) >= 2:
                break
            time.sleep(0.1)
        assert grader.poll() is None
        grader.send_signal(signal.SIGINT)
        grader.wait(timeout=60)  # the looping submission is killed, not waited for
    finally:
        if grader.poll() is None:
            grader.kill()
    lines = out.read_text().splitlines()
    assert len(lines) == 2 and lines[1].startswith("quick,")


def test_the_chinese_edition_is_graded_by_the_same_grader_with_chinese_feedback(tmp_path):
    """A hand-in of the Chinese learner copy, graded with --language zh: same points, Chinese feedback."""
    diagonal = "h = cu.softmax(z)\n    return np.diag(h * (1 - h))"
    path = _submission(tmp_path, "lin", diagonal, learner=True, language="zh")
    out = tmp_path / "grades.csv"
    assert grading.main([NB, str(path), "-o", str(out), "--jobs", "1", "--language", "zh"]) == 0
    (feedback,) = (tmp_path / "feedback").glob(f"*/{NB}.md")
    text = feedback.read_text(encoding="utf-8")
    assert text.startswith("# 02_softmax_jacobian：给 ") and "**总分：2 / 11**" in text, text
    assert "## softmax_jacobian: 2 / 6\n\n得分：runs 1, checker 0, diagonal 1, hidden 0" in text, text
    assert "非对角" in text.split("## softmax_jacobian")[1].split("```")[1], text
    from course_utils.i18n import language

    assert language() == "en", "the grader puts the language back"


def test_a_submission_outlives_no_killed_grader_for_ever(tmp_path):
    """The worker caps its own CPU time: an endless loop ends even when no grader is left to kill it."""
    script = "import os\nos.environ['COURSE_CPU_SECONDS'] = '1'\nfrom course_utils.teaching import worker\n"
    script += "worker.limit_cpu_time()\nwhile True:\n    pass\n"
    done = subprocess.run([sys.executable, "-c", script], timeout=600)  # a guard, not a speed goal
    assert done.returncode in (-signal.SIGXCPU, -signal.SIGKILL)


# --- the grade and the learner's checker agree -------------------------------------------------

CHEATS_04 = [
    "import numpy as np\nimport course_utils as cu",
    "def vjp_rows(z, g):\n    return np.einsum('ni,nij->nj', g, cu.softmax_jacobian(z))",
    "def delta2(a2, y):\n    return cu.cross_entropy_grad(np.log(a2), y)",
]


def _notebook(folder, name, cells):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return str(path)


def test_every_course_function_that_computes_the_answer_scores_zero_as_the_checker_says(tmp_path):
    from course_utils.notebooks import nb04_chain_rule_reduction as nb04

    namespace = {}
    for cell in CHEATS_04:
        exec(cell, namespace)
    told = str(nb04.check_vjp(namespace["vjp_rows"]))
    assert "scores 0" in told, told  # what the learner's own checker says
    row = grading.grade_one("04_chain_rule_reduction", _notebook(tmp_path, "cheat", CHEATS_04), timeout=60)
    for name, course in (("vjp_rows", "softmax.softmax_jacobian"), ("delta2", "losses.cross_entropy_grad")):
        assert row.scores[name][0] == 0, row.scores[name]
        flagged = row.note.split(f"flagged: {name} calls ")[1].split(". ")[0]
        assert f"course_utils.{course}" in flagged, row.note


def test_a_copy_of_a_course_function_is_told_by_its_compiled_form(tmp_path):
    import importlib
    import inspect

    course = importlib.import_module("course_utils.softmax")
    pasted = inspect.getsource(course.softmax_jacobian).replace("def softmax_jacobian", "def mine")
    imports = "import numpy as np\nimport inspect\nimport course_utils as cu\n"
    imports += "from course_utils import _checks\nfrom course_utils.softmax import softmax"
    copied_at_run_time = [  # invisible to a reading of the cells: only the worker's profiler sees it
        imports,
        "exec(inspect.getsource(cu.softmax_jacobian).replace('def softmax_jacobian', 'def jac'))",
        "def softmax_jacobian_one(z):\n    return jac(z)",
    ]
    pasted_under_another_name = [imports, pasted, "def softmax_jacobian_one(z):\n    return mine(z)"]
    for name, cells in (("run_time", copied_at_run_time), ("pasted", pasted_under_another_name)):
        row = grading.grade_one(NB, _notebook(tmp_path, name, cells), timeout=60)
        assert row.scores["softmax_jacobian"][0] == 0, (name, row.scores)
        assert "course_utils.softmax.softmax_jacobian (a copy of it)" in row.note, (name, row.note)


def test_the_solution_notebooks_call_and_copy_no_course_answer():
    """The honest solutions are not flagged by the wider rule (they also grade full: see the guide)."""
    for notebook, exercises in grading.SPEC.items():
        nb = nbformat.read(classroom.SOLUTIONS / f"{notebook}.ipynb", as_version=4)
        sources = [c.source for c in nb.cells if c.cell_type == "code"]
        targets = detect.forbidden(notebook)
        for e in exercises:
            assert not detect.calls_course_answer(sources, e.function, targets[e.function]), e.function


def test_the_forbidden_functions_include_what_each_checker_watches_for():
    """Read from the checker through run_checks' ``own``: if the runner changes, this says so."""
    vjp = grading.SPEC["04_chain_rule_reduction"][0]
    assert "course_utils.softmax.softmax_jacobian" in detect._checker_own(vjp)


def test_the_guide_states_the_sandboxs_real_limits():
    from course_utils.teaching import confine

    trust = GUIDE.read_text().split("**Trust.**")[1].split("**Why not")[0]
    said = f"limited to {confine.MEMORY_BYTES // 2**30} GB of memory, {confine.PROCESSES} processes"
    assert said in " ".join(trust.split()), trust
    assert f"{confine.FILE_BYTES // 2**20} MB per file" in " ".join(trust.split())
    assert f"a {confine.SCRATCH_BYTES // 2**20} MB scratch folder" in " ".join(trust.split())


def test_a_sandbox_that_starts_after_an_interrupt_is_killed_at_once():
    """Once the grader is interrupted, a hand-in whose sandbox was still starting (or that a thread
    runs again without the cell that was killed) must not run on for its whole time limit."""
    from course_utils.teaching import sandbox
    from course_utils.teaching.protocol import Closed

    sandbox.kill_all()
    try:
        with pytest.raises(Closed), Sandbox(NB, ["while True:\n    pass"], 120) as box:
            box.run()  # without the stop, this loops until the 120 s deadline and raises Deadline
    finally:
        sandbox.resume()
    with Sandbox(NB, ["x = 1"], 120) as box:  # the next batch runs as usual
        box.run()
        assert box.value("x") == 1


def test_an_interrupt_frees_a_grader_thread_even_if_a_process_still_holds_the_pipe():
    """A process that outlived its sandbox's kill (say, one that bwrap had just forked when it was
    killed) keeps the pipe's write end open: the reader still stops when the grader is stopped."""
    import threading

    from course_utils.teaching.protocol import Channel, Closed

    read_fd, write_fd = os.pipe()
    stop = threading.Event()
    channel = Channel(read_fd, write_fd, deadline=time.monotonic() + 120, stop=stop)
    timer = threading.Timer(0.5, stop.set)
    timer.start()
    try:
        with pytest.raises(Closed, match="interrupted"):
            channel.receive()  # nothing comes and nobody closes: without the stop, Deadline at 120 s
    finally:
        timer.cancel()
        os.close(read_fd)
        os.close(write_fd)


def test_an_interrupt_ends_the_batch_without_waiting_for_a_grading_thread(monkeypatch):
    """A thread still reading from a killed hand-in must not hold up the interrupted grader (the
    interrupt test once waited 60 s for it); the command then ends at once (end_interrupted)."""
    import threading

    from course_utils.teaching import sandbox

    release, finished = threading.Event(), threading.Event()

    def grade_stand_in(notebook, path, student, timeout, sandboxed, fast=False):
        if path == "slow":
            release.wait(120)  # a thread that does not come back by itself
            finished.set()
        return grading.Row(student, path)

    monkeypatch.setattr(grading, "_grade_safely", grade_stand_in)
    monkeypatch.setattr(grading.confine, "check", lambda: None)

    def interrupt(row):
        raise KeyboardInterrupt

    try:
        with pytest.raises(KeyboardInterrupt):
            grading.grade(NB, ["quick", "slow"], students=["q", "s"], jobs=2, on_row=interrupt)
        assert not finished.is_set(), "grade() waited for the thread that was still grading"
    finally:
        release.set()
        sandbox.resume()
    assert grading.end_interrupted(0) == 0  # only an interrupt's code 130 ends the process at once


def test_once_interrupted_the_grader_starts_no_hand_in(tmp_path, monkeypatch):
    """After kill_all(), a thread that picks up a hand-in (or re-runs one without a killed cell)
    writes a zero row that says why, and starts no sandbox at all."""
    from course_utils.teaching import sandbox

    def refuse(self):
        raise AssertionError("a sandbox was started after the interrupt")

    monkeypatch.setattr(sandbox.Sandbox, "__enter__", refuse)
    path = _submission(tmp_path, "late", learner=True)
    sandbox.kill_all()
    try:
        row = grading.grade_one(NB, path, timeout=60)
    finally:
        sandbox.resume()
    assert row.total == 0 and "interrupted" in row.note, row.note


@pytest.mark.parametrize("notebook", sorted(n for n, graded in grading.SPEC.items() if graded))
def test_each_solution_notebook_grades_full_marks_in_the_sandbox(notebook, tmp_path):
    """The real route: the grader's stand-in for each function, in the sandbox. A checker that reads a
    function's source (03's "no Python loop") once read the stand-in's and took 2 points off 03."""
    source = classroom.SOLUTIONS / f"{notebook}.ipynb"
    path = tmp_path / "alice" / source.name
    path.parent.mkdir()
    path.write_bytes(source.read_bytes())
    row = grading.grade_one(notebook, str(path), "alice", timeout=120, fast=True)
    full = grading.maxima(notebook)
    assert {name: s[0] for name, s in row.scores.items()} == full, (row.scores, row.note)


def test_a_python_loop_in_a_hand_in_is_read_from_the_hand_in(tmp_path):
    looped = (
        "import numpy as np\nimport course_utils as cu\n"
        "def batched_jacobian(z):\n"
        "    out = []\n"
        "    for row in z:\n"
        "        h = cu.softmax(row)\n"
        "        out.append(np.diag(h) - np.outer(h, h))\n"
        "    return np.array(out)\n"
    )
    path = _notebook(tmp_path, "03_kronecker_delta", ["%matplotlib inline", looped])
    row = grading.grade_one("03_kronecker_delta", path, "bob", timeout=120)
    score, _, message = row.scores["batched_jacobian"]
    assert 0 < score < grading.maxima("03_kronecker_delta")["batched_jacobian"], row.scores
    assert "Python loop (for)" in message, message
    from course_utils.teaching.sandbox import function_source

    assert function_source(["%time x = 1\ndef f():\n    return 1", "def f():\n    return 2"], "f").endswith(
        "2"
    )
    assert function_source(["def g(): pass", "not python ("], "f") is None


def test_the_memory_rule_is_measured_in_the_sandbox_where_the_hand_in_runs(tmp_path):
    """04's "no C × C matrix" rule: a Jacobian built inside the sandbox is seen there, and the grader's
    own allocations (the reply it decodes, another hand-in graded beside it) never count."""
    rows = "import numpy as np\nimport course_utils as cu\ndef vjp_rows(z, g):\n    h = cu.softmax(z)\n"
    honest = rows + "    return h * (g - np.sum(g * h, axis=1, keepdims=True))\n"
    jacobian = (
        rows + "    return np.stack([g[n] @ (np.diag(h[n]) - np.outer(h[n], h[n])) for n in range(len(z))])\n"
    )
    nb = "04_chain_rule_reduction"
    for name in ("h", "j"):
        (tmp_path / name).mkdir()
    row_honest = grading.grade_one(nb, _notebook(tmp_path / "h", nb, [honest]), "h", timeout=120)
    row_jacobian = grading.grade_one(nb, _notebook(tmp_path / "j", nb, [jacobian]), "j", timeout=120)
    top = grading.maxima(nb)["vjp_rows"]
    assert row_honest.scores["vjp_rows"][0] == top, row_honest.scores["vjp_rows"]
    assert 0 < row_jacobian.scores["vjp_rows"][0] < top, row_jacobian.scores["vjp_rows"]
    assert "C × C matrix" in row_jacobian.scores["vjp_rows"][2]
