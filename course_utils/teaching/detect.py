"""Does an answer call the course's own implementation of what its exercise asks for? Read the code.

The grader looks twice. Here, in the grader's own process, it reads the submission's code cells
without running them: it follows the notebook's imports of ``course_utils`` (``import course_utils
as cu``, ``from course_utils.softmax import softmax_jacobian as sj``, ``jac = cu.softmax_jacobian``)
and looks in the body of the exercise's function, and of the notebook's own functions it calls,
for a name, an attribute or a ``getattr(module, "name")`` that resolves to a forbidden function.
A submission cannot tamper with this reading. What it cannot see (``importlib``, ``exec``, a name
built from pieces) the worker's profiler sees at run time, in the submission's process, where a
determined cheat could interfere; the two together catch every ordinary way of calling it.
"""

import ast
import importlib
import sys
import threading
import types

from ..notebooks import companion
from ..notebooks._fingerprint import (  # noqa: F401 - shared with the learner's checker, importable here
    ALSO,
    COPY,
    PACKAGE,
    SEARCHED,
    computing,
    copyable,
    fingerprint,
    resolve,
)


def python_source(cell_source):
    """The cell as plain Python (IPython magics become calls), or ``""`` when it does not parse."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        code = TransformerManager().transform_cell(cell_source)
        ast.parse(code)
    except (SyntaxError, ValueError, IndexError):
        return ""
    return code


class _Enough(Exception):
    pass


def _checker_own(e):
    """The course functions the exercise's checker watches for (its ``own``), read by asking it."""
    module = sys.modules[e.checker.__module__]
    run_checks, own = getattr(module, "run_checks", None), []
    if run_checks is None:
        return []

    def spy(*args, **kwargs):
        own.extend(kwargs.get("own") or ())
        raise _Enough

    module.run_checks = spy
    try:
        e.checker(lambda *args: None)
    except Exception:  # _Enough, or a checker that does not reach run_checks
        pass
    finally:
        module.run_checks = run_checks
    return [f"{f.__module__}.{f.__qualname__}" for f in own if hasattr(f, "__qualname__")]


def _computing(e):
    """Every public function of :data:`SEARCHED` that gives the exercise's result on its hidden inputs."""
    return computing(e.reference, e.hidden_args)


_answers, _answers_lock = {}, threading.Lock()


def course_answers(notebook):
    """``{function: [dotted names]}``: every course function an exercise's answer must not use.

    The exercise's reference and ``course_functions``, the functions its checker watches for (so the
    grade and the learner's checker agree), every public course function that computes its result
    on the hidden inputs, and :data:`ALSO`. Worked out once per notebook.
    """
    with _answers_lock:
        if notebook not in _answers:
            out = {}
            for e in companion(notebook).GRADED:
                names = [f"{e.reference.__module__}.{e.reference.__qualname__}", *e.course_functions]
                names += _checker_own(e) + _computing(e) + list(ALSO.get(e.function, ()))
                out[e.function] = list(dict.fromkeys(names))
            _answers[notebook] = out
        return _answers[notebook]


def forbidden(notebook):
    """``{function name: {id of a forbidden object, or a fingerprint: its dotted name}}``."""
    out = {}
    for function, names in course_answers(notebook).items():
        targets = {}
        for name in names:
            try:
                obj = resolve(name)
            except (ImportError, AttributeError):
                continue
            targets[id(obj)] = name
            code = getattr(getattr(obj, "__wrapped__", obj), "__code__", None)
            if code is not None:
                targets[id(code)] = name
                if copyable(name):
                    targets[fingerprint(code)] = f"{name}{COPY}"
        out[function] = targets
    return out


