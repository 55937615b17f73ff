"""Notebook 04's committed prediction: which of the learner's gradients pass the check."""

PARAMS = ("W1", "b1", "W2", "b2")
# The choices, in the notebook's order, as the set of tensors that pass.
PASSING = (
    frozenset(PARAMS),
    frozenset({"b1", "b2"}),
    frozenset({"W1", "b1", "b2"}),
    frozenset(),
)


def passing_choice(report):
    """Which choice of the notebook's prediction a gradient check of the four tensors picks out.

    ``report`` is a :class:`~course_utils.gradcheck_report.GradCheckReport` of ``W1, b1, W2, b2``.
    The choices, in order: all four pass; only ``b1`` and ``b2``; ``W1``, ``b1`` and ``b2`` (``W2``
    fails); none. Any other outcome raises ``ValueError``.
    """
    tensors = getattr(report, "tensors", None)
    if not isinstance(tensors, dict) or set(tensors) != set(PARAMS):
        raise ValueError(f"report must be a gradient check of {', '.join(PARAMS)}, got {report!r}")
    passing = frozenset(name for name, tensor in tensors.items() if tensor.ok)
    if passing not in PASSING:
        raise ValueError(f"the tensors that pass, {sorted(passing)}, are none of the choices")
    return PASSING.index(passing)
