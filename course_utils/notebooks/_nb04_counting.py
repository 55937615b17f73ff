"""Notebook 04's operation counter: the arithmetic a NumPy route performs, counted as it runs.

Notebooks 04 and 05 import it from ``nb04_chain_rule_reduction``, so that the operation counts
their text gives are measured in a cell, not taken on trust.
"""

import numpy as np


class _Counted(np.ndarray):
    """An array that adds to :data:`_TALLY` the arithmetic each ufunc it meets performs."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if "out" in kwargs:
            raise ValueError(
                "count_operations does not follow out= arguments; write the result to a new name"
            )
        raw = [np.asarray(a) for a in inputs]
        result = getattr(ufunc, method)(*raw, **kwargs)
        size = np.size(result)
        if method == "reduce":
            _TALLY[0] += raw[0].size - size  # n numbers summed: n − 1 additions per output
        elif method != "__call__":
            raise ValueError(f"count_operations counts ufunc calls and reductions, not {method}")
        elif ufunc is np.matmul:
            inner = raw[0].shape[-1]
            _TALLY[0] += size * (2 * inner - 1)  # each output: inner products, inner − 1 additions
        else:
            _TALLY[0] += size  # one operation per output entry
        return np.asarray(result).view(_Counted)


_TALLY = [0]


def count_operations(fn, *arrays):
    """The arithmetic operations ``fn(*arrays)`` performs, counted as it runs.

    Every array argument is wrapped so that each NumPy ufunc it meets (``+ − * /``, ``exp``,
    ``@``, ``np.sum`` ...) adds what it did: one operation per output entry, ``n − 1`` per sum of
    ``n`` numbers, ``k`` multiplications and ``k − 1`` additions per entry of a matrix product
    with inner size ``k``. Functions that leave NumPy's ufuncs (``np.outer``, ``np.einsum``,
    ``np.diag``) are not followed, so a route to count is written with ufuncs and ``@``.

    Returns ``(result, count)``.
    """
    _TALLY[0] = 0
    wrapped = [np.asarray(a, dtype=np.float64).view(_Counted) for a in arrays]
    result = fn(*wrapped)
    count, _TALLY[0] = _TALLY[0], 0
    return np.asarray(result), count
