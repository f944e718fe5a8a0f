"""Markdown to HTML with Python-Markdown, with the author's page links turned into working URLs."""

from __future__ import annotations

import hashlib
import html
import json
import re
import threading
from typing import Callable, Protocol

import markdown

# Tables, fenced code, footnotes, attribute lists; heading ids for #links. Not `smarty`: it doubles the time.
EXTENSIONS = ["extra", "sane_lists", "toc"]
EXTENSION_CONFIGS = {"toc": {"permalink": False}}

# What, besides the text, decides the HTML: a cached rendering made under other settings is never used.
SETTINGS = json.dumps([markdown.__version__, EXTENSIONS, EXTENSION_CONFIGS], sort_keys=True)

_ATTR = re.compile(r"""\b(href|src)="([^"]*)\"""")
_local = threading.local()


def _converter() -> markdown.Markdown:
    # Building a Markdown instance loads every extension; reuse one per thread and reset it between files.
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS,
                                           output_format="html")
    return md


class MarkdownCache(Protocol):
    """Rendered markdown kept between builds, by `markdown_key`: a template change re-renders pages without
    running markdown again."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, html: str) -> None: ...


def markdown_key(text: str) -> str:
    return hashlib.sha256(SETTINGS.encode() + b"\0" + text.encode("utf-8")).hexdigest()


def convert(text: str, cache: MarkdownCache | None = None) -> str:
    """`text` as HTML, before its links are rewritten (which depends on the page it is shown on)."""
    if cache is None:
        return _converter().reset().convert(text)
    key = markdown_key(text)
    out = cache.get(key)
    if out is None:
        out = _converter().reset().convert(text)
        cache.put(key, out)
    return out


def render_markdown(text: str, links: dict[str, list[str]], href: Callable[[str], str],
                    cache: MarkdownCache | None = None) -> str:
    """Render `text`; a link target found in `links` (as written -> [site path, ?query#fragment]) is rewritten."""
    out = convert(text, cache)
    if not links:
        return out

    def rewrite(match: re.Match[str]) -> str:
        written = html.unescape(match.group(2))
        if written not in links:
            return match.group(0)
        site_path, suffix = links[written]
        return f'{match.group(1)}="{html.escape(href(site_path) + suffix, quote=True)}"'

    # On the final HTML rather than the element tree, so links written as raw HTML are fixed too.
    return _ATTR.sub(rewrite, out)
