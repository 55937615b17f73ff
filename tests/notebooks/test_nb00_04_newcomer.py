"""The second newcomer review of notebooks 00-04: the wrong answers it found answered by a reply that
names nothing (or the wrong thing, or a ✓), and new wrong answers typed the way a newcomer would, six
or more per exercise. Each must get a reply that names its mistake, in the words listed beside it.
"""

import numpy as np
import pytest
from checking_helpers import expect_named, generic_share, hand_softmax, one_softmax

from course_utils.notebooks import nb00_start_here as nb00
from course_utils.notebooks import nb01_softmax as nb01
from course_utils.notebooks import nb02_softmax_jacobian as nb02
from course_utils.notebooks import nb03_kronecker_delta as nb03
from course_utils.notebooks import nb04_chain_rule_reduction as nb04


def one_hot(y, C):
    t = np.zeros((len(y), C))
    t[np.arange(len(y)), y] = 1
    return t


def shifted(z):
    z = np.asarray(z, dtype=float)
    return np.exp(z - z.max(axis=1, keepdims=True))


def first_row_normalised(z):
    e = shifted(z)
    e[0] = e[0] / e[0].sum()
    return e


def loop_over_one_row(z):
    e = shifted(z)
    for n in range(1):
        e[n] /= e[n].sum()
    return e


def log_softmax_first_row(z):
    z = np.asarray(z, dtype=float)
    out = z - z.max(axis=1, keepdims=True)
    out[0] -= np.log(np.exp(out[0]).sum())
    return out


def log_softmax(z):
    z = np.asarray(z, dtype=float)
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def jacobian(z):
    h = one_softmax(z)
    return np.diag(h) - np.outer(h, h)


def loop_jacobian(z, stop):
    h = one_softmax(z)
    C = z.size
    J = np.zeros((C, C))
    for i in range(C - stop):
        for j in range(C - stop):
            J[i, j] = h[i] * ((i == j) - h[j])
    return J


def central(f, z, eps, *, columns=None, integer=False):
    J = np.zeros((f(z).size, z.size))
    for j in range(z.size if columns is None else columns):
        step = np.zeros(z.size, dtype=int) if integer else np.zeros_like(z)
        step[j] = eps
        J[:, j] = (f(z + step) - f(z - step)) / (2 * eps)
    return J


def int_eps(f, z, eps):
    h = int(eps)
    J = np.zeros((f(z).size, z.size))
    for j in range(z.size):
        step = np.zeros_like(z)
        step[j] = h
        J[:, j] = (f(z + step) - f(z - step)) / (2 * h)
    return J


def arange_step(f, z, eps):
    J = np.zeros((f(z).size, z.size))
    for j in range(z.size):
        step = np.arange(z.size) * 0
        step[j] = eps
        J[:, j] = (f(z + step) - f(z - step)) / (2 * eps)
    return J


def batched(z):
    h = hand_softmax(z)
    return h[:, :, None] * (np.eye(z.shape[1]) - h[:, None, :])


def per_row(z, slice_of):
    h = hand_softmax(z)
    return np.stack([slice_of(r) for r in h])


def first_slice_only(z):
    h = hand_softmax(z)
    N, C = z.shape
    J = np.zeros((N, C, C))
    J[0] = np.diag(h[0]) - np.outer(h[0], h[0])
    return J


def loop_short_of_batch(z):
    h = hand_softmax(z)
    N, C = z.shape
    J = np.zeros((N, C, C))
    for n in range(N - 1):
        J[n] = np.diag(h[n]) - np.outer(h[n], h[n])
    return J


def vjp(z, g):
    h = hand_softmax(z)
    return h * (g - np.sum(g * h, axis=1, keepdims=True))


def vjp_pairs_diagonal(z, g):
    h = hand_softmax(z)
    return h * (g - np.diag(g @ h.T)[:, None])


def delta2(a2, y):
    d = a2.copy()
    d[np.arange(len(y)), y] -= 1
    return d / len(y)


def hvp(z, v):
    h = one_softmax(z)
    return h * v - h * (h @ v)


