"""Wrong answers typed into the exercises of notebooks 00-03, each of which must get a reply that names
its mistake (never the bare "not the expected values"), and the share of generic replies over all of
them.

The first entries of each list are the ones an independent newcomer review found answered by the
generic reply; the rest are wrong answers typed the way a newcomer would (a wrong axis, a transpose,
a factor, a sign, lists, ints, NaN, an input changed in place, the wrong thing returned).
"""

import numpy as np
import pytest
from checking_helpers import expect_named, generic_share, hand_softmax, one_softmax

from course_utils.notebooks import nb00_start_here as nb00
from course_utils.notebooks import nb01_softmax as nb01
from course_utils.notebooks import nb02_softmax_jacobian as nb02
from course_utils.notebooks import nb03_kronecker_delta as nb03


def one_hot(y, C):
    t = np.zeros((len(y), C))
    t[np.arange(len(y)), y] = 1
    return t


def rows(e):
    return e / e.sum(axis=1, keepdims=True)


def log_softmax(z, m=None, axis=1):
    m = z.max(axis=1, keepdims=True) if m is None else m
    return (z - m) - np.log(np.exp(z - m).sum(axis=axis, keepdims=True))


def jacobian(h):
    return np.diag(h) - np.outer(h, h)


def batched(z):
    h = hand_softmax(z)
    return h[:, :, None] * (np.eye(z.shape[1]) - h[:, None, :])


def hvp(z, v):
    h = one_softmax(z)
    return h * v - h * (h @ v)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def central(f, z, eps, *, plus=None, scale=None, cols=None):
    """The central-difference Jacobian, or a wrong variant of it."""
    J = np.zeros((f(z).size, z.size))
    for j in range(z.size if cols is None else cols):
        step = np.zeros_like(z)
        step[j] = eps
        if plus:
            J[:, j] = f(z + step) / (2 * eps)
        else:
            J[:, j] = (f(z + step) - f(z - step)) / (2 * eps if scale is None else scale)
    return J


def changes_z(f, z, eps):
    J = np.zeros((f(z).size, z.size))
    for j in range(z.size):
        z[j] += eps
        up = f(z)
        z[j] -= 2 * eps
        J[:, j] = (up - f(z)) / (2 * eps)
        z[j] += eps
    return J


def integer_jacobian(f, z, eps):
    J = np.zeros((f(z).size, z.size), dtype=int)
    J[...] = central(f, z, eps)
    return J


def last_column_only(f, z, eps):
    J = np.zeros((f(z).size, z.size))
    for j in range(z.size):
        step = np.zeros_like(z)
        step[j] = eps
        column = (f(z + step) - f(z - step)) / (2 * eps)
    J[:, -1] = column  # the assignment fell out of the loop
    return J


def shift_in_place_jacobian(z):
    z -= z.max()
    return jacobian(one_softmax(z))


