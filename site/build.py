"""Build the course's website, English and Chinese, from the committed, executed notebooks.

Usage (from the repository's root, in the development environment)::

    .venv/bin/python site/build.py            # writes build/site/ (open build/site/index.html)

Nothing is executed: each page shows the outputs stored in the notebook. The build stages the
solution notebooks of each edition in ``build/site-src/<edition>/`` and changes them there, never in
``notebooks/``:

- each exercise cell (the one holding ``### BEGIN SOLUTION``) is preceded by the code the learner's
  copy shows in its place, and the answer (code and check) goes behind a click, closed by default;
- each page's download button gives the learner's copy of its notebook, exercises blank;
- each live widget's output (which needs a kernel) becomes its static picture's note: the picture
  of its starting state is the figure right above it in every notebook;
- each figure gets its text alternative in the edition's language from ``site/figures.toml``, keyed
  by cell id (``--check-figures`` lists the cells whose entry is missing or stale);

Then Sphinx (MyST-NB, the Sphinx Book Theme, ``site/conf.py``) writes ``build/site/en/`` and
``build/site/zh/``; ``build/site/index.html`` sends a reader to the English edition. The folder is
self-contained (MathJax included): copy it to any static host.
"""

import argparse
import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"
EDITIONS = {
    "en": {
        "solutions": ROOT / "notebooks" / "solutions",
        "learner": ROOT / "notebooks" / "learner",
        "language": "en",
        "index": SITE / "index.en.md",
    },
    "zh": {
        "solutions": ROOT / "notebooks" / "zh" / "solutions",
        "learner": ROOT / "notebooks" / "zh" / "learner",
        "language": "zh_CN",
        "index": SITE / "index.zh.md",
    },
}
FIGURES = SITE / "figures.toml"
SOLUTION_MARK = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = {
    "en": (
        "This widget is live in Jupyter: open the notebook there to use it. The figure above is its "
        "starting state."
    ),
    "zh": "这个交互控件在 Jupyter 中才能操作：请在 Jupyter 中打开本笔记本。上方的图是它的初始状态。",
}
LEARNER_SEES = {
    "en": "Your notebook shows this cell: write your answer in it, then run it.",
    "zh": "你的笔记本里是这个单元格：在其中写出你的答案，然后运行。",
}
# MathJax 3 (es5 build) as the django-static-mathjax wheel ships it: the SVG bundle and the parts its
# menu and accessibility tools load on demand.
MATHJAX_PARTS = ["tex-svg.js", "a11y", "input", "output/svg.js", "ui", "sre", "adaptors"]


def _text(source):
    return "".join(source) if isinstance(source, list) else source


def is_exercise(cell):
    return cell["cell_type"] == "code" and "### BEGIN SOLUTION" in _text(cell["source"])


def widget_note(edition):
    """The output that stands for a live widget on a page: a plain note, never a broken placeholder."""
    text = WIDGET_NOTE[edition]
    return {
        "output_type": "display_data",
        "metadata": {},
        "data": {
            "text/html": f'<p class="course-widget-note">{text}</p>',
            "text/plain": text,
        },
    }


def figure_outputs(cell):
    """The outputs of a cell that are pictures (what a page shows as an image)."""
    if cell["cell_type"] != "code":
        return []
    return [o for o in cell.get("outputs", []) if any(m.startswith("image/") for m in o.get("data", {}))]


def source_hash(cell):
    """What ``site/figures.toml`` records of a cell, to tell when its figure's words need a look."""
    return hashlib.sha256(_text(cell["source"]).encode("utf-8")).hexdigest()[:12]


def load_figures(path=FIGURES):
    """``{notebook: {cell id: {"source", "en", "zh"}}}`` from the table of text alternatives."""
    return tomllib.loads(Path(path).read_text(encoding="utf-8"))


def _svg_text(output):
    svg = _text(output.get("data", {}).get("image/svg+xml", ""))
    return " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))


