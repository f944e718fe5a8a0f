"""Site paths and the URLs that reach them, at a domain root or under a sub-path.

A *site path* names a page independently of where the site is published: ``""`` is the home page, ``"fit/"``
the fit page, ``"feed.xml"`` a file. Pages link to each other with relative URLs, so the same files work at
``https://example.org/`` and at ``https://example.github.io/project/`` (and opened from disk); the 404 page,
which a host serves at any depth, uses root-based URLs instead; feeds and sitemaps use absolute ones.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote as _quote
from urllib.parse import urlsplit

# Where each kind of page lives: the one place that spells the site's layout (the site, the emails' links and the
# newsletter campaigns all ask here).
FIT = "fit/"
ARCHIVE = "newsletter/"
ARCHIVE_PAGES = f"{ARCHIVE}page/"  # the archive's later pages, 2 and on
TAGS = "tags/"


def page_path(slug: str) -> str:
    """A page of content/: ``about`` -> ``"about/"``; ``index`` is the home page, ``""``."""
    return "" if slug == "index" else f"{slug}/"


def persona_path(slug: str) -> str:
    return f"for/{slug}/"


def issue_path(slug: str) -> str:
    return f"{ARCHIVE}{slug}/"


def archive_path(number: int) -> str:
    """The newsletter archive's page `number` (1 is the archive itself)."""
    return ARCHIVE if number == 1 else f"{ARCHIVE_PAGES}{number}/"


def tag_path(tag: str) -> str:
    return f"{TAGS}{tag}/"


def alias_path(written: str) -> str | None:
    """An earlier address of a page, as written in `aliases` (``/posts/old/``, ``old.html``), as a site path;
    None when it is no path on this site."""
    path = written.strip().lstrip("/")
    parts = path.split("/")
    if not path or "://" in written or any(p in (".", "..") for p in parts) or "?" in path or "#" in path:
        return None
    return path if path.endswith("/") or "." in parts[-1] else path + "/"


def output_file(site_path: str) -> str:
    """The file that serves a site path: ``"fit/"`` -> ``"fit/index.html"``."""
    return site_path + "index.html" if site_path == "" or site_path.endswith("/") else site_path


def lookup_key(site_path: str) -> str:
    """One spelling for the many ways to write the same place: ``fit``, ``fit/``, ``fit/index.html``."""
    path = site_path.removesuffix("index.html")
    return path.strip("/")


# Every page links to the same few places (the stylesheet, the menu, the feed): each is quoted once.
quote = lru_cache(maxsize=1 << 16)(_quote)


class Urls:
    """Makes the href for a site path, as seen from one page."""

    def __init__(self, site_url: str):
        self.site_url = site_url
        parts = urlsplit(site_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.base = "/" + parts.path.strip("/") + "/" if parts.path.strip("/") else "/"

    def absolute(self, site_path: str) -> str:
        """The full URL, for feeds, sitemaps and canonical links."""
        return self.origin + self.base + quote(site_path)

    def rooted(self, site_path: str) -> str:
        """A URL from the domain root, including the sub-path."""
        return self.base + quote(site_path)

    @staticmethod
    def relative(site_path: str, from_path: str) -> str:
        """A URL relative to the page at `from_path`: up to the site's root, then down to the target."""
        depth = from_path.count("/")  # "newsletter/page/2/" is three folders deep; "feed.xml" none
        return ("../" * depth + quote(site_path)) or "./"

    def href(self, site_path: str, from_path: str, mode: str) -> str:
        if mode == "absolute":
            return self.absolute(site_path)
        if mode == "rooted":
            return self.rooted(site_path)
        return self.relative(site_path, from_path)


def content_paths(pages, personas, issues) -> dict[str, str]:
    """Each content file (as the author names it) -> the site path it becomes; home and fit pages need no file."""
    paths = {"content/index.md": "", "content/fit.md": FIT}
    paths.update({d.path: page_path(d.slug) for d in pages})
    paths.update({d.path: persona_path(d.slug) for d in personas})
    paths.update({d.path: issue_path(d.slug) for d in issues})
    return paths
