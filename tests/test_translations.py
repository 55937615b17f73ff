"""The Chinese edition stays in step with the English source, and English output never changes.

The notebook catalogs (``notebooks/zh/catalog/``) must hold a translation of every cell of the
current English text; the gettext catalogs (``course_utils/locale/zh/``) a translation of every
message the code marks. Figures must find a glyph for every Chinese character.
"""

import copy
import json
import re
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pytest

import course_utils as cu
from course_utils import i18n
from course_utils.teaching import translations as tr

ROOT = Path(__file__).resolve().parents[1]
NAMES = tr.notebook_names()
ZH_NOTEBOOKS = sorted((ROOT / "notebooks" / "zh").glob("*/[0-9][0-9]_*.ipynb"))


@pytest.fixture
def chinese():
    cu.set_language("zh")
    try:
        yield
    finally:
        cu.set_language("en")


@pytest.mark.parametrize("name", NAMES)
def test_every_cell_has_an_up_to_date_translation(name):
    """Fails naming the cell when the English changed since it was translated, or was never translated."""
    found = tr.problems(name)
    assert not found, "\n".join(found) + "\n(edit notebooks/zh/catalog/" + name + ".md)"


def test_every_message_of_course_utils_is_translated():
    found = tr.po_problems()
    assert not found, "\n".join(found)


def _english_and_entries(name):
    en = nbformat.read(tr.SOLUTIONS / f"{name}.ipynb", as_version=4)
    return en, tr.read_catalog(tr.catalog_path(name))


def test_an_edited_english_cell_is_named_stale():
    en, entries = _english_and_entries("02_softmax_jacobian")
    cell = next(c for c in en.cells if c.cell_type == "markdown" and c.source.startswith("## "))
    cell.source += "\nOne more English sentence."
    first = cell.source.splitlines()[0][:60]
    assert tr.problems("02_softmax_jacobian", en, entries) == [
        f"stale: 02_softmax_jacobian cell {cell.id} ({first!r}) changed since it was translated"
        f" (translate it again, then mark it en:{tr.english_hash(cell.source)})"
    ]


def test_a_new_english_cell_is_named_missing_and_a_removed_one_orphan():
    en, entries = _english_and_entries("03_kronecker_delta")
    gone = en.cells.pop(4)
    en.cells.append(nbformat.v4.new_markdown_cell("A new paragraph.", id="brandnew"))
    found = tr.problems("03_kronecker_delta", en, entries)
    assert any(line.startswith("missing: 03_kronecker_delta cell brandnew") for line in found)
    assert any(
        line.startswith(f"orphan: 03_kronecker_delta has an entry for cell {gone.id}") for line in found
    )


def test_a_translation_that_changes_the_code_is_refused():
    en, entries = _english_and_entries("01_softmax")
    cell_id, (kind, digest, same, body) = next(
        (k, v) for k, v in entries.items() if v[0] == "code" and not v[2] and "verify(" in v[3]
    )
    broken = dict(entries)
    broken[cell_id] = (kind, digest, same, body.replace("verify(", "verify_true(", 1))
    assert any(
        line.startswith(f"code differs: 01_softmax cell {cell_id}")
        for line in tr.problems("01_softmax", en, broken)
    )
    english = dict(entries)
    english[cell_id] = (kind, digest, same, next(c.source for c in en.cells if c.id == cell_id))
    assert any(line.startswith("untranslated:") for line in tr.problems("01_softmax", en, english))


def test_a_translation_that_drops_an_nbval_marker_is_refused():
    en, entries = _english_and_entries("02_softmax_jacobian")
    cell = next(c for c in en.cells if c.cell_type == "code" and c.source.startswith("# NBVAL_IGNORE_OUTPUT"))
    kind, digest, same, body = entries[cell.id]
    translated = body if not same else cell.source.replace("\n", "  # 控件\n", 1)
    broken = dict(entries)
    broken[cell.id] = (kind, digest, False, translated.replace("# NBVAL_IGNORE_OUTPUT", "# 忽略输出", 1))
    assert any("markers must stay" in line for line in tr.problems("02_softmax_jacobian", en, broken))


