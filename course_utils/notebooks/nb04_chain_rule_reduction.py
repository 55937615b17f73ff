"""Companion of notebook 04 · The chain-rule reduction.

The VJP stepper, an operation counter, the learner's backward pass as shown, and the checkers of
its exercises. The counter lives in ``_nb04_counting`` and the listing in ``_nb04_listing``; the
notebooks reach both through this module.
"""

import tracemalloc

import numpy as np

from .. import svg
from ..gradcheck import rel_error
from ..i18n import _, lazy_
from ..palette import COLORS
from ..softmax import softmax, softmax_jacobian, softmax_vjp
from . import _recheck_a as recheck_a
from ._checking import N_BY_ONE, Exercise, Feedback, hidden_rng, normal, run_checks, see
from ._guard import PEAK_ATTRIBUTE
from ._nb04_counting import count_operations as count_operations  # notebooks 04 and 05 count with it
from ._nb04_listing import _LISTING as _LISTING  # the words the listing translates (tested)
from ._nb04_listing import listing as listing
from ._nb04_mistakes import _delta2_typed_mistakes, _vjp_typed_mistakes, row_sum_hint
from ._nb04_prediction import passing_choice as passing_choice  # the notebook's prediction
from ._prediction import Prediction  # noqa: F401 - the notebook's committed prediction
from ._view import DEFAULT_LOGITS, LiveView, logits, upstream
from ._view import DEFAULT_UPSTREAM as DEFAULT_UPSTREAM  # the notebook's g
from ._when_raised import limited, replies_when_stalled

VJP_STEPS = (
    ("g = dL/dh", lazy_("the upstream gradient, one entry per output")),
    ("h = softmax(z)", lazy_("the forward output, kept from the forward pass")),
    ("g ⊙ h", lazy_("elementwise products g_i h_i")),
    ("⟨g, h⟩", lazy_("their sum: one number per sample")),
    ("g − ⟨g, h⟩", lazy_("subtract it from every entry of g")),
    ("dz = h ⊙ (g − ⟨g, h⟩)", lazy_("scale by h: the answer, equal to g J")),
)


def vjp_steps(z, g):
    """The reduction ``dz = h ⊙ (g − <g, h>)`` for one sample, one intermediate vector per step.

    Returns a list of dicts ``name, note, value`` (value a (C,) array; the scalar <g, h> is
    repeated C times so that every step draws the same way) and, last, the full-Jacobian result.
    """
    z, g = logits(z), np.asarray(g, dtype=np.float64)
    if g.shape != z.shape:
        raise ValueError(f"the upstream gradient g must have the shape of z, {z.shape}; got {g.shape}")
    h = softmax(z)
    gh = g * h
    dot = gh.sum()
    values = [g, h, gh, np.full_like(g, dot), g - dot, h * (g - dot)]
    steps = [{"name": n, "note": note, "value": v} for (n, note), v in zip(VJP_STEPS, values)]
    return {"steps": steps, "via_jacobian": g @ softmax_jacobian(z), "vjp": softmax_vjp(z, g)}


def _step_index(state, k):
    n = len(state["steps"])
    if not (isinstance(k, (int, np.integer)) and 0 <= k < n):
        raise ValueError(f"step index k must be an integer in [0, {n}), got {k!r}")
    return int(k)


def describe_vjp_step(state, k):
    k = _step_index(state, k)
    step = state["steps"][k]
    fields = {"k": k + 1, "n": len(state["steps"]), "name": step["name"], "note": step["note"]}
    if k == len(state["steps"]) - 1:
        err = rel_error(step["value"], state["via_jacobian"])
        same = _("yes") if err < 1e-12 else _("NO")
        return _("step {k} of {n}: {name}, {note}. Same as g J built the long way: {same}").format(
            same=same, **fields
        )
    return _("step {k} of {n}: {name}, {note}").format(**fields)


