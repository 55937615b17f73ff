"""A learner release for a graded class: what learners need, and nothing the grader keeps to itself.

    python -m course_utils.teaching.release                 # writes build/release/
    python -m course_utils.teaching.release -o /tmp/class-2025

The release holds the learner notebooks (as built, with their outputs), the MNIST files notebook 08
loads, ``requirements.txt``, ``pyproject.toml``, a short README, and ``course_utils`` without what
grading needs:

* no ``teaching`` subpackage and no ``course_utils/grading.py`` (the grader and its tooling);
* in each companion module, ``GRADED`` is emptied: it held the hidden inputs and the references
  used only for grading; the private functions that only ``GRADED`` used (partial-credit tests
  on hidden inputs, reference answers such as 01's ``_log_softmax_rows``) are removed with it.

The checkers stay, with the references they compare against, so a learner still gets the same
feedback; those references are no secret in a course whose library, which later notebooks call,
implements every answer (the grader scores 0 for calling it). No ``notebooks/solutions/`` and no
solution block go out: the learner notebooks are the ones ``classroom build`` generated.
"""

import argparse
import ast
import json
import re
import shutil
import sys
from pathlib import Path

from .classroom import BANNER, LEARNER, ROOT

PACKAGE = ROOT / "course_utils"
DEFAULT_OUT = ROOT / "build" / "release"
RELEASE_BANNER = (
    "> **Learner copy.** The exercises are blank: write your answer where it says *your code "
    "here*, then run that cell: its last line checks your function."
)
README = """# Backprop Through Softmax: learner release

Install once, in this folder:

    python3 -m venv .venv && .venv/bin/python -m pip install -r requirements.txt

then open the notebooks in order, starting with `notebooks/learner/00_start_here.ipynb`:

    .venv/bin/jupyter lab notebooks/learner/00_start_here.ipynb

Each exercise has a check cell that says what is right or which mistake your answer looks like.
Hand in the notebook files you were asked for, as they are (File > Save).
"""


def strip_graded(source):
    """A companion module's source with ``GRADED`` emptied and the private functions only it used."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    drop = set()
    body = tree.body
    for k, node in enumerate(body):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "GRADED" for t in node.targets):
            drop.update(range(node.lineno - 1, node.end_lineno))
            following = body[k + 1] if k + 1 < len(body) else None
            if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant):
                drop.update(range(following.lineno - 1, following.end_lineno))
            lines[node.lineno - 1] = (
                "GRADED = []  # the grader's hidden cases are not part of the learner release\n"
            )
            drop.discard(node.lineno - 1)
    while True:  # private functions nobody uses any more, until none is left
        kept = "".join(line for i, line in enumerate(lines) if i not in drop)
        unused = [
            n
            for n in body
            if isinstance(n, ast.FunctionDef)
            and n.name.startswith("_")
            and n.lineno - 1 not in drop
            and len(re.findall(rf"\b{re.escape(n.name)}\b", kept)) == 1
        ]
        if not unused:
            return kept
        for n in unused:
            start = min([n.lineno] + [d.lineno for d in n.decorator_list]) - 1
            drop.update(range(start, n.end_lineno))


def _copy_package(target):
    def ignore(folder, names):
        skip = {"__pycache__", "teaching"} if Path(folder) == PACKAGE else {"__pycache__"}
        return [n for n in names if n in skip or n.endswith(".pyc")]

    shutil.copytree(PACKAGE, target, ignore=ignore)
    (target / "grading.py").unlink()
    for module in sorted((target / "notebooks").glob("nb*.py")):
        module.write_text(strip_graded(module.read_text()))


def _copy_notebooks(target):
    target.mkdir(parents=True)
    for path in sorted(LEARNER.glob("*.ipynb")):
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown" and "".join(cell["source"]) == BANNER:
                cell["source"] = RELEASE_BANNER
        (target / path.name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def build(out=DEFAULT_OUT):
    """Write the release into ``out`` (replaced if it exists); returns its path."""
    out = Path(out).resolve()
    if out == ROOT or ROOT.is_relative_to(out):
        raise SystemExit(f"refusing to replace {out}: it holds the course itself")
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    _copy_package(tmp / "course_utils")
    _copy_notebooks(tmp / "notebooks" / "learner")
    shutil.copytree(ROOT / "data", tmp / "data")
    for name in ("requirements.txt", "pyproject.toml"):
        shutil.copy2(ROOT / name, tmp / name)
    (tmp / "README.md").write_text(README)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.teaching.release",
        description="Write the learner release of the course (no solutions, no grader, no hidden cases).",
    )
    parser.add_argument(
        "-o", "--out", default=str(DEFAULT_OUT), help="folder to write (default: build/release)"
    )
    args = parser.parse_args(argv)
    print(f"wrote {build(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