def test_code_shape_ignores_strings_and_field_order_only():
    a = 'print(f"{x} of {y}")  # count'
    assert tr._code_shape(a) == tr._code_shape('print(f"{y} 中的 {x}")  # 计数')
    assert tr._code_shape(a) != tr._code_shape('print(f"{x} of {z}")')
    assert tr._code_shape(a) == tr._code_shape('print(f"{y:>7} 中的 {x:<3}")')  # a column re-padded
    assert tr._code_shape(a) != tr._code_shape('print(f"{x!r} of {y}")')
    assert tr._code_shape("%matplotlib inline\nx = 1") != tr._code_shape("%matplotlib widget\nx = 1")


def test_a_translation_that_drops_a_field_is_refused():
    assert tr._fields("{n} of {m:.2f}") == tr._fields("{m:.2f} 中的 {n}")
    assert tr._fields("{n} of {m:.2f}") != tr._fields("{m} 中的 {n}")


def test_english_is_the_source_text_and_unknown_text_passes_through(chinese):
    assert i18n._("NaN or inf in the result") == "结果中有 NaN 或 inf"
    assert i18n._("a sentence no catalog holds") == "a sentence no catalog holds"
    cu.set_language("en")
    assert i18n._("NaN or inf in the result") == "NaN or inf in the result"


def test_lazy_text_translates_when_shown_and_compares_as_english(chinese):
    text = i18n.lazy_("NaN or inf in the result")
    assert f"{text}" == str(text) == "结果中有 NaN 或 inf"
    assert text == "NaN or inf in the result"


@pytest.mark.parametrize("bad", ["fr", "ZH", None, 1, ["zh"]])
def test_an_unknown_language_is_refused(bad):
    with pytest.raises(ValueError, match="language must be one of"):
        cu.set_language(bad)
    assert i18n.language() == "en"


def test_claims_print_chinese_and_english_unchanged(capsys, chinese):
    from course_utils.claims import verify

    verify("a = a", np.ones(2), np.ones(2))
    cu.set_language("en")
    verify("a = a", np.ones(2), np.ones(2))
    zh, en = capsys.readouterr().out.splitlines()
    assert zh == "✓ a = a（相对误差低于 1e-08）"
    assert en == "✓ a = a  (relative error below 1e-08)"


# --- figures: every Chinese character has a glyph --------------------------------------------------


def _plots():
    from course_utils import plotting
    from course_utils.training import History

    rng = np.random.default_rng(0)
    history = History(train_loss=[1.0, 0.5], val_accuracy=[0.9, 0.95], seconds=[1.0, 2.0])
    return [
        lambda: plotting.plot_probabilities(
            cu.softmax(rng.normal(size=(1, 4)))[0], target=np.eye(4)[1], title="概率"
        ),
        lambda: plotting.plot_vector(rng.normal(size=4), title="梯度"),
        lambda: plotting.plot_matrix(rng.normal(size=(3, 3)), title="雅可比矩阵"),
        lambda: plotting.plot_numerical_vs_analytic(
            rng.normal(size=5), rng.normal(size=5), title="数值与解析"
        ),
        lambda: plotting.plot_history(history),
        lambda: plotting.plot_confusion(rng.integers(0, 9, size=(10, 10))),
    ]


@pytest.mark.parametrize("k", range(6))
def test_no_glyph_is_missing_from_a_chinese_figure(k, chinese):
    """matplotlib's "Glyph ... missing from font" warning fails the test (CI installs fonts-noto-cjk)."""
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*[Gg]lyph .* missing from")
        ax = _plots()[k]()
        fig = (ax[0] if isinstance(ax, (tuple, list, np.ndarray)) else ax).figure
        texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
        assert any(re.search(r"[\u4e00-\u9fff]", t) for t in texts), texts
        fig.canvas.draw()
    plt.close(fig)


