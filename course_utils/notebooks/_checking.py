r"""What the exercise checkers share: run a learner's function on fixed cases and name the mistake.

Each notebook companion's ``check_*`` functions take the learner's function and return a
:class:`Feedback`, whose text says what is right, or which classic mistake the answer matches ("the
off-diagonal entries are zero: did you use h_j(1 − h_j) alone?"), never just "wrong". A function
that still raises ``NotImplementedError`` gets a friendly "not implemented yet", so a learner's
notebook runs from top to bottom before every exercise is done.

The mistakes are recognised by computing them: every catalogue entry is the wrong formula itself,
run on the same input, so a message can only fire when the answer really is that mistake.

:class:`Exercise` records how the teacher's grader scores one exercise (its checker, a reference
answer and hidden inputs); each companion lists its exercises in ``GRADED``.
"""

from dataclasses import dataclass

import numpy as np

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


def run_checks(
    exercise, fn, cases, reference, mistakes, hints=(), *, success, n_out=1, rtol=1e-7, atol=1e-10
):
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


def normal(seed, shape):
    """Fixed test inputs: the same for every call, so feedback is reproducible."""
    return np.random.default_rng(seed).normal(size=shape)


def uniform(seed, shape):
    return np.random.default_rng(seed).uniform(0, 1, size=shape)


def hidden_rng(seed):
    """The generator of the grader's hidden inputs: seeds apart from every case a learner sees."""
    return np.random.default_rng(10_000 + seed)


@dataclass(frozen=True)
class Exercise:
    """How to grade one exercise: the learner's function, its checker, a reference and hidden inputs."""

    name: str
    function: str  # the name the notebook defines
    checker: object  # the companion's check_* function
    reference: object  # the right answer, reference(*args)
    hidden_args: object  # () -> tuple of fresh arguments
    extra: tuple = ()  # (kind, points, hidden, predicate(fn) -> bool): partial credit
    # Dotted names of the course's own implementations of what the exercise asks for (besides
    # ``reference``): an answer that calls one scores 0 on the exercise and is flagged.
    course_functions: tuple = ()
