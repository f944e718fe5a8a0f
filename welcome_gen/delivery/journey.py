"""The time machine: every email one subscriber gets and when, by running the real planner tick by tick.

`simulate` replays hourly ticks from a start to an end for a few members and records what each tick would do,
exactly as `send` records it in Mailchimp (batch tags, record tags, skip tags), so the calendar it prints is the
planner's own answer, through DST changes, send windows, lateness and leap years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Iterable, Sequence

from ..email import mergetags
from ..email.render import sample_values
from ..mailchimp.records import parse_batch_key
from ..project.model import Sample
from .calendar import member_zone
from .members import BATCH_TAG_DAYS, Event, Member, apply_outcome
from .plan import Plan, Schedule, plan, quiet_until

if TYPE_CHECKING:
    from ..email.outbox import Outbox
    from ..project.load import Project

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Entry:
    """One line of a calendar: an email a tick would send, a step it would skip, or (with `waits`) hold back."""

    when: datetime  # UTC, the tick
    local: datetime  # the member's wall clock
    email: str
    sequence: str
    step: str
    variant: str
    kind: str  # "sent" | "skipped" | "waits"
    note: str = ""


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
    schedule = Schedule(project, events)
    site = project.config.site.timezone
    out: list[Entry] = []
    tick = start.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)
    if tick < start:
        tick += HOUR
    # Each member is planned on their own; one the planner has nothing for is not asked again before it could
    # have something (the next step's opportunity, a new year): the same calendar as asking every hour.
    wake = {email: tick for email in by_email}
    while tick <= end:
        awake = [m for email, m in by_email.items() if wake[email] <= tick]
        if awake:
            result = plan(project, awake, events, tick, schedule=schedule)
            active = {x.email.lower() for x in (*result.deliveries, *result.skips, *result.waits)}
            for member in awake:
                email = member.email.lower()
                wake[email] = tick + HOUR if email in active else quiet_until(project, member, tick,
                                                                              schedule=schedule)
            out += _entries(result, tick, by_email, site, waits)
            apply_outcome(by_email.values(), result.outcome())  # as `send` records it in Mailchimp
        if tick.hour == 0:
            forget_old_batches(by_email.values(), tick)
        tick += HOUR
        tick = _next_awake(tick, min(wake.values(), default=end + HOUR), end, by_email.values())
    return out


def _next_awake(tick: datetime, soonest: datetime, end: datetime, members: Iterable[Member]) -> datetime:
    """The first hour from `tick` at which anyone is awake (or past `end`). The hours skipped would plan nothing;
    of what they do, only their midnights' forgetting of old batch tags: the last of those midnights forgets
    all that the others would (nothing is tagged meanwhile)."""
    if soonest <= tick:
        return tick
    hours = -((tick - soonest) // HOUR)  # whole hours, rounded up: ticks fall on the hour
    later = min(tick + hours * HOUR, end + HOUR)
    midnight = (later - HOUR).replace(hour=0)
    if midnight >= tick:
        forget_old_batches(members, midnight)
    return later


def _entries(result: Plan, tick: datetime, by_email: dict[str, Member], site: str, waits: bool) -> list[Entry]:
    def local(email: str) -> datetime:
        return tick.astimezone(member_zone(by_email[email.lower()], site))

    out = [Entry(tick, local(d.email), d.email, d.sequence, d.step, d.variant, "sent") for d in result.deliveries]
    out += [Entry(tick, local(s.email), s.email, s.sequence, s.step, "", "skipped", s.reason) for s in result.skips]
    if waits:
        out += [Entry(tick, local(w.email), w.email, w.sequence, w.step, "", "waits", w.reason) for w in result.waits]
    return out


class Subjects:
    """Each step's subject as one subscriber reads it: the outbox's subject, filled in for them."""

    def __init__(self, project: Project, outbox: Outbox):
        self.project = project
        self.outbox = outbox

    def __call__(self, sequence: str, step: str, variant: str, subscriber: Sample, today: date | None = None) -> str:
        subject = self.outbox.step(sequence, step, variant).subject
        return mergetags.fill(subject, sample_values(self.project, subscriber), today=today)


def as_sample(project: Project, member: Member, name: str = "subscriber") -> Sample:
    """A member (or a made-up subscriber) as the sample the renderer fills emails in for."""
    last = str(member.merge_fields.get(project.config.mailchimp.fields.last_name) or "")
    return Sample.model_construct(name=name, email=member.email, first_name=member.first_name, last_name=last,
                                  persona=member.persona, birthday=member.birthday, timezone=member.timezone,
                                  joined=None)


# A calendar is the planner run ahead of time: it says what a tick would do, never what Mailchimp delivered.
WORDS = {"sent": "planned", "skipped": "to be skipped", "waits": "waits"}
PAST = {"sent": "was planned", "skipped": "was to be skipped", "waits": "waited"}


def calendar_rows(entries: Sequence[Entry], subscriber: Sample, subjects: Subjects,
                  now: datetime | None = None) -> list[dict[str, str]]:
    """Entries as printable rows, each planned email with its subject as `subscriber` reads it; an entry before
    `now` is worded in the past (whether it went out is in Mailchimp's reports, not in a calendar)."""
    rows = []
    for e in entries:
        kind = (PAST if now is not None and e.when <= now else WORDS)[e.kind]
        rows.append({
            "local": e.local.strftime("%a %Y-%m-%d %H:%M %Z"),
            "utc": e.when.strftime("%Y-%m-%d %H:%M"),
            "email": f"{e.sequence}/{e.step}",
            "sequence": e.sequence, "step": e.step,
            "variant": e.variant,
            "what": kind if not e.note else f"{kind}: {e.note}",
            "subject": subjects(e.sequence, e.step, e.variant, subscriber, e.local.date()) if e.kind == "sent" else "",
        })
    return rows
