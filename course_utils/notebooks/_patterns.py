r"""Shapes of error common to every exercise, said plainly before a checker gives up.

:func:`~course_utils.notebooks._difference._difference` tries these on a result that matches no
mistake of the exercise's own catalogue, one result (``g``, the learner's, and ``e``, the expected,
float arrays of the same shape) at a time; each returns a message, or ``None`` when the result is
not of that shape:

* :func:`input_returned`: an input given back unchanged (``return z``);
* :func:`all_zero` and :func:`whole_numbers`: an array never filled, integer arithmetic;
* :func:`offset`: the right result plus a constant, everywhere, per row or per column;
* :func:`scaled`: the right result times a factor of its own per row or per column (a row-wise or
  column-wise normalisation);
* :func:`right_in_part`: right on the diagonal only, off it only, on some rows, columns or entries;
* :func:`moved`: the right numbers in other places (rows or columns in another order, reversed).

Each is a property of the two arrays, so it can only fire when the answer really has that shape.
"""

import inspect

import numpy as np

from ..i18n import _


def _close(a, b):
    """``a`` equals ``b`` to 1e-6, both finite (``b`` sets the scale of the absolute tolerance)."""
    if a.shape != b.shape or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return False
    return np.allclose(a, b, rtol=1e-6, atol=1e-9 * max(float(np.abs(b).max(initial=0)), 1e-300))


def _listed(indices, limit=4):
    shown = ", ".join(str(int(i)) for i in indices[:limit])
    return shown + (", …" if len(indices) > limit else "")


