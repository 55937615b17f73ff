"""What the checkers of notebooks 00 to 03 add around :func:`run_checks`.

- :func:`recording` and :func:`named_error`: when a learner's function raises, name the mistake that
  raised (a square Jacobian, the labels and classes compared without broadcasting) instead of a
  generic hint;
- :func:`python_loops`: the loops in a function's source, for an exercise that promises "without a
  Python loop";
- :func:`peak_bytes`: the most memory a call allocates, for an exercise that promises "in O(C),
  without the matrix".
"""

import ast
import functools
import textwrap
import tracemalloc

import numpy as np

from ._feedback import Feedback
from ._guard import PEAK_ATTRIBUTE, source_of


def recording(fn, raised):
    """``fn``, which appends ``(exception, args)`` to the list ``raised`` before re-raising."""
    if not callable(fn):
        return fn

    @functools.wraps(fn)  # the learner's parameter names and source stay readable through it
    def learner(*args):
        try:
            return fn(*args)
        except NotImplementedError:
            raise
        except Exception as exc:
            raised.append((exc, args))
            raise

    return learner


def named_error(feedback, raised, diagnose, section=None):
    """Replace an error ``feedback`` by the mistake ``diagnose(exc, args)`` names, when it names one."""
    if feedback.status != "error" or not raised:
        return feedback
    exc, args = raised[-1]
    try:
        message = diagnose(exc, args)
    except Exception:  # a diagnosis that cannot read this error leaves the checker's own reply
        message = None
    if not message:
        return feedback
    return Feedback(feedback.exercise, "wrong", message, section or feedback.see)


_LOOPS = {
    ast.For: "for",
    ast.AsyncFor: "for",
    ast.While: "while",
    ast.ListComp: "list comprehension",
    ast.SetComp: "set comprehension",
    ast.DictComp: "dict comprehension",
    ast.GeneratorExp: "generator expression",
}
_LOOPING_CALLS = {"map", "vectorize", "apply_along_axis", "fromiter"}


def python_loops(fn):
    """The kinds of Python loops in ``fn``'s source (``[]`` for none), or None when it has no source."""
    try:
        tree = ast.parse(textwrap.dedent(source_of(fn)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    found = []
    for node in ast.walk(tree):
        if type(node) in _LOOPS:
            found.append(_LOOPS[type(node)])
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name in _LOOPING_CALLS:
                found.append(f"{name}()")
    return sorted(set(found))


def peak_bytes(fn, *args):
    """The largest amount of memory (bytes, NumPy arrays included) allocated during ``fn(*args)``.

    Returns None when the call raises or when memory tracing is already in use elsewhere.
    """
    measured = getattr(fn, PEAK_ATTRIBUTE, None)
    if callable(measured):  # the grader's stand-in: measured in the sandbox, where fn really runs
        try:
            with np.errstate(all="ignore"):
                return measured(*args)
        except Exception:
            return None
    if tracemalloc.is_tracing():
        return None
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        with np.errstate(all="ignore"):
            fn(*args)
        return tracemalloc.get_traced_memory()[1] - base
    except Exception:
        return None
    finally:
        tracemalloc.stop()
