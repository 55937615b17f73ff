"""Notebook 02's probes: the functions its checkers differentiate and the learner-like variants they
compare an answer with (a fixed step, one side only, f ignored, an integer step). No message here.
"""

import numpy as np

from ._view import DEFAULT_UPSTREAM as DEFAULT_UPSTREAM


def _f_test(z):
    """A function whose Jacobian is not symmetric, so rows and columns cannot be confused."""
    return np.array([z[0] * z[1], np.sin(z[1]), z[0] ** 2 + 3 * z[2], np.exp(0.5 * z[2])])


def _numerical_jacobian(f, z, eps):
    z = z.astype(np.float64)
    out = f(z)
    J = np.zeros((out.size, z.size))
    for j in range(z.size):
        step = np.zeros_like(z)
        step[j] = eps
        J[:, j] = (f(z + step) - f(z - step)) / (2 * eps)
    return J


def _all_inputs_at_once(f, z, eps):
    column = (f(z + eps) - f(z - eps)) / (2 * eps)
    return np.tile(np.asarray(column)[:, None], (1, z.size))


def _integer_jacobian(f, z, eps):
    return _numerical_jacobian(f, z, eps).astype(int)


def _plus_side_only(f, z, eps):
    J = np.zeros((np.size(f(z)), z.size))
    for j in range(z.size):
        step = np.zeros_like(z)
        step[j] = eps
        J[:, j] = f(z + step) / (2 * eps)
    return J


def _f_curved(z):
    """A function whose central differences are far from exact at a step of 1e-1, and exact at 0."""
    return np.array([np.exp(3 * z[0]) + z[1] ** 3, np.sin(2 * z[1]) * z[0]])


def _ignores_f(fn):
    """True when ``fn`` gives the same finite array for two different functions ``f`` at one z."""
    z = np.array([0.4, -0.7])
    try:
        with np.errstate(all="ignore"):
            a = np.asarray(fn(_f_curved, z.copy(), 1e-5), dtype=float)
            b = np.asarray(fn(lambda x: 3 * _f_curved(x)[::-1], z.copy(), 1e-5), dtype=float)
    except Exception:
        return False
    return a.shape == b.shape and a.size > 0 and bool(np.all(np.isfinite(a))) and np.array_equal(a, b)


def _integer_step(fn):
    """Whether a step that rounds to 0 explains the answer: useless at eps = 1e-3, right at eps = 1."""
    z = np.array([0.4, -0.7])
    try:
        with np.errstate(all="ignore"):
            small = np.asarray(fn(_f_curved, z.copy(), 1e-3), dtype=float)
            one = np.asarray(fn(_f_curved, z.copy(), 1.0), dtype=float)
    except Exception:
        return False
    if small.shape != (2, 2) or one.shape != (2, 2):
        return False
    nothing = not np.any(small[np.isfinite(small)]) or not np.any(np.isfinite(small))
    return bool(nothing and np.allclose(one, _numerical_jacobian(_f_curved, z, 1.0), rtol=1e-9))


def _calls_notebook_helper(fn):
    """Whether ``fn`` calls the notebook's own ``numerical_jacobian`` (its first cell defines it)."""
    helper = getattr(fn, "__globals__", {}).get("numerical_jacobian")
    code = getattr(fn, "__code__", None)
    return (
        code is not None
        and "numerical_jacobian" in code.co_names
        and callable(helper)
        and getattr(helper, "__code__", None) is not code
    )
