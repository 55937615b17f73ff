"""Which course functions an answer must not call or copy: one rule for the checker and the grader.

A course whose library implements every answer must tell a learner who calls that library, or
pastes a copy of it, that the graded hand-in scores 0 on the exercise: the learner's checker in the
notebook and the teacher's grader must say the same. Both use this module, which the learner release
ships: it holds only the fingerprints of the library's public functions and the rule that picks the
ones computing an exercise's result, never a solution or a hidden case.

* :func:`fingerprint` is a function's compiled form without its names and line numbers, so that a
  pasted copy under another name is told from an honest answer;
* :func:`computing` lists the public functions of :data:`SEARCHED` that give an exercise's result
  on given inputs (the checker tries the learner's cases, the grader its hidden ones), and
  :data:`ALSO` the functions that compute it from other inputs;
* :func:`targets` maps the code objects and fingerprints of those functions to their dotted names,
  and :func:`watching` records which of them a learner's function ran.
"""

import contextlib
import dis
import importlib
import inspect
import io
import sys
import types
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

PACKAGE = "course_utils"

SEARCHED = ("softmax", "losses", "activations", "finite_differences", "gradcheck", "mismatch_theory")
"""The course modules whose every public function is tried on each exercise's inputs."""

ALSO = {
    "vjp_rows": ("course_utils.softmax.softmax_jacobian", "course_utils.softmax.softmax_vjp"),
    "delta2": ("course_utils.losses.cross_entropy_grad", "course_utils.losses.cross_entropy_and_grad"),
}
"""Course functions that compute an exercise's result from other inputs (``delta2`` is
``cross_entropy_grad(np.log(a2), y)``), which trying them on the exercise's inputs cannot find."""

COPY = " (a copy of it)"
"""What a dotted name gets appended when the answer holds a copy of the function, not a call."""

_SAME_OP = {"LOAD_METHOD": "LOAD_ATTR", "CALL_METHOD": "CALL"}  # a run specialises one into the other


def fingerprint(code):
    """A code object's compiled form, blind to its name, line numbers, local names and jump offsets.

    Two functions with the same fingerprint run the same instructions on the same global names,
    attributes and constants: a copy of a course function (``inspect.getsource`` and ``exec``, or
    its text pasted under another name) has the fingerprint of the original, whether or not either
    has run yet (CPython rewrites the instructions of a function it runs often).
    """
    ops = []
    for ins in dis.get_instructions(code):
        op = _SAME_OP.get(ins.opname, ins.opname)
        if isinstance(ins.argval, types.CodeType):
            ops.append((op, fingerprint(ins.argval)))
        elif "FAST" in op or "DEREF" in op or ins.opcode in dis.hasjrel or ins.opcode in dis.hasjabs:
            ops.append((op, ins.arg if "FAST" in op or "DEREF" in op else None))
        else:
            ops.append((op, repr(ins.argval)))
    return (tuple(ops), code.co_argcount, code.co_kwonlyargcount)


def resolve(dotted):
    """The object named ``package.module.attribute``."""
    module, _, attr = dotted.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def copyable(name):
    """Whether a copy of ``name`` is told by its compiled form: the library's functions, yes.

    A companion's private reference (``_relu_backward``) is the short, natural answer an honest
    learner may write instruction for instruction; the library's functions validate their input
    through ``_checks`` and are written for the course, so their compiled form is their own.
    """
    return not name.startswith(f"{PACKAGE}.notebooks.")


def dotted_name(fn):
    """``module.qualname`` of a function, as the grader names it in a note."""
    return f"{fn.__module__}.{fn.__qualname__}"


def _same(got, right):
    got, right = (got, right) if isinstance(right, tuple) else ((got,), (right,))
    if not isinstance(got, tuple) or len(got) != len(right):
        return False
    return all(
        np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-6, atol=1e-9) for a, b in zip(got, right)
    )


