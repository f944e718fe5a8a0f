"""The recognition ledger: for every member, which welcome steps, birthdays, anniversaries and thank-yous they got
and when; and, on top, who is overdue (`overdue.py` says why and what would fix it).

    ledger = read_ledger(project, mc, now, reporter=reporter)   # the Mailchimp reads, then `assemble`
    ledger = assemble(project, members, received, events, now)  # pure: the same answer from plain data

What a member got is what Mailchimp says: each welcome-gen campaign's sent-to list (who it reached, when, whether
it bounced, how often they opened it), and the record and skip tags `send` puts on members. A record tag with no
campaign behind it (one sent before the campaigns Mailchimp still lists) shows as received, date unknown.
The ledger names members, so it is written under build/, never into the site.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Sequence

from ..delivery.audience import read_fields, read_members
from ..delivery.events import read_folder
from ..delivery.tick import birthday_format
from ..delivery.members import Event, Member
from ..mailchimp.reads import paged
from ..mailchimp.records import PREFIX, SKIPPED, BatchKey, parse_batch_key, record_tag
from ..mailchimp.client import Mailchimp
from ..project.load import Project
from ..reporter import NullReporter, Reporter
from .gather import CampaignNumbers, list_campaigns

#: What each trigger's emails are, in the owner's words.
KINDS = {"subscribed": "welcome", "birthday": "birthday", "anniversary": "anniversary", "tag": "thank-you",
         "event": "thank-you"}
SENT_TO_FIELDS = ["sent_to.email_address", "sent_to.status", "sent_to.open_count", "total_items"]
BOUNCED = ("hard", "soft")


@dataclass(frozen=True)
class Received:
    """One welcome-gen campaign as one member's sent-to line reports it."""

    key: BatchKey
    sent_at: datetime | None
    status: str  # Mailchimp's sent-to status: "sent", "hard" or "soft" (bounced)
    opens: int = 0


@dataclass
class Touch:
    """One line of a member's history: a step sent (or bounced), recorded without a date, or skipped."""

    sequence: str
    step: str
    occurrence: str | None  # the year, or the event id, of a recurring or event sequence
    kind: str  # welcome, birthday, anniversary, thank-you (or "" for a sequence no longer in sequences/)
    status: str  # "sent" | "bounced" | "recorded" | "skipped" | "pending" (the next tick in their window sends it)
    at: datetime | None = None  # when it went (or, pending, when it will go)
    opens: int = 0
    variant: str = ""
    detail: str = ""
    key: BatchKey | None = None  # the batch it went in

    @property
    def personal(self) -> bool:
        """It reached them: sent (or recorded as sent), not bounced or skipped."""
        return self.status in ("sent", "recorded")


@dataclass(frozen=True)
class Overdue:
    """Someone who has been left waiting: what, why (the planner's own reasons where it has them), and the fix."""

    email: str
    what: str
    why: str
    fix: str
    since: datetime | None = None  # since when they have been waiting, when known


@dataclass
class MemberRow:
    email: str
    status: str  # Mailchimp's: subscribed, unsubscribed, cleaned… ("" for someone not in the audience)
    persona: str
    joined: datetime | None
    touches: list[Touch] = field(default_factory=list)
    overdue: list[Overdue] = field(default_factory=list)


@dataclass
class Ledger:
    generated_at: datetime
    timezone: str
    members: list[MemberRow]
    audience: list[Member] = field(default_factory=list)  # the members as read (timezones, merge fields)

    @property
    def overdue(self) -> list[Overdue]:
        return [o for m in self.members for o in m.overdue]


