"""Newsletter issues with `send_at`: one regular campaign each, to everyone (or the personas named), once.

The campaign's title `wg:issue:<slug>` is the record: found sent, it is never sent again. An issue goes when both
its `send_at` and its `date` (when the site publishes its page) have come; one whose time passed more than the
lateness ago without a campaign is not sent (a new `send_at` on an old issue never blasts the list).

The email is the outbox's: the issue rendered through the email theme, its links made absolute by the site's own
resolver (`email/outbox.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..mailchimp.client import MailchimpError
from ..mailchimp.reads import SENT
from ..mailchimp.records import issue_title as title_of
from .batches import BatchGateway
from .members import BATCH_TAG_DAYS, Member

if TYPE_CHECKING:  # delivery is handed its emails; it never renders them
    from ..email.outbox import Outbox
    from ..project.load import Document, Project


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


def send_issues(outbox: Outbox, store: BatchGateway, plans: list[IssuePlan]) -> tuple[list[str], list[str]]:
    """Send each due issue once, as the outbox has it; tidy the persona segment of one already sent. Returns what
    to say of each, and what failed."""
    said: list[str] = []
    errors: list[str] = []
    for item in plans:
        if item.action == "missed":
            said.append(f"{item.doc.path}: send_at passed more than the lateness ago and it was never sent; "
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
            campaign = store.campaign(item.title, seg, outbox.issue(item.doc.slug))
            store.send(campaign, expected=expected)
            said.append(f"{item.doc.path}: sent to {len(item.recipients)} member(s)"
                                 + (f" ({', '.join(item.personas)})" if item.personas else ""))
            # The campaign title is the record; the segment only chose its recipients.
            store.delete_segment(item.title)
        except MailchimpError as exc:
            errors.append(f"{item.doc.path}: {exc}")
    return said, errors
