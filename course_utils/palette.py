"""The course's colours: one colour per meaning, the same in every picture, safe for colour-blind eyes.

The hues are Okabe and Ito's eight-colour palette, chosen so that the usual forms of colour
blindness still tell them apart. The SVG pictures of :mod:`course_utils.svg` and the matplotlib
plots of :mod:`course_utils.plotting` both read them from here. Colour never carries a verdict on its
own: every picture that colours a wrong result also says so in words (a ✗ and the reason).
"""

# Okabe-Ito: black, orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple.
OKABE_ITO = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")

BLACK, ORANGE, SKY_BLUE, BLUISH_GREEN, _YELLOW, BLUE, VERMILLION, REDDISH_PURPLE = OKABE_ITO

COLORS = {
    "probability": BLUE,  # softmax outputs h
    "target": BLACK,  # targets t, drawn as dashed outlines
    "numerical": ORANGE,  # finite differences
    "analytic": BLUISH_GREEN,  # a formula, backprop
    "wrong": VERMILLION,  # a wrong formula, a failed check, always with a ✗ in words
    "neutral": SKY_BLUE,  # any other vector
    "highlight": REDDISH_PURPLE,  # the step or point the learner is looking at
}

# Diverging scale for signed matrices (negative, zero, positive): ColorBrewer's RdBu ends, which
# colour-blind readers tell apart; every cell also has its value written in it.
DIVERGING_ENDS = ((33, 102, 172), (247, 247, 247), (178, 24, 43))


def diverging_color(value, vmax):
    """Hex colour of ``value`` on the diverging scale from ``-vmax`` (blue) to ``vmax`` (red)."""
    value = float(value)
    if value != value:  # NaN: mid grey, and the cell's text says NaN
        return "#bbbbbb"
    x = 0.0 if not vmax > 0 else max(-1.0, min(1.0, value / vmax))
    negative, white, positive = DIVERGING_ENDS
    end = positive if x > 0 else negative
    rgb = [w + abs(x) * (e - w) for w, e in zip(white, end)]
    return "#" + "".join(f"{int(round(c)):02x}" for c in rgb)


def diverging_cmap():
    """The same diverging scale as a matplotlib colormap (matplotlib is imported only here)."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list(
        "course_diverging", [tuple(c / 255 for c in rgb) for rgb in DIVERGING_ENDS]
    )
