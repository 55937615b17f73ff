"""Learner copies of the notebooks, generated from the solution notebooks.

    python -m course_utils.teaching.classroom build     # regenerate notebooks/learner/ and run each copy
    python -m course_utils.teaching.classroom build --solutions 05_fused_cross_entropy
                                                        # run solution 05 again, then its copy
    python -m course_utils.teaching.classroom build --language zh   # only the Chinese edition
    python -m course_utils.teaching.classroom check     # exit 1 if a learner copy is out of date

``notebooks/solutions/`` is the one source of truth. In a learner copy every block between
``### BEGIN SOLUTION`` and ``### END SOLUTION`` becomes a stub: ``raise NotImplementedError``
inside a function, a comment at the top level (where the cell already holds a blank answer). The
exercise checkers answer a stub with "not implemented yet", so a learner copy runs from top to
bottom; ``build`` executes each one, so it is committed with its outputs like the solutions.

The Chinese edition (``notebooks/zh/``) is built by the same command: its solution notebooks are
generated from the English ones and the catalogs in ``notebooks/zh/catalog/``
(:mod:`course_utils.teaching.translations`), run, and stripped into learner copies the same way.
"""

import argparse
import copy
import hashlib
import json
import re
import sys
from pathlib import Path

from ..i18n import N_

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "notebooks" / "solutions"
LEARNER = ROOT / "notebooks" / "learner"
ZH = ROOT / "notebooks" / "zh"
LANGUAGES = ("en", "zh")


def editions():
    """language -> (folder of its solution notebooks, folder of its learner copies)."""
    return {"en": (SOLUTIONS, LEARNER), "zh": (ZH / "solutions", ZH / "learner")}


def _shown(path):
    """A generated notebook's path as the messages name it: under notebooks/ when it is there."""
    try:
        return str(path.relative_to(ROOT / "notebooks"))
    except ValueError:
        return f"{path.parent.name}/{path.name}"


BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = N_("raise NotImplementedError  # your code here")
BLANK = N_("# your answer here")
BANNER = N_(
    "> **Your copy.** The exercises are blank: write your answer where it says *your code here*, "
    "then run that cell: its last line checks your function and says what is right, or names the "
    "mistake."
)
# nbval's cell tag for "do not compare this cell's output": learner copies carry it in place of
# the "# NBVAL_IGNORE_OUTPUT" comment, which means nothing to a learner.
IGNORE_OUTPUT, IGNORE_OUTPUT_TAG = "# NBVAL_IGNORE_OUTPUT", "nbval-ignore-output"


def ignores_output(cell):
    """Whether nbval ignores this code cell's output: the comment on its first line, or the tag."""
    tags = cell.get("metadata", {}).get("tags", [])
    return cell.cell_type == "code" and (cell.source.startswith(IGNORE_OUTPUT) or IGNORE_OUTPUT_TAG in tags)


def _tag_instead_of_marker(cell):
    """Move a code cell's "# NBVAL_IGNORE_OUTPUT" line into its metadata as nbval's tag."""
    lines = cell.source.split("\n")
    if lines[0].strip() != IGNORE_OUTPUT:
        return
    cell.source = "\n".join(lines[1:])
    tags = cell.metadata.setdefault("tags", [])
    if IGNORE_OUTPUT_TAG not in tags:
        tags.append(IGNORE_OUTPUT_TAG)


def strip_solutions(source, language="en"):
    """Replace every solution block in a cell's source by its stub (its comment in ``language``)."""
    from ..i18n import translated

    stub, blank = translated(STUB, language), translated(BLANK, language)
    out, inside = [], False
    for line in source.splitlines():
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise ValueError("a BEGIN SOLUTION inside another solution block")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.append(indent + (stub if indent else blank))
        elif marker == END:
            if not inside:
                raise ValueError("an END SOLUTION without its BEGIN")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError("a solution block is never closed")
    return "\n".join(out)


def learner_notebook(nb):
    """The learner copy of a solution notebook (an ``nbformat`` node), outputs cleared."""
    import nbformat

    from ..i18n import translated

    learner = copy.deepcopy(nb)
    language = nb.metadata.get("course_language", "en")
    for cell in learner.cells:
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source, language)
            _tag_instead_of_marker(cell)
            cell.outputs = []
            cell.execution_count = None
    text = translated(BANNER, language)
    banner = nbformat.v4.new_markdown_cell(text, id="learner-copy-banner")  # the same id every build
    banner.metadata["slideshow"] = {"slide_type": "-"}
    learner.cells.insert(1, banner)  # after the title (00) or the navigation line
    learner.metadata["course_version"] = "learner"
    return learner


