"""matplotlib plots of the notebooks (training curves, confusion matrices, digits, vectors, matrices).

Colours come from :mod:`course_utils.palette`, the same as in the widgets' SVG pictures.

Every function draws on ``ax`` (a new figure's axes when ``ax`` is None) and returns the axes, so a
notebook can compose several in one figure.
"""

import numpy as np

from .i18n import N_, _
from .palette import COLORS, diverging_cmap

# Fonts with the Chinese glyphs, best first: Noto (Debian's fonts-noto-cjk, also on most Linux
# desktops), then what Windows and macOS ship. matplotlib falls back glyph by glyph, so Latin text and
# mathtext keep DejaVu Sans and only the Chinese characters come from the CJK font.
CJK_FONTS = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
]


def use_language_fonts(language):
    """Set matplotlib's font family for ``language`` (called by ``course_utils.set_language``).

    For ``"zh"``, the first installed font of :data:`CJK_FONTS` follows DejaVu Sans. When none is
    known to matplotlib, its font list may predate the font's installation (matplotlib caches it):
    the system's fonts are scanned again first, and only if still none has the Chinese glyphs does a
    ``UserWarning``, in the current language, say what to install (figures would show empty boxes).
    """
    import matplotlib

    if language == "en":
        matplotlib.rcParams["font.family"] = matplotlib.rcParamsDefault["font.family"]
        return None
    found = _installed_cjk_font() or (_rescan_system_fonts() and _installed_cjk_font())
    if not found:
        import warnings

        warnings.warn(
            _(
                "no font with Chinese glyphs found for matplotlib, even after scanning the system's "
                "fonts again: install one of {fonts} (on Debian or Ubuntu: apt install fonts-noto-cjk), "
                "then restart the kernel; if one is installed and this still shows, delete matplotlib's "
                "font cache ({cache}) and restart the kernel"
            ).format(fonts=", ".join(CJK_FONTS), cache=matplotlib.get_cachedir()),
            UserWarning,
            stacklevel=3,
        )
        return None
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", found]
    return found


