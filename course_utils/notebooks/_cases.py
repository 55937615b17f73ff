"""The random cases every checker draws: fixed generators for the cases a learner sees, and hidden
ones for the grader.
"""

import numpy as np


def normal(seed, shape):
    """Fixed test inputs: the same for every call, so feedback is reproducible."""
    return np.random.default_rng(seed).normal(size=shape)


def uniform(seed, shape):
    return np.random.default_rng(seed).uniform(0, 1, size=shape)


def hidden_rng(seed):
    """The generator of the grader's hidden inputs: seeds apart from every case a learner sees."""
    return np.random.default_rng(10_000 + seed)
