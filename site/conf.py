"""Sphinx configuration of the course's website, shared by the English and the Chinese build.

``site/build.py`` stages the committed, executed notebooks of one edition and runs Sphinx with this
file (``-c site``) and ``-D language=en`` or ``-D language=zh_CN``; nothing here executes a notebook.
Every script, style sheet and font a page loads is copied into the site (MathJax from the
``django-static-mathjax`` wheel, the theme's own files), so the pages work with no network.
"""

import os
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

project = "Backprop Through Softmax"
author = "the course's authors"
copyright = "the course's authors"

extensions = ["myst_nb"]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# MyST: the notebooks' LaTeX is written with $...$ and $$...$$.
myst_enable_extensions = ["dollarmath", "amsmath"]
# Links between notebooks name a section the way JupyterLab does (its heading, spaces turned into
# hyphens: 00_start_here.ipynb#The-map, #课程地图), so the site's headings answer to those names.
myst_heading_anchors = 4
myst_heading_slug_func = "jupyter_anchor.slug"

# The site shows what the committed notebooks store: it never runs one.
nb_execution_mode = "off"
# No widget script from a CDN: build.py replaces every live widget's output with a note.
nb_ipywidgets_js = {}
# An exercise's answer sits in a <details> closed by default (build.py tags the cell hide-cell).
nb_code_prompt_show = "Show the answer"
nb_code_prompt_hide = "Hide the answer"

# MathJax 3 served from the site itself (build.py copies it to _static/mathjax/). SVG output draws
# its glyphs as paths, so no web font is needed either.
mathjax_path = "mathjax/tex-svg.js"
html_static_path = [os.environ.get("COURSE_SITE_STATIC", "_static")]
html_css_files = ["course.css"]

# The buttons that run a notebook page. Binder needs the repository's place on GitHub ("owner/name");
# the class's JupyterHub (its address, https://hub.example.org) opens the page's notebook through
# nbgitpuller, which the hub's image must have (notebooks/TEACHER_GUIDE.md, "Hosting a class"). Set
# them here once, or for one build with `site/build.py --repository ... --jupyterhub ...`; a button
# whose setting is empty is left out of the pages.
course_repository = ""
course_branch = "main"
course_jupyterhub = ""

html_theme = "sphinx_book_theme"
html_title = "Backprop Through Softmax"
# The download button links to _sources/<page>.ipynb; build.py puts the learner copy there.
html_copy_source = True
html_show_sourcelink = False
html_theme_options = {
    "use_download_button": True,
    "use_fullscreen_button": False,
    "article_header_end": ["language-switch.html", "run-buttons.html", "article-header-buttons.html"],
    "show_toc_level": 2,
}
templates_path = [str(Path(__file__).parent / "templates")]

# Chinese search: Sphinx splits Chinese text into words with jieba (without it, no Chinese word is
# indexed at all); build.py writes a user dictionary from the course's glossary so that its terms
# (交叉熵, 雅可比矩阵, ...) are words of their own.
html_search_options = {}
if os.environ.get("COURSE_SITE_JIEBA_DICT"):
    html_search_options["dict"] = os.environ["COURSE_SITE_JIEBA_DICT"]

LANGUAGES = {"en": ("zh", "中文", "Chinese"), "zh_CN": ("en", "English", "英文")}

ZH_TEXT = {
    "Show the answer": "显示答案",
    "Hide the answer": "隐藏答案",
    "Run on Binder": "在 Binder 上运行",
    "Run on the class's JupyterHub": "在课程的 JupyterHub 上运行",
}
LEARNER_FOLDER = {"en": "notebooks/learner", "zh_CN": "notebooks/zh/learner"}


def run_links(language, pagename, repository, branch, jupyterhub):
    """The Binder and JupyterHub addresses of a notebook page's learner copy (None where unset).

    Binder's link is the README's pattern; the hub's is nbgitpuller's ``git-pull`` link, which
    clones (or updates) the repository into the learner's home and opens the notebook there.
    """
    if not pagename.startswith("notebooks/") or not repository:
        return None, None
    path = f"{LEARNER_FOLDER[language]}/{pagename.removeprefix('notebooks/')}.ipynb"
    binder = f"https://mybinder.org/v2/gh/{repository}/HEAD?labpath={urllib.parse.quote(path)}"
    hub = None
    if jupyterhub:
        query = urllib.parse.urlencode(
            {
                "repo": f"https://github.com/{repository}",
                "branch": branch,
                "urlpath": f"lab/tree/{repository.split('/')[-1]}/{path}",
            },
            safe="/:",
        )
        hub = f"{jupyterhub.rstrip('/')}/hub/user-redirect/git-pull?{query}"
    return binder, hub


def _run_buttons(app, pagename, templatename, context, doctree):
    config = app.config
    binder, hub = run_links(
        config.language, pagename, config.course_repository, config.course_branch, config.course_jupyterhub
    )
    words = ZH_TEXT if config.language == "zh_CN" else {}
    context["course_binder_url"] = binder
    context["course_hub_url"] = hub
    context["course_binder_label"] = words.get("Run on Binder", "Run on Binder")
    hub_label = "Run on the class's JupyterHub"
    context["course_hub_label"] = words.get(hub_label, hub_label)


def _language_switch(app, pagename, templatename, context, doctree):
    """Give every page the address of the same page in the other edition."""
    other, label, name = LANGUAGES[app.config.language]
    up = "../" * (pagename.count("/") + 1)
    context["other_language_url"] = f"{up}{other}/{pagename}.html"
    context["other_language_code"] = "zh-CN" if other == "zh" else "en"
    context["other_language_label"] = label
    context["other_language_name"] = name


def _prompts(app, config):
    if config.language == "zh_CN":
        config.nb_code_prompt_show = ZH_TEXT["Show the answer"]
        config.nb_code_prompt_hide = ZH_TEXT["Hide the answer"]


def _chinese_search():
    """Sphinx's Chinese search, with the name of its JavaScript stemmer right.

    Chinese search stems Latin words with the English stemmer, but Sphinx 9.0 names the stemmer
    class after the language (``window.Stemmer = ChineseStemmer``, a class that does not exist), so
    every search on a Chinese page stops with a ReferenceError. Sphinx fixed it in 9.2 (pull request
    14416), which needs Python 3.13; the course supports 3.11. Naming the language "English" here
    only changes that line.
    """
    from sphinx.search.zh import SearchChinese

    class SearchChineseFixed(SearchChinese):
        language_name = "English"

    return SearchChineseFixed


def setup(app):
    app.add_config_value("course_repository", "", "html", str)
    app.add_config_value("course_branch", "main", "html", str)
    app.add_config_value("course_jupyterhub", "", "html", str)
    app.connect("html-page-context", _run_buttons)
    app.add_search_language(_chinese_search())
    app.connect("config-inited", _prompts, priority=900)
    app.connect("html-page-context", _language_switch)
