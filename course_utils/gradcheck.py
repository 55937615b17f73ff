r"""Gradient checking: compare an analytic gradient with finite differences of the loss.

* :func:`numerical_gradient` perturbs every entry (exact but slow: two loss evaluations per entry).
* :func:`rel_error` is the one relative error the course uses.
* :func:`check_gradients` checks every tensor of a network quickly: all entries of small tensors,
  a sample of the entries of large ones (the largest analytic entries and random ones), and random
  directional derivatives over each whole tensor, which no bug in the gradient can hide from.
"""

from dataclasses import dataclass, field

import numpy as np

from . import _checks

# Central-difference steps. Round-off in the loss grows like (machine epsilon / step) and the
# truncation error like step**2, so the best step sits near the cube root of machine epsilon.
DEFAULT_EPS = {np.dtype(np.float64): 1e-5, np.dtype(np.float32): 1e-3}
# Tolerances on the relative error of check_gradients. In float32 the finite differences of a
# mean cross-entropy carry errors of a few percent on single weights (round-off of the loss divided
# by a step that cannot be small), so a float32 check only catches gross bugs; check in float64.
DEFAULT_TOL = {np.dtype(np.float64): 1e-5, np.dtype(np.float32): 1e-1}
# A directional check moves every entry of a tensor at once (by step * N(0, 1)); the step is
# smaller than a coordinate step so that it rarely carries a ReLU unit across its kink.
DIRECTION_STEP_FACTOR = 1e-2
# Entries whose gradient is below this fraction of the tensor's largest entry are compared in
# absolute terms against that fraction: their relative error would only measure round-off.
SMALL_ENTRY_FRACTION = 1e-2


def _float_param(x, name):
    if not isinstance(x, np.ndarray):
        raise ValueError(
            f"{name} must be a numpy array that can be perturbed in place, got {type(x).__name__}"
        )
    if x.dtype not in DEFAULT_EPS:
        raise ValueError(
            f"{name} must be float32 or float64 to be perturbed by a small step, got dtype {x.dtype}"
        )
    if not x.flags.writeable:
        raise ValueError(f"{name} must be writeable: the check perturbs it in place and restores it")
    return x


def _scalar_loss(f):
    value = f()
    if np.ndim(value) != 0:
        raise ValueError(f"the loss function must return a scalar, got an array of shape {np.shape(value)}")
    return float(value)


def _central_difference_at(f, x, idx, eps):
    """(f(x + step e_idx) - f(x - step e_idx)) / (2 step), with the step actually taken."""
    old = x[idx]
    try:
        x[idx] = old + eps
        up = x[idx]
        f_up = _scalar_loss(f)
        x[idx] = old - eps
        down = x[idx]
        f_down = _scalar_loss(f)
    finally:
        x[idx] = old
    # In float32, old + eps is rounded: divide by the step that was really taken.
    return (f_up - f_down) / (float(up) - float(down))


def numerical_gradient(f, x, eps=None):
    r"""Central-difference gradient of a scalar function with respect to every entry of ``x``.

    .. math:: \frac{\partial f}{\partial x_k}
              \approx \frac{f(x + \varepsilon e_k) - f(x - \varepsilon e_k)}{2\varepsilon}

    The error is :math:`O(\varepsilon^2)` from truncation plus round-off of order
    :math:`u\,|f| / \varepsilon` (``u`` the machine epsilon). Costs ``2 * x.size`` calls of ``f``.

    Parameters
    ----------
    f : callable
        ``f()`` takes no argument, reads ``x`` and returns a scalar.
    x : ndarray, any shape, float32 or float64
        Perturbed in place, one entry at a time, and restored exactly, even if ``f`` raises.
    eps : float, optional
        The step; by default 1e-6 for float64 and 1e-3 for float32.

    Returns
    -------
    grad : ndarray, shape and dtype of ``x``
    """
    x = _float_param(x, "x")
    if eps is None:
        eps = DEFAULT_EPS[x.dtype]
    if not eps > 0:
        raise ValueError(f"eps must be a positive step, got {eps}")
    grad = np.zeros(x.shape, dtype=np.float64)
    for k in range(x.size):
        idx = np.unravel_index(k, x.shape)
        grad[idx] = _central_difference_at(f, x, idx, eps)
    return grad.astype(x.dtype)


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


@dataclass
class TensorCheck:
    """What :func:`check_gradients` found for one tensor."""

    name: str
    shape: tuple
    error: float
    ok: bool
    n_coords: int = 0
    n_directions: int = 0
    all_coords: bool = False
    ratio: float = float("nan")
    worst_index: tuple = ()
    note: str = ""

    def describe(self):
        if self.note:
            return self.note
        what = "all" if self.all_coords else "sampled"
        text = f"{self.n_coords} {what} entries + {self.n_directions} directions"
        if not self.ok and np.isfinite(self.ratio):
            text += f"; numerical/analytic ~ {self.ratio:.4g}"
        if not self.ok and self.worst_index:
            text += f"; worst entry {self.worst_index}"
        return text


