r"""The checkers' replies about a result's shape, type and in-place changes, in the learner's words.

:func:`~course_utils.notebooks._checking.run_checks` turns to these when an answer cannot be
compared number by number: :func:`_raised` reports an exception (and, for a NumPy shape error,
what its shapes most likely mean: a sum without ``keepdims``, ``np.bincount`` without
``minlength``, a missing ``.T``), :func:`_changed_reply` names the argument a function changed in
place (through the alias the learner wrote, when there is one), and :func:`_wrong_type` says why a
list or an int will stop the cells after the exercise. :func:`_kind` describes a value in a message.
"""

import re

import numpy as np

from ..i18n import N_, _
from ._feedback import Feedback, see
from ._guard import _source_lines


def _kind(value):
    shape = getattr(value, "shape", None)
    if shape is None:
        return type(value).__name__
    return _("{type} of shape {shape}").format(type=type(value).__name__, shape=tuple(shape))


def _raised(exercise, exc, args, fn=None):
    shapes = ", ".join(str(np.shape(a)) for a in args if isinstance(a, np.ndarray))
    message = _("your function raised {error}: {exc} (on inputs of shape {shapes})").format(
        error=type(exc).__name__, exc=exc, shapes=shapes
    )
    if isinstance(exc, ValueError):
        hint = _shape_hint(str(exc), fn, args)
        if hint:
            return Feedback(exercise, "error", message + hint)
    if isinstance(exc, TypeError) and "argument" in str(exc):
        message += _("; check how many arguments your function takes: the exercise says how it is called")
    return Feedback(exercise, "error", message)


def _shapes_in(text):
    return [tuple(int(d) for d in re.findall(r"\d+", m)) for m in re.findall(r"\(([\d,\s]*)\)", text)]


def _shape_hint(text, fn, args=()):
    """What a NumPy shape error most likely means, from the shapes it names (None: not one).

    ``args`` are the arguments the function was called with: labels among them, (N,) integers, are
    recognised in the error's shapes."""
    source = " ".join(_source_lines(fn)) if fn is not None else ""
    if "could not be broadcast together" in text:
        shapes = _shapes_in(text.split("shapes", 1)[-1])
        for a in shapes:
            for b in shapes:
                reduced = re.search(r"axis\s*=\s*-?1\s*\)", source)  # a reduction without keepdims
                if reduced and len(a) == 2 and b == (a[0],) and a[0] != a[1]:
                    return _(
                        "; shapes {a} and {b} do not line up: {b} looks like a sum, max or mean "
                        "over axis=1; keep it as a column, shape ({n}, 1), with keepdims=True"
                    ).format(a=a, b=b, n=a[0])
        batch_product = _batch_product(shapes, source) or _eye_of_n(shapes, source)
        if batch_product:
            return batch_product
        labels = _labels_in(shapes, args) if source else None  # unread code: (N,) may be a sum
        if labels:
            return labels
        if "bincount" in source and "minlength" not in source and all(len(x) == 1 for x in shapes):
            return _(
                "; shapes {shapes} do not line up: np.bincount(y) has max(y) + 1 entries only, "
                "fewer than the classes when the largest class has no sample: pass minlength (print the "
                "shape of each array to see it)"
            ).format(shapes=_(" and ").join(str(x) for x in shapes))
        return _(
            "; shapes {shapes} do not line up (NumPy matches sizes from the right: each pair must "
            "be equal or 1): print the shape of each array in that line"
        ).format(shapes=_(" and ").join(str(x) for x in shapes))
    if "could not broadcast input array from shape" in text:
        shapes = _shapes_in(text)
        if len(shapes) == 2:
            return _(
                "; an assignment puts an array of shape {a} into a place of shape {b}: print the "
                "shapes of both sides (was the array you fill allocated with the shape it must have?)"
            ).format(a=shapes[0], b=shapes[1])
    if "matmul" in text and "mismatch in its core dimension" in text:
        return _(
            "; a matrix product A @ B needs as many columns in A as rows in B: print both shapes "
            "(is a .T missing, or one too many?)"
        )
    return None


