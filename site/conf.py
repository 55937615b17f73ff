"""Sphinx configuration of the course's website, shared by the English and the Chinese build.

``site/build.py`` stages the committed, executed notebooks of one edition and runs Sphinx with this
file (``-c site``) and ``-D language=en`` or ``-D language=zh_CN``; nothing here executes a notebook.
Every script, style sheet and font a page loads is copied into the site (MathJax from the
``django-static-mathjax`` wheel, the theme's own files), so the pages work with no network.
"""

import os
import sys
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

html_theme = "sphinx_book_theme"
html_title = "Backprop Through Softmax"
# The download button links to _sources/<page>.ipynb; build.py puts the learner copy there.
html_copy_source = True
html_show_sourcelink = False
html_theme_options = {
    "use_download_button": True,
    "use_fullscreen_button": False,
    "article_header_end": ["language-switch.html", "article-header-buttons.html"],
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
}


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
    app.add_search_language(_chinese_search())
    app.connect("config-inited", _prompts, priority=900)
    app.connect("html-page-context", _language_switch)
