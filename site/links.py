"""Every link of the built website: internal ones checked offline, external ones only listed.

Usage (after ``site/build.py``)::

    .venv/bin/python site/links.py [build/site]    # broken internal links, then the external ones

An internal link (a relative or root-relative address, with or without ``#anchor``) must name a
file of the site and, when it has an anchor, an element of that page with that ``id`` (or ``name``).
External addresses (``http:``, ``https:``, ``mailto:``) are collected, never fetched: the check
needs no network.
"""

import sys
import urllib.parse
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

LINKING = {"a": "href", "link": "href", "img": "src", "script": "src", "iframe": "src", "source": "src"}
EXTERNAL = ("http", "https", "mailto", "ftp")


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.anchors = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("id", "name"):
            if attrs.get(name):
                self.anchors.add(attrs[name])
        attr = LINKING.get(tag)
        if attr and attrs.get(attr):
            self.links.append(attrs[attr])


def _parse(path):
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def check(site):
    """``(broken, external)``: broken as ``[(page, link, why)]``, external as ``{address: [pages]}``."""
    site = Path(site).resolve()
    pages = sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)
    parsed = {}

    def anchors(path):
        if path not in parsed:
            parsed[path] = _parse(path)
        return parsed[path].anchors

    broken, external = [], defaultdict(list)
    for page in pages:
        anchors(page)
        for link in parsed[page].links:
            parts = urllib.parse.urlsplit(link)
            if parts.scheme in EXTERNAL or link.startswith("//"):
                external[link].append(page.relative_to(site).as_posix())
                continue
            if parts.scheme:  # javascript:, data: and the like are no address
                continue
            if parts.path:
                base = site if parts.path.startswith("/") else page.parent
                target = (base / urllib.parse.unquote(parts.path).lstrip("/")).resolve()
                if target.is_dir():
                    target = target / "index.html"
            else:
                target = page
            where = page.relative_to(site).as_posix()
            if not target.is_relative_to(site) or not target.is_file():
                broken.append((where, link, "no such file"))
            elif parts.fragment and target.suffix == ".html":
                if urllib.parse.unquote(parts.fragment) not in anchors(target):
                    broken.append((where, link, "no such anchor"))
    return broken, dict(external)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    site = Path(argv[0] if argv else Path(__file__).resolve().parent.parent / "build" / "site")
    broken, external = check(site)
    for where, link, why in broken:
        print(f"BROKEN {where}: {link} ({why})")
    for address, pages in sorted(external.items()):
        print(f"external {address} (on {len(pages)} page{'s' * (len(pages) != 1)}, not fetched)")
    raise SystemExit(1 if broken else 0)


if __name__ == "__main__":
    main()
