"""What grading hands back: the CSV (written row by row), a feedback file per student and notebook, the table.

Hand-ins usually share one file name (``alice/02_softmax_jacobian.ipynb``,
``bob/02_softmax_jacobian.ipynb``), so :func:`student_names` names each by the file name when those
differ, else by its folder; only names that still clash get the folders above them added
(``alice (batch2)``), and the rest keep theirs. A roster CSV (columns ``submission,student``)
overrides both.

Names, notes and messages come from hand-ins, so they are escaped: in the CSV a cell that a
spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return first)
gets a leading ``'``; in the Markdown feedback, text is escaped and messages sit in a code fence
longer than any run of backticks they hold.
"""

import compileall
import csv
import hashlib
import os
import re
from pathlib import Path

from ..i18n import _

COURSE = Path(__file__).resolve().parents[1]


def student_names(paths, roster=None):
    """One distinct name per submission path; a clash renames only the hand-ins that clash."""
    paths = [str(p) for p in paths]
    if roster:
        with open(roster, newline="", encoding="utf-8") as f:
            named = {row["submission"].strip(): row["student"].strip() for row in csv.DictReader(f)}
        out = []
        for p in paths:
            keys = [p, os.path.normpath(p), Path(p).parent.name, Path(p).stem, Path(p).name]
            out.append(
                next((named[k] for k in keys if k in named), None) or Path(p).parent.name or Path(p).stem
            )
        return _distinct(out, paths)
    stems = [Path(p).stem for p in paths]
    if len(set(stems)) == len(paths) and all(stems):
        return stems
    return _distinct([Path(p).resolve().parent.name or Path(p).stem for p in paths], paths)


def _distinct(names, paths):
    """``names`` with each clashing one told apart by the folders above it (else a number)."""
    out = list(names)
    for name in set(names):
        clash = [k for k, n in enumerate(names) if n == name]
        if len(clash) < 2:
            continue
        parents = {k: Path(paths[k]).resolve().parent.parents for k in clash}
        for depth in range(1, 4):
            labels = {k: "/".join(p.name for p in list(parents[k])[:depth][::-1]) for k in clash}
            if len(set(labels.values())) == len(clash) and all(labels.values()):
                for k in clash:
                    out[k] = f"{name} ({labels[k]})"
                break
        else:
            for number, k in enumerate(clash, 1):
                out[k] = f"{name} ({number})"
    return out


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text):
    """``text`` as a spreadsheet shows it, never as a formula (OWASP's CSV-injection advice)."""
    text = str(text)
    return "'" + text if text.startswith(_FORMULA) else text


def markdown_text(text):
    """``text`` as literal Markdown: on one line, every character Markdown or HTML reads escaped."""
    text = " ".join(str(text).split())
    return re.sub(r"([\\`*_{}\[\]<>()#+\-.!|~])", r"\\\1", text)