def test_a_figure_without_a_cjk_font_fails_the_glyph_check(chinese):
    """The check above can fail: with only DejaVu Sans, the same figure raises."""
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}), warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*[Gg]lyph .* missing from")
        fig, ax = plt.subplots()
        ax.set_title("交叉熵")
        with pytest.raises(UserWarning, match="missing from"):
            fig.canvas.draw()
    plt.close(fig)


@pytest.fixture
def no_cjk_font_known(monkeypatch):
    """matplotlib's font list as a cache from before the CJK fonts were installed; nothing is saved."""
    from matplotlib import font_manager

    from course_utils import plotting

    manager = font_manager.fontManager
    cjk_files = {f.fname for f in manager.ttflist if f.name in plotting.CJK_FONTS}  # all their faces
    monkeypatch.setattr(manager, "ttflist", [f for f in manager.ttflist if f.fname not in cjk_files])
    monkeypatch.setattr(plotting, "_save_font_list", lambda manager: None, raising=False)
    yield plotting
    cu.set_language("en")


def test_a_font_installed_after_the_cache_is_found_by_a_rescan(no_cjk_font_known):
    """The font is on the system (CI installs fonts-noto-cjk) but not in the cached list: no warning."""
    import matplotlib

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cu.set_language("zh")
    assert matplotlib.rcParams["font.family"][1] in no_cjk_font_known.CJK_FONTS


def test_with_no_cjk_font_at_all_the_warning_is_chinese_and_says_what_to_do(no_cjk_font_known, monkeypatch):
    import matplotlib
    from matplotlib import font_manager

    system = [p for p in font_manager.findSystemFonts() if "cjk" not in p.lower()]
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: system)
    with pytest.warns(UserWarning) as caught:
        cu.set_language("zh")
    text = str(caught[0].message)
    assert text.startswith("重新扫描系统字体之后，matplotlib 仍找不到含中文字形的字体"), text
    assert "apt install fonts-noto-cjk" in text and "重启内核" in text
    assert f"删除 matplotlib 的字体缓存（{matplotlib.get_cachedir()}）" in text
    assert _punctuation_problems(text) == []


@pytest.mark.parametrize("path", ZH_NOTEBOOKS, ids=lambda p: f"zh/{p.parent.name}/{p.stem}")
def test_no_chinese_notebook_output_reports_a_missing_glyph(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"]["course_language"] == "zh"
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            assert "missing from" not in json.dumps(out.get("text", "")), cell["source"][:80]


# --- the glossary ----------------------------------------------------------------------------------


def _avoided_terms():
    """The variants the glossary's last column rules out."""
    avoided = []
    glossary = (ROOT / "notebooks" / "zh" / "GLOSSARY.md").read_text(encoding="utf-8")
    for line in glossary.split("\n## ")[0].splitlines():  # the terms' table comes first
        cols = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cols) == 3 and cols[2] and cols[2] != "not this" and not set(cols[2]) <= {"-"}:
            avoided += [v.split("（")[0].strip() for v in cols[2].split(",")]
    return [v for v in avoided if v]


# Variants the glossary rules out by a rule, not as plain text: each has its own test below.
BY_RULE = {"批", "他们"}
# The one form in which a ruled-out variant may stand (at a notebook's first use, tested below).
ALLOWED_FORMS = {"海森矩阵": "黑塞矩阵（海森矩阵）"}


def _chinese_files():
    """Every file of Chinese text: the notebook catalogs and the gettext catalogs."""
    return sorted(tr.CATALOGS.glob("*.md")) + sorted((tr.LOCALE / "zh").glob("*.po"))


