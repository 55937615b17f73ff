"""Companion of notebook 03 · The Kronecker-delta form.

The spectrum widget and the checkers of its exercises.
"""

import re

import numpy as np

from .. import svg
from ..i18n import _
from ..palette import COLORS
from ..softmax import softmax, softmax_jacobian
from . import _recheck_a as recheck_a
from ._checking import Exercise, Feedback, hidden_rng, normal, run_checks, see
from ._enforce import named_error, peak_bytes, python_loops, recording
from ._guard import _source_lines
from ._nb03_mistakes import batched_hints, batched_mistakes, hvp_mistakes
from ._prediction import Prediction  # noqa: F401 - the notebook's committed prediction
from ._view import DEFAULT_LOGITS, LiveView, gather, logit_sliders, logits, slider, tempered


def jacobian_spectrum_state(z, temperature=1.0):
    """Eigenvalues of ``J = diag(h) − h hᵀ`` at ``h = softmax(z / T)``: all >= 0, one is 0."""
    z = logits(z)
    scaled = tempered(z, temperature)
    h = softmax(scaled)
    J = softmax_jacobian(scaled)
    eig = np.linalg.eigvalsh(J)
    # The null eigenvalue (eigenvector 1) comes out as ±1e-17: show it as the exact 0 it is. Only
    # that one: at a low temperature another eigenvalue can be as small as 1e-14 and still positive.
    eig[np.argmin(np.abs(eig))] = 0.0
    # The rank of diag(h) − h hᵀ is (number of h_k > 0) − 1: C − 1 unless some h_k underflowed to 0.
    rank = int(np.count_nonzero(h > 0)) - 1
    # How far round-off can move an eigenvalue of this J: its entries h_i δ_ij − h_i h_j carry errors
    # of a few ε·max h each (h itself is rounded), so an eigenvalue can move by about C·(C + 4)·ε·max h.
    # J is positive semi-definite: a computed eigenvalue within that of 0 (even −1e−35) is 0 up to
    # round-off, not a negative eigenvalue.
    roundoff = z.size * (z.size + 4) * np.finfo(np.float64).eps * float(h.max())
    tiny = (np.abs(eig) <= roundoff) & (eig != 0)
    return {
        "h": h,
        "J": J,
        "temperature": float(temperature),
        "eigenvalues": eig,
        "shown": np.where(tiny, 0.0, eig),  # what the picture draws: no bar below 0 from round-off
        "roundoff": roundoff,
        "rank": rank,
        "below_roundoff": int(np.count_nonzero(tiny)),
        "null_residual": float(np.abs(J @ np.ones(z.size)).max()),
        "trace": float(np.trace(J)),
    }


def describe_spectrum(state):
    eig = state["eigenvalues"]
    null = _("J·1 = 0 to round-off") if state["null_residual"] < 1e-12 else "J·1 ≠ 0"
    text = _("eigenvalues {values}; rank {rank} of {size}; trace = Σ h(1 − h) = {trace:.4f}; {null}").format(
        # The null eigenvalue first, then by the value shown: where round-off puts the tiny ones
        # (and their signs) differs from one LAPACK to another, what is printed does not.
        values=", ".join(
            _eigenvalue(eig[k], state["roundoff"])
            for k in sorted(range(eig.size), key=lambda k: (eig[k] != 0, state["shown"][k]))
        ),
        rank=state["rank"],
        size=eig.size,
        trace=state["trace"],
        null=null,
    )
    if state["below_roundoff"] > 0:
        text += _(
            " (≈0: {count} eigenvalue(s) within this J's round-off, |λ| ≤ {bound:.1e}, too small to "
            "tell from 0 or to give a sign; J is positive semi-definite, so none is negative, and the "
            "rank is still C − 1 while every h_k > 0)"
        ).format(count=state["below_roundoff"], bound=state["roundoff"])
    return text


def _eigenvalue(e, roundoff=0.0):
    """0 as 0, ≈0 within round-off, others with 4 decimals, or in scientific notation when tiny."""
    if e == 0:
        return "0"
    if abs(e) <= roundoff:
        return "≈0"
    return f"{e:.4f}" if abs(e) >= 1e-4 else f"{e:.1e}"


@svg.picture
def draw_spectrum(state):
    """h, the heat map of J and J's eigenvalues, side by side."""
    eig = state["shown"]
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
        (np.array([[0.0, 1.0, 2.0], [-800.0, -799.0, -801.0]]),),  # one max for the batch: 0/0
    ]

    raised = []
    feedback = run_checks(
        "batched_jacobian",
        recording(fn, raised),
        cases,
        softmax_jacobian,
        batched_mistakes() + recheck_a.batched_mistakes(),
        batched_hints(),
        section=see("03_kronecker_delta", "A batch of Jacobians, and what it costs"),
        own=(softmax_jacobian,),
        success=_("right: (N, C, C), each slice diag(h) − h hᵀ of its own row, also for large logits"),
    )
    feedback = named_error(feedback, raised, lambda exc, args: _single_sample_tools(exc, args, fn))
    if not feedback.passed:
        return feedback
    loops = python_loops(fn)
    if loops:
        return Feedback(
            "batched_jacobian",
            "wrong",
            _(
                "right numbers, but your code has a Python loop ({loops}) and the exercise asks for "
                "none: build all N matrices at once, h[:, :, None] * (np.eye(C) − h[:, None, :])"
            ).format(loops=", ".join(loops)),
            feedback.see,
        )
    if loops is None:  # no source to read (code built at run time): promise nothing about loops
        return Feedback(
            "batched_jacobian",
            "correct",
            _("right: (N, C, C), each slice diag(h) − h hᵀ of its own row, also for large logits"),
        )
    return Feedback(
        "batched_jacobian",
        "correct",
        _(
            "right: (N, C, C), each slice diag(h) − h hᵀ of its own row, also for large logits, "
            "and without a Python loop"
        ),
    )