@svg.picture
def draw_vjp_step(state, k):
    """Step ``k`` (counted from 0) of the reduction and the two before it, as bar charts."""
    k = _step_index(state, k)
    top = max(np.abs(s["value"]).max() for s in state["steps"]) * 1.25
    shown = state["steps"][max(0, k - 2) : k + 1]
    return svg.row(
        *[
            svg.bar_chart(
                s["value"],
                title=s["name"],
                ylim=(-top, top),
                color=COLORS["analytic" if s is state["steps"][k] else "neutral"],
            )
            for s in shown
        ]
    )


def vjp_widget(z=DEFAULT_LOGITS, g=None):
    import ipywidgets as w

    state = vjp_steps(z, upstream(len(z)) if g is None else g)
    n = len(state["steps"])
    controls = {"step": w.IntSlider(value=n, min=1, max=n, description=_("step"))}
    return LiveView(
        controls,
        compute=lambda step: state,
        draw=lambda s, step: draw_vjp_step(s, step - 1),
        describe=lambda s, step: describe_vjp_step(s, step - 1),
    )


def _changed_argument(exercise, fn, args, names):
    """Feedback naming the argument ``fn`` changed in place on ``args``, or None."""
    mine = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    try:
        with np.errstate(all="ignore"):
            limited(fn, *mine)  # an endless loop stops here too: check_* then says so
    except (Exception, SystemExit):  # run_checks reports what the function raised
        return None
    for name, before, after in zip(names, args, mine):
        if isinstance(before, np.ndarray) and not np.array_equal(before, after, equal_nan=True):
            return Feedback(
                exercise,
                "wrong",
                _(
                    "your function changed its argument {name} in place: a line like `d = {name}` "
                    "gives the same array a second name, so writing into d rewrites {name} (and "
                    "whatever the caller computes from it later); start from {name}.copy()"
                ).format(name=name),
                see("04_chain_rule_reduction", "(N, C) or (N, 1)? The learner's equation 1"),
            )
    return None


# A large C makes a C × C array stand out: 600² floats are 2.9 MB, the rows themselves 14 kB.
_BIG_C = 600


# A large N makes an N × N array stand out the same way: 2000² floats are 32 MB, the rows 64 kB.
_BIG_N = 2000


def _jacobian_allocated(fn, shape=(3, _BIG_C)):
    """The peak memory, in bytes, of ``fn(z, g)`` on rows of ``shape`` (3 rows of 600 classes), and
    that of the rows."""
    z, g = normal(31, shape), normal(32, shape)
    measured = getattr(fn, PEAK_ATTRIBUTE, None)
    if callable(measured):  # the grader's stand-in: measured in the sandbox, where fn really runs
        try:
            with np.errstate(all="ignore"):
                return measured(z, g), z.nbytes
        except (Exception, SystemExit):
            return 0, z.nbytes
    running = tracemalloc.is_tracing()
    if not running:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    try:
        with np.errstate(all="ignore"):
            limited(fn, z, g)
    except (Exception, SystemExit):
        return 0, z.nbytes
    finally:
        peak = tracemalloc.get_traced_memory()[1] - base
        if not running:
            tracemalloc.stop()
    return peak, z.nbytes


