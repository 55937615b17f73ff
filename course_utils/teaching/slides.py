"""Slide decks of the learner notebooks, for a projector: ``build/slides/NN_name.slides.html``.

    python -m course_utils.teaching.slides                       # every notebook
    python -m course_utils.teaching.slides 02_softmax_jacobian   # one

Each deck is made by nbconvert's reveal.js exporter from the learner copy (so no answer is shown),
with its stored outputs (no kernel runs), and a slide taller than the screen scrolls
(``reveal_scroll``). The HTML embeds the notebook's text, outputs and images, but loads reveal.js,
MathJax, RequireJS, jQuery, mermaid and the widget renderer from CDNs (unpkg.com, cdnjs): see
:func:`network_assets`. Offline, the stored outputs show but the deck neither pages nor typesets.
"""

import argparse
import re
import sys
from pathlib import Path

from .classroom import LEARNER, ROOT

DEFAULT_OUT = ROOT / "build" / "slides"


def exporter():
    from nbconvert import SlidesExporter

    return SlidesExporter(reveal_scroll=True)


def build(names=None, out=DEFAULT_OUT):
    """Write one deck per learner notebook (or only ``names``); returns their paths."""
    import nbformat

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [p for p in sorted(LEARNER.glob("*.ipynb")) if not names or p.stem in names]
    if names and len(paths) != len(set(names)):
        raise SystemExit(f"no such notebook among {', '.join(p.stem for p in LEARNER.glob('*.ipynb'))}")
    written = []
    for path in paths:
        html, _ = exporter().from_notebook_node(nbformat.read(path, as_version=4))
        target = out / f"{path.stem}.slides.html"
        target.write_text(html, encoding="utf-8")
        written.append(target)
    return written


def network_assets(html):
    """The ``http(s)`` addresses a deck loads scripts or styles from (quoted ``.js``/``.css`` URLs)."""
    urls = re.findall(r"""["'](https?://[^"'\s]+)["']""", html)
    return sorted({u for u in urls if re.search(r"\.(m?js|css)(\?|$)", u)})


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.teaching.slides",
        description="Build reveal.js slide decks of the learner notebooks into build/slides/.",
    )
    parser.add_argument("names", nargs="*", help="only these notebooks (e.g. 02_softmax_jacobian)")
    parser.add_argument("-o", "--out", default=str(DEFAULT_OUT), help="folder (default: build/slides)")
    args = parser.parse_args(argv)
    for path in build(args.names, args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
