"""Input checks shared by the course_utils modules.

Every public function funnels its arrays through these helpers so that a learner who passes the
wrong thing gets a ValueError that says what was expected and what came, never a silent wrong
answer.
"""

import numbers

import numpy as np


class DTypeError(TypeError, ValueError):
    """An array of the wrong kind of numbers (complex, strings, objects, float labels).

    A TypeError, as Python says for a wrong type; also a ValueError, so that code written against
    the course's earlier "ValueError for every bad input" still catches it.
    """


def as_float_array(x, name):
    """Return ``x`` as a floating ndarray, keeping float32 and float64 as they are.

    Integers and booleans are promoted to float64, float16 to float32. Anything else (strings,
    complex numbers, objects) raises :class:`DTypeError`.
    """
    if x is None or isinstance(x, (str, bytes, dict, set)):
        raise DTypeError(f"{name} must be an array of real numbers, got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers: {err}") from None
    if arr.dtype in (np.float32, np.float64):
        return arr
    if arr.dtype == np.float16:
        return arr.astype(np.float32)
    if np.issubdtype(arr.dtype, np.integer) or arr.dtype == np.bool_:
        return arr.astype(np.float64)
    hint = "; keep the real part with np.real(x) if it is real" if arr.dtype.kind == "c" else ""
    raise DTypeError(f"{name} must hold real numbers, got an array of dtype {arr.dtype}{hint}")


def positive_number(x, name):
    """Check a finite real number > 0 (a step, a tolerance) and return it as a float."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise DTypeError(f"{name} must be a positive real number, got {type(x).__name__} {x!r}")
    if not (np.isfinite(x) and x > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {x!r}")
    return float(x)


def count(x, name, *, minimum=0):
    """Check a whole number >= ``minimum`` (a count of entries, epochs, samples) and return it."""
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise DTypeError(f"{name} must be an integer, got {type(x).__name__} {x!r}")
    if x < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {x}")
    return int(x)


def labels(y, name="y", *, n=None, classes=None):
    """Check integer class labels of shape (N,), in ``[0, classes)`` when ``classes`` is given.

    ``n`` is the number of rows they must match. Returns them as an int64 array.
    """
    if y is None or isinstance(y, (str, bytes, dict, set)):
        raise DTypeError(f"{name} must be an array of integer labels, shape (N,), got {type(y).__name__}")
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        raise ValueError(
            f"{name} must have shape (N,), got {arr.shape}: an (N, 1) column is the N x 1 vs N x C "
            f"mix-up; use {name}.ravel()"
        )
    if arr.ndim != 1:
        raise ValueError(f"{name} must be labels of shape (N,), got shape {arr.shape}")
    if n is not None and len(arr) != n:
        raise ValueError(f"{name} must hold one label per row, N = {n}, got {len(arr)} labels")
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        if arr.size == 0 and arr.dtype == np.float64:  # np.asarray([]) is float64
            return arr.astype(np.int64)
        raise DTypeError(
            f"{name} must hold integer class labels, got dtype {arr.dtype}; "
            f"if they are class numbers stored as floats use {name}.astype(int)"
        )
    if arr.size and arr.min() < 0:
        raise ValueError(f"{name} must be class labels >= 0, got the label {int(arr.min())}")
    if arr.size and classes is not None and arr.max() >= classes:
        bad = int(arr.max())
        raise ValueError(
            f"{name} must lie in [0, {classes}) for C = {classes} classes, got the label {bad}"
            + (f"; labels counted from 1 (Octave style) need {name} - 1" if bad == classes else "")
        )
    return arr.astype(np.int64, copy=False)


def check_finite(arr, name):
    """Raise ValueError naming the first NaN or inf in ``arr``."""
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        where = tuple(int(i) for i in bad)
        raise ValueError(
            f"{name} must be finite, got {arr[where]} at index {where if arr.ndim > 1 else where[0]}"
            " (a NaN or inf here usually comes from an earlier step: check the layer that made it)"
        )


def logits(z, name="z", *, ndim=(1, 2), finite=True):
    """Check logits: a float array of 1 or 2 dimensions, finite, at least one class.

    ``finite=False`` leaves the NaN/inf check to the caller, which must then make it (the fused
    loss makes it from a reduction it needs anyway, instead of a separate pass).
    """
    arr = as_float_array(z, name)
    if arr.ndim not in ndim:
        shapes = " or ".join({1: "(C,)", 2: "(N, C)"}[d] for d in ndim)
        raise ValueError(f"{name} must have shape {shapes}, got shape {arr.shape}")
    if arr.shape[-1] == 0:
        raise ValueError(f"{name} must have at least one class (C >= 1), got shape {arr.shape}")
    if arr.ndim == 2 and arr.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one sample (N >= 1), got shape {arr.shape}")
    if finite:
        check_finite(arr, name)
    return arr


def same_shape(a, b, name_a, name_b):
    if a.shape != b.shape:
        raise ValueError(f"{name_b} must have the same shape as {name_a}, {a.shape}, got {b.shape}")


_UNSIGNED = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


def targets(t, z, name="t"):
    """Check targets against logits ``z`` of shape (N, C).

    Returns ``("labels", y)`` with ``y`` int64 of shape (N,), or ``("probs", t)`` with ``t`` a float
    array of shape (N, C) in the dtype of ``z``.
    """
    N, C = z.shape
    arr = t if isinstance(t, np.ndarray) else np.asarray(t)
    if arr.shape == (N,) and arr.dtype.kind in "iu" and N:
        # The common case in one reduction: as unsigned, a negative label is huge, so the largest
        # value is < C exactly when every label lies in [0, C).
        if np.maximum.reduce(arr.view(_UNSIGNED[arr.dtype.itemsize]), axis=None) < C:
            return "labels", arr.astype(np.int64, copy=False)
    if arr.ndim == 2 and arr.shape == (N, 1) and C != 1:
        raise ValueError(
            f"labels must have shape (N,) = ({N},), got {arr.shape}: an (N, 1) column is the "
            "N x 1 vs N x C mix-up; use y.ravel()"
        )
    if arr.ndim == 1:
        if arr.shape != (N,):
            raise ValueError(
                f"labels must have shape (N,) = ({N},) to match z of shape {z.shape}, got {arr.shape}"
            )
        if not np.issubdtype(arr.dtype, np.integer):
            raise ValueError(
                f"labels must be integers in [0, {C}), got dtype {arr.dtype}; if they are class "
                "numbers stored as floats use y.astype(int); for target probabilities pass shape (N, C)"
            )
        if N and (arr.min() < 0 or arr.max() >= C):
            bad = int(arr[(arr < 0) | (arr >= C)][0])
            raise ValueError(
                f"labels must lie in [0, {C}) for C = {C} classes, got {bad}"
                + ("; labels counted from 1 (Octave style) need y - 1" if bad == C else "")
            )
        return "labels", arr.astype(np.int64, copy=False)
    if arr.ndim == 2:
        if arr.shape != (N, C):
            raise ValueError(
                f"target probabilities must have the shape of z, (N, C) = {z.shape}, got {arr.shape}"
            )
        probs = as_float_array(arr, name).astype(z.dtype, copy=False)
        check_finite(probs, name)
        if np.any(probs < 0):
            raise ValueError(f"target probabilities must be >= 0, got a minimum of {probs.min()}")
        return "probs", probs
    raise ValueError(
        f"{name} must be labels of shape (N,) = ({N},) or probabilities of shape (N, C) = {z.shape}, "
        f"got shape {arr.shape}"
    )
