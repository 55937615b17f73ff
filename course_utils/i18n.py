"""One translation layer for the text ``course_utils`` shows: gettext catalogs kept with Babel.

A notebook picks its language once, in its first cell::

    import course_utils as cu
    cu.set_language("zh")        # the Chinese edition; "en" (the default) prints the source text

Every sentence the course prints (a ``verify`` line, a checker's feedback, a widget's label or
verdict, a figure's title) is written in English in the source and wrapped in ``_()``; in English
``_()`` returns it untouched, so the English output never depends on this module. The Chinese text
lives in ``course_utils/locale/zh/*.po``, one gettext catalog per module, extracted and updated with
Babel (``python -m course_utils.teaching.translations extract``). The catalogs are read with Babel
at ``set_language`` time, so no compiled ``.mo`` file can drift from its ``.po``.

Placeholders are ``str.format`` fields: ``_("{n} of {m} checks passed").format(n=n, m=m)``; a
test checks that every translation keeps the fields of its source.

Text built when a module is imported (a bug's title in a table, say) is marked with ``lazy_()``:
it stays English until it is shown, then ``str()`` or an f-string translates it in the language
chosen by then.
"""

import re
import sys
import unicodedata
from pathlib import Path

LANGUAGES = ("en", "zh")
LOCALE = Path(__file__).resolve().parent / "locale"

_state = {"language": "en", "messages": {}}
_loaded = {}


def _catalog(language):
    """msgid -> msgstr for ``language``, from every ``.po`` file of that language (read with Babel)."""
    if language not in _loaded:
        from babel.messages.pofile import read_po

        messages = {}
        for path in sorted((LOCALE / language).glob("*.po")):
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=language)
            for message in catalog:
                if message.id and message.string and not message.fuzzy and isinstance(message.id, str):
                    messages[message.id] = message.string
        _loaded[language] = messages
    return _loaded[language]


def set_language(language):
    """Show the course's text in ``language``: ``"en"`` (the source text) or ``"zh"`` (Chinese).

    Also sets matplotlib's fonts for that language when matplotlib is used (``course_utils.plotting``).
    """
    if not isinstance(language, str) or language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(map(repr, LANGUAGES))}; got {language!r}")
    _state["messages"] = {} if language == "en" else _catalog(language)
    _state["language"] = language
    plotting = sys.modules.get("course_utils.plotting")
    if plotting is not None:
        plotting.use_language_fonts(language)
    # Returns None: as a cell's last line, the call must show nothing.


def language():
    """The language the course's text is shown in now: ``"en"`` or ``"zh"``."""
    return _state["language"]


def _(message):
    """``message`` in the current language (``message`` itself in English or when untranslated)."""
    return _state["messages"].get(message, message)


def translated(message, language):
    """``message`` in ``language``, whatever the current language is."""
    return message if language == "en" else _catalog(language).get(message, message)


def N_(message):
    """Mark ``message`` for translation without translating it now (translate with ``_()`` later)."""
    return message


class LazyText(str):
    """English text that translates itself when shown: ``str(t)``, ``f"{t}"`` and ``print(t)``.

    Comparisons, hashing and ``len`` see the English source, so such text stays a stable key.
    """

    __slots__ = ()

    def __str__(self):
        return _(str.__str__(self))

    def __format__(self, spec):
        text = _(str.__str__(self))
        aligned = re.fullmatch(r"([<>^]?)(\d+)", spec)
        if aligned is None:
            return format(text, spec)
        # Pad to a width on screen: a Chinese character takes two columns, so tables still line up.
        align, width = aligned.group(1) or "<", int(aligned.group(2))
        room = max(width - display_width(text), 0)
        left = {"<": 0, ">": room, "^": room // 2}[align]
        return " " * left + text + " " * (room - left)


def display_width(text):
    """Columns ``text`` takes in a monospace font: two for each wide (East Asian) character."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def lazy_(message):
    """A :class:`LazyText` for text defined at import time and shown later."""
    return LazyText(message)
