"""The outbox: every email that can leave, rendered once, as plain data.

    box = render_outbox(project, today=None)
    box.step("welcome", "2", "makers")    # a RenderedEmail, merge tags and all, as Mailchimp receives it
    box.issue("spring-timetable")         # a newsletter issue with `send_at`, as an email

Every step x variant comes from the same render that `build` writes to `build/emails/`; every issue that can be
sent (`send_at`, not a draft) goes through the same layout, with each link the author wrote made absolute by the
site's own resolver: a page, a file, the feed, a tag page or an asset, wherever the site is published. `send`,
`push` and `journey` are handed the outbox, as they are handed the clock and the client: delivery never renders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..project import Document, Project
from ..site.places import link_resolver
from ..site.links import Resolver
from ..site.urls import ARCHIVE, Urls, issue_path
from ..project.steps import DEFAULT
from ..project.experiment import letters, with_arm
from .render import RenderedEmail, Renderer, render_all

# Where a link target stands in markdown: [text](target "title"), ![alt](src), [id]: target, href="…", src="…".
_TARGET = re.compile(r"(\]\(\s*<?|^\s{0,3}\[[^\]]+\]:\s*<?|\b(?:href|src)\s*=\s*[\"'])([^\s)>\"']+)",
                     re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class Outbox:
    """Every email that can leave: sequence steps by (sequence, step, variant), newsletter issues by slug."""

    steps: dict[tuple[str, str, str], RenderedEmail] = field(default_factory=dict)
    issues: dict[str, RenderedEmail] = field(default_factory=dict)

    def step(self, sequence: str, step: str, variant: str) -> RenderedEmail:
        return self.steps[(sequence, step, variant)]

    def issue(self, slug: str) -> RenderedEmail:
        return self.issues[slug]

    def emails(self) -> list[RenderedEmail]:
        """Everything in it: the steps in the author's order, then the issues."""
        return [*self.steps.values(), *self.issues.values()]


def render_outbox(project: Project, *, today: date | None = None, renderer: Renderer | None = None) -> Outbox:
    """Render every step x variant and every issue that can be sent; raises ProjectError with every problem."""
    renderer = renderer or Renderer(project)
    steps = {(e.sequence, e.step, e.variant): e for e in render_all(project, renderer)}
    for seq in project.sequences:  # every subject of an experiment, in every variant the planner can choose
        for index, step in enumerate(seq.meta.steps):
            for variant in (with_arm(base, arm) for base in [DEFAULT, *step.variants] for arm in letters(step)):
                if (seq.key, str(step.id), variant) not in steps:
                    steps[(seq.key, str(step.id), variant)] = renderer.render(seq, step, index, variant)
    sendable = [doc for doc in project.issues if doc.meta.send_at is not None and not doc.meta.draft]
    resolver = link_resolver(project, today) if sendable else None
    return Outbox(steps, {doc.slug: issue_email(project, doc, resolver, renderer) for doc in sendable})


def absolute_links(project: Project, doc: Document, resolver: Resolver) -> str:
    """The issue's markdown with every link to the site made absolute, exactly as the site resolves it."""
    urls = Urls(project.config.site.url)
    page = issue_path(doc.slug)
    found = {}
    for link in doc.links:
        resolved = resolver.resolve(link.target, doc.path, page)
        if resolved.site_path is not None:
            found[link.target] = urls.absolute(resolved.site_path) + resolved.suffix
    return _TARGET.sub(lambda m: m.group(1) + found.get(m.group(2), m.group(2)), doc.body)


def issue_email(project: Project, doc: Document, resolver: Resolver, renderer: Renderer) -> RenderedEmail:
    """The issue as an email: its title, its text with absolute links, and a link to its page on the site."""
    urls = Urls(project.config.site.url)
    page, archive = urls.absolute(issue_path(doc.slug)), urls.absolute(ARCHIVE)
    meta = doc.meta
    body = "\n\n".join(part for part in (
        f"# {meta.title}",
        f"*{meta.summary}*" if meta.summary else "",
        absolute_links(project, doc, resolver).strip(),
        "---",
        f"[Read this issue on the site]({page}) · [Every issue]({archive})",
    ) if part)
    return renderer.issue("issue", doc.slug, meta.title, meta.summary or "", body, f"{doc.path}:{doc.body_line}")
