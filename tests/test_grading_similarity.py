"""Hand-in similarity: the same code under other names and layout is flagged; different code is not.

Pure tests of :mod:`course_utils.teaching.similarity` (no grading); the gradebook's use of it is in
``tests/test_grading_term.py``.
"""

import ast
import keyword

from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.teaching import classroom, similarity

NB = "02_softmax_jacobian"

# Genuinely different answers to one exercise (each right, each written another way).
JACOBIANS = [
    "def softmax_jacobian_one(z):\n    h = cu.softmax(z)\n    return np.diag(h) - np.outer(h, h)\n",
    "def softmax_jacobian_one(z):\n    h = cu.softmax(z)\n"
    "    return h[:, None] * (np.eye(h.size) - h[None, :])\n",
    "def softmax_jacobian_one(z):\n    h = cu.softmax(z)\n"
    "    return np.diagflat(h) - h[:, None] @ h[None, :]\n",
    (
        "def softmax_jacobian_one(z):\n    h = cu.softmax(z)\n    n = len(h)\n    J = np.zeros((n, n))\n"
        "    for i in range(n):\n        for j in range(n):\n"
        "            J[i, j] = h[i] * ((i == j) - h[j])\n    return J\n"
    ),
    (
        "def softmax_jacobian_one(z):\n    e = np.exp(z - z.max())\n    h = e / e.sum()\n"
        "    return np.diag(h) - np.outer(h, h)\n"
    ),
]
NUMERICAL = classroom.SOLUTIONS / f"{NB}.ipynb"


def _rename(source, new_names):
    """``source`` with every name it binds or reads replaced, one to one, by ``new_names``."""
    tree = ast.parse(source)
    mapping = {}

    def fresh(old):
        if old not in mapping:
            mapping[old] = new_names[len(mapping) % len(new_names)] + f"_{len(mapping)}"
        return mapping[old]

    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            node.id = fresh(node.id)
        elif isinstance(node, ast.arg):
            node.arg = fresh(node.arg)
        elif isinstance(node, ast.FunctionDef):
            node.name = fresh(node.name)
    return ast.unparse(tree)


def _reformat(source, comments, blank_every, indent):
    """``source`` with comments, blank lines, another indent width and a docstring added."""
    out = []
    for k, line in enumerate(source.splitlines()):
        stripped = line.lstrip(" ")
        depth = (len(line) - len(stripped)) // 4
        out.append(
            " " * (indent * depth) + stripped + (f"  # {comments[k % len(comments)]}" if comments else "")
        )
        if blank_every and k % blank_every == 0:
            out.append("")
        if k == 0:
            out.append(" " * indent + '"""My own answer, written at 3 a.m."""')
    return "\n".join(out) + "\n"


names = st.lists(
    st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True).filter(lambda s: not keyword.iskeyword(s)),
    min_size=1,
    max_size=6,
    unique=True,
)
comments = st.lists(st.text(alphabet="abc xyz=#'\"", max_size=12), max_size=3)
layout = st.tuples(comments, st.integers(0, 3), st.sampled_from([2, 3, 4, 8]))


def _answers():
    return similarity.notebook_answers(NB, NUMERICAL)


@settings(max_examples=40)
@given(st.sampled_from(JACOBIANS + [_answers()["numerical_jacobian"]]), names, layout)
def test_renaming_and_reformatting_keeps_the_same_code(source, new_names, how):
    copy = _reformat(_rename(source, new_names), *how)
    assert copy != source
    assert similarity.same_code(source, copy), copy


@settings(max_examples=40)
@given(st.sampled_from(range(len(JACOBIANS))), st.sampled_from(range(len(JACOBIANS))), names, layout)
def test_genuinely_different_answers_are_not_the_same_code(i, j, new_names, how):
    if i == j:
        return
    disguised = _reformat(_rename(JACOBIANS[j], new_names), *how)
    assert not similarity.same_code(JACOBIANS[i], disguised)


