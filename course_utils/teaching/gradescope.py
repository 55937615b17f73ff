r"""Grading on Gradescope: the autograder package, and what it runs for each submission.

    python -m course_utils.teaching.gradescope package 02_softmax_jacobian -o autograder.zip
    python -m course_utils.teaching.gradescope run 02_softmax_jacobian --root /autograder   # in Gradescope

:func:`package` zips what Gradescope's "Configure Autograder" page takes: ``setup.sh`` and
``run_autograder`` (from the repository's ``gradescope/`` folder), this course's ``course_utils``,
``data/``, ``pyproject.toml`` and ``requirements.txt``, and which notebook it grades. Gradescope
unpacks it into ``/autograder/source``, runs ``setup.sh`` once, then ``run_autograder`` for each
submission, which calls :func:`run`: it finds the hand-in in ``/autograder/submission`` (a
regular file, never a link), grades it with this grader in its sandbox, and writes
``/autograder/results/results.json`` in Gradescope's format: the total, and one test per exercise
with its score, maximum and the checker's message as output (plain text, never read as HTML).

Fail closed: where the sandbox cannot start, :func:`run` writes no results and exits 3 with the
reason (Gradescope then shows the run as failed, and its log holds the reason). ``package
--no-sandbox`` builds a package that grades without it; each result then says so, and the hand-in
can read everything in ``/autograder``, the grader's hidden cases included.
"""

import argparse
import json
import os
import stat
import sys
import tempfile
import zipfile
from pathlib import Path

from ..i18n import LANGUAGES, _, language, set_language
from .release import ROOT

TEMPLATES = ROOT / "gradescope"
MAX_BYTES = 50 * 2**20  # a hand-in larger than this is not read


def find_submission(folder, notebook):
    """``(path, why)``: the hand-in's notebook in ``folder`` (``path`` None and ``why`` set if none).

    ``<notebook>.ipynb`` anywhere in the folder, else the only ``.ipynb`` there. Links are never
    followed nor taken: a link to the grader's own files would hand those in.
    """
    found = []
    for top, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
        for name in sorted(files):
            path = os.path.join(top, name)
            if name.endswith(".ipynb") and stat.S_ISREG(os.lstat(path).st_mode):
                found.append(path)
    exact = [p for p in found if os.path.basename(p) == f"{notebook}.ipynb"]
    if len(exact) == 1 or (not exact and len(found) == 1):
        return (exact or found)[0], ""
    names = ", ".join(os.path.relpath(p, folder) for p in found[:10]) or _("no .ipynb file")
    return None, _("expected one file {notebook}.ipynb in the submission, found {names}").format(
        notebook=notebook, names=names
    )


def _read_regular(path):
    """The bytes of ``path`` if it is a regular file (not a link) of at most :data:`MAX_BYTES`."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise OSError(_("not a regular file"))
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise OSError(_("larger than {size} MB").format(size=MAX_BYTES // 2**20))
    return data


def results(row):
    """Gradescope's ``results.json`` for one graded row: one test per exercise."""
    tests = [
        {
            "name": name,
            "score": score,
            "max_score": top,
            "status": "passed" if score >= top else "failed",
            "output": str(message),
            "output_format": "text",
            "visibility": "visible",
        }
        for name, (score, top, message) in row.scores.items()
    ]
    out = {"score": row.total, "tests": tests, "output_format": "text", "stdout_visibility": "hidden"}
    if row.note.strip():
        out["output"] = row.note.strip()
    return out


def run(notebook, root, *, sandboxed=True, timeout=None, fast=False):
    """Grade the submission in ``root/submission`` into ``root/results/results.json``; the exit code."""
    from . import confine, grading

    if sandboxed:
        try:
            confine.check()
        except confine.Unavailable as exc:
            print(_("not graded: the grader's sandbox cannot start here.") + f"\n{exc}", flush=True)
            return 3
    root = Path(root)
    path, why = find_submission(root / "submission", notebook)
    with tempfile.TemporaryDirectory(prefix="gradescope-") as tmp:
        if path is not None:
            try:
                copy = Path(tmp) / f"{notebook}.ipynb"
                copy.write_bytes(_read_regular(path))
            except OSError as exc:
                path, why = (
                    None,
                    _("could not read {name} ({error})").format(name=os.path.basename(path), error=exc),
                )
        if path is None:
            row = grading._zero(notebook, "submission", "", why)
        else:
            timeout = timeout or grading.DEFAULT_TIMEOUT
            row = grading._grade_safely(notebook, str(copy), "submission", timeout, sandboxed, fast)
    (root / "results").mkdir(parents=True, exist_ok=True)
    target = root / "results" / "results.json"
    target.with_suffix(".tmp").write_text(
        json.dumps(results(row), indent=1, ensure_ascii=False), encoding="utf-8"
    )
    os.replace(target.with_suffix(".tmp"), target)
    print(f"{notebook}: {row.total:g} / {sum(grading.maxima(notebook).values()):g}", flush=True)
    return 0


def _add_tree(archive, folder, arcname):
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            archive.write(path, f"{arcname}/{path.relative_to(folder)}")


def package(notebook, out, *, sandboxed=True, timeout=None, fast=False, language="en"):
    """Write the autograder zip for ``notebook`` to ``out``; returns its path."""
    from .grading import SPEC

    if notebook not in SPEC:
        raise ValueError(f"unknown notebook {notebook!r}; choose one of {', '.join(SPEC)}")
    options = ("" if sandboxed else "--no-sandbox ") + ("--fast " if fast else "")
    options += f"--timeout {float(timeout):g} " if timeout else ""
    options += f"--language {language}" if language != "en" else ""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("setup.sh", "run_autograder"):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            archive.writestr(info, (TEMPLATES / name).read_text())
        archive.writestr("notebook.txt", notebook + "\n")
        archive.writestr("options.txt", options + "\n")
        for name in ("pyproject.toml", "requirements.txt"):
            archive.write(ROOT / name, name)
        _add_tree(archive, ROOT / "course_utils", "course_utils")
        _add_tree(archive, ROOT / "data", "data")
    return out


def main(argv=None):
    from .grading import SPEC

    parser = argparse.ArgumentParser(
        prog="python -m course_utils.teaching.gradescope", description=__doc__.splitlines()[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("package", help="write the autograder zip to upload to Gradescope")
    p.add_argument("notebook", choices=sorted(SPEC))
    p.add_argument("-o", "--output", default="autograder.zip")
    r = sub.add_parser("run", help="grade /autograder/submission (what run_autograder calls)")
    r.add_argument("notebook", choices=sorted(SPEC))
    r.add_argument("--root", default="/autograder")
    for q in (p, r):
        q.add_argument("--timeout", type=float, help="seconds per hand-in (default: the grader's)")
        q.add_argument("--fast", action="store_true", help="run only the cells the graded functions need")
        q.add_argument(
            "--no-sandbox", action="store_true", help="grade WITHOUT the sandbox (see the module's notes)"
        )
        q.add_argument(
            "--language",
            choices=LANGUAGES,
            default="en",
            help="language of the results' messages (zh: Chinese)",
        )
    args = parser.parse_args(argv)
    if args.command == "package":
        options = {"sandboxed": not args.no_sandbox, "timeout": args.timeout, "fast": args.fast}
        print(package(args.notebook, args.output, language=args.language, **options))
        return 0
    previous = language()
    set_language(args.language)
    try:
        return run(
            args.notebook, args.root, sandboxed=not args.no_sandbox, timeout=args.timeout, fast=args.fast
        )
    finally:
        set_language(previous)


if __name__ == "__main__":
    sys.exit(main())
