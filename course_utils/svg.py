"""Tiny SVG charts for the live widgets: a redraw costs well under a millisecond.

matplotlib draws the static figures; re-rendering one to PNG on every slider move takes 60 to
100 ms here, too slow to feel instant. These functions draw the same pictures (same colours as
:mod:`course_utils.plotting`) as SVG text that an ``ipywidgets.HTML`` shows directly.
"""

from html import escape

import numpy as np

from .plotting import COLORS

# Ends and middle of the diverging map used for Jacobians (blue negative, white 0, red positive).
_BLUE, _WHITE, _RED = np.array([33, 102, 172]), np.array([247, 247, 247]), np.array([178, 24, 43])


def _fmt(v, digits=3):
    if np.isnan(v):
        return "NaN"
    if np.isinf(v):
        return "inf" if v > 0 else "−inf"
    return f"{v:.{digits}g}"


def diverging_color(value, vmax):
    """Hex colour of ``value`` on a blue-white-red scale from ``-vmax`` to ``vmax``."""
    x = 0.0 if vmax == 0 else float(np.clip(value / vmax, -1, 1))
    end = _RED if x > 0 else _BLUE
    rgb = _WHITE + abs(x) * (end - _WHITE)
    return "#" + "".join(f"{int(round(c)):02x}" for c in rgb)


def bar_chart(
    values, *, title="", labels=None, color=COLORS["neutral"], ylim=None, outline=None, width=250, height=170
):
    """Vertical bars with their values; ``outline`` draws dashed target bars over them."""
    v = np.asarray(values, dtype=float)
    finite = np.isfinite(v)
    if ylim is None:
        top = max(np.abs(v[finite]).max() if finite.any() else 1.0, 1e-12) * 1.25
        lo = 0.0 if np.all(v[finite] >= 0) else -top
        ylim = (lo, top)
    lo, hi = ylim
    pad_l, pad_r, pad_t, pad_b = 8, 8, 22, 20
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b

    def y_of(val):
        return pad_t + plot_h * (hi - np.clip(val, lo, hi)) / (hi - lo)

    slot = plot_w / max(v.size, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="10">',
        f'<text x="{width / 2}" y="13" text-anchor="middle" font-size="11" '
        f'font-weight="bold">{escape(title)}</text>',
    ]
    y0 = y_of(0.0)
    for k, val in enumerate(v):
        x = pad_l + k * slot + slot * 0.15
        w = slot * 0.7
        if np.isfinite(val):
            top, bottom = sorted((y_of(val), y0))
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{top:.1f}" width="{w:.1f}" '
                f'height="{max(bottom - top, 0.5):.1f}" fill="{color}"/>'
            )
            ty = top - 2 if val >= 0 else bottom + 10
            parts.append(f'<text x="{x + w / 2:.1f}" y="{ty:.1f}" text-anchor="middle">{_fmt(val)}</text>')
        else:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{y0 - 3:.1f}" text-anchor="middle" '
                f'fill="{COLORS["wrong"]}" font-weight="bold">{_fmt(val)}</text>'
            )
        if outline is not None:
            o = float(outline[k])
            top, bottom = sorted((y_of(o), y0))
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
    """A matrix as coloured cells, values written in them, on the diverging scale."""
    M = np.asarray(M, dtype=float)
    vmax = vmax or max(np.abs(M).max(), 1e-12)
    n_rows, n_cols = M.shape
    left, top = 18, 24
    width, height = left + n_cols * cell + 4, top + n_rows * cell + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="9">',
        f'<text x="{width / 2}" y="13" text-anchor="middle" font-size="11" '
        f'font-weight="bold">{escape(title)}</text>',
    ]
    for (i, j), value in np.ndenumerate(M):
        x, y = left + j * cell, top + i * cell
        parts.append(
            f'<rect class="cell" x="{x}" y="{y}" width="{cell}" height="{cell}" '
            f'fill="{diverging_color(value, vmax)}" stroke="white"/>'
        )
        if annotate:
            ink = "white" if abs(value) > 0.6 * vmax else "black"
            parts.append(
                f'<text x="{x + cell / 2}" y="{y + cell / 2 + 3}" text-anchor="middle" '
                f'fill="{ink}">{value:.3f}</text>'
            )
    for i in range(n_rows):
        parts.append(f'<text x="{left - 4}" y="{top + i * cell + cell / 2 + 3}" text-anchor="end">{i}</text>')
    parts.append("</svg>")
    return "".join(parts)


