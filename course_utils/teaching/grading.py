r"""Grading learner notebooks: a score and a message per exercise, computed where no submission reaches.

    python -m course_utils.grading 02_softmax_jacobian submissions/*/02_softmax_jacobian.ipynb -o grades.csv

Each submission runs in an operating-system sandbox of its own (:mod:`~course_utils.teaching.confine`,
:mod:`~course_utils.teaching.sandbox`): its cells, then the grader's calls of its functions on
inputs the grader sends; where the sandbox cannot start the grader refuses, unless
``--no-sandbox``. Only plain values come back; the scores are computed here, by the companion
modules' own checkers and references, in this process, which no submission's code ever runs in.
Patching ``course_utils`` or this module from a notebook changes nothing but that notebook's own
process. Every exercise is worth 5 points:

* 1 point: the function runs on an ordinary input and returns the right shape;
* 2 points: the exercise's checker (the same one the notebook shows the learner) passes;
* 2 points, **hidden**: the function is right on fresh inputs that the learner never saw;

plus any partial-credit parts a companion lists in ``extra``; the mysteries of notebook 09 score
one point each (:func:`points_table` lists every maximum). An answer that calls the course's own
implementation of the function its exercise asks for scores 0 there and is flagged
(:mod:`~course_utils.teaching.detect` reads the code, the worker watches the calls).

One bad submission costs only its own row, and a bad cell only what it touched: a cell that
crashes the process, stalls past ``--timeout`` (120 s by default, per run) or garbles the wire is
left out and the notebook runs again without it (:func:`grade_one`); a file that is not a notebook
gets 0, and every 0 carries a note saying why. Rows go to the CSV as each submission finishes, with each
exercise's score and message, and a Markdown feedback file per student goes to ``--feedback``.
"""

import argparse
import os
import signal
import sys
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from ..i18n import LANGUAGES, _, language, lazy_, set_language
from ..notebooks import NOTEBOOKS, companion
from . import confine, detect, prune, report, sandbox
from .protocol import Closed, Deadline, ProtocolError
from .sandbox import Sandbox
from .scoring import MYSTERY_NOTEBOOK, POINTS, score_exercise, score_mysteries

SPEC = {name: companion(name).GRADED for name in NOTEBOOKS}
"""The exercises of each notebook and how each is graded (from the companion modules)."""

DEFAULT_TIMEOUT = 120


def cases(notebook):
    """Every graded part of a notebook: ``(exercise, kind, points, hidden)``."""
    out = []
    for e in SPEC[notebook]:
        out += [(e.name, "runs", POINTS["runs"], False), (e.name, "checker", POINTS["checker"], False)]
        out += [(e.name, kind, points, hidden) for kind, points, hidden, _ in e.extra]
        out.append((e.name, "hidden", POINTS["hidden"], True))
    if notebook == MYSTERY_NOTEBOOK:
        out += [("mysteries", f"mystery {k}", 1, False) for k in range(1, 6)]
    return out


def maxima(notebook):
    """``{exercise: maximum points}``, in the notebook's order."""
    out = {}
    for name, _kind, points, _hidden in cases(notebook):
        out[name] = out.get(name, 0) + points
    return out


def points_table():
    """The Markdown table of every graded exercise and its maximum, as the teacher guide shows it."""
    lines = ["| notebook | exercise (points) | total |", "|---|---|---|"]
    for notebook in SPEC:
        parts = ", ".join(f"`{name}` ({points})" for name, points in maxima(notebook).items())
        lines.append(f"| {notebook} | {parts} | {sum(maxima(notebook).values())} |")
    return "\n".join(lines)


@dataclass
class Row:
    """One submission's result: ``scores`` maps exercise to ``(score, max, message)``."""

    student: str
    submission: str
    scores: dict = field(default_factory=dict)
    note: str = ""
    parts: dict = field(default_factory=dict)

    @property
    def total(self):
        return sum(s for s, _, _ in self.scores.values())


