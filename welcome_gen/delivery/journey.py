"""The time machine: every email one subscriber gets and when, by running the real planner tick by tick.

`simulate` replays hourly ticks from a start to an end for a few members and records what each tick would do,
exactly as `send` records it in Mailchimp (batch tags, record tags, skip tags), so the calendar it prints is the
planner's own answer, through DST changes, send windows, lateness and leap years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable, Sequence

from ..project.load import Project
from .calendar import member_zone
from .members import BATCH_TAG_DAYS, Event, Member, parse_batch_key
from .plan import Plan, plan

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Entry:
    """One line of a calendar: an email sent, a step skipped, or (with `waits`) held back."""

    when: datetime  # UTC, the tick
    local: datetime  # the member's wall clock
    email: str
    sequence: str
    step: str
    variant: str
    kind: str  # "sent" | "skipped" | "waits"
    note: str = ""


def record(members: dict[str, Member], result: Plan) -> None:
    """Apply a tick's outcome to in-memory members, as `send` does in Mailchimp."""
    for batch in result.batches:
        for d in batch.deliveries:
            tags = members[d.email.lower()].tags
            tags.add(str(batch.key))
            tags.add(d.record)
    for s in result.skips:
        members[s.email.lower()].tags.add(s.record)


def forget_old_batches(members: Iterable[Member], now: datetime) -> None:
    """Batch tags are deleted after a while (their segments are removed), as `send` does."""
    horizon = now - timedelta(days=BATCH_TAG_DAYS)
    for m in members:
        m.tags -= {t for t in m.tags if (k := parse_batch_key(t)) is not None and k.slot_start < horizon}


def simulate(project: Project, members: Sequence[Member], events: Iterable[Event], start: datetime,
             end: datetime, *, waits: bool = False) -> list[Entry]:
    """Tick every hour from `start` to `end`; return what each tick sent or skipped (and waited, if asked)."""
    by_email = {m.email.lower(): m for m in members}
    events = list(events)
    site = project.config.site.timezone
    out: list[Entry] = []
    tick = start.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)
    if tick < start:
        tick += HOUR
    while tick <= end:
        result = plan(project, list(by_email.values()), events, tick)
        for d in result.deliveries:
            local = tick.astimezone(member_zone(by_email[d.email.lower()], site))
            out.append(Entry(tick, local, d.email, d.sequence, d.step, d.variant, "sent"))
        for s in result.skips:
            local = tick.astimezone(member_zone(by_email[s.email.lower()], site))
            out.append(Entry(tick, local, s.email, s.sequence, s.step, "", "skipped", s.reason))
        if waits:
            for w in result.waits:
                local = tick.astimezone(member_zone(by_email[w.email.lower()], site))
                out.append(Entry(tick, local, w.email, w.sequence, w.step, "", "waits", w.reason))
        record(by_email, result)
        if tick.hour == 0:
            forget_old_batches(by_email.values(), tick)
        tick += HOUR
    return out


def calendar_rows(project: Project, entries: Sequence[Entry]) -> list[dict[str, str]]:
    """Entries as printable rows with each step's subject."""
    subjects = {}
    for seq in project.sequences:
        for step in seq.meta.steps:
            subjects[(seq.key, step.id)] = step.subject
            for persona, variant in step.variants.items():
                if variant.subject:
                    subjects[(seq.key, step.id, persona)] = variant.subject
    rows = []
    for e in entries:
        subject = subjects.get((e.sequence, e.step, e.variant)) or subjects.get((e.sequence, e.step), "")
        rows.append({
            "local": e.local.strftime("%a %Y-%m-%d %H:%M %Z"),
            "utc": e.when.strftime("%Y-%m-%d %H:%M"),
            "email": f"{e.sequence}/{e.step}",
            "variant": e.variant,
            "what": e.kind if not e.note else f"{e.kind}: {e.note}",
            "subject": subject if e.kind == "sent" else "",
        })
    return rows