def image(pixels, *, title="", scale=5):
    """A grey-level image (values in [0, 1]) as SVG squares; blank pixels are left out."""
    P = np.asarray(pixels, dtype=float)
    n_rows, n_cols = P.shape
    width, height = n_cols * scale, n_rows * scale + 18
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">',
        f'<text x="{width / 2}" y="13" text-anchor="middle" font-weight="bold">{escape(title)}</text>',
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
    """Points (x, y) on equal axes with the line y = x that they sit on when the two agree."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    lim = max(np.abs(xs).max(), np.abs(ys).max(), 1e-300) * 1.1
    pad, top = 26, 20
    span = size - pad - 6

    def px(v):
        return pad + span * (v + lim) / (2 * lim)

    def py(v):
        return top + span * (lim - v) / (2 * lim)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size + 14}" '
        f'font-family="sans-serif" font-size="10">',
        f'<text x="{size / 2}" y="13" text-anchor="middle" font-size="11" '
        f'font-weight="bold">{escape(title)}</text>',
        f'<rect x="{pad}" y="{top}" width="{span}" height="{span}" fill="none" stroke="#ccc"/>',
        f'<line x1="{px(-lim)}" y1="{py(-lim)}" x2="{px(lim)}" y2="{py(lim)}" stroke="black"/>',
    ]
    for x, y in zip(xs, ys):
        parts.append(f'<circle class="point" cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{color}"/>')
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
    """Lines on log-log axes. ``series`` is a list of ``(label, y, colour)``; NaN points are gaps.

    ``marker`` is an optional ``(x, y)`` point drawn as a ring (the slider's position).
    """
    x = np.asarray(x, dtype=float)
    left, right, top, bottom = 42, 10, 22, 30
    pw, ph = width - left - right, height - top - bottom
    lx0, lx1 = np.log10(x.min()), np.log10(x.max())
    ly0, ly1 = np.log10(ylim[0]), np.log10(ylim[1])

    def px(v):
        return left + pw * (np.log10(v) - lx0) / (lx1 - lx0)

    def py(v):
        return top + ph * (ly1 - np.clip(np.log10(v), ly0, ly1)) / (ly1 - ly0)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="10">',
        f'<text x="{width / 2}" y="13" text-anchor="middle" font-size="11" '
        f'font-weight="bold">{escape(title)}</text>',
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
        parts.append(f'<text x="{left + 6}" y="{top + 12 + 12 * k}" fill="{color}">{escape(label)}</text>')
    if marker is not None and np.isfinite(marker[1]) and marker[1] > 0:
        parts.append(
            f'<circle class="marker" cx="{px(marker[0]):.1f}" cy="{py(marker[1]):.1f}" r="5" '
            f'fill="none" stroke="black" stroke-width="2"/>'
        )
    parts.append(f'<text x="{left + pw / 2}" y="{height - 4}" text-anchor="middle">{escape(xlabel)}</text>')
    parts.append(
        f'<text x="10" y="{top + ph / 2}" text-anchor="middle" '
        f'transform="rotate(-90 10 {top + ph / 2})">{escape(ylabel)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def table(header, rows):
    """A small HTML table; ``rows`` are sequences of already formatted cells."""
    head = "".join(f"<th style='padding:0 8px'>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(f"<td style='padding:0 8px;font-family:monospace'>{escape(str(c))}</td>" for c in r)
        + "</tr>"
        for r in rows
    )
    return f"<table class='numbers'><tr>{head}</tr>{body}</table>"


def row(*charts):
    """Charts side by side, wrapping on a narrow screen."""
    return (
        '<div style="display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start">'
        + "".join(charts)
        + "</div>"
    )
