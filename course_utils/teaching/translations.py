"""The Chinese edition: notebook catalogs keyed by cell id, and the gettext catalogs of course_utils.

    python -m course_utils.teaching.translations status    # exit 1 on a missing or stale translation
    python -m course_utils.teaching.translations extract   # update course_utils/locale/zh/*.po (Babel)
    python -m course_utils.teaching.translations skeleton  # add entries for new cells to the catalogs

The English solution notebooks are the one source of the code. Each notebook has a catalog,
``notebooks/zh/catalog/<name>.md``: one entry per cell, headed by a marker line that names the cell
(its nbformat id) and the first 12 hex digits of the SHA-256 of the English source it translates::

    <!-- markdown 3f2a9c1e en:1b2c3d4e5f60 -->
    中文的单元格……

    <!-- code 7d1e0b2a en:0a9b8c7d6e5f same -->

A code entry either says ``same`` (nothing to translate) or gives the cell with its strings and
comments in Chinese; it must parse to the English code (string constants, and the order and format
specs of the fields of an f-string, aside: Chinese word order and column widths differ). An entry is
*stale* when the English cell has changed since (its hash differs), *missing* when a cell has none,
and *untranslated* when its text has no Chinese character.
``classroom build`` refuses to write a Chinese notebook while any of these is true.
"""

import argparse
import ast
import copy
import hashlib
import re
import sys
from pathlib import Path

from ..i18n import LOCALE

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "notebooks" / "solutions"
ZH = ROOT / "notebooks" / "zh"
CATALOGS = ZH / "catalog"
PACKAGE = ROOT / "course_utils"
MARKER = re.compile(r"^<!-- (markdown|code) (\S+) en:([0-9a-f]{12})( same)? -->$", re.M)
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
KEYWORDS = {"_": None, "N_": None, "lazy_": None, "see": (2,)}
SET_LANGUAGE = 'cu.set_language("zh")  # 本笔记本的输出用中文'


def english_hash(source):
    """The first 12 hex digits of the SHA-256 of a cell's English source."""
    return hashlib.sha256(source.encode()).hexdigest()[:12]


def catalog_path(name):
    return CATALOGS / f"{name}.md"


def read_catalog(path):
    """``{cell_id: (kind, hash, same, text)}`` from a catalog file (missing file: empty)."""
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    marks = list(MARKER.finditer(text))
    entries = {}
    for k, m in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(text)
        body = text[m.end() : end].strip("\n")
        kind, cell_id, digest, same = m.groups()
        if cell_id in entries:
            raise ValueError(f"{path.name}: cell {cell_id} has two entries")
        entries[cell_id] = (kind, digest, bool(same), body)
    return entries


def _code_shape(source):
    """The code's syntax tree, string constants and format specs blanked, an f-string's fields sorted."""

    class Blank(ast.NodeTransformer):
        def visit_Constant(self, node):
            return ast.Constant(value="") if isinstance(node.value, str) else node

        def visit_FormattedValue(self, node):
            # A field's format spec only lays text out: a translation may re-pad a column.
            return ast.FormattedValue(
                value=self.visit(node.value), conversion=node.conversion, format_spec=None
            )

        def visit_JoinedStr(self, node):
            fields = [self.visit(v) for v in node.values if isinstance(v, ast.FormattedValue)]
            return ast.JoinedStr(values=sorted(fields, key=ast.dump))

    magics = [line for line in source.splitlines() if line.lstrip().startswith(("%", "!"))]
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    return magics, ast.dump(Blank().visit(ast.parse(code)))