class _Notebook:
    """What the notebook's top level binds: course objects by alias, and its own functions."""

    def __init__(self, sources):
        self.aliases, self.functions, self.assigned = {}, {}, {}
        for source in sources:
            tree = ast.parse(python_source(source))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    self._bind_import(node)
            for node in tree.body:
                if isinstance(node, ast.FunctionDef):
                    self.functions[node.name] = node
                    self.aliases.pop(node.name, None)
                elif isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            self.assigned[target.id] = node.value
                            value = self.resolve(node.value)
                            if value is not None:
                                self.aliases[target.id] = value
                            else:
                                self.aliases.pop(target.id, None)

    def _bind_import(self, node):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == PACKAGE:
                    bound = a.asname or a.name.split(".")[0]
                    self.aliases[bound] = _module(a.name if a.asname else PACKAGE)
            return
        if node.level or not (node.module or "").split(".")[0] == PACKAGE:
            return
        for a in node.names:
            parent = _module(node.module)
            obj = getattr(parent, a.name, None) if parent else None
            self.aliases[a.asname or a.name] = obj if obj is not None else _module(f"{node.module}.{a.name}")

    def resolve(self, node):
        """The course object an expression names, or ``None``."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return _attribute(base, node.attr)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            return _attribute(self.resolve(node.args[0]), node.args[1].value)
        return None


def _module(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _attribute(base, name):
    if base is None or not isinstance(base, types.ModuleType) and not callable(base):
        return None
    value = getattr(base, name, None)
    if isinstance(value, types.ModuleType) and not value.__name__.startswith(PACKAGE):
        return None
    return value


def calls_course_answer(sources, function, targets):
    """The dotted names of forbidden objects that the notebook's ``function`` refers to.

    ``sources`` are the code cells, ``targets`` maps ``id(object)`` (a function or its code) to a
    dotted name, as :func:`forbidden` builds it.
    """
    try:
        nb = _Notebook(sources)
    except SyntaxError:
        return set()
    found, seen = set(), set()

    def hit(obj):
        for key in (id(obj), id(getattr(getattr(obj, "__wrapped__", obj), "__code__", None))):
            if key in targets:
                found.add(targets[key])

    def visit(name):
        if name in seen:
            return
        seen.add(name)
        if name in nb.functions:
            roots = [nb.functions[name]]
            copied = _copy_of(nb.functions[name], targets)
            if copied:
                found.add(copied)
        elif name in nb.assigned:
            roots = [nb.assigned[name]]
        else:
            return
        for root in roots:
            for node in _reached(root):
                if isinstance(node, ast.Name | ast.Attribute | ast.Call):
                    obj = nb.resolve(node)
                    if obj is not None:
                        hit(obj)
                if isinstance(node, ast.Name) and node.id in nb.functions | nb.assigned:
                    visit(node.id)

    visit(function)
    return found


def _reached(root):
    """The nodes of ``root`` that can run: not the body of a nested ``def`` it never names, nor a
    course function only read for a dunder attribute (``nb06._my_check.__doc__``)."""
    named = {n.id for n in ast.walk(root) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    read_only = {
        id(n.value) for n in ast.walk(root) if isinstance(n, ast.Attribute) and n.attr.startswith("__")
    }
    stack = [root]
    while stack:
        node = stack.pop()
        nested = node is not root and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        if (nested and node.name not in named) or id(node) in read_only:
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _copy_of(node, targets):
    """The dotted name of the course function whose compiled form the notebook's ``def`` has."""
    try:
        module = compile(ast.Module([node], type_ignores=[]), "<hand-in>", "exec")
    except (SyntaxError, ValueError, TypeError):
        return None
    code = next((c for c in module.co_consts if isinstance(c, types.CodeType)), None)
    return targets.get(fingerprint(code)) if code is not None else None


def _defined_functions(sources):
    """``{name: FunctionDef}`` of every top-level function the cells define (cells that parse)."""
    out = {}
    for source in sources:
        code = python_source(source)
        if code:
            out.update({n.name: n for n in ast.parse(code).body if isinstance(n, ast.FunctionDef)})
    return out


def _still_blank(node):
    return any(
        isinstance(n, ast.Raise)
        and isinstance(getattr(n.exc, "func", n.exc), ast.Name)
        and getattr(n.exc, "func", n.exc).id == "NotImplementedError"
        for n in ast.walk(node)
    )


def why_zero(notebook, sources, spec):
    """Why a hand-in scored 0 on everything: blank, another notebook, or see the messages.

    ``spec`` maps each notebook to its graded exercises (``grading.SPEC``).
    """
    mine = [e.function for e in spec[notebook]]
    defined = _defined_functions(sources)
    present = [f for f in mine if f in defined]
    if not present:
        others = [
            other
            for other, exercises in spec.items()
            if other != notebook and exercises and any(e.function in defined for e in exercises)
        ]
        if others:
            return (
                f"another exercise's notebook: it defines the functions of {', '.join(others)}, "
                f"none of {notebook}'s ({', '.join(mine)})"
            )
        if not sources:
            return "an empty notebook: no code cell"
        return f"none of this notebook's functions is defined ({', '.join(mine)})"
    if all(_still_blank(defined[f]) for f in present):
        return "blank: every exercise still raises NotImplementedError"
    return "every exercise scored 0: see each exercise's message"
