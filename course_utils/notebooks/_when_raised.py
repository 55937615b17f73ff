"""Name the mistake behind an exception a learner's function raised, by raising it ourselves.

:func:`~course_utils.notebooks._checking.run_checks` reports an exception with its own text and,
for any broadcasting error, a generic ``keepdims`` hint. Some exercises know which mistakes raise,
and what they raise: :func:`named_raise` reruns the learner's function on a checker's cases only
after ``run_checks`` said it raised (so a function that hangs is never run again), and returns a
named reply when the exception is the one a catalogued wrong formula raises on the same input
(same type, same text), or when a predicate of the rule recognises it.
"""

import functools

import numpy as np

from ..i18n import _
from . import _guard
from ._feedback import Feedback
from ._guard import TimeLimit, time_limit


class Stalled(TimeLimit):
    """A learner's function ran past the time limit in a checker's own run (not in ``run_checks``)."""

    def __init__(self, args):
        super().__init__()
        self.shapes = ", ".join(str(np.shape(a)) for a in args if isinstance(a, np.ndarray)) or "-"


def limited(fn, *args):
    """``fn(*args)`` under the checkers' time limit; raises :class:`Stalled` when it runs past it.

    Every extra run of a learner's function a checker makes goes through here, so that an endless
    loop stops there too; :func:`replies_when_stalled` turns the ``Stalled`` into the checker's reply.
    """
    try:
        with time_limit(_guard.DEFAULT_TIME_LIMIT):
            return fn(*args)
    except TimeLimit:
        raise Stalled(args) from None


def _stalled_text(shapes):
    return _(
        "your function did not return within {seconds:g} seconds, so the checker stopped "
        "it: usually a loop that never ends (a `while` whose condition stays true, a loop "
        "variable never updated) or a loop over far more than the inputs (shapes {shapes})"
    ).format(seconds=_guard.DEFAULT_TIME_LIMIT, shapes=shapes)


def _is_time_limit_reply(feedback, cases):
    """True when ``feedback`` is ``run_checks``'s reply to a function it stopped at the time limit."""
    return any(feedback.message == _stalled_text(Stalled(_fresh(case)).shapes) for case in cases)


def replies_when_stalled(exercise):
    """Decorate a checker: a :class:`Stalled` run ends the check at once with the time-limit reply."""

    def decorate(check):
        @functools.wraps(check)
        def checked(*args, **kwargs):
            try:
                return check(*args, **kwargs)
            except Stalled as stalled:
                return Feedback(exercise, "error", _stalled_text(stalled.shapes))

        return checked

    return decorate


def _fresh(case):
    args = case() if callable(case) else case
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


_STALLED = object()


def _exception(fn, args):
    try:
        with np.errstate(all="ignore"), time_limit(_guard.DEFAULT_TIME_LIMIT):
            fn(*args)
    except TimeLimit:  # a function that stalls this time is not named from here
        return _STALLED
    except (Exception, SystemExit) as exc:  # the learner's own exception, which is what we read
        return exc
    return None


def raises_like(wrong):
    """A rule predicate: the learner's exception equals the one ``wrong`` raises on the same input."""

    def predicate(exc, args):
        theirs = _exception(wrong, tuple(_fresh(args)))
        return theirs is not None and type(theirs) is type(exc) and str(theirs) == str(exc)

    return predicate


def named_raise(feedback, fn, cases, rules):
    """``feedback`` itself, or a named reply if ``fn`` raised a catalogued mistake's exception.

    ``rules`` holds ``(predicate(exc, args), message[, section])``; ``cases`` are the checker's.
    Only a ``feedback`` of status "error" from a function that raised is looked into again.
    """
    if feedback.status != "error" or not callable(fn) or not rules or _is_time_limit_reply(feedback, cases):
        return feedback
    for case in cases:
        args = _fresh(case)
        exc = _exception(fn, _fresh(args))
        if exc is _STALLED:  # one run past the time limit is enough: the next case would stall too
            return feedback
        if exc is None:
            continue
        for predicate, message, *section in rules:
            try:
                fired = bool(predicate(exc, args))
            except Exception:
                fired = False
            if fired:
                return Feedback(feedback.exercise, "wrong", message, section[0] if section else feedback.see)
        return feedback
    return feedback
