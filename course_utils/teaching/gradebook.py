r"""A term's gradebook: every graded notebook in one table, the teacher's overrides, similarity flags.

    python -m course_utils.teaching.gradebook grade book NB submissions/*/NB.ipynb  # NB: a notebook's name
    python -m course_utils.teaching.gradebook grade book NB submissions/*/NB.ipynb --student alice
    python -m course_utils.teaching.gradebook override book alice NB 9 "cell 3 fixed in class"
    python -m course_utils.teaching.gradebook table book
    python -m course_utils.teaching.gradebook canvas book -o canvas.csv --canvas-roster canvas-export.csv

The folder ``book`` holds:

* ``grades/<notebook>.json``: the grader's record of each student's row (scores, messages, note,
  and the exercise answers compared for similarity), updated as each hand-in is graded; a re-grade
  of one student (``--student``) or one notebook replaces only those rows;
* ``grades/<notebook>.csv``: the same rows as the grader's CSV;
* ``feedback/<student>/<notebook>.md``: what to send each student, one file per notebook;
* ``overrides.csv`` (``student,notebook,score,reason``): the teacher's own scores. Only the teacher
  (or the ``override`` command, which appends a line) writes it; grading never touches it, and the
  table shows each override with its reason and the grader's score beside it;
* ``gradebook.csv``: a row per student, a column per notebook, the total, the overrides, the notes
  and the similarity flags (:mod:`~course_utils.teaching.similarity`), for the teacher only;
* ``similarity.csv``: the flagged pairs, one line each.

Everything that came from a hand-in is escaped in the CSVs (:func:`~course_utils.teaching.report.csv_cell`).
"""

import argparse
import csv
import json
import math
import os
import sys
from pathlib import Path

from ..i18n import LANGUAGES, _, language, set_language
from . import report, similarity
from .grading import SPEC, Row, maxima

OVERRIDES = "overrides.csv"
OVERRIDE_COLUMNS = ["student", "notebook", "score", "reason"]


class GradebookError(ValueError):
    """A gradebook file that is not what it should be; the message names the file and the line."""


def _atomic_write(path, text):
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.replace(tmp, path)


def _record_path(book, notebook):
    return Path(book) / "grades" / f"{notebook}.json"


def load_rows(book, notebook):
    """``{student: record}`` of one notebook (``{}`` when it was never graded)."""
    path = _record_path(book, notebook)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = data["rows"]
        assert isinstance(rows, dict)
    except (ValueError, KeyError, TypeError, AssertionError) as exc:
        raise GradebookError(
            _("{path} is not a gradebook record ({error}); grade the notebook again").format(
                path=path, error=exc
            )
        ) from None
    return rows


def record(row, answers):
    """A graded :class:`~course_utils.teaching.grading.Row` as plain JSON-ready data."""
    return {
        "student": row.student,
        "submission": str(row.submission),
        "note": row.note,
        "total": row.total,
        "scores": {name: list(value) for name, value in row.scores.items()},
        "parts": row.parts,
        "answers": answers,
    }


def _row(data):
    row = Row(data["student"], data["submission"], note=data.get("note", ""))
    row.scores = {name: tuple(value) for name, value in data.get("scores", {}).items()}
    row.parts = data.get("parts", {})
    return row