@replies_when_stalled("vjp_rows")
def check_vjp(fn):
    """Exercise: ``vjp(z, g)``, rows of ``dL/dz`` from rows ``g = dL/dh``, both (N, C), in O(C)."""
    cases = [
        (normal(13, (4, 5)), normal(14, (4, 5))),
        (normal(15, (3, 3)), normal(16, (3, 3))),
        (normal(17, (1, 6)), normal(18, (1, 6))),
        # exp(1000) overflows without the max shift; one max for the batch underflows row 2 to 0/0
        (np.array([[1000.0, 999.0, 998.0, 0.0, 1.0], [-3.0, 2.0, 0.0, 1.0, -1.0]]), normal(21, (2, 5))),
    ]

    def rows_sum_axis0(z, g):
        h = softmax(z)
        return h * (g - np.sum(g * h, axis=0, keepdims=True))

    def no_keepdims(z, g):
        h = softmax(z)
        return h * (g - np.sum(g * h, axis=1))

    mistakes = [
        (
            lambda z, g: g * softmax(z) * (1 - softmax(z)),
            _(
                "that is g times the diagonal h(1 − h) only: the off-diagonal −h_i h_j terms add "
                "−h_j ⟨g, h⟩; use h ⊙ (g − ⟨g, h⟩)"
            ),
        ),
        (
            lambda z, g: softmax(z) * (g - g.sum(axis=1, keepdims=True)),
            _("⟨g, h⟩ is Σ_i g_i h_i, not Σ_i g_i"),
        ),
        (
            lambda z, g: g - np.sum(g * softmax(z), axis=1, keepdims=True),
            _("the factor h_j is missing in front: dz = h ⊙ (g − ⟨g, h⟩)"),
        ),
        (
            rows_sum_axis0,
            _("⟨g, h⟩ must be taken per sample: sum over axis=1 (the classes), not axis=0 (the batch)"),
        ),
        (
            no_keepdims,
            _("np.sum(..., axis=1) has shape (N,) and was broadcast across columns: add keepdims=True"),
            N_BY_ONE,
        ),
    ]
    mistakes += [
        (
            lambda z, g: softmax(z) * (g - np.mean(g * softmax(z), axis=1, keepdims=True)),
            _("⟨g, h⟩ is the sum Σ_i g_i h_i, not its mean: np.sum, not np.mean"),
        ),
        (
            lambda z, g: softmax(z) * (g - np.sum(g * z, axis=1, keepdims=True)),
            _("⟨g, h⟩ multiplies g by h = softmax(z), not by the logits z"),
        ),
        (
            lambda z, g: g @ softmax_jacobian(z[0]),
            _("every row went through the first sample's Jacobian: each row n has its own h_n and J_n"),
        ),
    ]
    mistakes += _vjp_typed_mistakes() + recheck_a.vjp_mistakes()
    section = see("04_chain_rule_reduction", "The reduction")
    changed = _changed_argument("vjp_rows", fn, cases[0], ("z", "g")) if callable(fn) else None
    if changed:
        return changed
    verdict = run_checks(
        "vjp_rows",
        fn,
        cases,
        softmax_vjp,
        mistakes,
        [row_sum_hint("h ⊙ (g − ⟨g, h⟩)")],
        section=section,
        own=(softmax_vjp, softmax_jacobian),
        success=_(
            "right: the rows of g J, which h ⊙ (g − ⟨g, h⟩) gives in O(C) per row, without any C × C "
            "or N × N matrix"
        ),
    )
    if verdict.passed:
        peak, rows = _jacobian_allocated(fn)
        if peak > 0.25 * _BIG_C**2 * 8:  # a quarter of one C × C array of floats, 100 times the rows
            return Feedback(
                "vjp_rows",
                "wrong",
                _(
                    "right numbers, but your function builds a C × C matrix: on 3 rows of C = {C} "
                    "classes it needed {mb:.1f} MB at its peak, where the rows themselves take {kb:.0f} kB "
                    "(np.outer, np.diag, a Jacobian in np.einsum...); the exercise asks for g J without "
                    "any Jacobian: h ⊙ (g − ⟨g, h⟩) needs only arrays shaped like z"
                ).format(C=_BIG_C, mb=peak / 1e6, kb=rows / 1e3),
                section,
            )
        peak, rows = _jacobian_allocated(fn, (_BIG_N, 4))
        if peak > 0.25 * _BIG_N**2 * 8:
            return Feedback(
                "vjp_rows",
                "wrong",
                _(
                    "right numbers, but your function builds an N × N matrix: on N = {N} rows of 4 "
                    "classes it needed {mb:.1f} MB at its peak, where the rows themselves take {kb:.0f} "
                    "kB (np.diag(g @ h.T) computes every pair of samples' products to keep the N on "
                    "the diagonal): that is O(N) per row, not O(C); take ⟨g, h⟩ row by row, "
                    "np.sum(g * h, axis=1, keepdims=True)"
                ).format(N=_BIG_N, mb=peak / 1e6, kb=rows / 1e3),
                section,
            )
    return verdict


def _delta2(a2, y):
    N = a2.shape[0]
    d = a2.copy()
    d[np.arange(N), y] -= 1
    return d / N


