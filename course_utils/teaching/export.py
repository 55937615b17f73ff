"""The gradebook as the CSV Canvas imports (Grades, Import).

Canvas reads a gradebook CSV with the columns ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``
and ``Section``, then one column per assignment, and a second row whose first cell is ``Points
Possible`` and which gives each assignment's maximum under its column. It finds each student by
``ID`` (Canvas's own user id) or the SIS ids, so :func:`write_canvas` takes those from the gradebook
CSV the teacher exported from the same Canvas course (``--canvas-roster``), matching each of our
students to the row whose SIS Login ID (or its part before ``@``), SIS User ID, ID or Student name
is theirs (letter case aside). An assignment column the export already has (``02_softmax_jacobian
(12345)``, Canvas's name and id) is reused, so the scores land in that assignment; otherwise the
column is named after the notebook and Canvas offers to create it. A student with no score for a
notebook (nothing handed in) gets an empty cell, which Canvas leaves as it is.
"""

import csv
from pathlib import Path

from ..i18n import _
from . import gradebook, report
from .grading import maxima

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_POSSIBLE = "Points Possible"


def read_roster(path):
    """The student rows of a gradebook CSV exported from Canvas (no Points Possible row)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("Student", "ID") if c not in (reader.fieldnames or [])]
        if missing:
            raise gradebook.GradebookError(
                _(
                    "{path}: not a Canvas gradebook export "
                    "(expected the columns {columns}; missing {missing})"
                ).format(path=path, columns=", ".join(CANVAS_COLUMNS), missing=", ".join(missing))
            )
        rows = [r for r in reader if (r.get("Student") or "").strip() not in ("", POINTS_POSSIBLE)]
        return rows, list(reader.fieldnames)


def _keys(entry):
    login = (entry.get("SIS Login ID") or "").strip()
    keys = [login, login.split("@")[0], entry.get("SIS User ID"), entry.get("ID"), entry.get("Student")]
    return [k.strip().lower() for k in keys if k and k.strip()]


def match(students, roster):
    """``{student: roster row}`` for every student the roster names (each row used once)."""
    by_key = {}
    for entry in roster:
        for key in _keys(entry):
            by_key.setdefault(key, entry)
    return {s: by_key[s.strip().lower()] for s in students if s.strip().lower() in by_key}


def assignment_column(notebook, fieldnames):
    """The Canvas column of ``notebook``: an existing ``<notebook> (<id>)`` if the export has one."""
    for name in fieldnames:
        if name == notebook or name.startswith(f"{notebook} ("):
            return name
    return notebook


def canvas_lines(book, roster_path=None):
    """``(lines, left out)``: the CSV's rows, and the students the roster does not name."""
    notebooks, students, _flags = gradebook.merge(book)
    roster, fieldnames = read_roster(roster_path) if roster_path else ([], [])
    found = match(students, roster) if roster_path else {}
    head = CANVAS_COLUMNS + [assignment_column(n, fieldnames) for n in notebooks]
    points = [POINTS_POSSIBLE, "", "", "", ""] + [f"{sum(maxima(n).values()):g}" for n in notebooks]
    lines, left_out = [head, points], []
    for student, entry in students.items():
        if roster_path and student not in found:
            left_out.append(student)
            continue
        who = found.get(student, {"Student": student})
        ids = [who.get(c, "") or "" for c in CANVAS_COLUMNS]
        scores = [f"{entry['scores'][n]:g}" if n in entry["scores"] else "" for n in notebooks]
        lines.append([report.csv_cell(c) for c in ids + scores])
    return lines, left_out


def write_canvas(book, out, roster_path=None):
    """Write the Canvas import CSV; returns the students left out (not in the roster)."""
    lines, left_out = canvas_lines(book, roster_path)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(lines)
    return left_out
