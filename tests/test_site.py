"""The course's website (site/build.py): both editions built from the committed notebooks, offline.

The build runs once for this module, into a temporary folder. The page tests read its HTML; the
browser tests serve it on 127.0.0.1 and open it in Debian's Chromium with every request to any other
host refused, as a reader with no network would.
"""

import copy
import functools
import http.server
import importlib.util
import json
import os
import re
import threading
import urllib.parse
from html import unescape
from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, unavailable

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb"))
EDITIONS = ("en", "zh")


def _load_build():
    spec = importlib.util.spec_from_file_location("course_site_build", ROOT / "site" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_build()


def _load_site_module(name):
    spec = importlib.util.spec_from_file_location(f"course_site_{name}", ROOT / "site" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load_conf():
    return _load_site_module("conf")


def _links():
    return _load_site_module("links")


def _read(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


# ---- staging: what a page is made from ------------------------------------------------------------


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_exercise_shows_the_learner_cell_and_folds_the_answer(edition):
    spec = build.EDITIONS[edition]
    exercises = 0
    for name in NOTEBOOKS:
        solution, learner = _read(spec["solutions"] / name), _read(spec["learner"] / name)
        staged = build.stage_notebook(solution, learner, edition)
        learner_source = {c["id"]: "".join(c["source"]) for c in learner["cells"]}
        cells = staged["cells"]
        for i, cell in enumerate(cells):
            if cell["cell_type"] != "code" or "hide-cell" not in cell["metadata"].get("tags", []):
                continue
            exercises += 1
            shown = cells[i - 1]
            assert shown["cell_type"] == "markdown", (name, cell["id"])
            assert learner_source[cell["id"]] in shown["source"], (name, cell["id"])
            assert "SOLUTION" not in cell["source"], (name, cell["id"])
        original = sum(build.is_exercise(c) for c in solution["cells"])
        assert original == sum("hide-cell" in c["metadata"].get("tags", []) for c in cells), name
    assert exercises >= len(NOTEBOOKS) - 1  # every notebook but the map ends with exercises


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_live_widget_becomes_a_note(edition):
    spec = build.EDITIONS[edition]
    widgets = 0
    for name in NOTEBOOKS:
        solution = _read(spec["solutions"] / name)
        live = [
            o
            for c in solution["cells"]
            if c["cell_type"] == "code"
            for o in c["outputs"]
            if build.WIDGET_MIME in o.get("data", {})
        ]
        widgets += len(live)
        staged = build.stage_notebook(solution, _read(spec["learner"] / name), edition)
        text = json.dumps(staged, ensure_ascii=False)
        assert build.WIDGET_MIME not in text, name
        assert "widgets" not in staged["metadata"], name
        assert text.count(build.WIDGET_NOTE[edition]) == 2 * len(live), name  # html and plain
    assert widgets >= 9  # one per notebook after the map, at least


def test_the_glossary_makes_chinese_search_words(tmp_path):
    jieba = pytest.importorskip("jieba")
    words = build.jieba_dictionary(ROOT / "notebooks" / "zh" / "GLOSSARY.md", tmp_path / "dict.txt")
    assert {"交叉熵", "雅可比矩阵", "黑塞矩阵"} <= words
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(tmp_path / "dict.txt"))
    assert "雅可比矩阵" in set(tokenizer.cut_for_search("softmax 的雅可比矩阵是对称的"))


def _notebooks(edition):
    return {Path(n).stem: _read(build.EDITIONS[edition]["solutions"] / n) for n in NOTEBOOKS}


def test_every_figure_has_its_text_and_no_entry_is_stale():
    assert build.figure_problems(build.load_figures(), _notebooks("en")) == []
    # The Chinese notebooks draw the same figures in the same cells, so one table serves both.
    for edition in EDITIONS:
        drawn = {
            (name, c["id"])
            for name, nb in _notebooks(edition).items()
            for c in nb["cells"]
            if build.figure_outputs(c)
        }
        assert drawn == {(name, i) for name, cells in build.load_figures().items() for i in cells}, edition


def test_the_figure_table_check_finds_planted_problems():
    figures = copy.deepcopy(build.load_figures())
    notebooks = _notebooks("en")
    del figures["01_softmax"]["531fe763"]
    figures["02_softmax_jacobian"]["28f3d101"]["source"] = "000000000000"
    figures["03_kronecker_delta"]["713be8c5"]["zh"] = " "
    figures["09_bug_hunt"]["53385db2"]["en"] += " Its ratio is 0.0725."
    figures["04_chain_rule_reduction"]["cafef00d"] = {"source": "x", "en": "gone", "zh": "没了"}
    problems = "\n".join(build.figure_problems(figures, notebooks))
    assert '["01_softmax".531fe763]: no entry' in problems
    assert '["02_softmax_jacobian".28f3d101]: stale' in problems
    assert '["03_kronecker_delta".713be8c5]: no zh text' in problems
    assert '["09_bug_hunt".53385db2]: says 0.0725' in problems
    assert '["04_chain_rule_reduction".cafef00d]: no such cell' in problems
    assert len(problems.splitlines()) == 5


def test_run_buttons_link_the_learner_copy_and_hide_what_is_unset():
    conf = _load_conf()
    binder, hub = conf.run_links(
        "zh_CN", "notebooks/05_fused_cross_entropy", "me/course", "main", "https://hub.x/"
    )
    assert (
        binder
        == "https://mybinder.org/v2/gh/me/course/HEAD?labpath=notebooks/zh/learner/05_fused_cross_entropy.ipynb"
    )
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(hub).query)
    assert hub.startswith("https://hub.x/hub/user-redirect/git-pull?")
    assert query == {
        "repo": ["https://github.com/me/course"],
        "branch": ["main"],
        "urlpath": ["lab/tree/course/notebooks/zh/learner/05_fused_cross_entropy.ipynb"],
    }
    assert conf.run_links("en", "notebooks/01_softmax", "me/course", "main", "")[1] is None
    assert conf.run_links("en", "notebooks/01_softmax", "", "main", "https://hub.x") == (None, None)
    assert conf.run_links("en", "index", "me/course", "main", "https://hub.x") == (None, None)
    import jinja2

    template = jinja2.Template((ROOT / "site" / "templates" / "run-buttons.html").read_text(encoding="utf-8"))
    assert template.render(course_binder_url=None, course_hub_url=None).strip() == ""
    shown = template.render(course_binder_url="b?x=1&y=2", course_hub_url="h", course_hub_label="Hub")
    assert 'href="b?x=1&amp;y=2"' in shown and ">Hub</a>" in shown


def test_the_link_check_finds_planted_broken_links(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.html").write_text(
        '<p id="here">x</p><a href="two.html#there">ok</a><a href="two.html#nowhere">bad anchor</a>'
        '<a href="three.html">bad file</a><a href="#here">ok</a><a href="#gone">bad here</a>'
        '<img src="../x.svg"><a href="https://example.org/p">out</a><a href="mailto:a@b.c">mail</a>'
    )
    (tmp_path / "a" / "two.html").write_text('<h1 id="there">t</h1>')
    (tmp_path / "x.svg").write_text("<svg/>")
    broken, external = _links().check(tmp_path)
    assert sorted((link, why) for _, link, why in broken) == [
        ("#gone", "no such anchor"),
        ("three.html", "no such file"),
        ("two.html#nowhere", "no such anchor"),
    ]
    assert set(external) == {"https://example.org/p", "mailto:a@b.c"}


# ---- the built site --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_nb")
    work = tmp_path_factory.mktemp("site")
    return build.build(work / "site", work / "src", strict=True, repository=REPOSITORY, jupyterhub=HUB)


REPOSITORY, HUB = "example/backprop-course", "https://hub.example.org"


def _pages(site, edition):
    return sorted(p for p in (site / edition).rglob("*.html") if "_static" not in p.parts)


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_notebook_has_a_page_in_course_order(site, edition):
    index = (site / edition / "index.html").read_text(encoding="utf-8")
    order = [m for m in re.findall(r'href="notebooks/([0-9]{2}_[a-z0-9_]+)\.html"', index)]
    order = list(dict.fromkeys(order))
    assert order == [n.removesuffix(".ipynb") for n in NOTEBOOKS]
    for name in NOTEBOOKS:
        page = site / edition / "notebooks" / name.replace(".ipynb", ".html")
        assert page.is_file(), page


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_page_switches_to_the_same_page_in_the_other_language(site, edition):
    other = {"en": "zh", "zh": "en"}[edition]
    for page in _pages(site, edition):
        html = page.read_text(encoding="utf-8")
        links = re.findall(r'class="[^"]*course-language-switch[^"]*" href="([^"]+)"', html)
        assert len(links) == 1, page
        target = (page.parent / links[0]).resolve()
        assert target == (site / other / page.relative_to(site / edition)).resolve(), page
        assert target.is_file(), target


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_picture_on_every_page_has_its_text(site, edition):
    figures = build.load_figures()
    texts = {entry[edition] for cells in figures.values() for entry in cells.values()}
    seen = 0
    for page in _pages(site, edition):
        html = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<img\b[^>]*>", html):
            alt = re.search(r'\balt="([^"]*)"', tag)
            assert alt and alt.group(1).strip(), (page.name, tag)
            assert "_images/" not in alt.group(1) and not alt.group(1).endswith((".svg", ".png")), (
                page.name,
                tag,
            )
            if "course-figure" in tag:
                seen += 1
                assert unescape(alt.group(1)) in texts, (page.name, tag)
    assert seen == sum(len(cells) for cells in figures.values())


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_notebook_page_has_its_run_buttons(site, edition):
    folder = {"en": "notebooks/learner", "zh": "notebooks/zh/learner"}[edition]
    for name in NOTEBOOKS:
        html = (site / edition / "notebooks" / name.replace(".ipynb", ".html")).read_text(encoding="utf-8")
        binder = re.findall(r'class="[^"]*course-run-binder[^"]*" href="([^"]+)"', html)
        hub = [unescape(h) for h in re.findall(r'class="[^"]*course-run-hub[^"]*" href="([^"]+)"', html)]
        assert binder == [f"https://mybinder.org/v2/gh/{REPOSITORY}/HEAD?labpath={folder}/{name}"], name
        assert len(hub) == 1 and hub[0].startswith(f"{HUB}/hub/user-redirect/git-pull?"), name
        assert f"urlpath=lab/tree/backprop-course/{folder}/{name}" in hub[0], name
    assert "course-run" not in (site / edition / "index.html").read_text(encoding="utf-8")


def test_every_internal_link_resolves(site):
    broken, external = _links().check(site)
    assert broken == []
    # Only the run buttons leave the site; they are listed by site/links.py, never fetched.
    assert {urllib.parse.urlsplit(a).hostname for a in external} <= {"mybinder.org", "hub.example.org"}


def test_nothing_is_loaded_from_another_host(site):
    outside = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""")
    css_outside = re.compile(r"""url\(\s*["']?(?:https?:)?//""")
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link|img|iframe|source)\b[^>]*>", html):
            assert not outside.search(tag), (page, tag)
    for sheet in site.rglob("*.css"):
        assert not css_outside.search(sheet.read_text(encoding="utf-8", errors="replace")), sheet


@pytest.mark.parametrize("edition", EDITIONS)
def test_answers_are_folded_and_widgets_are_notes_on_the_pages(site, edition):
    html = (site / edition / "notebooks" / "05_fused_cross_entropy.html").read_text(encoding="utf-8")
    folds = re.findall(r"<details\b[^>]*>", html)
    assert folds and not any(re.search(r"\bopen\b", tag) for tag in folds)
    assert "NotImplementedError" in html  # what the learner's cell shows
    assert build.WIDGET_NOTE[edition] in html
    assert "widget-view" not in html and "Loading widget" not in html


# ---- in Chromium, with the network cut ------------------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(site):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def offline_page(served):
    if not Path(CHROMIUM).exists():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)", "site browser test")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed (pip install -r requirements-dev.txt)", "site browser test")
    refused = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()

        def gate(route):
            host = urllib.parse.urlsplit(route.request.url).hostname
            if host == "127.0.0.1":
                route.continue_()
            else:
                refused.append(route.request.url)
                route.abort()

        context.route("**/*", gate)
        page = context.new_page()
        yield page, served, refused
        browser.close()