def figure_problems(figures, notebooks):
    """What is wrong with the table against the English notebooks (``{name: notebook}``), in words.

    A figure with no entry or an empty one; an entry whose cell changed (its ``source`` hash), whose
    cell is gone or draws no figure; a cell with more than one picture (one text would serve two);
    a decimal number in an entry that an SVG figure does not print.
    """
    problems = []
    for name, nb in sorted(notebooks.items()):
        entries = figures.get(name, {})
        drawn = set()
        for cell in nb["cells"]:
            pictures = figure_outputs(cell)
            if not pictures:
                continue
            key = f'["{name}".{cell["id"]}]'
            drawn.add(cell["id"])
            if len(pictures) > 1:
                problems.append(f"{key}: {len(pictures)} pictures in one cell, one text for them all")
            entry = entries.get(cell["id"])
            if entry is None:
                problems.append(f"{key}: no entry (source = {source_hash(cell)!r})")
                continue
            for language in ("en", "zh"):
                if not str(entry.get(language, "")).strip():
                    problems.append(f"{key}: no {language} text")
            if entry.get("source") != source_hash(cell):
                problems.append(
                    f"{key}: stale, the cell changed (read it again, source = {source_hash(cell)!r})"
                )
            printed = _svg_text(pictures[0])
            if printed:
                for number in re.findall(r"\d+\.\d+", entry.get("en", "") + " " + entry.get("zh", "")):
                    if number not in printed:
                        problems.append(f"{key}: says {number}, which the figure does not print")
        for cell_id in sorted(set(entries) - drawn):
            problems.append(f'["{name}".{cell_id}]: no such cell draws a figure any more')
    for name in sorted(set(figures) - set(notebooks)):
        problems.append(f'["{name}"]: no such notebook')
    return problems


def stage_notebook(solution, learner, edition, figures=None):
    """The notebook a page is made from: the learner's view of each exercise, answers folded.

    ``figures`` is this notebook's part of ``site/figures.toml``: each picture's text alternative.
    """
    nb = copy.deepcopy(solution)
    learner_cells = {c.get("id"): c for c in learner["cells"]}
    cells = []
    for cell in nb["cells"]:
        if figure_outputs(cell):
            entry = (figures or {}).get(cell.get("id"), {})
            image = cell.setdefault("metadata", {}).setdefault("mystnb", {}).setdefault("image", {})
            image["classes"] = "course-figure"
            if entry.get(edition):
                image["alt"] = entry[edition]
        if cell["cell_type"] == "code":
            cell["outputs"] = [
                widget_note(edition) if WIDGET_MIME in o.get("data", {}) else o
                for o in cell.get("outputs", [])
            ]
        if is_exercise(cell):
            mine = learner_cells.get(cell.get("id"))
            if mine is None:
                raise SystemExit(f"no learner cell with id {cell.get('id')!r} for an exercise")
            cells.append(
                {
                    "cell_type": "markdown",
                    "id": f"{cell['id']}-learner",
                    "metadata": {},
                    "source": f"{LEARNER_SEES[edition]}\n\n```python\n{_text(mine['source'])}\n```\n",
                }
            )
            answer = _text(cell["source"]).splitlines(keepends=True)
            cell["source"] = "".join(line for line in answer if not SOLUTION_MARK.match(line))
            tags = cell.setdefault("metadata", {}).setdefault("tags", [])
            if "hide-cell" not in tags:
                tags.append("hide-cell")
        cells.append(cell)
    nb["cells"] = cells
    # The stored widget state would make MyST-NB ask a CDN for the widget scripts.
    nb["metadata"].pop("widgets", None)
    return nb


def jieba_dictionary(glossary, out):
    """A jieba user dictionary of the glossary's Chinese terms, so search finds each as one word."""
    words = set()
    for line in glossary.read_text(encoding="utf-8").splitlines():
        cols = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cols) < 2 or not line.startswith("|"):
            continue
        for term in re.split(r"[/，,、（）()；;]", cols[1]):
            term = term.strip()
            if re.fullmatch(r"[\u4e00-\u9fff]{2,}", term):
                words.add(term)
    out.write_text("".join(f"{w} 100000 n\n" for w in sorted(words)), encoding="utf-8")
    return words


