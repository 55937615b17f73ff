"""Every notebook exports to a self-contained HTML page that shows its figures and no errors.

This is what a reader without a kernel sees (GitHub, an HTML export): the static figure before each
widget has to carry the lesson there.
"""

import base64
import json
import re

import pytest
from nbconvert import HTMLExporter

from course_utils.teaching import classroom

NOTEBOOKS = [
    path
    for solutions, learner in classroom.editions().values()
    for path in sorted(solutions.glob("*.ipynb")) + sorted(learner.glob("*.ipynb"))
]


def _stored(nb, mime):
    return [
        o["data"][mime]
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
        if mime in o.get("data", {})
    ]


@pytest.mark.parametrize(
    "path", NOTEBOOKS, ids=lambda p: str(p.relative_to(classroom.ROOT / "notebooks").with_suffix(""))
)
def test_html_export_shows_every_figure(path):
    nb = json.loads(path.read_text())
    pngs, svgs = _stored(nb, "image/png"), _stored(nb, "image/svg+xml")
    assert pngs or svgs, "every notebook has at least one figure"
    html, _ = HTMLExporter().from_filename(str(path))
    embedded = re.findall(r'<img[^>]+src="data:image/png;base64,([^"]+)"', html)
    # Each stored figure is in the page itself: visible offline, no file beside it.
    assert len(embedded) == len(pngs)
    for data in embedded:
        assert base64.b64decode(data)[:4] == b"\x89PNG"
    # A widget's static picture is SVG, embedded as a data URI: each stored picture, byte for byte.
    pictures = re.findall(r'<img[^>]+src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert [base64.b64decode(p).decode() for p in pictures] == ["".join(s) for s in svgs]
    assert "output_error" not in html and "Traceback (most recent call last)" not in html
