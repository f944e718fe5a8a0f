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

# Python-Markdown tries every inline pattern on every run of text. A pattern can only match where its opening
# characters are, so a converter for a text lacks the patterns whose openers the text never contains: the same
# HTML, with a fifth less work (tests/site/test_markup.py compares both on every construct). A pattern not named here
# (another version's, an extension's) is always kept.
OPENERS = {"backtick": ("`",), "escape": ("\\",), "reference": ("[",), "link": ("[",), "short_reference": ("[",),
           "image_link": ("![",), "image_reference": ("![",), "short_image_ref": ("![",), "autolink": ("<",),
           "automail": ("<",), "html": ("<",), "entity": ("&",), "linebreak": ("  \n", " \r", "\t"), "footnote": ("[^",)}


def _unused(text: str) -> frozenset[str]:
    return frozenset(name for name, openers in OPENERS.items() if not any(o in text for o in openers))


def _converter(text: str = "") -> markdown.Markdown:
    """A converter for `text`. Building one loads every extension, so each kind is kept per thread and reset
    between files."""
    kinds = getattr(_local, "kinds", None)
    if kinds is None:
        kinds = _local.kinds = {}
    unused = _unused(text)
    md = kinds.get(unused)
    if md is None:
        md = kinds[unused] = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS,
                                               output_format="html")
        for name in unused:
            if name in md.inlinePatterns:
                md.inlinePatterns.deregister(name)
    return md


def full_converter() -> markdown.Markdown:
    """A converter with every pattern, as Python-Markdown makes it (to compare against)."""
    return markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html")


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
        return _converter(text).reset().convert(text)
    key = markdown_key(text)
    out = cache.get(key)
    if out is None:
        out = _converter(text).reset().convert(text)
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