def read_received(mc: Mailchimp, reporter: Reporter | None = None,
                  campaigns: Iterable[CampaignNumbers] | None = None) -> dict[str, list[Received]]:
    """Every member's line in every welcome-gen batch campaign's sent-to report, by email (`campaigns`: all of
    our sent campaigns, when already read)."""
    reporter = reporter or NullReporter()
    campaigns = list_campaigns(mc, None).values() if campaigns is None else campaigns
    batches = [(c, key) for c in campaigns if (key := parse_batch_key(c.title)) is not None]
    out: dict[str, list[Received]] = defaultdict(list)
    with reporter.task("reading who received what", total=len(batches)) as task:
        def one(item) -> list[tuple[str, Received]]:
            campaign, key = item
            found = [(str(doc.get("email_address", "")).lower(),
                      Received(key, campaign.send_time, str(doc.get("status") or "sent"), int(doc.get("open_count") or 0)))
                     for doc in paged(mc, "reports.get_campaign_recipients", "sent_to", campaign.id,
                                      fields=SENT_TO_FIELDS)]
            task.advance()
            return found

        for found in mc.map(one, batches):
            for email, received in found:
                out[email].append(received)
    return dict(out)


def read_ledger(project: Project, mc: Mailchimp, now: datetime, *, reporter: Reporter | None = None,
                campaigns: Iterable[CampaignNumbers] | None = None) -> Ledger:
    """Read members (every status), each campaign's recipients and the project's events; assemble the ledger."""
    reporter = reporter or NullReporter()
    with reporter.task("reading members", total=None):
        members, _ = read_members(mc, project, birthday_format(project, read_fields(mc)), status=None)
    received = read_received(mc, reporter, campaigns)
    return assemble(project, members, received, read_folder(project), now)


def parse_record(project: Project, tag: str) -> tuple[str, str, str | None, bool] | None:
    """A record or skip tag as (sequence, step, occurrence, skipped); None for any other tag."""
    if not tag.startswith(PREFIX) or parse_batch_key(tag) is not None:
        return None
    parts = tag[len(PREFIX):].split(":")
    skipped = parts[-1] == SKIPPED
    parts = parts[:-1] if skipped else parts
    seq = project.sequence(parts[0]) if parts else None
    if seq is None:
        return None
    steps = seq.meta.steps
    if seq.meta.trigger.type in ("subscribed", "tag"):
        found = (parts[1], None) if len(parts) == 2 else None
    elif len(steps) == 1:
        found = (steps[0].id, parts[1]) if len(parts) == 2 else None
    else:
        found = (parts[2], parts[1]) if len(parts) == 3 else None
    if found is None or not any(s.id == found[0] for s in steps):
        return None
    return seq.key, found[0], found[1], skipped


def kind_of(project: Project, sequence: str) -> str:
    seq = project.sequence(sequence)
    return KINDS.get(seq.meta.trigger.type, "") if seq else ""


def touches_of(project: Project, member: Member, received: Sequence[Received]) -> list[Touch]:
    """A member's history, oldest first: campaigns that reached (or bounced), then records with no campaign,
    then skips."""
    out, explained = [], set()
    for r in sorted(received, key=lambda r: (r.sent_at is None, r.sent_at or datetime.min, str(r.key))):
        k = r.key
        seq = project.sequence(k.sequence)
        if seq is not None:
            explained.add(record_tag(k.sequence, k.step, k.occurrence, len(seq.meta.steps) == 1))
        out.append(Touch(k.sequence, k.step, k.occurrence, kind_of(project, k.sequence),
                         "bounced" if r.status in BOUNCED else "sent", r.sent_at, r.opens, k.variant,
                         f"{r.status} bounce" if r.status in BOUNCED else "", k))
    for tag in sorted(member.tags):
        parsed = parse_record(project, tag)
        if parsed is None or tag in explained:
            continue
        sequence, step, occurrence, skipped = parsed
        out.append(Touch(sequence, step, occurrence, kind_of(project, sequence), "skipped" if skipped else "recorded"))
    return out


def assemble(project: Project, members: Iterable[Member], received: dict[str, list[Received]],
             events: Iterable[Event], now: datetime) -> Ledger:
    """The ledger from plain data: every member's history, and who is overdue."""
    from .overdue import find_overdue  # here, not at the top: overdue.py builds on this module's rows

    rows = []
    members = list(members)
    events = list(events)
    for m in sorted(members, key=lambda m: m.email):
        rows.append(MemberRow(m.email, m.status, m.persona, m.joined, touches_of(project, m, received.get(m.email, []))))
    find_overdue(project, members, rows, events, now)
    return Ledger(now, project.config.site.timezone, rows, members)
