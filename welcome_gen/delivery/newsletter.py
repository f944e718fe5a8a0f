"""Newsletter issues with `send_at`: one regular campaign each, to everyone (or the personas named), once.

The campaign's title `wg:issue:<slug>` is the record: found sent, it is never sent again. An issue goes when both
its `send_at` and its `date` (when the site publishes its page) have come; one whose time passed more than the
lateness ago without a campaign is not sent (a new `send_at` on an old issue never blasts the list).

The email is the issue itself, rendered through the email theme (the same layout, inlined CSS and text part as every
sequence step), its links made absolute, with a link to its page on the site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..email.render import RenderedEmail, Renderer
from ..mailchimp.client import MailchimpError
from ..project.load import Document, Project
from ..site.links import Resolver, find_links
from ..site.urls import ARCHIVE, Urls, content_paths, issue_path
from ..mailchimp.reads import SENT
from ..mailchimp.records import issue_title as title_of
from .batches import BatchGateway
from .members import BATCH_TAG_DAYS, Member

# Markdown link targets: [text](target "title"), [id]: target, and raw href="target".
_TARGET = re.compile(r"(\]\(\s*<?|^\s{0,3}\[[^\]]+\]:\s*<?|\bhref\s*=\s*[\"'])([^\s)>\"']+)", re.MULTILINE)


@dataclass
class IssuePlan:
    """What a tick does about one issue whose time has come."""

    doc: Document
    title: str  # the campaign's title, `wg:issue:<slug>`
    due: datetime
    recipients: list[str]  # subscribed members it goes to (all of them when the issue names no personas)
    already: set[str]  # recipients already in its persona segment (from a tick that stopped part way)
    action: str  # "send" | "sent" (already) | "missed" (too late, never sent)

    @property
    def personas(self) -> list[str] | None:
        return self.doc.meta.personas


def issue_title(doc: Document) -> str:
    return title_of(doc.slug)


def due_time(project: Project, doc: Document) -> datetime | None:
    """When an issue may go: its `send_at` (site time when it has no zone), but never before its page is out."""
    when = doc.meta.send_at
    if when is None:
        return None
    zone = ZoneInfo(project.config.site.timezone)
    when = when if when.tzinfo else when.replace(tzinfo=zone)
    published = datetime.combine(doc.meta.day(zone), time(0), tzinfo=zone)
    return max(when, published)


def due_titles(project: Project, now: datetime) -> list[str]:
    """The campaign titles of the issues whose time has come (within the horizon `plan_issues` looks at)."""
    horizon = now - timedelta(days=BATCH_TAG_DAYS)
    return [issue_title(doc) for doc in project.issues
            if not doc.meta.draft and (due := due_time(project, doc)) is not None and horizon < due <= now]


def plan_issues(project: Project, campaigns: dict, members: list[Member], now: datetime) -> list[IssuePlan]:
    """Issues whose time has come (within the campaign index's horizon), and what to do about each."""
    lateness = project.config.sending.max_lateness
    horizon = now - timedelta(days=BATCH_TAG_DAYS)
    out = []
    for doc in project.issues:
        due = due_time(project, doc)
        if doc.meta.draft or due is None or not horizon < due <= now:
            continue
        title = issue_title(doc)
        campaign = campaigns.get(title)
        personas = doc.meta.personas
        recipients = [m.email for m in members if m.status == "subscribed" and (not personas or m.persona in personas)]
        if campaign is not None and campaign.status in SENT:
            action = "sent"
        elif campaign is None and now - due > lateness:
            action = "missed"
        else:
            action = "send"
        already = {m.email for m in members if title in m.tags}
        out.append(IssuePlan(doc, title, due, recipients, already, action))
    return out


def absolute_links(project: Project, doc: Document) -> str:
    """The issue's markdown with every link to a page of the site made absolute, as the site resolves them."""
    urls = Urls(project.config.site.url)
    sources = content_paths(project.pages, project.personas, project.issues)
    resolver = Resolver(sources, [*sources.values(), ARCHIVE], {})
    page = issue_path(doc.slug)
    found = {}
    for link in find_links(doc.body, doc.body_line):
        resolved = resolver.resolve(link.target, doc.path, page)
        if resolved.site_path is not None:
            found[link.target] = urls.absolute(resolved.site_path) + resolved.suffix
    return _TARGET.sub(lambda m: m.group(1) + found.get(m.group(2), m.group(2)), doc.body)


def issue_email(project: Project, doc: Document, renderer: Renderer | None = None) -> RenderedEmail:
    """The issue as an email: its title, its text, and a link to its page on the site."""
    urls = Urls(project.config.site.url)
    page, archive = urls.absolute(issue_path(doc.slug)), urls.absolute(ARCHIVE)
    meta = doc.meta
    body = "\n\n".join(part for part in (
        f"# {meta.title}",
        f"*{meta.summary}*" if meta.summary else "",
        absolute_links(project, doc).strip(),
        "---",
        f"[Read this issue on the site]({page}) · [Every issue]({archive})",
    ) if part)
    renderer = renderer or Renderer(project)
    return renderer.issue("issue", doc.slug, meta.title, meta.summary or "", body, doc.path)


def send_issues(project: Project, store: BatchGateway, plans: list[IssuePlan], report) -> None:
    """Send each due issue once; tidy the persona segment of one already sent."""
    renderer = None
    for item in plans:
        if item.action == "missed":
            report.issues.append(f"{item.doc.path}: send_at passed more than the lateness ago and it was never sent; "
                                 "not sent now")
            continue
        try:
            if item.action == "sent":
                store.delete_segment(item.title)  # left by a tick that stopped after sending
                continue
            seg, expected = None, None
            if item.personas:  # to a segment: sent when Mailchimp counts everyone in it
                seg = store.segment(item.title)
                refused = store.change(seg, add=[e for e in item.recipients if e not in item.already])
                expected = len(set(item.recipients) - set(refused))
            renderer = renderer or Renderer(project)
            campaign = store.campaign(item.title, seg, issue_email(project, item.doc, renderer))
            store.send(campaign, expected=expected)
            report.issues.append(f"{item.doc.path}: sent to {len(item.recipients)} member(s)"
                                 + (f" ({', '.join(item.personas)})" if item.personas else ""))
            # The campaign title is the record; the segment only chose its recipients.
            store.delete_segment(item.title)
        except MailchimpError as exc:
            report.errors.append(f"{item.doc.path}: {exc}")
