"""Which cells of a hand-in grading needs: the graded functions and what they reach, nothing else.

Most of a hand-in's grading time is its own notebook running: figures, widgets, timings, the
check cells, experiments on MNIST. None of that changes what the learner's functions return, so
:func:`needed_cells` keeps only the code cells that can: a backward slice over the cells' names,
read with :mod:`ast`, to a fixed point. A cell is kept when it

* binds, deletes or assigns into (``x[0] = ...``, ``x.a = ...``) a name that is needed, or
* mentions a needed name bound to data somewhere in the notebook (a method call such as
  ``data.sort()`` or ``rng.normal()`` may change it; calling a module's or a ``def``'s function,
  as ``np.mean(x)`` or a check cell's ``check(softmax_jacobian_one)``, does not change the
  module or the function).

Names are read with Python's scopes: a function's own locals are not the notebook's. When any
cell cannot be read safely, every cell runs: a cell that does not parse, or uses ``exec``,
``eval``, ``globals``, ``vars``, ``setattr``, ``__dict__``, ``sys.modules``, ``get_ipython``, a
star import or a magic other than ``%matplotlib`` / ``%config`` / ``%autoreload``.

The names needed at first are the graded functions (and notebook 09's ``answers``); each kept
cell adds every name it reads. A skipped cell runs as ``pass`` (the cell numbers in notes stay
right). Skipping runs less of the hand-in's code, never more: the sandbox is the same. It is
:func:`~course_utils.teaching.grading.grade`'s ``fast`` option (``--fast``), off by default.
"""

import ast
import functools

OPAQUE_CALLS = {
    "exec",
    "eval",
    "globals",
    "vars",
    "setattr",
    "delattr",
    "get_ipython",
    "__import__",
    "locals",
}
OPAQUE_ATTRS = {"__dict__", "modules", "run_line_magic", "run_cell", "user_ns"}
MAGIC_OK = ("%matplotlib", "%config", "%load_ext autoreload", "%autoreload")


class _Cell:
    """The names one cell binds, assigns into, reads, and imports as modules; ``opaque`` if unknowable."""

    def __init__(self, source):
        self.binds, self.mutates, self.reads, self.imports = set(), set(), set(), set()
        self.defines = set()  # bound by def or class
        self.opaque = False
        lines = []
        for line in str(source).splitlines():
            stripped = line.lstrip()
            if stripped.startswith(("%", "!")):
                if not stripped.startswith(MAGIC_OK):
                    self.opaque = True  # %run, %store, !cmd...: anything may happen
                lines.append("")
            else:
                lines.append(line)
        try:
            tree = ast.parse("\n".join(lines))
            self._read(tree)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            self.opaque = True

    def _read(self, tree):
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in OPAQUE_CALLS:
                self.opaque = True
            elif isinstance(node, ast.Attribute) and node.attr in OPAQUE_ATTRS:
                self.opaque = True
            elif isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
                self.opaque = True
        self._scope(tree.body, ())

    def _scope(self, nodes, enclosing):
        """Record module-level binds and free reads of ``nodes``; ``enclosing``: the local name sets."""
        for node in nodes:
            self._visit(node, enclosing)

    def _visit(self, node, enclosing):
        scoped = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
        comprehension = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
        if isinstance(node, scoped + comprehension):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                self._bind(node.name, enclosing)
                if not isinstance(node, ast.ClassDef) and not enclosing:
                    self.defines.add(node.name)
                for outer in node.decorator_list:
                    self._visit(outer, enclosing)
            local = _locals(node)
            for child in ast.iter_child_nodes(node):
                if child not in getattr(node, "decorator_list", []):
                    self._visit(child, (*enclosing, local))
            return
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                if not any(node.id in local for local in enclosing):
                    self.reads.add(node.id)
            else:
                self._bind(node.id, enclosing)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                self._bind(name, enclosing)
                if not enclosing:
                    self.imports.add(name)
        elif isinstance(node, ast.Global):
            self.binds.update(node.names)
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete):
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
            for target in targets:
                self.mutates.update(n for n in _roots(target) if not any(n in local for local in enclosing))
        for child in ast.iter_child_nodes(node):
            self._visit(child, enclosing)

    def _bind(self, name, enclosing):
        if not enclosing:
            self.binds.add(name)


