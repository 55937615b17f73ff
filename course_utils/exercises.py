r"""Exercise checkers: run a learner's function on fixed cases and name the likely mistake.

Each ``check_*`` function takes the learner's function and returns a :class:`Feedback`, whose text
says what is right, or which classic mistake the answer matches ("the off-diagonal entries are
zero: did you use h_j(1 − h_j) alone?"), never just "wrong". A function that still raises
``NotImplementedError`` gets a friendly "not implemented yet", so a learner's notebook runs from
top to bottom before every exercise is done.

The mistakes are recognised by computing them: every catalogue entry is the wrong formula itself,
run on the same input, so a message can only fire when the answer really is that mistake.
"""

from dataclasses import dataclass

import numpy as np

from .softmax import log_softmax, softmax, softmax_jacobian, softmax_vjp

_ICONS = {"correct": "✓", "wrong": "✗", "error": "✗", "not implemented": "…"}


@dataclass(frozen=True)
class Feedback:
    """What a checker found: ``status`` is correct, wrong, error or not implemented."""

    exercise: str
    status: str
    message: str

    @property
    def passed(self):
        return self.status == "correct"

    def __repr__(self):
        return f"{_ICONS[self.status]} {self.exercise}: {self.message}"

    __str__ = __repr__


def _copy(arg):
    return arg.copy() if isinstance(arg, np.ndarray) else arg


def _as_arrays(value, n_out):
    """The learner's return value as a tuple of float arrays (``n_out`` of them)."""
    values = value if n_out > 1 else (value,)
    if n_out > 1 and (not isinstance(value, tuple) or len(value) != n_out):
        raise TypeError(f"expected a tuple of {n_out} arrays, got {type(value).__name__}")
    return tuple(np.asarray(v, dtype=np.float64) for v in values)


def _same(a, b, rtol, atol):
    return all(
        x.shape == y.shape and np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=True) for x, y in zip(a, b)
    )


def _run(exercise, fn, cases, reference, mistakes, hints=(), *, success, n_out=1, rtol=1e-7, atol=1e-10):
    """Run ``fn`` on every case, compare with ``reference``, name a mistake when one matches.

    ``mistakes`` is a list of ``(wrong_function, message)``: the message fires when the learner's
    answer equals what the wrong function returns on that case. ``hints`` is a list of
    ``(predicate(got, expected, args), message)`` tried next, for mistakes known by a property.
    """
    if not callable(fn):
        return Feedback(exercise, "error", f"pass your function itself, got {type(fn).__name__}")
    for args in cases:
        mine = tuple(_copy(a) for a in args)
        try:
            raw = fn(*mine)
        except NotImplementedError:
            return Feedback(
                exercise,
                "not implemented",
                "not implemented yet: replace `raise NotImplementedError` with your code",
            )
        except Exception as exc:  # a learner's bug: report it, do not crash the notebook
            hint = (
                "; a sum or max over axis=1 needs keepdims=True to line up with the rows"
                if "broadcast" in str(exc)
                else ""
            )
            return Feedback(
                exercise,
                "error",
                f"your function raised {type(exc).__name__}: {exc} (on input shapes "
                f"{[np.shape(a) for a in args if isinstance(a, np.ndarray)]}){hint}",
            )
        for before, after in zip(args, mine):
            if isinstance(before, np.ndarray) and not np.array_equal(before, after, equal_nan=True):
                return Feedback(
                    exercise,
                    "wrong",
                    "your function changed its input array in place: an assignment "
                    "like `d = a` shares memory with `a`; use `a.copy()`",
                )
        try:
            got = _as_arrays(raw, n_out)
        except (TypeError, ValueError) as exc:
            return Feedback(exercise, "error", f"could not read your result as arrays: {exc}")
        expected = _as_arrays(reference(*args), n_out)
        if _same(got, expected, rtol, atol):
            continue
        for wrong, message in mistakes:
            try:
                candidate = _as_arrays(wrong(*args), n_out)
            except Exception:  # a wrong formula may not even run on this case
                continue
            if _same(got, candidate, rtol, atol):
                return Feedback(exercise, "wrong", message)
        for predicate, message in hints:
            if predicate(got, expected, args):
                return Feedback(exercise, "wrong", message)
        for g, e in zip(got, expected):
            if g.shape != e.shape:
                return Feedback(exercise, "wrong", f"expected shape {e.shape}, got {g.shape}")
        return Feedback(exercise, "wrong", _describe_difference(got, expected))
    return Feedback(exercise, "correct", success)


