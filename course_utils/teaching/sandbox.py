"""Run one submission in a process of its own, and call its functions from the grader.

:class:`Sandbox` starts :mod:`course_utils.teaching.worker` inside the operating-system sandbox of
:mod:`~course_utils.teaching.confine` (or, with ``confined=False``, as a plain process of the
teacher's in a fresh temporary folder), in a new session, sends it the notebook's code cells,
and then hands the grader :meth:`Sandbox.function` proxies: calling one sends the
arguments to the submission's process, runs the learner's function there, and returns the plain
value it gave back, or raises here what it raised there. A checker called on a proxy therefore
runs in the grader, with the grader's own ``course_utils``, and says what it said to the learner.

One deadline covers the whole submission. When it passes, or when the process dies, the proxy
raises :class:`~course_utils.teaching.protocol.Deadline` or
:class:`~course_utils.teaching.protocol.Closed` (``BaseException`` subclasses, so they get past a
checker's ``except Exception``), and :meth:`Sandbox.close` kills the whole process group (in the
sandbox, its PID namespace ends with it: daemons and ``setsid`` included).
"""

import ast
import builtins
import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

from ..notebooks._guard import PEAK_ATTRIBUTE, SOURCE_ATTRIBUTE
from . import confine
from .protocol import Channel, Closed, Deadline, ProtocolError, decode, encode

_BUILTIN_ERRORS = {
    name: obj
    for name, obj in vars(builtins).items()
    if isinstance(obj, type) and issubclass(obj, Exception) and obj.__module__ == "builtins"
}


_LIVE = set()  # the sandboxes whose process may still run, for kill_all()
_LIVE_LOCK = threading.Lock()
_STOPPING = threading.Event()  # set by kill_all(): a sandbox that starts afterwards is killed at once


def kill_all():
    """Kill every submission process still running, and any that starts later (the grader was
    interrupted: a hand-in whose sandbox was still starting, or that a thread re-runs, must not
    run on for its whole time limit), until :func:`resume`."""
    _STOPPING.set()
    with _LIVE_LOCK:
        live = list(_LIVE)
    for box in live:
        kill_group(box.process)


def stopping():
    """True from :func:`kill_all` until :func:`resume`: no new hand-in should start."""
    return _STOPPING.is_set()


def resume():
    """Let sandboxes start again (a new batch, after :func:`kill_all` stopped the last one)."""
    _STOPPING.clear()


def function_source(sources, name):
    """The text of the last top-level ``def name`` in a hand-in's code cells, or None.

    Lines of IPython syntax (``%magic``, ``!command``) are blanked before parsing, so a cell that
    uses them still yields its functions; a cell that is not Python is skipped.
    """
    found = None
    for source in sources:
        if not isinstance(source, str):
            continue
        text = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
                found = ast.get_source_segment(text, node)
    return found


def _exception(kind, message):
    """An exception to raise in the grader for one the learner's function raised (never its code)."""
    kind = kind if isinstance(kind, str) and kind.isidentifier() else "Exception"
    cls = _BUILTIN_ERRORS.get(kind) or type(kind, (Exception,), {})
    return cls(str(message)[:500])


