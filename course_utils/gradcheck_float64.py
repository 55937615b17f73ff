r"""A float32 network's gradient check, evaluated in float64 so that it can see the course's bugs.

A float32 loss carries round-off of about :math:`10^{-7}|L|`, and a central difference divides it
by a step that cannot be small: float32 finite differences are good to a few percent, and a whole
tensor wrong by a factor between 0.82 and 1.22 hides in them (the binary cost on a 10-class
softmax is off by :math:`K/(K-1) = 10/9`). The float32 *gradients* are good to about
:math:`10^{-5}`. So :func:`~course_utils.check_gradients` compares them with finite differences of
the same loss evaluated on float64 copies of the parameters, swapped into the ``params`` dict for
the duration of the check. That works when ``loss()`` reads ``params[name]`` at each call (as
``lambda: net.loss(X, y)`` does with ``net.params``); :func:`in_float64` finds out whether it does,
and when it does not, says why, so that the report can say "inconclusive" instead of "passed".
"""

from contextlib import contextmanager

import numpy as np

from .finite_differences import scalar_loss
from .i18n import N_

# A tolerance above this lets a whole tensor wrong by a factor outside [0.98, 1.02] pass: such a
# check could not have seen the course's bugs (10/9 is the smallest factor one of them leaves).
MAX_VERDICT_TOL = 1e-2
# float32 gradients compared with float64 differences: their own round-off is about 1e-5 (measured
# on TwoLayerNet, batches of 32 to 2048), so 1e-3 leaves a margin of 100 and sees any factor
# outside [0.998, 1.002].
FLOAT32_GRADIENT_TOL = 1e-3


def factor_range(tol):
    """The uniform factors ``k`` a tolerance lets pass: ``|k − 1| / (k + 1) <= tol``."""
    return (1 - tol) / (1 + tol), ((1 + tol) / (1 - tol) if tol < 1 else np.inf)


def _loss_or_reason(loss):
    """``(value, "")``, or ``(nan, what went wrong)`` when the loss raised."""
    try:
        return scalar_loss(loss), ""
    except Exception as exc:  # noqa: BLE001 - any failure means: the float64 route is not open
        return float("nan"), f"{type(exc).__name__}: {exc}"


def _probe(loss, params, originals, copies, rng):
    """Why ``loss`` cannot be re-run on the float64 ``copies`` swapped into ``params``; None if it can."""
    saved = {name: p.copy() for name, p in originals.items()}
    params.update(copies)
    try:
        value, error = _loss_or_reason(loss)
        if error:
            return N_("the loss raised {error} on float64 copies of the parameters"), {"error": error}
        if not np.isfinite(value):
            return N_("the loss is {value} on float64 copies of the parameters"), {"value": value}
        # Poison the float32 arrays: a loss that still reads them (it kept its own references
        # instead of reading params[name]) turns NaN or raises, and the copies would be ignored.
        for p in originals.values():
            p[...] = np.nan
        poisoned, error = _loss_or_reason(loss)
        for name, p in originals.items():
            np.copyto(p, saved[name])
        if error or not np.isfinite(poisoned):
            return N_(
                "the loss keeps its own references to the float32 arrays instead of reading "
                "params[name] at each call, so it cannot be re-run on float64 copies of them "
                "(lambda: net.loss(X, y) with params=net.params can)"
            ), {}
        # Move every copy by a quarter of the float32 spacing of its entries: a loss evaluated in
        # float64 sees the move; one that rounds the parameters back to float32 does not.
        moves = {
            name: 0.25
            * np.spacing(np.abs(saved[name])).astype(np.float64)
            * (saved[name] != 0)
            * np.sign(rng.standard_normal(c.shape))
            for name, c in copies.items()
        }
        if not any(m.any() for m in moves.values()):
            return N_(
                "every float32 parameter is 0, so nothing shows whether the loss is computed in float64"
            ), {}
        sides = []
        for sign in (1, -1):
            for name, c in copies.items():
                np.copyto(c, saved[name].astype(np.float64) + sign * moves[name])
            sides.append(_loss_or_reason(loss)[0])
        for name, c in copies.items():
            np.copyto(c, saved[name])
        if not sides[0] != sides[1]:
            return N_(
                "the loss does not change under a move smaller than float32's spacing: it rounds "
                "the parameters, or a step on the way, back to float32; compute it in float64"
            ), {}
        return None
    finally:
        for name, p in originals.items():
            np.copyto(p, saved[name])
        for name, c in copies.items():
            np.copyto(c, saved[name])
        params.update(originals)


@contextmanager
def in_float64(loss, params, seed=0):
    """Swap float64 copies of the float32 arrays of ``params`` into the dict for the block.

    Yields ``None`` when the swap holds (``loss()`` reads the copies and computes in float64), or
    ``(template, fields)``, the reason it cannot, with ``params`` left as it was. On leaving the
    block the dict holds its own arrays again, unchanged: the copies are what the check perturbs.

    Parameters
    ----------
    loss : callable, ``loss()`` -> a real scalar read from the arrays in ``params``
    params : dict name -> ndarray, some of them float32
    seed : int, seeds the direction of the probe's move
    """
    originals = {name: p for name, p in params.items() if p.dtype == np.float32}
    copies = {name: p.astype(np.float64) for name, p in originals.items()}
    reason = _probe(loss, params, originals, copies, np.random.default_rng(seed))
    if reason is not None:
        yield reason
        return
    params.update(copies)
    try:
        yield None
    finally:
        params.update(originals)
