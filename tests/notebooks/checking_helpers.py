"""Helpers the checker tests share."""

import numpy as np


def hand_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def expect(feedback, status, *words):
    assert feedback.status == status, feedback
    for w in words:
        assert w in feedback.message, feedback
    return feedback


def one_softmax(z):
    return hand_softmax(z[None, :])[0]


GENERIC = "not the expected values"


def expect_named(feedback, *words):
    """Assert a wrong answer got a reply that names its mistake, not the bare generic one.

    The generic reply ("not the expected values: the largest difference is at ...") says where the
    answer differs but not why; a checker test asserts with this that a mistake the notebook
    teaches is named, e.g. ``expect_named(nb05.check_fused_grad(labels_n_by_1), "(N, 1)")``.
    """
    assert feedback.status in ("wrong", "error"), feedback
    assert not feedback.generic and not feedback.message.startswith(GENERIC), feedback
    for w in words:
        assert w in feedback.message, feedback
    return feedback


def generic_share(feedbacks):
    """The share of wrong answers among ``feedbacks`` that got the bare generic reply."""
    wrong = [f for f in feedbacks if not f.passed]
    return sum(f.generic for f in wrong) / max(len(wrong), 1)