def _describe_difference(got, expected):
    for k, (g, e) in enumerate(zip(got, expected)):
        if not np.all(np.isfinite(g)):
            return "your result holds NaN or inf where the answer is finite: look for an overflow"
        diff = np.abs(g - e)
        if diff.max() > 0:
            idx = np.unravel_index(np.argmax(diff), diff.shape)
            idx = idx if len(idx) > 1 else idx[0]
            where = f"output {k}, " if len(got) > 1 else ""
            return (
                f"not the expected values: the largest difference is at {where}index {idx}, "
                f"expected {e[idx]:.6g}, got {g[idx]:.6g}"
            )
    return "not the expected values"


def _rows(h):
    return h.sum(axis=-1, keepdims=True)


# --- 00 start here ---------------------------------------------------------------------------


def _normal(seed, shape):
    """Fixed test inputs: the same for every call, so feedback is reproducible."""
    return np.random.default_rng(seed).normal(size=shape)


def _uniform(seed, shape):
    return np.random.default_rng(seed).uniform(0, 1, size=shape)


def _one_hot(y, C):
    t = np.zeros((len(y), C))
    t[np.arange(len(y)), y] = 1
    return t


def check_one_hot(fn):
    """Exercise: ``one_hot(y, C)`` turns labels ``(N,)`` in ``[0, C)`` into rows ``(N, C)``."""
    cases = [(np.array([2, 0, 1, 2]), 3), (np.array([0, 4, 4, 1, 3, 2]), 5)]
    mistakes = [
        (
            lambda y, C: _one_hot(y, C).T,
            "your rows and columns are swapped: the course puts one sample per row, shape (N, C)",
        ),
        (
            lambda y, C: _one_hot((y + 1) % C, C),
            "every 1 sits one class to the right: Octave labels start at 1, ours at 0",
        ),
        (
            lambda y, C: _one_hot((y - 1) % C, C),
            "every 1 sits one class to the left: the labels already start at 0, do not subtract 1",
        ),
        (
            lambda y, C: y[:, None].astype(float),
            "that is the labels as a column (N, 1): one-hot targets have one column per class, (N, C)",
        ),
    ]
    return _run(
        "one_hot",
        fn,
        cases,
        _one_hot,
        mistakes,
        success="one row per sample, a single 1 in the column of its label",
    )


def _theta_to_params(Theta1):
    return Theta1[:, 1:].T, Theta1[:, 0]


def check_theta_to_params(fn):
    """Exercise: turn an Octave ``Theta1`` of shape (H, D+1), bias first, into ``W1 (D, H), b1 (H,)``."""
    cases = [(_normal(1, (5, 4)),), (_normal(2, (3, 7)),)]
    mistakes = [
        (
            lambda T: (T[:, 1:], T[:, 0]),
            "W1 has shape (H, D): Theta1 holds one row per hidden unit, W1 one column; transpose it",
        ),
        (
            lambda T: (T.T, T[:, 0]),
            "W1 still holds the bias column: drop Theta1's first column (W1 = Theta1[:, 1:].T)",
        ),
        (
            lambda T: (T[:, :-1].T, T[:, -1]),
            "the bias is Theta1's first column, not its last (Octave prepends the column of ones)",
        ),
        (
            lambda T: (T[:, 1:].T, T[:, :1]),
            "b1 has shape (H, 1): the course's biases are vectors of shape (H,); use Theta1[:, 0]",
        ),
    ]
    return _run(
        "theta_to_params",
        fn,
        cases,
        _theta_to_params,
        mistakes,
        n_out=2,
        success="W1 = Theta1[:, 1:].T and b1 = Theta1[:, 0]: X @ W1 + b1 equals [1 X] Theta1'",
    )


# --- 01 softmax ------------------------------------------------------------------------------

_SOFTMAX_CASES = [
    (_normal(3, (3, 4)),),
    (np.array([[1000.0, 999.0, 998.0], [0.0, 1.0, 2.0], [-5.0, 5.0, 0.0]]),),
    (np.array([[0.0, 1.0], [-1000.0, -999.0]]),),
]


