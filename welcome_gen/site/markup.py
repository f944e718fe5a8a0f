"""Markdown to HTML with Python-Markdown, with the author's page links turned into working URLs."""

from __future__ import annotations

import hashlib
import html
import json
import re
import threading
from typing import Any, Callable, Iterator, Protocol

import markdown
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from markdown.preprocessors import Preprocessor
from markdown.util import Registry
from markdown.extensions import toc as _toc  # its helpers by name: an older release lacks some (then unused)

# Tables, fenced code, footnotes, attribute lists; heading ids for #links. Not `smarty`: it doubles the time.
EXTENSIONS = ["extra", "sane_lists", "toc"]
EXTENSION_CONFIGS = {"toc": {"permalink": False}}

# What, besides the text, decides the HTML: a cached rendering made under other settings is never used.
SETTINGS = json.dumps([markdown.__version__, EXTENSIONS, EXTENSION_CONFIGS], sort_keys=True)

# The release of Python-Markdown whose processors the shortcuts below were read from (and are tested against); with
# another, a text gets the processors it needs (`NEEDED_WHEN`), each as that release made it.
KNOWN = markdown.__version_info__[:2] == (3, 11)

_ATTR = re.compile(r"""\b(href|src)="([^"]*)\"""")
_local = threading.local()

# Python-Markdown runs every processor of every extension on every text: each inline pattern on each run of text,
# each block test on each block. One can only act where its opening characters are (a table needs a `|`, a
# footnote `[^`, a reference link a `]:` definition), so a text gets a converter without those whose openers it
# lacks: the same HTML for less work (tests/site/test_markup.py compares it with Python-Markdown's own converter on
# every construct, alone and mixed). Anything not named here (another version's, an extension's) is always kept.
# A needle is a string, or a test of the text for what no one string tells (a definition's line).
Needle = str | Callable[[str], bool]
Needed = Callable[[Callable[[Needle], bool]], bool]  # given a test of whether a needle is in the text


def _any(*needles: Needle) -> Needed:
    return lambda has: any(has(n) for n in needles)


def _all(*needles: Needle) -> Needed:
    return lambda has: all(has(n) for n in needles)


def _definition_line(text: str) -> bool:
    """Whether a line of `text` (which starts with \\0) opens with a definition's `:`, after up to three spaces."""
    at = text.find(":")
    while at != -1:
        start = at
        while text[start - 1] == " ":
            start -= 1
        if at - start <= 3 and text[start - 1] in "\n\0":
            return True
        at = text.find(":", at + 1)
    return False


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
    ("blockprocessors", "deflist"): _any(_definition_line),
    ("blockprocessors", "defindent"): _any(_definition_line),
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


class _FenceSearch:
    """The fenced code extension's pattern, searched for only where a fence can open: at a line's start, on three
    backticks or tildes (found with `str.find`). The pattern itself tries every character of the text, which took
    as long as a tenth of the rest of the conversion; the matches are the same (tests/site/test_markup.py)."""

    def __init__(self, pattern: re.Pattern[str]):
        self.pattern = pattern

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        ticks, tildes = text.find("```", pos), text.find("~~~", pos)
        while ticks != -1 or tildes != -1:
            at = ticks if tildes == -1 or ticks != -1 and ticks < tildes else tildes
            if at == 0 or text[at - 1] == "\n":
                found = self.pattern.match(text, at)  # its `^` holds at a line's start
                if found is not None:
                    return found
            if at == ticks:
                ticks = text.find("```", at + 1)
            else:
                tildes = text.find("~~~", at + 1)
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pattern, name)


_FENCE = _FenceSearch(FencedBlockPreprocessor.FENCED_BLOCK_RE) if KNOWN else FencedBlockPreprocessor.FENCED_BLOCK_RE


def _outside_fences(text: str) -> str:
    """`text` without its fenced code blocks, which Python-Markdown sets aside before anything else reads the text
    (found with its own pattern). From a fence with `{attributes}` on, everything is kept: whether Python-Markdown
    sets that one aside depends on the attributes."""
    kept, start = [], 0
    fence = _FENCE.search(text)
    while fence is not None:
        if fence.group("attrs"):
            break
        kept += [text[start:fence.start()], "\n"]
        start = fence.end()
        fence = _FENCE.search(text, start)
    return "".join(kept) + text[start:] if kept else text


_FENCES = ("preprocessors", "fenced_code_block")  # the one processor that reads the fenced blocks themselves


def _unused(seen: str) -> frozenset[tuple[str, str]]:
    """The processors `seen` (a normalised text) has no use for."""
    outside = "\0" + _outside_fences(seen)  # what every processor but the fences' own reads (\0: its start)
    found: dict[Needle, bool] = {}

    def has(needle: Needle) -> bool:  # each needle looked for once, however many processors it opens
        known = found.get(needle)
        if known is None:
            if callable(needle):
                known = needle(outside)
            else:  # a character of it that is missing (found at once, where a longer needle takes a full scan)
                known = all(char in outside for char in needle) and needle in outside
            found[needle] = known
        return known

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
    if not KNOWN:
        return
    toc = md.treeprocessors["toc"]
    place = _priority(md.treeprocessors, "toc")
    if type(toc) is not _toc.TocTreeprocessor or place is None:
        return
    ids = _HeadingIds.__new__(_HeadingIds)
    ids.__dict__.update(vars(toc))  # its settings: separator, slugify, levels
    md.treeprocessors.register(ids, "toc", place)


