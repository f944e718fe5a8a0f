"""Reading built pages the way a visitor's browser would: links, forms, text."""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class Page(HTMLParser):
    """The parts of one HTML page the tests look at."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (tag, url) for a[href], link[href], script[src], img[src]
        self.inputs: list[dict[str, str]] = []
        self.forms: list[dict[str, str]] = []
        self.ids: set[str] = set()
        self.text_parts: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        for attr in ("href", "src"):
            if attr in a:
                self.links.append((tag, a[attr]))
        if tag in ("input", "select", "textarea"):
            self.inputs.append({"tag": tag, **a})
        if tag == "form":
            self.forms.append(a)

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def hrefs(self) -> list[str]:
        return [url for tag, url in self.links if tag == "a"]


def read(out: Path, file: str) -> Page:
    return Page((out / file).read_text(encoding="utf-8"))


def target_file(out: Path, page_file: str, url: str, base: str = "/") -> Path | None:
    """The file a URL on `page_file` opens, or None for an external address."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("#", "mailto:")) or not parts.path:
        return None
    path = unquote(parts.path)
    if path.startswith("/"):
        assert path.startswith(base), f"{page_file}: {url} is outside the site's base {base}"
        site_path = path[len(base):]
    else:
        site_path = posixpath.normpath(posixpath.join(posixpath.dirname(page_file), path))
        site_path = "" if site_path == "." else site_path + ("/" if path.endswith("/") else "")
    assert not site_path.startswith(".."), f"{page_file}: {url} climbs above the site"
    if site_path == "" or site_path.endswith("/"):
        site_path += "index.html"
    return out / site_path


def html_files(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