def _softmax_no_shift(z):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def _softmax_global_shift(z):
    with np.errstate(invalid="ignore"):
        e = np.exp(z - z.max())
        return e / e.sum(axis=1, keepdims=True)


def _softmax_no_keepdims(z):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z - z.max(axis=1))
        return e / e.sum(axis=1, keepdims=True)


def check_softmax(fn):
    """Exercise: a numerically stable softmax of each row of ``z`` (N, C)."""
    mistakes = [
        (
            _softmax_no_shift,
            "overflow: exp(1000) is inf, and inf/inf is NaN; subtract each row's max before exp",
        ),
        (
            _softmax_global_shift,
            "one max for the whole batch makes rows far below it underflow to 0/0; subtract each "
            "row's own max: z.max(axis=1, keepdims=True)",
        ),
        (
            _softmax_no_keepdims,
            "z.max(axis=1) has shape (N,) and was broadcast across the columns: use keepdims=True",
        ),
        (
            lambda z: softmax(z, axis=0),
            "your columns sum to 1, not your rows: normalise over axis=1 (the classes)",
        ),
    ]
    hints = [
        (
            lambda got, exp, args: (
                got[0].shape == exp[0].shape
                and np.all(np.isfinite(got[0]))
                and not np.allclose(got[0].sum(axis=1), 1)
            ),
            "your rows do not sum to 1: divide each row by its own sum",
        )
    ]
    return _run(
        "softmax",
        fn,
        _SOFTMAX_CASES,
        softmax,
        mistakes,
        hints,
        success="rows sum to 1, and logits of 1000 or -1000 give no NaN",
    )


def check_log_softmax(fn):
    """Exercise: log-softmax of each row of ``z`` (N, C), finite even when softmax underflows."""
    cases = _SOFTMAX_CASES + [(np.array([[0.0, 800.0, 10.0]]),)]

    def log_of_softmax(z):
        with np.errstate(divide="ignore"):
            return np.log(softmax(z))

    def forgot_max_back(z):
        m = z.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z - m).sum(axis=1, keepdims=True))

    def no_shift(z):
        with np.errstate(over="ignore", invalid="ignore"):
            return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    mistakes = [
        (
            log_of_softmax,
            "log of a softmax that underflowed to 0 is -inf: compute z - m - log(sum(exp(z - m))) directly",
        ),
        (
            forgot_max_back,
            "you subtracted the log-sum-exp of the shifted logits from the unshifted ones: "
            "log h = (z - m) - log(sum(exp(z - m)))",
        ),
        (no_shift, "overflow: exp(1000) is inf; shift by the row max inside the log-sum-exp"),
    ]
    return _run(
        "log_softmax",
        fn,
        cases,
        log_softmax,
        mistakes,
        success="finite everywhere, even at a logit gap of 800, and exp of each row sums to 1",
    )


# --- 02 the Jacobian -------------------------------------------------------------------------

_SINGLE_CASES = [(_normal(4, 4),), (np.array([2.0, -1.0, 0.5]),), (_normal(5, 6),)]


def check_jacobian(fn):
    """Exercise: the softmax Jacobian ``J[i, j] = dh_i/dz_j`` of one sample ``z`` (C,)."""

    def diag_only(z):
        h = softmax(z)
        return np.diag(h * (1 - h))

    def off_sign(z):
        h = softmax(z)
        return np.diag(h * (1 - h)) + (np.outer(h, h) - np.diag(h * h))

    def h_i_one_minus_h_j(z):
        h = softmax(z)
        return np.outer(h, 1 - h)

    mistakes = [
        (
            diag_only,
            "the diagonal is right, the off-diagonal entries are zero: did you use h_j(1 − h_j) alone? "
            "Every h_i depends on every z_j through the sum in the denominator",
        ),
        (off_sign, "the off-diagonal entries have the wrong sign: for i ≠ j, ∂h_i/∂z_j = −h_i h_j"),
        (
            h_i_one_minus_h_j,
            "h_i(1 − h_j) is right only on the diagonal: off it the derivative is −h_i h_j, "
            "which is what the Kronecker delta in h_i(δ_ij − h_j) switches between",
        ),
        (lambda z: np.diag(softmax(z)), "that is diag(h) alone: subtract the outer product h hᵀ"),
        (
            lambda z: -np.outer(softmax(z), softmax(z)),
            "that is −h hᵀ alone: add diag(h), the part where i = j",
        ),
    ]
    return _run(
        "softmax_jacobian",
        fn,
        _SINGLE_CASES,
        softmax_jacobian,
        mistakes,
        success="J[i, j] = h_i(δ_ij − h_j), on and off the diagonal",
    )


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


