"""Name the mistake behind an exception a learner's function raised, by raising it ourselves.

:func:`~course_utils.notebooks._checking.run_checks` reports an exception with its own text and,
for any broadcasting error, a generic ``keepdims`` hint. Some exercises know which mistakes raise,
and what they raise: :func:`named_raise` reruns the learner's function on a checker's cases only
after ``run_checks`` said it raised (so a function that hangs is never run again), and returns a
named reply when the exception is the one a catalogued wrong formula raises on the same input
(same type, same text), or when a predicate of the rule recognises it.
"""

import numpy as np

from ._feedback import Feedback
from ._guard import DEFAULT_TIME_LIMIT, TimeLimit, time_limit


def _fresh(case):
    args = case() if callable(case) else case
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def _exception(fn, args):
    try:
        with np.errstate(all="ignore"), time_limit(DEFAULT_TIME_LIMIT):
            fn(*args)
    except TimeLimit:  # a function that stalls this time is not named from here
        return None
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
    if feedback.status != "error" or not callable(fn) or not rules:
        return feedback
    for case in cases:
        args = _fresh(case)
        exc = _exception(fn, _fresh(args))
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
