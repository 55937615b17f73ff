r"""Gradient checking: compare an analytic gradient with finite differences of the loss.

* :func:`rel_error` is the one relative error the course uses.
* :func:`check_gradients` checks every tensor of a network quickly: all entries of small tensors,
  a sample of the entries of large ones (the largest analytic entries and random ones), and random
  directional derivatives over each whole tensor, which no bug in the gradient can hide from.
  An entry whose step crosses a kink (ReLU at exactly 0) is reported as not checkable, not failed.
  The check of one tensor is in :mod:`course_utils.gradcheck_tensor`.
* :func:`numerical_gradient` (from :mod:`course_utils.finite_differences`) perturbs every entry.
"""

from dataclasses import dataclass

import numpy as np

from . import _checks
from .finite_differences import DEFAULT_EPS, float_param, numerical_gradient
from .gradcheck_float64 import FLOAT32_GRADIENT_TOL, MAX_VERDICT_TOL, factor_range, in_float64
from .gradcheck_report import GradCheckReport, Note, TensorCheck
from .gradcheck_tensor import (  # noqa: F401 - some only stay importable from here, as before
    DIRECTION_STEP_FACTOR,
    SMALL_ENTRY_FRACTION,
    _at_kink,
    _check_directions,
    _check_tensor,
    _entry_error,
    _pick_coords,
    _Settings,
)
from .i18n import N_

__all__ = ["DEFAULT_EPS", "DEFAULT_TOL", "GradCheckReport", "TensorCheck", "check_gradients"]
__all__ += ["numerical_gradient", "rel_error"]

# Tolerances on the relative error of check_gradients. In float32 the finite differences of a
# mean cross-entropy carry errors of a few percent on single weights (round-off of the loss divided
# by a step that cannot be small): 1e-1 is what they resolve, too coarse for a verdict of "passed"
# (see gradcheck_float64), so a float32 check is evaluated in float64 whenever the loss allows it.
DEFAULT_TOL = {np.dtype(np.float64): 1e-5, np.dtype(np.float32): 1e-1}


def _as_numbers(x, name):
    """A real (float64) or complex (complex128) array; strings and objects are refused."""
    arr = np.asarray(x)
    if arr.dtype.kind == "c":
        return arr.astype(np.complex128)
    if arr.dtype.kind not in "biuf":
        raise _checks.DTypeError(f"{name} must hold numbers, got an array of dtype {arr.dtype}")
    return arr.astype(np.float64)