@dataclass
class GradCheckReport:
    """The result of :func:`check_gradients`.

    Attributes
    ----------
    ok : bool
        True when every tensor's error is within ``tol``.
    errors : dict name -> float
        Each tensor's largest relative error (inf for a missing or misshaped gradient).
    ratios : dict name -> float
        Least-squares ratio numerical / analytic over the checked entries: 1 when right; a bug
        that scales a whole tensor shows up as that scale (N for a missing 1/N, ...).
    tensors : dict name -> TensorCheck
    """

    tol: float
    dtype: str
    n_loss_evals: int
    tensors: dict = field(default_factory=dict)

    @property
    def ok(self):
        return all(t.ok for t in self.tensors.values())

    @property
    def errors(self):
        return {name: t.error for name, t in self.tensors.items()}

    @property
    def ratios(self):
        return {name: t.ratio for name, t in self.tensors.items()}

    @property
    def failed(self):
        return [name for name, t in self.tensors.items() if not t.ok]

    def __repr__(self):
        head = "passed" if self.ok else f"FAILED for {', '.join(self.failed)}"
        lines = [
            f"Gradient check {head} (tolerance {self.tol:.0e}, {self.dtype}, "
            f"{self.n_loss_evals} loss evaluations)"
        ]
        if self.dtype == "float32":
            lines.append(
                "  (float32 finite differences are only good to a few percent: "
                "check in float64 for a reliable verdict)"
            )
        width = max([len(n) for n in self.tensors] + [4])
        for t in self.tensors.values():
            # A passing error is finite-difference noise that differs between machines; show the
            # bound it passed, so that a printed report is the same wherever it runs.
            error = f"error < {self.tol:.0e}" if t.ok else f"error {t.error:.1e}"
            lines.append(
                f"  {t.name:<{width}}  {str(t.shape):<12} {'ok  ' if t.ok else 'FAIL'}  "
                f"{error:<14} {t.describe()}"
            )
        return "\n".join(lines)

    __str__ = __repr__


def _pick_coords(a, n_coords, full_check_max, rng):
    """All flat indices of a small tensor; else the largest |a| entries plus uniform random ones."""
    size = a.size
    if size <= full_check_max:
        return np.arange(size), True
    n_top = n_coords // 2
    top = np.argpartition(np.abs(a).ravel(), size - n_top)[size - n_top :]
    rest = np.setdiff1d(np.arange(size), top, assume_unique=True)
    rand = rng.choice(rest, size=n_coords - n_top, replace=False)
    return np.sort(np.concatenate([top, rand])), False


def check_gradients(
    loss, params, grads, *, eps=None, tol=None, n_coords=24, n_directions=4, full_check_max=256, seed=0
):
    r"""Check analytic gradients of every parameter tensor against finite differences of ``loss``.

    For each tensor ``W`` with analytic gradient ``G``:

    * entries: every entry if ``W.size <= full_check_max``, otherwise ``n_coords`` entries, half at
      the largest ``|G|`` and half at random. Each is compared by
      :math:`|n - a| / \max(|n| + |a|,\ 10^{-2} \max|G|)`.
    * directions: ``n_directions`` random Gaussian directions ``u`` over the whole tensor, comparing
      :math:`(L(W + s u) - L(W - s u)) / 2s` with :math:`\langle G, u\rangle`, relative to
      :math:`|\langle G, u\rangle| + \lVert G \rVert`. A bug anywhere in ``G``, even in entries
      the sample missed, moves this by about its norm.

    A check that fails is repeated with steps ten times smaller and ten times larger and keeps the
    best result: a ReLU kink inside the step or round-off in the loss is a finite-difference
    artefact that one of them avoids; a wrong analytic gradient fails at every step. Costs about
    ``2 * (n_coords + n_directions)`` loss evaluations per large tensor.

    Parameters
    ----------
    loss : callable
        ``loss()`` takes no argument, reads the arrays in ``params`` and returns a scalar.
    params : dict name -> ndarray (float32 or float64)
        Perturbed in place and restored exactly.
    grads : dict name -> ndarray
        Analytic gradients, each of the shape of ``params[name]``.
    eps : float, optional
        Coordinate step; 1e-6 for float64, 1e-3 for float32.
    tol : float, optional
        Largest relative error that passes; 1e-5 for float64, 1e-1 for float32 (where only
        gross bugs show: check in float64).
    n_coords, n_directions, full_check_max : int
        How many entries and directions to check per large tensor, and the size up to which a
        tensor is checked entry by entry in full.
    seed : int
        Seeds the sample of entries and the directions, so a report is reproducible.

    Returns
    -------
    GradCheckReport
        ``.ok``, ``.errors``, ``.ratios`` and a readable table, one line per tensor.
    """
    if not isinstance(params, dict) or not isinstance(grads, dict):
        raise ValueError("params and grads must be dicts name -> ndarray")
    if not params:
        raise ValueError("params is empty: there is nothing to check")
    for name, p in params.items():
        _float_param(p, f"params[{name!r}]")
    dtypes = {p.dtype for p in params.values()}
    dtype = np.dtype(np.float32) if np.dtype(np.float32) in dtypes else np.dtype(np.float64)
    eps = DEFAULT_EPS[dtype] if eps is None else eps
    tol = DEFAULT_TOL[dtype] if tol is None else tol
    rng = np.random.default_rng(seed)
    evals = 0
    report_tensors = {}

    def counted_loss():
        nonlocal evals
        evals += 1
        return loss()

    for name, p in params.items():
        g = grads.get(name)
        if g is None:
            report_tensors[name] = TensorCheck(
                name, p.shape, np.inf, False, note="no analytic gradient given for it"
            )
            continue
        g = np.asarray(g)
        if g.shape != p.shape:
            report_tensors[name] = TensorCheck(
                name, p.shape, np.inf, False, note=f"shape mismatch: gradient {g.shape}, parameter {p.shape}"
            )
            continue
        if not np.all(np.isfinite(g)):
            report_tensors[name] = TensorCheck(
                name, p.shape, np.inf, False, note="the analytic gradient holds NaN or inf"
            )
            continue
        g = g.astype(np.float64)
        report_tensors[name] = _check_tensor(
            counted_loss, name, p, g, eps, tol, n_coords, n_directions, full_check_max, rng
        )
    for name in grads:
        if name not in params:
            report_tensors[name] = TensorCheck(
                name,
                np.shape(grads[name]),
                np.inf,
                False,
                note="a gradient for a parameter that does not exist",
            )
    return GradCheckReport(tol=tol, dtype=str(dtype), n_loss_evals=evals, tensors=report_tensors)


