"""Markdown to HTML with Python-Markdown, with the author's page links turned into working URLs."""

from __future__ import annotations

import hashlib
import html
import json
import re
import threading
from typing import Any, Callable, Protocol

import markdown
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from markdown.extensions import toc as _toc  # its helpers by name: an older release lacks some (then unused)

# Tables, fenced code, footnotes, attribute lists; heading ids for #links. Not `smarty`: it doubles the time.
EXTENSIONS = ["extra", "sane_lists", "toc"]
EXTENSION_CONFIGS = {"toc": {"permalink": False}}

# What, besides the text, decides the HTML: a cached rendering made under other settings is never used.
SETTINGS = json.dumps([markdown.__version__, EXTENSIONS, EXTENSION_CONFIGS], sort_keys=True)

_ATTR = re.compile(r"""\b(href|src)="([^"]*)\"""")
_local = threading.local()

# Python-Markdown runs every processor of every extension on every text: each inline pattern on each run of text,
# each block test on each block. One can only act where its opening characters are (a table needs a `|`, a
# footnote `[^`, a reference link a `]:` definition), so a text gets a converter without those whose openers it
# lacks: the same HTML for less work (tests/site/test_markup.py compares it with Python-Markdown's own converter on
# every construct, alone and mixed). Anything not named here (another version's, an extension's) is always kept.
Needed = Callable[[Callable[[str], bool]], bool]  # given a test of whether a needle is in the text


def _any(*needles: str) -> Needed:
    return lambda has: any(has(n) for n in needles)


def _all(*needles: str) -> Needed:
    return lambda has: all(has(n) for n in needles)


def _definition(has: Callable[[str], bool]) -> bool:
    # A definition list's `: ` line: at the start, or after a newline and up to three spaces.
    return any(has(start) for start in ("\n:", "\n :", "\n  :", "\n   :", "\0:", "\0 :", "\0  :", "\0   :"))


NEEDED_WHEN: dict[tuple[str, str], Needed] = {
    ("inlinePatterns", "backtick"): _any("`"),
    ("inlinePatterns", "escape"): _any("\\"),
    ("inlinePatterns", "link"): _all("[", "]("),
    ("inlinePatterns", "image_link"): _all("![", "]("),
    ("inlinePatterns", "reference"): _all("[", "]:"),  # a reference resolves only with a `[id]: url` definition
    ("inlinePatterns", "short_reference"): _all("[", "]:"),
    ("inlinePatterns", "image_reference"): _all("![", "]:"),
    ("inlinePatterns", "short_image_ref"): _all("![", "]:"),
    ("inlinePatterns", "autolink"): _any("<"),
    ("inlinePatterns", "automail"): _any("<"),
    ("inlinePatterns", "html"): _any("<"),
    ("inlinePatterns", "entity"): _any("&"),
    ("inlinePatterns", "linebreak"): _any("  \n"),
    ("inlinePatterns", "footnote"): _any("[^"),
    ("preprocessors", "fenced_code_block"): _any("```", "~~~"),
    ("preprocessors", "html_block"): _any("<"),
    ("blockprocessors", "table"): _any("|"),
    ("blockprocessors", "deflist"): _definition,
    ("blockprocessors", "defindent"): _definition,
    ("blockprocessors", "footnote"): _any("[^"),
    ("blockprocessors", "abbr"): _any("*["),
    ("blockprocessors", "reference"): _any("]:"),
    ("treeprocessors", "footnote"): _any("[^"),
    ("treeprocessors", "footnote-duplicate"): _any("[^"),
    ("treeprocessors", "attr_list"): _any("{"),
    ("treeprocessors", "abbr"): _any("*["),
    ("postprocessors", "footnote"): _any("[^"),
    ("toc", "marker"): _any("[TOC]"),  # without one, the table of contents is not looked for in the page
}


_BLANKISH = re.compile(r"(?<=\n) +\n")


def _normalised(text: str) -> str:
    """The text as Python-Markdown's first step leaves it (line ends, tabs), which every processor then sees.
    (Each step only where it can change something: most texts have no tab and no line of spaces.)"""
    if markdown.util.STX in text or markdown.util.ETX in text:
        text = text.replace(markdown.util.STX, "").replace(markdown.util.ETX, "")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text += "\n\n"
    if "\t" in text:
        text = text.expandtabs(4)
    return _BLANKISH.sub("\n", text) if " \n" in text else text


