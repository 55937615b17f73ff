r"""Finite differences of a loss: the steps, what they measure, and when they cannot measure.

* :func:`numerical_gradient` perturbs every entry (exact but slow: two loss evaluations per entry).
* :func:`difference_at` takes one central-difference step and keeps both one-sided differences, so
  that :func:`straddles_kink` can tell a kink inside the step (the two sides disagree by an amount
  that does not shrink with the step) from a smooth curve (they disagree by ``step * f''``).
* :func:`resolution` is the smallest difference between a numerical and an analytic derivative that
  a step can resolve: truncation plus round-off.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import _checks
from .losses import cross_entropy, cross_entropy_grad

# Central-difference steps. Round-off in the loss grows like (machine epsilon / step) and the
# truncation error like step**2, so the best step sits near the cube root of machine epsilon.
DEFAULT_EPS = {np.dtype(np.float64): 1e-5, np.dtype(np.float32): 1e-3}
# Two one-sided differences whose gap shrinks by less than this factor when the step shrinks ten
# times are across a kink: on a smooth curve the gap is step * f'' and shrinks ten times.
KINK_GAP_KEPT = 0.2


def float_param(x, name):
    """Check an array the checks can perturb in place: a writeable float32 or float64 ndarray."""
    if not isinstance(x, np.ndarray):
        raise _checks.DTypeError(
            f"{name} must be a numpy array that can be perturbed in place, got {type(x).__name__}"
        )
    if x.dtype not in DEFAULT_EPS:
        raise _checks.DTypeError(
            f"{name} must be float32 or float64 to be perturbed by a small step, got dtype {x.dtype}"
        )
    if not x.flags.writeable:
        raise ValueError(f"{name} must be writeable: the check perturbs it in place and restores it")
    return x


def scalar_loss(f):
    """Call ``f()`` and return its value as a float; anything but one real number is refused."""
    value = np.asarray(f())
    if value.ndim != 0:
        raise ValueError(f"the loss function must return a scalar, got an array of shape {value.shape}")
    if value.dtype.kind not in "biuf":
        raise _checks.DTypeError(f"the loss function must return a real number, got dtype {value.dtype}")
    return float(value)


@dataclass(frozen=True)
class Difference:
    """One central-difference step at one entry: the losses either side and the steps really taken."""

    f_up: float
    f_down: float
    step_up: float  # x_up - x, after rounding to the array's dtype
    step_down: float  # x - x_down

    @property
    def central(self):
        return (self.f_up - self.f_down) / (self.step_up + self.step_down)

    def one_sided(self, f0):
        """Forward and backward differences, given the loss ``f0`` at the unperturbed point."""
        return (self.f_up - f0) / self.step_up, (f0 - self.f_down) / self.step_down


def _vanishing_step(x, idx, eps, name):
    return ValueError(
        f"the step eps = {eps:g} vanishes next to {name}[{', '.join(map(str, idx))}] = {x[idx]:g}: "
        f"{x.dtype} numbers there are {np.spacing(np.abs(x[idx])):.1e} apart; use a larger eps"
    )


def difference_at(f, x, idx, eps, name="x"):
    """Evaluate ``f`` at ``x ± eps e_idx`` and restore ``x[idx]`` exactly, even if ``f`` raises.

    In float32, ``x + eps`` is rounded: the steps returned are the ones really taken. Raises
    ValueError when either side rounds back to ``x`` itself, where no difference can be measured.
    """
    old = x[idx]
    try:
        x[idx] = old + eps
        up = x[idx]
        f_up = scalar_loss(f) if up != old else 0.0
        x[idx] = old - eps
        down = x[idx]
        f_down = scalar_loss(f) if down != old else 0.0
    finally:
        x[idx] = old
    if up == old or down == old:
        raise _vanishing_step(x, idx, eps, name)
    return Difference(f_up, f_down, float(up) - float(old), float(old) - float(down))


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
        The step; by default 1e-5 for float64 and 1e-3 for float32. A step that rounds away next to
        an entry of ``x`` (below the spacing of its dtype there) raises ValueError.

    Returns
    -------
    grad : ndarray, shape and dtype of ``x``
    """
    x = float_param(x, "x")
    eps = DEFAULT_EPS[x.dtype] if eps is None else _checks.positive_number(eps, "eps")
    grad = np.zeros(x.shape, dtype=np.float64)
    for k in range(x.size):
        idx = np.unravel_index(k, x.shape)
        grad[idx] = difference_at(f, x, idx, eps).central
    return grad.astype(x.dtype)