def _zero(notebook, student, submission, note):
    row = Row(student, submission, note=note)
    message = _("not graded: {note}").format(note=note)
    row.scores = {name: (0, top, message) for name, top in maxima(notebook).items()}
    return row


def _first_line(source):
    line = next((ln.strip() for ln in source.splitlines() if ln.strip()), "")
    return line if len(line) <= 50 else line[:47] + "..."


def watch_names(notebook):
    """``{function: [dotted names]}``: the course answers the worker's profiler watches for."""
    return detect.course_answers(notebook)


UNSANDBOXED = lazy_("graded WITHOUT the sandbox (--no-sandbox): this hand-in ran as the teacher. ")
FLAGGED = lazy_("flagged: {function} calls {flags}. ")
INTERRUPTED = lazy_("not graded: the grader was interrupted before this hand-in finished")

MAX_RUNS = 4
"""How many times one hand-in may be run: each cell that kills or stalls it is left out of the next run."""


class _Stopped(Exception):
    """One run of a hand-in ended early: ``cell`` (an index) or ``exercise`` (a name) is to blame."""

    def __init__(self, why, cell=None, exercise=None, tail=""):
        super().__init__(why)
        self.why, self.cell, self.exercise = why, cell, exercise
        self.tail = _("; its last output: “{tail}”").format(tail=tail) if tail else ""


def grade_one(notebook, path, student=None, *, timeout=DEFAULT_TIMEOUT, sandboxed=True, fast=False):
    """Grade one submission file; never raises for anything the file contains.

    A cell that kills the hand-in's process, stalls it past the deadline or garbles the wire is
    left out and the hand-in runs again without it (up to :data:`MAX_RUNS` runs), so the functions
    it defined before that cell are still graded; the note names the cell. A learner's function
    that does the same while it is graded costs that exercise only. ``fast``: run only the cells
    the graded functions need (:mod:`~course_utils.teaching.prune`); the others run as ``pass``.
    """
    import nbformat

    student = student or os.path.splitext(os.path.basename(path))[0]
    try:
        with open(path, encoding="utf-8") as f:
            nb = nbformat.read(f, as_version=4)
        sources = [c.source for c in nb.cells if c.cell_type == "code"]
    except Exception as exc:  # not JSON, not a notebook, unreadable
        error = f"{type(exc).__name__}: {exc}"
        note = _("not a notebook: not a readable .ipynb file ({error})").format(error=error)
        return _zero(notebook, student, path, note[:300])
    where = lambda cell: (
        _("code cell {n} (`{line}`)").format(n=cell + 1, line=_first_line(sources[cell]))
        if cell is not None
        else _("start-up")
    )
    row, left_out, box = Row(student, path), {}, None
    wanted = prune.cells_to_run(notebook, sources) if fast else sources
    for _run in range(MAX_RUNS):
        if sandbox.stopping():  # interrupted: start nothing more (the batch is being stopped)
            return _zero(notebook, student, path, str(INTERRUPTED))
        run = [("pass" if k in left_out else source) for k, source in enumerate(wanted)]
        try:
            box = _run_and_score(notebook, sources, run, row, timeout, sandboxed, where)
            break
        except _Stopped as stop:
            if stop.exercise is not None:
                top = maxima(notebook)[stop.exercise]
                message = _("✗ {name}: 0 points, {why} while your function was being graded").format(
                    name=stop.exercise, why=stop.why
                )
                row.scores[stop.exercise] = (0, top, message)
                row.parts[stop.exercise] = {}
                row.note += _("{name}: {why} while grading it{tail}. ").format(
                    name=stop.exercise, why=stop.why, tail=stop.tail
                )
            elif stop.cell is not None and stop.cell not in left_out:
                left_out[stop.cell] = stop.why
                row.note += _("{where} left out ({why} while running it{tail}). ").format(
                    where=where(stop.cell), why=stop.why, tail=stop.tail
                )
            else:
                note = _("{why} at {where}{tail}").format(
                    why=stop.why, where=where(stop.cell), tail=stop.tail
                )
                return _zero(notebook, student, path, note)
    else:
        row.note += _("gave up after {runs} runs. ").format(runs=MAX_RUNS)
    for name, top in maxima(notebook).items():
        row.scores.setdefault(name, (0, top, _("not graded: the notebook never ran to the end")))
    flagged = str(FLAGGED).split("{")[0] in row.note
    if row.total == 0 and maxima(notebook) and not flagged:
        row.note = detect.why_zero(notebook, sources, SPEC) + ". " + row.note
    if box is not None:
        errors = [
            _("{where} raised {error}").format(where=where(k), error=err) for k, err in box.cell_errors[:3]
        ]
        row.note += "; ".join(errors) + ("; ..." if len(box.cell_errors) > 3 else "")
    return row


