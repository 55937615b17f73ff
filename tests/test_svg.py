"""The SVG pictures: every value shown, every coordinate finite, one picture from several charts."""

import re

import numpy as np
import pytest

from course_utils import palette, svg

NON_FINITE_ATTRIBUTE = re.compile(r'="[^"]*(nan|inf)[^"]*"', re.I)


def test_bar_chart_and_heatmap_show_their_values():
    bars = svg.bar_chart([0.5, -0.25, np.nan], title="t<1>")
    assert bars.count('class="bar"') == 2 and ">NaN<" in bars and "t&lt;1&gt;" in bars
    heat = svg.heatmap(np.array([[1.0, -1.0], [0.0, 0.5]]))
    assert heat.count('class="cell"') == 4 and "-1.000" in heat
    assert svg.image(np.eye(3)).count("<rect") == 1 + 3


def test_diverging_scale_ends_and_middle():
    assert palette.diverging_color(1, 1) == "#b2182b" and palette.diverging_color(-2, 1) == "#2166ac"
    assert palette.diverging_color(0, 1) == "#f7f7f7" and palette.diverging_color(0, 0) == "#f7f7f7"
    assert palette.diverging_color(np.nan, 1) == "#bbbbbb"


@pytest.mark.parametrize(
    "values",
    [np.zeros(4), [np.nan, np.nan], [np.inf, -np.inf, 1.0], [1e300, -1e300], [], [5e-324, 0.0]],
    ids=["zeros", "all-nan", "infinities", "huge", "empty", "tiny"],
)
def test_no_chart_writes_a_non_finite_coordinate(values):
    v = np.asarray(values, dtype=float)
    charts = [svg.bar_chart(v, outline=v), svg.bar_chart(v, ylim=(0, 0)), svg.scatter(v, v)]
    if v.size:
        charts.append(svg.heatmap(np.diag(v)))
        grid = np.logspace(-3, 0, v.size) if v.size > 1 else np.array([1e-3, 1.0])
        charts.append(svg.loglog_chart(grid, [("a", np.resize(v, grid.size), "#000")], marker=(1e-2, v[0])))
    for chart in charts:
        assert not NON_FINITE_ATTRIBUTE.search(chart), chart


def test_row_composes_one_svg_and_wraps_past_its_width():
    a, b = svg.bar_chart([1, 2], width=500), svg.bar_chart([3], width=500)
    one = svg.row(a, b)
    assert one.startswith("<svg ") and one.count("<svg ") == 3
    assert re.match(r'<svg [^>]*width="500" height="352"', one)  # the second chart wrapped below
    side = svg.row(svg.bar_chart([1], width=200), svg.bar_chart([2], width=200))
    assert re.match(r'<svg [^>]*width="412" height="170"', side)


def test_table_holds_every_cell_as_text():
    t = svg.table(["a", "b"], [["1.0", "x<y"], ["-9.4049e-04", ""]])
    assert 'class="numbers"' in t and "x&lt;y" in t and "-9.4049e-04" in t


def test_picture_is_shown_as_svg_with_a_stable_text():
    pic = svg.Picture(svg.bar_chart([1.0]))
    assert pic._repr_svg_() == pic.svg and repr(pic) == "<picture: an SVG image>"
    drawn = svg.picture(lambda: svg.bar_chart([2.0]))()
    assert isinstance(drawn, svg.Picture) and "<svg " in drawn.svg