def _batch_product(shapes, source):
    """The hint for an (N, N) array from ``A @ B.T`` on two batches, beside an array of N rows."""
    if not re.search(r"@\s*[\w.\[\]:, ]*?\.T\b", source):
        return None
    for a in shapes:
        for b in shapes:
            if len(b) == 2 and b[0] == b[1] and len(a) >= 2 and a[0] == b[0] and a[-1] != b[0]:
                return _(
                    "; shapes {a} and {b} do not line up: {b} looks like a product A @ B.T of two "
                    "batches, which dots every sample's row with every other sample's, (N, N); one "
                    "number per sample is the row-wise dot (A * B).sum(axis=1, keepdims=True), and "
                    "each sample's own outer product is A[:, :, None] * B[:, None, :]"
                ).format(a=a, b=b)
    return None


def _labels_in(shapes, args):
    """The hint for labels y, (N,) integers, used as numbers beside an array (N, C)."""
    labels = [
        a.shape
        for a in args
        if isinstance(a, np.ndarray) and a.ndim == 1 and a.size > 1 and a.dtype.kind in "iu"
    ]
    for a in shapes:
        for b in shapes:
            if len(a) == 2 and b in labels and b == (a[0],) and a[1] != a[0]:
                return _(
                    "; shapes {a} and {b} do not line up: {b} is the labels y, one class number per "
                    "sample, and they are not the targets: make them one-hot first, t = np.eye(C)[y], "
                    "shape {a}, a 1 in column y_n of row n (print the shape of each array in that line "
                    "to check)"
                ).format(a=a, b=b)
    return None


def _eye_of_n(shapes, source):
    """The hint for ``np.eye(N)[y]``, (N, N), beside an array (N, C): a one-hot with N columns."""
    if not re.search(r"eye\(\s*(N\b|n\b|len\(|\w+\.shape\[0\])", source):
        return None
    for a in shapes:
        for b in shapes:
            if len(a) == 2 and b == (a[0], a[0]) and a[1] != a[0]:
                return _(
                    "; shapes {a} and {b} do not line up: np.eye(N)[y] is {b}, one column per sample; "
                    "the one-hot needs one column per class, np.eye(C)[y] with C = z.shape[1]"
                ).format(a=a, b=b)
    return None


def _shapes_of(args):
    return ", ".join(str(np.shape(a)) for a in args if isinstance(a, np.ndarray)) or "-"


def _changed_reply(exercise, name, alias, line):
    """Name the argument the learner's function changed in place, in the learner's own words."""
    if alias and line:
        copy = alias.split("=")[0].strip()
        return Feedback(
            exercise,
            "wrong",
            _(
                "your function changed its input array in place, the argument `{name}`: `{alias}` "
                "copies nothing, it gives the same array a second name, so `{line}` also wrote into "
                "`{name}`; write `{copy} = {name}.copy()`"
            ).format(name=name, alias=alias, line=line, copy=copy),
            see("08_mnist_two_layer_net", "Line 4: the aliasing"),
        )
    if line:
        return Feedback(
            exercise,
            "wrong",
            _(
                "your function changed its input array in place, the argument `{name}`, in the line "
                "`{line}`: the caller's array changes too; work on a copy ({name}.copy()) or build "
                "a new array"
            ).format(name=name, line=line),
        )
    return Feedback(
        exercise,
        "wrong",
        _(
            "your function changed its input array in place, the argument `{name}` (after the call "
            "it is not what was passed in): work on a copy ({name}.copy()) or build a new array"
        ).format(name=name),
    )


_TYPE_NAMES = {
    np.ndarray: N_("a NumPy array"),
    float: N_("a float"),
    int: N_("an int"),
    tuple: N_("a tuple"),
    list: N_("a list"),
}