def _installed_cjk_font():
    """The first font of :data:`CJK_FONTS` that matplotlib's font list holds, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def _rescan_system_fonts():
    """Add the system's fonts that matplotlib's (cached) font list lacks; True if any was added.

    The list is saved back to matplotlib's cache, so the next kernel finds the fonts without a scan.
    """
    from matplotlib import font_manager

    manager = font_manager.fontManager
    known = {f.fname for f in manager.ttflist}
    added = False
    for path in font_manager.findSystemFonts():
        if path not in known:
            try:
                manager.addfont(path)
                added = True
            except Exception:  # a font file FreeType cannot read is skipped, as matplotlib does
                continue
    if added:
        _save_font_list(manager)
    return added


def _save_font_list(manager):
    import matplotlib
    from matplotlib import font_manager

    cache = f"{matplotlib.get_cachedir()}/fontlist-v{font_manager.FontManager.__version__}.json"
    try:
        font_manager.json_dump(manager, cache)
    except OSError:  # a read-only cache: the fonts still work in this kernel
        pass


def _axes(ax, figsize=(5, 3)):
    if ax is None:
        import matplotlib.pyplot as plt

        _fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def class_labels(C):
    return [str(j) for j in range(C)]


def plot_probabilities(h, ax=None, *, target=None, title=None, labels=None, ylim=(0, 1)):
    """Bar chart of one row of softmax outputs ``h`` (shape (C,)), with targets ``t`` as outlines."""
    ax = _axes(ax)
    h = np.asarray(h)
    x = np.arange(h.size)
    ax.bar(x, h, color=COLORS["probability"], label=_("h = softmax(z)"))
    if target is not None:
        ax.bar(
            x,
            np.asarray(target),
            fill=False,
            edgecolor=COLORS["target"],
            linewidth=2,
            linestyle="--",
            label=_("t (target)"),
        )
        ax.legend(loc="upper right", fontsize=8)
    for xi, hi in zip(x, h):
        ax.text(xi, hi + 0.02 * (ylim[1] - ylim[0]), f"{hi:.2f}", ha="center", fontsize=8)
    ax.set_xticks(x, labels or class_labels(h.size))
    ax.set_xlabel(_("class j"))
    ax.set_ylabel(_("probability h_j"))
    ax.set_ylim(*ylim)
    if title:
        ax.set_title(_(title))
    return ax


def plot_vector(v, ax=None, *, title=None, color=None, labels=None, ylabel=N_("value"), ylim=None):
    """Bar chart of a vector, signed, with its values written on the bars."""
    ax = _axes(ax)
    v = np.asarray(v, dtype=float)
    x = np.arange(v.size)
    ax.bar(x, np.where(np.isfinite(v), v, 0.0), color=color or COLORS["neutral"])
    ax.axhline(0, color="black", linewidth=0.8)
    if ylim is None:
        top = max(np.abs(v).max(), 1e-12) * 1.3 if np.all(np.isfinite(v)) else 1.0
        ylim = (-top, top)
    ax.set_ylim(*ylim)
    for xi, vi in zip(x, v):
        if np.isfinite(vi):
            # Keep each label inside the axes, even for a bar that runs off the chart.
            ax.text(
                xi,
                np.clip(vi, *ylim),
                f"{vi:.3g}",
                ha="center",
                va="bottom" if vi >= 0 else "top",
                fontsize=7,
                clip_on=True,
            )
        else:
            ax.text(
                xi,
                0,
                "NaN" if np.isnan(vi) else "inf",
                ha="center",
                color=COLORS["wrong"],
                fontsize=9,
                fontweight="bold",
            )
    ax.set_xticks(x, labels or class_labels(v.size))
    ax.set_ylabel(_(ylabel))
    if title:
        ax.set_title(_(title))
    return ax


def plot_matrix(
    M,
    ax=None,
    *,
    title=None,
    vmax=None,
    annotate=True,
    labels=None,
    xlabel=N_("j (logit z_j)"),
    ylabel=N_("i (output h_i)"),
):
    """Heat map of a matrix on a diverging scale centred on 0, values written in the cells."""
    ax = _axes(ax, figsize=(4, 3.5))
    M = np.asarray(M, dtype=float)
    vmax = vmax or max(np.abs(M).max(), 1e-12)
    ax.imshow(M, cmap=diverging_cmap(), vmin=-vmax, vmax=vmax)
    if annotate and M.shape[0] <= 12:
        for (i, j), value in np.ndenumerate(M):
            ax.text(
                j,
                i,
                f"{value:.3f}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if abs(value) > 0.6 * vmax else "black",
            )
    n_rows, n_cols = M.shape
    ax.set_xticks(range(n_cols), labels or class_labels(n_cols))
    ax.set_yticks(range(n_rows), labels or class_labels(n_rows))
    ax.set_xlabel(_(xlabel))
    ax.set_ylabel(_(ylabel))
    if title:
        ax.set_title(_(title))
    return ax


def plot_numerical_vs_analytic(numerical, analytic, ax=None, *, title=None):
    """Scatter of analytic against numerical values with the line y = x they should sit on."""
    ax = _axes(ax, figsize=(4, 4))
    numerical = np.ravel(numerical)
    analytic = np.ravel(analytic)
    lim = max(np.abs(numerical).max(), np.abs(analytic).max(), 1e-12) * 1.1
    ax.plot([-lim, lim], [-lim, lim], color="black", linewidth=0.8, label=_("y = x (agreement)"))
    ax.scatter(numerical, analytic, color=COLORS["analytic"], s=18, zorder=3, label=_("one gradient entry"))
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_xlabel(_("numerical (finite differences)"))
    ax.set_ylabel(_("analytic (formula)"))
    ax.legend(fontsize=8, loc="upper left")
    if title:
        ax.set_title(_(title))
    return ax


def plot_digit(image, ax=None, *, title=None):
    """One 28x28 grey-level image (or a row of 784 pixels)."""
    ax = _axes(ax, figsize=(3, 3))
    ax.imshow(np.asarray(image).reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(_(title))
    return ax


def plot_history(history, axes=None):
    """Training loss and validation accuracy per epoch, side by side; returns the two axes."""
    if axes is None:
        import matplotlib.pyplot as plt

        _fig, axes = plt.subplots(1, 2, figsize=(8, 3), layout="constrained")
    ax_loss, ax_acc = axes
    epochs = np.arange(1, history.epochs + 1)
    ax_loss.plot(epochs, history.train_loss, "o-", color=COLORS["neutral"])
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel(_("epoch"))
    ax_loss.set_ylabel(_("mean training loss (log scale)"))
    ax_loss.set_title(_("training loss"))
    if history.val_accuracy:
        ax_acc.plot(epochs, 100 * np.asarray(history.val_accuracy), "o-", color=COLORS["analytic"])
        ax_acc.axhline(98.0, color="gray", linestyle="--", linewidth=1)
        ax_acc.set_xlabel(_("epoch"))
        ax_acc.set_ylabel(_("validation accuracy (%)"))
        ax_acc.set_title(_("validation accuracy (dashed: 98%)"))
    return axes


def plot_confusion(M, ax=None, *, title=N_("confusion matrix")):
    """Counts ``M[true, predicted]`` with the diagonal blanked, so the mistakes stand out."""
    ax = _axes(ax, figsize=(4.5, 4))
    off = np.asarray(M, dtype=float).copy()
    np.fill_diagonal(off, np.nan)
    ax.imshow(off, cmap="Reds")
    top = np.nanmax(off) if np.isfinite(off).any() else 0
    for (i, j), v in np.ndenumerate(M):
        if i != j and v:
            ink = "white" if v > 0.6 * top else "black"  # readable on the darkest cells too
            ax.text(j, i, str(v), ha="center", va="center", fontsize=7, color=ink)
    C = M.shape[0]
    ax.set_xticks(range(C), class_labels(C))
    ax.set_yticks(range(C), class_labels(C))
    ax.set_xlabel(_("predicted digit"))
    ax.set_ylabel(_("true digit"))
    ax.set_title(_(title))
    return ax


def plot_digit_grid(images, titles, axes=None, *, ncols=4):
    """Several 28x28 images with a title each; returns the axes array."""
    if axes is None:
        import matplotlib.pyplot as plt

        nrows = int(np.ceil(len(images) / ncols))
        _fig, axes = plt.subplots(nrows, ncols, figsize=(2 * ncols, 2.2 * nrows), layout="constrained")
    flat = np.ravel(axes)
    for ax in flat[len(images) :]:
        ax.axis("off")
    for ax, image, title in zip(flat, images, titles):
        plot_digit(image, ax, title=title)
    return axes


def _apply_current_language():
    from .i18n import language

    if language() != "en":
        use_language_fonts(language())


_apply_current_language()
