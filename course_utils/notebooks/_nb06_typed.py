"""More wrong answers of notebook 06's exercises, as a newcomer types them (issue 19 §4).

Each entry is the wrong formula itself, its reply and the section that explains it;
``nb06_gradient_checking`` adds them to its checkers' catalogues after those of ``_nb06_mistakes``.
"""

import numpy as np

from ..i18n import _
from ._checking import see


def _first_row(grad, x):
    out = np.zeros_like(grad)
    n = x.shape[-1]
    out.flat[:n] = grad.flat[:n]
    return out


def _half_forward(f, x, eps):
    grad, base = np.zeros_like(x), f()
    for k in range(x.size):
        old = x.flat[k]
        x.flat[k] = old + eps
        grad.flat[k] = (f() - base) / (2 * eps)
        x.flat[k] = old
    return grad


def _whole_rows(f, x, eps):
    """The slope along each whole row x[k] (all its entries moved at once), spread over that row."""
    grad = np.zeros_like(x)
    for k in range(len(x)):
        old = np.copy(x[k])
        x[k] = old + eps
        up = f()
        x[k] = old - eps
        down = f()
        x[k] = old
        grad[k] = (up - down) / (2 * eps)
    return grad


def _whole_array_step(f, x, eps):
    """Central differences with the whole of x stepped at once: one slope, copied into every entry."""
    old = x.copy()
    x += eps
    up = f()
    x -= 2 * eps
    down = f()
    x[...] = old
    return np.full_like(x, (up - down) / (2 * eps))


def central_typed_mistakes(central, differences):
    """Exercise 1 (``numerical_grad``): ``(wrong(f, x, eps), message, section)``."""
    return [
        (
            lambda f, x, eps: _half_forward(f, x, eps),
            _(
                "those are forward differences divided by 2ε, (f(x + ε) − f(x))/(2ε): the 2ε is the span "
                "of a central difference; step both ways, (f(x + ε) − f(x − ε))/(2ε)"
            ),
            differences,
        ),
        (
            lambda f, x, eps: _first_row(central(f, x, eps), x),
            _(
                "only the first row is filled: x.shape[-1] (or a loop over x[0]) counts the entries "
                "of one row; loop over every entry, range(x.size) with x.flat[k]"
            ),
            differences,
        ),
        (
            _whole_rows,
            _(
                "x[k] of a matrix is a whole row: your step moved every entry of row k at once, and "
                "the slope along the row landed on all of them; step one entry at a time, x.flat[k] "
                "for k in range(x.size)"
            ),
            differences,
        ),
        (
            lambda f, x, eps: np.trunc(central(f, x, eps)),
            _(
                "your gradient holds whole numbers only: the array you filled has an integer dtype "
                "(np.zeros(x.shape, dtype=int), say), which cuts off every fraction; use "
                "np.zeros_like(x) for a float x"
            ),
        ),
        (
            lambda f, x, eps: central(f, x, eps).ravel(),
            _(
                "your result is flat, one entry after another: return an array shaped like x "
                "(np.zeros_like(x), filled through grad.flat[k])"
            ),
        ),
        (
            lambda f, x, eps: central(f, x, eps) / eps,
            _("your result is the right one divided by ε again: divide (f(x + ε) − f(x − ε)) by 2ε once"),
            differences,
        ),
        (
            lambda f, x, eps: central(f, x, eps) * 2 * eps,
            _(
                "those are the differences f(x + ε) − f(x − ε), not divided by 2ε: the slope is their "
                "quotient"
            ),
            differences,
        ),
        (
            lambda f, x, eps: central(f, x, eps) * eps**2,
            _(
                "(up − down) / 2 * eps divides by 2 and then multiplies by ε: Python reads it left to "
                "right; write (up − down) / (2 * eps)"
            ),
            differences,
        ),
        (
            _whole_array_step,
            _(
                "every entry has the same slope: x += eps moves the whole array at once, so f's change is "
                "the slope along all entries together, the sum of the partial derivatives; move one entry "
                "at a time, x.flat[k] = old + eps, then old − eps, then back to old"
            ),
            differences,
        ),
        (
            lambda f, x, eps: float(np.sum(central(f, x, eps))),
            _("that is one number, the sum of the slopes: return one slope per entry of x, shaped like x"),
        ),
    ]


def _ratio(num, den):
    return 0.0 if den == 0 else num / den