WRONG = {
    "one_hot": (
        nb00.check_one_hot,
        [
            ("review: y returned", lambda y, C: y, "the input `y`"),
            ("y as a column", lambda y, C: y[:, None], "(N, 1)"),
            ("one_hot of C columns transposed", lambda y, C: one_hot(y, C).T, "swapped"),
            ("labels + 1", lambda y, C: np.eye(C + 1)[y + 1][:, :C], "to the right"),
            ("bool one-hot", lambda y, C: (y[:, None] == np.arange(C)).astype(int) * 0.5, "0.5"),
            ("np.eye(C)", lambda y, C: np.eye(C), "expected shape"),
            ("y − 1", lambda y, C: one_hot((y - 1) % C, C), "to the left"),
        ],
    ),
    "theta_to_params": (
        nb00.check_theta_to_params,
        [
            ("review: b1 from the first row", lambda T: (T[:, 1:].T, T[0, :]), "first row"),
            ("W1 = Theta1 itself", lambda T: (T, T[:, 0]), "Theta1 itself"),
            ("W1 not transposed", lambda T: (T[:, 1:], T[:, 0]), "transpose"),
            ("Octave's 1-based index", lambda T: (T[:, 2:].T, T[:, 1]), "counted columns from 1"),
            ("pair swapped", lambda T: (T[:, 0], T[:, 1:].T), "wrong order"),
            ("b1 of shape (H, 1)", lambda T: (T[:, 1:].T, T[:, :1]), "(H, 1)"),
            ("the last column", lambda T: (T[:, :-1].T, T[:, -1]), "first column, not its last"),
            ("bias summed", lambda T: (T[:, 1:].T, T[:, 0].sum()), "not its sum"),
        ],
    ),
    "softmax": (
        nb01.check_softmax,
        [
            ("review: only row 0 normalised", first_row_normalised, "only some rows"),
            ("review: a loop over range(1)", loop_over_one_row, "only some rows"),
            ("review: the sum over axis 0", lambda z: shifted(z) / shifted(z).sum(axis=0), "axis=0"),
            (
                "the sum over axis 0, keepdims",
                lambda z: shifted(z) / shifted(z).sum(axis=0, keepdims=True),
                "axis=0",
            ),
            ("no division", shifted, "rows do not sum to 1"),
            ("softmax of z.T", lambda z: hand_softmax(np.asarray(z, float).T).T, "columns sum to 1"),
            ("exp without shift", lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), "overflow"),
            ("times 2", lambda z: 2 * hand_softmax(np.asarray(z, float)), "sum to 1"),
            ("log of it", lambda z: np.log(hand_softmax(np.asarray(z, float))), "log-softmax"),
        ],
    ),
    "log_softmax": (
        nb01.check_log_softmax,
        [
            ("review: only row 0", log_softmax_first_row, "only some rows"),
            ("sum over axis 0", lambda z: _log_axis0(z), "axis=0"),
            ("softmax instead", lambda z: hand_softmax(np.asarray(z, float)), "softmax"),
            ("z − max only", lambda z: np.asarray(z, float) - np.max(z, axis=1, keepdims=True), "log"),
            ("minus sign", lambda z: -log_softmax(z), "sign"),
            ("log10", lambda z: log_softmax(z) / np.log(10), "log10"),
            ("a list", lambda z: log_softmax(z).tolist(), "list"),
        ],
    ),
    "softmax_jacobian": (
        nb02.check_jacobian,
        [
            ("review: np.outer(z, z)", lambda z: np.diag(one_softmax(z)) - np.outer(z, z), "np.outer(z, z)"),
            ("review: divided by C", lambda z: jacobian(z) / z.size, "divided by C"),
            ("review: range(C − 1)", lambda z: loop_jacobian(z, 1), "range(C − 1)"),
            ("np.outer(h, z)", lambda z: np.diag(one_softmax(z)) - np.outer(one_softmax(z), z), "logit"),
            ("np.diag(z)", lambda z: np.diag(z) - np.outer(one_softmax(z), one_softmax(z)), "np.diag(z)"),
            ("times C", lambda z: jacobian(z) * z.size, "C times"),
            (
                "transpose of a wrong one",
                lambda z: np.outer(one_softmax(z), 1 - one_softmax(z)).T,
                "(1 − h_i) h_j",
            ),
            ("minus", lambda z: -jacobian(z), "sign"),
            ("diagonal vector", lambda z: one_softmax(z) * (1 - one_softmax(z)), "diagonal as a vector"),
        ],
    ),
    "numerical_jacobian": (
        nb02.check_numerical_jacobian,
        [
            ("review: an integer step array", lambda f, z, eps: central(f, z, eps, integer=True), "integer"),
            ("review: np.arange for the step", arange_step, "rounded to 0"),
            ("review: int(eps)", int_eps, "rounded to 0"),
            (
                "range(z.size − 1)",
                lambda f, z, eps: central(f, z, eps, columns=z.size - 1),
                "columns are all zeros",
            ),
            ("transposed", lambda f, z, eps: central(f, z, eps).T, "swapped"),
            ("divided by eps", lambda f, z, eps: 2 * central(f, z, eps), "2ε"),
            ("eps hard-coded", lambda f, z, eps: central(f, z, 1e-1), "hard-coded"),
            ("negated", lambda f, z, eps: -central(f, z, eps), "sign"),
            ("no division by 2ε", lambda f, z, eps: central(f, z, eps) * 2 * eps, "did not divide by 2ε"),
        ],
    ),
    "batched_jacobian": (
        nb03.check_batched_jacobian,
        [
            (
                "review: np.eye(C) * h − h * h per row",
                lambda z: per_row(z, lambda h: np.eye(h.size) * h - h * h),
                "elementwise",
            ),
            (
                "review: np.diag(h) − h.T @ h per row",
                lambda z: per_row(z, lambda h: np.diag(h) - h.T @ h),
                "1-D",
            ),
            ("review: only J[0]", first_slice_only, "J[0]"),
            ("a loop to N − 1", loop_short_of_batch, "part of the batch"),
            (
                "I − h hᵀ",
                lambda z: np.eye(z.shape[1]) - hand_softmax(z)[:, :, None] * hand_softmax(z)[:, None, :],
                "δ_ij − h_i h_j",
            ),
            ("batch axis last", lambda z: np.moveaxis(batched(z), 0, -1), "batch axis is last"),
            ("sum over the batch", lambda z: batched(z).sum(axis=0), "sum of the N Jacobians"),
            ("the logits", lambda z: z[:, :, None] * (np.eye(z.shape[1]) - z[:, None, :]), "logits"),
            ("twice", lambda z: 2 * batched(z), "2 times"),
        ],
    ),
    "lse_hvp": (
        nb03.check_lse_hvp,
        [
            (
                "review: (np.eye(C) * h − h * h) @ v",
                lambda z, v: (np.eye(z.size) * one_softmax(z) - one_softmax(z) * one_softmax(z)) @ v,
                "elementwise",
            ),
            (
                "review: (np.diag(h) − h.T @ h) @ v",
                lambda z, v: (np.diag(one_softmax(z)) - one_softmax(z).T @ one_softmax(z)) @ v,
                "1-D",
            ),
            ("h alone", lambda z, v: one_softmax(z), "gradient of log-sum-exp"),
            ("v alone", lambda z, v: v, "v itself"),
            ("plus", lambda z, v: one_softmax(z) * v + one_softmax(z) * (one_softmax(z) @ v), "subtracted"),
            ("negated", lambda z, v: -hvp(z, v), "sign"),
            ("half", lambda z, v: hvp(z, v) / 2, "1/2"),
            ("z and v swapped", lambda z, v: hvp(v, z), "swapped"),
        ],
    ),
    "vjp_rows": (
        nb04.check_vjp,
        [
            ("review: np.diag(g @ h.T)", vjp_pairs_diagonal, "N × N"),
            (
                "⟨g, h⟩ over axis 0",
                lambda z, g: hand_softmax(z) * (g - np.sum(g * hand_softmax(z), axis=0)),
                "axis=0",
            ),
            (
                "no keepdims",
                lambda z, g: hand_softmax(z) * (g - np.sum(g * hand_softmax(z), axis=1)),
                "keepdims",
            ),
            ("Σ g", lambda z, g: hand_softmax(z) * (g - g.sum(axis=1, keepdims=True)), "not Σ_i g_i"),
            (
                "no factor h",
                lambda z, g: g - np.sum(g * hand_softmax(z), axis=1, keepdims=True),
                "factor h_j",
            ),
            ("diagonal only", lambda z, g: g * hand_softmax(z) * (1 - hand_softmax(z)), "diagonal"),
            ("negated", lambda z, g: -vjp(z, g), "sign"),
            (
                "the mean",
                lambda z, g: hand_softmax(z) * (g - np.mean(g * hand_softmax(z), axis=1, keepdims=True)),
                "mean",
            ),
        ],
    ),
    "delta2": (
        nb04.check_delta2,
        [
            ("no 1/N", lambda a2, y: delta2(a2, y) * len(y), "N times"),
            ("sign", lambda a2, y: -delta2(a2, y), "sign"),
            ("set to −1", lambda a2, y: _set_minus_one(a2, y), "overwrites"),
            ("d[:, y]", lambda a2, y: (a2 - np.isin(np.arange(a2.shape[1]), y)) / len(y), "N × N"),
            ("a2/N", lambda a2, y: a2 / len(y), "a2/N"),
            ("y − 1", lambda a2, y: delta2(a2, (y - 1) % a2.shape[1]), "y − 1"),
            ("a list", lambda a2, y: delta2(a2, y).tolist(), "list"),
        ],
    ),
}