def check_numerical_jacobian(fn):
    """Exercise: ``numerical_jacobian(f, z, eps)`` by central differences, ``J[i, j] = df_i/dz_j``."""
    cases = [(_f_test, np.array([0.3, -1.2, 0.7]), 1e-5), (_f_test, np.array([1.5, 0.4, -0.2]), 1e-5)]

    def forward(f, z, eps):
        out = f(z)
        J = np.zeros((out.size, z.size))
        for j in range(z.size):
            step = np.zeros_like(z)
            step[j] = eps
            J[:, j] = (f(z + step) - out) / eps
        return J

    mistakes = [
        (
            lambda f, z, eps: _numerical_jacobian(f, z, eps).T,
            "rows and columns are swapped: row i should hold df_i/dz_j for every j (one output per row)",
        ),
        (
            lambda f, z, eps: 2 * _numerical_jacobian(f, z, eps),
            "twice too large: the central difference spans 2ε, from z − ε to z + ε",
        ),
        (
            forward,
            "close, but only to about ε: that is a forward difference; use (f(z + ε) − f(z − ε)) / 2ε, "
            "whose error is about ε²",
        ),
    ]
    return _run(
        "numerical_jacobian",
        fn,
        cases,
        _numerical_jacobian,
        mistakes,
        rtol=1e-8,
        atol=1e-10,
        success="central differences, one column per input, one row per output",
    )


# --- 03 Kronecker delta ----------------------------------------------------------------------


def check_batched_jacobian(fn):
    """Exercise: Jacobians of a batch ``z`` (N, C) at once, shape (N, C, C), without a loop."""
    cases = [(_normal(6, (5, 3)),), (_normal(7, (2, 4)),), (_normal(8, (3, 3)),)]

    def diag_only(z):
        h = softmax(z)
        return np.einsum("ni,ij->nij", h * (1 - h), np.eye(z.shape[1]))

    mistakes = [
        (
            lambda z: softmax_jacobian(z[0]),
            "that is the Jacobian of the first row only: the answer has one C × C matrix per row, "
            "shape (N, C, C)",
        ),
        (
            lambda z: softmax(z)[:, :, None] * (1 - softmax(z)[:, None, :]),
            "h_i(1 − h_j) everywhere: the identity is missing; "
            "use h[:, :, None] * (np.eye(C) − h[:, None, :])",
        ),
        (diag_only, "only the diagonals: each matrix also needs −h_i h_j off the diagonal"),
    ]
    return _run(
        "batched_jacobian",
        fn,
        cases,
        softmax_jacobian,
        mistakes,
        success="(N, C, C), each slice diag(h) − h hᵀ of its own row",
    )


def _hvp(z, v):
    h = softmax(z)
    return h * v - h * np.dot(h, v)


def check_lse_hvp(fn):
    """Exercise: the Hessian of log-sum-exp times ``v``, for one sample, without forming the matrix."""
    cases = [(_normal(9, 4), _normal(10, 4)), (_normal(11, 6), _normal(12, 6))]
    mistakes = [
        (
            lambda z, v: softmax(z) * (1 - softmax(z)) * v,
            "that is the diagonal of the Hessian times v: the full Hessian is diag(h) − h hᵀ",
        ),
        (
            lambda z, v: softmax(z) * v - np.dot(softmax(z), v),
            "the second term is h ⟨h, v⟩, a vector along h: multiply ⟨h, v⟩ by h",
        ),
        (lambda z, v: softmax(z) * v - softmax(z) * v.sum(), "use ⟨h, v⟩ = Σ h_i v_i, not Σ v_i"),
        (lambda z, v: softmax(z) * v, "that is diag(h) v alone: subtract h ⟨h, v⟩"),
    ]
    return _run(
        "lse_hvp",
        fn,
        cases,
        _hvp,
        mistakes,
        success="Hv = h ⊙ v − h ⟨h, v⟩ in O(C), the same as (diag(h) − h hᵀ) v",
    )


# --- 04 chain-rule reduction -----------------------------------------------------------------


