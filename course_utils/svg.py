"""The widgets' pictures, drawn as SVG: one drawing function serves the static figure and the live view.

Each notebook companion draws a widget's state with these charts and wraps the result in a
:class:`Picture`. The notebook shows that picture once, as the static figure of the widget's default
state (an ``image/svg+xml`` output: GitHub, nbviewer and HTML exports show it without a kernel, and
strict nbval compares it); the live widget puts the very same SVG text into an ``ipywidgets.HTML``
on every change.

Why SVG and not matplotlib for both: redrawing a matplotlib figure to PNG took 65 to 150 ms per
slider move on this project's machine, over the 50 ms goal; these charts take well under 1 ms
(``benchmarks/bench_widgets.py``). Every coordinate is finite whatever the numbers: NaN and inf are
written as text where a bar or point would be, never as a coordinate.
"""

import re
from functools import wraps
from html import escape

import numpy as np

from .palette import COLORS, diverging_color

_HEAD = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
    'font-family="sans-serif" font-size="{fs}">'
)
_SIZE = re.compile(r'^<svg [^>]*?width="([\d.]+)" height="([\d.]+)"')


class Picture:
    """One SVG picture. Jupyter shows it as an image; ``.svg`` is its text for a live view."""

    def __init__(self, svg):
        self.svg = svg

    def _repr_svg_(self):
        return self.svg

    def __repr__(self):
        return "<picture: an SVG image>"


def picture(draw):
    """Decorate a function that returns SVG text so that it returns a :class:`Picture` of it."""

    @wraps(draw)
    def drawn(*args, **kwargs):
        return Picture(draw(*args, **kwargs))

    return drawn


def _fmt(v, digits=3):
    v = float(v)
    if np.isnan(v):
        return "NaN"
    if np.isinf(v):
        return "inf" if v > 0 else "−inf"
    return f"{v:.{digits}g}"


def _title(text, width):
    return (
        f'<text x="{width / 2:.1f}" y="13" text-anchor="middle" font-size="11" '
        f'font-weight="bold">{escape(text)}</text>'
    )


