r"""What the exercise checkers share: run a learner's function on fixed cases and name the mistake.

Each notebook companion's ``check_*`` functions take the learner's function and return a
:class:`Feedback`, whose text says what is right, or which classic mistake the answer matches ("the
off-diagonal entries are zero: did you use h_j(1 − h_j) alone?"), never just "wrong". A function
that still raises ``NotImplementedError`` gets a friendly "not implemented yet", so a learner's
notebook runs from top to bottom before every exercise is done.

The mistakes are recognised by computing them: every catalogue entry is the wrong formula itself,
run on the same input, so a message can only fire when the answer really is that mistake. The
replies about a result's shape, type or an input changed in place are built in ``_replies``.

:class:`Exercise` records how the teacher's grader scores one exercise (its checker, a reference
answer and hidden inputs); each companion lists its exercises in ``GRADED``.
"""

import warnings
from dataclasses import dataclass

import numpy as np

from ..i18n import N_, _
from . import _fingerprint, _guard, _partial_loops, _patterns
from ._cases import (  # noqa: F401 - also imported from here
    hidden_rng,
    normal,
    uniform,
)
from ._difference import _difference
from ._feedback import N_BY_ONE, Feedback, Section, see
from ._guard import TimeLimit, changed_argument, time_limit
from ._label_names import _may_be_labels
from ._replies import (  # noqa: F401 - some only stay importable from here, as before
    _TYPE_NAMES,
    _changed_reply,
    _kind,
    _not_numbers,
    _raised,
    _shape_hint,
    _shapes_in,
    _shapes_of,
    _wrong_type,
)

__all__ = [
    "N_BY_ONE",
    "Exercise",
    "Feedback",
    "Section",
    "hidden_rng",
    "normal",
    "run_checks",
    "see",
    "uniform",
]


def _copy(arg):
    return arg.copy() if isinstance(arg, np.ndarray) else arg


class _Unreadable(Exception):
    """The learner's result is not something a checker can compare (None, text, complex numbers)."""