def _chinese_of(path):
    """The Chinese text of one file: a catalog without its header lines, a .po file's msgstr only."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        return re.sub(r"<!--.*?-->", "", text)
    kept, keep = [], False
    for line in text.splitlines():
        if line.startswith(("msgid", "#")) or not line.strip():
            keep = False
        if line.startswith("msgstr"):
            keep = True
        if keep:
            kept.append(line)
    return "\n".join(kept)


def _chinese_text():
    return "\n".join(p.read_text(encoding="utf-8") for p in _chinese_files())


def _uses(variant, files=None):
    """The files (name and count) whose Chinese text uses ``variant`` outside its allowed form."""
    found = []
    for path in files or _chinese_files():
        text = _chinese_of(path) if isinstance(path, Path) else path[1]
        text = text.replace(ALLOWED_FORMS.get(variant, "\0"), "")
        name = path.name if isinstance(path, Path) else path[0]
        if variant in text:
            found.append(f"{name} ({text.count(variant)}x)")
    return found


def test_the_glossary_rules_out_variants():
    avoided = _avoided_terms()
    for variant in ("雅克比矩阵", "梯度校验", "拐点", "路径", "比对", "无须", "批次", "批大小", "上游误差",
                    "本文", "海森矩阵", "他们", "批"):  # fmt: skip
        assert variant in avoided, variant


@pytest.mark.parametrize("variant", sorted(set(_avoided_terms()) - BY_RULE), ids=ascii)
def test_the_chinese_text_uses_the_glossary_terms(variant):
    found = _uses(variant)
    assert not found, f"{variant!r} is used in {', '.join(found)}; the glossary's term is the one to use"


def test_the_glossary_check_can_fail():
    """A planted 拐点 in a catalog or a .po string is named; the allowed Hessian form is not."""
    planted = [("06_gradient_checking.md", "## ReLU 的拐点"), ("diagnosis.po", 'msgstr "落在拐点上"')]
    assert _uses("拐点", planted) == ["06_gradient_checking.md (1x)", "diagnosis.po (1x)"]
    assert _uses("海森矩阵", [("03.md", "log-sum-exp 的黑塞矩阵（海森矩阵）。")]) == []
    assert _uses("海森矩阵", [("03.md", "log-sum-exp 的海森矩阵。")]) == ["03.md (1x)"]


def _hessian_problems(name, text):
    """海森矩阵 only as 黑塞矩阵（海森矩阵）, once, at the first 黑塞矩阵 outside a link (if any)."""
    links = [m.span() for m in re.finditer(r"\[[^\]\n]*\]\([^)\n]*\)", text)]
    first = next(
        (m.start() for m in re.finditer("黑塞矩阵", text) if not any(a <= m.start() < b for a, b in links)),
        None,
    )
    both = [m.start() for m in re.finditer("黑塞矩阵（海森矩阵）", text)]
    found = []
    if text.count("海森矩阵") != len(both):
        found.append(f"{name}: 海森矩阵 without 黑塞矩阵 in front of it")
    if len(both) > 1:
        found.append(f"{name}: 黑塞矩阵（海森矩阵） more than once")
    if first is not None and both != [first]:
        found.append(f"{name}: the first 黑塞矩阵 needs （海森矩阵） beside it, and only it")
    return found


def test_hessian_has_its_other_name_beside_it_at_first_use():
    found = [
        p
        for path in sorted(tr.CATALOGS.glob("*.md"))
        for p in _hessian_problems(path.stem, _chinese_of(path))
    ]
    assert not found, "\n".join(found)
    assert not any("海森矩阵" in _chinese_of(p) for p in sorted((tr.LOCALE / "zh").glob("*.po")))


def test_the_hessian_check_can_fail():
    good = "它是黑塞矩阵（海森矩阵）。……黑塞矩阵的对角线"
    assert _hessian_problems("03", good) == []
    assert _hessian_problems("05", "见 [J 是黑塞矩阵](03.ipynb#J-是黑塞矩阵)。") == []
    assert _hessian_problems("03", "它是黑塞矩阵。……黑塞矩阵（海森矩阵）") != []  # not at the first use
    assert _hessian_problems("03", "它是黑塞矩阵。") != []  # missing
    assert _hessian_problems("03", good + "，即海森矩阵") != []  # alone
    assert _hessian_problems("03", good + "黑塞矩阵（海森矩阵）") != []  # twice


# 批 as a noun is 批量 (批量大小 for batch size); a measure word (一批、这批、整批、每批 …) stays.
LONE_BATCH = re.compile(r"(?<![一这那整每小分])批(?![量评注准改])")


def test_batch_is_piliang():
    found = [f"{p.name}: {m[0]!r}" for p in _chinese_files()
             for m in re.finditer(r".{0,8}" + LONE_BATCH.pattern + r".{0,8}", _chinese_of(p))]  # fmt: skip
    assert not found, "\n".join(found)


def test_the_batch_check_can_fail():
    wrong = ("批大小", "沿批的维度", "真实批次", "对批求和")
    assert [LONE_BATCH.search(t) is not None for t in wrong] == [True] * len(wrong)
    fine = ("批量大小", "小批量", "一批雅可比矩阵", "这批图像", "整批只用一个最大值", "每批 32 个样本")
    assert [LONE_BATCH.search(t) for t in fine] == [None] * len(fine)


def _they_for_one(text):
    """Each 他们 with no group of people (五位……、……们) earlier in its sentence."""
    found = []
    for m in re.finditer("他们", text):
        start = max(text.rfind(end, 0, m.start()) for end in "。！？\n")
        if not re.search(r"[两二三四五六七八九十几多各]位|[^他她它]们", text[start + 1 : m.start()]):
            found.append(text[max(start + 1, m.start() - 20) : m.end() + 10])
    return found


def test_one_learner_is_not_they():
    """他们 is plural in Chinese: the English singular "they" for one learner is 这位学习者."""
    found = [f"{p.name}: {s!r}" for p in _chinese_files() for s in _they_for_one(_chinese_of(p))]
    assert not found, "\n".join(found)


def test_the_they_check_can_fail():
    assert _they_for_one("五位学习者记下了自己卡在哪里；本课程沿着他们没能走完的路。") == []
    assert _they_for_one("学习者们说，他们卡住了。") == []
    assert _they_for_one("第一位学习者的代码……。对于网络，他们的变量名如下") != []
    assert _they_for_one("然而他们贴出的代码") != []


# --- punctuation -------------------------------------------------------------------------------

CJK = "\u3400-\u9fff\u3000-\u303f\uff00-\uffef"


def _punctuation_problems(text, prose=True):
    """No 。 before 参见, no space after ：, no colon on a colon; in a reply or a .po string
    (``prose``) also no second colon in one clause and no ASCII space between two Chinese characters.
    """
    rules = {
        "。 before 参见": r"。\s*（?参见",
        "space after ：": r"：[ \t]|：\{[^{}:]*:[<>=^]?[+ -]?[1-9]",  # or a field padded to a width
        "stacked colons": r"[：:]\s*[：:]" + (r"|：[^，。；！？\n（）]*：" if prose else ""),
    }
    if prose:
        rules["space between Chinese characters"] = rf"[{CJK}] +[{CJK}]"
    flat = re.sub(r"（[^（）]*）", "（）", text)  # a parenthesis is a clause of its own
    return [f"{rule}: {m[0]!r}" for rule, pattern in rules.items() for m in re.finditer(pattern, flat)]


@pytest.mark.parametrize("path", sorted((tr.LOCALE / "zh").glob("*.po")), ids=lambda p: p.stem)
def test_po_punctuation(path):
    found = []
    for line in _chinese_of(path).splitlines():
        body = re.sub(r"\{[^{}]*\}", "{}", line)  # a placeholder is not Chinese text
        found += _punctuation_problems(body)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("name", NAMES)
def test_catalog_punctuation(name):
    """Markdown and code strings alike. A printed table lines its columns up with spaces and a
    heading may hold a colon, so the space and one-clause rules are for the replies and .po strings."""
    found = _punctuation_problems(_chinese_of(tr.catalog_path(name)), prose=False)
    assert not found, "\n".join(found)


def _print_labels_ending_in_a_colon(source):
    """print("标签：", value): print itself puts a space after the full-width colon."""
    import ast

    found = []
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
            sep = next((k.value for k in node.keywords if k.arg == "sep"), None)
            if isinstance(sep, ast.Constant) and sep.value == "":
                continue
            for arg in node.args[:-1]:
                if (
                    isinstance(arg, ast.Constant)
                    and isinstance(arg.value, str)
                    and arg.value.rstrip(" ").endswith("：")
                ):
                    found.append(arg.value)
    return found


@pytest.mark.parametrize("name", NAMES)
def test_no_print_label_ends_in_a_full_width_colon(name):
    found = [
        f"{name} cell {cell_id}: {label!r}"
        for cell_id, (kind, _, same, body) in tr.read_catalog(tr.catalog_path(name)).items()
        if kind == "code" and not same
        for label in _print_labels_ending_in_a_colon(body)
    ]
    assert not found, "\n".join(found)


def test_the_punctuation_checks_can_fail():
    assert _punctuation_problems("共享内存。参见 04 · 化简。") != []
    assert _punctuation_problems("（参见 06 · 梯度检验：06.ipynb#梯度检验）") == []
    assert _punctuation_problems("数值不对：在 结果 1 中期望 1") == [
        "space between Chinese characters: '在 结'"
    ]
    assert _punctuation_problems("数值不对，在结果 1 中最大的差异在下标 (0, 1) 处：期望 1，得到 2") == []
    assert _punctuation_problems("数值不对：在结果 1 中最大的差异在下标 (0, 1) 处：期望 1") != []
    assert _punctuation_problems("练习 1：：数值不对") != []
    assert _punctuation_problems("诊断： 只有 W2 失败") != []
    assert _punctuation_problems("ε = {eps:.0e}：{100 * s:8.4f}%") != []  # prints "： 13.3052%"
    assert _punctuation_problems("λ = {lam}：比值从 {ratio:.3f} 到 {top:.3f}") == []
    assert _print_labels_ending_in_a_colon('print("形状：", J.shape)') == ["形状："]
    assert _print_labels_ending_in_a_colon('print("形状为", J.shape); print("形状：", J.shape, sep="")') == []


def _wrong_replies():
    """The shared replies to wrong results, rendered: two results (so they are labelled) of every kind."""
    from course_utils.notebooks._difference import _difference

    e = np.arange(12.0).reshape(4, 3) + 1
    cases = [
        [e.T, e],  # rows and columns swapped
        [e[:, :1], e],  # (N, 1) where (N, C) is meant
        [e.reshape(3, 4)[:, :2], e],  # another shape
        [e + 1, e],  # values
        [np.where(e > 5, np.inf, e), e],  # inf
        [-4 * e, e],  # sign and N
        [-e / 4, e],  # sign and N, too small
        [-e * 4 / 3, e],  # N/C
    ]
    for got in cases:
        for names in (None, ("dz", "dW1")):
            fb = _difference("练习 1", [got[1], got[0]], [got[1], got[1]], (np.zeros((4, 3)),), names)
            yield str(fb)
            yield re.sub(r"<[^>]+>", "", fb._repr_html_())


def test_the_shared_replies_keep_the_punctuation_rules(chinese):
    """Rendered, so that a placeholder's Chinese value counts: 在 {label} 中 printed 在 结果 1 中."""
    replies = list(_wrong_replies())
    assert sum("：结果 2 中" in r or "，结果 2 中" in r for r in replies) >= 4, replies
    assert any("：dW1 中" in r for r in replies) and any("结果 2 的期望形状" in r for r in replies)
    # a name keeps a space from the Chinese on either side: dW1 中, not 在dW1中
    assert not any(re.search(r"[\u4e00-\u9fff]dW1|dW1[\u4e00-\u9fff]", r) for r in replies)
    found = []
    for reply in replies:
        message = re.split(r"（参见| 参见", reply.split("：", 1)[1])[0]  # after the exercise's label
        found += [f"{reply!r}: {p}" for p in _punctuation_problems(message)]
        found += [f"{reply!r}: 。 before 参见" for _ in re.finditer(r"。\s*（?参见", reply)]
    assert not found, "\n".join(found)


