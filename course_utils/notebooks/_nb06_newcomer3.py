"""Exercise 3 of notebook 06 as the third newcomer typed it wrong (issue 19): a sign flipped on the
directions only, moves normalised on both sides, entries read column-major, results as columns.

Each entry is the wrong checker itself, run on the checker's own case; ``nb06_gradient_checking``
adds them to its catalogue.
"""

import numpy as np

from ..i18n import _
from ._nb06_typed import _variant


def _unit(m):
    """Whether the move ``m`` is one entry's e_k (the directions are random, never a unit vector)."""
    return np.count_nonzero(m) == 1 and float(m.max()) == 1.0


def _column_major(m):
    """The entry move that ``e.T.flat[k] = 1`` builds for the entry whose row-major e_k is ``m``."""
    k = int(np.flatnonzero(m)[0])
    out = np.zeros_like(m)
    out.T.flat[k] = 1.0
    return out


def _moved(f, x, grad, entries, directions, eps, *, move, analytic):
    """A checker whose entry moves are ``move(e_k)`` for the numerical slope and ``analytic(grad, e_k)``."""
    old = x.copy()
    entries = np.asarray(entries, dtype=int).ravel()
    units = [np.eye(1, x.size, k).reshape(x.shape) for k in entries]
    n, a = [], []
    for m in units + list(directions):
        step = move(m) if _unit(m) and m.ndim > 1 else m
        x[...] = old + eps * step
        up = f()
        x[...] = old - eps * step
        down = f()
        x[...] = old
        n.append((up - down) / (2 * eps))
        a.append(analytic(grad, m, step))
    n, a = np.array(n), np.array(a)
    d = np.abs(n) + np.abs(a)
    err = np.divide(np.abs(n - a), d, out=np.zeros_like(d), where=d > 0)
    return err[: len(units)], err[len(units) :]


def newcomer3_checker_mistakes():
    """Exercise 3 answers the third newcomer typed: a flipped sign on the directions only, moves
    normalised on both sides, entries read column-major, results as columns."""
    column_major = _(
        "your entry moves are column-major: e.T.flat[k] = 1 puts the 1 at row k % rows, column k // rows, "
        "while NumPy's flat index k, as in grad.flat[k] and x.flat[k], runs along the rows; set "
        "e.flat[k] = 1 (or e = np.zeros(x.size); e[k] = 1; e.reshape(x.shape))"
    )
    return [
        (
            lambda *a: _variant(*a, analytic=lambda g, m: float(np.sum(g * m)) * (1 if _unit(m) else -1)),
            _(
                "the entries' errors are right but every direction's is about 1: the analytic slope "
                "along a direction has its sign flipped; along u it is ⟨grad, u⟩ = np.sum(grad * u), "
                "with a plus, as grad.flat[k] is for an entry"
            ),
        ),
        (
            lambda *a: _variant(
                *a,
                move=lambda m: m / np.linalg.norm(m),
                analytic=lambda g, m: float(np.sum(g * m)) / np.linalg.norm(m),
            ),
            _(
                "you step along u/||u|| and compare with ⟨grad, u/||u||⟩: a sound check, but its step "
                "has another size than the exercise's, so its errors differ from the expected ones: "
                "step along u as the caller gives it, x[...] = old ± eps * u, against ⟨grad, u⟩"
            ),
        ),
        (
            lambda *a: _moved(*a, move=_column_major, analytic=lambda g, m, step: float(np.sum(g * m))),
            column_major,
        ),
        (
            lambda *a: _moved(*a, move=_column_major, analytic=lambda g, m, step: float(np.sum(g * step))),
            column_major,
        ),
        (
            lambda *a: tuple(r.reshape(-1, 1) for r in _variant(*a)),
            _(
                "each result is a column, shape (n, 1): return flat arrays, one error per entry and "
                "one per direction, shape (n,) (np.array of a list of numbers, or .ravel())"
            ),
        ),
    ]
