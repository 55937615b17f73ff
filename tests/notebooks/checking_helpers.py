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
