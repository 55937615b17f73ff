"""The process a submission runs in: its cells, then the grader's calls of the learner's functions.

    python -m course_utils.teaching.worker READ_FD WRITE_FD NOTEBOOK

Started by :mod:`course_utils.teaching.sandbox`, inside the operating-system sandbox
(:mod:`~course_utils.teaching.confine`, where it is the package ``course_grading_worker``: it
imports nothing of the grader but :mod:`~course_utils.teaching.protocol`), with two pipes to the
grader. It runs the submission's code cells one by one in an IPython shell
(magics work, a failing cell does not stop the next one), says which cell it is in, then answers
requests: call the learner's function ``name`` on these arguments, or send the value of a global.
Arguments that are functions (a checker's test function ``f``) stay in the grader: calling one
here asks the grader, first copying back the current contents of the call's array arguments, so
a learner who perturbs ``x`` in place and calls ``f()`` sees ``f`` read the perturbed ``x``.

Nothing this process says is trusted: the grader only takes plain values from it (see
:mod:`~course_utils.teaching.protocol`) and computes every score itself. While a learner's function
runs, a profiler notes whether it reaches the course's own implementation of the exercise; the
code objects it looks for are taken before the submission's first cell runs, so patching
``course_utils`` afterwards does not hide them.
"""

import os
import sys
import types

import numpy as np

from course_utils.notebooks._fingerprint import fingerprint, resolve, targets  # noqa: F401 - shared

from .protocol import Channel, Closed, decode, encode

_MESSAGE_LIMIT = 500


def _describe(exc):
    return type(exc).__name__, str(exc)[:_MESSAGE_LIMIT]


def watched_code(names):
    """``{function name: {code object or fingerprint: dotted name}}``: what each exercise must not call.

    ``names`` maps each exercise's function to the dotted names of those answers, as the grader
    sends them (the course copy in the sandbox has no hidden cases to read them from); a name the
    copy lacks (a private reference the learner release leaves out) cannot be called anyway. The
    fingerprints are the learner checker's own (``course_utils.notebooks._fingerprint``).
    """
    return {str(function): targets(dotted) for function, dotted in names.items()}


def _shell():
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class GradingShell(InteractiveShell):
        def enable_gui(self, gui=None):  # `%matplotlib inline` asks for one; no window here
            pass

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    return GradingShell.instance(config=config)


class Worker:
    def __init__(self, channel):
        self.channel = channel
        self.watch = {}
        self.shell = _shell()
        # Kept before any submission code runs, so a cell that replaces them changes nothing here.
        self._setprofile, self._getprofile = sys.setprofile, sys.getprofile
        self._send, self._receive = channel.send, channel.receive
        import tracemalloc  # its functions, kept before any submission code runs

        self._tracemalloc = types.SimpleNamespace(
            **{
                k: getattr(tracemalloc, k)
                for k in ("start", "stop", "reset_peak", "get_traced_memory", "is_tracing")
            }
        )

    def run_cells(self, sources, watch=None):
        self.watch = watched_code(watch or {})  # taken before the first cell of the hand-in runs
        for k, source in enumerate(sources):
            self._send({"cell": k})
            result = self.shell.run_cell(source, store_history=False)
            error = result.error_before_exec or result.error_in_exec
            if error is not None:
                self._send({"cell_error": k, "error": ": ".join(_describe(error))})
        self._send({"done": True})

    def _callback(self, fn_id, arrays):
        def call_grader(*args, **kwargs):
            if kwargs:
                raise TypeError("the grader's test function takes positional arguments only")
            self._send({"callback": fn_id, "args": encode(list(args)), "sync": [encode(a) for a in arrays]})
            reply = self._receive()
            if "raised" in reply:
                raise RuntimeError(f"the grader's test function raised {reply['raised']}")
            return decode(reply.get("return"))

        return call_grader

    def call(self, name, wire_args, peak=False):
        fn = self.shell.user_ns.get(name)
        if not callable(fn):
            return {"raised": "NameError", "message": f"the notebook defines no function {name!r}"}
        arrays = []
        args = decode(wire_args, lambda fn_id: self._callback(fn_id, arrays))
        arrays += [a for a in args if isinstance(a, np.ndarray)]
        codes, used = self.watch.get(name, {}), set()
        seen = {}  # code object -> what it is in ``codes`` ("" for nothing), each looked up once

        def profiler(frame, event, arg):
            if event != "call":
                return
            code = frame.f_code
            hit = seen.get(code)
            if hit is None:
                hit = seen[code] = codes.get(code) or codes.get(fingerprint(code)) or ""
            if hit:
                used.add(hit)

        trace = self._tracemalloc if peak else None
        if trace:
            trace.start()
            trace.reset_peak()
            base = trace.get_traced_memory()[0]
        self._setprofile(profiler)
        try:
            value = fn(*args)
        except BaseException as exc:  # noqa: BLE001 (whatever the learner's code raises is reported)
            self._setprofile(None)
            if trace:
                trace.stop()
            kind, message = _describe(exc)
            return {"raised": kind, "message": message, "used": sorted(used)}
        tampered = self._getprofile() is not profiler
        self._setprofile(None)
        if tampered:
            used.add("(the call switched the grader's profiler off)")
        reply = {"ok": encode(value), "after": [encode(a) for a in arrays], "used": sorted(used)}
        if trace:
            if not trace.is_tracing():
                used.add("(the call switched the grader's memory tracing off)")
                reply["used"] = sorted(used)
            reply["peak"] = max(0, int(trace.get_traced_memory()[1] - base))
            trace.stop()
        return reply

    def serve(self):
        while True:
            request = self._receive()
            if "call" in request:
                self._send(self.call(request["call"], request.get("args", []), request.get("peak") is True))
            elif "get" in request:
                ns = self.shell.user_ns
                name = request["get"]
                self._send({"ok": encode(ns[name])} if name in ns else {"missing": True})
            else:
                return


LIMITS = {
    "COURSE_CPU_SECONDS": "RLIMIT_CPU",
    "COURSE_MEMORY_BYTES": "RLIMIT_AS",
    "COURSE_PROCESSES": "RLIMIT_NPROC",
    "COURSE_FILE_BYTES": "RLIMIT_FSIZE",
}
"""The environment variables :func:`apply_limits` reads, and the limit each one sets."""


def apply_limits():
    """Set the limits the environment names, on this process and all it starts (soft = hard).

    CPU time: the grader kills a hand-in at its deadline; this is the backstop for when the grader
    itself is killed first (CPU time never runs ahead of wall time, so it cannot fire before the
    grader's deadline). Memory (address space), processes (threads included, counted per user:
    each sandbox has a user of its own) and the size of any one file it writes. No core files.
    An unprivileged process cannot raise a hard limit, and nothing in the sandbox is privileged.
    """
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for variable, name in LIMITS.items():
        value = os.environ.get(variable)
        if value:
            limit = max(1, int(float(value)))
            resource.setrlimit(getattr(resource, name), (limit, limit))


limit_cpu_time = apply_limits  # the name older callers use


def main(argv=None):
    read_fd, write_fd, _notebook = argv or sys.argv[1:]
    apply_limits()
    channel = Channel(int(read_fd), int(write_fd))
    worker = Worker(channel)
    channel.send({"ready": True})
    try:
        request = channel.receive()
        worker.run_cells(request["cells"], request.get("watch"))
        worker.serve()
    except Closed:
        pass
    sys.stdout.flush()
    os._exit(0)  # no atexit handlers of the submission's


if __name__ == "__main__":
    main()
