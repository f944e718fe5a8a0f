"""Project -> the whole site as plain data, before anything is rendered or written.

Every page sees a consistent whole (the archive knows every issue, every page knows every link target), and each
page's data is plain JSON-able values, so a digest of it says exactly when the page must be rendered again.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import Problem, rel
from ..project import Document, Project
from ..project.source import SourceError, inside
from ..theme.messages import messages_for
from .form import signup_form
from .links import Resolver
from .urls import (ARCHIVE, FIT, TAGS, alias_path, archive_path, content_paths, issue_path, lookup_key, page_path,
                   persona_path, tag_path)

FEED_SIZE = 20  # newest issues in feed.xml
HOME_RECENT = 3  # newest issues on the home page


@dataclass
class Entry:
    """One page or generated file: where it goes, which template makes it, the data it shows."""

    path: str  # site path: "" (home), "fit/", "newsletter/page/2/", "feed.xml"
    template: str
    context: dict[str, Any]  # plain data the template sees, besides the shared values
    inputs: list[str]  # the project files it was made from
    url_mode: str = "relative"  # "rooted" for the 404 page, which is served at any depth


@dataclass
class StaticFile:
    path: str  # site path
    source: Path
    shown: str  # as the author knows it


# JSON with its keys sorted: one encoder for the thousands of cards and bodies a large site digests.
_stable = json.JSONEncoder(sort_keys=True).encode


class Digested(Mapping):
    """Data a template reads like a dict, which stands for a digest of it in the digest that tells whether a page
    changed: worked out once, however many pages show it. A render worker is handed the data, not the digest."""

    __slots__ = ("_data", "_digest")

    def __init__(self, data: dict[str, Any]):
        self._data = data
        self._digest: str | None = None

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __getstate__(self) -> dict[str, Any]:
        return self._data

    def __setstate__(self, data: dict[str, Any]) -> None:
        self._data, self._digest = data, None

    @property
    def data(self) -> dict[str, Any]:
        """The data itself, as a plain dict (copied from faster than through the mapping's methods)."""
        return self._data

    def digest(self) -> str:
        if self._digest is None:
            self._digest = self._work_out()
        return self._digest

    def _work_out(self) -> str:
        return hashlib.sha256(_stable(self._data).encode()).hexdigest()


class Body(Digested):
    """A markdown body as a page shows it: `text`, `links` (as written -> [site path, ?query#fragment]) and
    `source`. It stands for a digest of its text, not the text: the bodies of a large site would be most of the
    work of telling what changed. An issue's body is on its page and in the feed. The text is the document's,
    taken when first asked for: a page that is current never needs it, nor does its file need reading."""

    __slots__ = ("_file", "_doc")

    def __init__(self, doc: Document, links: dict[str, list[str]]):
        super().__init__({"links": links, "source": doc.path})
        self._file = doc.digest  # of the file it was read from, if known: it changes whenever the text does
        self._doc: Document | None = doc

    def _text(self) -> dict[str, Any]:
        if self._doc is not None:
            self._data = {"text": self._doc.body, **self._data}
            self._doc = None
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._text()[key] if key == "text" else self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._text())

    def __len__(self) -> int:
        return len(self._data) + (self._doc is not None)

    @property
    def data(self) -> dict[str, Any]:
        return self._text()

    def __getstate__(self) -> dict[str, Any]:
        return self._text()

    def __setstate__(self, data: dict[str, Any]) -> None:
        super().__setstate__(data)
        self._file, self._doc = None, None

    def _work_out(self) -> str:
        text = self._file or hashlib.sha256(self["text"].encode("utf-8")).hexdigest()
        return _stable([text, self._data["links"], self._data["source"]])


class Card(Digested):
    """An issue as a list shows it (title, path, dates, summary, tags). One issue is listed on many pages: the
    archive, its tags, the home page, its neighbours."""

    __slots__ = ()


@dataclass
class Site:
    entries: list[Entry]
    files: list[StaticFile]
    shared: dict[str, Any]  # what every page shows: site, business, navigation, the signup form
    problems: list[Problem] = field(default_factory=list)
    resolver: Resolver | None = None  # how a link in content finds its place on this site


def today_at(project: Project) -> date:
    """Today where the site lives: an issue dated today is published from local midnight."""
    return datetime.now(ZoneInfo(project.config.site.timezone)).date()


def gather(project: Project, assets: dict[str, Path], *, drafts: bool = False, today: date,
           live_reload: str | None = None) -> Site:
    """Collect every page of the site with its data; problems (broken links...) are collected, not raised."""
    spare = _spare.pop("gatherer", None)
    if spare is not None and spare.project is project and spare.assets == assets and spare.today == today \
            and not drafts and live_reload is None:
        return spare.site()  # a build asked for the resolver first (its emails link to the site): the same work
    return _Gatherer(project, assets, drafts, today, live_reload).site()