def _locals(scope):
    """The names local to a function, lambda, class body or comprehension (minus ``global`` ones)."""
    out, declared = set(), set()
    args = getattr(scope, "args", None)
    if isinstance(args, ast.arguments):
        for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
            if a is not None:
                out.add(a.arg)
    for node in ast.walk(scope):
        if node is scope:
            continue
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            out.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            out.update(a.asname or a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            declared.update(node.names)
    return out - declared


def _roots(target):
    """The names whose contents an assignment target writes into (``x`` of ``x[i].a = ...``)."""
    if isinstance(target, ast.Tuple | ast.List):
        return set().union(*(_roots(t) for t in target.elts)) if target.elts else set()
    if isinstance(target, ast.Starred):
        return _roots(target.value)
    inner = target
    while isinstance(inner, ast.Attribute | ast.Subscript):
        inner = inner.value
    return {inner.id} if inner is not target and isinstance(inner, ast.Name) else set()


@functools.lru_cache(maxsize=4096)
def _read_cell(source):
    """One cell's :class:`_Cell`, read once per grading process: a class's hand-ins share most of
    their cells (the learner copy's), and reading a cell is most of the grader's own work."""
    return _Cell(source)


def _slice(sources, names):
    """``(kept cell indices, needed names)``; ``None`` for the names when every cell must run."""
    cells = [_read_cell(str(s)) for s in sources]
    if any(c.opaque for c in cells):  # it may read or write any name: run everything
        return list(range(len(cells))), None
    data = set().union(*(c.binds - c.imports - c.defines for c in cells)) if cells else set()
    needed, kept = set(names), set()
    changed = True
    while changed:
        changed = False
        for k, cell in enumerate(cells):
            if k in kept:
                continue
            if (cell.binds | cell.mutates) & needed or cell.reads & needed & data:
                kept.add(k)
                needed |= cell.reads | cell.mutates
                changed = True
    return sorted(kept), needed


def needed_cells(sources, names):
    """The indices of the code cells to run so that ``names`` (the graded functions...) are as the
    whole notebook leaves them; every other cell only shows, checks or explores."""
    return _slice(sources, names)[0]


def trim(source, needed):
    """A kept cell without its ``%matplotlib`` line and its top-level imports of names not needed.

    ``import matplotlib.pyplot as plt`` alone costs a hand-in about a second; a cell that also
    defines an answer keeps everything else. Lines keep their numbers (dropped ones are blank).
    """
    lines = str(source).split("\n")
    lines = ["" if line.lstrip().startswith("%matplotlib") else line for line in lines]
    try:
        tree = ast.parse("\n".join(lines))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return source
    shared = {}
    for node in tree.body:
        for line in range(node.lineno, node.end_lineno + 1):
            shared[line] = shared.get(line, 0) + 1
    for node in tree.body:
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        bound = {a.asname or a.name.split(".")[0] for a in node.names}
        span = range(node.lineno, node.end_lineno + 1)
        if bound & needed or any(shared[line] > 1 for line in span):
            continue
        for line in span:
            lines[line - 1] = ""
    return "\n".join(lines)


def cells_to_run(notebook, sources):
    """``sources`` with each cell grading does not need replaced by ``pass`` and the kept ones trimmed."""
    from .grading import SPEC
    from .scoring import MYSTERY_NOTEBOOK

    names = {e.function for e in SPEC.get(notebook, [])}
    if notebook == MYSTERY_NOTEBOOK:
        names.add("answers")
    kept, needed = _slice(sources, names)
    if needed is None:
        return list(sources)
    kept = set(kept)
    return [trim(source, needed) if k in kept else "pass" for k, source in enumerate(sources)]