def test_a_changed_english_notebook_makes_the_chinese_build_refuse():
    en, _ = _english_and_entries("02_softmax_jacobian")
    en = copy.deepcopy(en)
    en.cells[2].source += " (changed)"
    with pytest.raises(ValueError, match="stale: 02_softmax_jacobian"):
        tr.chinese_source(en, "02_softmax_jacobian")


# Five or more English words in a row: a sentence the Chinese edition forgot to translate.
ENGLISH_RUN = re.compile(r"(?<![\w.])(?:[A-Za-z][a-z]+[,;:]? ){4,}[A-Za-z][a-z]+")


def _shown_text(out):
    """The text a reader sees in one stored output: prints, reprs, HTML and SVG text without tags."""
    import html

    if out.get("output_type") == "stream":
        yield "".join(out.get("text", ""))
    for mime, value in out.get("data", {}).items():
        if mime in ("text/plain", "text/html", "image/svg+xml"):
            value = "".join(value)
            yield value if mime == "text/plain" else html.unescape(re.sub(r"<[^>]+>", " ", value))


@pytest.mark.parametrize("path", ZH_NOTEBOOKS, ids=lambda p: f"zh/{p.parent.name}/{p.stem}")
def test_no_english_sentence_in_a_chinese_notebook_output(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        # Code shown as code (inspect.getsource) and Python's own error text are not course prose.
        if "getsource(" in "".join(cell["source"]):
            continue
        for out in cell.get("outputs", []):
            for text in _shown_text(out):
                text = text.replace("cannot assign to function call", "")
                found = ENGLISH_RUN.search(text)
                assert found is None, (
                    f"English in the output of {''.join(cell['source'])[:60]!r}: {found[0]!r}"
                )


def test_the_english_sentence_check_can_fail():
    out = {
        "output_type": "stream",
        "text": "✓ 数值梯度 = 解析梯度（相对误差低于 1e-08）\nthe checker could not run here\n",
    }
    assert [ENGLISH_RUN.search(t) for t in _shown_text(out)][0][0] == "the checker could not run here"
    assert ENGLISH_RUN.search("形状为 (N, C) 的 ndarray，float64，softmax(z)") is None


@pytest.mark.parametrize("name", NAMES)
def test_no_line_break_between_two_chinese_characters(name):
    """Jupyter renders a line break inside a paragraph as a space, which Chinese text does not have."""
    cjk = "[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
    for cell_id, (kind, _, same, body) in tr.read_catalog(tr.catalog_path(name)).items():
        if kind == "markdown" and not same:
            found = re.search(rf"{cjk}\n *{cjk}", body)
            assert found is None, f"{name} cell {cell_id}: {found[0]!r}"


def test_lazy_text_pads_to_a_width_on_screen(chinese):
    """Aligned columns of lazy text line up in Chinese: a wide character counts two columns."""
    text = i18n.lazy_("NaN or inf in the result")  # 结果中有 NaN 或 inf: 5 wide characters, 9 narrow
    assert i18n.display_width(str(text)) == 19
    assert f"{text:<21}|" == "结果中有 NaN 或 inf  |"
    assert f"{text:>21}|" == "  结果中有 NaN 或 inf|"
    assert f"{text:^22}|" == " 结果中有 NaN 或 inf  |"
    cu.set_language("en")
    assert f"{text:<30}|" == f"{'NaN or inf in the result':<30}|"
