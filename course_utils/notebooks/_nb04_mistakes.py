"""More wrong answers of notebook 04's exercises, as a newcomer types them (issue 19 §4).

Each entry is the wrong formula itself and the reply that names it; ``nb04_chain_rule_reduction``
adds them to its checkers' catalogues, after the mistakes the notebook's own text names.
"""

import numpy as np

from ..i18n import _
from ..softmax import softmax
from ._feedback import see


def _vjp(h, g):
    return h * (g - np.sum(g * h, axis=1, keepdims=True))


def _first_row_only(full):
    out = np.zeros_like(full)
    out[0] = full[0]
    return out


def _batch_softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def _unshifted(z):
    """Softmax without the max shift, as a learner writes it: NaN where exp overflows or underflows."""
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def _vjp_typed_mistakes():
    """Exercise 1 (``vjp_rows``): ``(wrong(z, g), message)`` pairs."""
    return [
        (
            lambda z, g: _vjp(_unshifted(z), g),
            _(
                "NaN at large logits: exp(1000) overflows to inf, and inf/inf is NaN; shift each row by "
                "its own max before exp, z − z.max(axis=1, keepdims=True)"
            ),
            see("01_softmax", "Overflow, and the one-line fix"),
        ),
        (
            lambda z, g: _vjp(_unshifted(z - z.max()), g),
            _(
                "NaN in a row far below the batch's largest logit: one max for the whole batch, "
                "z.max(), makes that row's exponentials underflow to 0, and 0/0 is NaN; subtract each "
                "row's own max, z.max(axis=1, keepdims=True)"
            ),
            see("01_softmax", "Overflow, and the one-line fix"),
        ),
        (
            lambda z, g: g - softmax(z) * g.sum(axis=1, keepdims=True),
            _(
                "that is g − h Σg, the backward pass of log-softmax, not of softmax: for h = softmax(z) "
                "the rows are h ⊙ (g − ⟨g, h⟩), the sum weighted by h and the whole times h"
            ),
        ),
        (
            lambda z, g: softmax(z) - g,
            _(
                "that is h − g: the upstream gradient g is not subtracted from h, it goes through the "
                "Jacobian: dz = h ⊙ (g − ⟨g, h⟩)"
            ),
        ),
        (
            lambda z, g: g * softmax(z),
            _("that is g ⊙ h alone: ⟨g, h⟩ is missing; subtract it from g first, h ⊙ (g − ⟨g, h⟩)"),
        ),
        (
            lambda z, g: softmax(z) * (g - np.sum(g * softmax(z))),
            _(
                "that ⟨g, h⟩ is summed over the whole batch (np.sum with no axis): each sample needs its "
                "own, np.sum(g * h, axis=1, keepdims=True)"
            ),
        ),
        (
            lambda z, g: softmax(z) * (g + np.sum(g * softmax(z), axis=1, keepdims=True)),
            _("⟨g, h⟩ is added where it is subtracted: dz = h ⊙ (g − ⟨g, h⟩)"),
        ),
        (
            lambda z, g: _vjp(softmax(g), g),
            _("that h is the softmax of g: h is softmax(z), the forward output; g is the upstream gradient"),
        ),
        (
            lambda z, g: z * (g - np.sum(g * z, axis=1, keepdims=True)),
            _("the softmax is missing: you used the logits z where h = softmax(z) belongs"),
        ),
        (
            lambda z, g: softmax(z) * (1 - np.sum(g * softmax(z), axis=1, keepdims=True)),
            _("that is h ⊙ (1 − ⟨g, h⟩): g itself is missing inside the bracket; dz = h ⊙ (g − ⟨g, h⟩)"),
        ),
        (
            lambda z, g: _first_row_only(_vjp(softmax(z), g)),
            _(
                "only the first row is filled, the others are 0: a loop that stops after row 0 (or "
                "works on z[0] alone); every row n needs h_n ⊙ (g_n − ⟨g_n, h_n⟩), and with axis=1 "
                "one line does them all"
            ),
        ),
        (
            lambda z, g: softmax(z) * (g - 1),
            _(
                "that subtracts Σ_i h_i, which is 1 in every row: ⟨g, h⟩ is Σ_i g_i h_i, "
                "np.sum(g * h, axis=1, keepdims=True)"
            ),
        ),
        (
            lambda z, g: g * (softmax(z) - np.sum(g * softmax(z), axis=1, keepdims=True)),
            _("g and h have swapped places: h goes outside the bracket, dz = h ⊙ (g − ⟨g, h⟩)"),
        ),
        (
            lambda z, g: softmax(z) * g - np.sum(g * softmax(z), axis=1, keepdims=True),
            _(
                "the factor h is missing on the second term: h ⊙ g − h ⟨g, h⟩ = h ⊙ (g − ⟨g, h⟩); "
                "multiply the whole bracket by h"
            ),
        ),
        (
            lambda z, g: softmax(z) * (g - np.max(g * softmax(z), axis=1, keepdims=True)),
            _("⟨g, h⟩ is a sum, Σ_i g_i h_i, not the largest g_i h_i: np.sum, not np.max"),
        ),
        (
            lambda z, g: softmax(z) * (g - np.mean(g, axis=1, keepdims=True)),
            _("that subtracts the mean of g: ⟨g, h⟩ weighs each g_i by h_i, Σ_i g_i h_i"),
        ),
        (
            lambda z, g: _vjp(softmax(z), g) + softmax(z),
            _("an extra h is added: dz = h ⊙ (g − ⟨g, h⟩), nothing more"),
        ),
        (
            lambda z, g: _vjp(_batch_softmax(z), g),
            _(
                "that h is one softmax over the whole batch (np.exp(z) / np.exp(z).sum()): each row "
                "is a sample with its own softmax, summed over its classes, axis=1, keepdims=True"
            ),
        ),
    ]


