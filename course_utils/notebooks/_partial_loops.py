"""A loop that covers part of the array, named before the checkers' generic replies (notebooks 07 to 09).

A newcomer who writes a backward pass as a loop often lets it run over row 0 only, or stop one row
or column early: the rows (or columns) the loop reached are right, the others are still 0 or still
the input they copied. Without this rule such an answer read as "each row of your result is the right
one times a factor of its own (1, 0, 0, …)", which blames a normalisation. :func:`part_filled` is a
hint for :func:`~course_utils.notebooks._checking.run_checks`, and :func:`part_of_the_batch` builds
catalogue entries for a result summed over the samples (a cost, a bias gradient) when a loop left
some samples out.
"""

import numpy as np

from ..i18n import _


def _left(g_part, args):
    """The part a loop never wrote: all zeros, or still equal to the same part of one of the inputs."""
    if not np.any(g_part):
        return True
    return any(isinstance(a, np.ndarray) and a.shape == g_part.shape and np.allclose(g_part, a) for a in args)


def _partly(g, e, args):
    """True if whole rows (or columns) of ``g`` are right and each other one was never written."""
    if g.shape != e.shape or g.ndim != 2 or min(g.shape) < 2 or not np.all(np.isfinite(g)):
        return False
    ok = np.isclose(g, e, rtol=1e-7, atol=1e-10)
    for lines_ok, pick in (
        (ok.all(axis=1), lambda k: (slice(k, k + 1), slice(None))),
        (ok.all(axis=0), lambda k: (slice(None), slice(k, k + 1))),
    ):
        wrong = np.flatnonzero(~lines_ok)
        if not lines_ok.any() or not wrong.size:
            continue
        parts = [pick(k) for k in wrong]
        shaped = [
            tuple(a[p] for a in args if isinstance(a, np.ndarray) and a.shape == g.shape) for p in parts
        ]
        if all(np.any(e[p]) and _left(g[p], s) for p, s in zip(parts, shaped)):
            return True
    return False


def part_filled(count="N"):
    """A hint ``(predicate(got, expected, args), message)``: a loop that wrote only some rows or columns.

    ``count`` is the notebook's symbol for the number of rows (``N``, or ``m`` in notebook 07).
    """

    def predicate(got, expected, args):
        return any(_partly(g, e, args) for g, e in zip(got, expected))

    message = _(
        "only some rows (or columns) of your result are right, and the others are still 0 or still "
        "the input: a loop that covers part of the array (row 0 only, range(1), range({count} − 1), "
        "a `return` inside the loop); let it run over every row and column, or write it without a loop"
    ).format(count=count)
    return predicate, message


def part_of_the_batch(per_sample, count="N"):
    """Catalogue entries: ``per_sample(*args, rows)`` summed over part of the batch by a short loop.

    ``per_sample(*args, rows)`` is the right result computed from the samples ``rows`` only, divided by
    the whole batch's size; each entry leaves out the last sample, keeps only the first, or skips it.
    """
    message = _(
        "your result adds up only part of the batch: a loop that covers part of the samples (row 0 "
        "only, range({count} − 1), range(1, {count}), a `return` inside the loop); every one of the "
        "{count} samples counts"
    ).format(count=count)

    def entry(rows):
        return lambda *args: per_sample(*args, rows(len(args[0])))

    return [
        (entry(lambda n: slice(0, n - 1)), message),
        (entry(lambda n: slice(0, 1)), message),
        (entry(lambda n: slice(1, n)), message),
    ]
