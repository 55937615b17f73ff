"""The learner's checker and the grader tell the same answers apart: those that call or copy the course.

Issue 20's last gap: a pasted copy of a course function got ✓ in the notebook and 0 from the
grader. Both now use ``course_utils.notebooks._fingerprint``, which the learner release ships.
"""

import importlib
import inspect

import nbformat
import numpy as np
import pytest

from course_utils import i18n, losses
from course_utils.notebooks import _fingerprint
from course_utils.notebooks import nb02_softmax_jacobian as nb02
from course_utils.notebooks import nb04_chain_rule_reduction as nb04
from course_utils.teaching import detect, release, worker

IMPORTS = (
    "import numpy as np\nimport inspect\nimport course_utils as cu\n"
    "from course_utils import _checks\nfrom course_utils.softmax import softmax"
)
SOURCE = inspect.getsource(importlib.import_module("course_utils.softmax").softmax_jacobian)
HAND_INS = {
    # The course's function pasted under its own name, then used by the exercise's function.
    "pasted": [IMPORTS, SOURCE, "def softmax_jacobian_one(z):\n    return softmax_jacobian(z)"],
    # The same text under another name, local names changed too: the compiled form stays.
    "renamed": [
        IMPORTS,
        SOURCE.replace("def softmax_jacobian", "def my_jacobian"),
        "def softmax_jacobian_one(z):\n    return my_jacobian(z)",
    ],
    # The exercise's function is itself the copy, made at run time (no reading of the cell sees it).
    "exec": [
        IMPORTS,
        "exec(inspect.getsource(cu.softmax_jacobian).replace('def softmax_jacobian', "
        "'def softmax_jacobian_one'))",
    ],
    "call": [IMPORTS, "def softmax_jacobian_one(z):\n    return cu.softmax_jacobian(z)"],
}
COPIES = ("pasted", "renamed", "exec")


def _learner_function(cells, name="softmax_jacobian_one"):
    namespace = {}
    for cell in cells:
        exec(cell, namespace)
    return namespace[name]


@pytest.mark.parametrize("kind", sorted(HAND_INS))
def test_the_learners_checker_says_a_copy_or_a_call_scores_zero(kind):
    fb = nb02.check_jacobian(_learner_function(HAND_INS[kind]))
    assert fb.status == "wrong", fb
    assert "scores 0" in fb.message, fb
    said = "is a copy of the course's own softmax_jacobian" if kind in COPIES else "calls the course's own"
    assert said in fb.message, fb


def test_the_reply_is_in_chinese_too():
    i18n.set_language("zh")
    try:
        fb = nb02.check_jacobian(_learner_function(HAND_INS["renamed"]))
    finally:
        i18n.set_language("en")
    assert "副本" in fb.message and "0 分" in fb.message, fb


def test_a_library_function_that_computes_the_result_from_other_inputs_is_told():
    """``delta2`` through ``cross_entropy_grad(np.log(a2), y)``: the checker knows it as the grader does."""
    fn = _learner_function(
        [IMPORTS, "def delta2(a2, y):\n    return cu.cross_entropy_grad(np.log(a2), y)"], "delta2"
    )
    fb = nb04.check_delta2(fn)
    assert fb.status == "wrong" and "cross_entropy_grad" in fb.message and "scores 0" in fb.message, fb


def test_an_honest_answer_written_like_the_course_still_passes():
    """Same mathematics, own code: not a copy (the fingerprint sees instructions, not results)."""
    honest = "def softmax_jacobian_one(z):\n    h = softmax(z)\n    return np.diag(h) - np.outer(h, h)"
    assert nb02.check_jacobian(_learner_function([IMPORTS, honest])).passed


def test_the_grader_and_the_checker_share_one_fingerprint():
    assert worker.fingerprint is _fingerprint.fingerprint is detect.fingerprint
    assert detect.SEARCHED is _fingerprint.SEARCHED and detect.ALSO is _fingerprint.ALSO
    watch = worker.watched_code({"f": ["course_utils.losses.cross_entropy_grad"]})["f"]
    assert watch == _fingerprint.targets(["course_utils.losses.cross_entropy_grad"])
    code = losses.cross_entropy_grad.__code__
    assert watch[_fingerprint.fingerprint(code)].endswith(_fingerprint.COPY)


def test_the_learner_release_ships_the_fingerprints(tmp_path):
    out = tmp_path / "release"
    release.build(out)
    shipped = out / "course_utils" / "notebooks" / "_fingerprint.py"
    assert shipped.exists()
    assert not (out / "course_utils" / "teaching").exists()


@pytest.mark.parametrize("kind", sorted(HAND_INS))
def test_the_grader_scores_the_same_hand_ins_zero(tmp_path, kind):
    from course_utils.teaching import grading

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in HAND_INS[kind]])
    path = tmp_path / f"{kind}.ipynb"
    nbformat.write(nb, path)
    row = grading.grade_one("02_softmax_jacobian", str(path), timeout=60)
    assert row.scores["softmax_jacobian"][0] == 0, row.scores
    assert "course_utils.softmax.softmax_jacobian" in row.note, row.note


def test_the_fingerprint_ignores_names_but_not_instructions():
    def a(x):
        y = x + 1
        return np.sum(y)

    def b(u):
        v = u + 1
        return np.sum(v)

    def c(x):
        y = x + 2
        return np.sum(y)

    fa, fb, fc = (_fingerprint.fingerprint(f.__code__) for f in (a, b, c))
    assert fa == fb and fa != fc


def test_the_search_tries_no_drawing_and_no_function_without_inputs():
    """A checker runs it on every right answer: it must stay fast and draw nothing."""
    import matplotlib.pyplot as plt

    from course_utils import mismatch_theory

    z = np.array([0.3, -1.2, 0.7])
    assert not _fingerprint._takes(mismatch_theory.plot_learner_tables, (z,))
    assert _fingerprint._takes(importlib.import_module("course_utils.softmax").softmax, (z,))
    before = plt.get_fignums()
    fn = _learner_function([IMPORTS, "def softmax_jacobian_one(z):\n    return cu.softmax_jacobian(z)"])
    assert not nb02.check_jacobian(fn).passed
    assert plt.get_fignums() == before


def test_the_grader_finds_what_it_found_before_the_search_was_narrowed():
    found = {e.function: detect._computing(e) for e in nb04.GRADED}
    assert found == {"vjp_rows": ["course_utils.softmax.softmax_vjp"], "delta2": []}
