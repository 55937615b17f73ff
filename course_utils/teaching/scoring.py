"""Scoring one exercise: the points of each part, from the checker, the reference and hidden inputs.

:func:`score_exercise` takes the learner's function (in the grader, a proxy that runs it in the
hand-in's sandbox) and returns the points of each part and the checker's message;
:func:`score_mysteries` reads notebook 09's answers. Both run in the grader's own process.
"""

import numpy as np

from ..i18n import _
from ..notebooks import companion

POINTS = {"runs": 1, "checker": 2, "hidden": 2}
MYSTERY_NOTEBOOK = "09_bug_hunt"


def _as_tuple(value):
    return value if isinstance(value, tuple) else (value,)


def _close(a, b):
    a, b = _as_tuple(a), _as_tuple(b)
    try:
        return len(a) == len(b) and all(
            np.shape(x) == np.shape(y) and np.allclose(x, y, rtol=1e-6, atol=1e-9) for x, y in zip(a, b)
        )
    except (TypeError, ValueError):
        return False


def _shapes(value):
    try:
        return tuple(np.shape(v) for v in _as_tuple(value))
    except (TypeError, ValueError):
        return None


def score_exercise(e, fn):
    """``(points per part, message)`` for one exercise answered by ``fn`` (a proxy or a function)."""
    parts, message = {}, ""

    def part(kind, points, test):
        try:
            parts[kind] = points if test() else 0
        except Exception:  # a learner's bug, or a stub raising NotImplementedError: no points
            parts[kind] = 0

    # Each call gets fresh arguments: in 06 the function f reads the very array x it is given.
    def runs():
        return _shapes(fn(*e.hidden_args())) == _shapes(e.reference(*e.hidden_args()))

    def checker():
        nonlocal message
        feedback = e.checker(fn)
        message = str(feedback)
        return feedback.passed

    def hidden():
        got = fn(*e.hidden_args())
        return any(_close(got, right(*e.hidden_args())) for right in (e.reference, *e.also_right))

    part("runs", POINTS["runs"], runs)
    part("checker", POINTS["checker"], checker)
    for kind, points, _hidden, predicate in e.extra:
        part(kind, points, lambda: bool(predicate(fn)))
    part("hidden", POINTS["hidden"], hidden)
    if not message:
        message = _("✗ {name}: the checker could not run on your function").format(name=e.name)
    elif parts["checker"] and not parts["hidden"]:
        message += _(" (but not on the grader's hidden inputs)")
    return parts, message


def score_mysteries(answers):
    from ..bugs import MYSTERIES

    nb09 = companion(MYSTERY_NOTEBOOK)
    try:
        message = str(nb09.check_mysteries(answers))
        right = [
            isinstance(answers, dict) and answers.get(k) == truth for k, truth in enumerate(MYSTERIES, 1)
        ]
    except Exception as exc:  # an answers dict the checker cannot read
        return {}, f"✗ mysteries: could not read your answers ({type(exc).__name__})"
    return {f"mystery {k}": int(r) for k, r in enumerate(right, 1)}, message