def relative_error_typed_mistakes(rel, four):
    """Exercise 2 (``relative_error``): ``(wrong(a, b), message, section)``."""
    norm = np.linalg.norm
    return [
        (
            lambda a, b: 0.0 if norm(a) + norm(b) < 1e-8 else rel(a, b),
            _(
                "you return 0 whenever a and b are within a tolerance (np.allclose, or ||a|| + ||b|| "
                "below a threshold): small gradients are gradients too, and their difference is what the "
                "error measures (here the norms are near 1e-9); return 0 only when both are exactly zero"
            ),
            four,
        ),
        (
            lambda a, b: 0.0 if norm(a) == 0 else rel(a, b),
            _(
                "you return 0 whenever a is zero: the 0/0 rule is for a and b both zero; with a = 0 and "
                "b ≠ 0 the error is 1"
            ),
            four,
        ),
        (
            lambda a, b: 0.0 if norm(b) == 0 else rel(a, b),
            _(
                "you return 0 whenever b is zero: the 0/0 rule is for a and b both zero; with b = 0 and "
                "a ≠ 0 the error is 1"
            ),
            four,
        ),
        (
            lambda a, b: _ratio(np.abs(a - b).max(), np.abs(a).max() + np.abs(b).max()),
            _(
                "that is max |a − b| / (max |a| + max |b|), max-norms throughout (the largest |entry|): "
                "the course's ||·|| is the two-norm, np.linalg.norm, the root of the sum of squares, in "
                "all three places"
            ),
            four,
        ),
        (
            lambda a, b: _ratio(norm(a - b), np.abs(a).max() + np.abs(b).max()),
            _(
                "those are max-norms in the denominator (the largest |entry|); the course's ||·|| is the "
                "two-norm"
            ),
            four,
        ),
        (
            lambda a, b: _ratio(abs(norm(a) - norm(b)), norm(a) + norm(b)),
            _(
                "that is | ||a|| − ||b|| |, the difference of the norms: two different vectors of the same "
                "length score 0; take the norm of the difference, ||a − b||"
            ),
            four,
        ),
        (
            lambda a, b: _ratio(np.max(np.abs(a - b)), norm(a) + norm(b)),
            _(
                "the numerator is max |a − b|, the largest entry of the difference: it ignores every "
                "other entry; the relative error takes the norm of the whole difference, ||a − b||"
            ),
            four,
        ),
        (
            lambda a, b: _ratio(norm(a - b), norm(a)) + norm(b),
            _(
                "norm(a − b) / norm(a) + norm(b) divides by ||a|| alone and then adds ||b||: put the "
                "denominator in parentheses, / (||a|| + ||b||)"
            ),
            four,
        ),
        (
            lambda a, b: _ratio(norm(a - b), norm(a) * norm(b)),
            _("that denominator is the product ||a|| · ||b||; the course adds the norms, ||a|| + ||b||"),
            four,
        ),
        (
            lambda a, b: 1 - _ratio(float(np.dot(a, b)), norm(a) * norm(b)),
            _(
                "that is 1 − cos θ, the cosine distance: it ignores the lengths (b = 2a scores 0); the "
                "relative error compares ||a − b|| with ||a|| + ||b||"
            ),
            four,
        ),
        (
            lambda a, b: np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-300),
            _("those are errors entry by entry, one per entry: the relative error is one number, from norms"),
            four,
        ),
        (
            lambda a, b: 100 * rel(a, b),
            _("your result is 100 times the course's, a percentage: return the fraction itself"),
            four,
        ),
        (
            lambda a, b: _ratio(abs(np.sum(a - b)), abs(np.sum(a)) + abs(np.sum(b))),
            _(
                "np.sqrt(np.sum(v) ** 2) is |Σ v_k|, the sum of the entries, not a norm: the norm squares "
                "each entry first, np.sqrt(np.sum(v ** 2)), or np.linalg.norm(v)"
            ),
            four,
        ),
        (
            lambda a, b: rel(a, b) / 2,
            _("half the course's value: the denominator is ||a|| + ||b||, not twice it"),
            four,
        ),
        (
            lambda a, b: [rel(a, b)],
            _("that is a list holding the number: return the number itself"),
            four,
        ),
        (
            lambda a, b: rel(a, b) ** 2,
            _("that is the relative error squared: ||a − b|| / (||a|| + ||b||), with no square"),
            four,
        ),
    ]