def check_vjp(fn):
    """Exercise: ``vjp(z, g)``, rows of ``dL/dz`` from rows ``g = dL/dh``, both (N, C), in O(C)."""
    cases = [
        (_normal(13, (4, 5)), _normal(14, (4, 5))),
        (_normal(15, (3, 3)), _normal(16, (3, 3))),
        (_normal(17, (1, 6)), _normal(18, (1, 6))),
    ]

    def rows_sum_axis0(z, g):
        h = softmax(z)
        return h * (g - np.sum(g * h, axis=0, keepdims=True))

    def no_keepdims(z, g):
        h = softmax(z)
        return h * (g - np.sum(g * h, axis=1))

    mistakes = [
        (
            lambda z, g: g * softmax(z) * (1 - softmax(z)),
            "that is g times the diagonal h(1 − h) only: the off-diagonal −h_i h_j terms add "
            "−h_j ⟨g, h⟩; use h ⊙ (g − ⟨g, h⟩)",
        ),
        (lambda z, g: softmax(z) * (g - g.sum(axis=1, keepdims=True)), "⟨g, h⟩ is Σ_i g_i h_i, not Σ_i g_i"),
        (
            lambda z, g: g - np.sum(g * softmax(z), axis=1, keepdims=True),
            "the factor h_j is missing in front: dz = h ⊙ (g − ⟨g, h⟩)",
        ),
        (
            rows_sum_axis0,
            "⟨g, h⟩ must be taken per sample: sum over axis=1 (the classes), not axis=0 (the batch)",
        ),
        (
            no_keepdims,
            "np.sum(..., axis=1) has shape (N,) and was broadcast across columns: add keepdims=True",
        ),
    ]
    return _run(
        "softmax_vjp",
        fn,
        cases,
        softmax_vjp,
        mistakes,
        success="dz = h ⊙ (g − ⟨g, h⟩) row by row: the same as g J, without any C × C matrix",
    )


def _delta2(a2, y):
    N = a2.shape[0]
    d = a2.copy()
    d[np.arange(N), y] -= 1
    return d / N


def _learner_da2(a2, y):
    """The learner's 'derivative of softmax': row y_n of each Jacobian, h_y (δ_{y j} − h_j)."""
    N = a2.shape[0]
    da2 = -a2.copy()
    da2[np.arange(N), y] += 1
    return da2 * a2[np.arange(N), y][:, None]


def check_delta2(fn):
    """Exercise: eq. 1 done right, ``delta2(a2, y)`` = dL/dz2 (N, C) of the mean cross-entropy."""
    probs = softmax(_normal(19, (5, 4)))
    cases = [(probs, np.array([0, 3, 1, 1, 2])), (softmax(_normal(20, (3, 3))), np.array([2, 2, 0]))]

    def elementwise(a2, y):
        N = a2.shape[0]
        mask = np.zeros(a2.shape)
        mask[np.arange(N), y] = 1
        return ((1 / a2) * mask) * _learner_da2(a2, y) / N

    mistakes = [
        (
            elementwise,
            "only the label column is non-zero: an elementwise product where the chain rule needs a "
            "sum over i; the learner's commented line, −(1/h_y)·(row y of J)/N, does that sum",
        ),
        (
            lambda a2, y: -_delta2(a2, y),
            "the sign is flipped: dL/dh_y = −1/h_y; keep the minus and you get (h − t)/N",
        ),
        (lambda a2, y: a2.shape[0] * _delta2(a2, y), "N times too large: where did the 1/N of the mean go?"),
        (
            lambda a2, y: (_delta2(a2, y) * a2.shape[0]).sum(axis=1, keepdims=True) / a2.shape[0],
            "shape (N, 1): the upstream error has one entry per class, shape (N, C)",
        ),
    ]
    return _run(
        "delta2",
        fn,
        cases,
        _delta2,
        mistakes,
        success="(a2 − t)/N: the N × 1 column times row y of each Jacobian, summed, is exactly this",
    )


# --- 05 fused cross-entropy ------------------------------------------------------------------


def _fused(z, y):
    return _delta2(softmax(z), y)