@pytest.mark.parametrize(
    "path",
    ["en/notebooks/02_softmax_jacobian.html", "zh/notebooks/05_fused_cross_entropy.html", "en/index.html"],
)
def test_pages_typeset_math_and_draw_figures_offline(offline_page, path):
    from playwright.sync_api import expect

    page, base, refused = offline_page
    refused.clear()
    page.goto(f"{base}/{path}")
    page.wait_for_load_state("networkidle")
    if "notebooks/" in path:
        expect(page.locator("mjx-container svg").first).to_be_attached(timeout=30_000)
        assert page.locator("mjx-merror").count() == 0
        images = page.locator("article img")
        assert images.count() > 0
        broken = page.evaluate(
            "() => [...document.querySelectorAll('article img')]"
            ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
        )
        assert broken == []
        expect(page.locator(".course-widget-note").first).to_be_visible()
        assert page.locator("details.hide[open]").count() == 0
    assert refused == []


@pytest.mark.parametrize(
    "edition, term, notebook",
    [
        ("zh", "交叉熵", "05_fused_cross_entropy"),
        ("zh", "雅可比矩阵", "02_softmax_jacobian"),
        ("en", "Jacobian", "02_softmax_jacobian"),
        ("en", "cross-entropy", "05_fused_cross_entropy"),
    ],
)
def test_search_finds_english_and_chinese_terms_offline(offline_page, edition, term, notebook):
    from playwright.sync_api import expect

    page, base, refused = offline_page
    refused.clear()
    page.goto(f"{base}/{edition}/search.html?q={urllib.parse.quote(term)}")
    hits = page.locator(f'#search-results a[href*="notebooks/{notebook}.html"]')
    expect(hits.first).to_be_attached(timeout=30_000)
    assert refused == []