class Sandbox:
    """One submission's process: ``with Sandbox(notebook, sources, timeout) as box: box.function(name)``."""

    def __init__(self, notebook, sources, timeout, *, confined=True, watch=None):
        self.notebook, self.sources, self.timeout = notebook, sources, timeout
        self.confined, self.watch = confined, watch or {}
        self.cell, self.cell_errors, self.used = None, [], {}
        self._output = collections.deque(maxlen=64)  # the last lines the submission printed

    def __enter__(self):
        self.folder = tempfile.mkdtemp(prefix="grading-")
        to_child, from_parent = os.pipe()
        to_parent, from_child = os.pipe()
        self.slot = confine.take_slot()
        if self.confined:
            module = f"{confine.WORKER_MODULE}.worker"
            argv, env = confine.command(
                [sys.executable, "-s", "-m", module, str(to_child), str(from_child), self.notebook],
                self.timeout,
                self.slot,
            )
        else:  # --no-sandbox: a process of the teacher's own, with a clean environment
            env = confine.environment(self.timeout)
            env.update(HOME=self.folder, TMPDIR=self.folder, PYTHONPATH=str(confine.ROOT))
            for key in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "MPLCONFIGDIR", "IPYTHONDIR"):
                env[key] = os.path.join(self.folder, os.path.basename(env[key]))
            module = "course_utils.teaching.worker"
            argv = [sys.executable, "-s", "-m", module, str(to_child), str(from_child), self.notebook]
        popen = subprocess.Popen if not self.confined else confine.start
        self.process = popen(
            argv,
            env=env,
            cwd=self.folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(to_child, from_child),
            start_new_session=True,
        )
        os.close(to_child)
        os.close(from_child)
        with _LIVE_LOCK:
            _LIVE.add(self)
        if _STOPPING.is_set():  # kill_all() ran while this one was starting
            kill_group(self.process)
        threading.Thread(target=self._drain, daemon=True).start()
        deadline = time.monotonic() + self.timeout
        self.channel = Channel(to_parent, from_parent, deadline=deadline, stop=_STOPPING)
        return self

    def _drain(self):
        for line in self.process.stdout:
            self._output.append(line.decode(errors="replace").rstrip()[:300])

    def output_tail(self, lines=3, chars=200):
        """The last printed lines, on one line, without IPython's Out[n] prompts."""
        text = " / ".join(
            re.sub(r"^Out\[\d+\]:\s*", "", line).strip()
            for line in list(self._output)[-lines:]
            if line.strip()
        )
        return text if len(text) <= chars else "..." + text[-chars:]

    def run(self):
        """Run every code cell; the cells that raised are in ``cell_errors`` as ``(index, error)``."""
        self._expect("ready")
        self.channel.send({"cells": self.sources, "watch": self.watch})
        while True:
            message = self.channel.receive()
            if message.get("done") is True:
                return
            if self._is_cell(message.get("cell")):
                self.cell = message["cell"]
            elif self._is_cell(message.get("cell_error")):
                self.cell_errors.append((message["cell_error"], str(message.get("error"))[:500]))
            else:
                raise ProtocolError("unexpected message while the cells run")

    def _is_cell(self, k):
        return type(k) is int and 0 <= k < len(self.sources)

    def _expect(self, key):
        if self.channel.receive().get(key) is not True:
            raise ProtocolError(f"expected {key!r}")

    def value(self, name):
        """A global of the submission, as a plain value (``None`` when it is not defined)."""
        self.channel.send({"get": name})
        reply = self.channel.receive()
        return None if reply.get("missing") else decode(reply.get("ok"))

    def function(self, name):
        """A stand-in for the learner's function ``name``, callable in the grader.

        It carries the hand-in's source of ``name`` (:data:`SOURCE_ATTRIBUTE`) and a second way to
        call it, :data:`PEAK_ATTRIBUTE`, which returns the peak memory the call allocated in the
        sandbox instead of its value: the grader's own memory never sees the learner's arrays, and it
        is shared with the other hand-ins graded at the same time.
        """

        def proxy(*args):
            return self._call(name, args, peak=False)

        def peak_call(*args):
            return self._call(name, args, peak=True)

        proxy.__name__ = name
        # Checkers that read a function's source (a promise of "no Python loop", the line that writes
        # into an argument) must read the hand-in's, not this stand-in's.
        setattr(proxy, SOURCE_ATTRIBUTE, function_source(self.sources, name))
        setattr(proxy, PEAK_ATTRIBUTE, peak_call)
        return proxy

    def _call(self, name, args, *, peak):
        functions = []
        self.channel.send({"call": name, "args": encode(list(args), functions), "peak": peak})
        while True:
            reply = self.channel.receive()
            if "callback" not in reply:
                break
            self._answer_callback(reply, args, functions)
        used = reply.get("used", [])
        if isinstance(used, list):
            self.used.setdefault(name, set()).update(str(u)[:200] for u in used)
        if "raised" in reply:
            raise _exception(reply["raised"], reply.get("message", ""))
        if "ok" not in reply:
            raise ProtocolError("a reply with neither a value nor an error")
        _copy_back(args, reply.get("after", []))
        if peak:
            measured = reply.get("peak")
            if type(measured) is not int or measured < 0:
                raise ProtocolError("a measured call without its peak")
            return measured
        return decode(reply["ok"])

    def _answer_callback(self, request, args, functions):
        fn_id = request.get("callback")
        if type(fn_id) is not int or not 0 <= fn_id < len(functions):
            raise ProtocolError("a call back to an unknown function")
        _copy_back(args, request.get("sync", []))
        try:
            wire_args = request.get("args")
            cb_args = decode(wire_args) if isinstance(wire_args, list) else []
            self.channel.send({"return": encode(functions[fn_id](*cb_args))})
        except (Deadline, Closed):
            raise
        except Exception as exc:  # the learner passed our test function something it cannot take
            self.channel.send({"raised": type(exc).__name__})

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self.channel.send({"bye": True})
        except (Closed, OSError):
            pass
        try:
            self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            pass
        kill_group(self.process)
        with _LIVE_LOCK:
            _LIVE.discard(self)
        confine.free_slot(self.slot)
        for fd in (self.channel.read_fd, self.channel.write_fd):
            os.close(fd)
        shutil.rmtree(self.folder, ignore_errors=True)


def kill_group(process):
    """End the process and everything it started (its whole session's process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _copy_back(args, wire_arrays):
    """Write the contents the child reports for the call's array arguments into ``args``."""
    arrays = [a for a in args if isinstance(a, np.ndarray)]
    if not isinstance(wire_arrays, list) or len(wire_arrays) != len(arrays):
        raise ProtocolError("the arrays sent back do not match the call's arguments")
    for target, wire in zip(arrays, wire_arrays):
        value = decode(wire)
        if not isinstance(value, np.ndarray) or value.shape != target.shape:
            raise ProtocolError("an argument array came back with another shape")
        np.copyto(target, value, casting="unsafe")
