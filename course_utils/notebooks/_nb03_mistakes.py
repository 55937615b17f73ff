"""Notebook 03's catalogues of wrong answers: the batched Jacobians ``check_batched_jacobian``
recognises (h.T @ h summed over the batch, softmax over axis 0, the batch axis last) and the
Hessian-vector products ``check_lse_hvp`` recognises (the wrong vector in the dot product, h or v
returned, the diagonal alone), each written as the wrong formula itself.
"""

import numpy as np

from ..i18n import _
from ..softmax import softmax, softmax_jacobian
from ._checking import see
from ._difference import _constant_factor


def _shifted(z):
    return np.exp(z - z.max(axis=1, keepdims=True))


def _normalised_exp(z):
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(z) / np.exp(z).sum()


def _whole_batch_sum():
    return _(
        "e.sum() without an axis adds the exponentials of the whole batch, so each row of your h sums "
        "to less than 1 (all of h together sums to 1); divide each row by its own sum, "
        "e.sum(axis=1, keepdims=True), after shifting it by its own max"
    )


def batched_mistakes():
    """Exercise 1's wrong answers, as ``(formula, message[, section])``."""

    def diag_only(z):
        h = softmax(z)
        return np.einsum("ni,ij->nij", h * (1 - h), np.eye(z.shape[1]))

    return [
        (
            lambda z: softmax_jacobian(z[0]),
            _(
                "that is the Jacobian of the first row only: the answer has one C × C matrix per row, "
                "shape (N, C, C)"
            ),
        ),
        (
            lambda z: softmax(z)[:, :, None] * (1 - softmax(z)[:, None, :]),
            _(
                "h_i(1 − h_j) everywhere: the identity is missing; "
                "use h[:, :, None] * (np.eye(C) − h[:, None, :])"
            ),
        ),
        (diag_only, _("only the diagonals: each matrix also needs −h_i h_j off the diagonal")),
        (
            lambda z: -np.einsum("ni,nj->nij", softmax(z), softmax(z)),
            _("that is −h hᵀ alone in each slice: add diag(h), h[:, :, None] * np.eye(C)"),
        ),
        (
            lambda z: softmax(z)[:, :, None] * (np.eye(z.shape[1]) + softmax(z)[:, None, :]),
            _("diag(h) + h hᵀ: the outer product is subtracted, h_i(δ_ij − h_j)"),
        ),
        (
            lambda z: z[:, :, None] * (np.eye(z.shape[1]) - z[:, None, :]),
            _("you used the logits z where the formula needs the probabilities h = softmax(z)"),
        ),
        (
            lambda z: _from_h(np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=1, keepdims=True)),
            _(
                "NaN in the rows far below the batch's largest logit: one max for the whole batch makes "
                "their exponentials underflow to 0, and 0/0 is NaN; subtract each row's own max, "
                "z.max(axis=1, keepdims=True)"
            ),
            see("01_softmax", "Overflow, and the one-line fix"),
        ),
        (
            _no_shift,
            _("NaN at large logits: exp(900) overflows; shift each row by its max before exp"),
            see("01_softmax", "Overflow, and the one-line fix"),
        ),
        (
            lambda z: _from_h(np.exp(z - z.max()) / np.exp(z - z.max()).sum()),
            _whole_batch_sum(),
        ),
        (
            lambda z: _from_h(_shifted(z) / _shifted(z).sum()),
            _whole_batch_sum(),
        ),
        (
            lambda z: softmax(z)[:, :, None] * (np.eye(z.shape[1]) - softmax(z)[:, :, None]),
            _(
                "entry (i, j) is h_i(δ_ij − h_i): the second h must run along the columns, "
                "h[:, None, :], not h[:, :, None]"
            ),
        ),
        (
            _batch_summed_outer,
            _(
                "h.T @ h sums h_i h_j over the batch, one C × C matrix for all samples: each sample needs "
                "its own outer product, h[:, :, None] * h[:, None, :]"
            ),
        ),
        (
            lambda z: _from_h(_softmax_axis0(z)),
            _(
                "your h is the softmax over axis 0, the batch: each column sums to 1; softmax normalises "
                "each row, over the classes (axis=1)"
            ),
            see("01_softmax", "Outputs are probabilities"),
        ),
        (
            lambda z: np.eye(z.shape[1]) - softmax(z)[:, :, None] * softmax(z)[:, None, :],
            _(
                "that is δ_ij − h_i h_j: the factor h_i is missing on the diagonal; "
                "h[:, :, None] * (np.eye(C) − h[:, None, :])"
            ),
        ),
        (
            lambda z: np.repeat(softmax_jacobian(z[:1]), len(z), axis=0),
            _("every slice is the first row's Jacobian: slice n belongs to row n, z[n]"),
        ),
        (
            lambda z: np.moveaxis(softmax_jacobian(z), 0, -1),
            _("shape (C, C, N): the batch axis is last; the course puts the samples first, (N, C, C)"),
        ),
        (
            lambda z: softmax_jacobian(z).sum(axis=0),
            _(
                "that is the sum of the N Jacobians, one C × C matrix (as diag(h.sum(0)) − h.T @ h gives): "
                "return one per sample, (N, C, C), with h[:, :, None] * h[:, None, :] for the outer products"
            ),
        ),
        (
            lambda z: np.eye(z.shape[1]) * softmax(z)[:, None, :] - (softmax(z) ** 2)[:, None, :],
            _(
                "h * h is elementwise, the vector of the h_j², broadcast down the rows of each slice: "
                "entry (i, j) became h_j δ_ij − h_j²; the outer product, entry h_i h_j, is "
                "h[:, :, None] * h[:, None, :]"
            ),
        ),
        (
            lambda z: np.eye(z.shape[1]) * softmax(z)[:, :, None] - (softmax(z) ** 2)[:, None, :],
            _(
                "h * h is elementwise, the vector of the h_j², broadcast down the rows of each slice: "
                "the outer product, entry h_i h_j, is h[:, :, None] * h[:, None, :]"
            ),
        ),
        (
            lambda z: (
                np.eye(z.shape[1]) * softmax(z)[:, None, :] - (softmax(z) ** 2).sum(axis=1)[:, None, None]
            ),
            _(
                "h.T @ h on one sample's h, a 1-D vector, is the number Σ h_j² (.T does nothing to a "
                "1-D array), subtracted from every entry: the outer product of a vector is "
                "np.outer(h, h), or h[:, None] * h[None, :]"
            ),
        ),
        (
            _first_slice_only,
            _(
                "only the first slice, J[0], is filled, the other N − 1 are still zeros: each row n of "
                "the batch has its own slice J[n] = diag(h_n) − h_n h_nᵀ; "
                "h[:, :, None] * (np.eye(C) − h[:, None, :]) fills all N at once"
            ),
        ),
        (
            lambda z: softmax_jacobian(z).mean(axis=0),
            _("that is the mean of the N Jacobians, one C × C matrix: return all of them, (N, C, C)"),
        ),
    ]