WRONG = {
    "one_hot": (
        nb00.check_one_hot,
        [
            ("reversed columns", lambda y, C: one_hot(y, C)[:, ::-1], "not always in the column"),
            ("labels sorted first", lambda y, C: one_hot(np.sort(y), C), "not always in the column"),
            ("every row from y[0]", lambda y, C: np.array([np.eye(C)[y[0]] for _ in y]), "column of its"),
            ("C − 1 − y", lambda y, C: one_hot(C - 1 - y, C), "not always in the column"),
            ("1 − t", lambda y, C: 1 - one_hot(y, C), "complement"),
            ("all ones", lambda y, C: np.ones((len(y), C)), "more than one"),
            ("C + 1 columns", lambda y, C: np.eye(C + 1)[y], "C + 1"),
            ("cumsum along the row", lambda y, C: np.cumsum(one_hot(y, C), axis=1), "rightwards"),
            ("rows reversed", lambda y, C: one_hot(y, C)[::-1], "not always in the column"),
            ("a list", lambda y, C: one_hot(y, C).tolist(), "list"),
            ("an int", lambda y, C: 1, "int"),
            ("NaN", lambda y, C: one_hot(y, C) * np.nan, "NaN"),
            ("minus one at the label", lambda y, C: -one_hot(y, C), "sign"),
            ("twice", lambda y, C: 2 * one_hot(y, C), "2 times"),
            ("divided by N", lambda y, C: one_hot(y, C) / len(y), "times the right one"),
            ("flattened", lambda y, C: one_hot(y, C).ravel(), "expected shape"),
            ("nothing returned", lambda y, C: None, "return"),
        ],
    ),
    "theta_to_params": (
        nb00.check_theta_to_params,
        [
            ("b1 shaped (1, H)", lambda T: (T[:, 1:].T, T[:, :1].T), "b1 has shape (1, H)"),
            ("b1 of zeros", lambda T: (T[:, 1:].T, np.zeros(len(T))), "none of Theta1's columns"),
            ("b1 of ones", lambda T: (T[:, 1:].T, np.ones(len(T))), "none of Theta1's columns"),
            ("reshape for .T", lambda T: (T[:, 1:].reshape(T.shape[1] - 1, len(T)), T[:, 0]), "reshape"),
            ("W1 of the wrong shape", lambda T: (T, T[:, 0]), "Theta1 itself"),
            ("b1 from a row", lambda T: (T[:, 1:].T, T[0, 1:]), "first row"),
            ("b1 negated", lambda T: (T[:, 1:].T, -T[:, 0]), "in b1"),
            ("W1 negated", lambda T: (-T[:, 1:].T, T[:, 0]), "in W1"),
            ("W1 as a list", lambda T: (T[:, 1:].T.tolist(), T[:, 0]), "W1 is of type list"),
            ("b1 a number", lambda T: (T[:, 1:].T, T[0, 0]), "b1 is of type"),
            ("W1 alone", lambda T: T[:, 1:].T, "(W1, b1)"),
            ("three results", lambda T: (T[:, 1:].T, T[:, 0], T), "(W1, b1)"),
            ("a dict", lambda T: {"W1": T[:, 1:].T, "b1": T[:, 0]}, "(W1, b1)"),
            ("last column as bias", lambda T: (T[:, :-1], T[:, -1]), "W1: expected shape"),
        ],
    ),
    "softmax": (
        nb01.check_softmax,
        [
            ("exp(−(z − min))", lambda z: rows(np.exp(-(z - z.min(axis=1, keepdims=True)))), "softmax(−z)"),
            ("max over axis 0", lambda z: rows(np.exp(z - z.max(axis=0, keepdims=True))), "axis=0"),
            ("max over axis 0, no keepdims", lambda z: rows(np.exp(z - z.max(axis=0))), "axis=0"),
            ("softmax of −z", lambda z: hand_softmax(-z), "softmax(−z)"),
            ("temperature 2", lambda z: hand_softmax(z / 2), "temperature"),
            ("z doubled", lambda z: hand_softmax(2 * z), "temperature"),
            ("z / z.sum", lambda z: z / z.sum(axis=1, keepdims=True), "exp first"),
            ("every row from z[0]", lambda z: np.tile(one_softmax(z[0].astype(float)), (len(z), 1)), "z[0]"),
            ("one-hot of argmax", lambda z: np.eye(z.shape[1])[z.argmax(axis=1)], "argmax"),
            ("clipped logits", lambda z: hand_softmax(np.clip(z, -50, 50)), "small logits"),
            ("shift by the mean", lambda z: rows(np.exp(z - z.mean(axis=1, keepdims=True))), "mean"),
            ("sum over axis 0", lambda z: np.exp(z - z.max(axis=1, keepdims=True)) / 3, "sum to 1"),
            ("1 − h", lambda z: 1 - hand_softmax(z), "sum to 1"),
            ("transposed", lambda z: hand_softmax(z).T, "rows and columns swapped"),
            ("exp(z + max)", lambda z: rows(np.exp(z + z.max(axis=1, keepdims=True))), "overflow"),
        ],
    ),
    "log_softmax": (
        nb01.check_log_softmax,
        [
            ("max over axis 0", lambda z: log_softmax(z, z.max(axis=0, keepdims=True)), "axis=0"),
            (
                "shifted first term only",
                lambda z: (z - z.max(axis=1, keepdims=True)) - np.log(np.exp(z).sum(axis=1, keepdims=True)),
                "first term",
            ),
            (
                "log10",
                lambda z: (
                    (z - z.max(axis=1, keepdims=True))
                    - np.log10(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True))
                ),
                "log10",
            ),
            (
                "log-sum-exp alone",
                lambda z: np.broadcast_to(z[:, :1] - log_softmax(z)[:, :1], z.shape).copy(),  # LSE
                "log-sum-exp",
            ),
            ("log(1 − h)", lambda z: np.log1p(-hand_softmax(z)), "log(1 − h)"),
            ("float32", lambda z: log_softmax(z.astype(np.float32)), "float32"),
            (
                "sum over the whole batch",
                lambda z: (
                    (z - z.max(axis=1, keepdims=True))
                    - np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum())
                ),
                "whole batch",
            ),
            ("log2", lambda z: log_softmax(z.astype(float)) / np.log(2), "times the right one"),
            ("sign", lambda z: -log_softmax(z.astype(float)), "sign"),
            ("softmax instead", lambda z: hand_softmax(z), "softmax itself"),
            ("transposed", lambda z: log_softmax(z.astype(float)).T, "rows and columns swapped"),
            ("shift by the min", lambda z: log_softmax(z, z.min(axis=1, keepdims=True)), "NaN or inf"),
            ("a list", lambda z: log_softmax(z.astype(float)).tolist(), "list"),
        ],
    ),
    "softmax_jacobian": (
        nb02.check_jacobian,
        [
            ("δ_ij − h_i h_j", lambda z: np.eye(z.size) - np.outer(one_softmax(z), one_softmax(z)), "δ_ij"),
            (
                "diag(h(1 − h)) − h hᵀ",
                lambda z: (
                    np.diag(one_softmax(z) * (1 - one_softmax(z))) - np.outer(one_softmax(z), one_softmax(z))
                ),
                "twice",
            ),
            ("(1 − h_i) h_j", lambda z: np.outer(1 - one_softmax(z), one_softmax(z)), "(1 − h_i) h_j"),
            ("h hᵀ alone", lambda z: np.outer(one_softmax(z), one_softmax(z)), "h hᵀ alone"),
            ("1 − h hᵀ", lambda z: 1 - np.outer(one_softmax(z), one_softmax(z)), "1 − h hᵀ"),
            ("diag(h) − h", lambda z: np.diag(one_softmax(z)) - one_softmax(z), "vector h"),
            ("h not normalised", lambda z: jacobian(np.exp(z - z.max())), "without the division"),
            ("sigmoid's derivative", lambda z: np.diag(sigmoid(z) * (1 - sigmoid(z))), "sigmoid"),
            ("columns reversed", lambda z: jacobian(one_softmax(z))[:, ::-1], "wrong places"),
            ("no max shift", lambda z: jacobian(np.exp(z) / np.exp(z).sum()), "NaN or inf"),
            ("z shifted in place", shift_in_place_jacobian, "in place"),
            ("twice", lambda z: 2 * jacobian(one_softmax(z)), "2 times"),
            ("a list", lambda z: jacobian(one_softmax(z)).tolist(), "list"),
            ("a number", lambda z: float(one_softmax(z) @ one_softmax(z)), "float"),
        ],
    ),
    "numerical_jacobian": (
        nb02.check_numerical_jacobian,
        [
            ("f(z − ε) dropped", lambda f, z, eps: central(f, z, eps, plus=True), "f(z − ε e_j)"),
            (
                "every input moved",
                lambda f, z, eps: np.tile(((f(z + eps) - f(z - eps)) / (2 * eps))[:, None], (1, z.size)),
                "every input",
            ),
            ("assignment after the loop", last_column_only, "columns are all zeros"),
            ("no division", lambda f, z, eps: central(f, z, eps, scale=1.0), "2ε"),
            ("times 2ε", lambda f, z, eps: central(f, z, eps) * 2 * eps, "2ε"),
            ("an integer array", integer_jacobian, "whole number"),
            ("z changed in place", changes_z, "in place"),
            ("a step of 1e-1", lambda f, z, eps: central(f, z, 1e-1), "hard-coded"),
            ("half", lambda f, z, eps: central(f, z, eps) / 2, "0.5 times"),
            ("sign", lambda f, z, eps: -central(f, z, eps), "sign"),
            ("a list", lambda f, z, eps: central(f, z, eps).tolist(), "list"),
            ("summed", lambda f, z, eps: central(f, z, eps).sum(axis=0), "np.sum over axis=0"),
        ],
    ),
    "batched_jacobian": (
        nb03.check_batched_jacobian,
        [
            (
                "h.T @ h",
                lambda z: (
                    hand_softmax(z)[:, :, None] * np.eye(z.shape[1]) - hand_softmax(z).T @ hand_softmax(z)
                ),
                "h.T @ h",
            ),
            (
                "softmax over axis 0",
                lambda z: (lambda h: h[:, :, None] * (np.eye(z.shape[1]) - h[:, None, :]))(
                    np.exp(z - z.max(axis=0)) / np.exp(z - z.max(axis=0)).sum(axis=0)
                ),
                "axis 0",
            ),
            ("batch axis last", lambda z: np.moveaxis(batched(z), 0, -1), "(C, C, N)"),
            ("summed over the batch", lambda z: batched(z).sum(axis=0), "sum of the N"),
            ("mean over the batch", lambda z: batched(z).mean(axis=0), "mean of the N"),
            (
                "δ_ij − h_i h_j",
                lambda z: np.eye(z.shape[1]) - hand_softmax(z)[:, :, None] * hand_softmax(z)[:, None, :],
                "δ_ij",
            ),
            ("every slice from row 0", lambda z: np.repeat(batched(z[:1]), len(z), axis=0), "first row"),
            (
                "one max for the batch",
                lambda z: (lambda h: h[:, :, None] * (np.eye(z.shape[1]) - h[:, None, :]))(
                    rows(np.exp(z - z.max()))
                ),
                "own max",
            ),
            (
                "no max shift",
                lambda z: (lambda h: h[:, :, None] * (np.eye(z.shape[1]) - h[:, None, :]))(rows(np.exp(z))),
                "900",
            ),
            ("twice", lambda z: 2 * batched(z), "2 times"),
            ("sign", lambda z: -batched(z), "sign"),
            ("a list", lambda z: batched(z).tolist(), "list"),
            ("last row only", lambda z: batched(z)[-1], "expected shape"),
        ],
    ),
    "lse_hvp": (
        nb03.check_lse_hvp,
        [
            (
                "h*v − v*(h @ h)",
                lambda z, v: one_softmax(z) * v - v * (one_softmax(z) @ one_softmax(z)),
                "⟨h, h⟩",
            ),
            ("h returned", lambda z, v: one_softmax(z), "gradient of log-sum-exp"),
            ("v returned", lambda z, v: v, "v itself"),
            (
                "h*v − h*(h @ h)",
                lambda z, v: one_softmax(z) * v - one_softmax(z) * (one_softmax(z) @ one_softmax(z)),
                "⟨h, h⟩",
            ),
            ("v − h⟨h, v⟩", lambda z, v: v - one_softmax(z) * (one_softmax(z) @ v), "not v alone"),
            ("h*v − v⟨h, v⟩", lambda z, v: one_softmax(z) * v - v * (one_softmax(z) @ v), "not v ⟨h, v⟩"),
            ("exp(z) for h", lambda z, v: np.exp(z) * v - np.exp(z) * (np.exp(z) @ v), "division by its sum"),
            (
                "outer product summed",
                lambda z, v: one_softmax(z) * v - np.outer(one_softmax(z), v).sum(axis=0),
                "np.outer",
            ),
            ("the number everywhere", lambda z, v: np.full_like(v, one_softmax(z) @ v), "every entry"),
            ("h ⊙ (v − h)", lambda z, v: one_softmax(z) * (v - one_softmax(z)), "h ⊙ (v − h)"),
            ("diagonal without v", lambda z, v: one_softmax(z) * (1 - one_softmax(z)), "without v"),
            ("sigmoid", lambda z, v: sigmoid(z) * (1 - sigmoid(z)) * v, "sigmoid"),
            (
                "mean for the dot",
                lambda z, v: one_softmax(z) * v - one_softmax(z) * np.mean(one_softmax(z) * v),
                "mean",
            ),
            ("twice", lambda z, v: 2 * hvp(z, v), "2 times"),
            (
                "a number",
                lambda z, v: float(v @ hvp(z, v)),
                "vᵀHv",
            ),  # the quadratic form, named since newcomer_a
            ("a list", lambda z, v: hvp(z, v).tolist(), "list"),
        ],
    ),
}