def _outside_fences(text: str) -> str:
    """`text` without its fenced code blocks, which Python-Markdown sets aside before anything else reads the text
    (found with its own pattern). From a fence with `{attributes}` on, everything is kept: whether Python-Markdown
    sets that one aside depends on the attributes."""
    if "```" not in text and "~~~" not in text:
        return text
    kept, start = [], 0
    for fence in FencedBlockPreprocessor.FENCED_BLOCK_RE.finditer(text):
        if fence.group("attrs"):
            break
        kept += [text[start:fence.start()], "\n"]
        start = fence.end()
    return "".join(kept) + text[start:]


_FENCES = ("preprocessors", "fenced_code_block")  # the one processor that reads the fenced blocks themselves


def _unused(text: str) -> frozenset[tuple[str, str]]:
    seen = _normalised(text)
    outside = "\0" + _outside_fences(seen)  # what every processor but the fences' own reads (\0: its start)
    found: dict[str, bool] = {}

    def has(needle: str) -> bool:  # each needle looked for once, however many processors it opens
        if needle not in found:
            found[needle] = needle in outside
        return found[needle]

    def anywhere(needle: str) -> bool:
        return needle in seen

    return frozenset(name for name, needed in NEEDED_WHEN.items()
                     if not needed(anywhere if name == _FENCES else has))


class _HeadingIds(_toc.TocTreeprocessor):
    """The `toc` extension's ids for headings, as it gives them, without the table of contents it also builds,
    renders and runs the postprocessors over for every text (nothing here shows it: a text without `[TOC]` gets
    this instead). A heading of plain words is named by its words, not by rendering it first."""

    def run(self, doc: Any) -> None:
        used = {el.attrib["id"] for el in doc.iter() if "id" in el.attrib}
        counters: dict[str, int] = {}
        for el in doc.iter():
            if isinstance(el.tag, str) and self.header_rgx.match(el.tag):
                self.set_level(el)
                if "id" in el.attrib:
                    continue
                text = el.text or ""
                if len(el) or _NOT_PLAIN.search(text):  # markup, an entity or a stashed part: as `toc` does it
                    name = html.unescape(_toc.strip_tags(_toc.render_inner_html(_toc.remove_fnrefs(el), self.md)))
                else:
                    name = " ".join(text.split())  # what rendering, stripping tags and unescaping would leave
                el.attrib["id"] = _toc.unique(self.slugify(name, self.sep), used, counters)
                if "data-toc-label" in el.attrib:
                    del el.attrib["data-toc-label"]


# What makes a heading's text more than words: markup's characters and Python-Markdown's placeholders.
_NOT_PLAIN = re.compile("[&<>\x02\x03]")


def _ids_only(md: markdown.Markdown) -> None:
    """Put `_HeadingIds` in the place of `toc`'s processor, where it gives the same ids: the version of
    Python-Markdown it follows (tests/site/test_markup.py compares the two); any other keeps `toc` as it is."""
    if markdown.__version_info__[:2] != (3, 11):
        return
    toc = md.treeprocessors["toc"]
    place = next((item.priority for item in getattr(md.treeprocessors, "_priority", []) if item.name == "toc"), None)
    if type(toc) is not _toc.TocTreeprocessor or place is None:
        return
    ids = _HeadingIds.__new__(_HeadingIds)
    ids.__dict__.update(vars(toc))  # its settings: separator, slugify, levels
    md.treeprocessors.register(ids, "toc", place)


def _converter(text: str) -> markdown.Markdown:
    """A converter for `text`. Building one loads every extension, so each kind is kept per thread and reset
    between files."""
    kinds = getattr(_local, "kinds", None)
    if kinds is None:
        kinds = _local.kinds = {}
    unused = _unused(text)
    md = kinds.get(unused)
    if md is None:
        md = kinds[unused] = full_converter()
        for where, name in unused:
            if where == "toc":  # no [TOC] in the text: the table of contents is not looked for, nor made
                md.treeprocessors["toc"].marker = ""
                _ids_only(md)
                continue
            registry = md.parser.blockprocessors if where == "blockprocessors" else getattr(md, where)
            if name in registry:
                registry.deregister(name)
        _block_level_by_set(md)
    return md


def _block_level_by_set(md: markdown.Markdown) -> None:
    """Python-Markdown asks whether a tag is a block's for nearly every element, of a list of fifty names; asked
    of a set of the same names (taken once the extensions have added theirs), the answers are the same."""
    blocks = frozenset(md.block_level_elements)

    def is_block_level(tag: Any) -> bool:
        return isinstance(tag, str) and tag.lower().rstrip("/") in blocks

    md.is_block_level = is_block_level  # type: ignore[method-assign]


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
