"""Running a learner's function safely: a time limit, and what it changed in its inputs.

* :func:`time_limit` stops a function that runs too long (an endless loop) with :class:`TimeLimit`:
  by ``SIGALRM`` in the main thread (where a notebook's kernel runs cells), else by a trace function
  that checks the clock at each line of Python (a thread, a worker without signals).
* :func:`changed_argument` says which argument a function changed in place, and quotes the line of
  the learner's own code that most likely did it.
"""

import inspect
import re
import signal
import sys
import threading
import time
from contextlib import contextmanager

import numpy as np

from ..i18n import _

# Seconds a learner's function may run on one of a checker's small cases: the course's answers take
# milliseconds, so only a loop that never ends (or runs over far too much) comes near it.
DEFAULT_TIME_LIMIT = 20.0


class TimeLimit(BaseException):
    """Raised inside a learner's function that ran past its time limit.

    A BaseException, so that a learner's own ``except Exception`` does not swallow it.
    """


@contextmanager
def time_limit(seconds):
    """Raise :class:`TimeLimit` inside the block once it has run for ``seconds``; inside it, IPython's
    ``exit()`` raises SystemExit instead of ending the kernel (see :func:`kernel_exit_refused`)."""
    with kernel_exit_refused(), _time_limit(seconds):
        yield


@contextmanager
def kernel_exit_refused():
    """Inside the block, IPython's ``exit()`` / ``quit()`` raise SystemExit.

    In a kernel they only ask it to end after the cell (``shell.ask_exit``) and return None, so a
    learner's function that calls ``exit()`` would look like a missing ``return`` to the checker and
    then end the kernel, and every variable with it. Raised instead, the checker reports it and the
    kernel lives on.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not callable(getattr(shell, "ask_exit", None)):
        yield
        return
    own = vars(shell).get("ask_exit")

    def refuse():
        raise SystemExit(
            _("exit() ends the kernel, and every variable with it; a function returns with `return`")
        )

    shell.ask_exit = refuse
    try:
        yield
    finally:
        if own is None:
            del shell.ask_exit
        else:
            shell.ask_exit = own


@contextmanager
def _time_limit(seconds):
    main = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    # Someone else's alarm is running (a grader's, a test runner's): leave it alone.
    if main and signal.getitimer(signal.ITIMER_REAL)[0] == 0:

        def on_alarm(signum, frame):
            raise TimeLimit

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)  # again every second if it was caught
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return
    # Elsewhere no signal can reach the code (or the alarm is taken): check the clock on every line
    # it runs instead. (A trace function that raises is removed by Python, and its exception goes
    # to the traced code.)
    deadline = time.monotonic() + seconds

    def tracer(frame, event, arg):
        if time.monotonic() > deadline:
            raise TimeLimit
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(previous)


def _parameter_names(fn, n):
    try:
        names = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        names = []
    return [names[k] if k < len(names) else f"#{k + 1}" for k in range(n)]


SOURCE_ATTRIBUTE = "__course_source__"
"""Where a stand-in for a function keeps the real function's source: the grader's proxy of a hand-in's
function (course_utils/teaching/sandbox.py) is code of the grader, whose own source says nothing about
the learner's."""


PEAK_ATTRIBUTE = "__course_peak_call__"
"""Where a stand-in for a function keeps a way to call it that returns the peak memory (bytes) the call
allocated where the function really runs (the grader's sandbox), instead of its value."""


def source_of(fn):
    """The source of ``fn``: the text its stand-in carries, else ``inspect.getsource``; raises OSError
    or TypeError when there is none."""
    carried = getattr(fn, SOURCE_ATTRIBUTE, None)
    if isinstance(carried, str):
        return carried
    if carried is not None or hasattr(fn, SOURCE_ATTRIBUTE):
        raise OSError("the stand-in carries no source")
    return inspect.getsource(fn)


def _source_lines(fn):
    try:
        return source_of(fn).splitlines()
    except (OSError, TypeError):
        return []


def _writes_into(line, names):
    """Whether ``line`` writes into the array bound to one of ``names`` (not a rebinding)."""
    code = line.split("#")[0]
    for name in names:
        n = re.escape(name)
        if re.search(rf"(?<![\w.]){n}\s*\[[^\]]*\]\s*(?:[-+*/%@|&^]|//|\*\*)?=(?!=)", code):
            return True
        if re.search(rf"(?<![\w.]){n}\s*(?:[-+*/%@|&^]|//|\*\*)=", code):
            return True
        if re.search(rf"out\s*=\s*{n}\b", code) or re.search(
            rf"(?<![\w.]){n}\s*\.\s*(?:sort|fill|resize)\(", code
        ):
            return True
    return False


def changed_argument(fn, before, after):
    """Which argument ``fn`` changed in place: ``(name, alias line or None, writing line or None)``.

    ``before`` and ``after`` are the arguments as given and as they were after the call. The lines
    come from the learner's source: ``d = a`` that made ``d`` a second name for the argument, and the
    line that wrote into it (``d[a > 0] = 1``, ``a -= m``, ``np.exp(a, out=a)``). None where the
    source cannot be read (a function typed at a prompt, a builtin) or no such line is found.
    """
    names = _parameter_names(fn, len(before))
    for k, (b, a) in enumerate(zip(before, after)):
        if isinstance(b, np.ndarray) and not np.array_equal(b, a, equal_nan=True):
            name = names[k]
            lines = [line.strip() for line in _source_lines(fn)]
            aliases = {name}
            alias_line = None
            for line in lines:
                view = r"(?:\[[^\]]*\]|\.T|\.(?:reshape|view|ravel|transpose)\([^)]*\))?"
                m = re.match(rf"^(\w+)\s*=\s*{re.escape(name)}{view}\s*(?:#.*)?$", line)
                if m:
                    aliases.add(m.group(1))
                    alias_line = alias_line or line
            writing = next((line for line in lines if _writes_into(line, aliases)), None)
            return name, alias_line, writing
    return None