def test_language_switch_lands_on_the_same_notebook(offline_page):
    page, base, refused = offline_page
    page.goto(f"{base}/en/notebooks/05_fused_cross_entropy.html")
    page.locator("a.course-language-switch").first.click()
    page.wait_for_url("**/zh/notebooks/05_fused_cross_entropy.html")
    assert page.evaluate("document.documentElement.lang").startswith("zh")
    page.locator("a.course-language-switch").first.click()
    page.wait_for_url("**/en/notebooks/05_fused_cross_entropy.html")
    assert refused == []


# ---- accessibility: axe-core, in both editions and both themes -------------------------------------

GATED = ("serious", "critical")
AXE_VIOLATIONS = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
    .map(v => ({id: v.id, impact: v.impact, where: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""


def _axe(page):
    """axe-core's violations on the open page (the engine is the npm package's build, in a wheel)."""
    axe_playwright_python = pytest.importorskip("axe_playwright_python")
    script = Path(axe_playwright_python.__file__).parent / "axe.min.js"
    page.add_script_tag(path=str(script))
    return page.evaluate(AXE_VIOLATIONS)


def test_axe_sees_a_planted_violation(offline_page):
    page, base, refused = offline_page
    page.goto(f"{base}/en/index.html")
    page.evaluate("document.querySelector('article').insertAdjacentHTML('beforeend', '<img src=\"x.svg\">')")
    assert any(v["id"] == "image-alt" and v["impact"] in GATED for v in _axe(page))


AXE_START = """contrast => { window.courseAxe = axe.run(document, {
    resultTypes: ['violations'], rules: {'color-contrast': {enabled: contrast}},
}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact,
                                    where: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))); }"""
# axe's colour-contrast rule is two thirds of its time on a long notebook page (measured: 57 s of
# axe with it, 19 s without, on a machine under load). Text colours come from the theme, course.css
# and MathJax, the same on every notebook page (the figures are images, which the rule does not
# read), so the rule runs on these pages and on the dark page below; every other rule runs on every
# page. COURSE_SITE_AUDIT=all runs it on every page too.
CONTRAST_PAGES = {
    "en/index.html",
    "zh/index.html",
    "en/search.html",
    "en/notebooks/02_softmax_jacobian.html",
    "zh/notebooks/05_fused_cross_entropy.html",
    "en/notebooks/09_bug_hunt.html",
}


# The Chinese pages are the English pages' structure with other words: CI audits every English page
# and these Chinese ones, which keeps the test inside CI's time budget (every page of both editions
# took 333 s on a loaded 2-core machine). COURSE_SITE_AUDIT=all audits every page of both, with the
# colour-contrast rule everywhere; run it before a release and whenever the theme or templates change.
CHINESE_PAGES_IN_CI = {
    "zh/index.html",
    "zh/search.html",
    "zh/notebooks/00_start_here.html",
    "zh/notebooks/05_fused_cross_entropy.html",
    "zh/notebooks/11_choosing_the_cost.html",
}


def test_no_serious_or_critical_accessibility_violation_on_any_page(site, offline_page):
    """axe-core on the pages of both editions (see above), in one browser context, two tabs in turn.

    While axe audits one page, the next one loads and typesets its math in the other tab.
    """
    import axe_playwright_python

    page, base, refused = offline_page
    script = str(Path(axe_playwright_python.__file__).parent / "axe.min.js")
    every = os.environ.get("COURSE_SITE_AUDIT") == "all"
    paths = [p.relative_to(site).as_posix() for edition in EDITIONS for p in _pages(site, edition)]
    assert len(paths) >= 2 * (len(NOTEBOOKS) + 1) and CHINESE_PAGES_IN_CI <= set(paths)
    if not every:
        paths = [p for p in paths if p.startswith("en/") or p in CHINESE_PAGES_IN_CI]
    tabs = [page, page.context.new_page()]
    found, running = {}, [None, None]

    def start(tab, path):
        tab.goto(f"{base}/{path}")
        tab.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        tab.add_script_tag(path=script)
        tab.evaluate(AXE_START, every or path in CONTRAST_PAGES)

    def finish(tab, path):
        bad = [v for v in tab.evaluate("() => window.courseAxe") if v["impact"] in GATED]
        if bad:
            found[path] = bad

    try:
        for i, path in enumerate(paths):
            slot = i % 2
            if running[slot]:
                finish(tabs[slot], running[slot])
            start(tabs[slot], path)
            running[slot] = path
        for slot in (0, 1):
            if running[slot]:
                finish(tabs[slot], running[slot])
    finally:
        tabs[1].close()
    assert set(CONTRAST_PAGES) <= set(paths)
    assert found == {}
    assert refused == []


def test_a_dark_theme_page_passes_the_audit_too(offline_page):
    page, base, refused = offline_page
    page.emulate_media(color_scheme="dark")
    try:
        page.goto(f"{base}/zh/notebooks/07_mismatch_lab.html")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        assert [v for v in _axe(page) if v["impact"] in GATED] == []
    finally:
        page.emulate_media(color_scheme="light")


@pytest.mark.parametrize("edition", EDITIONS)
def test_download_button_gives_the_learner_copy(site, edition):
    learner = build.EDITIONS[edition]["learner"]
    for name in NOTEBOOKS:
        page = site / edition / "notebooks" / name.replace(".ipynb", ".html")
        links = re.findall(
            r'<a href="([^"]+)"[^>]*btn-download-source-button', page.read_text(encoding="utf-8")
        )
        assert len(links) == 1, page
        target = page.parent / links[0]
        assert target.name == name and target.read_bytes() == (learner / name).read_bytes(), page


def _luminance(png):
    """The relative luminance (WCAG) of every pixel of a screenshot."""
    import io

    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float) / 255
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def _contrast(luminance):
    """WCAG contrast between the darkest and the lightest 1% of an element's pixels."""
    import numpy as np

    dark, light = np.percentile(luminance, [1, 99])
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_figures_stay_legible_in_both_themes(offline_page, scheme):
    import numpy as np

    page, base, refused = offline_page
    page.emulate_media(color_scheme=scheme)
    try:
        pages = ["en/notebooks/02_softmax_jacobian.html", "zh/notebooks/07_mismatch_lab.html"]
        pages.append("en/notebooks/08_mnist_two_layer_net.html")  # PNGs: plots, digits
        for path in pages:
            page.goto(f"{base}/{path}")
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.documentElement.dataset.theme") == scheme
            images = page.locator("article .cell_output img")
            assert images.count() > 0, path
            for i in range(images.count()):
                image = images.nth(i)
                image.scroll_into_view_if_needed()
                luminance = _luminance(image.screenshot())
                where = (path, scheme, image.get_attribute("src"))
                assert _contrast(luminance) >= 4.5, where
                # Recoloured, not dimmed: the figure's ground (its median pixel) is the theme's.
                ground = float(np.median(luminance))
                assert ground < 0.1 if scheme == "dark" else ground > 0.8, (where, ground)
    finally:
        page.emulate_media(color_scheme="light")