def same_result(fn, reference, make_args):
    """Whether ``fn`` gives ``reference``'s result on fresh arguments from ``make_args()``."""
    try:
        with (
            np.errstate(all="ignore"),
            warnings.catch_warnings(),
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            warnings.simplefilter("ignore")
            return _same(fn(*make_args()), reference(*make_args()))
    except Exception:  # most course functions do not take these inputs at all
        return False


def public_functions():
    """``(dotted name, function)`` for every public function of the :data:`SEARCHED` modules."""
    for name in SEARCHED:
        module = importlib.import_module(f"{PACKAGE}.{name}")
        for attr, fn in vars(module).items():
            if not attr.startswith("_") and inspect.isfunction(fn) and fn.__module__ == module.__name__:
                yield f"{module.__name__}.{attr}", fn


def _takes(fn, args):
    """Whether ``fn`` computes from ``args``: it needs at least one of them and accepts them all.

    A function that needs no argument (a figure, ``plot_learner_tables(axes=None)``, or a table of
    ``finite_difference_errors``) computes nothing from the exercise's inputs, and trying one would
    draw figures or take seconds; drawing functions are never tried.
    """
    if fn.__name__.startswith(("plot", "show", "draw")):
        return False
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    return 1 <= len(required) <= len(args) <= len(positional)


def _key(value):
    if isinstance(value, np.ndarray):
        return (value.shape, value.dtype.str, value.tobytes())
    code = getattr(value, "__code__", None)
    return ("function", code) if code is not None else ("value", repr(value))


_computed = {}


def computing(reference, make_args):
    """The dotted names of the public course functions that give ``reference``'s result.

    Each function that takes the arguments (see :func:`_takes`) is run on fresh arguments from
    ``make_args()`` (the grader's hidden inputs, or a checker's case) and compared with
    ``reference`` on another fresh set. Worked out once per reference and inputs.
    """
    args = make_args()
    key = (getattr(reference, "__code__", reference), tuple(_key(a) for a in args))
    try:
        hash(key)
    except TypeError:  # an argument that cannot be a key: work it out each time
        key = None
    if key is None or key not in _computed:
        found = [
            name
            for name, fn in public_functions()
            if _takes(fn, args) and same_result(fn, reference, make_args)
        ]
        if key is None:
            return found
        _computed[key] = found
    return list(_computed[key])


def targets(names):
    """``{code object or fingerprint: dotted name}`` for the functions named (missing ones skipped).

    A library function's fingerprint maps to its name with :data:`COPY` appended (see
    :func:`copyable`); its code object maps to the name itself.
    """
    out = {}
    for name in names:
        try:
            obj = resolve(str(name))
        except (ImportError, AttributeError, ValueError):
            continue
        code = getattr(getattr(obj, "__wrapped__", obj), "__code__", None)
        if code is not None:
            out[code] = str(name)
            if copyable(str(name)):
                out[fingerprint(code)] = f"{name}{COPY}"
    return out


_LIBRARY = (Path(np.__file__).parent, Path(__file__).resolve().parents[1])


def _learners(code):
    """Whether ``code`` may be a learner's own (not NumPy's, not the course's): worth a fingerprint."""
    name = code.co_filename
    return not name.startswith(tuple(str(p) for p in _LIBRARY)) and "site-packages" not in name


@contextmanager
def watching(found):
    """Record in the set ``found`` every Python code object that runs inside the block.

    :func:`used` then tells the course's own functions by identity and fingerprints only the code a
    learner may have written. A profile function set before the block (the grading worker's) keeps
    seeing every call.
    """
    previous = sys.getprofile()

    def profile(frame, event, arg):
        if event == "call":
            found.add(frame.f_code)
        if previous is not None:
            previous(frame, event, arg)

    sys.setprofile(profile)
    try:
        yield
    finally:
        sys.setprofile(previous)


def used(codes, watch):
    """The dotted names in ``watch`` (from :func:`targets`) that the code objects ran or copied."""
    hits = set()
    for code in codes:
        hit = watch.get(code)
        if hit is None and _learners(code):
            try:
                hit = watch.get(fingerprint(code))
            except Exception:  # an odd code object: not a copy of ours
                hit = None
        if hit:
            hits.add(hit)
    return hits