def _converter(seen: str) -> markdown.Markdown:
    """A converter for `seen`, a text as `_normalised` leaves it (the converter does not normalise it again).
    Building one loads every extension, so each kind is kept per thread and reset between files."""
    kinds = getattr(_local, "kinds", None)
    if kinds is None:
        kinds = _local.kinds = {}
    unused = _unused(seen)
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
        if KNOWN:
            _shortcuts(md)
    return md


class _Normalised(Preprocessor):
    """In the place of Python-Markdown's first step: the text comes normalised already (`_normalised`, which
    finding the processors a text needs does anyway), so its lines are taken as they are."""

    def run(self, lines: list[str]) -> list[str]:
        return lines


def _priority(registry: Any, name: str) -> float | None:
    """Where `name` stands in a registry (to put another processor in its place)."""
    return next((item.priority for item in getattr(registry, "_priority", []) if item.name == name), None)


class _Guarded:
    """A processor's pattern, tried only on a text that holds one of the strings each of its matches holds
    (`GUARDED`): a block without a `#` is no `#` heading, whichever way the pattern would scan it."""

    __slots__ = ("pattern", "needles")

    def __init__(self, pattern: re.Pattern[str], needles: tuple[str, ...]):
        self.pattern, self.needles = pattern, needles

    def search(self, text: str, *where: int) -> re.Match[str] | None:
        for needle in self.needles:
            if needle in text:
                return self.pattern.search(text, *where)
        return None

    def finditer(self, text: str, *where: int) -> Any:
        for needle in self.needles:
            if needle in text:
                return self.pattern.finditer(text, *where)
        return iter(())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pattern, name)


# Processors of Python-Markdown 3.11 by name: the attribute holding the pattern they search each block (or text)
# with, and the strings, read off that pattern, one of which every match of it holds. Python-Markdown runs every
# block processor's test on every block, and most blocks hold none of these. (Those that only match at a block's
# start, or test it otherwise, stop soon enough.)
GUARDED: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    ("blockprocessors", "hashheader"): ("RE", ("#",)),
    ("blockprocessors", "hr"): ("SEARCH_RE", ("-", "_", "*")),
    ("blockprocessors", "quote"): ("RE", (">",)),
    ("inlinePatterns", "backtick"): ("compiled_re", ("`",)),
}


def _shortcuts(md: markdown.Markdown) -> None:
    """The shortcuts read off the release of Python-Markdown in `KNOWN`: the processors in `GUARDED` get their
    guarded patterns, and the table processor a test that needs a `|` in the block (without one its own test finds
    a single column, and says no); fenced code blocks are searched for at lines' starts only (`_FenceSearch`); the
    text comes normalised (`_Normalised`); and each registry lists its processors once (`_Settled`)."""
    fences = md.preprocessors["fenced_code_block"] if "fenced_code_block" in md.preprocessors else None
    if isinstance(fences, FencedBlockPreprocessor):
        fences.FENCED_BLOCK_RE = _FENCE
    first = _priority(md.preprocessors, "normalize_whitespace")
    if first is not None:
        md.preprocessors.register(_Normalised(md), "normalize_whitespace", first)
    for (where, name), (attribute, needles) in GUARDED.items():
        registry = md.parser.blockprocessors if where == "blockprocessors" else getattr(md, where)
        if name in registry and isinstance(getattr(registry[name], attribute, None), re.Pattern):
            processor = registry[name]
            setattr(processor, attribute, _Guarded(getattr(processor, attribute), needles))
    if "table" in md.parser.blockprocessors:
        table = md.parser.blockprocessors["table"]
        test = table.test
        table.test = lambda parent, block: "|" in block and test(parent, block)
    for registry in (md.preprocessors, md.parser.blockprocessors, md.treeprocessors, md.inlinePatterns,
                     md.postprocessors):
        if type(registry) is Registry:
            registry.__class__ = _Settled
            registry.settle()


class _Settled(Registry):
    """A registry that lists its items in order once, not again each time it is walked or indexed (for each
    block, and each pattern on each run of text); once more whenever an item comes or goes."""

    _items: list[Any]

    def settle(self) -> None:
        self._items = list(Registry.__iter__(self))

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __getitem__(self, key: Any) -> Any:
        return self._items[key] if type(key) is int else super().__getitem__(key)

    def register(self, item: Any, name: str, priority: float) -> None:
        super().register(item, name, priority)
        self.settle()

    def deregister(self, name: str, strict: bool = True) -> None:
        super().deregister(name, strict)
        self.settle()


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
        return _convert(text)
    key = markdown_key(text)
    out = cache.get(key)
    if out is None:
        out = _convert(text)
        cache.put(key, out)
    return out


def _convert(text: str) -> str:
    seen = _normalised(text)
    return _converter(seen).reset().convert(seen if KNOWN else text)


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
