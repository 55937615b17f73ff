r"""Grading learner notebooks with otter-grader: a score per exercise, with partial credit.

    python -m course_utils.grading 02_softmax_jacobian submissions/*.ipynb -o grades.csv

For the chosen notebook, the command writes one otter test file per exercise (OK format) from
:data:`SPEC`, builds an autograder with ``otter generate``, runs each submission through
``otter run`` (no container, no server: the notebook is executed on this machine, in this
environment) and collects otter's per-test scores into a table. Every exercise is worth 5 points:

* 1 point: the function runs on an ordinary input and returns the right shape;
* 2 points: the exercise's checker (the same one the notebook shows the learner) passes;
* 2 points, **hidden**: the function is right on fresh inputs that the learner never saw.

Some exercises give partial credit for the right half of an answer (the diagonal of a Jacobian,
the sign of a gradient); the mysteries of notebook 09 score one point each. Hidden cases live only
in the companion modules and in the generated autograder, never in the learner notebooks.
"""

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from ..notebooks import NOTEBOOKS, companion


def _close(a, b):
    a, b = (a if isinstance(a, tuple) else (a,)), (b if isinstance(b, tuple) else (b,))
    return len(a) == len(b) and all(
        np.shape(x) == np.shape(y) and np.allclose(x, y, rtol=1e-6, atol=1e-9) for x, y in zip(a, b)
    )


def _spec():
    """Every notebook's graded exercises, as its companion module lists them in ``GRADED``."""
    return {name: companion(name).GRADED for name in NOTEBOOKS}


SPEC = _spec()
"""The exercises of each notebook and how each is graded (from the companion modules)."""

POINTS = {"runs": 1, "checker": 2, "hidden": 2}
MYSTERY_NOTEBOOK = "09_bug_hunt"


def _exercise(notebook, name):
    for e in SPEC[notebook]:
        if e.name == name:
            return e
    raise ValueError(f"no exercise {name!r} in {notebook}")


def case(notebook, name, kind, env):
    """Whether the learner's code in ``env`` (the notebook's globals) passes one graded case."""
    try:
        if kind.startswith("mystery "):
            from ..bugs import MYSTERIES

            number = int(kind.split()[1])
            return env.get("answers", {}).get(number) == MYSTERIES[number - 1]
        e = _exercise(notebook, name)
        fn = env.get(e.function)
        if not callable(fn):
            return False
        # Every call gets arguments of its own: some hold a function that reads an array in place.
        if kind == "runs":
            return _shapes(fn(*e.hidden_args())) == _shapes(e.reference(*e.hidden_args()))
        if kind == "checker":
            return e.checker(fn).passed
        if kind == "hidden":
            got = fn(*e.hidden_args())
            return any(_close(got, right(*e.hidden_args())) for right in (e.reference, *e.also_right))
        for extra_kind, _, _, predicate in e.extra:
            if kind == extra_kind:
                return bool(predicate(fn))
        raise ValueError(f"unknown case {kind!r}")
    except Exception:  # a learner's bug, or a stub raising NotImplementedError: no points
        return False


def _copy(a):
    return a.copy() if isinstance(a, np.ndarray) else a


def _shapes(value):
    return tuple(np.shape(v) for v in value) if isinstance(value, tuple) else np.shape(value)


def cases(notebook):
    """Every graded case of a notebook: ``(exercise, kind, points, hidden)``."""
    out = []
    for e in SPEC[notebook]:
        out += [(e.name, "runs", POINTS["runs"], False), (e.name, "checker", POINTS["checker"], False)]
        out += [(e.name, kind, points, hidden) for kind, points, hidden, _ in e.extra]
        out.append((e.name, "hidden", POINTS["hidden"], True))
    if notebook == MYSTERY_NOTEBOOK:
        out += [("mysteries", f"mystery {k}", 1, False) for k in range(1, 6)]
    return out


def write_tests(notebook, folder):
    """One OK-format otter test file per exercise of ``notebook`` into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    by_exercise = {}
    for name, kind, points, hidden in cases(notebook):
        code = (
            ">>> from course_utils.teaching import grading as _g\n"
            f">>> _g.case({notebook!r}, {name!r}, {kind!r}, globals())\nTrue"
        )
        by_exercise.setdefault(name, []).append(
            {"code": code, "hidden": hidden, "locked": False, "points": points}
        )
    for name, case_list in by_exercise.items():
        test = {
            "name": name,
            "points": sum(c["points"] for c in case_list),
            "suites": [{"cases": case_list, "scored": True, "setup": "", "teardown": "", "type": "doctest"}],
        }
        (folder / f"{name}.py").write_text(
            "OK_FORMAT = True\n\ntest = "
            + json.dumps(test, indent=4).replace("true", "True").replace("false", "False")
            + "\n"
        )
    return sorted(by_exercise)


def _otter(*args, cwd):
    done = subprocess.run([sys.executable, "-m", "otter", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"otter {args[0]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done


def grade(notebook, submissions, *, workdir=None):
    """Grade each submission of ``notebook``; returns ``{submission: {exercise: (score, max)}}``."""
    if notebook not in SPEC:
        raise ValueError(f"unknown notebook {notebook!r}; choose one of {', '.join(SPEC)}")
    work = Path(tempfile.mkdtemp(prefix="grading-") if workdir is None else workdir)
    try:
        names = write_tests(notebook, work / "tests")
        _otter(
            "generate",
            "-t",
            "tests",
            "-o",
            "autograder.zip",
            "--no-requirements",
            "--no-environment",
            "--no-config",
            cwd=work,
        )
        results = {}
        for k, submission in enumerate(submissions):
            out = work / f"out{k}"
            out.mkdir()
            _otter(
                "run",
                "-a",
                "autograder.zip",
                "-o",
                str(out),
                "--no-logo",
                str(Path(submission).resolve()),
                cwd=work,
            )
            scores = {}
            for test in json.loads((out / "results.json").read_text())["tests"]:
                if test["name"] in names:
                    scores[test["name"]] = (float(test.get("score", 0)), float(test["max_score"]))
            results[str(submission)] = {n: scores.get(n, (0.0, _max_points(notebook, n))) for n in names}
        return results
    finally:
        if workdir is None:
            shutil.rmtree(work, ignore_errors=True)


def _max_points(notebook, name):
    return float(sum(p for n, _, p, _ in cases(notebook) if n == name))


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.grading",
        description="Grade learner notebooks with otter-grader: a score per exercise, with partial credit.",
    )
    parser.add_argument("notebook", choices=sorted(SPEC), help="which notebook the submissions are")
    parser.add_argument("submissions", nargs="+", help="the learners' .ipynb files")
    parser.add_argument("-o", "--output", help="write the scores to this CSV file")
    args = parser.parse_args(argv)
    results = grade(args.notebook, args.submissions)
    names = sorted(next(iter(results.values())))
    header = ["submission"] + [f"{n} (/{_max_points(args.notebook, n):g})" for n in names] + ["total"]
    rows = []
    for sub, scores in results.items():
        total = sum(s for s, _ in scores.values())
        rows.append([sub] + [f"{scores[n][0]:g}" for n in names] + [f"{total:g}"])
    width = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    for r in [header] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, width)))
    if args.output:
        with open(args.output, "w", newline="") as f:
            csv.writer(f).writerows([header] + rows)


if __name__ == "__main__":
    main()