def _run_and_score(notebook, sources, run, row, timeout, sandboxed, where):
    """One run of the hand-in (cells ``run``); scores into ``row`` each exercise not scored yet."""
    targets = detect.forbidden(notebook)
    stage, box = None, Sandbox(notebook, run, timeout, confined=sandboxed, watch=watch_names(notebook))
    try:
        with box:
            box.run()
            for e in SPEC[notebook]:
                if e.name in row.scores:
                    continue  # scored in an earlier run, or cost by an earlier run
                stage = e.name
                parts, message = score_exercise(e, box.function(e.function))
                flags = detect.calls_course_answer(sources, e.function, targets[e.function])
                flags |= box.used.get(e.function, set())
                if flags:
                    message = _(
                        "✗ {name}: 0 points, `{function}` calls the course's own {flags}; "
                        "this exercise asks you to write it yourself"
                    ).format(name=e.name, function=e.function, flags=", ".join(sorted(flags)))
                    parts = dict.fromkeys(parts, 0)
                    row.note += str(FLAGGED).format(function=e.function, flags=", ".join(sorted(flags)))
                row.parts[e.name] = parts
                row.scores[e.name] = (sum(parts.values()), maxima(notebook)[e.name], message)
            if notebook == MYSTERY_NOTEBOOK and "mysteries" not in row.scores:
                stage = "mysteries"
                parts, message = score_mysteries(box.value("answers"))
                row.parts["mysteries"] = parts
                row.scores["mysteries"] = (sum(parts.values()), 5, message)
    except Deadline:
        raise _Stopped(
            _("time limit of {timeout:g} s reached").format(timeout=timeout), box.cell, stage
        ) from None
    except Closed:
        why = _("the notebook's process ended (exit code {code})").format(code=box.process.returncode)
        raise _Stopped(why, box.cell, stage, box.output_tail()) from None
    except ProtocolError as exc:
        why = _("the notebook's process sent something unreadable ({error})").format(error=exc)
        raise _Stopped(why, box.cell, stage) from None
    return box


def _grade_safely(notebook, path, student, timeout, sandboxed, fast=False):
    try:
        row = grade_one(notebook, path, student, timeout=timeout, sandboxed=sandboxed, fast=fast)
    except Exception as exc:  # a bug of the grader's own must not cost the rest of the batch
        error = f"{type(exc).__name__}: {exc}"
        row = _zero(
            notebook, student, path, _("the grader failed on this submission ({error})").format(error=error)
        )
    if not sandboxed:
        row.note = str(UNSANDBOXED) + row.note
    return row


