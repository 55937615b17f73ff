"""The wire between the grader and a submission's process: plain values as JSON, one message a line.

The grader never unpickles anything a submission sends (unpickling runs code). A value crosses as
JSON: numbers, strings, ``None``, lists, and tagged objects for what JSON lacks:

* ``{"nd": dtype, "shape": [...], "data": [...]}``: a NumPy array (or scalar, shape ``[]``) of
  booleans, integers or floats; NaN and infinities travel as JSON's ``NaN`` / ``Infinity``;
* ``{"tuple": [...]}``, ``{"dict": [[key, value], ...]}`` (keys keep their type), ``{"ellipsis": 1}``;
* ``{"fn": id}``: a function the other side holds (the grader's test functions, called back);
* ``{"opaque": type name}``: anything else, which reaches the grader as an :class:`Opaque` that
  no checker can mistake for a right answer.

:func:`decode` checks every tag, dtype and shape and raises :class:`ProtocolError` on anything else.
:class:`Channel` reads and writes the messages over a pair of pipes, with a deadline and a size cap.
"""

import json
import math
import os
import select
import time

import numpy as np

MAX_MESSAGE = 64 * 2**20  # bytes: far above any exercise's arrays, far below a machine's memory
_KINDS = "biuf"  # numpy dtype kinds that cross: bool, signed and unsigned integers, floats
_MAX_DEPTH = 32


class ProtocolError(BaseException):
    """A message that is not what the protocol allows (the submission's row ends: the wire is suspect)."""


class Deadline(BaseException):
    """The submission's time is up (a ``BaseException``, so no checker's ``except Exception`` eats it)."""


class Closed(BaseException):
    """The submission's process ended (or closed its pipe) before it answered."""


class Opaque:
    """Stands for a value of a type that does not cross the wire (a torch tensor, a generator...)."""

    def __init__(self, type_name):
        self.type_name = str(type_name)[:80]

    def __repr__(self):
        return f"<a {self.type_name} object>"


def encode(value, functions=None, depth=0):
    """``value`` as JSON-ready data; callables are stored in ``functions`` and sent by their id."""
    if depth > _MAX_DEPTH:
        return {"opaque": "deeply nested value"}
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**63 else float(value)
    if isinstance(value, float):
        return value
    if isinstance(value, np.ndarray | np.generic) and np.asarray(value).dtype.kind in _KINDS:
        arr = np.asarray(value)
        return {"nd": arr.dtype.str, "shape": list(arr.shape), "data": arr.ravel().tolist()}
    if isinstance(value, tuple | list):
        items = [encode(v, functions, depth + 1) for v in value]
        return {"tuple": items} if isinstance(value, tuple) else items
    if isinstance(value, dict):
        return {
            "dict": [
                [encode(k, functions, depth + 1), encode(v, functions, depth + 1)] for k, v in value.items()
            ]
        }
    if value is Ellipsis:
        return {"ellipsis": 1}
    if callable(value) and functions is not None:
        functions.append(value)
        return {"fn": len(functions) - 1}
    return {"opaque": type(value).__name__}


def _array(msg):
    dtype = np.dtype(msg["nd"]) if isinstance(msg["nd"], str) else None
    if dtype is None or dtype.kind not in _KINDS or dtype.itemsize > 8:
        raise ProtocolError(f"arrays of dtype {msg['nd']!r} are not accepted")
    shape = msg["shape"]
    if not isinstance(shape, list) or not all(type(n) is int and 0 <= n for n in shape) or len(shape) > 8:
        raise ProtocolError("an array shape must be a list of at most 8 non-negative integers")
    data = msg["data"]
    if not isinstance(data, list) or len(data) != math.prod(shape):
        raise ProtocolError("an array's data does not match its shape")
    if not all(type(x) in (int, float, bool) for x in data):
        raise ProtocolError("an array's data must be numbers")
    try:
        arr = np.array(data, dtype=dtype).reshape(shape)
    except (OverflowError, ValueError) as exc:
        raise ProtocolError(f"bad array data: {exc}") from None
    return arr[()] if not shape else arr


def decode(msg, function=None, depth=0):
    """The value ``msg`` stands for; ``function(id)`` makes the callable for an ``{"fn": id}``."""
    if depth > _MAX_DEPTH:
        raise ProtocolError("value nested too deeply")
    if msg is None or type(msg) in (bool, int, float, str):
        return msg
    if isinstance(msg, list):
        return [decode(m, function, depth + 1) for m in msg]
    if isinstance(msg, dict) and set(msg) == {"nd", "shape", "data"}:
        return _array(msg)
    if not isinstance(msg, dict) or len(msg) != 1:
        raise ProtocolError(f"unexpected value {str(msg)[:80]}")
    ((tag, body),) = msg.items()
    if tag == "tuple" and isinstance(body, list):
        return tuple(decode(m, function, depth + 1) for m in body)
    if tag == "dict" and isinstance(body, list) and all(isinstance(p, list) and len(p) == 2 for p in body):
        pairs = [(decode(k, function, depth + 1), decode(v, function, depth + 1)) for k, v in body]
        if not all(type(k) in (int, float, str, bool) or k is None for k, _ in pairs):
            raise ProtocolError("dictionary keys must be numbers or strings")
        return dict(pairs)
    if tag == "ellipsis":
        return Ellipsis
    if tag == "opaque":
        return Opaque(body)
    if tag == "fn" and type(body) is int and function is not None:
        return function(body)
    raise ProtocolError(f"unexpected value {str(msg)[:80]}")


STOP_POLL = 0.2  # seconds between two looks at a Channel's stop event


class Channel:
    """Newline-delimited JSON messages over two file descriptors, read with a deadline.

    ``stop``: a :class:`threading.Event`; once it is set, :meth:`receive` raises :class:`Closed`
    within :data:`STOP_POLL` seconds, whether or not the other side still holds its end open (a
    process that outlived the kill of its sandbox must not keep the grader waiting).
    """

    def __init__(self, read_fd, write_fd, deadline=None, stop=None):
        self.read_fd, self.write_fd, self.deadline, self.stop = read_fd, write_fd, deadline, stop
        self._buffer = b""

    def send(self, message):
        data = (json.dumps(message, allow_nan=True) + "\n").encode()
        view = memoryview(data)
        while view:
            try:
                written = os.write(self.write_fd, view)
            except (BrokenPipeError, OSError):
                raise Closed("the other side closed the pipe") from None
            view = view[written:]

    def receive(self):
        """The next message; raises :class:`Deadline`, :class:`Closed` or :class:`ProtocolError`."""
        while b"\n" not in self._buffer:
            if len(self._buffer) > MAX_MESSAGE:
                raise ProtocolError(f"a message longer than {MAX_MESSAGE} bytes")
            if self.stop is not None and self.stop.is_set():
                raise Closed("stopped: the grader was interrupted")
            wait = None if self.deadline is None else self.deadline - time.monotonic()
            if wait is not None and wait <= 0:
                raise Deadline()
            if self.stop is not None:
                wait = STOP_POLL if wait is None else min(wait, STOP_POLL)
            ready, _, _ = select.select([self.read_fd], [], [], wait)
            if not ready:
                continue
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                raise Closed("the other side ended")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            message = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise ProtocolError(f"not a JSON message: {exc}") from None
        if not isinstance(message, dict):
            raise ProtocolError("a message must be a JSON object")
        return message