def batched_hints():
    """Exercise 1's mistakes known by a property of the answer, as ``(predicate, message)``."""
    return [
        (
            _some_slices_only,
            _(
                "only some of the N slices are right, the others are not: does a loop or an index "
                "cover part of the batch (J[0] = ..., range(1), range(N − 1))? Slice n is "
                "diag(h_n) − h_n h_nᵀ for every n; h[:, :, None] * (np.eye(C) − h[:, None, :]) builds "
                "all N at once"
            ),
        ),
        (
            lambda got, exp, args: (
                got[0].shape == exp[0].shape
                and np.all(np.isfinite(got[0]))
                and not np.allclose(got[0].sum(axis=2), 0, atol=1e-9)
                and _constant_factor(got[0], exp[0]) is None
            ),
            _(
                "the rows of your slices do not sum to 0, as each softmax Jacobian's must (adding a "
                "constant to a sample's logits changes no h_i): slice n is diag(h_n) − h_n h_nᵀ"
            ),
        ),
    ]


def hvp_mistakes():
    """Exercise 2's wrong answers, as ``(formula, message)``."""
    return [
        (
            lambda z, v: v @ _hvp_right(z, v),
            _(
                "that is the quadratic form vᵀHv, one number: the exercise asks for the product Hv, "
                "a vector of shape (C,); leave out the final dot product with v"
            ),
        ),
        (
            lambda z, v: softmax(z) * (1 - softmax(z)) * v,
            _("that is the diagonal of the Hessian times v: the full Hessian is diag(h) − h hᵀ"),
        ),
        (
            lambda z, v: softmax(z) * v - np.dot(softmax(z), v),
            _("the second term is h ⟨h, v⟩, a vector along h: multiply ⟨h, v⟩ by h"),
        ),
        (lambda z, v: softmax(z) * v - softmax(z) * v.sum(), _("use ⟨h, v⟩ = Σ h_i v_i, not Σ v_i")),
        (
            lambda z, v: softmax(z) * (v - v.mean()),
            _(
                "v.mean() is the plain mean Σ v_i / C: the term to subtract is the mean of v weighted "
                "by h, ⟨h, v⟩ = Σ h_i v_i, so h ⊙ (v − ⟨h, v⟩)"
            ),
        ),
        (
            lambda z, v: _normalised_exp(z) * v - _normalised_exp(z) * np.dot(_normalised_exp(z), v),
            _("NaN at large logits: exp(800) overflows; shift z by its max before exp"),
            see("01_softmax", "Overflow, and the one-line fix"),
        ),
        (lambda z, v: softmax(z) * v, _("that is diag(h) v alone: subtract h ⟨h, v⟩")),
        (
            lambda z, v: softmax(z) * v + softmax(z) * np.dot(softmax(z), v),
            _("the second term is subtracted: (diag(h) − h hᵀ) v = h ⊙ v − h ⟨h, v⟩"),
        ),
        (
            lambda z, v: softmax(z) * np.dot(softmax(z), v) - softmax(z) * v,
            _("every sign is flipped: h ⊙ v − h ⟨h, v⟩, not h ⟨h, v⟩ − h ⊙ v"),
        ),
        (
            lambda z, v: z * v - z * np.dot(z, v),
            _("you used the logits z where the formula needs the probabilities h = softmax(z)"),
        ),
        (
            lambda z, v: softmax(z) - softmax(z) * np.dot(softmax(z), v),
            _("the first term is h ⊙ v, h times v entry by entry, not h alone"),
        ),
        (
            lambda z, v: np.dot(softmax(z), v) * np.ones_like(v) - softmax(z) * np.dot(softmax(z), v),
            _("the first term is h ⊙ v, a vector of h_i v_i, not the number ⟨h, v⟩"),
        ),
        (
            lambda z, v: softmax(v) * z - softmax(v) * np.dot(softmax(v), z),
            _("z and v are swapped: h = softmax(z), and the Hessian multiplies v"),
        ),
        (
            lambda z, v: softmax(z) * v - v * np.dot(softmax(z), softmax(z)),
            _(
                "the dot product is ⟨h, h⟩ and it multiplies v: the second term is h ⟨h, v⟩, "
                "h times the number h @ v"
            ),
        ),
        (
            lambda z, v: softmax(z) * v - softmax(z) * np.dot(softmax(z), softmax(z)),
            _("the dot product is ⟨h, h⟩: the second term is h ⟨h, v⟩, with v in the dot product"),
        ),
        (
            lambda z, v: softmax(z) * v - v * np.dot(softmax(z), v),
            _("the second term is along h: h ⟨h, v⟩, not v ⟨h, v⟩"),
        ),
        (
            lambda z, v: v - softmax(z) * np.dot(softmax(z), v),
            _("the first term is h ⊙ v, h times v entry by entry, not v alone"),
        ),
        (
            lambda z, v: softmax(z),
            _(
                "that is h = softmax(z), the gradient of log-sum-exp: the exercise asks for its "
                "Hessian times v, h ⊙ v − h ⟨h, v⟩"
            ),
        ),
        (
            lambda z, v: v,
            _("that is v itself: multiply it by the Hessian, h ⊙ v − h ⟨h, v⟩"),
        ),
        (
            lambda z, v: softmax(z) * (1 - softmax(z)),
            _("that is the Hessian's diagonal h(1 − h) without v: the answer is (diag(h) − h hᵀ) v"),
        ),
        (
            lambda z, v: softmax(z) * (v - softmax(z)),
            _("h ⊙ (v − h) subtracts h_i², not h_i ⟨h, v⟩: the second term is h times the number h @ v"),
        ),
        (
            lambda z, v: softmax(z) * v - softmax(z) * np.mean(softmax(z) * v),
            _("⟨h, v⟩ is the sum Σ h_i v_i, not the mean: use h @ v"),
        ),
        (
            lambda z, v: np.full_like(v, np.dot(softmax(z), v)),
            _("that is the number ⟨h, v⟩ in every entry: the answer is the vector h ⊙ v − h ⟨h, v⟩"),
        ),
        (
            _hvp_unnormalised,
            _("your h is exp(z) without the division by its sum: h = softmax(z) sums to 1"),
        ),
        (
            lambda z, v: softmax(z) * v - v,
            _(
                "np.outer(h, v).sum(axis=0) is v Σ h_i = v: the second term is h ⟨h, v⟩, "
                "h times the number h @ v"
            ),
        ),
        (
            lambda z, v: softmax(z) * v - np.dot(softmax(z) ** 2, v),
            _(
                "(np.eye(C) * h − h * h) @ v: h * h is elementwise, the h_j² broadcast down the rows, "
                "so the second term became the number Σ h_j² v_j; the Hessian subtracts the outer "
                "product np.outer(h, h), whose product with v is h ⟨h, v⟩"
            ),
        ),
        (
            lambda z, v: softmax(z) * v - np.dot(softmax(z), softmax(z)) * v.sum(),
            _(
                "h.T @ h on a 1-D h is the number Σ h_j² (.T does nothing to a 1-D array), so "
                "(np.diag(h) − h.T @ h) @ v subtracts Σ h_j² · Σ v_j from every entry: the outer product "
                "is np.outer(h, h), and (diag(h) − h hᵀ) v = h ⊙ v − h ⟨h, v⟩"
            ),
        ),
        (
            lambda z, v: _sigmoid(z) * (1 - _sigmoid(z)) * v,
            _(
                "that is the sigmoid's curvature σ(1 − σ) v: log-sum-exp's Hessian couples the classes, "
                "h ⊙ v − h ⟨h, v⟩ with h = softmax(z)"
            ),
        ),
    ]


def _first_slice_only(z):
    J = np.zeros((*np.shape(z), np.shape(z)[1]))
    J[0] = softmax_jacobian(z[0])
    return J


def _some_slices_only(got, expected, args):
    """True when some slices (N, C, C)[n] are right and the others wrong: a loop over part of the batch."""
    g, e = got[0], expected[0]
    if g.shape != e.shape or g.ndim != 3 or g.shape[0] < 2:
        return False
    right = np.isclose(g, e, rtol=1e-7, atol=1e-10).all(axis=(1, 2))
    return bool(right.any() and not right.all())


def _from_h(h):
    return h[:, :, None] * (np.eye(h.shape[1]) - h[:, None, :])


def _softmax_axis0(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _batch_summed_outer(z):
    h = softmax(z)
    return h[:, :, None] * np.eye(z.shape[1]) - (h.T @ h)[None]


def _no_shift(z):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        h = e / e.sum(axis=1, keepdims=True)
        return h[:, :, None] * (np.eye(z.shape[1]) - h[:, None, :])


def _hvp_unnormalised(z, v):
    e = np.exp(z)
    return e * v - e * np.dot(e, v)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _hvp_right(z, v):
    h = softmax(z)
    return h * v - h * (h @ v)