def grade(
    notebook,
    submissions,
    *,
    students=None,
    timeout=DEFAULT_TIMEOUT,
    jobs=None,
    on_row=None,
    sandboxed=True,
    fast=False,
):
    """Grade every submission, ``jobs`` at a time; ``on_row(row)`` is called as each one finishes.

    Each hand-in runs in the operating-system sandbox (:mod:`~course_utils.teaching.confine`);
    where it cannot start, this raises :class:`~course_utils.teaching.confine.Unavailable` saying
    why, before grading anything, unless ``sandboxed=False`` (``--no-sandbox``), which every row's
    note then states. ``fast``: run only the cells the graded functions need (see :func:`grade_one`).
    """
    if notebook not in SPEC:
        raise ValueError(f"unknown notebook {notebook!r}; choose one of {', '.join(SPEC)}")
    if sandboxed:
        confine.check()
    detect.course_answers(notebook)  # worked out here, before any thread needs it
    sandbox.resume()
    students = students or report.student_names(submissions)
    guard = report.CourseGuard()
    rows = []
    pool = ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1)
    futures = {
        pool.submit(_grade_safely, notebook, str(path), students[k], timeout, sandboxed, fast): path
        for k, path in enumerate(submissions)
    }
    try:
        for future in as_completed(futures):
            row = future.result()
            rows.append(row)
            if on_row:
                on_row(row)
            guard.check(row.submission)
    except BaseException:  # interrupted, or the course changed on disk: stop everything now
        for f in futures:
            f.cancel()
        sandbox.kill_all()
        pool.shutdown(wait=False, cancel_futures=True)  # no waiting: see end_interrupted
        raise
    pool.shutdown(wait=True)
    return rows


def end_interrupted(code):
    """End the command at once after an interrupt (``code`` 130; rows are written by then), not
    waiting for threads; with ``None``, make Ctrl-C work even if the parent left SIGINT ignored."""
    if code is None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
        return None
    if code == 130:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def main(argv=None):
    end_interrupted(None)  # Ctrl-C interrupts, whatever the parent did with SIGINT
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.grading",
        description="Grade learner notebooks: a score and the checker's message per exercise.",
    )
    parser.add_argument("notebook", choices=sorted(SPEC), help="which notebook the submissions are")
    parser.add_argument("submissions", nargs="+", help="the learners' .ipynb files")
    parser.add_argument("-o", "--output", help="write the scores to this CSV file, row by row")
    parser.add_argument("--feedback", help="folder for one Markdown file per student (default: next to -o)")
    parser.add_argument("--roster", help="CSV with columns submission,student naming each hand-in")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per submission")
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), help="submissions graded at once")
    parser.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run the hand-ins WITHOUT the operating-system sandbox, as you, with your files and "
        "network (only where bwrap cannot run; every row's note says so)",
    )
    parser.add_argument(
        "--fast",
        action="store_true",
        help="run only the cells the graded functions need (skips figures, widgets, checks, experiments)",
    )
    parser.add_argument(
        "--language",
        choices=LANGUAGES,
        default="en",
        help="language of the feedback (zh: the Chinese edition)",
    )
    args = parser.parse_args(argv)
    previous = language()
    set_language(args.language)
    try:
        return _grade_class(args)
    finally:
        set_language(previous)


def _grade_class(args):
    if not args.no_sandbox:
        try:
            confine.check()
        except confine.Unavailable as exc:
            print(exc, file=sys.stderr)
            return 3
    students = report.student_names(args.submissions, args.roster)
    feedback = args.feedback or (
        os.path.join(os.path.dirname(args.output) or ".", "feedback") if args.output else None
    )
    writer = report.CsvRows(args.output, args.notebook, maxima(args.notebook)) if args.output else None
    done = []

    def on_row(row):
        done.append(row)
        print(f"[{len(done)}/{len(args.submissions)}] {row.student}: {row.total:g}  {row.note}", flush=True)
        if writer:
            writer.write(row)
        if feedback:
            report.write_feedback(feedback, args.notebook, row, maxima(args.notebook))

    try:
        rows = grade(
            args.notebook,
            args.submissions,
            students=students,
            timeout=args.timeout,
            jobs=args.jobs,
            on_row=on_row,
            sandboxed=not args.no_sandbox,
            fast=args.fast,
        )
    except KeyboardInterrupt:
        message = _("interrupted: {done} of {count} graded and kept")
        print(message.format(done=len(done), count=len(args.submissions)), file=sys.stderr)
        return 130
    finally:
        if writer:
            writer.close()
    print(report.table(rows, maxima(args.notebook)))
    if writer:
        writer.sort()
    return 0


if __name__ == "__main__":
    sys.exit(end_interrupted(main()))