def _parameters(fn, count):
    try:
        names = [
            p.name
            for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        names = []
    return names + [None] * (count - len(names))


def input_returned(g, e, args, fn=None):
    """Your result is one of the inputs, unchanged (``return z``, or a copy never written to)."""
    names = _parameters(fn, len(args))
    for k, a in enumerate(args):
        if not isinstance(a, np.ndarray) or a.dtype.kind not in "fiub" or a.shape != g.shape:
            continue
        if _close(g, a.astype(np.float64)) and not _close(e, a.astype(np.float64)):
            if names[k]:
                return _(
                    "your result is the input `{name}`, unchanged: is the computation missing, or "
                    "was it done on a copy that is not the one returned?"
                ).format(name=names[k])
            return _(
                "your result is the function's input number {k}, unchanged: is the computation "
                "missing, or was it done on a copy that is not the one returned?"
            ).format(k=k + 1)
    return None


def all_zero(g, e):
    """An array of zeros where the answer is not: allocated and never filled, or a factor of 0."""
    if g.size > 1 and not np.any(g) and np.any(e):
        return _(
            "your result is all zeros: an array allocated with np.zeros and never filled (a loop "
            "that does not run, a `return` before it), or a factor that is always 0"
        )
    return None


def whole_numbers(g, e):
    """Whole numbers only where the answer has fractions: an integer array or ``//`` on the way."""
    if g.size > 1 and np.all(np.isfinite(g)) and np.all(g == np.round(g)) and not np.all(e == np.round(e)):
        return _(
            "your result holds whole numbers only, where the answer has fractions: integer "
            "arithmetic somewhere (an array made from ints, np.zeros_like of an int array, or //); "
            "compute in floats"
        )
    return None


def rounded(g, e):
    """The right result rounded to a few decimals (``np.round(h, 3)``, a ``round`` of each entry)."""
    if g.size < 2 or not np.all(np.isfinite(g)) or not np.all(np.isfinite(e)) or _close(g, e):
        return None
    for decimals in range(1, 7):  # 0 decimals: whole numbers, named by whole_numbers
        if np.allclose(g, np.round(e, decimals), rtol=0, atol=1e-12) and not _close(e, np.round(e, decimals)):
            return _(
                "your result is the right one rounded to {d} decimals: keep every digit, round only "
                "what you print (np.round, round() or a format like {{:.3f}} belongs in a print, not "
                "in the returned result)"
            ).format(d=decimals)
    return None


def offset(g, e):
    """The right result plus a constant: everywhere, one per row, or one per column."""
    d = g - e
    if g.size < 2 or not np.all(np.isfinite(d)) or _close(g, e):  # two numbers differ by a constant
        return None
    scale = max(float(np.abs(e).max(initial=0)), 1.0)
    if np.ptp(d) <= 1e-7 * scale:
        c = float(d.mean())
        return _(
            "your result is the right one plus {c:.6g} in every entry: a constant is added or "
            "dropped (a + 1 or − 1, a term that does not depend on the input)"
        ).format(c=c)
    if g.ndim != 2 or min(g.shape) < 2:
        return None
    if np.all(np.ptp(d, axis=1) <= 1e-7 * scale):
        first = ", ".join(f"{float(c):.4g}" for c in d[:3, 0])
        return _(
            "each row of your result is the right one plus a constant of its own ({first}, … for "
            "rows 0, 1, 2): a per-row term, such as the row's max or log Σ exp, is missing, counted "
            "twice, or taken over the wrong axis"
        ).format(first=first)
    if np.all(np.ptp(d, axis=0) <= 1e-7 * scale):
        first = ", ".join(f"{float(c):.4g}" for c in d[0, :3])
        return _(
            "each column of your result is the right one plus a constant of its own ({first}, … for "
            "columns 0, 1, 2): a term taken over axis 0 (the batch) where each row needs its own"
        ).format(first=first)
    return None


def _ratios(g, e, axis):
    """Per row (axis=1) or column (axis=0): the factor ``g = r·e``, or None where none fits."""
    den = np.sum(e * e, axis=axis)
    if np.any(den == 0):
        return None
    r = np.sum(g * e, axis=axis) / den
    fitted = r[:, None] * e if axis == 1 else r[None, :] * e
    return r if _close(g, fitted) else None


def scaled(g, e):
    """The right result times a factor of its own per row or per column: a normalisation."""
    if g.ndim != 2 or min(g.shape) < 2 or not (np.all(np.isfinite(g)) and np.all(np.isfinite(e))):
        return None
    for axis, text in (
        (
            1,
            _(
                "each row of your result is the right one times a factor of its own ({first}, … for "
                "rows 0, 1, 2): a row-wise normalisation is missing, extra, or taken over the other "
                "axis (a sum over axis=0 where each row needs its own, axis=1)"
            ),
        ),
        (
            0,
            _(
                "each column of your result is the right one times a factor of its own ({first}, … "
                "for columns 0, 1, 2): a normalisation over the wrong axis (each row is a sample; "
                "sums and maxima per sample run over axis=1, with keepdims=True)"
            ),
        ),
    ):
        r = _ratios(g, e, axis)
        # A factor of 0 is a row (or column) never written, not a normalisation: the partial-loop
        # rule names that, and a list such as (1, 1, 1, …) would hide the 0 further down.
        if r is not None and np.ptp(r) > 1e-6 * np.abs(r).max() and np.all(r != 0):
            return text.format(first=", ".join(f"{float(x):.4g}" for x in r[:3]))
    return None


def right_in_part(g, e):
    """Right on some entries only: the diagonal, off it, some rows, some columns, some entries."""
    if not np.all(np.isfinite(e)):
        return None
    ok = np.isclose(g, e, rtol=1e-6, atol=1e-9 * max(float(np.abs(e).max(initial=0)), 1e-300))
    if ok.all() or not (ok & (e != 0)).any() or g.ndim > 2:  # zeros matching zeros say nothing
        return None
    if g.ndim == 2 and g.shape[0] == g.shape[1] > 1:
        diagonal = np.eye(g.shape[0], dtype=bool)
        if ok[diagonal].all() and not ok[~diagonal].any():
            return _(
                "the diagonal of your result is right, the entries off it are not: the i ≠ j case "
                "of the formula (where the Kronecker delta is 0) is wrong"
            )
        if ok[~diagonal].all() and not ok[diagonal].any():
            return _(
                "the entries off the diagonal of your result are right, the diagonal is not: the "
                "i = j case (where the Kronecker delta is 1) is wrong"
            )
    if g.ndim == 2 and g.shape[0] > 1:
        rows_ok = ok.all(axis=1)
        if rows_ok.any() and (ok == rows_ok[:, None]).all():
            right, wrong = np.flatnonzero(rows_ok), np.flatnonzero(~rows_ok)
            return _(
                "only some rows of your result are right (rows {right}; wrong: rows {wrong}, of "
                "{n}): does a loop skip or repeat rows, or is one row's value used for every row?"
            ).format(right=_listed(right), wrong=_listed(wrong), n=g.shape[0])
    if g.ndim == 2 and g.shape[1] > 1:
        cols_ok = ok.all(axis=0)
        if cols_ok.any() and (ok == cols_ok[None, :]).all():
            right, wrong = np.flatnonzero(cols_ok), np.flatnonzero(~cols_ok)
            return _(
                "only some columns of your result are right (columns {right}; wrong: columns "
                "{wrong}, of {n}): does a loop over the columns (classes) skip or repeat some?"
            ).format(right=_listed(right), wrong=_listed(wrong), n=g.shape[1])
    if g.ndim == 2 and g.shape[0] > 1 and (np.sum(~ok, axis=1) == 1).all():
        columns = np.argmax(~ok, axis=1)
        return _(
            "each row of your result is right but for one entry (column {columns} in rows 0, 1, "
            "2, …): the entry at each sample's label? (the one-hot's 1, t[n, y[n]], added with the "
            "wrong value or not at all)"
        ).format(columns=_listed(columns, 3))
    if g.ndim == 2 and np.sum(~ok) <= 3 and g.size >= 4:
        wrong = [tuple(int(i) for i in w) for w in np.argwhere(~ok)]
        worst = max(wrong, key=lambda w: abs(float(g[w]) - float(e[w])))
        from ._difference import _distinct  # it imports this module

        want, have = _distinct(float(e[worst]), float(g[worst]))
        return _(
            "your result is right but for {count} of its {n} entries, at {where}: a special case "
            "(a first or last index, an edge of a loop) treated differently? The largest difference "
            "is at index {worst}: expected {want}, got {have}"
        ).format(
            count=len(wrong),
            n=g.size,
            where=", ".join(map(str, wrong)),
            worst=worst,
            want=want,
            have=have,
        )
    if g.ndim == 1 and g.size > 1:
        right, wrong = np.flatnonzero(ok), np.flatnonzero(~ok)
        return _(
            "only some entries of your result are right (entries {right}; wrong: entries {wrong}, of "
            "{n}): does a loop skip or repeat some, or stop one early?"
        ).format(right=_listed(right), wrong=_listed(wrong), n=g.size)
    return None


def moved(g, e):
    """The right numbers in other places: rows or columns in another order, or reversed."""
    if g.size < 2 or not np.all(np.isfinite(g)) or _close(g, e):
        return None
    if not _close(np.sort(g, axis=None), np.sort(e, axis=None)):
        return None
    if g.ndim == 2 and g.shape[0] > 1 and _close(g, e[::-1]):
        return _("your result has the right rows in reverse order")
    if g.ndim == 2 and g.shape[1] > 1 and _close(g, e[:, ::-1]):
        return _("your result has the right columns in reverse order")
    if g.ndim == 1 and _close(g, e[::-1]):
        return _("your result has the right entries in reverse order")
    if g.ndim == 2 and _close(np.sort(g, axis=1), np.sort(e, axis=1)):
        return _(
            "each row of your result holds the right numbers in other columns: an index into the "
            "classes is mixed up (a column order, an argmax, a label used as a position)"
        )
    return _(
        "your result holds the right numbers in other places: an index is mixed up (rows, columns, "
        "or a reshape where a transpose was meant)"
    )


def reduced(g, e, *, kind=None):
    """A result with fewer axes than the answer: a sum or mean taken where none belongs.

    ``kind``: the type name of the value the learner returned, said when the value cannot tell which
    reduction made it."""
    if g.ndim >= e.ndim or e.ndim == 0:
        return None
    if g.ndim == 0:
        told = ((e.sum(), "np.sum"), (e.mean(), "np.mean"))
        if _close(np.reshape(e.sum(), 1), np.reshape(e.mean(), 1)):  # both 0: the value cannot tell
            told = ()
        for value, what in told:
            if _close(g.reshape(1), np.reshape(value, 1)):
                return _(
                    "your function returned one number, {what} of every entry of the right answer, "
                    "where an array of shape {want} is expected: give it an axis, or leave it out"
                ).format(what=what, want=e.shape)
        if kind:
            return _(
                "your function returned one number ({kind}) where an array of shape {want} is "
                "expected: a sum, mean or max over every entry? (give it axis=..., or leave it out)"
            ).format(kind=kind, want=e.shape)
        return _(
            "your function returned one number where an array of shape {want} is expected: "
            "a sum, mean or max over every entry? (give it axis=..., or leave it out)"
        ).format(want=e.shape)
    if e.ndim == 2 and g.ndim == 1:
        for what, op in (("np.sum", np.sum), ("np.mean", np.mean)):
            if _close(g, op(e, axis=0)):
                return _(
                    "your result, shape {got}, is {what} over axis=0 (the batch) of the right one, "
                    "shape {want}: one number per class, where the answer keeps a row per sample"
                ).format(got=g.shape, what=what, want=e.shape)
            if _close(g, op(e, axis=1)):
                return _(
                    "your result, shape {got}, is {what} over axis=1 (the classes) of the right one, "
                    "shape {want}: one number per sample, where the answer keeps every class"
                ).format(got=g.shape, what=what, want=e.shape)
    return None