def _sources(nb):
    return [(c.cell_type, c.source) for c in nb.cells]


def _solution_source(path, language):
    """The unexecuted solution notebook of ``language`` for English solution ``path``."""
    import nbformat

    en = nbformat.read(path, as_version=4)
    if language == "en":
        return en
    from .translations import chinese_source

    return chinese_source(en, path.stem)


def out_of_date(languages=None):
    """Paths (under notebooks/) of the generated notebooks whose cells differ from their sources."""
    import nbformat

    stale = []
    for language in languages or LANGUAGES:
        solutions, learner = editions()[language]
        for path in sorted(SOLUTIONS.glob("*.ipynb")):
            solution = _solution_source(path, language)
            targets = [(learner / path.name, learner_notebook(solution))]
            if language != "en":
                targets.append((solutions / path.name, solution))
            for target, expected in targets:
                if not target.exists() or _sources(nbformat.read(target, as_version=4)) != _sources(expected):
                    stale.append(_shown(target))
        for folder in {solutions, learner}:
            extra = {p.name for p in folder.glob("*.ipynb")} - {p.name for p in SOLUTIONS.glob("*.ipynb")}
            stale += [_shown(folder / name) for name in sorted(extra)]
    return stale


def _stable_widget_ids(nb, name):
    """Rename the widget models nbclient stored (random uuids) to ids derived from the notebook.

    The n-th model of notebook ``name`` always gets the same id, so running an unchanged notebook
    again writes the same file, and the stored widget state still matches the outputs that use it.
    """
    import nbformat

    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json")
    if not state:
        return nb
    text = nbformat.writes(nb)
    for k, old in enumerate(list(state["state"])):
        text = text.replace(old, hashlib.sha256(f"{name}:{k}".encode()).hexdigest()[:32])
    return nbformat.reads(text, as_version=4)


def execute(nb, folder, name):
    """Run a notebook (an ``nbformat`` node) in ``folder`` and return it with deterministic metadata."""
    from nbclient import NotebookClient

    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(folder)}},
    ).execute()
    _coalesce_streams(nb)
    return _stable_widget_ids(nb, name)


def _coalesce_streams(nb):
    """Join consecutive prints of a cell into one output: how the kernel split them is timing."""
    for cell in nb.cells:
        merged = []
        for out in cell.get("outputs", []):
            last = merged[-1] if merged else None
            if (
                out.output_type == "stream"
                and last is not None
                and last.output_type == "stream"
                and last.name == out.name
            ):
                last.text += out.text
            else:
                merged.append(out)
        if "outputs" in cell:
            cell.outputs = merged


def _models_used(outputs, state):
    """Ids of the widget models that ``outputs`` show, with every model those refer to in ``state``."""
    todo = [
        o.data["application/vnd.jupyter.widget-view+json"]["model_id"]
        for o in outputs
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    found = set()
    while todo:
        model = todo.pop()
        if model in found or model not in state:
            continue
        found.add(model)
        todo += re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(state[model]))
    return found


def _keep_variable_outputs(nb, target):
    """Keep the stored output of each unchanged cell whose output honestly varies from run to run.

    Cells marked ``# NBVAL_IGNORE_OUTPUT`` (in learner copies, tagged ``nbval-ignore-output``)
    print progress bars, timings and live widgets. When such a cell's source is the one that
    produced the output already written (a digest in the cell's metadata says which), its old
    output stays, so building from unchanged sources changes no byte.
    """
    import nbformat

    if not target.exists():
        return nb
    stored = nbformat.read(target, as_version=4)
    old = {c.get("id"): c for c in stored.cells if c.cell_type == "code"}
    key = "application/vnd.jupyter.widget-state+json"
    old_state = stored.metadata.get("widgets", {}).get(key, {}).get("state", {})
    new_state = nb.metadata.get("widgets", {}).get(key, {}).get("state", {})
    for cell in nb.cells:
        if not ignores_output(cell):
            continue
        before = old.get(cell.get("id"))
        # The digest records which source produced the stored output: a solution edited in place
        # has the new source beside the old output, and must be run afresh.
        if before is not None and before.metadata.get(OUTPUT_OF) == _digest(cell.source):
            cell.outputs = before.outputs
            # A progress bar keeps its text in the widget state: keep the models the outputs show.
            for model in _models_used(before.outputs, old_state):
                new_state[model] = old_state[model]
        cell.metadata[OUTPUT_OF] = _digest(cell.source)
    return nb