def _single_sample_tools(exc, args, fn=None):
    """np.outer and np.diag on a batch: outer flattens (N·C, N·C), diag takes the matrix's diagonal.

    Also h @ h.T on a batch, (N, N), and np.eye(N) where eye(C) belongs, both (N, N) in the error."""
    (z,) = args
    N, C = np.shape(z)
    text = str(exc)
    source = " ".join(_source_lines(fn)) if fn is not None else ""
    if (
        isinstance(exc, ValueError)
        and "broadcast" in text
        and re.search(r"@\s*[\w.\[\]:, ]*?\.T\b", source)
        and not re.search(r"eye\(\s*(len\(|N\b|z\.shape\[0\]|n\b)", source)
    ):
        return _(
            "h @ h.T on a batch is ({N}, {N}): it dots every sample's h with every other sample's; "
            "each slice needs its own sample's outer product h_n h_nᵀ, (N, C, C) for all of them at "
            "once: h[:, :, None] * h[:, None, :]"
        ).format(N=N)
    if (
        isinstance(exc, ValueError)
        and "broadcast" in text
        and f"({N},{N})" in text.replace(" ", "")
        and N != C
    ):
        return _(
            "eye(N) where the Jacobian needs eye(C): np.eye(len(z)) has one row per sample, ({N}, {N}); "
            "the Kronecker delta runs over the classes, np.eye(z.shape[1]) is ({C}, {C})"
        ).format(N=N, C=C)
    if isinstance(exc, ValueError) and "broadcast" in str(exc) and f"{N * C}" in str(exc):
        return _(
            "np.outer and np.diag are for one vector: on a batch (N, C), np.outer flattens both to "
            "(N·C, N·C) and np.diag returns the matrix's diagonal; broadcast instead, "
            "h[:, :, None] * h[:, None, :] is every row's h hᵀ at once"
        )
    return None


def _hvp(z, v):
    h = softmax(z)
    return h * v - h * np.dot(h, v)


def check_lse_hvp(fn):
    """Exercise: the Hessian of log-sum-exp times ``v``, for one sample, without forming the matrix."""
    cases = [
        (normal(9, 4), normal(10, 4)),
        (normal(11, 6), normal(12, 6)),
        (np.array([800.0, 0.0, -3.0, 1.0]), normal(15, 4)),  # exp overflows without the max shift
    ]
    raised = []
    feedback = run_checks(
        "lse_hvp",
        recording(fn, raised),
        cases,
        _hvp,
        hvp_mistakes(),
        section=see("03_kronecker_delta", "J is the Hessian of log-sum-exp"),
        own=(softmax_jacobian,),
        success=_("right: (diag(h) − h hᵀ) v, which h ⊙ v − h ⟨h, v⟩ computes in O(C) without building J"),
    )
    if not feedback.passed:
        return feedback
    # "In O(C), without the matrix": measure what the function allocates at C = 1000, where one
    # C × C matrix of floats takes 8 MB and a few vectors take some 10 kB.
    C = _MEMORY_C
    peak = peak_bytes(fn, normal(13, C), normal(14, C))
    if peak is not None and peak > C * C * 8 / 4:
        return Feedback(
            "lse_hvp",
            "wrong",
            _(
                "right numbers, but at C = {C} your function allocates {mb:.1f} MB, the size of a "
                "C × C matrix: the exercise asks for O(C) without building J; expand "
                "(diag(h) − h hᵀ) v into h ⊙ v − h ⟨h, v⟩"
            ).format(C=C, mb=peak / 1e6),
            feedback.see,
        )
    if peak is None:  # memory could not be measured here: promise nothing about it
        return Feedback("lse_hvp", "correct", _("right: (diag(h) − h hᵀ) v = h ⊙ v − h ⟨h, v⟩"))
    return feedback


def uniform_spectrum_choice(eigenvalues):
    """Which choice of the notebook's prediction the eigenvalues of ``J`` at ``h = 1/C`` pick out.

    ``eigenvalues`` (C,), in any order. The choices, in order: 0 once and ``1/C − 1/C²`` (the
    diagonal entries of J) C − 1 times; 0 once and C − 1 values in (0, 1/C] not all equal; 0 once
    and ``1/C`` C − 1 times; 0 C − 1 times and ``1/C`` once. Anything else raises ``ValueError``.
    """
    eig = np.asarray(eigenvalues, dtype=float)
    if eig.ndim != 1 or eig.size < 3:
        raise ValueError(f"eigenvalues must be a vector of C >= 3 numbers, got shape {eig.shape}")
    eig, C = np.sort(eig), eig.size

    def close(expected):
        return np.allclose(eig, expected, rtol=0, atol=1e-12)

    if close(np.r_[0.0, np.full(C - 1, 1 / C - 1 / C**2)]):
        return 0
    if close(np.r_[0.0, np.full(C - 1, 1 / C)]):
        return 2
    if close(np.r_[np.zeros(C - 1), 1 / C]):
        return 3
    rest = eig[1:]
    if abs(eig[0]) < 1e-12 and rest.min() > 1e-12 and rest.max() <= 1 / C + 1e-12 and np.ptp(rest) > 1e-12:
        return 1
    raise ValueError(f"the eigenvalues {eig} are none of the choices for C = {C}")


_MEMORY_C = 1000


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