def _variant(f, x, grad, entries, directions, eps, *, analytic=None, move=None, score=None, still=False):
    """A checker with one part replaced: ``analytic(grad, m)``, the numeric ``move(m)``, ``score(n, a)``;
    ``still``: f never sees the step; ``move="scalar back"``: the backward step is x − ε."""
    old = x.copy()

    def slope(m):
        if still:
            return 0.0
        ahead = m if move in (None, "scalar back") else move(m)
        x[...] = old + eps * ahead
        up = f()
        x[...] = old - (eps if move == "scalar back" else eps * ahead)
        down = f()
        x[...] = old
        return (up - down) / (2 * eps)

    entries = np.asarray(entries, dtype=int).ravel()
    moves = [np.eye(1, x.size, k).reshape(x.shape) for k in entries] + list(directions)
    n = np.array([slope(m) for m in moves])
    a = np.array([float(np.sum(grad * m)) if analytic is None else analytic(grad, m) for m in moves])
    if score is None:
        d = np.abs(n) + np.abs(a)
        err = np.divide(np.abs(n - a), d, out=np.zeros_like(d), where=d > 0)
    else:
        err = score(n, a)
    return err[: len(entries)], err[len(entries) :]


def _zero_safe_one(num, den):
    return np.divide(num, den, out=np.ones_like(den), where=den > 0)


def _zero_safe(num, den):
    return np.divide(num, den, out=np.zeros_like(den), where=den > 0)


def checker_typed_mistakes(differences):
    """Exercise 3 (``my_gradient_check``): ``(wrong(f, x, grad, entries, directions, eps), message,
    section)``."""
    four = see("06_gradient_checking", "Four relative errors, and how each misleads")
    normalised = _(
        "the move is normalised, m/||m||, on one side only: the numerical and the "
        "analytic slope must follow the same move; step along u as given and take ⟨grad, u⟩"
    )
    slopes = _(
        "those are the slopes themselves (numerical or analytic), not their errors: score each move, "
        "|n − a| / (|n| + |a|)"
    )
    return [
        (
            lambda *a: _variant(*a, analytic=lambda grad, m: float(grad.sum())),
            _(
                "the analytic slope is grad.sum() for every move: along a move m it is ⟨grad, m⟩ = "
                "np.sum(grad * m), which is grad.flat[k] for an entry"
            ),
        ),
        (lambda *a: _variant(*a, move=lambda m: m / np.linalg.norm(m)), normalised),
        (
            lambda *a: _variant(*a, analytic=lambda grad, m: float(np.sum(grad * m)) / np.linalg.norm(m)),
            normalised,
        ),
        (
            lambda *a: _variant(*a, still=True),
            _(
                "every numerical slope is 0: the step never reaches f, which reads x itself; an array "
                "x2 = old + eps * m is never seen by f(): write the step into x, x[...] = old + eps * m"
            ),
            differences,
        ),
        (
            lambda *a: _variant(*a, score=lambda n, a: _zero_safe(n - a, np.abs(n) + np.abs(a))),
            _(
                "those errors are signed, (n − a)/(|n| + |a|): take |n − a|, so that a slope too small "
                "counts as much as one too large"
            ),
            four,
        ),
        (
            lambda *a: _variant(*a, score=lambda n, a: _zero_safe(np.abs(n - a), np.abs(n + a))),
            _("|n + a| in the denominator is 0 when n = −a, where the error should be 1: use |n| + |a|"),
            four,
        ),
        (
            lambda *a: _variant(*a, score=lambda n, a: _zero_safe(np.abs(n - a), np.maximum(abs(n), abs(a)))),
            _(
                "max(|n|, |a|) in the denominator is another definition (it scores up to twice as high); "
                "the course's is |n| + |a|"
            ),
            four,
        ),
        (lambda *a: _variant(*a, score=lambda n, a: n), slopes),
        (lambda *a: _variant(*a, score=lambda n, a: a), slopes),
        (
            lambda *a: (_variant(*a)[0],) * 2,
            _(
                "both results are the entries' errors: the second one scores the directions, each u "
                "in directions against ⟨grad, u⟩"
            ),
        ),
        (
            lambda *a: _variant(*a, score=lambda n, a: _zero_safe_one(np.abs(n - a), np.abs(n) + np.abs(a))),
            _(
                "where n and a are both 0 your error is 1: a slope that is 0 on both sides is a perfect "
                "match (a blank pixel's gradient, say), so score 0/0 as 0"
            ),
            four,
        ),
        (
            lambda *a: _variant(*a, move="scalar back"),
            _(
                "the backward step is x − ε, every entry moved by ε, not x − ε·m: step back along the "
                "same move, x[...] = old - eps * m"
            ),
            differences,
        ),
    ]