def _learner_da2(a2, y):
    """The learner's 'derivative of softmax': row y_n of each Jacobian, h_y (δ_{y j} − h_j)."""
    N = a2.shape[0]
    da2 = -a2.copy()
    da2[np.arange(N), y] += 1
    return da2 * a2[np.arange(N), y][:, None]


def _overwritten(a2, y):
    d = a2.copy()
    d[np.arange(a2.shape[0]), y] = -1
    return d / a2.shape[0]


@replies_when_stalled("delta2")
def check_delta2(fn):
    """Exercise: eq. 1 done right, ``delta2(a2, y)`` = dL/dz2 (N, C) of the mean cross-entropy."""
    probs = softmax(normal(19, (5, 4)))
    cases = [
        (probs, np.array([0, 3, 1, 1, 3])),  # class 2 is nobody's label, so d[:, y] differs from a2 − 1
        (softmax(normal(20, (3, 3))), np.array([2, 2, 0])),
    ]

    def elementwise(a2, y):
        N = a2.shape[0]
        mask = np.zeros(a2.shape)
        mask[np.arange(N), y] = 1
        return ((1 / a2) * mask) * _learner_da2(a2, y) / N

    mistakes = [
        (
            elementwise,
            _(
                "only the label column is non-zero: an elementwise product where the chain rule needs a "
                "sum over i; the learner's commented line, −(1/h_y)·(row y of J)/N, does that sum"
            ),
        ),
        (
            lambda a2, y: -_delta2(a2, y),
            _("the sign is flipped: dL/dh_y = −1/h_y; keep the minus and you get (h − t)/N"),
        ),
        (
            lambda a2, y: a2.shape[0] * _delta2(a2, y),
            _("N times too large: where did the 1/N of the mean go?"),
        ),
        (
            lambda a2, y: (_delta2(a2, y) * a2.shape[0]).sum(axis=1, keepdims=True) / a2.shape[0],
            _("shape (N, 1): the upstream gradient has one entry per class, shape (N, C)"),
        ),
    ]
    mistakes += [
        (
            lambda a2, y: _delta2(a2, (y - 1) % a2.shape[1]),
            _(
                "the 1 is subtracted one class to the left of the label: did you write y − 1? The "
                "labels here count from 0 already"
            ),
        ),
        (
            lambda a2, y: (a2 - np.isin(np.arange(a2.shape[1]), y)) / a2.shape[0],
            _(
                "1 is subtracted in every row at every label of the batch: d[:, y] (or an index shaped "
                "(N, 1)) picks the whole N × N grid of rows and labels; pair each row with its own label: "
                "d[np.arange(N), y]"
            ),
        ),
        (
            lambda a2, y: a2 / a2.shape[0],
            _("that is a2/N: subtract 1 at each row's label (the t in (a2 − t)/N)"),
        ),
        (
            lambda a2, y: _overwritten(a2, y),
            _(
                "the label entry is set to −1/N instead of lowered by 1/N: d[rows, y] = −1 overwrites "
                "h_y; subtract instead, d[rows, y] -= 1"
            ),
        ),
    ]
    mistakes += _delta2_typed_mistakes()
    changed = _changed_argument("delta2", fn, cases[0], ("a2", "y")) if callable(fn) else None
    if changed:
        return changed
    return run_checks(
        "delta2",
        fn,
        cases,
        _delta2,
        mistakes,
        [row_sum_hint("(a2 − t)/N")],
        section=N_BY_ONE,
        success=_("(a2 − t)/N: the N × 1 column times row y of each Jacobian, summed, is exactly this"),
    )


GRADED = [
    Exercise(
        "vjp_rows",
        "vjp_rows",
        check_vjp,
        softmax_vjp,
        lambda: (hidden_rng(8).normal(size=(5, 7)), hidden_rng(9).normal(size=(5, 7))),
    ),
    Exercise(
        "delta2",
        "delta2",
        check_delta2,
        _delta2,
        lambda: (softmax(hidden_rng(10).normal(size=(6, 5))), np.array([4, 4, 0, 1, 2, 4])),
    ),
]
"""The exercises of notebook 04, as the teacher's grader scores them."""