def _check_tensor(loss, name, p, g, eps, tol, n_coords, n_directions, full_check_max, rng):
    flat_idx, all_coords = _pick_coords(g, n_coords, full_check_max, rng)
    idxs = [np.unravel_index(k, p.shape) for k in flat_idx]
    a = np.array([g[i] for i in idxs])
    num = np.array([_central_difference_at(loss, p, i, eps) for i in idxs])
    floor = SMALL_ENTRY_FRACTION * max(np.abs(g).max(), np.abs(num).max(), 1e-300)

    def coord_errors(num):
        return np.abs(num - a) / np.maximum(np.abs(num) + np.abs(a), floor)

    errs = coord_errors(num)
    # Retry the entries that failed with other steps and keep the best estimate: a smaller step
    # steps off a kink, a larger one drowns round-off; a wrong analytic entry fails at every step.
    for k in np.flatnonzero(~(errs <= tol)):
        for step in (eps / 10, eps * 10):
            retry = _central_difference_at(loss, p, idxs[k], step)
            e_retry = abs(retry - a[k]) / max(abs(retry) + abs(a[k]), floor)
            if e_retry < errs[k]:
                num[k], errs[k] = retry, e_retry
            if errs[k] <= tol:
                break
    coord_err = float(np.max(errs)) if errs.size else 0.0
    # Rounded so that near-ties (many entries wrong by the same factor) pick the same entry everywhere.
    worst = tuple(int(i) for i in idxs[int(np.argmax(np.round(errs, 6)))]) if errs.size else ()

    g_norm = float(np.linalg.norm(g))
    dir_errs = []
    for _ in range(n_directions):
        u = rng.standard_normal(p.shape)
        step = eps * DIRECTION_STEP_FACTOR
        err = None
        for s in (step, step / 10, step * 10):
            numeric, moved = _directional_difference(loss, p, u, s)
            analytic = float(np.sum(g * moved))
            denom = abs(numeric) + abs(analytic) + g_norm
            e = abs(numeric - analytic) / denom if denom > 0 else 0.0
            err = e if err is None else min(err, e)
            if err <= tol:
                break
        dir_errs.append(err)

    error = max([coord_err] + dir_errs)
    aa = float(np.dot(a, a))
    ratio = float(np.dot(num, a) / aa) if aa > 0 else float("nan")
    return TensorCheck(
        name,
        p.shape,
        error,
        bool(error <= tol),
        n_coords=len(idxs),
        n_directions=n_directions,
        all_coords=all_coords,
        ratio=ratio,
        worst_index=worst,
    )


def _directional_difference(loss, p, u, s):
    """Central difference of the loss along ``u`` with step ``s``, restoring ``p`` exactly.

    Returns the difference quotient and the direction really moved along, ``(p_up - p_down) / 2s``
    (in float32, ``p + s u`` is rounded, so it is not exactly ``u``).
    """
    saved = p.copy()
    try:
        np.copyto(p, saved + s * u, casting="same_kind")
        p_up = p.astype(np.float64)
        up = _scalar_loss(loss)
        np.copyto(p, saved - s * u, casting="same_kind")
        p_down = p.astype(np.float64)
        down = _scalar_loss(loss)
    finally:
        np.copyto(p, saved)
    return (up - down) / (2 * s), (p_up - p_down) / (2 * s)