def check_fused_grad(fn):
    """Exercise: ``fused_grad(z, y)``, the gradient of the mean cross-entropy w.r.t. logits (N, C)."""
    cases = [
        (_normal(21, (4, 3)), np.array([0, 2, 1, 2])),
        (_normal(22, (6, 5)), np.array([4, 0, 0, 3, 1, 2])),
    ]
    mistakes = [
        (lambda z, y: z.shape[0] * _fused(z, y), "off by a factor of N: where did the 1/N of the mean go?"),
        (lambda z, y: -_fused(z, y), "the sign is flipped: the gradient is h − t, not t − h"),
        (
            lambda z, y: softmax(z) / z.shape[0],
            "that is h/N: subtract 1 at each row's label (the t in h − t)",
        ),
        (
            lambda z, y: _fused(z, (y + 1) % z.shape[1]),
            "the 1 is subtracted one class to the right of the label: are your labels counted from 1?",
        ),
    ]
    return _run(
        "fused_grad",
        fn,
        cases,
        _fused,
        mistakes,
        success="(h − t)/N: the whole softmax Jacobian and the 1/h of the log collapse to this",
    )


def _general(z, t):
    return (softmax(z) * _rows(t) - t) / z.shape[0]


def check_soft_target_grad(fn):
    """Exercise: gradient w.r.t. logits of the mean cross-entropy for any targets ``t`` (N, C) >= 0."""
    cases = [
        (_normal(23, (3, 4)), _uniform(25, (3, 4))),
        (_normal(24, (2, 3)), np.array([[0.0, 2.0, 0.0], [0.5, 0.0, 0.0]])),
    ]
    mistakes = [
        (
            lambda z, t: (softmax(z) - t) / z.shape[0],
            "that is (h − t)/N, right only when each row of t sums to 1: here they do not; "
            "use (h·Σ_k t_k − t)/N",
        ),
        (lambda z, t: softmax(z) * _rows(t) - t, "off by a factor of N: where did the 1/N of the mean go?"),
    ]
    return _run(
        "soft_target_grad",
        fn,
        cases,
        _general,
        mistakes,
        success="(h·Σt − t)/N, which becomes (h − t)/N whenever a row of t sums to 1",
    )


# --- 07 mismatch lab -------------------------------------------------------------------------


def _softmax_cost(h, Y):
    return -np.sum(Y * np.log(h)) / h.shape[0]


def check_softmax_cost(fn):
    """Exercise: the cost whose gradient is ``a3 - Y`` for a softmax output, ``J(h, Y)`` (m, K)."""
    cases = [
        (softmax(_normal(26, (5, 3))), np.eye(3)[[1, 2, 0, 1, 2]]),
        (softmax(_normal(27, (4, 4))), np.eye(4)[[3, 0, 0, 2]]),
    ]
    mistakes = [
        (
            lambda h, Y: -np.sum(Y * np.log(h)),
            "m times too large: that is the learner's commented line, which forgot the 1/m",
        ),
        (
            lambda h, Y: np.sum(-Y * np.log(h) - (1 - Y) * np.log(1 - h)) / h.shape[0],
            "that is the binary (sigmoid) cost: its gradient through a softmax is not a3 − Y",
        ),
        (lambda h, Y: np.sum(Y * np.log(h)) / h.shape[0], "the sign is flipped: J = −(1/m) Σ Y log h"),
    ]
    return _run(
        "softmax_cost",
        fn,
        cases,
        _softmax_cost,
        mistakes,
        success="J = −(1/m) Σ Y log h: the cost that a3 − Y is the gradient of, for softmax",
    )


def _sigma2(sigma3, Theta2, z2, hidden):
    from .activations import get_activation

    return (sigma3 @ Theta2)[:, 1:] * get_activation(hidden).df(z2)


def check_sigma2(fn):
    """Exercise: the hidden delta ``sigma2(sigma3, Theta2, z2, hidden)``, shape (m, H)."""
    from .activations import get_activation

    cases = [
        (_normal(28, (5, 3)), _normal(29, (3, 6)), _normal(30, (5, 5)), "tanh"),
        (_normal(31, (4, 3)), _normal(32, (3, 5)), _normal(33, (4, 4)), "softplus"),
    ]
    mistakes = [
        (
            lambda s3, T2, z2, hid: _sigma2(s3, T2, z2, "sigmoid"),
            "that is the sigmoid derivative: the learner's hard-coded line; use the derivative of the "
            "hidden activation you actually have",
        ),
        (
            lambda s3, T2, z2, hid: (
                (s3 @ T2) * get_activation(hid).df(np.column_stack([np.ones(len(z2)), z2]))
            ),
            "shape (m, H + 1): drop the bias column, sigma2(:, 2:end) in Octave, [:, 1:] here",
        ),
        (
            lambda s3, T2, z2, hid: (s3 @ T2)[:, 1:] * get_activation(hid).df(get_activation(hid).f(z2)),
            "the derivative was taken at the activation f(z2), not at the pre-activation z2",
        ),
        (
            lambda s3, T2, z2, hid: (s3 @ T2)[:, 1:],
            "the activation's derivative is missing: multiply elementwise by f'(z2)",
        ),
    ]
    return _run(
        "sigma2",
        fn,
        cases,
        _sigma2,
        mistakes,
        success="sigma2 = (sigma3 Theta2)(:, 2:end) .* f'(z2), with f the hidden activation",
    )