def problems(name, en=None, entries=None):
    """Every reason the Chinese edition of notebook ``name`` cannot be built, one line each."""
    import nbformat

    en = en or nbformat.read(SOLUTIONS / f"{name}.ipynb", as_version=4)
    entries = read_catalog(catalog_path(name)) if entries is None else entries
    found = []
    ids = set()
    for cell in en.cells:
        ids.add(cell.id)
        first = cell.source.strip().splitlines()[0][:60] if cell.source.strip() else ""
        where = f"{name} cell {cell.id} ({first!r})"
        entry = entries.get(cell.id)
        if entry is None:
            found.append(f"missing: {where}")
            continue
        kind, digest, same, body = entry
        if kind != cell.cell_type:
            found.append(f"wrong kind: {where} is a {cell.cell_type} cell, its entry says {kind}")
        elif digest != english_hash(cell.source):
            now = english_hash(cell.source)
            found.append(
                f"stale: {where} changed since it was translated (translate it again, then mark it en:{now})"
            )
        elif same:
            if (
                cell.cell_type == "markdown"
                and CJK.search(cell.source) is None
                and re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", cell.source)
            ):
                found.append(f"untranslated: {where} is English prose, yet marked same")
        elif not CJK.search(body):
            found.append(f"untranslated: {where} has no Chinese text")
        elif cell.cell_type == "code":
            if _markers(body) != _markers(cell.source):
                found.append(f"code differs: {where}: its nbval and solution markers must stay as they are")
                continue
            try:
                if _code_shape(body) != _code_shape(cell.source):
                    found.append(f"code differs: {where}: only strings and comments may change")
            except SyntaxError as err:
                found.append(f"code differs: {where}: the translation does not parse ({err.msg})")
    for orphan in sorted(set(entries) - ids):
        found.append(f"orphan: {name} has an entry for cell {orphan}, which the notebook no longer has")
    return found


def _markers(source):
    """The comment lines nbval and the learner copies read: they are not text to translate."""
    return [
        line.strip()
        for line in source.splitlines()
        if re.match(r"\s*#+ *(NBVAL_|(BEGIN|END) SOLUTION)", line)
    ]


def chinese_source(en, name):
    """The Chinese solution notebook (unexecuted), from English notebook ``en`` and its catalog."""
    trouble = problems(name, en)
    if trouble:
        raise ValueError("the Chinese catalog is not complete:\n  " + "\n  ".join(trouble))
    entries = read_catalog(catalog_path(name))
    zh = copy.deepcopy(en)
    injected = False
    for cell in zh.cells:
        kind, _, same, body = entries[cell.id]
        if not same:
            cell.source = body
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            if not injected and "import course_utils as cu" in cell.source:
                cell.source = _with_language(cell.source)
                injected = True
    if not injected:
        raise ValueError(f"{name}: no code cell imports course_utils as cu, to set the language in")
    zh.metadata["course_language"] = "zh"
    return zh


def _with_language(source):
    """``source`` with the language set right after its imports."""
    lines = source.splitlines()
    last = max(i for i, line in enumerate(lines) if line.startswith(("import ", "from ")))
    return "\n".join(lines[: last + 1] + ["", SET_LANGUAGE] + lines[last + 1 :])


def skeleton(name):
    """Add an entry (English text, to be translated) for each cell the catalog lacks; keep the rest."""
    import nbformat

    en = nbformat.read(SOLUTIONS / f"{name}.ipynb", as_version=4)
    entries = read_catalog(catalog_path(name))
    parts = [f"<!-- {name}: the Chinese text of each cell; see course_utils/teaching/translations.py -->"]
    for cell in en.cells:
        kind, digest, same, body = entries.get(cell.id, (cell.cell_type, None, False, cell.source))
        if digest is None:
            digest = english_hash(cell.source)
            same = cell.cell_type == "code" and not _has_text(cell.source)
            body = "" if same else cell.source
        parts.append(f"<!-- {kind} {cell.id} en:{digest}{' same' if same else ''} -->\n{body}".rstrip())
    catalog_path(name).parent.mkdir(parents=True, exist_ok=True)
    catalog_path(name).write_text("\n\n".join(parts) + "\n", encoding="utf-8")


def _has_text(source):
    """Whether code has a comment or a string with a word in it (what a translation may change)."""
    if re.search(r"#\s*\w", source):
        return True
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if re.search(r"[A-Za-z]{2,}\W+[A-Za-z]{2,}", node.value):
                return True
    return False


def notebook_names():
    return [p.stem for p in sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))]


# --- the gettext catalogs of course_utils ---------------------------------------------------------


def module_po(path):
    """The .po file holding the messages of module ``path`` (one catalog per module)."""
    dotted = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    return LOCALE / "zh" / f"{dotted}.po"