def _span(values, *, symmetric, floor=1e-12):
    """A (lo, hi) range with finite, distinct ends that holds the finite ``values``."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    top = float(np.abs(v).max()) * 1.25 if v.size else 1.0
    top = top if top > floor else 1.0
    return (-top, top) if symmetric or (v.size and v.min() < 0) else (0.0, top)


def bar_chart(
    values, *, title="", labels=None, color=COLORS["neutral"], ylim=None, outline=None, width=250, height=170
):
    """Vertical bars with their values written on them; ``outline`` draws dashed target bars over them.

    ``values`` and ``outline`` have shape (C,). A value that is NaN or inf gets no bar, only its text.
    """
    v = np.asarray(values, dtype=float).ravel()
    lo, hi = ylim if ylim is not None else _span(v, symmetric=False)
    if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
        lo, hi = _span(v, symmetric=False)
    pad_l, pad_r, pad_t, pad_b = 8, 8, 22, 20
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b

    def y_of(val):
        return pad_t + plot_h * (hi - min(max(val, lo), hi)) / (hi - lo)

    slot = plot_w / max(v.size, 1)
    parts = [_HEAD.format(w=width, h=height, fs=10), _title(title, width)]
    y0 = y_of(0.0)
    for k, val in enumerate(v):
        x, w = pad_l + k * slot + slot * 0.15, slot * 0.7
        if np.isfinite(val):
            top, bottom = sorted((y_of(val), y0))
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{top:.1f}" width="{w:.1f}" '
                f'height="{max(bottom - top, 0.5):.1f}" fill="{color}"/>'
            )
            ty = top - 2 if val >= 0 else bottom + 10
            # On a narrow bar a long number would run into its neighbours: a tiny one reads ≈0.
            narrow = slot < 40
            text = "≈0" if narrow and 0 < abs(val) < 1e-3 else _fmt(val, 2 if narrow else 3)
            size = ' font-size="8"' if narrow else ""
            parts.append(f'<text x="{x + w / 2:.1f}" y="{ty:.1f}" text-anchor="middle"{size}>{text}</text>')
        else:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{y0 - 3:.1f}" text-anchor="middle" '
                f'fill="{COLORS["wrong"]}" font-weight="bold">{_fmt(val)}</text>'
            )
        if outline is not None and np.isfinite(outline[k]):
            top, bottom = sorted((y_of(float(outline[k])), y0))
            parts.append(
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{w:.1f}" height="{bottom - top:.1f}" '
                f'fill="none" stroke="{COLORS["target"]}" stroke-width="2" stroke-dasharray="4 2"/>'
            )
        label = labels[k] if labels is not None else str(k)
        parts.append(
            f'<text x="{x + w / 2:.1f}" y="{height - 5}" text-anchor="middle">{escape(label)}</text>'
        )
    parts.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{y0:.1f}" y2="{y0:.1f}" stroke="black"/>')
    parts.append("</svg>")
    return "".join(parts)


def heatmap(M, *, title="", vmax=None, annotate=True, cell=40):
    """A matrix (R, C) as cells on the diverging scale, each value written in its cell."""
    M = np.asarray(M, dtype=float)
    finite = M[np.isfinite(M)]
    if vmax is None or not (np.isfinite(vmax) and vmax > 0):
        vmax = float(np.abs(finite).max()) if finite.size and np.abs(finite).max() > 0 else 1.0
    n_rows, n_cols = M.shape
    left, top = 18, 24
    width, height = left + n_cols * cell + 4, top + n_rows * cell + 4
    parts = [_HEAD.format(w=width, h=height, fs=9), _title(title, width)]
    for (i, j), value in np.ndenumerate(M):
        x, y = left + j * cell, top + i * cell
        parts.append(
            f'<rect class="cell" x="{x}" y="{y}" width="{cell}" height="{cell}" '
            f'fill="{diverging_color(value, vmax)}" stroke="white"/>'
        )
        if annotate:
            ink = "white" if np.isfinite(value) and abs(value) > 0.6 * vmax else "black"
            text = f"{value:.3f}" if np.isfinite(value) else _fmt(value)
            parts.append(
                f'<text x="{x + cell / 2}" y="{y + cell / 2 + 3}" text-anchor="middle" '
                f'fill="{ink}">{text}</text>'
            )
    for i in range(n_rows):
        parts.append(f'<text x="{left - 4}" y="{top + i * cell + cell / 2 + 3}" text-anchor="end">{i}</text>')
    parts.append("</svg>")
    return "".join(parts)


def image(pixels, *, title="", scale=5):
    """A grey-level image (R, C) with values in [0, 1] as SVG squares; blank pixels are left out."""
    P = np.nan_to_num(np.asarray(pixels, dtype=float), nan=0.0).clip(0, 1)
    n_rows, n_cols = P.shape
    width, height = n_cols * scale, n_rows * scale + 18
    parts = [
        _HEAD.format(w=width, h=height, fs=11),
        _title(title, width),
        f'<rect x="0" y="18" width="{width}" height="{height - 18}" fill="white" stroke="#ccc"/>',
    ]
    for (i, j), value in np.ndenumerate(P):
        if value > 0:
            g = int(round(255 * (1 - value)))
            parts.append(
                f'<rect x="{j * scale}" y="{18 + i * scale}" width="{scale}" height="{scale}" '
                f'fill="#{g:02x}{g:02x}{g:02x}"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def scatter(xs, ys, *, title="", xlabel="numerical", ylabel="analytic", size=230, color=COLORS["analytic"]):
    """Points (x, y) on equal axes with the line y = x that they sit on when the two agree.

    ``xs`` and ``ys`` have shape (K,); points with a NaN or inf coordinate are counted in a note.
    """
    xs, ys = np.ravel(np.asarray(xs, dtype=float)), np.ravel(np.asarray(ys, dtype=float))
    ok = np.isfinite(xs) & np.isfinite(ys)
    lim = max(
        float(np.abs(xs[ok]).max()) if ok.any() else 0.0, float(np.abs(ys[ok]).max()) if ok.any() else 0.0
    )
    lim = lim * 1.1 if lim > 0 else 1.0
    pad, top = 26, 20
    span = size - pad - 6

    def px(v):
        return pad + span * (v + lim) / (2 * lim)

    def py(v):
        return top + span * (lim - v) / (2 * lim)

    parts = [
        _HEAD.format(w=size, h=size + 14, fs=10),
        _title(title, size),
        f'<rect x="{pad}" y="{top}" width="{span}" height="{span}" fill="none" stroke="#ccc"/>',
        f'<line x1="{px(-lim):.1f}" y1="{py(-lim):.1f}" x2="{px(lim):.1f}" y2="{py(lim):.1f}" '
        'stroke="black"/>',
    ]
    for x, y in zip(xs[ok], ys[ok]):
        parts.append(f'<circle class="point" cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{color}"/>')
    if (~ok).any():
        parts.append(
            f'<text x="{pad + 4}" y="{top + 12}" fill="{COLORS["wrong"]}">{(~ok).sum()} not finite</text>'
        )
    parts.append(
        f'<text x="{pad + span / 2}" y="{top + span + 14}" text-anchor="middle">{escape(xlabel)}</text>'
    )
    parts.append(
        f'<text x="10" y="{top + span / 2}" text-anchor="middle" '
        f'transform="rotate(-90 10 {top + span / 2})">{escape(ylabel)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def loglog_chart(
    x, series, *, title="", marker=None, xlabel="", ylabel="", width=380, height=240, ylim=(1e-13, 1.0)
):
    """Lines on log-log axes over ``x`` (K,). ``series`` is a list of ``(label, y (K,), colour)``.

    Points that are NaN, inf or not positive leave gaps. ``marker`` is an optional ``(x, y)`` point
    drawn as a ring (the slider's position). Each line is named in text beside its colour.
    """
    x = np.asarray(x, dtype=float)
    left, right, top, bottom = 42, 10, 22, 30
    pw, ph = width - left - right, height - top - bottom
    height += 13 * len(series)  # the legend goes below the axis, clear of the curves
    lx0, lx1 = np.log10(x.min()), np.log10(x.max())
    ly0, ly1 = np.log10(ylim[0]), np.log10(ylim[1])

    def px(v):
        return left + pw * (np.log10(v) - lx0) / (lx1 - lx0)

    def py(v):
        return top + ph * (ly1 - min(max(np.log10(v), ly0), ly1)) / (ly1 - ly0)

    parts = [
        _HEAD.format(w=width, h=height, fs=10),
        _title(title, width),
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#ccc"/>',
    ]
    for e in range(int(np.ceil(ly0)), int(np.floor(ly1)) + 1, 3):
        parts.append(f'<text x="{left - 3}" y="{py(10.0**e) + 3:.1f}" text-anchor="end">1e{e}</text>')
    for e in range(int(np.ceil(lx0)), int(np.floor(lx1)) + 1, 3):
        parts.append(f'<text x="{px(10.0**e):.1f}" y="{top + ph + 12}" text-anchor="middle">1e{e}</text>')
    for k, (label, y, color) in enumerate(series):
        y = np.asarray(y, dtype=float)
        ok = np.isfinite(y) & (y > 0)
        pts = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in zip(x[ok], y[ok]))
        parts.append(
            f'<polyline class="series" points="{pts}" fill="none" stroke="{color}" stroke-width="2"/>'
        )
        y_legend = top + ph + 30 + 13 * (k + 1)
        parts.append(f'<text x="{left + 6}" y="{y_legend}" fill="{color}">— {escape(label)}</text>')
    if marker is not None and np.isfinite(marker[1]) and marker[1] > 0:
        parts.append(
            f'<circle class="marker" cx="{px(marker[0]):.1f}" cy="{py(marker[1]):.1f}" r="5" '
            f'fill="none" stroke="black" stroke-width="2"/>'
        )
    parts.append(
        f'<text x="{left + pw / 2}" y="{top + ph + 26}" text-anchor="middle">{escape(xlabel)}</text>'
    )
    parts.append(
        f'<text x="10" y="{top + ph / 2}" text-anchor="middle" '
        f'transform="rotate(-90 10 {top + ph / 2})">{escape(ylabel)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def table(header, rows, *, title=""):
    """A small table of already formatted cells, in a monospace font; ``rows`` are sequences of str."""
    n_cols = len(header)
    widths = [
        7 * max(len(str(header[c])), *(len(str(r[c])) for r in rows if c < len(r))) + 16
        for c in range(n_cols)
    ]
    line, top = 15, 22 if title else 4
    width, height = sum(widths) + 4, top + line * (len(rows) + 1) + 6
    parts = [_HEAD.format(w=width, h=height, fs=11), '<g class="numbers">']
    if title:
        parts.append(_title(title, width))
    for r, cells in enumerate([header, *rows]):
        x, y = 2, top + line * (r + 1)
        weight = ' font-weight="bold"' if r == 0 else ""
        for c, cell in enumerate(cells):
            parts.append(
                f'<text x="{x + 8}" y="{y}" font-family="monospace"{weight}>{escape(str(cell))}</text>'
            )
            x += widths[c]
    parts.append(f'<line x1="2" x2="{width - 2}" y1="{top + line + 4}" y2="{top + line + 4}" stroke="#999"/>')
    parts.append("</g></svg>")
    return "".join(parts)


def row(*charts, gap=12, max_width=900):
    """Charts (SVG texts) side by side in one SVG, wrapping onto a new line past ``max_width``."""
    placed, x, y, line_h, width = [], 0, 0, 0, 0
    for chart in charts:
        w, h = (float(v) for v in _SIZE.match(chart).groups())
        if x > 0 and x + w > max_width:
            x, y, line_h = 0, y + line_h + gap, 0
        placed.append(chart.replace("<svg ", f'<svg x="{x:g}" y="{y:g}" ', 1))
        x += w + gap
        width, line_h = max(width, x - gap), max(line_h, h)
    return _HEAD.format(w=f"{width:g}", h=f"{y + line_h:g}", fs=10) + "".join(placed) + "</svg>"