def markdown_fence(text):
    """``text`` in a code fence that no run of backticks inside it can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}text", text, fence]


def header(notebook, maxima):
    columns = ["student", "submission", "note"]
    for name, top in maxima.items():
        columns += [f"{name} (/{top:g})", f"{name} message"]
    return columns + [f"total (/{sum(maxima.values()):g})"]


def cells(row, maxima):
    out = [row.student, row.submission, row.note.strip()]
    for name in maxima:
        score, _, message = row.scores.get(name, (0, maxima[name], "not graded"))
        out += [f"{score:g}", message]
    return [csv_cell(c) for c in out + [f"{row.total:g}"]]


class CsvRows:
    """A CSV file that gets its header at once and each row as soon as it is graded."""

    def __init__(self, path, notebook, maxima):
        self.path, self.maxima = path, maxima
        self.file = open(path, "w", newline="", encoding="utf-8")
        self.writer = csv.writer(self.file)
        self.writer.writerow(header(notebook, maxima))
        self.file.flush()

    def write(self, row):
        self.writer.writerow(cells(row, self.maxima))
        self.file.flush()
        os.fsync(self.file.fileno())

    def close(self):
        self.file.close()

    def sort(self):
        """Rewrite the finished file in student order (atomically: a crash keeps the old one)."""
        with open(self.path, newline="", encoding="utf-8") as f:
            head, *rows = list(csv.reader(f))
        tmp = f"{self.path}.tmp"
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([head] + sorted(rows, key=lambda r: r[0].lower()))
        os.replace(tmp, self.path)


def feedback_markdown(notebook, row, maxima):
    student = markdown_text(row.student)
    lines = [_("# {notebook}: feedback for {student}").format(notebook=notebook, student=student), ""]
    total = _("**Total: {total:g} / {top:g}**").format(total=row.total, top=sum(maxima.values()))
    lines += [total, ""]
    if row.note.strip():
        lines += [_("Note from the grader: {note}").format(note=markdown_text(row.note.strip())), ""]
    for name, top in maxima.items():
        score, _top, message = row.scores.get(name, (0, top, _("not graded")))
        lines += [f"## {name}: {score:g} / {top:g}", ""]
        parts = row.parts.get(name)
        if parts:
            shown = ", ".join(f"{kind} {p:g}" for kind, p in parts.items())
            lines += [_("Points: {parts}").format(parts=shown), ""]
        lines += [*markdown_fence(message.strip()), ""]
    return "\n".join(lines)


def file_name(student):
    """A file or folder name for ``student`` that no other name maps to and no path can escape.

    Letters, digits, ``.``, ``-`` and ``_`` are kept; a name that needed any change also gets a
    short hash of the whole name, so ``a b`` and ``a_b`` never share a folder.
    """
    safe = re.sub(r"[^\w.-]+", "_", str(student)).strip("._")[:80]
    if safe != student or not safe:
        digest = hashlib.sha256(str(student).encode("utf-8", "surrogatepass")).hexdigest()[:8]
        safe = f"{safe or 'student'}-{digest}"
    return safe


def write_feedback(folder, notebook, row, maxima):
    """Write ``folder/<student>/<notebook>.md`` for one graded row; returns its path.

    One file per student and notebook, so grading the next notebook into the same folder keeps
    this one's feedback.
    """
    target = os.path.join(folder, file_name(row.student))
    os.makedirs(target, exist_ok=True)
    path = os.path.join(target, f"{notebook}.md")
    with open(path, "w", encoding="utf-8") as f:
        f.write(feedback_markdown(notebook, row, maxima))
    return path


def table(rows, maxima):
    head = [_("student")] + [f"{n} (/{m:g})" for n, m in maxima.items()] + [_("total")]
    body = [
        [r.student] + [f"{r.scores.get(n, (0,))[0]:g}" for n in maxima] + [f"{r.total:g}"]
        for r in sorted(rows, key=lambda r: r.student.lower())
    ]
    width = [max(len(line[i]) for line in [head] + body) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, width)) for line in [head] + body)


class CourseGuard:
    """A tripwire: the course's files must be the same after each submission as before the first.

    In the sandbox a submission cannot write the course; with ``--no-sandbox`` it runs as the
    same user as the grader, so one could overwrite ``course_utils`` on disk and change what later
    submissions import. This stops the batch if that happens, naming the
    submission graded last (the rows already written stay).
    """

    def __init__(self):
        compileall.compile_dir(COURSE, quiet=2)  # the grader's own imports then write nothing here
        self.before = self.fingerprint()

    @staticmethod
    def fingerprint():
        digest = hashlib.sha256()
        for path in sorted(COURSE.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(COURSE)).encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()

    def check(self, submission):
        if self.fingerprint() != self.before:
            raise SystemExit(
                _(
                    "course_utils changed on disk while grading (last graded: {submission}); "
                    "restore it (git checkout course_utils) and grade the rest again"
                ).format(submission=submission)
            )
