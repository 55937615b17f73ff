"""Notebook 10's committed prediction, "a value used twice": the choice a measured ratio picks out.

The notebook's choices, in order: 0 "1: nothing changes", 1 "2: the analytic gradient is half the
true one", 2 "1/2: the analytic gradient is twice the true one", 3 "it varies from entry to entry".
"""

import numpy as np

REUSE_RATIOS = (1.0, 2.0, 0.5)
"""numerical/analytic for choices 0, 1 and 2; any other pattern is choice 3."""


def reuse_choice(ratios, rtol=1e-6):
    """The index of the choice that the ratios numerical/analytic, one per entry, pick out.

    Parameters
    ----------
    ratios : array_like, any shape
        numerical / analytic for every entry of the gradient, from a gradient check.
    rtol : float
        How close every entry must be to 1, 2 or 1/2 to count as that constant ratio.

    Returns
    -------
    int
        0, 1 or 2 when every entry is 1, 2 or 1/2 (within ``rtol``); 3 otherwise (entries that
        differ, or a ratio that is not finite).
    """
    ratios = np.asarray(ratios, dtype=np.float64)
    if ratios.size == 0:
        raise ValueError("ratios must hold at least one entry, got an empty array")
    for index, value in enumerate(REUSE_RATIOS):
        if np.all(np.isfinite(ratios)) and np.allclose(ratios, value, rtol=rtol, atol=0):
            return index
    return 3