def _as_arrays(value, n_out, names=None):
    """The learner's return value as a tuple of float arrays (``n_out`` of them)."""
    if value is None:
        raise _Unreadable(_("your function returned None: is a `return` missing?"))
    values = value if n_out > 1 else (value,)
    if n_out > 1 and (not isinstance(value, (tuple, list)) or len(value) != n_out):
        listed = f" ({', '.join(names)})" if names else ""
        count = _(" of {n}").format(n=len(value)) if isinstance(value, (tuple, list)) else ""
        raise _Unreadable(
            _("return {n} results{listed} as a tuple, got {kind}{count}").format(
                n=n_out, listed=listed, kind=_kind(value), count=count
            )
        )
    out = []
    for v in values:
        if v is None:
            raise _Unreadable(_("one of your results is None: is a `return` missing?"))
        if isinstance(v, (str, bytes, dict, set)):
            raise _Unreadable(_("expected numbers, got {kind}").format(kind=_kind(v)))
        try:
            complex_numbers = np.iscomplexobj(v)
            array = None if complex_numbers else np.asarray(v, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise _Unreadable(
                _("expected an array of numbers, got {kind} ({exc})").format(kind=_kind(v), exc=exc)
            ) from None
        if complex_numbers:
            raise _Unreadable(_("your result holds complex numbers; every answer here is real"))
        out.append(array)
    return tuple(out)


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
    own=(),
    names=None,
    returns=None,
    time_limit=None,
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
    (by default: the aliasing trap); ``own`` holds the course's own implementations of what the
    exercise asks for: a right answer that calls one of them is told so (the grader scores it 0);
    ``names`` names the results of a function that returns several (``n_out``), for the messages;
    ``returns`` holds, per result, the type the cells after the exercise need (``np.ndarray``,
    ``float``, a tuple of types, or None for any): by default an array wherever the reference
    returns one, so that a list is named rather than given ✓ and the next cell does not stop on
    ``list.max``. ``time_limit`` is how many seconds the learner's function may run on one case (by
    default ``_guard.DEFAULT_TIME_LIMIT``).
    Whatever the learner's function does or returns, this returns a
    :class:`Feedback` and never raises: a learner's notebook must not stop on a checker.
    """
    limit = _guard.DEFAULT_TIME_LIMIT if time_limit is None else time_limit
    settings = _Settings(success, n_out, rtol, atol, section, changed_input, own, names, returns, limit)
    try:
        return _run(exercise, fn, cases, reference, mistakes, hints, settings)
    except Exception as exc:  # a gap in the checker itself: say so, do not stop the notebook
        return Feedback(
            exercise,
            "error",
            _(
                "the checker could not judge this answer ({error}: {exc}); compare your "
                "result's shape and type with what the exercise asks for"
            ).format(error=type(exc).__name__, exc=exc),
        )


@dataclass(frozen=True)
class _Settings:
    """How :func:`run_checks` compares and what it says; see its docstring."""

    success: str
    n_out: int
    rtol: float
    atol: float
    default: Section | None  # the exercise's section, for mistakes that name none
    changed_input: Feedback | None
    own: tuple
    names: tuple | None
    returns: tuple | None  # per result: the type the next cells need, or None for any
    time_limit: float


def _run(exercise, fn, cases, reference, mistakes, hints, s):
    if not callable(fn):
        return Feedback(exercise, "error", _("pass your function itself, got {kind}").format(kind=_kind(fn)))
    ran = set()  # every code object the learner's function ran: a call or a copy of the course's
    for case in cases:
        # A case is a tuple of arguments, or a function that builds fresh ones (for closures over x).
        fresh = case if callable(case) else (lambda case=case: tuple(_copy(a) for a in case))
        args, mine = fresh(), fresh()
        try:
            with np.errstate(all="ignore"), _fingerprint.watching(ran), time_limit(s.time_limit):
                raw = fn(*mine)
        except NotImplementedError:
            return Feedback(
                exercise,
                "not implemented",
                _("not implemented yet: replace `raise NotImplementedError` with your code"),
            )
        except TimeLimit:
            return Feedback(
                exercise,
                "error",
                _(
                    "your function did not return within {seconds:g} seconds, so the checker stopped "
                    "it: usually a loop that never ends (a `while` whose condition stays true, a loop "
                    "variable never updated) or a loop over far more than the inputs (shapes {shapes})"
                ).format(seconds=s.time_limit, shapes=_shapes_of(args)),
            )
        except (Exception, SystemExit) as exc:  # a learner's bug: report it, do not crash the notebook
            return _raised(exercise, exc, args, fn)
        changed = changed_argument(fn, args, mine)
        if changed:
            # An alias the learner wrote (`s = z`) is named in their own words; otherwise the
            # exercise's own reply, when it has one, says how to fix that exercise.
            if changed[1] or s.changed_input is None:
                return _changed_reply(exercise, *changed)
            return s.changed_input
        try:
            got = _as_arrays(raw, s.n_out, s.names)
        except _Unreadable as exc:
            return Feedback(exercise, "error", str(exc))
        reference_raw = reference(*fresh())
        expected = _as_arrays(reference_raw, s.n_out)
        not_numbers = _not_numbers(raw, reference_raw, s)
        if not_numbers:
            return Feedback(exercise, "wrong", not_numbers, s.default)
        same = _same(got, expected, s.rtol, s.atol)
        # A mistake the catalogue knows is named first, even when its result is also of the wrong
        # type (a sum where a vector belongs): its name says more than the type does.
        for entry in () if same else mistakes:
            wrong, message, section = _mistake(entry)
            try:
                with np.errstate(all="ignore"):
                    candidate = _as_arrays(wrong(*fresh()), s.n_out)
            except Exception:  # a wrong formula may not even run on this case
                continue
            if _same(got, candidate, s.rtol, s.atol):
                return Feedback(exercise, "wrong", message, section or s.default)
        wrong_type = _wrong_type(raw, reference_raw, s)
        if wrong_type and s.n_out == 1 and got[0].ndim == 0 and expected[0].ndim >= 1:
            wrong_type = _patterns.reduced(got[0], expected[0], kind=type(raw).__name__)  # which, if told
        if wrong_type:
            return Feedback(exercise, "wrong", wrong_type, s.default)
        if same:
            kept = _kept_type(raw, reference_raw, args)
            if kept:
                return Feedback(exercise, "wrong", kept, s.default)
            continue
        # Rounded numbers are told before any property of them (rows that no longer sum to 1).
        rounded = [_patterns.rounded(g, e) for g, e in zip(got, expected) if g.shape == e.shape]
        if any(rounded):
            return Feedback(exercise, "wrong", next(r for r in rounded if r), s.default)
        for entry in hints:
            predicate, message, section = _mistake(entry)
            try:
                fired = bool(predicate(got, expected, args))
            except Exception:
                fired = False
            if fired:
                return Feedback(exercise, "wrong", message, section or s.default)
        # A loop that wrote only some rows, for every notebook, before any factor or difference is
        # described (its untouched rows would read as a factor of 0 or a row "not normalised").
        partly, partly_message = _partial_loops.part_filled()
        if partly(got, expected, args):
            return Feedback(exercise, "wrong", partly_message, s.default)
        named = _label_mistake(exercise, got, fresh, reference, s)
        return named or _difference(exercise, got, expected, args, s.names, fn)
    told = _course_answer(exercise, fn, ran, cases, reference, s)
    return told or Feedback(exercise, "correct", s.success)


def _kept_type(raw, reference_raw, args):
    """The reply for right values in a type that loses later: float32 from float64 input, booleans.

    ``None`` when the result keeps the precision of its input and is numbers, not True/False.
    """
    results = raw if isinstance(raw, (tuple, list)) else (raw,)
    references = reference_raw if isinstance(reference_raw, (tuple, list)) else (reference_raw,)
    float64_in = any(isinstance(a, np.ndarray) and a.dtype == np.float64 for a in args)
    for got, ref in zip(results, references):
        kind = getattr(got, "dtype", None)
        ref_kind = getattr(ref, "dtype", None)
        if kind == np.float32 and float64_in and ref_kind != np.float32:
            return _(
                "your result is float32 while the input came in as float64: the numbers are right to "
                "about 7 digits only; drop the float32 (an astype or a dtype=np.float32) so that the "
                "result keeps the input's precision"
            )
        if kind == np.bool_ and ref_kind is not None and ref_kind.kind == "f":
            return _(
                "right places, but your result holds True/False (booleans), not numbers: arithmetic on "
                "it breaks later, -t raises TypeError on booleans; make it numbers with .astype(float)"
            )
    return None


def _course_answer(exercise, fn, ran, cases, reference, s):
    """Feedback for a right answer that calls or copies the course's own implementation of it.

    The same rule as the grader's (``_fingerprint``): the functions the checker names in ``own``,
    those :data:`_fingerprint.ALSO` lists for the exercise, and every public course function that
    gives the reference's result on the first case. ``None`` when the answer is the learner's own.
    """
    names = [_fingerprint.dotted_name(f) for f in s.own if hasattr(f, "__qualname__")]
    names += _fingerprint.ALSO.get(exercise, ()) + _fingerprint.ALSO.get(getattr(fn, "__name__", ""), ())
    if cases:
        first = cases[0]
        fresh = first if callable(first) else (lambda: tuple(_copy(a) for a in first))
        names += _fingerprint.computing(reference, fresh)
    hits = _fingerprint.used(ran, _fingerprint.targets(dict.fromkeys(names)))
    if not hits:
        return None
    short = sorted({h.removesuffix(_fingerprint.COPY).rpartition(".")[2] for h in hits})
    if any(h.endswith(_fingerprint.COPY) for h in hits):
        message = _(
            "right numbers, but your function is a copy of the course's own {names} (the same "
            "instructions, whatever the names): a graded hand-in scores 0 on this exercise, as for a "
            "call to it; write it with NumPy yourself"
        )
    else:
        message = _(
            "right numbers, but your function calls the course's own {names}, which is this very "
            "answer: write it with NumPy yourself (a graded hand-in scores 0 on this exercise)"
        )
    return Feedback(exercise, "wrong", message.format(names=", ".join(short)), s.default)


# Mistakes made with the labels, recognised by running the reference on labels changed the same way.
_LABEL_MISTAKES = (
    (
        lambda y: y[:, None],
        N_(
            "your result is what labels shaped (N, 1) give: indexing with them, as in "
            "h[np.arange(N), y], pairs every row with every label, (N, N); keep y of shape (N,) "
            "(y.ravel())"
        ),
        N_BY_ONE,
    ),
    (
        lambda y: y - 1,
        N_(
            "your result is the right one for the labels y − 1: the one-hot marks the class before "
            "each label; classes are numbered from 0, and t[n, y[n]] = 1 needs no shift"
        ),
        None,
    ),
    (
        lambda y: y + 1,
        N_(
            "your result is the right one for the labels y + 1: the one-hot marks the class after "
            "each label; classes are numbered from 0, and t[n, y[n]] = 1 needs no shift"
        ),
        None,
    ),
)


def _label_mistake(exercise, got, fresh, reference, s):
    """Feedback when ``got`` is the reference's answer for labels shaped or shifted wrongly."""
    args = fresh()
    # Labels: integers (N,) beside a float array (N, C) whose columns they index.
    tables = [a.shape for a in args if isinstance(a, np.ndarray) and a.ndim == 2 and a.dtype.kind == "f"]
    positions = [
        k
        for k, a in enumerate(args)
        if isinstance(a, np.ndarray)
        and a.ndim == 1
        and a.size
        and a.dtype.kind in "iu"
        and any(len(a) == n and a.min() >= 0 and a.max() < c for n, c in tables)
        and _may_be_labels(reference, k)
    ]
    for k in positions:
        for change, message, section in _LABEL_MISTAKES:
            changed = list(fresh())
            changed[k] = change(changed[k].astype(np.int64))
            try:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    candidate = _as_arrays(reference(*changed), s.n_out)
            except Exception:  # the reference refuses such labels: not this mistake
                continue
            if _same(got, candidate, s.rtol, s.atol):
                return Feedback(exercise, "wrong", _(message), section or s.default)
    return None


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