def rel_error(a, b):
    r"""Relative error between two arrays of the same shape, by norms.

    .. math:: \operatorname{rel}(a, b) = \frac{\lVert a - b \rVert_2}{\lVert a \rVert_2 + \lVert b \rVert_2}

    0 means equal, 1 means no agreement at all (for example ``b = 0`` or ``b = -a``); 0 when both are
    zero. Unlike an entry-by-entry maximum, tiny entries that are pure round-off cannot inflate it.
    Both arrays are divided by their largest entry first, so entries near 1e300 or 1e-300 neither
    overflow nor underflow. Complex arrays are compared with their imaginary parts, never dropped.

    Parameters
    ----------
    a, b : ndarray, the same shape, real or complex

    Returns
    -------
    float, in [0, 1] (NaN when either holds a NaN)
    """
    a, b = _as_numbers(a, "a"), _as_numbers(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"rel_error needs two arrays of the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    with np.errstate(invalid="ignore"):
        scale = max(np.max(np.abs(a)), np.max(np.abs(b)))
    if np.isnan(scale):
        return float("nan")
    if scale == 0:
        return 0.0
    if np.isinf(scale):  # an inf against a finite number: no agreement; inf against the same inf: equal
        return 0.0 if np.array_equal(a, b) else 1.0
    a, b = a / scale, b / scale
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


def _real_gradient(g, name):
    g = np.asarray(g)
    if g.dtype.kind == "c":
        raise _checks.DTypeError(
            f"grads[{name!r}] must hold real numbers, got dtype {g.dtype}: the gradient of a real loss "
            "with respect to real weights is real, so a complex number crept in (keep np.real only if "
            "every imaginary part is 0)"
        )
    if g.dtype.kind not in "biuf":
        raise _checks.DTypeError(
            f"grads[{name!r}] must be an array of real numbers, got dtype {g.dtype}; "
            "build gradients with numpy operations, not Python objects"
        )
    return g


def check_gradients(
    loss, params, grads, *, eps=None, tol=None, n_coords=24, n_directions=4, full_check_max=256, seed=0
):
    r"""Check analytic gradients of every parameter tensor against finite differences of ``loss``.

    For each tensor ``W`` with analytic gradient ``G``:

    * entries: every entry if ``W.size <= full_check_max`` (or ``n_coords >= W.size``), otherwise
      ``n_coords`` entries, half at the largest ``|G|`` and half at random. Each is compared by
      :math:`|n - a| / \max(|n| + |a|,\ 10^{-2} \max|G|,\ r/\text{tol})`, where ``r`` is the
      resolution of the step (:func:`~course_utils.finite_differences.resolution`): an absolute
      floor, so that a correct gradient of exactly 0 passes.
    * directions: ``n_directions`` random Gaussian directions ``u`` over the whole tensor, comparing
      :math:`(L(W + s u) - L(W - s u)) / 2s` with :math:`\langle G, u\rangle`, relative to
      :math:`|\langle G, u\rangle| + \lVert G \rVert`. A bug anywhere in ``G``, even in entries
      the sample missed, moves this by about its norm.

    A check that fails is repeated with steps ten times smaller and ten times larger and keeps the
    best result: a ReLU kink inside the step or round-off in the loss is a finite-difference
    artefact that one of them avoids; a wrong analytic gradient fails at every step. An entry that
    still fails is tested for a kink *at* the point (ReLU at exactly 0): there the two one-sided
    differences disagree by an amount that does not shrink with the step. Such an entry, when its
    analytic value lies between the two one-sided slopes, is reported as "at a kink, not
    checkable" rather than as a failure (``pre > 0`` and ``pre >= 0`` are both right there); a
    value outside them still fails. Costs about ``2 * (n_coords + n_directions)`` loss evaluations
    per large tensor.

    Parameters
    ----------
    loss : callable
        ``loss()`` takes no argument, reads the arrays in ``params`` and returns a real scalar.
    params : dict name -> ndarray (float32 or float64)
        Perturbed in place and restored exactly (float32 ones: float64 copies of them, swapped into
        the dict during the check, are perturbed; the dict holds its own arrays again afterwards).
    grads : dict name -> ndarray of real numbers
        Analytic gradients, each of the shape of ``params[name]``. Complex or object arrays raise
        TypeError.
    eps : float, optional
        Coordinate step; 1e-5 for float64, 1e-3 for float32. A step that rounds away next to a
        weight (below the spacing of its dtype there) raises ValueError.
    tol : float, optional
        Largest relative error that passes; 1e-5 for float64. For float32 parameters the loss
        is re-run on float64 copies of them when it reads them from ``params`` at each call (see
        :mod:`~course_utils.gradcheck_float64`), and the float32 gradients must agree to 1e-3;
        when it cannot be, float32 differences resolve only 1e-1, and a check that finds nothing
        wrong is reported as inconclusive, never as passed. So is any check with ``tol`` above
        1e-2, which would let a whole tensor wrong by the course's smallest factor (10/9) pass.
    n_coords, n_directions, full_check_max : int, >= 0
        How many entries and directions to check per large tensor, and the size up to which a
        tensor is checked entry by entry in full.
    seed : int
        Seeds the sample of entries and the directions, so a report is reproducible.

    Returns
    -------
    GradCheckReport
        ``.ok`` (True only for a verdict of passed), ``.verdict`` ("passed", "failed" or
        "inconclusive"), ``.errors``, ``.ratios``, ``.kinks`` and a readable table, one line per
        tensor.
    """
    if not isinstance(params, dict) or not isinstance(grads, dict):
        raise _checks.DTypeError(
            f"params and grads must be dicts name -> ndarray, got {type(params).__name__} and "
            f"{type(grads).__name__}"
        )
    if not params:
        raise ValueError("params is empty: there is nothing to check")
    for name, p in params.items():
        float_param(p, f"params[{name!r}]")
    if not callable(loss):
        raise _checks.DTypeError(f"loss must be a function of no argument, got {type(loss).__name__}")
    dtypes = {p.dtype for p in params.values()}
    dtype = np.dtype(np.float32) if np.dtype(np.float32) in dtypes else np.dtype(np.float64)
    eps = None if eps is None else _checks.positive_number(eps, "eps")
    tol = None if tol is None else _checks.positive_number(tol, "tol")
    n_coords = _checks.count(n_coords, "n_coords")
    n_directions = _checks.count(n_directions, "n_directions")
    full_check_max = _checks.count(full_check_max, "full_check_max")
    if n_coords == 0 and n_directions == 0:
        raise ValueError("n_coords and n_directions are both 0: a large tensor would not be checked at all")
    checked_grads = {name: _real_gradient(g, name) for name, g in grads.items() if g is not None}
    counts = _Counts(n_coords, n_directions, full_check_max)
    if dtype == np.float64:
        tol = DEFAULT_TOL[dtype] if tol is None else tol
        return _check_all(loss, params, checked_grads, grads, counts, eps, tol, seed, "float64", None)
    evals = [0]

    def counted(f=loss):
        evals[0] += 1
        return f()

    # float32: compare the gradients with finite differences of the loss in float64 if possible.
    with in_float64(counted, params, seed) as reason:
        if reason is None:
            tol = FLOAT32_GRADIENT_TOL if tol is None else tol
            checked = "float64"
        else:
            tol = DEFAULT_TOL[dtype] if tol is None else tol
            checked = "float32"
        report = _check_all(loss, params, checked_grads, grads, counts, eps, tol, seed, checked, reason)
    report.dtype, report.n_loss_evals = "float32", report.n_loss_evals + evals[0]
    return report


@dataclass(frozen=True)
class _Counts:
    n_coords: int
    n_directions: int
    full_check_max: int


def _check_all(loss, params, checked_grads, grads, counts, eps, tol, seed, checked, reason):
    """Check every tensor of ``params``, whose arrays are all of dtype ``checked``, and report."""
    eps = DEFAULT_EPS[np.dtype(checked)] if eps is None else eps
    rng = np.random.default_rng(seed)
    evals = 0
    base = []  # the loss at the unperturbed point, computed once if a kink test needs it

    def counted_loss():
        nonlocal evals
        evals += 1
        return loss()

    def base_loss():
        if not base:
            from .finite_differences import scalar_loss

            base.append(scalar_loss(counted_loss))
        return base[0]

    report_tensors = {}
    for name, p in params.items():
        g = checked_grads.get(name)
        if g is None:
            report_tensors[name] = TensorCheck(
                name, p.shape, np.inf, False, note=Note(N_("no analytic gradient given for it"))
            )
            continue
        if g.shape != p.shape:
            report_tensors[name] = TensorCheck(
                name,
                p.shape,
                np.inf,
                False,
                note=Note(
                    N_("shape mismatch: gradient {grad}, parameter {param}"), grad=g.shape, param=p.shape
                ),
            )
            continue
        if not np.all(np.isfinite(g)):
            report_tensors[name] = TensorCheck(
                name, p.shape, np.inf, False, note=Note(N_("the analytic gradient holds NaN or inf"))
            )
            continue
        settings = _Settings(
            eps, tol, counts.n_coords, counts.n_directions, counts.full_check_max, rng, base_loss
        )
        report_tensors[name] = _check_tensor(counted_loss, name, p, g.astype(np.float64), settings)
    for name in grads:
        if name not in params:
            report_tensors[name] = TensorCheck(
                name,
                np.shape(grads[name]),
                np.inf,
                False,
                note=Note(N_("a gradient for a parameter that does not exist")),
            )
    doubts = []
    if reason is not None:
        doubts.append(Note(reason[0], **reason[1]))
    compared = [t for t in report_tensors.values() if not t.note]
    blind = [t.name for t in compared if t.n_coords and t.kinks == t.n_coords]
    if compared and len(blind) == len(compared):
        # Not one entry of any tensor was compared, and directions alone do not make a verdict:
        # where every entry's one-sided differences disagree (a kink, or a loss that rounds to flat
        # steps), a direction's may agree by chance. (One tensor at a kink among checked ones is
        # reported as "passed; ... at a kink, not checkable".)
        doubts.append(
            Note(
                N_(
                    "no entry of {names} could be checked: the one-sided differences disagreed at "
                    "every one (a kink, or a loss that rounds, such as log(1 - h) with h near 1)"
                ),
                names=", ".join(blind),
            )
        )
    if tol > MAX_VERDICT_TOL:
        low, high = factor_range(tol)
        doubts.append(
            Note(
                N_(
                    "a tolerance of {tol:.0e} lets a whole tensor wrong by any factor between {low:.2f} "
                    "and {high:.2f} pass (the binary cost on a 10-class softmax is off by 10/9 = 1.11); "
                    "keep the default tolerance"
                ),
                tol=tol,
                low=low,
                high=high,
            )
        )
    return GradCheckReport(
        tol=tol,
        dtype=checked,
        n_loss_evals=evals,
        tensors=report_tensors,
        differences_in=checked,
        doubts=tuple(doubts),
    )