def extracted(path):
    """The messages Babel finds in one module, in source order, without repeats."""
    from babel.messages.extract import extract_from_file

    seen = []
    for _, message, _, _ in extract_from_file("python", str(path), keywords=KEYWORDS):
        if isinstance(message, str) and message not in seen:
            seen.append(message)
    return seen


def modules():
    return sorted(p for p in PACKAGE.rglob("*.py") if "locale" not in p.parts)


def extract():
    """Update every module's .po: new messages added untranslated, gone ones dropped, the rest kept."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    for path in modules():
        messages = extracted(path)
        target = module_po(path)
        if not messages:
            if target.exists():
                target.unlink()
            continue
        old = {}
        if target.exists():
            with target.open("rb") as fh:
                old = {m.id: m.string for m in read_po(fh) if m.id}
        catalog = Catalog(locale="zh", project="course_utils", fuzzy=False)
        for message in messages:
            catalog.add(message, old.get(message, ""))
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as fh:
            write_po(fh, catalog, width=0, omit_header=True, sort_output=False)


def po_problems():
    """Missing, obsolete and malformed translations in the .po files, one line each."""
    from babel.messages.pofile import read_po

    found = []
    expected = {module_po(p): extracted(p) for p in modules()}
    for po in sorted((LOCALE / "zh").glob("*.po")):
        if po not in expected or not expected[po]:
            found.append(f"orphan: {po.name} has no module with messages")
    for po, messages in expected.items():
        if not messages:
            continue
        if not po.exists():
            found.append(f"missing: {po.name} (run: python -m course_utils.teaching.translations extract)")
            continue
        with po.open("rb") as fh:
            have = {m.id: m for m in read_po(fh) if m.id}
        for message in messages:
            entry = have.get(message)
            if entry is None:
                found.append(f"missing: {po.name}: {message!r} (run extract)")
            elif not entry.string:
                found.append(f"untranslated: {po.name}: {message!r}")
            elif entry.fuzzy:
                found.append(f"fuzzy: {po.name}: {message!r}")
            elif _fields(entry.string) != _fields(message):
                found.append(f"fields differ: {po.name}: {message!r} -> {entry.string!r}")
        for gone in sorted(set(have) - set(messages)):
            found.append(f"obsolete: {po.name}: {gone!r} (run extract)")
    return found + _conflicts()


def _conflicts():
    """Messages two modules translate differently: the catalogs are merged, so one would be lost."""
    from babel.messages.pofile import read_po

    seen, found = {}, []
    for po in sorted((LOCALE / "zh").glob("*.po")):
        with po.open("rb") as fh:
            for m in read_po(fh):
                if m.id and m.string:
                    first = seen.setdefault(m.id, (po.name, m.string))
                    if first[1] != m.string:
                        found.append(
                            f"conflict: {m.id!r} is {first[1]!r} in {first[0]} but {m.string!r} in {po.name}"
                        )
    return found


def _fields(text):
    """The ``str.format`` fields of ``text``, as a sorted list (``{{`` and ``}}`` are not fields)."""
    import string

    try:
        return sorted(
            f"{field}:{spec}" for _, field, spec, _ in string.Formatter().parse(text) if field is not None
        )
    except ValueError as err:
        return [f"unparsable: {err}"]


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.teaching.translations",
        description="Keep the Chinese edition's catalogs in step with the English source.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("status", help="list missing, stale and untranslated entries; exit 1 if any")
    sub.add_parser("extract", help="update course_utils/locale/zh/*.po from the source (Babel)")
    s = sub.add_parser("skeleton", help="add English entries for cells a notebook catalog lacks")
    s.add_argument("names", nargs="*", help="only these notebooks (default: all)")
    args = parser.parse_args(argv)
    if args.command == "extract":
        extract()
        return 0
    if args.command == "skeleton":
        for name in args.names or notebook_names():
            skeleton(name)
        return 0
    found = po_problems() + [line for name in notebook_names() for line in problems(name)]
    print("\n".join(found) if found else "the Chinese edition is complete and up to date")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
