"""Hand-in similarity: exercise answers that are the same code once names and layout are set aside.

For the teacher only: a flagged pair is never shown to a student and never changes a score.

:func:`answers` takes each graded function's definition out of a hand-in (the last ``def`` of that
name in its code cells). :func:`normalise` turns one into a canonical form: its syntax tree
(:mod:`ast`, so comments, blank lines, spacing, line breaks and quotes are gone) without its
docstrings or its own name, and with every name it binds or reads (arguments, variables, imported
aliases, helpers) replaced by ``v0``, ``v1``... in order of first appearance. Attribute names
(``np.outer``) and constants stay: they are what the code does. Two answers with the same
canonical form are the same code under other names.

:func:`flag_pairs` compares every pair of students in a notebook and flags an exercise where their
forms are equal, leaving out what says nothing about copying: the learner copy's stub, an answer
smaller than :data:`MIN_NODES` syntax nodes (``return x @ y`` is everyone's answer), and a form
that more than :data:`COMMON_SHARE` of the class share with at least :data:`COMMON_COUNT` hand-ins
(the obvious answer). What is flagged is a reason to look, not proof.

Hand-ins are untrusted: a cell that does not parse, a huge or deeply nested source, or no such
function gives no answer for that exercise, never an error.
"""

import ast
import hashlib
import itertools
from dataclasses import dataclass

from ..i18n import _

MIN_NODES = 20
"""Answers smaller than this many syntax nodes are never flagged: too short to tell copying apart."""
COMMON_SHARE = 0.5
COMMON_COUNT = 4
MAX_SOURCE = 200_000  # characters of one hand-in's code cells read; the rest is left out


def _functions(notebook):
    from .grading import SPEC

    return {e.name: e.function for e in SPEC.get(notebook, [])}


def answers(notebook, cells):
    """``{exercise: source of its function's last definition}`` from a hand-in's code cells."""
    wanted = {function: name for name, function in _functions(notebook).items()}
    found, budget = {}, MAX_SOURCE
    for source in cells:
        if not isinstance(source, str) or budget <= 0:
            continue
        source, budget = source[:budget], budget - len(source)
        tree = _parse(_without_magics(source))
        if tree is None:
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in wanted:
                try:
                    found[wanted[node.name]] = ast.unparse(node)
                except (RecursionError, ValueError):
                    continue
    return found


def notebook_answers(notebook, path):
    """:func:`answers` of the notebook file at ``path`` (``{}`` for anything that is not one)."""
    import nbformat

    try:
        with open(path, encoding="utf-8") as f:
            nb = nbformat.read(f, as_version=4)
        cells = [c.source for c in nb.cells if c.cell_type == "code"]
    except Exception:  # not JSON, not a notebook: it has no answers to compare
        return {}
    return answers(notebook, cells)


def _without_magics(source):
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def _parse(source):
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


class _Canonical(ast.NodeTransformer):
    """Names to ``v0``, ``v1``... in order of first appearance; docstrings and the def's name gone."""

    def __init__(self):
        self.names = {}

    def _name(self, name):
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_Name(self, node):
        return ast.copy_location(ast.Name(id=self._name(node.id), ctx=node.ctx), node)

    def visit_arg(self, node):
        return ast.copy_location(ast.arg(arg=self._name(node.arg)), node)

    def visit_alias(self, node):
        return ast.alias(name=node.name, asname=self._name(node.asname or node.name.split(".")[0]))

    def _scope(self, node):
        node.body = _no_docstring(node.body)
        if not isinstance(node, ast.ClassDef):
            node.returns = None
        node.name = "f" if not self.names else self._name(node.name)
        return self.generic_visit(node)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scope

    def visit_Global(self, node):
        node.names = [self._name(n) for n in node.names]
        return node

    visit_Nonlocal = visit_Global

    def visit_AnnAssign(self, node):  # an annotation is not code that runs on the answer
        return ast.copy_location(ast.Assign(targets=[self.visit(node.target)], value=node.value), node)

    def visit_Expr(self, node):  # a bare string is a comment written as code
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return None
        return self.generic_visit(node)


def _no_docstring(body):
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        if isinstance(body[0].value.value, str):
            body = body[1:]
    return body or [ast.Pass()]


@dataclass(frozen=True)
class Form:
    """An answer's canonical form: ``digest`` of its normalised tree, and its size in syntax nodes."""

    digest: str
    nodes: int


def normalise(source):
    """The :class:`Form` of one function's source, or ``None`` when it does not parse."""
    tree = _parse(source) if isinstance(source, str) and len(source) <= MAX_SOURCE else None
    if tree is None:
        return None
    try:
        tree = _Canonical().visit(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.arg):
                node.annotation = None
        dump = ast.dump(tree, annotate_fields=False, include_attributes=False)
        nodes = sum(1 for _ in ast.walk(tree))
    except (RecursionError, ValueError, TypeError):
        return None
    return Form(hashlib.sha256(dump.encode("utf-8", "surrogatepass")).hexdigest(), nodes)


def same_code(a, b):
    """True when two sources are the same code once names, comments and layout are set aside."""
    fa, fb = normalise(a), normalise(b)
    return fa is not None and fa == fb


@dataclass(frozen=True)
class Pair:
    """Two students whose answers to ``exercises`` are the same code (``a`` sorts before ``b``)."""

    notebook: str
    a: str
    b: str
    exercises: tuple

    def describe(self, other):
        return _("{other} ({notebook}: {exercises})").format(
            other=other, notebook=self.notebook, exercises=", ".join(self.exercises)
        )


def _stubs(notebook):
    """The forms of the learner copy's answers (the stub everyone starts from): never flagged."""
    from .classroom import LEARNER

    return {
        name: normalise(src)
        for name, src in notebook_answers(notebook, LEARNER / f"{notebook}.ipynb").items()
    }


def flag_pairs(notebook, answers_by_student, stubs=None):
    """Every pair of students with at least one exercise of the same code, as :class:`Pair` s.

    ``answers_by_student``: ``{student: {exercise: source}}``. ``stubs``: ``{exercise: Form}`` never
    flagged (by default, the learner copy's).
    """
    stubs = _stubs(notebook) if stubs is None else stubs
    forms = {
        student: {name: normalise(src) for name, src in (found or {}).items()}
        for student, found in answers_by_student.items()
    }
    class_size = len(forms)
    shared = {}
    for student, found in forms.items():
        for name, form in found.items():
            if form is not None:
                shared.setdefault((name, form), []).append(student)
    matched = {}
    for (name, form), students in shared.items():
        if form.nodes < MIN_NODES or stubs.get(name) == form or len(students) < 2:
            continue
        if len(students) >= COMMON_COUNT and len(students) > COMMON_SHARE * class_size:
            continue
        for a, b in itertools.combinations(sorted(students), 2):
            matched.setdefault((a, b), []).append(name)
    order = list(_functions(notebook)) or None
    return [
        Pair(notebook, a, b, tuple(sorted(names, key=(order.index if order else str))))
        for (a, b), names in sorted(matched.items())
    ]
