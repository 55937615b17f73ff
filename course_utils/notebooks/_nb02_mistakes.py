"""Notebook 02's catalogue of wrong Jacobians: the formulas ``check_jacobian`` recognises (δ_ij − h_i h_j,
the diagonal counted twice, h hᵀ alone, the sigmoid's derivative) and the properties that name a
mistake no single formula shows (the right numbers in the wrong places, rows that do not sum to 0).
"""

import numpy as np

from ..i18n import _
from ..softmax import softmax
from ._difference import _constant_factor
from ._nb02_probes import _numerical_jacobian


def jacobian_mistakes():
    """Exercise 1's wrong answers, as ``(formula, message[, section])``."""

    def diag_only(z):
        h = softmax(z)
        return np.diag(h * (1 - h))

    def off_sign(z):
        h = softmax(z)
        return np.diag(h * (1 - h)) + (np.outer(h, h) - np.diag(h * h))

    def h_i_one_minus_h_j(z):
        h = softmax(z)
        return np.outer(h, 1 - h)

    return [
        (
            lambda z: np.diag(softmax(z)) - 2 * np.outer(softmax(z), softmax(z)),
            _(
                "a factor 2 on the outer product: J = diag(h) − h hᵀ, each h_i h_j once; the 2 of "
                "a square's derivative has no place here"
            ),
        ),
        (
            lambda z: softmax(z),
            _(
                "you returned h (the softmax itself), shape (C,): the Jacobian is the C × C matrix of "
                "the ∂h_i/∂z_j, diag(h) − np.outer(h, h)"
            ),
        ),
        (
            diag_only,
            _(
                "the diagonal is right, the off-diagonal entries are zero: did you use h_j(1 − h_j) alone? "
                "Every h_i depends on every z_j through the sum in the denominator"
            ),
        ),
        (off_sign, _("the off-diagonal entries have the wrong sign: for i ≠ j, ∂h_i/∂z_j = −h_i h_j")),
        (
            h_i_one_minus_h_j,
            _(
                "h_i(1 − h_j) is right only on the diagonal: off it the derivative is −h_i h_j, "
                "which is what the Kronecker delta in h_i(δ_ij − h_j) switches between"
            ),
        ),
        (lambda z: np.diag(softmax(z)), _("that is diag(h) alone: subtract the outer product h hᵀ")),
        (
            lambda z: np.diag(softmax(z)) - np.outer(softmax(z), 1 - softmax(z)),
            _(
                "np.outer(h, 1 − h) is h_i(1 − h_j), not the product to subtract: diag(h) − h hᵀ is "
                "h_i − h_i h_i on the diagonal and −h_i h_j off it; subtract np.outer(h, h)"
            ),
        ),
        (
            lambda z: np.diag(softmax(z)) - np.outer(1 - softmax(z), softmax(z)),
            _(
                "np.outer(1 − h, h) is (1 − h_i) h_j, not the product to subtract: diag(h) − h hᵀ is "
                "h_i − h_i h_i on the diagonal and −h_i h_j off it; subtract np.outer(h, h)"
            ),
        ),
        (
            lambda z: softmax(z)[0] - np.outer(softmax(z), softmax(z)),
            _(
                "np.diag of a column h, shape (C, 1), is not a diagonal matrix: on a 2-D array np.diag "
                "returns its diagonal, here [h_0], one number that broadcasts over h hᵀ; np.diag builds "
                "a matrix from a 1-D array only, so use np.diag(h.ravel()) or keep h of shape (C,)"
            ),
        ),
        (
            lambda z: np.tril(np.diag(softmax(z)) - np.outer(softmax(z), softmax(z))),
            _(
                "the diagonal and the entries below it are right, the ones above it are 0: only "
                "j < i was filled (a loop over range(i)); J is symmetric, J[i, j] = −h_i h_j for "
                "every j ≠ i, so fill every column of every row"
            ),
        ),
        (
            lambda z: np.triu(np.diag(softmax(z)) - np.outer(softmax(z), softmax(z))),
            _(
                "the diagonal and the entries above it are right, the ones below it are 0: only "
                "j > i was filled; J[i, j] = −h_i h_j for every j ≠ i, so fill every column of every row"
            ),
        ),
        (
            lambda z: np.diag(softmax(z)) + np.outer(softmax(z), softmax(z)),
            _("that is diag(h) + h hᵀ: the outer product is subtracted, J = diag(h) − h hᵀ"),
        ),
        (
            lambda z: -np.outer(softmax(z), softmax(z)),
            _("that is −h hᵀ alone: add diag(h), the part where i = j"),
        ),
        (
            lambda z: np.diag(softmax(z)) - softmax(z) @ softmax(z),
            _(
                "h @ h is one number, Σ h_i², subtracted from every entry: the outer product h hᵀ is "
                "np.outer(h, h), a C × C matrix"
            ),
        ),
        (
            lambda z: np.diag(softmax(z)) - softmax(z) * softmax(z),
            _(
                "h * h is the vector of the h_j², broadcast down the rows, so entry (i, j) is "
                "h_i δ_ij − h_j²: the outer product is np.outer(h, h), entry h_i h_j"
            ),
        ),
        (
            lambda z: np.diag(softmax(z)) - (softmax(z) ** 2)[:, None],
            _("entry (i, j) is h_i(δ_ij − h_i): the second h carries the column's index, h_i(δ_ij − h_j)"),
        ),
        (
            lambda z: np.outer(softmax(z), softmax(z)) - np.diag(softmax(z)),
            _("every sign is flipped: you computed h hᵀ − diag(h), the Jacobian is diag(h) − h hᵀ"),
        ),
        (
            lambda z: np.diag(z) - np.outer(z, z),
            _("you used the logits z where the formula needs the probabilities h = softmax(z)"),
        ),
        (
            lambda z: np.diag(softmax(z)) - np.outer(z, z),
            _(
                "np.outer(z, z) multiplies the logits: the outer product is of the probabilities, "
                "np.outer(h, h) with h = softmax(z); J = diag(h) − h hᵀ"
            ),
        ),
        (
            lambda z: np.diag(softmax(z)) - np.outer(softmax(z), z),
            _("np.outer(h, z) has a logit z_j in it: both factors are probabilities, np.outer(h, h)"),
        ),
        (
            lambda z: np.diag(softmax(z)) - np.outer(z, softmax(z)),
            _("np.outer(z, h) has a logit z_i in it: both factors are probabilities, np.outer(h, h)"),
        ),
        (
            lambda z: np.diag(z) - np.outer(softmax(z), softmax(z)),
            _("np.diag(z) puts the logits on the diagonal: it is np.diag(h), with h = softmax(z)"),
        ),
        (
            lambda z: (np.diag(softmax(z)) - np.outer(softmax(z), softmax(z))) / np.size(z),
            _(
                "your J is divided by C, the number of classes: there is no mean in a Jacobian, "
                "entry (i, j) is h_i(δ_ij − h_j) itself"
            ),
        ),
        (
            lambda z: (np.diag(softmax(z)) - np.outer(softmax(z), softmax(z))) * np.size(z),
            _(
                "your J is C times too large (C, the number of classes): entry (i, j) is "
                "h_i(δ_ij − h_j) itself, with no factor"
            ),
        ),
        (
            lambda z: softmax(z) * (1 - softmax(z)),
            _(
                "that is the diagonal as a vector (C,): the Jacobian is a C × C matrix, with −h_i h_j "
                "off the diagonal"
            ),
        ),
        (
            lambda z: np.eye(np.size(z)) - np.outer(softmax(z), softmax(z)),
            _(
                "that is δ_ij − h_i h_j: the factor h_i is missing on the diagonal; "
                "J[i, j] = h_i(δ_ij − h_j), so the diagonal holds h_i − h_i², i.e. diag(h) − h hᵀ, "
                "not I − h hᵀ"
            ),
        ),
        (
            lambda z: np.diag(softmax(z) * (1 - softmax(z))) - np.outer(softmax(z), softmax(z)),
            _(
                "the diagonal subtracts h_i² twice: diag(h(1 − h)) already holds −h_i², and h hᵀ subtracts "
                "it again; use diag(h) − h hᵀ"
            ),
        ),
        (
            lambda z: np.outer(1 - softmax(z), softmax(z)),
            _(
                "(1 − h_i) h_j is right only on the diagonal: off it the derivative is −h_i h_j; "
                "J[i, j] = h_i(δ_ij − h_j)"
            ),
        ),
        (
            lambda z: np.outer(softmax(z), softmax(z)),
            _("that is h hᵀ alone, with a plus: J = diag(h) − h hᵀ"),
        ),
        (
            lambda z: 1 - np.outer(softmax(z), softmax(z)),
            _("that is 1 − h hᵀ: the 1 belongs on the diagonal only, and times h_i; J = diag(h) − h hᵀ"),
        ),
        (
            lambda z: np.diag(softmax(z)) - softmax(z),
            _(
                "subtracting the vector h subtracts h_j from every row, entry h_i δ_ij − h_j: the second "
                "term is the outer product h hᵀ, entry h_i h_j"
            ),
        ),
        (
            _unnormalised,
            _(
                "your h is exp(z − max) without the division by its sum: h = e / e.sum() first, "
                "then diag(h) − h hᵀ"
            ),
        ),
        (
            lambda z: np.diag(_sigmoid(z) * (1 - _sigmoid(z))),
            _(
                "that is the sigmoid's derivative σ(1 − σ) on the diagonal: softmax couples the classes, "
                "J = diag(h) − h hᵀ with h = softmax(z)"
            ),
        ),
    ]