def save_rows(book, notebook, rows):
    """Write the notebook's record and its CSV, rows in student order (each file atomically)."""
    folder = Path(book) / "grades"
    folder.mkdir(parents=True, exist_ok=True)
    ordered = dict(sorted(rows.items(), key=lambda kv: kv[0].lower()))
    _atomic_write(_record_path(book, notebook), json.dumps({"notebook": notebook, "rows": ordered}, indent=1))
    top = maxima(notebook)
    lines = [report.header(notebook, top)] + [report.cells(_row(r), top) for r in ordered.values()]
    with open(folder / f"{notebook}.csv.tmp", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(lines)
    os.replace(folder / f"{notebook}.csv.tmp", folder / f"{notebook}.csv")


def grade_into(book, notebook, submissions, *, only=None, roster=None, **options):
    """Grade ``submissions`` of ``notebook`` into the book; ``only``: the students to (re-)grade.

    Students are named over all of ``submissions`` (so a name is the same whether or not the
    others are graded this time), then only those in ``only`` are graded. Other students' rows,
    other notebooks and the overrides are left as they are. Returns the rows graded.
    """
    from . import grading

    names = report.student_names(submissions, roster)
    if only:
        unknown = sorted(set(only) - set(names))
        if unknown:
            raise GradebookError(
                _("no hand-in of {students} among the submissions given").format(students=", ".join(unknown))
            )
        picked = [(p, n) for p, n in zip(submissions, names) if n in only]
        submissions, names = [p for p, _ in picked], [n for _, n in picked]
    rows = load_rows(book, notebook)
    feedback = Path(book) / "feedback"
    top = maxima(notebook)

    def on_row(row):
        rows[row.student] = record(row, similarity.notebook_answers(notebook, row.submission))
        save_rows(book, notebook, rows)
        report.write_feedback(feedback, notebook, row, top)
        print(f"{notebook}: {row.student}: {row.total:g}  {row.note}", flush=True)

    return grading.grade(notebook, submissions, students=names, on_row=on_row, **options)


def load_overrides(book):
    """``{(student, notebook): (score, reason)}`` from ``overrides.csv``; checks every line."""
    path = Path(book) / OVERRIDES
    if not path.exists():
        return {}
    out = {}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or not set(OVERRIDE_COLUMNS) <= set(reader.fieldnames):
            raise GradebookError(
                _("{path}: expected the columns {columns}, got {found}").format(
                    path=path, columns=",".join(OVERRIDE_COLUMNS), found=reader.fieldnames
                )
            )
        for line, entry in enumerate(reader, 2):
            student, notebook = (entry["student"] or "").strip(), (entry["notebook"] or "").strip()
            reason = (entry["reason"] or "").strip()
            if notebook not in SPEC:
                raise GradebookError(
                    _("{path}, line {line}: unknown notebook {notebook!r}").format(
                        path=path, line=line, notebook=notebook
                    )
                )
            try:
                score = float(entry["score"])
            except (TypeError, ValueError):
                score = math.nan
            top = sum(maxima(notebook).values())
            if not (0 <= score <= top):
                raise GradebookError(
                    _(
                        "{path}, line {line}: the score must be a number from 0 to {top:g} "
                        "(the maximum of {notebook}), got {score!r}"
                    ).format(path=path, line=line, top=top, notebook=notebook, score=entry["score"])
                )
            if not student or not reason:
                raise GradebookError(
                    _("{path}, line {line}: an override needs a student and a reason").format(
                        path=path, line=line
                    )
                )
            out[(student, notebook)] = (score, reason)  # a later line wins
    return out


def add_override(book, student, notebook, score, reason):
    """Append one override line (the file is created with its header if need be), then check the file."""
    path = Path(book) / OVERRIDES
    Path(book).mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    with open(path, "a", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        if new:
            writer.writerow(OVERRIDE_COLUMNS)
        writer.writerow([student, notebook, score, reason])
    return load_overrides(book)


def graded_notebooks(book):
    """The notebooks with a record in the book, in the course's order."""
    return [n for n in SPEC if _record_path(book, n).exists()]


def merge(book):
    """The merged table: ``(notebooks, students, flags)``.

    ``students`` maps each name to ``{"scores": {notebook: effective score}, "graded": {notebook:
    grader's score}, "overrides": [...], "notes": [...], "total": ...}``; ``flags`` is the list of
    :class:`~course_utils.teaching.similarity.Pair` of every notebook.
    """
    notebooks = graded_notebooks(book)
    overrides = load_overrides(book)
    students, flags = {}, []
    for notebook in notebooks:
        rows = load_rows(book, notebook)
        flags += similarity.flag_pairs(notebook, {s: r.get("answers", {}) for s, r in rows.items()})
        for student, data in rows.items():
            entry = students.setdefault(student, {"scores": {}, "graded": {}, "overrides": [], "notes": []})
            entry["scores"][notebook] = entry["graded"][notebook] = float(data.get("total", 0))
            if str(data.get("note", "")).strip():
                entry["notes"].append(f"{notebook}: {str(data['note']).strip()}")
    for (student, notebook), (score, reason) in overrides.items():
        entry = students.setdefault(student, {"scores": {}, "graded": {}, "overrides": [], "notes": []})
        graded = entry["graded"].get(notebook)
        was = _("graded {score:g}").format(score=graded) if graded is not None else _("not graded")
        entry["scores"][notebook] = score
        entry["overrides"].append(f"{notebook}: {score:g} ({was}): {reason}")
        if notebook not in notebooks:
            notebooks.append(notebook)
    notebooks = [n for n in SPEC if n in notebooks]
    for entry in students.values():
        entry["total"] = sum(entry["scores"].values())
    return notebooks, dict(sorted(students.items(), key=lambda kv: kv[0].lower())), flags


def write_table(book):
    """Write ``gradebook.csv`` and ``similarity.csv``; returns what :func:`merge` returned."""
    notebooks, students, flags = merge(book)
    similar = {}
    for pair in flags:
        similar.setdefault(pair.a, []).append(pair.describe(pair.b))
        similar.setdefault(pair.b, []).append(pair.describe(pair.a))
    top = {n: sum(maxima(n).values()) for n in notebooks}
    head = ["student"] + [f"{n} (/{top[n]:g})" for n in notebooks]
    head += [f"total (/{sum(top.values()):g})", "overrides", "similar to (teacher only)", "notes"]
    lines = [head]
    for student, entry in students.items():
        scores = [f"{entry['scores'][n]:g}" if n in entry["scores"] else "" for n in notebooks]
        extra = [
            "; ".join(entry["overrides"]),
            "; ".join(similar.get(student, [])),
            " | ".join(entry["notes"]),
        ]
        lines.append([report.csv_cell(c) for c in [student, *scores, f"{entry['total']:g}", *extra]])
    Path(book).mkdir(parents=True, exist_ok=True)
    with open(Path(book) / "gradebook.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(lines)
    with open(Path(book) / "similarity.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["notebook", "student", "other student", "exercises with the same code"])
        for p in flags:
            writer.writerow([report.csv_cell(c) for c in (p.notebook, p.a, p.b, ", ".join(p.exercises))])
    return notebooks, students, flags


def text_table(notebooks, students):
    """The merged table as aligned text; an overridden score is marked ``*``."""
    head = [_("student")] + [n[:2] for n in notebooks] + [_("total")]
    body = []
    for student, entry in students.items():
        marked = {o.split(":")[0] for o in entry["overrides"]}
        body.append(
            [student]
            + [
                (f"{entry['scores'][n]:g}" + ("*" if n in marked else "")) if n in entry["scores"] else "-"
                for n in notebooks
            ]
            + [f"{entry['total']:g}"]
        )
    width = [max(len(line[i]) for line in [head] + body) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, width)) for line in [head] + body)


def main(argv=None):
    from . import grading

    parser = argparse.ArgumentParser(
        prog="python -m course_utils.teaching.gradebook", description=__doc__.splitlines()[0]
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--language",
        choices=LANGUAGES,
        default="en",
        help="language of the messages and the feedback (zh: Chinese)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", parents=[common], help="grade hand-ins of one notebook into the book")
    g.add_argument("book")
    g.add_argument("notebook", choices=sorted(SPEC))
    g.add_argument("submissions", nargs="+")
    g.add_argument("--student", action="append", help="grade only this student (repeatable)")
    g.add_argument("--roster", help="CSV with columns submission,student naming each hand-in")
    g.add_argument("--timeout", type=float, default=grading.DEFAULT_TIMEOUT)
    g.add_argument("--jobs", type=int, default=os.cpu_count())
    g.add_argument("--no-sandbox", action="store_true", help="as for python -m course_utils.grading")
    g.add_argument("--fast", action="store_true", help="run only the cells the graded functions need")
    o = sub.add_parser(
        "override", parents=[common], help="set a student's score of one notebook by hand, with the reason"
    )
    o.add_argument("book")
    o.add_argument("student")
    o.add_argument("notebook", choices=sorted(SPEC))
    o.add_argument("score", type=float)
    o.add_argument("reason")
    t = sub.add_parser(
        "table", parents=[common], help="write gradebook.csv and similarity.csv and print the table"
    )
    t.add_argument("book")
    c = sub.add_parser("canvas", parents=[common], help="write the gradebook as the CSV Canvas imports")
    c.add_argument("book")
    c.add_argument("-o", "--output", required=True)
    c.add_argument("--canvas-roster", help="the gradebook CSV exported from Canvas (its students' IDs)")
    args = parser.parse_args(argv)
    previous = language()
    set_language(args.language)
    try:
        return _run(args)
    finally:
        set_language(previous)


def _run(args):
    try:
        if args.command == "grade":
            if not args.no_sandbox:
                from . import confine

                try:
                    confine.check()
                except confine.Unavailable as exc:
                    print(exc, file=sys.stderr)
                    return 3
            grade_into(
                args.book,
                args.notebook,
                args.submissions,
                only=args.student,
                roster=args.roster,
                timeout=args.timeout,
                jobs=args.jobs,
                sandboxed=not args.no_sandbox,
                fast=args.fast,
            )
        elif args.command == "override":
            add_override(args.book, args.student, args.notebook, f"{args.score:g}", args.reason)
        elif args.command == "canvas":
            from . import export

            missing = export.write_canvas(args.book, args.output, args.canvas_roster)
            for student in missing:
                print(
                    _("not in the Canvas roster, left out: {student}").format(student=student),
                    file=sys.stderr,
                )
            return 0
        notebooks, students, flags = write_table(args.book)
    except GradebookError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(text_table(notebooks, students))
    if flags:
        print(
            _("{count} pair(s) of hand-ins with the same code: see {path}").format(
                count=len(flags), path=Path(args.book) / "similarity.csv"
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