CASES = [
    (exercise, name, answer, word)
    for exercise, (_, answers) in WRONG.items()
    for name, answer, word in answers
]


@pytest.mark.parametrize(
    ("exercise", "name", "answer", "word"), CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES]
)
def test_each_wrong_answer_is_named(exercise, name, answer, word):
    check = WRONG[exercise][0]
    with np.errstate(all="ignore"):
        expect_named(check(answer), word)


def test_no_generic_reply_in_notebooks_00_to_03():
    with np.errstate(all="ignore"):
        feedbacks = [WRONG[exercise][0](answer) for exercise, _, answer, _ in CASES]
    assert all(not f.passed for f in feedbacks)
    assert generic_share(feedbacks) == 0


@pytest.mark.parametrize(
    ("check", "right"),
    [
        (nb00.check_one_hot, one_hot),
        (nb00.check_theta_to_params, lambda T: (T.T[1:], T[:, 0])),  # slice after .T: the same W1
        (nb01.check_softmax, lambda z: hand_softmax(z.astype(float))),
        (nb01.check_log_softmax, lambda z: log_softmax(z.astype(float))),
        (nb02.check_jacobian, lambda z: one_softmax(z)[None, :] * (np.eye(z.size) - one_softmax(z)[:, None])),
        (nb02.check_numerical_jacobian, central),
        (nb03.check_batched_jacobian, batched),
        (nb03.check_lse_hvp, hvp),
    ],
)
def test_right_answers_written_another_way_still_pass(check, right):
    assert check(right).passed