def test_a_changed_constant_or_attribute_is_different_code():
    base = JACOBIANS[0]
    assert not similarity.same_code(base, base.replace("np.outer", "np.inner"))
    assert not similarity.same_code(base, base.replace("return", "return 2 *"))


@settings(max_examples=40)
@given(st.lists(st.sampled_from(range(len(JACOBIANS))), min_size=2, max_size=12), names)
def test_a_pair_is_flagged_exactly_when_the_two_wrote_the_same_code(picks, new_names):
    """Each student writes one of the answers under names of their own; pairs of the same answer flag."""
    book = {
        f"s{k}": {"softmax_jacobian": _rename(JACOBIANS[p], new_names[k:] + new_names)}
        for k, p in enumerate(picks)
    }
    pairs = similarity.flag_pairs(NB, book, stubs={})
    flagged = {frozenset((p.a, p.b)) for p in pairs}
    for a in range(len(picks)):
        for b in range(a + 1, len(picks)):
            same = picks[a] == picks[b]
            size = picks.count(picks[a])
            common = size >= similarity.COMMON_COUNT and size > similarity.COMMON_SHARE * len(picks)
            assert (frozenset((f"s{a}", f"s{b}")) in flagged) == (same and not common), (picks, a, b)


def test_stubs_small_answers_and_the_obvious_answer_are_not_flagged():
    stub = "def softmax_jacobian_one(z):\n    raise NotImplementedError\n"
    small = "def softmax_jacobian_one(z):\n    return z\n"
    book = {"a": {"softmax_jacobian": stub}, "b": {"softmax_jacobian": stub}}
    book |= {"c": {"softmax_jacobian": small}, "d": {"softmax_jacobian": small}}
    assert similarity.flag_pairs(NB, book) == []  # the learner copy's stub is left out by default
    everyone = {f"s{k}": {"softmax_jacobian": JACOBIANS[0]} for k in range(6)}
    everyone["t"] = {"softmax_jacobian": JACOBIANS[1]}
    assert similarity.flag_pairs(NB, everyone, stubs={}) == []  # 6 of 7 wrote the obvious answer
    three = {f"s{k}": {"softmax_jacobian": JACOBIANS[3]} for k in range(3)}
    three |= {f"o{k}": {"softmax_jacobian": JACOBIANS[k]} for k in (0, 1, 2, 4)}
    pairs = similarity.flag_pairs(NB, three, stubs={})
    assert {(p.a, p.b) for p in pairs} == {("s0", "s1"), ("s0", "s2"), ("s1", "s2")}
    assert all(p.exercises == ("softmax_jacobian",) for p in pairs)


def test_a_hand_in_can_hold_anything_and_gives_no_answer_rather_than_an_error(tmp_path):
    cells = [
        "def softmax_jacobian_one(z:\n",  # a syntax error
        "(" * 5000 + ")" * 5000,  # nested past the parser's limit
        "%matplotlib inline\n!ls\ndef numerical_jacobian_ex(f, z, eps):\n    return 0\n",
        None,
        b"bytes",
        "x = 1\n" * 100_000,  # past the size read
        "def softmax_jacobian_one(z):\n    return " + "-" * 200_000 + "z\n",
    ]
    found = similarity.answers(NB, cells)
    assert set(found) == {"numerical_jacobian"}
    assert similarity.normalise("def f(:") is None and similarity.normalise(None) is None
    similarity.normalise("x = " + "[" * 3000 + "]" * 3000)  # too deep for ast: None or a form, no error
    for text in ("not json", '{"cells": 3}', ""):
        path = tmp_path / "bad.ipynb"
        path.write_text(text)
        assert similarity.notebook_answers(NB, path) == {}
    assert similarity.notebook_answers(NB, tmp_path / "missing.ipynb") == {}


def test_the_last_definition_is_the_answer():
    cells = [JACOBIANS[0], JACOBIANS[1]]
    assert similarity.same_code(similarity.answers(NB, cells)["softmax_jacobian"], JACOBIANS[1])