OUTPUT_OF = "course_output_of"  # cell metadata: the digest of the source a kept output came from


def _digest(source):
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def build(execute_copies=True, names=None, solutions=False, languages=None):
    """Write the learner copies (and the Chinese solutions) from ``notebooks/solutions/``, running each.

    With ``solutions=True`` the solution notebooks are executed again first (in place). Every
    notebook is run before any file is written: a notebook that fails leaves every file as it was.
    A Chinese solution notebook is always regenerated from its catalog, and run when ``solutions``.
    """
    import nbformat

    paths = [p for p in sorted(SOLUTIONS.glob("*.ipynb")) if not names or p.stem in names]
    if names and len(paths) != len(set(names)):
        known = {p.stem for p in SOLUTIONS.glob("*.ipynb")}
        raise SystemExit(f"no such notebook: {', '.join(sorted(set(names) - known))}")
    pending = []
    for language in languages or LANGUAGES:
        solution_dir, learner_dir = editions()[language]
        for folder in (solution_dir, learner_dir):
            folder.mkdir(parents=True, exist_ok=True)
        for path in paths:
            target = solution_dir / path.name
            if language == "en":
                solution = nbformat.read(path, as_version=4)
            else:
                solution = _solution_source(path, language)
                if not solutions and target.exists():  # keep the outputs of an up-to-date notebook
                    stored = nbformat.read(target, as_version=4)
                    if _sources(stored) == _sources(solution):
                        solution = stored
            if solutions or (language != "en" and solution.cells and _unrun(solution)):
                print(f"running {target.relative_to(ROOT)}", flush=True)
                solution = execute(solution, solution_dir, path.stem)
                pending.append((target, solution))
            learner = learner_notebook(solution)
            if execute_copies:
                print(f"running the learner copy of {target.relative_to(ROOT)}", flush=True)
                learner = execute(learner, learner_dir, path.stem)
            pending.append((learner_dir / path.name, learner))
    for target, nb in pending:  # nothing is written until every notebook has run
        _check_fonts(nb, target)
        nb = _keep_variable_outputs(nb, target)
        tmp = target.with_suffix(".ipynb.tmp")
        nbformat.write(nb, tmp)
        tmp.replace(target)
        print(f"wrote {target.relative_to(ROOT)}")


def _unrun(nb):
    return any(c.cell_type == "code" and c.source.strip() and c.execution_count is None for c in nb.cells)


def _check_fonts(nb, target):
    """Refuse a notebook whose figures lack glyphs: matplotlib warns, and the build stops."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and "missing from" in out.get("text", ""):
                raise SystemExit(
                    f"{target.relative_to(ROOT)}: a figure lacks glyphs ({out.text.strip()[:120]});"
                    " install a CJK font (apt install fonts-noto-cjk) and build again"
                )


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.teaching.classroom",
        description="Generate and check the learner copies of the notebooks.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="regenerate the learner copies and the Chinese edition")
    b.add_argument("--no-execute", action="store_true", help="write the copies without running them")
    b.add_argument("--solutions", action="store_true", help="run the solution notebooks again first")
    b.add_argument(
        "--language", choices=[*LANGUAGES, "all"], default="all", help="one edition (default: both)"
    )
    b.add_argument("names", nargs="*", help="only these notebooks (e.g. 02_softmax_jacobian)")
    sub.add_parser("check", help="exit 1 if a generated notebook is out of date with its sources")
    args = parser.parse_args(argv)
    if args.command == "build":
        languages = LANGUAGES if args.language == "all" else (args.language,)
        build(
            execute_copies=not args.no_execute,
            names=args.names,
            solutions=args.solutions,
            languages=languages,
        )
        return 0
    stale = out_of_date()
    for name in stale:
        print(f"out of date: notebooks/{name} (run: python -m course_utils.teaching.classroom build)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