# --- 08 MNIST network ------------------------------------------------------------------------


def _relu_backward(dout, a1):
    return dout * (a1 > 0)


def check_relu_backward(fn):
    """Exercise: ``relu_backward(da1, a1)``, gradient through ReLU from its output ``a1``, no aliasing."""
    a = np.maximum(_normal(34, (4, 5)), 0)
    a[0, 0] = 0.0
    cases = [(_normal(35, (4, 5)), a), (_normal(36, (3, 2)), np.maximum(_normal(37, (3, 2)), 0))]
    mistakes = [
        (lambda d, a1: d * (a1 >= 0), "a1 >= 0 lets the gradient through units that are off: use a1 > 0"),
        (
            lambda d, a1: (a1 > 0).astype(float),
            "that is the mask alone: multiply it by the upstream gradient",
        ),
        (lambda d, a1: d, "the mask is missing: units with a1 = 0 pass no gradient"),
    ]
    return _run(
        "relu_backward", fn, cases, _relu_backward, mistakes, success="da1 ⊙ [a1 > 0], and a1 left untouched"
    )


def _momentum(w, dw, v, lr, mu):
    v_new = mu * v - lr * dw
    return w + v_new, v_new


def check_momentum_update(fn):
    """Exercise: one SGD-with-momentum step, ``(w, dw, v, lr, mu) -> (w_new, v_new)``."""
    cases = [
        (_normal(38, (3, 2)), _normal(39, (3, 2)), _normal(40, (3, 2)), 0.1, 0.9),
        (_normal(41, 4), _normal(42, 4), np.zeros(4), 0.5, 0.5),
    ]
    mistakes = [
        (
            lambda w, dw, v, lr, mu: (w + (mu * v + lr * dw), mu * v + lr * dw),
            "gradient ascent: the step must go against the gradient, v = μv − η·dw",
        ),
        (
            lambda w, dw, v, lr, mu: (w + v, mu * v - lr * dw),
            "w moved with the old velocity: update v first, then w = w + v_new",
        ),
        (
            lambda w, dw, v, lr, mu: (w - lr * dw, -lr * dw),
            "the momentum term μv is missing: that is plain SGD",
        ),
    ]
    return _run(
        "momentum_update", fn, cases, _momentum, mistakes, n_out=2, success="v = μv − η·dw, then w = w + v"
    )


# --- 09 bug hunt -----------------------------------------------------------------------------


def check_mysteries(answers):
    """Exercise: ``answers`` maps mystery number (1-5) to a key of ``bugs.BUGS``; one line each."""
    from . import bugs

    if not isinstance(answers, dict):
        return Feedback(
            "mysteries", "error", f"answers must be a dict number -> bug key, got {type(answers).__name__}"
        )
    lines, right = [], 0
    for number, truth in enumerate(bugs.MYSTERIES, start=1):
        guess = answers.get(number)
        if guess is None or guess is ...:
            lines.append(f"  mystery {number}: no answer yet")
        elif guess not in bugs.BUGS:
            lines.append(f"  mystery {number}: {guess!r} is not a key of bugs.BUGS")
        elif guess == truth:
            right += 1
            lines.append(f"  mystery {number}: ✓ {bugs.BUGS[truth].title}")
        else:
            hint = sorted(bugs.BUGS[truth].flags)
            lines.append(
                f"  mystery {number}: ✗ not {bugs.BUGS[guess].title}; the tensors that fail "
                f"are {', '.join(hint)}: which bugs touch exactly those?"
            )
    status = "correct" if right == len(bugs.MYSTERIES) else "wrong"
    if all(answers.get(n) in (None, ...) for n in range(1, len(bugs.MYSTERIES) + 1)):
        status = "not implemented"
    return Feedback("mysteries", status, f"{right} of {len(bugs.MYSTERIES)} solved\n" + "\n".join(lines))