def type_name(value):
    """The type of ``value`` as a message names it: "a list", "a float", or its class's name."""
    kind = type(value)
    return _(_TYPE_NAMES[kind]) if kind in _TYPE_NAMES else kind.__name__


def _needed(reference_raw, s):
    """Per result, the type the next cells need: ``s.returns``, or an array where the reference gives one."""
    theirs = reference_raw if s.n_out > 1 else (reference_raw,)
    needed = (
        s.returns
        if s.returns is not None
        else tuple(np.ndarray if isinstance(r, np.ndarray) and r.ndim >= 1 else None for r in theirs)
    )
    if not isinstance(needed, tuple) or (s.n_out == 1 and len(needed) != 1):
        needed = (needed,) * s.n_out
    return needed


def _not_numbers(raw, reference_raw, s):
    """The reply for an np.matrix, an object array or an array of strings where numbers belong.

    Checked before any catalogued mistake: such a result may equal a wrong formula's in value (a
    matrix of a vector is a row, (1, C)), but what the learner must change is its type.
    """
    mine = raw if s.n_out > 1 and isinstance(raw, (tuple, list)) else (raw,)
    for k, (value, want) in enumerate(zip(mine, _needed(reference_raw, s))):
        wants = want if isinstance(want, tuple) else (want,)
        if want is None or np.ndarray not in wants or not isinstance(value, np.ndarray):
            continue
        odd = _not_plain_numbers(value)
        if odd:
            label = s.names[k] if s.names else _("result {k}").format(k=k + 1)
            return _("{label}: {reply}").format(label=label, reply=odd) if s.n_out > 1 else odd
    return None


def _wrong_type(raw, reference_raw, s):
    """Why the learner's raw result is not of the type the next cells need (None if it is)."""
    mine = raw if s.n_out > 1 else (raw,)
    for k, (value, want) in enumerate(zip(mine, _needed(reference_raw, s))):
        if want is None or isinstance(value, want):
            continue
        wants = want if isinstance(want, tuple) else (want,)
        label = s.names[k] if s.names else _("result {k}").format(k=k + 1)
        which = _("{label} is of type ").format(label=label) if s.n_out > 1 else _("your result is of type ")
        wanted = _(" or ").join(_(_TYPE_NAMES.get(w, w.__name__)) for w in wants)
        fix = _("np.asarray(...)") if np.ndarray in wants else _("{type}(...)").format(type=wants[0].__name__)
        return _("{which}{kind}, but the cells after this exercise use it as {wanted}: return {fix}").format(
            which=which, kind=_kind(value), wanted=wanted, fix=fix
        )
    return None


def _not_plain_numbers(value):
    """Why an ndarray is not the plain array of numbers the next cells need (None if it is).

    An ``np.matrix`` keeps two axes under every index and makes ``*`` a matrix product; an array of
    Python objects or of strings compares equal number by number yet breaks NumPy's arithmetic.
    """
    if isinstance(value, np.matrix):
        return _(
            "your result is an np.matrix, not a plain NumPy array: on a matrix `*` is the matrix "
            "product and every row or column stays two-dimensional, so the cells after this exercise "
            "compute something else; return np.asarray(...) of it, or drop the np.asmatrix/np.matrix"
        )
    if value.dtype.kind in "USa":
        return _(
            "your result is an array of strings (dtype {dtype}), not of numbers: a `.astype(str)` or "
            "a str(...) of each entry? h - t or a sum of it raises on text; return the numbers "
            "themselves (dtype float)"
        ).format(dtype=value.dtype)
    if value.dtype.kind == "O":
        return _(
            "your result is an array of Python objects (dtype=object), not of numbers: NumPy stores "
            "each entry as a boxed Python value, which its fast routines cannot use (np.exp raises "
            "on it); build it as numbers, np.array(rows, dtype=float), or leave out dtype=object"
        )
    return None