def _onehot(a2, y):
    return np.eye(a2.shape[1])[y]


def _delta2(a2, y):
    return (a2 - _onehot(a2, y)) / a2.shape[0]


def _bce_grad_h(a2, y):
    t = _onehot(a2, y)
    return (-t / a2 + (1 - t) / (1 - a2)) / a2.shape[0]


def _delta2_typed_mistakes():
    """Exercise 2 (``delta2``): ``(wrong(a2, y), message)`` pairs."""
    return [
        (
            lambda a2, y: a2 * (1 - a2) * (-_onehot(a2, y) / a2) / len(a2),
            _(
                "you used only the diagonal of the softmax Jacobian, h_j(1 − h_j): every h_i depends "
                "on every z_j, and the −h_i h_j terms off the diagonal bring in the other classes; "
                "the whole Jacobian gives (a2 − t)/N"
            ),
        ),
        (
            _delta2_partial,
            _(
                "the label's 1 is subtracted in some rows only: a loop that covers part of the batch "
                "(range(N − 1), range(1, N)); every row n needs d[n, y[n]] -= 1, or all at once "
                "d[np.arange(N), y] -= 1"
            ),
        ),
        (
            lambda a2, y: _delta2(a2, (y + 1) % a2.shape[1]),
            _(
                "the 1 is subtracted one class to the right of the label: did you write y + 1? The "
                "labels here count from 0 already"
            ),
        ),
        (
            lambda a2, y: -_onehot(a2, y) / a2 / a2.shape[0],
            _(
                "that is −t/(N·a2), the gradient with respect to h = a2, not with respect to z2: it "
                "still goes through the softmax's Jacobian, and that gives (a2 − t)/N"
            ),
        ),
        (
            lambda a2, y: _vjp(a2, _bce_grad_h(a2, y)),
            _(
                "that is the binary cross-entropy −Σ[t log h + (1 − t) log(1 − h)] pushed through the "
                "softmax: its (1 − t)/(1 − h) terms are the bug of the course's first learner; the "
                "softmax's cost is −log h_y, whose δ is (a2 − t)/N"
            ),
        ),
        (
            _bce_grad_h,
            _(
                "that is the binary cross-entropy's gradient with respect to h, and the cost here is "
                "the softmax's cross-entropy −log h_y, taken with respect to z2: (a2 − t)/N"
            ),
        ),
        (
            lambda a2, y: -_onehot(a2, y) / a2,
            _(
                "that is −t/a2, the gradient of the summed loss with respect to h = a2, not with "
                "respect to z2 (and without the 1/N): through the softmax's Jacobian it becomes (a2 − t)/N"
            ),
        ),
        (
            lambda a2, y: np.mean(a2 - _onehot(a2, y)),
            _("that is the mean of all the entries of a2 − t, one number: keep every entry, (a2 − t)/N"),
        ),
        (
            lambda a2, y: (np.log(a2) - _onehot(a2, y)) / a2.shape[0],
            _(
                "that is (log h − t)/N: the gradient has h itself, (a2 − t)/N; the log is in the loss, "
                "not here"
            ),
        ),
        (
            lambda a2, y: a2 - _onehot(a2, y) / a2.shape[0],
            _("the 1/N divides t alone: it divides the whole difference, (a2 − t)/N"),
        ),
        (
            lambda a2, y: (a2 - 1) / a2.shape[0],
            _("1 is subtracted from every entry: only each row's label entry gets it (t is one-hot)"),
        ),
        (
            lambda a2, y: _delta2(a2, y) * a2 * (1 - a2),
            _(
                "that is (a2 − t)/N times h(1 − h), a sigmoid's derivative: the softmax's Jacobian is "
                "already inside (a2 − t)/N; multiply by nothing more"
            ),
        ),
        (
            lambda a2, y: _delta2(softmax(a2), y),
            _("you applied the softmax again: a2 is already the softmax's output; use it as it is"),
        ),
        (
            lambda a2, y: (a2 - y[:, None]) / a2.shape[0],
            _(
                "you subtracted the label numbers y themselves, y[:, None], from every column: t is the "
                "one-hot of y, a 1 in column y_n of row n and 0 elsewhere, t = np.eye(C)[y]; then "
                "(a2 − t)/N"
            ),
        ),
        (
            lambda a2, y: -np.mean(np.log(a2[np.arange(a2.shape[0]), y])),
            _("that is the loss itself, one number: the exercise asks for its gradient dL/dz2, shape (N, C)"),
        ),
        (
            lambda a2, y: -_onehot(a2, y) * np.log(a2) / a2.shape[0],
            _("those are the loss's terms −t log h / N, not its gradient: dL/dz2 = (a2 − t)/N"),
        ),
        (
            lambda a2, y: _delta2(a2, y).sum(axis=0),
            _(
                "your result is summed over the batch, one row: a .sum(axis=0), or a .mean(axis=0) of the "
                "rows before the division by N, which is the same sum; keep one row per sample, shape "
                "(N, C)"
            ),
        ),
        (
            lambda a2, y: _delta2(a2, y).mean(axis=0),
            _("your result is averaged over the batch, one row: keep one row per sample, shape (N, C)"),
        ),
        (
            lambda a2, y: (
                _first_row_only(_delta2(a2, y)) + (a2 / a2.shape[0]) * (np.arange(a2.shape[0]) > 0)[:, None]
            ),
            _(
                "only the first row has its 1 subtracted: a loop that stops after row 0, or d[0, y[0]]; "
                "every row n needs it at its own label, d[np.arange(N), y] -= 1"
            ),
        ),
    ]


