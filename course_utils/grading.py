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
here and in the generated autograder, never in the learner notebooks.
"""

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import exercises as ex
from .softmax import softmax, softmax_jacobian


def _rng(seed):
    return np.random.default_rng(10_000 + seed)


@dataclass(frozen=True)
class Exercise:
    """How to grade one exercise: the learner's function, its checker, a reference and hidden inputs."""

    name: str
    function: str  # the name the notebook defines
    checker: object  # exercises.check_*
    reference: object  # the right answer, reference(*args)
    hidden_args: object  # () -> tuple of fresh arguments
    extra: tuple = ()  # (kind, points, hidden, predicate(fn) -> bool)


def _close(a, b):
    a, b = (a if isinstance(a, tuple) else (a,)), (b if isinstance(b, tuple) else (b,))
    return len(a) == len(b) and all(
        np.shape(x) == np.shape(y) and np.allclose(x, y, rtol=1e-6, atol=1e-9) for x, y in zip(a, b)
    )


def _jacobian_diagonal(fn):
    z = _rng(1).normal(size=5)
    return np.allclose(np.diag(np.asarray(fn(z.copy()))), np.diag(softmax_jacobian(z)))


def _fused_up_to_scale(fn):
    z, y = _rng(2).normal(size=(6, 4)), np.array([0, 3, 1, 1, 2, 0])
    got, right = np.asarray(fn(z.copy(), y.copy())), ex._fused(z, y)
    return (
        got.shape == right.shape
        and abs(np.sum(got * right)) > 0
        and np.allclose(got / np.sum(got * right) * np.sum(right * right), right, atol=1e-9)
    )


SPEC = {
    "00_start_here": [
        Exercise("one_hot", "one_hot", ex.check_one_hot, ex._one_hot, lambda: (np.array([3, 1, 1, 0, 4]), 6)),
        Exercise(
            "theta_to_params",
            "theta_to_params",
            ex.check_theta_to_params,
            ex._theta_to_params,
            lambda: (_rng(3).normal(size=(4, 6)),),
        ),
    ],
    "01_softmax": [
        Exercise(
            "softmax",
            "softmax_rows",
            ex.check_softmax,
            softmax,
            lambda: (np.array([[700.0, -700.0, 1.0], [0.5, 0.25, -3.0]]),),
        ),
        Exercise(
            "log_softmax",
            "log_softmax_rows",
            ex.check_log_softmax,
            lambda z: (
                z
                - z.max(1, keepdims=True)
                - np.log(np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True))
            ),
            lambda: (np.array([[0.0, 900.0], [-3.0, 2.0]]),),
        ),
    ],
    "02_softmax_jacobian": [
        Exercise(
            "softmax_jacobian",
            "softmax_jacobian_one",
            ex.check_jacobian,
            softmax_jacobian,
            lambda: (_rng(4).normal(size=7),),
            extra=(("diagonal", 1, False, _jacobian_diagonal),),
        ),
        Exercise(
            "numerical_jacobian",
            "numerical_jacobian_ex",
            ex.check_numerical_jacobian,
            ex._numerical_jacobian,
            lambda: (ex._f_test, np.array([-0.4, 0.9, 0.1]), 1e-5),
        ),
    ],
    "03_kronecker_delta": [
        Exercise(
            "batched_jacobian",
            "batched_jacobian",
            ex.check_batched_jacobian,
            softmax_jacobian,
            lambda: (_rng(5).normal(size=(4, 6)),),
        ),
        Exercise(
            "lse_hvp",
            "lse_hvp",
            ex.check_lse_hvp,
            ex._hvp,
            lambda: (_rng(6).normal(size=5), _rng(7).normal(size=5)),
        ),
    ],
    "04_chain_rule_reduction": [
        Exercise(
            "softmax_vjp",
            "vjp_rows",
            ex.check_vjp,
            lambda z, g: ex.softmax_vjp(z, g),
            lambda: (_rng(8).normal(size=(5, 7)), _rng(9).normal(size=(5, 7))),
        ),
        Exercise(
            "delta2",
            "delta2",
            ex.check_delta2,
            ex._delta2,
            lambda: (softmax(_rng(10).normal(size=(6, 5))), np.array([4, 4, 0, 1, 2, 4])),
        ),
    ],
    "05_fused_cross_entropy": [
        Exercise(
            "fused_grad",
            "fused_grad",
            ex.check_fused_grad,
            ex._fused,
            lambda: (_rng(11).normal(size=(7, 3)), np.array([2, 2, 0, 1, 0, 2, 1])),
            extra=(("right up to a factor", 1, False, _fused_up_to_scale),),
        ),
        Exercise(
            "soft_target_grad",
            "soft_target_grad",
            ex.check_soft_target_grad,
            ex._general,
            lambda: (_rng(12).normal(size=(3, 5)), _rng(13).uniform(0, 3, size=(3, 5))),
        ),
    ],
    "06_gradient_checking": [
        Exercise(
            "numerical_grad",
            "numerical_grad",
            ex.check_central_difference,
            lambda f, x, eps: ex._central_gradient(f, x.copy(), eps),
            lambda: (ex._quartic, _rng(14).normal(size=(3, 2)), 1e-5),
        ),
        Exercise(
            "relative_error",
            "relative_error",
            ex.check_relative_error,
            ex._rel,
            lambda: (np.array([3.0, -4.0]), np.array([3.0, -4.5])),
        ),
    ],
    "07_mismatch_lab": [
        Exercise(
            "softmax_cost",
            "softmax_cost",
            ex.check_softmax_cost,
            ex._softmax_cost,
            lambda: (softmax(_rng(15).normal(size=(6, 3))), np.eye(3)[[0, 1, 2, 2, 1, 0]]),
        ),
        Exercise(
            "sigma2",
            "sigma2",
            ex.check_sigma2,
            ex._sigma2,
            lambda: (
                _rng(16).normal(size=(4, 3)),
                _rng(17).normal(size=(3, 7)),
                _rng(18).normal(size=(4, 6)),
                "elu",
            ),
        ),
    ],
    "08_mnist_two_layer_net": [
        Exercise(
            "relu_backward",
            "relu_backward",
            ex.check_relu_backward,
            ex._relu_backward,
            lambda: (_rng(19).normal(size=(5, 4)), np.maximum(_rng(20).normal(size=(5, 4)), 0)),
        ),
        Exercise(
            "momentum_update",
            "momentum_update",
            ex.check_momentum_update,
            ex._momentum,
            lambda: (_rng(21).normal(size=3), _rng(22).normal(size=3), _rng(23).normal(size=3), 0.05, 0.8),
        ),
    ],
    "09_bug_hunt": [
        Exercise(
            "bias_gradient",
            "db2",
            ex.check_bias_gradient,
            ex._db2,
            lambda: (softmax(_rng(24).normal(size=(8, 3))), np.array([0, 0, 0, 2, 2, 1, 0, 2])),
        ),
    ],
}
"""The exercises of each notebook and how each is graded."""

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
            from .bugs import MYSTERIES

            number = int(kind.split()[1])
            return env.get("answers", {}).get(number) == MYSTERIES[number - 1]
        e = _exercise(notebook, name)
        fn = env.get(e.function)
        if not callable(fn):
            return False
        if kind == "runs":
            args = e.hidden_args()
            return _shapes(fn(*[_copy(a) for a in args])) == _shapes(e.reference(*args))
        if kind == "checker":
            return e.checker(fn).passed
        if kind == "hidden":
            args = e.hidden_args()
            return _close(fn(*[_copy(a) for a in args]), e.reference(*args))
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
            ">>> from course_utils import grading as _g\n"
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