def resolution(dtype, step, f_scale, third_scale=1.0):
    r"""The smallest error a central difference with ``step`` can resolve.

    .. math:: \underbrace{\varepsilon^2 \, s_3}_{\text{truncation}}
              + \underbrace{u \, |f| / \varepsilon}_{\text{round-off}}

    where ``s_3`` is the size of the third derivative (1 by default: the same assumption that puts
    the default step near :math:`u^{1/3}`) and ``u`` the machine epsilon of ``dtype``. A correct
    gradient of exactly 0 (``L = sum(W**3)`` at ``W = 0``) has a finite difference of
    :math:`\varepsilon^2`: within this, so it passes.
    """
    return step**2 * third_scale + np.finfo(dtype).eps * abs(f_scale) / step


def straddles_kink(gap_large, gap_small, noise):
    """Whether one-sided gaps measured at a step and at a step ten times smaller mark a kink.

    ``gap = forward difference - backward difference``. On a smooth curve it is about
    ``step * f''``: ten times smaller at the smaller step. Across a kink it stays: the slopes either
    side differ by a fixed amount. ``noise`` is the round-off of one gap at the smaller step.
    """
    return abs(gap_small) > 10 * noise and abs(gap_small) > KINK_GAP_KEPT * abs(gap_large)


def directional_difference(loss, p, u, s):
    """Central difference of the loss along ``u`` with step ``s``, restoring ``p`` exactly.

    Returns the losses either side and the direction really moved along, ``(p_up - p_down) / 2s``
    (in float32, ``p + s u`` is rounded, so it is not exactly ``u``), and the up and down moves.
    """
    saved = p.copy()
    try:
        np.copyto(p, saved + s * u, casting="same_kind")
        up_move = p.astype(np.float64) - saved
        f_up = scalar_loss(loss)
        np.copyto(p, saved - s * u, casting="same_kind")
        down_move = saved - p.astype(np.float64)
        f_down = scalar_loss(loss)
    finally:
        np.copyto(p, saved)
    return f_up, f_down, up_move, down_move


# The U-shaped error of notebook 06: one fixed cross-entropy, every step size.
EPS_GRID = 10.0 ** np.arange(-12, -0.24, 0.25)
_EPS_LOGITS = np.array([[0.5, -1.2, 2.0, 0.3, -0.7]])
_EPS_LABEL = np.array([2])


def finite_difference_errors(dtype="float64", method="central", eps_grid=EPS_GRID):
    """Relative error of a finite-difference gradient of a cross-entropy, for each step ``eps`` (K,).

    The loss is the cross-entropy of five fixed logits, evaluated in ``dtype``; the exact gradient
    ``h - t`` is computed in float64. A step too small to change a float32 logit gives NaN.
    """
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    if method not in ("central", "forward"):
        raise ValueError(f"method must be 'central' or 'forward', got {method!r}")
    exact = cross_entropy_grad(_EPS_LOGITS, _EPS_LABEL)[0]
    z = _EPS_LOGITS.astype(dt)
    base = float(cross_entropy(z, _EPS_LABEL))
    errors = []
    for eps in eps_grid:
        grad = np.empty(z.shape[1])
        for j in range(z.shape[1]):
            up, down = z.copy(), z.copy()
            up[0, j] += dt.type(eps)
            down[0, j] -= dt.type(eps)
            if method == "central":
                step = float(up[0, j]) - float(down[0, j])
                diff = float(cross_entropy(up, _EPS_LABEL)) - float(cross_entropy(down, _EPS_LABEL))
            else:
                step = float(up[0, j]) - float(z[0, j])
                diff = float(cross_entropy(up, _EPS_LABEL)) - base
            grad[j] = diff / step if step != 0 else np.nan
        ok = np.all(np.isfinite(grad))
        errors.append(
            np.linalg.norm(grad - exact) / (np.linalg.norm(grad) + np.linalg.norm(exact)) if ok else np.nan
        )
    return np.array(errors)


@lru_cache(maxsize=4)
def _curves(dtype):
    return finite_difference_errors(dtype, "central"), finite_difference_errors(dtype, "forward")


def epsilon_state(eps, dtype="float64"):
    """Error curves of forward and central differences in ``dtype``, and the errors at ``eps``.

    The state of notebook 06's step-size widget: both curves over :data:`EPS_GRID`, the errors at
    ``eps`` (NaN where the step rounds away) and the best central step of the grid.
    """
    central, forward = _curves(np.dtype(dtype).name)
    at = {m: float(finite_difference_errors(dtype, m, [eps])[0]) for m in ("central", "forward")}
    best = int(np.nanargmin(central))
    return {
        "eps": float(eps),
        "dtype": np.dtype(dtype).name,
        "grid": EPS_GRID,
        "central": central,
        "forward": forward,
        "at": at,
        "best_eps": float(EPS_GRID[best]),
        "best_error": float(central[best]),
    }