def rows_do_not_sum_to_zero(got, expected):
    """True when ``got`` has the answer's shape, is finite, and a row does not sum to 0.

    Every row of a gradient with respect to a softmax's logits sums to 0 (adding one number to all
    logits of a row leaves h unchanged), and so does every row of the right answer here: a wrong
    answer whose rows do not has a term missing or too many, whatever the term is.
    """
    g, e = got[0], expected[0]
    if g.shape != e.shape or g.ndim != 2 or not np.all(np.isfinite(g)):
        return False
    scale = max(float(np.abs(e).max()), 1e-300)
    return bool(np.abs(e.sum(axis=1)).max() < 1e-9 * scale < np.abs(g.sum(axis=1)).max() / 1e3)


def row_sum_hint(formula):
    """A run_checks hint: ``formula`` is the exercise's answer, as the reply quotes it."""
    return (
        lambda got, expected, args: rows_do_not_sum_to_zero(got, expected),
        _(
            "the rows of your result do not sum to 0, and every row of a gradient with respect to a "
            "softmax's logits does (adding one number to all the logits of a row leaves h unchanged): "
            "a term is missing or one too many; compare yours with {formula} term by term"
        ).format(formula=formula),
    )


def _delta2_partial(a2, y):
    """The label subtracted in rows 0 to N − 2 only, as ``for n in range(N - 1)`` does."""
    d = a2.copy()
    rows = np.arange(len(a2) - 1)
    d[rows, y[:-1]] -= 1
    return d / len(a2)
