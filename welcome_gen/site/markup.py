"""Markdown to HTML with Python-Markdown, with the author's page links turned into working URLs."""

from __future__ import annotations

import html
import re
import threading
from typing import Callable

import markdown

# Tables, fenced code, footnotes, attribute lists; heading ids for #links. Not `smarty`: it doubles the time.
EXTENSIONS = ["extra", "sane_lists", "toc"]
EXTENSION_CONFIGS = {"toc": {"permalink": False}}

_ATTR = re.compile(r"""\b(href|src)="([^"]*)\"""")
_local = threading.local()


def _converter() -> markdown.Markdown:
    # Building a Markdown instance loads every extension; reuse one per thread and reset it between files.
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS,
                                           output_format="html")
    return md


def render_markdown(text: str, links: dict[str, list[str]], href: Callable[[str], str]) -> str:
    """Render `text`; a link target found in `links` (as written -> [site path, ?query#fragment]) is rewritten."""
    out = _converter().reset().convert(text)
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