def _log_axis0(z):
    z = np.asarray(z, dtype=float)
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=0, keepdims=True))


def _set_minus_one(a2, y):
    d = a2.copy()
    d[np.arange(len(y)), y] = -1
    return d / len(y)


CASES = [
    (exercise, name, answer, word)
    for exercise, (_, answers) in WRONG.items()
    for name, answer, word in answers
]


@pytest.mark.parametrize(
    ("exercise", "name", "answer", "word"), CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES]
)
def test_each_wrong_answer_is_named(exercise, name, answer, word):
    with np.errstate(all="ignore"):
        expect_named(WRONG[exercise][0](answer), word)


def test_no_generic_reply_and_no_tick_among_them():
    with np.errstate(all="ignore"):
        feedbacks = [WRONG[exercise][0](answer) for exercise, _, answer, _ in CASES]
    assert not any(f.passed for f in feedbacks)
    assert generic_share(feedbacks) == 0


@pytest.mark.parametrize(
    ("check", "right"),
    [
        (nb04.check_vjp, vjp),
        (
            nb04.check_vjp,
            lambda z, g: hand_softmax(z) * (g - np.einsum("nc,nc->n", g, hand_softmax(z))[:, None]),
        ),
        (nb03.check_batched_jacobian, batched),
        (nb02.check_numerical_jacobian, central),
        (nb01.check_softmax, lambda z: shifted(z) / shifted(z).sum(axis=1, keepdims=True)),
    ],
)
def test_right_answers_still_pass(check, right):
    assert check(right).passed, check(right)