def jacobian_hints():
    """Exercise 1's mistakes known by a property of the answer, as ``(predicate, message)``."""
    return [
        (
            last_left_out,
            _(
                "right but for the last row and column, left as they were allocated: a loop over "
                "range(C − 1) (or range(len(z) - 1)) stops before the last class, C − 1; range(C) "
                "covers every class"
            ),
        ),
        (
            lambda got, exp, args: (
                got[0].shape == exp[0].shape
                and np.allclose(np.sort(got[0], axis=None), np.sort(exp[0], axis=None))
            ),
            _(
                "the right numbers in the wrong places: entry [i, j] is ∂h_i/∂z_j, row i the output h_i "
                "and column j the input z_j; check the indices in your loop"
            ),
        ),
        (
            lambda got, exp, args: (
                got[0].shape == exp[0].shape
                and np.all(np.isfinite(got[0]))
                and not np.allclose(got[0].sum(axis=1), 0, atol=1e-9)
                and _constant_factor(got[0], exp[0]) is None
            ),
            _(
                "the rows of your J do not sum to 0, as they must: adding a constant to every logit "
                "changes no h_i, so Σ_j ∂h_i/∂z_j = 0; J[i, j] = h_i(δ_ij − h_j)"
            ),
        ),
    ]


def last_left_out(got, expected, args):
    """True when a square result is right but for its last row and column (or one of them)."""
    g, e = got[0], expected[0]
    if g.shape != e.shape or g.ndim != 2 or g.shape[0] != g.shape[1] or g.shape[0] < 2:
        return False
    ok = np.isclose(g, e, rtol=1e-7, atol=1e-10)
    inner = ok[:-1, :-1].all()
    edge = np.zeros_like(ok)
    edge[-1, :] = edge[:, -1] = True
    return bool(inner and not ok.all() and ok[~edge].all() and (g[~ok] == 0).all())


def _sigmoid(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


def _unnormalised(z):
    e = np.exp(np.asarray(z, dtype=float) - np.max(z))
    return np.diag(e) - np.outer(e, e)


def unit_step_mistake():
    """Exercise 2: a step of 1 (e_j = 1, not eps) divided by 2 eps, as ``(formula, message)``."""
    return (
        lambda f, z, eps: _numerical_jacobian(f, z, 1.0) / eps,
        _(
            "your step is 1, not ε: e_j = 1 moves z_j by a whole unit while you divide by 2ε, so "
            "every column is a difference over a step of 1, scaled by 1/ε; step by ε, "
            "step[j] = eps (or z + eps * e_j)"
        ),
    )


def notebook_helper_message():
    """Exercise 2: the reply to a right answer that calls the notebook's own numerical_jacobian."""
    return _(
        "right numbers, but your function calls numerical_jacobian, the one the notebook's "
        "first cell defines to show the idea: that is this very answer; write the loop over j "
        "yourself, one column (f(z + ε e_j) − f(z − ε e_j)) / 2ε at a time"
    )
