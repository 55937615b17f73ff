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
from html import escape

import numpy as np

_ICONS = {"correct": "✓", "wrong": "✗", "error": "✗", "not implemented": "…"}


@dataclass(frozen=True)
class Section:
    """A heading of a notebook that explains a mistake, as a relative link the learner can follow."""

    notebook: str  # "04_chain_rule_reduction"
    heading: str  # the heading's text, exactly as in the notebook, without the leading #s

    @property
    def link(self):
        return f"{self.notebook}.ipynb#{self.heading.replace(' ', '-')}"

    def __str__(self):
        return f"{self.notebook[:2]} · {self.heading}"


def see(notebook, heading):
    """The section ``heading`` of ``notebook`` (checked against the notebooks by the tests)."""
    return Section(notebook, heading)


# The section that explains labels and gradients shaped (N, 1) where (N, C) is meant.
N_BY_ONE = see("04_chain_rule_reduction", "(N, C) or (N, 1)? The learner's equation 1")


@dataclass(frozen=True)
class Feedback:
    """What a checker found: ``status`` is correct, wrong, error or not implemented.

    ``see`` is the section that explains the mistake, when one does; notebooks show it as a link.
    """

    exercise: str
    status: str
    message: str
    see: Section | None = None

    @property
    def passed(self):
        return self.status == "correct"

    def __repr__(self):
        where = f" (see {self.see}: {self.see.link})" if self.see else ""
        return f"{_ICONS[self.status]} {self.exercise}: {self.message}{where}"

    __str__ = __repr__

    def _repr_html_(self):
        where = f' <a href="{escape(self.see.link)}">See {escape(str(self.see))}.</a>' if self.see else ""
        text = escape(self.message).replace("\n", "<br>")
        return f"<p>{_ICONS[self.status]} <b>{escape(self.exercise)}</b>: {text}{where}</p>"


def _copy(arg):
    return arg.copy() if isinstance(arg, np.ndarray) else arg


class _Unreadable(Exception):
    """The learner's result is not something a checker can compare (None, text, complex numbers)."""


def _as_arrays(value, n_out):
    """The learner's return value as a tuple of float arrays (``n_out`` of them)."""
    if value is None:
        raise _Unreadable("your function returned None: is a `return` missing?")
    values = value if n_out > 1 else (value,)
    if n_out > 1 and (not isinstance(value, (tuple, list)) or len(value) != n_out):
        raise _Unreadable(f"return {n_out} results as a tuple, got {_kind(value)}")
    out = []
    for v in values:
        if v is None:
            raise _Unreadable("one of your results is None: is a `return` missing?")
        if isinstance(v, (str, bytes, dict, set)):
            raise _Unreadable(f"expected numbers, got {_kind(v)}")
        try:
            complex_numbers = np.iscomplexobj(v)
            array = None if complex_numbers else np.asarray(v, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise _Unreadable(f"expected an array of numbers, got {_kind(v)} ({exc})") from None
        if complex_numbers:
            raise _Unreadable("your result holds complex numbers; every answer here is real")
        out.append(array)
    return tuple(out)


def _kind(value):
    shape = getattr(value, "shape", None)
    return f"{type(value).__name__} of shape {tuple(shape)}" if shape is not None else type(value).__name__


def _same(a, b, rtol, atol):
    return all(
        x.shape == y.shape and np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=True) for x, y in zip(a, b)
    )


def _mistake(entry):
    """A catalogue entry ``(wrong_function, message)`` or ``(wrong_function, message, section)``."""
    wrong, message, *rest = entry
    return wrong, message, (rest[0] if rest else None)


def run_checks(
    exercise,
    fn,
    cases,
    reference,
    mistakes,
    hints=(),
    *,
    success,
    n_out=1,
    rtol=1e-7,
    atol=1e-10,
    section=None,
    changed_input=None,
):
    """Run ``fn`` on every case, compare with ``reference``, name a mistake when one matches.

    ``cases`` holds tuples of arguments, or functions that return a fresh tuple on each call (each
    run, the learner's, the reference's and each mistake's, gets its own arguments). ``mistakes`` is
    a list of ``(wrong_function, message)`` or ``(wrong_function, message,
    section)``: the message fires when the learner's answer equals what the wrong function returns
    on that case, and ``section`` (from :func:`see`) is where the notebook explains it. ``hints`` is
    a list of ``(predicate(got, expected, args), message[, section])`` tried next, for mistakes
    known by a property; ``section`` is where the exercise's idea is taught, the link of a named
    mistake that gives none of its own; ``changed_input`` is the feedback for an input left changed
    (by default: the aliasing trap). Whatever the learner's function does or returns, this returns a
    :class:`Feedback` and never raises: a learner's notebook must not stop on a checker.
    """
    try:
        return _run(
            exercise,
            fn,
            cases,
            reference,
            mistakes,
            hints,
            success,
            n_out,
            rtol,
            atol,
            section,
            changed_input,
        )
    except Exception as exc:  # a gap in the checker itself: say so, do not stop the notebook
        return Feedback(
            exercise,
            "error",
            f"the checker could not judge this answer ({type(exc).__name__}: {exc}); compare your "
            "result's shape and type with what the exercise asks for",
        )


