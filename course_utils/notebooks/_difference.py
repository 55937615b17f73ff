"""What a checker says about a result that matches no catalogued mistake: its shape, a constant
factor it is off by (a sign, the batch size N, the number of classes C), or where it differs most.
"""

import numpy as np

from ..i18n import N_, _
from . import _patterns
from ._feedback import N_BY_ONE, Feedback, see

_NOTEBOOK_00 = ("one_hot", "theta_to_params")  # exercises that do not take an exp


def _difference(exercise, got, expected, args=(), names=None, fn=None):
    """Feedback for a result that matches no catalogued mistake: shape, a constant factor, values.

    Before the generic reply, the shapes of error every exercise can show are tried
    (:mod:`._patterns`): an input returned unchanged, zeros, an offset, a per-row or per-column
    factor, right on part of the entries only, the right numbers moved, whole numbers only.
    ``fn`` is the learner's function, whose parameters name an input returned unchanged.
    """
    label = (lambda k: names[k]) if names else (lambda k: _("result {k}").format(k=k + 1))
    swapped = _swapped_pair(got, expected)
    if swapped:
        i, j = swapped
        return Feedback(
            exercise,
            "wrong",
            _("{a} and {b} are swapped: return them in the order the exercise lists them").format(
                a=label(i), b=label(j)
            ),
        )
    for k, (g, e) in enumerate(zip(got, expected)):
        which = _("{label}: ").format(label=label(k)) if len(got) > 1 else ""
        if g.shape != e.shape:
            told = _patterns.input_returned(g, e, args, fn)  # `return y`, in a shape of its own
            if told:
                return Feedback(exercise, "wrong", which + told)
            if e.ndim == 2 and g.shape == (e.shape[0], 1):
                return Feedback(
                    exercise,
                    "wrong",
                    _(
                        "{which}expected shape {want}, one column per class, got {got}: one "
                        "number per sample where the answer has C"
                    ).format(which=which, want=e.shape, got=g.shape),
                    N_BY_ONE,
                )
            told = _patterns.reduced(g, e)
            if told:
                return Feedback(exercise, "wrong", which + told)
            if g.shape == e.shape[::-1]:
                return Feedback(
                    exercise,
                    "wrong",
                    _("{which}expected shape {want}, got {got}: rows and columns swapped").format(
                        which=which, want=e.shape, got=g.shape
                    ),
                )
            message = _("{which}expected shape {want}, got {got}").format(
                which=which, want=e.shape, got=g.shape
            )
            return Feedback(exercise, "wrong", message)
    for k, (g, e) in enumerate(zip(got, expected)):
        which = _("in {label} ").format(label=label(k)) if len(got) > 1 else ""
        if not np.all(np.isfinite(g)) and np.all(np.isfinite(e)):
            if not np.any(np.isfinite(g)):
                return Feedback(
                    exercise,
                    "wrong",
                    _(
                        "every entry of your result {which}is NaN or inf, where the answer is finite: "
                        "is a placeholder still returned, or is everything divided by 0?"
                    ).format(which=which),
                )
            return Feedback(
                exercise,
                "wrong",
                _(
                    "your result {which}holds NaN or inf where the answer is finite: look for an "
                    "overflow (exp of a large number), a division by 0 or a log of 0"
                ).format(which=which),
                # Notebook 00's exercises come before softmax: its overflow section is no help there.
                None if exercise in _NOTEBOOK_00 else see("01_softmax", "Overflow, and the one-line fix"),
            )
        if g.ndim == 2 and g.shape[0] == g.shape[1] > 1 and _close(g, e.T) and not _close(e, e.T):
            return Feedback(
                exercise,
                "wrong",
                _(
                    "{which}your result is the transpose of the right one: rows and columns swapped "
                    "(a .T too many or too few, or the indices of the formula in the wrong order)"
                ).format(which=which),
            )
        told = _patterns.input_returned(g, e, args, fn) or _patterns.all_zero(g, e)
        if told:
            return Feedback(exercise, "wrong", which + told)
        factor = _constant_factor(g, e)
        named = None if factor is None else _factor_message(factor, args, g.size)
        if named:
            return Feedback(exercise, "wrong", which + named)
        for pattern in (
            _patterns.rounded,
            _patterns.offset,
            _patterns.scaled,
            _patterns.right_in_part,
            _patterns.moved,
        ):
            told = pattern(g, e)
            if told:
                return Feedback(exercise, "wrong", which + told)
        told = _patterns.whole_numbers(g, e)
        if told:
            return Feedback(exercise, "wrong", which + told)
        diff = np.abs(g - e)
        if diff.size and np.nanmax(diff) > 0:
            idx = tuple(int(i) for i in np.unravel_index(int(np.nanargmax(diff)), diff.shape))
            want, have = _distinct(float(e[idx] if idx else e[()]), float(g[idx] if idx else g[()]))
            if idx:
                text = _(
                    "not the expected values: the largest difference {which}is at index {index}: "
                    "expected {want}, got {have}"
                ).format(which=which, index=idx if len(idx) > 1 else idx[0], want=want, have=have)
            else:
                text = _("not the expected values: {which}expected {want}, got {have}").format(
                    which=which, want=want, have=have
                )
            if np.nanmax(diff) <= 1e-5 * max(np.abs(e).max(), 1e-300):  # a likely mistake: named
                if idx:
                    close = _(
                        "your result is close, but only to about 1e-6: float32 arithmetic somewhere? "
                        "compute in float64 (the largest difference {which}is at index {index}: "
                        "expected {want}, got {have})"
                    )
                else:
                    close = _(
                        "your result is close, but only to about 1e-6: float32 arithmetic somewhere? "
                        "compute in float64 ({which}expected {want}, got {have})"
                    )
                index = idx if len(idx) > 1 else (idx[0] if idx else None)
                return Feedback(
                    exercise, "wrong", close.format(which=which, index=index, want=want, have=have)
                )
            return Feedback(exercise, "wrong", text, generic=True)
    return Feedback(exercise, "wrong", _("not the expected values"), generic=True)


