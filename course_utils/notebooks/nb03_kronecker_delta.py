"""Companion of notebook 03 · The Kronecker-delta form.

The spectrum widget and the checkers of its exercises.
"""

import numpy as np

from .. import svg
from ..i18n import _
from ..palette import COLORS
from ..softmax import softmax, softmax_jacobian
from ._checking import Exercise, hidden_rng, normal, run_checks, see
from ._view import DEFAULT_LOGITS, LiveView, gather, logit_sliders, logits, slider, tempered


def jacobian_spectrum_state(z, temperature=1.0):
    """Eigenvalues of ``J = diag(h) − h hᵀ`` at ``h = softmax(z / T)``: all >= 0, one is 0."""
    z = logits(z)
    scaled = tempered(z, temperature)
    h = softmax(scaled)
    J = softmax_jacobian(scaled)
    eig = np.linalg.eigvalsh(J)
    # The zero eigenvalue comes out as ±1e-17; keep it the exact 0 it is, for display.
    eig = np.where(np.abs(eig) < 1e-12, 0.0, eig)
    return {
        "h": h,
        "J": J,
        "temperature": float(temperature),
        "eigenvalues": eig,
        "rank": int(np.count_nonzero(eig)),
        "null_residual": float(np.abs(J @ np.ones(z.size)).max()),
        "trace": float(np.trace(J)),
    }


def describe_spectrum(state):
    eig = state["eigenvalues"]
    null = _("J·1 = 0 to round-off") if state["null_residual"] < 1e-12 else "J·1 ≠ 0"
    return _("eigenvalues {values}; rank {rank} of {size}; trace = Σ h(1 − h) = {trace:.4f}; {null}").format(
        values=", ".join(f"{e:.4f}" for e in eig),
        rank=state["rank"],
        size=eig.size,
        trace=state["trace"],
        null=null,
    )


@svg.picture
def draw_spectrum(state):
    """h, the heat map of J and J's eigenvalues, side by side."""
    eig = state["eigenvalues"]
    return svg.row(
        svg.bar_chart(state["h"], title="h", color=COLORS["probability"], ylim=(0, 1)),
        svg.heatmap(state["J"], title="J", cell=30),
        svg.bar_chart(
            eig,
            title=_("eigenvalues: rank {rank}").format(rank=state["rank"]),
            ylim=(0, 1.2 * max(eig.max(), 1e-3)),
            labels=[f"λ{k + 1}" for k in range(eig.size)],
            color=COLORS["analytic"],
        ),
    )


def spectrum_widget(z=DEFAULT_LOGITS):
    controls = {**logit_sliders(z, -4, 4), "T": slider("T", 1.0, 0.1, 5.0)}
    return LiveView(
        controls,
        compute=lambda T, **zs: jacobian_spectrum_state(gather(zs), T),
        draw=lambda s, **_: draw_spectrum(s),
        describe=lambda s, **_: describe_spectrum(s),
    )


def check_batched_jacobian(fn):
    """Exercise: Jacobians of a batch ``z`` (N, C) at once, shape (N, C, C), without a loop."""
    cases = [
        (normal(6, (5, 3)),),
        (normal(7, (2, 4)),),
        (normal(8, (3, 3)),),
        (np.array([[900.0, 0.0, 1.0], [2.0, -1.0, 700.0]]),),  # exp overflows without the max shift
    ]

    def diag_only(z):
        h = softmax(z)
        return np.einsum("ni,ij->nij", h * (1 - h), np.eye(z.shape[1]))

    mistakes = [
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
    ]
    return run_checks(
        "batched_jacobian",
        fn,
        cases,
        softmax_jacobian,
        mistakes,
        section=see("03_kronecker_delta", "A batch of Jacobians, and what it costs"),
        own=(softmax_jacobian,),
        success=_("right: (N, C, C), each slice diag(h) − h hᵀ of its own row, also for large logits"),
    )


def _hvp(z, v):
    h = softmax(z)
    return h * v - h * np.dot(h, v)


def check_lse_hvp(fn):
    """Exercise: the Hessian of log-sum-exp times ``v``, for one sample, without forming the matrix."""
    cases = [(normal(9, 4), normal(10, 4)), (normal(11, 6), normal(12, 6))]
    mistakes = [
        (
            lambda z, v: softmax(z) * (1 - softmax(z)) * v,
            _("that is the diagonal of the Hessian times v: the full Hessian is diag(h) − h hᵀ"),
        ),
        (
            lambda z, v: softmax(z) * v - np.dot(softmax(z), v),
            _("the second term is h ⟨h, v⟩, a vector along h: multiply ⟨h, v⟩ by h"),
        ),
        (lambda z, v: softmax(z) * v - softmax(z) * v.sum(), _("use ⟨h, v⟩ = Σ h_i v_i, not Σ v_i")),
        (lambda z, v: softmax(z) * v, _("that is diag(h) v alone: subtract h ⟨h, v⟩")),
    ]
    return run_checks(
        "lse_hvp",
        fn,
        cases,
        _hvp,
        mistakes,
        section=see("03_kronecker_delta", "J is the Hessian of log-sum-exp"),
        own=(softmax_jacobian,),
        success=_("right: (diag(h) − h hᵀ) v, which h ⊙ v − h ⟨h, v⟩ computes in O(C) without building J"),
    )


GRADED = [
    Exercise(
        "batched_jacobian",
        "batched_jacobian",
        check_batched_jacobian,
        softmax_jacobian,
        lambda: (hidden_rng(5).normal(size=(4, 6)),),
    ),
    Exercise(
        "lse_hvp",
        "lse_hvp",
        check_lse_hvp,
        _hvp,
        lambda: (hidden_rng(6).normal(size=5), hidden_rng(7).normal(size=5)),
    ),
]
"""The exercises of notebook 03, as the teacher's grader scores them."""