def copy_mathjax(static):
    import mathjax  # the django-static-mathjax wheel: MathJax 3's files and nothing else

    es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    target = static / "mathjax"
    for part in MATHJAX_PARTS:
        src = es5 / part
        if src.is_dir():
            shutil.copytree(src, target / part, dirs_exist_ok=True)
        else:
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target / part)


def stage(edition, src):
    spec = EDITIONS[edition]
    if src.exists():
        shutil.rmtree(src)
    (src / "notebooks").mkdir(parents=True)
    shutil.copy2(spec["index"], src / "index.md")
    figures = load_figures()
    for path in sorted(spec["solutions"].glob("[0-9][0-9]_*.ipynb")):
        solution = json.loads(path.read_text(encoding="utf-8"))
        learner = json.loads((spec["learner"] / path.name).read_text(encoding="utf-8"))
        staged = stage_notebook(solution, learner, edition, figures.get(path.stem))
        (src / "notebooks" / path.name).write_text(json.dumps(staged, ensure_ascii=False), encoding="utf-8")
    static = src / "_static"
    shutil.copytree(SITE / "static", static)
    copy_mathjax(static)


def build(out, work, strict=True, repository=None, jupyterhub=None):
    """Write the site into ``out``; ``repository`` and ``jupyterhub`` override site/conf.py's."""
    out, work = Path(out), Path(work)
    work.mkdir(parents=True, exist_ok=True)
    jieba_dictionary(ROOT / "notebooks" / "zh" / "GLOSSARY.md", work / "jieba_glossary.txt")
    if out.exists():
        shutil.rmtree(out)
    for edition, spec in EDITIONS.items():
        src = work / edition
        stage(edition, src)
        env = dict(
            os.environ,
            COURSE_SITE_JIEBA_DICT=str(work / "jieba_glossary.txt"),
            COURSE_SITE_STATIC=str(src / "_static"),
        )
        command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-c", str(SITE)]
        command += ["-D", f"language={spec['language']}", "-d", str(work / f"doctrees-{edition}")]
        if repository is not None:
            command += ["-D", f"course_repository={repository}"]
        if jupyterhub is not None:
            command += ["-D", f"course_jupyterhub={jupyterhub}"]
        if strict:
            command += ["-W", "--keep-going"]
        command += [str(src), str(out / edition)]
        subprocess.run(command, check=True, env=env, cwd=ROOT)
        # The page's download button gives the learner's copy, exercises blank, not the staged page.
        for path in sorted(spec["learner"].glob("[0-9][0-9]_*.ipynb")):
            shutil.copy2(path, out / edition / "_sources" / "notebooks" / path.name)
    (out / "index.html").write_text(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="refresh" content="0; url=en/index.html">'
        "<title>Backprop Through Softmax</title></head>"
        '<body><p><a href="en/index.html">Backprop Through Softmax</a> · '
        '<a href="zh/index.html" lang="zh-CN">中文版</a></p></body></html>\n',
        encoding="utf-8",
    )
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=ROOT / "build" / "site", type=Path, help="default: build/site")
    parser.add_argument("--work", default=ROOT / "build" / "site-src", type=Path, help="staging folder")
    parser.add_argument("--no-strict", action="store_true", help="do not turn Sphinx warnings into errors")
    parser.add_argument("--repository", help="owner/name on GitHub, for the Binder and hub buttons")
    parser.add_argument("--jupyterhub", help="the class's JupyterHub address, for its button")
    parser.add_argument(
        "--check-figures", action="store_true", help="list figures whose text alternative is missing or stale"
    )
    args = parser.parse_args(argv)
    if args.check_figures:
        notebooks = {
            p.stem: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(EDITIONS["en"]["solutions"].glob("[0-9][0-9]_*.ipynb"))
        }
        problems = figure_problems(load_figures(), notebooks)
        print("\n".join(problems) or f"every figure has its text in {FIGURES.relative_to(ROOT)}")
        raise SystemExit(1 if problems else 0)
    out = build(
        args.out, args.work, strict=not args.no_strict, repository=args.repository, jupyterhub=args.jupyterhub
    )
    print(f"site written to {out}/ (open {out / 'index.html'})")


if __name__ == "__main__":
    main()
