"""Links inside the author's markdown: found with their line, resolved to site paths, broken ones reported.

An author links to another page either by its file (``fit.md``, ``../audiences/hobbyists.md``, relative to the
file being written) or by its place on the site (``/fit/``, ``/newsletter/``). Both become site paths here; the
renderer then turns each into a URL that works wherever the site is published.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote

from .urls import lookup_key

_INLINE = re.compile(r"\]\(\s*<?([^\s)>]+)>?")  # [text](target "title") and ![alt](src)
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?")  # [id]: target
_HTML = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_CODE_SPAN = re.compile(r"(`+).+?\1")
_PATTERNS = ((_INLINE, "]("), (_REFERENCE, "]:"), (_HTML, "="))
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True, slots=True)  # every internal link of every file is kept: small
class Link:
    target: str  # as written
    line: int  # in the file


def is_internal(target: str) -> bool:
    return not (_SCHEME.match(target) or target.startswith(("#", "//", "?")))


def find_links(body: str, first_line: int) -> list[Link]:
    """Every internal link target in a markdown body, skipping code (found when the file is read, and remembered
    with its front matter)."""
    links: list[Link] = []
    fence: str | None = None
    fenced = "```" in body or "~~~" in body  # without a fence anywhere, no line needs the fence pattern
    for number, text in enumerate(body.splitlines(), first_line):
        opening = _FENCE.match(text) if fenced else None
        if opening:
            if fence is None:
                fence = opening.group(1)
            elif opening.group(1) == fence:
                fence = None
            continue
        if fence:
            continue
        text = _CODE_SPAN.sub("", text) if "`" in text else text
        # A pattern runs only on a line with its telltale: most lines link nowhere, and a substring test costs
        # far less than a scan (the HTML attribute pattern's, on a long paragraph, most of all).
        for pattern, telltale in _PATTERNS:
            if telltale in text:
                links += [Link(m.group(1), number) for m in pattern.finditer(text) if is_internal(m.group(1))]
    return links


@dataclass(frozen=True)
class Resolved:
    site_path: str | None  # None when broken
    suffix: str = ""  # ?query and #fragment, kept as written
    message: str | None = None  # why it is broken, or a warning
    level: str = "error"


class Resolver:
    """Knows every place on the site and which source file made it."""

    def __init__(self, sources: dict[str, str], places: list[str], unpublished: dict[str, tuple[str, str]]):
        self.sources = sources  # "content/about.md" -> "about/"
        self.places = {lookup_key(p): p for p in places}  # every page and file the build writes
        # source path -> (its site path once published, why it is left out: "a draft", "dated 2026-05-01")
        self.unpublished = unpublished

    def resolve(self, target: str, doc_path: str, page_path: str) -> Resolved:
        path, hash_, fragment = target.partition("#")
        path, question, query = path.partition("?")
        suffix = question + query + hash_ + fragment
        path = unquote(path)
        if path.endswith(".md"):
            return self._source(path, target, doc_path, suffix)
        return self._place(path, target, page_path, suffix)

    def _source(self, path: str, target: str, doc_path: str, suffix: str) -> Resolved:
        base = "content" if path.startswith("/") else posixpath.dirname(doc_path)
        source = posixpath.normpath(posixpath.join(base, path.lstrip("/")))
        if source.startswith("../") or source == "..":
            return Resolved(None, message=f"link '{target}' points outside the project")
        if source in self.sources:
            return Resolved(self.sources[source], suffix)
        if source in self.unpublished:
            later, why = self.unpublished[source]
            return Resolved(later, suffix, message=f"link '{target}' goes to {source}, which is {why}: "
                                          "the link is broken until it is published", level="warning")
        guess = difflib.get_close_matches(source, list(self.sources), n=1)
        hint = f" (did you mean '{posixpath.relpath(guess[0], posixpath.dirname(doc_path))}'?)" if guess else ""
        return Resolved(None, message=f"link '{target}' is broken: there is no {source}{hint}")

    def _place(self, path: str, target: str, page_path: str, suffix: str) -> Resolved:
        if path.startswith("/"):
            joined = path
        else:
            here = page_path if page_path.endswith("/") or page_path == "" else posixpath.dirname(page_path)
            joined = "/" + posixpath.join(here, path)
        normal = posixpath.normpath(joined)
        if normal.startswith("/.."):
            return Resolved(None, message=f"link '{target}' points above the site's root")
        found = self.places.get(lookup_key(normal))
        if found is not None:
            return Resolved(found, suffix)
        guess = difflib.get_close_matches(lookup_key(normal), list(self.places), n=1)
        hint = f" (did you mean '/{self.places[guess[0]]}'?)" if guess else ""
        return Resolved(None, message=f"link '{target}' is broken: the site has no page or file at "
                                      f"/{lookup_key(normal)}{hint}")