def _run(exercise, fn, cases, reference, mistakes, hints, success, n_out, rtol, atol, default, changed_input):
    if not callable(fn):
        return Feedback(exercise, "error", f"pass your function itself, got {_kind(fn)}")
    for case in cases:
        # A case is a tuple of arguments, or a function that builds fresh ones (for closures over x).
        fresh = case if callable(case) else (lambda case=case: tuple(_copy(a) for a in case))
        args, mine = fresh(), fresh()
        try:
            with np.errstate(all="ignore"):
                raw = fn(*mine)
        except NotImplementedError:
            return Feedback(
                exercise,
                "not implemented",
                "not implemented yet: replace `raise NotImplementedError` with your code",
            )
        except (Exception, SystemExit) as exc:  # a learner's bug: report it, do not crash the notebook
            return _raised(exercise, exc, args)
        for before, after in zip(args, mine):
            if isinstance(before, np.ndarray) and not np.array_equal(before, after, equal_nan=True):
                return changed_input or Feedback(
                    exercise,
                    "wrong",
                    "your function changed its input array in place: an assignment "
                    "like `d = a` shares memory with `a`; use `a.copy()`",
                    see("08_mnist_two_layer_net", "Line 4: the aliasing"),
                )
        try:
            got = _as_arrays(raw, n_out)
        except _Unreadable as exc:
            return Feedback(exercise, "error", str(exc))
        expected = _as_arrays(reference(*fresh()), n_out)
        if _same(got, expected, rtol, atol):
            continue
        for entry in mistakes:
            wrong, message, section = _mistake(entry)
            try:
                with np.errstate(all="ignore"):
                    candidate = _as_arrays(wrong(*fresh()), n_out)
            except Exception:  # a wrong formula may not even run on this case
                continue
            if _same(got, candidate, rtol, atol):
                return Feedback(exercise, "wrong", message, section or default)
        for entry in hints:
            predicate, message, section = _mistake(entry)
            try:
                fired = bool(predicate(got, expected, args))
            except Exception:
                fired = False
            if fired:
                return Feedback(exercise, "wrong", message, section or default)
        return _difference(exercise, got, expected)
    return Feedback(exercise, "correct", success)


def _raised(exercise, exc, args):
    shapes = ", ".join(str(np.shape(a)) for a in args if isinstance(a, np.ndarray))
    message = f"your function raised {type(exc).__name__}: {exc} (on inputs of shape {shapes})"
    if "broadcast" in str(exc):
        return Feedback(
            exercise,
            "error",
            message + "; a sum or max over axis=1 needs keepdims=True to line up with the rows",
            N_BY_ONE,
        )
    if isinstance(exc, TypeError) and "argument" in str(exc):
        message += "; check how many arguments your function takes: the exercise says how it is called"
    return Feedback(exercise, "error", message)


def _difference(exercise, got, expected):
    """Feedback for a result that matches no catalogued mistake: shape first, then the values."""
    for k, (g, e) in enumerate(zip(got, expected)):
        which = f"result {k}: " if len(got) > 1 else ""
        if g.shape != e.shape:
            if e.ndim == 2 and g.shape == (e.shape[0], 1):
                return Feedback(
                    exercise,
                    "wrong",
                    f"{which}expected shape {e.shape}, one column per class, got {g.shape}: one "
                    "number per sample where the answer has C",
                    N_BY_ONE,
                )
            if g.shape == e.shape[::-1]:
                return Feedback(
                    exercise,
                    "wrong",
                    f"{which}expected shape {e.shape}, got {g.shape}: rows and columns swapped",
                )
            return Feedback(exercise, "wrong", f"{which}expected shape {e.shape}, got {g.shape}")
    for k, (g, e) in enumerate(zip(got, expected)):
        which = f"in result {k} " if len(got) > 1 else ""
        if not np.all(np.isfinite(g)) and np.all(np.isfinite(e)):
            return Feedback(
                exercise,
                "wrong",
                f"your result {which}holds NaN or inf where the answer is finite: look for an overflow",
                see("01_softmax", "Overflow, and the one-line fix"),
            )
        diff = np.abs(g - e)
        if diff.size and np.nanmax(diff) > 0:
            flat = int(np.nanargmax(diff))
            idx = tuple(int(i) for i in np.unravel_index(flat, diff.shape))
            where = "" if not idx else f" at index {idx if len(idx) > 1 else idx[0]}"
            value = lambda a: a[idx] if idx else a[()]
            return Feedback(
                exercise,
                "wrong",
                f"not the expected values: the largest difference {which}is{where}, expected "
                f"{float(value(e)):.6g}, got {float(value(g)):.6g}",
            )
    return Feedback(exercise, "wrong", "not the expected values")


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
    also_right: tuple = ()  # other references that are right too (another convention)
    # Dotted names of the course's own implementations of what the exercise asks for (besides
    # ``reference``): an answer that calls one scores 0 on the exercise and is flagged.
    course_functions: tuple = ()