def _db2(h, y):
    d = h.sum(axis=0)
    np.subtract.at(d, y, 1)
    return d / h.shape[0]


def check_bias_gradient(fn):
    """Exercise: ``db2(h, y)``, the bias gradient of the mean cross-entropy, with repeated labels."""
    cases = [
        (softmax(_normal(43, (6, 4))), np.array([1, 1, 3, 0, 1, 3])),
        (softmax(_normal(44, (5, 3))), np.array([2, 2, 2, 2, 2])),
    ]

    def fancy(h, y):
        d = h.sum(axis=0) / h.shape[0]
        d[y] -= 1 / h.shape[0]
        return d

    mistakes = [
        (
            fancy,
            "d[y] -= 1/N subtracts once per distinct label, not once per sample: use "
            "np.subtract.at(d, y, 1/N) or np.bincount(y, minlength=C)",
        ),
        (lambda h, y: _db2(h, y) * h.shape[0], "N times too large: where did the 1/N of the mean go?"),
    ]
    return _run(
        "bias_gradient",
        fn,
        cases,
        _db2,
        mistakes,
        success="Σ_n (h_n − t_n) / N, every repeated label counted",
    )


# --- 06 gradient checking --------------------------------------------------------------------


def _central_gradient(f, x, eps):
    grad = np.zeros_like(x)
    for k in range(x.size):
        old = x.flat[k]
        x.flat[k] = old + eps
        up = f(x)
        x.flat[k] = old - eps
        down = f(x)
        x.flat[k] = old
        grad.flat[k] = (up - down) / (2 * eps)
    return grad


def _quartic(x):
    return float(np.sum(x**4) + x.ravel()[0] * x.ravel()[-1])


def check_central_difference(fn):
    """Exercise: ``numerical_grad(f, x, eps)``: central differences of scalar ``f(x)``, x restored."""
    cases = [(_quartic, _normal(45, 5), 1e-5), (_quartic, _normal(46, (2, 3)), 1e-5)]

    def forward(f, x, eps):
        grad = np.zeros_like(x)
        base = f(x)
        for k in range(x.size):
            xp = x.copy()
            xp.flat[k] += eps
            grad.flat[k] = (f(xp) - base) / eps
        return grad

    mistakes = [
        (forward, "close, but only to about ε: that is a forward difference; use the central one"),
        (
            lambda f, x, eps: 2 * _central_gradient(f, x.copy(), eps),
            "twice too large: the central difference spans 2ε",
        ),
    ]
    return _run(
        "numerical_grad",
        fn,
        cases,
        lambda f, x, eps: _central_gradient(f, x.copy(), eps),
        mistakes,
        rtol=1e-8,
        atol=1e-10,
        success="central differences, and x is exactly as it was afterwards",
    )


def _rel(a, b):
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else np.linalg.norm(a - b) / denom


def check_relative_error(fn):
    """Exercise: ``relative_error(a, b)`` = ||a − b|| / (||a|| + ||b||), and 0 when both are 0."""
    cases = [
        (np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.3])),
        (np.array([1e-9, 0.0]), np.array([3e-9, 0.0])),
        (np.zeros(3), np.zeros(3)),
        (np.array([2.0, -1.0]), np.array([-2.0, 1.0])),
    ]
    mistakes = [
        (
            lambda a, b: np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-300)),
            "that is the largest entry-by-entry error: the course's definition uses norms",
        ),
        (
            lambda a, b: np.linalg.norm(a - b),
            "that is the absolute error: divide by ||a|| + ||b|| so the scale of the gradient cancels",
        ),
        (
            lambda a, b: np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1.0),
            "a floor of 1 in the denominator makes tiny gradients always pass: use ||a|| + ||b||",
        ),
    ]
    hints = [
        (
            lambda got, exp, args: not np.all(np.isfinite(got[0])),
            "both arrays are zero here: return 0 instead of dividing 0 by 0",
        )
    ]
    return _run(
        "relative_error",
        fn,
        cases,
        _rel,
        mistakes,
        hints,
        success="||a − b|| / (||a|| + ||b||): 0 when equal, 1 when b = −a or b = 0",
    )