def _close(a, b):
    return a.shape == b.shape and np.allclose(
        a, b, rtol=1e-6, atol=1e-12 * max(np.abs(b).max(initial=0), 1e-300)
    )


def _swapped_pair(got, expected):
    """``(i, j)`` when results i and j came back in each other's place (and are not equal)."""
    for i in range(len(got)):
        for j in range(i + 1, len(got)):
            if (
                _close(got[i], expected[j])
                and _close(got[j], expected[i])
                and not _close(expected[i], expected[j])
            ):
                return i, j
    return None


def _constant_factor(g, e):
    """``k`` when ``g`` is ``k`` times ``e`` for one constant ``k`` other than 1, else None."""
    den = float(np.vdot(e, e))
    if not den > 0 or not np.all(np.isfinite(g)):
        return None
    k = float(np.vdot(g, e)) / den
    if (
        abs(k - 1) > 1e-6
        and abs(k) > 1e-12
        and np.allclose(g, k * e, rtol=1e-6, atol=1e-12 * np.abs(e).max())
    ):
        return k
    return None


def _factor_message(k, args, size_of_result):
    """Name a constant factor by what it likely is: a sign, the batch size N, the classes C.

    Any two numbers differ by some factor, so for a single number only a named one is said.
    """
    shapes = [a.shape for a in args if isinstance(a, np.ndarray) and a.ndim == 2]
    N, C = shapes[0] if shapes else (None, None)
    sign = _("and the sign is flipped: ") if k < 0 else ""
    size = abs(k)
    if abs(k + 1) < 1e-6:
        return _("your result is the right one times −1: the sign is flipped")
    named = (
        (
            N,
            N_("{sign}{n} times too large (N, the batch size): where did the 1/N of the mean go?"),
            N_("{sign}{n} times too small (N, the batch size): divide by N once, not twice"),
        ),
        (
            C,
            N_("{sign}{n} times too large (C, the number of classes): where did the 1/C of the mean go?"),
            N_(
                "{sign}{n} times too small (C, the number of classes): one division by C too many "
                "(z.size is N·C, and a mean over every entry divides by it)"
            ),
        ),
    )
    for n, too_large, too_small in named:
        if n and n > 1 and abs(size - n) < 1e-6 * n:
            return _(too_large).format(sign=sign, n=n)
        if n and n > 1 and abs(size * n - 1) < 1e-6:
            return _(too_small).format(sign=sign, n=n)
    if N and C and N != C and max(N, C) > 1:
        if abs(size - N / C) < 1e-6 * N / C:
            return _(
                "{sign}your result is N/C = {k:.6g} times the right one: you divided by C, the number "
                "of classes, where the mean is over N, the batch size"
            ).format(sign=sign, k=size)
        if abs(size - C / N) < 1e-6 * C / N:
            return _(
                "{sign}your result is C/N = {k:.6g} times the right one: you divided by N, the batch "
                "size, where the mean is over C, the number of classes"
            ).format(sign=sign, k=size)
    flipped = _(", and the sign is flipped") if k < 0 else ""
    if abs(size - 2) < 1e-6:
        return _(
            "your result is {k:g} times the right one: a factor 2 too many{flipped} (a term counted "
            "twice, the 2 of a derivative of x² kept where the formula has none, a missing / 2)"
        ).format(k=k, flipped=flipped)
    if abs(size - 0.5) < 1e-6:
        return _(
            "your result is {k:g} times the right one: a factor 1/2 too many{flipped} (a division by "
            "2, or by 2ε where the formula divides by ε, that does not belong)"
        ).format(k=k, flipped=flipped)
    for base, log in ((10, "np.log10"), (2, "np.log2")):
        if abs(size - 1 / np.log(base)) < 1e-6:
            return _(
                "your result is 1/ln {base} = {k:.6g} times the right one: {log} where the formula "
                "has the natural logarithm, np.log"
            ).format(base=base, k=size, log=log)
    if size_of_result == 1:
        return None
    return _("your result is exactly {k:.6g} times the right one: a constant factor is off").format(k=k)


def _distinct(a, b):
    """Two numbers written with just enough digits to look different."""
    for digits in (6, 9, 12, 17):
        x, y = f"{a + 0.0:.{digits}g}", f"{b + 0.0:.{digits}g}"  # + 0.0: −0 is shown as 0
        if x != y:
            return x, y
    return x, y