def resolver(project: Project, assets: dict[str, Path], *, today: date) -> Resolver:
    """How the site built on `today` resolves a link: the places it has, without gathering every page's data."""
    gatherer = _Gatherer(project, assets, False, today, None)
    _spare["gatherer"] = gatherer  # once: for the site's own gathering, if it comes next
    return gatherer.resolver


_spare: dict[str, _Gatherer] = {}


class _Gatherer:
    def __init__(self, project: Project, assets: dict[str, Path], drafts: bool, today: date,
                 live_reload: str | None):
        self.project, self.assets, self.drafts, self.today = project, assets, drafts, today
        self.zone = ZoneInfo(project.config.site.timezone)
        self.live_reload = live_reload
        self.t = messages_for(project.root, project.config.site.language).text  # titles are data, not markup
        self.problems: list[Problem] = []
        self.unpublished: dict[str, tuple[str, str]] = {}
        self.bodies: dict[str, Body] = {}
        self.cards: dict[str, Card] = {}
        self.pages = self._published(project.pages, lambda d: page_path(d.slug))
        self.personas = sorted(self._published(project.personas, lambda d: persona_path(d.slug)),
                               key=lambda d: (d.meta.order, d.meta.title.lower()))
        self.issues = sorted(self._published(project.issues, lambda d: issue_path(d.slug)),
                             key=lambda d: (d.meta.published(self.zone), d.slug), reverse=True)
        self.tags = sorted({t for issue in self.issues for t in issue.meta.tags})
        self.files = self._static_files(assets)
        per_page = project.config.site.per_page
        self.archive_pages = max(1, math.ceil(len(self.issues) / per_page))
        self.resolver = Resolver(self._sources(), self._places(), self.unpublished)

    # -- what is published, and where ------------------------------------------------------------

    def _published(self, docs: list[Document], place) -> list[Document]:
        out = []
        for doc in docs:
            if doc.meta.draft and not self.drafts:
                self.unpublished[doc.path] = (place(doc), "a draft")
            elif hasattr(doc.meta, "day") and doc.meta.day(self.zone) > self.today and not self.drafts:
                self.unpublished[doc.path] = (place(doc), f"dated {doc.meta.day(self.zone).isoformat()}, in the future")
            else:
                out.append(doc)
        return out

    def _sources(self) -> dict[str, str]:
        return content_paths(self.pages, self.personas, self.issues)

    def _places(self) -> list[str]:
        places = ["", FIT, "404.html", "feed.xml", "sitemap.xml", "robots.txt"]
        places += [archive_path(n) for n in range(1, self.archive_pages + 1)]
        places += [page_path(d.slug) for d in self.pages]
        places += [persona_path(d.slug) for d in self.personas] + [issue_path(d.slug) for d in self.issues]
        places += ([TAGS] + [tag_path(t) for t in self.tags]) if self.tags else []
        taken = {lookup_key(p) for p in places}
        for file in self.files:
            if lookup_key(file.path) in taken:
                self.problems.append(Problem(file.shown, None, f"would replace the site's own page /{file.path}; "
                                                               "rename or remove it"))
        taken |= {lookup_key(f.path) for f in self.files}
        self.aliases = self._aliases(taken)
        return places + [f.path for f in self.files]

    def _aliases(self, taken: set[str]) -> list[tuple[str, Document]]:
        """Each published issue's earlier addresses that are free, as (site path, issue); the others are problems."""
        found = []
        for doc in self.issues:
            for i, written in enumerate(doc.meta.aliases):
                path = alias_path(written)
                if path is None or lookup_key(path) in taken:
                    why = "is no address on this site" if path is None else "is already a page or file of the site"
                    self.problems.append(Problem(doc.path, doc.line("aliases", i), f"alias '{written}' {why}"))
                    continue
                taken.add(lookup_key(path))
                found.append((path, doc))
        return found

    def _static_files(self, assets: dict[str, Path]) -> list[StaticFile]:
        root = self.project.root
        files = {path: StaticFile(path, source, rel(source, root)) for path, source in assets.items()}
        static = root / "static"
        if static.is_dir():
            for source in sorted(static.rglob("*")):
                relative = source.relative_to(static).as_posix()
                if any(part.startswith(".") for part in relative.split("/")):
                    continue
                try:  # a file or folder linked from outside the project is never copied into the site
                    inside(source, root, rel(source, root))
                except SourceError as exc:
                    self.problems.append(exc.problem)
                    continue
                if source.is_file():
                    files[relative] = StaticFile(relative, source, rel(source, root))
        return list(files.values())

    # -- page data -------------------------------------------------------------------------------

    def _body(self, doc: Document, path: str) -> Body:
        if doc.path in self.bodies:  # an issue appears on its page and in the feed: report its links once
            return self.bodies[doc.path]
        links: dict[str, list[str]] = {}
        for link in doc.links:
            found = self.resolver.resolve(link.target, doc.path, path)
            if found.message:
                self.problems.append(Problem(doc.path, link.line, found.message, found.level))
            if found.site_path is not None:
                links[link.target] = [found.site_path, found.suffix]
        self.bodies[doc.path] = Body(doc, links)
        return self.bodies[doc.path]

    def _doc(self, doc: Document, path: str) -> dict[str, Any]:
        meta = doc.meta
        return {"title": meta.title, "path": path, "source": doc.path, "draft": meta.draft,
                "description": _described(meta),
                "body": self._body(doc, path)}

    def _persona(self, doc: Document, with_body: bool = False) -> dict[str, Any]:
        meta = doc.meta
        data = {"slug": doc.slug, "title": meta.title, "path": persona_path(doc.slug), "fit": meta.fit,
                "summary": meta.summary, "signs": list(meta.signs), "we_do": list(meta.we_do),
                "instead": [alt.model_dump() for alt in meta.instead], "draft": meta.draft}
        if with_body:
            data.update(self._doc(doc, data["path"]), description=meta.summary)
        return data

    def _card(self, doc: Document) -> Card:
        card = self.cards.get(doc.path)  # an issue is shown on many pages: the archive, tags, home, neighbours
        if card is None:
            card = self.cards[doc.path] = Card(self._new_card(doc))
        return card

    def _new_card(self, doc: Document) -> dict[str, Any]:
        meta = doc.meta
        return {"title": meta.title, "path": issue_path(doc.slug), "date": meta.day(self.zone).isoformat(),
                "published": meta.published(self.zone).isoformat(),
                "summary": meta.summary, "draft": meta.draft, "tags": [{"name": t, "path": tag_path(t)}
                                                                       for t in meta.tags]}

    def _issue(self, doc: Document) -> dict[str, Any]:
        return {**self._doc(doc, issue_path(doc.slug)), **self._card(doc).data}

    # -- the entries ------------------------------------------------------------------------------

    def site(self) -> Site:
        pages = [self._home(), self._fit(), *self._pages(), *self._persona_pages(), *self._archive(),
                 *self._issue_pages(), *self._tag_pages()]
        self._unknown_personas()
        redirects = [Entry(path, "redirect.html", {"page": {"title": doc.meta.title, "target": issue_path(doc.slug),
                                                            "path": path, "draft": False, "description": ""}},
                           _inputs(doc)) for path, doc in self.aliases]
        return Site(pages + self._generated(pages) + redirects, self.files, self._shared(), self.problems,
                    self.resolver)

    def _home(self) -> Entry:
        home = next((d for d in self.pages if d.slug == "index"), None)
        page = self._doc(home, "") if home else {"title": self.project.config.site.title, "path": "",
                                                 "draft": False, "description": "", "body": None}
        template = (home.meta.template if home else None) or "home.html"
        context = {"page": page, "fit": [self._persona(d) for d in self.personas if d.meta.fit],
                   "recent": [self._card(d) for d in self.issues[:HOME_RECENT]]}
        return Entry("", template, context, _inputs(home, *self.personas, *self.issues[:HOME_RECENT]))

    def _fit(self) -> Entry:
        fit = [self._persona(d) for d in self.personas if d.meta.fit]
        unfit = [self._persona(d) for d in self.personas if not d.meta.fit]
        # content/fit.md, if written, gives the page its title, description and text; else the theme's words.
        own = next((d for d in self.pages if d.slug == "fit"), None)
        page = self._doc(own, FIT) if own else {
            "title": self.t("fit_title"), "path": FIT, "draft": False, "body": None,
            "description": self.t("fit_description", business=self.project.config.business.name)}
        template = (own.meta.template if own else None) or "fit.html"
        return Entry(FIT, template, {"page": page, "fit": fit, "unfit": unfit}, _inputs(own, *self.personas))

    def _pages(self) -> list[Entry]:
        return [Entry(page_path(d.slug), d.meta.template or "page.html", {"page": self._doc(d, page_path(d.slug))},
                      _inputs(d)) for d in self.pages if d.slug not in ("index", "fit")]

    def _persona_pages(self) -> list[Entry]:
        return [Entry(persona_path(d.slug), "persona.html", {"page": self._persona(d, with_body=True)}, _inputs(d))
                for d in self.personas]

    def _archive(self) -> list[Entry]:
        per_page = self.project.config.site.per_page
        described = self.t("archive_description", site=self.project.config.site.title)  # the same on every page
        entries = []
        for number in range(1, self.archive_pages + 1):
            shown = self.issues[(number - 1) * per_page: number * per_page]
            pager = {"number": number, "count": self.archive_pages,
                     "newer": archive_path(number - 1) if number > 1 else None,
                     "older": archive_path(number + 1) if number < self.archive_pages else None}
            title = self.t("archive_title_page", number=number) if number > 1 else self.t("archive_title")
            page = {"title": title, "path": archive_path(number), "draft": False, "description": described}
            entries.append(Entry(page["path"], "archive.html",
                                 {"page": page, "issues": [self._card(d) for d in shown], "pager": pager},
                                 _inputs(*shown)))
        return entries

    def _issue_pages(self) -> list[Entry]:
        entries = []
        for i, doc in enumerate(self.issues):
            newer = self.issues[i - 1] if i > 0 else None
            older = self.issues[i + 1] if i + 1 < len(self.issues) else None
            context = {"page": self._issue(doc), "newer": newer and self._card(newer),
                       "older": older and self._card(older)}
            entries.append(Entry(issue_path(doc.slug), "issue.html", context, _inputs(doc, newer, older)))
        return entries

    def _tag_pages(self) -> list[Entry]:
        if not self.tags:
            return []
        tagged_with: dict[str, list[Document]] = {t: [] for t in self.tags}  # newest first, as self.issues
        for doc in self.issues:
            for t in dict.fromkeys(doc.meta.tags):
                tagged_with[t].append(doc)
        counted = [{"name": t, "path": tag_path(t), "count": len(tagged_with[t])} for t in self.tags]
        entries = [Entry(TAGS, "tags.html", {"page": {"title": self.t("topics"), "path": TAGS, "draft": False,
                                                         "description": ""}, "tags": counted},
                         _inputs(*self.issues))]
        for tag in self.tags:
            tagged = tagged_with[tag]
            page = {"title": self.t("tag_title", tag=tag.replace("-", " ")), "path": tag_path(tag), "draft": False,
                    "description": "", "tag": tag}
            entries.append(Entry(page["path"], "tag.html", {"page": page, "issues": [self._card(d) for d in tagged]},
                                 _inputs(*tagged)))
        return entries

    def _generated(self, pages: list[Entry]) -> list[Entry]:
        listed = [{"path": e.path, "updated": e.context["page"].get("date")} for e in pages]
        not_found = {"title": self.t("not_found_title"), "path": "404.html", "draft": False, "description": ""}
        feed = [self._issue(d) for d in self.issues[:FEED_SIZE]]
        return [
            Entry("404.html", "404.html", {"page": not_found}, [], url_mode="rooted"),
            Entry("feed.xml", "feed.xml", {"issues": feed, "updated": feed[0]["published"] if feed else None},
                  _inputs(*self.issues[:FEED_SIZE])),
            Entry("sitemap.xml", "sitemap.xml", {"pages": listed},
                  _inputs(*self.pages, *self.personas, *self.issues)),
            Entry("robots.txt", "robots.txt", {}, []),
        ]

    def _shared(self) -> dict[str, Any]:
        config = self.project.config
        menu = sorted((d for d in self.pages if d.meta.menu is not None), key=lambda d: (d.meta.menu, d.slug))
        nav = [{"title": self.t("nav_fit"), "path": FIT}]
        nav += [{"title": d.meta.title, "path": page_path(d.slug)} for d in menu]
        nav += [{"title": self.t("nav_newsletter"), "path": ARCHIVE}]
        fit = [{"slug": d.slug, "title": d.meta.title} for d in self.personas if d.meta.fit]
        return {"site": {"title": config.site.title, "description": config.site.description,
                         "language": config.site.language, "url": config.site.url},
                "business": {"name": config.business.name, "postal_address": config.business.postal_address,
                             "reply_to": config.business.reply_to},
                "nav": nav, "form": signup_form(config, fit), "drafts": self.drafts,
                "live_reload": self.live_reload}

    def _unknown_personas(self) -> None:
        known = {d.slug for d in self.project.personas}
        for doc in self.project.issues:
            for i, name in enumerate(doc.meta.personas or []):
                if name not in known:
                    self.problems.append(Problem(doc.path, doc.line("personas", i),
                                                 f"unknown persona '{name}' (known: {', '.join(sorted(known))})"))


def _described(meta: Any) -> str:
    """A page's description, or an issue's or persona's summary. Asked of the fields its kind has: a model asked
    for a field it lacks costs far more than one asked for a field it has."""
    fields = type(meta).model_fields
    return ((meta.description if "description" in fields else "") or
            (meta.summary if "summary" in fields else "") or "")


def _inputs(*docs: Document | None) -> list[str]:
    return ["welcome.yaml"] + sorted({d.path for d in docs if d is not None})
