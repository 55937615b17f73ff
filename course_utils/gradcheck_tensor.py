r"""One tensor's gradient check: sampled entries, retried steps, kinks and random directions.

:func:`~course_utils.gradcheck.check_gradients` calls :func:`_check_tensor` once per parameter
tensor. It compares the analytic gradient with central differences at a sample of entries
(:func:`_pick_coords`: all of a small tensor, else the largest and random ones), retries a failing
entry with a step ten times smaller and ten times larger, tells an entry sitting on a ReLU kink
(:func:`_at_kink`) from a wrong one, and checks random directions over the whole tensor
(:func:`_check_directions`), from which no wrong entry can hide.
"""

from dataclasses import dataclass

import numpy as np

from .finite_differences import Difference, difference_at, directional_difference, resolution, straddles_kink
from .gradcheck_report import TensorCheck

# A directional check moves every entry of a tensor at once (by step * N(0, 1)); the step is
# smaller than a coordinate step so that it rarely carries a ReLU unit across its kink.
DIRECTION_STEP_FACTOR = 1e-2
# Entries whose gradient is below this fraction of the tensor's largest entry are compared in
# absolute terms against that fraction: their relative error would only measure round-off.
SMALL_ENTRY_FRACTION = 1e-2


def _pick_coords(a, n_coords, full_check_max, rng):
    """All flat indices of a small tensor; else the largest |a| entries plus uniform random ones."""
    size = a.size
    if size <= full_check_max or n_coords >= size:
        return np.arange(size), True
    n_top = n_coords // 2
    top = np.argpartition(np.abs(a).ravel(), size - n_top)[size - n_top :] if n_top else np.arange(0)
    rest = np.setdiff1d(np.arange(size), top, assume_unique=True)
    rand = rng.choice(rest, size=n_coords - n_top, replace=False)
    return np.sort(np.concatenate([top, rand])), False


@dataclass(frozen=True)
class _Settings:
    eps: float
    tol: float
    n_coords: int
    n_directions: int
    full_check_max: int
    rng: np.random.Generator
    base_loss: object  # () -> the loss at the unperturbed point


def _entry_error(num, a, floor):
    return abs(num - a) / max(abs(num) + abs(a), floor)


def _at_kink(d_large: Difference, d_small: Difference, f0, a, tol, dtype, step_small):
    """Whether an entry sits at a kink with ``a`` between its two one-sided slopes."""
    fwd_l, bwd_l = d_large.one_sided(f0)
    fwd_s, bwd_s = d_small.one_sided(f0)
    noise = np.finfo(dtype).eps * max(abs(f0), abs(d_small.f_up), abs(d_small.f_down)) / step_small
    if not straddles_kink(fwd_l - bwd_l, fwd_s - bwd_s, noise):
        return False
    margin = tol * (abs(fwd_s) + abs(bwd_s)) + 10 * noise
    return min(fwd_s, bwd_s) - margin <= a <= max(fwd_s, bwd_s) + margin


def _check_tensor(loss, name, p, g, settings):
    eps, tol = settings.eps, settings.tol
    flat_idx, all_coords = _pick_coords(g, settings.n_coords, settings.full_check_max, settings.rng)
    idxs = [np.unravel_index(k, p.shape) for k in flat_idx]
    a = np.array([g[i] for i in idxs])
    diffs = [difference_at(loss, p, i, eps, name=f"params[{name!r}]") for i in idxs]
    num = np.array([d.central for d in diffs])
    rel_floor = SMALL_ENTRY_FRACTION * max(np.abs(g).max(initial=0), np.abs(num).max(initial=0), 1e-300)

    def floor(d, step):
        return max(rel_floor, resolution(p.dtype, step, max(abs(d.f_up), abs(d.f_down))) / tol)

    errs = np.array([_entry_error(n, ak, floor(d, eps)) for n, ak, d in zip(num, a, diffs)])
    kink = np.zeros(len(idxs), dtype=bool)
    # Retry the entries that failed with other steps and keep the best estimate: a smaller step
    # steps off a kink, a larger one drowns round-off; a wrong analytic entry fails at every step.
    for k in np.flatnonzero(~(errs <= tol)):
        small = None
        for step in (eps / 10, eps * 10):
            try:
                d = difference_at(loss, p, idxs[k], step)
            except ValueError:  # this step rounds away next to the weight: only eps itself must work
                continue
            small = d if step < eps else small
            e_retry = _entry_error(d.central, a[k], floor(d, step))
            if e_retry < errs[k]:
                num[k], errs[k] = d.central, e_retry
            if errs[k] <= tol:
                break
        if errs[k] > tol and small is not None:
            f0 = settings.base_loss()
            kink[k] = _at_kink(diffs[k], small, f0, a[k], tol, p.dtype, eps / 10)
    checkable = ~kink
    coord_err = float(np.max(errs[checkable])) if checkable.any() else 0.0
    # Rounded so that near-ties (many entries wrong by the same factor) pick the same entry everywhere.
    worst_errs = np.where(checkable, np.round(errs, 6), -1.0)
    worst = tuple(int(i) for i in idxs[int(np.argmax(worst_errs))]) if checkable.any() else ()

    dir_errs, kink_dirs = _check_directions(loss, p, g, settings)
    error = max([coord_err] + dir_errs)
    aa = float(np.dot(a[checkable], a[checkable]))
    ratio = float(np.dot(num[checkable], a[checkable]) / aa) if aa > 0 else float("nan")
    return TensorCheck(
        name,
        p.shape,
        error,
        bool(error <= tol),
        n_coords=len(idxs),
        n_directions=settings.n_directions,
        all_coords=all_coords,
        ratio=ratio,
        worst_index=worst,
        kinks=int(kink.sum()),
        kink_directions=kink_dirs,
    )


def _check_directions(loss, p, g, settings):
    """Errors of the directional checks that could be made, and how many directions hit a kink."""
    eps, tol = settings.eps, settings.tol
    g_norm = float(np.linalg.norm(g))
    u_mach = np.finfo(p.dtype).eps
    errs, kinks = [], 0
    for _ in range(settings.n_directions):
        u = settings.rng.standard_normal(p.shape)
        step = eps * DIRECTION_STEP_FACTOR
        err, sides = None, {}
        for s in (step, step / 10, step * 10):
            f_up, f_down, up_move, down_move = directional_difference(loss, p, u, s)
            moved = (up_move + down_move) / (2 * s)
            if not moved.any():
                if s == step:
                    raise ValueError(
                        f"the directional step {s:g} (eps / 100) vanishes next to every weight of a "
                        f"{p.dtype} tensor: use a larger eps"
                    )
                continue
            numeric = (f_up - f_down) / (2 * s)
            analytic = float(np.sum(g * moved))
            atol = s**2 * float(np.sum(np.abs(u) ** 3)) + u_mach * max(abs(f_up), abs(f_down)) / s
            e = abs(numeric - analytic) / max(abs(numeric) + abs(analytic) + g_norm, atol / tol)
            sides[s] = (f_up, f_down)
            err = e if err is None else min(err, e)
            if err <= tol:
                break
        if err > tol and step / 10 in sides:
            f0 = settings.base_loss()
            gaps = [(sides[t][0] - f0) / t - (f0 - sides[t][1]) / t for t in (step, step / 10)]
            noise = u_mach * max(abs(f0), *map(abs, sides[step / 10])) / (step / 10)
            if straddles_kink(gaps[0], gaps[1], noise):
                kinks += 1
                continue
        errs.append(err)
    return errs, kinks
