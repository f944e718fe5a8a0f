"""The planner: who is due for which step of which sequence, now. A pure function: no I/O, the clock passed in.

    plan(project, members, events, now) -> Plan

For each subscribed member and each sequence whose personas include theirs, every occurrence of the trigger
(the sign-up; each year's birthday or anniversary; the trigger tag; each event) is walked step by step:

- steps after the last one recorded (received or skipped) are pending, in order;
- a step is due at trigger + delay, and can go at the first moment after that when the member's local time is
  inside the send window on an allowed day (its *opportunity*);
- a step whose opportunity is more than the lateness ago is skipped; a run of late steps is marked once, on the
  last of them, because a recorded step implies every earlier one is done;
- the first pending step that is due and inside the window now is a candidate.

Then the kindness rules choose at most one candidate per member per tick: welcome steps first, then the oldest;
nothing beyond `max_per_week` in any 7 days (the rest waits its turn); no birthday on a day a welcome step goes
out, and no welcome step on a day a birthday went out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Iterable, Sequence

from ..project.experiment import arm_for, with_arm
from ..mailchimp.records import BatchKey, record_tag, safe_id, skip_tag, slot_of
from ..project.steps import variant_for
from .calendar import (Rules, anniversary_in, birthday_in, first_opportunity, from_hour, local_midnight,
                       member_zone, open_at, weekday_numbers)
from .members import BATCH_TAG_DAYS, Event, Member, Outcome, normalise_month_day, sends_since

if TYPE_CHECKING:  # the planner reads the project's plain attributes; importing the schema would cost start-up
    from ..project.load import Project, SequenceFile


WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Delivery:
    """One email for one member: a step of one occurrence of a sequence."""

    email: str
    sequence: str
    step: str
    variant: str
    record: str  # the tag that records it, added once it is sent
    due: datetime  # its opportunity: the first moment it could go
    trigger: str
    occurrence: str | None = None  # the year, or the event id, for recurring and event sequences


@dataclass(frozen=True)
class Skip:
    """A step that is too late: never sent, marked with `record` so it is never planned again."""

    email: str
    sequence: str
    step: str
    record: str
    due: datetime
    reason: str


@dataclass(frozen=True)
class Wait:
    """A due step held back by a kindness rule; planned again on a later tick."""

    email: str
    sequence: str
    step: str
    due: datetime
    reason: str


@dataclass
class Batch:
    """Everyone getting the same step in the same variant in this tick: one segment, one campaign."""

    key: BatchKey
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def emails(self) -> list[str]:
        return [d.email for d in self.deliveries]

    def records(self) -> dict[str, list[str]]:
        """Record tag -> the members it goes on (one tag for most batches; one per event for thank-yous)."""
        out: dict[str, list[str]] = defaultdict(list)
        for d in self.deliveries:
            out[d.record].append(d.email)
        return dict(out)


@dataclass
class Plan:
    """The planner's answer for one moment: the batches to deliver, the steps to mark skipped (too late), and the
    steps that wait for a later tick (held back by a kindness rule)."""

    now: datetime
    slot: str
    batches: list[Batch]
    skips: list[Skip]
    waits: list[Wait]

    @property
    def deliveries(self) -> list[Delivery]:
        return [d for b in self.batches for d in b.deliveries]

    @property
    def empty(self) -> bool:
        return not self.batches and not self.skips

    def outcome(self) -> Outcome:
        """What carrying out this plan records when every batch goes: each recipient's batch and record tags, and
        each late step's skip mark."""
        added = [(d.email, tag) for b in self.batches for d in b.deliveries for tag in (str(b.key), d.record)]
        return Outcome(tuple(added + [(s.email, s.record) for s in self.skips]))


def rules_for(project: Project, seq: SequenceFile) -> Rules:
    """The sequence's own window, days and lateness, else the site's."""
    sending, meta = project.config.sending, seq.meta
    window = meta.window or sending.window
    return Rules(window.start, window.end, weekday_numbers(meta.days or sending.days),
                 meta.max_lateness if meta.max_lateness is not None else sending.max_lateness)


def look_back(project: Project, seq: SequenceFile) -> timedelta:
    """How long after its trigger a step of `seq` can still be due: the longest delay, the sequence's own lateness
    (0 means none, not the site's), and the time the weekly limit may have held a step back. Older occurrences
    (birthdays, anniversaries, events) are not looked at."""
    return max(st.delay for st in seq.meta.steps) + rules_for(project, seq).max_lateness + timedelta(days=BATCH_TAG_DAYS)


@dataclass(frozen=True)
class _Candidate:
    delivery: Delivery
    welcome: bool


class Schedule:
    """What the planner reads from the project and the events, worked out once: a simulation plans every hour
    of a year against the same ones."""

    def __init__(self, project: Project, events: Iterable[Event] = (),
                 winners: dict[tuple[str, str], str] | None = None):
        self.project = project
        self.winners = winners or {}  # (sequence, step) -> a subject the report promoted
        self.site_zone = project.config.site.timezone
        self.rules = {s.key: rules_for(project, s) for s in project.sequences}
        self.triggers = {s.key: s.meta.trigger.type for s in project.sequences}
        self.horizon_days = {s.key: look_back(project, s).days for s in project.sequences}
        self.events: dict[str, list[Event]] = defaultdict(list)
        for event in events:
            self.events[event.email.strip().lower()].append(event)
        self.cap = project.config.sending.max_per_week
        self.birthday_rule = project.config.sending.birthday_not_with_welcome


class _Planner:
    def __init__(self, schedule: Schedule, now: datetime):
        self.project = schedule.project
        self.now = now
        self.site_zone = schedule.site_zone
        self.rules, self.triggers, self.horizon_days = schedule.rules, schedule.triggers, schedule.horizon_days
        self.events = schedule.events
        self.cap, self.birthday_rule = schedule.cap, schedule.birthday_rule
        self.winners = schedule.winners
        self.candidates: list[_Candidate] = []
        self.skips: list[Skip] = []
        self.waits: list[Wait] = []

    # -- occurrences of each trigger --------------------------------------------------------------

    def occurrences(self, seq: SequenceFile, member: Member, tz, local_now: datetime,
                    month_day: str | None) -> list[tuple[str | None, datetime]]:
        trigger = seq.meta.trigger
        joined = member.joined
        if trigger.type == "subscribed":
            return [(None, joined)] if joined else []
        if trigger.type == "tag":
            if trigger.tag not in member.tags:
                return []
            return [(None, member.tag_dates.get(trigger.tag, self.now))]
        if trigger.type == "event":
            return [(safe_id(e.id), e.occurred_at) for e in self.events.get(member.email.lower(), [])
                    if e.name == trigger.event]
        if trigger.type == "birthday" and month_day is None or trigger.type == "anniversary" and joined is None:
            return []
        joined_day = joined.astimezone(tz).date() if joined else None
        out: list[tuple[str | None, datetime]] = []
        for year in (local_now.year - 1, local_now.year):
            if trigger.type == "birthday":
                day = birthday_in(month_day, year)
                if joined_day is not None and day < joined_day:
                    continue
            else:  # anniversary
                years = year - joined_day.year
                if years < 1 or (trigger.years and years not in trigger.years):
                    continue
                day = anniversary_in(joined_day, years)
            if (local_now.date() - day).days <= self.horizon_days[seq.key]:
                out.append((str(year), local_midnight(day, tz)))
        return out

    # -- one member ---------------------------------------------------------------------------------

    def member(self, member: Member) -> None:
        if member.status != "subscribed":
            return
        tz = member_zone(member, self.site_zone)
        local_now = self.now.astimezone(tz)
        # Nothing can go outside a sequence's window; late steps are marked on the next tick inside it. Most
        # ticks are outside every window, so this is decided before the member's tags are read.
        open_now = []
        hour = send_hour(self.project, member)
        for seq in self.project.sequences:
            if seq.meta.personas and member.persona not in seq.meta.personas:
                continue  # a sequence stops for a member whose persona no longer matches it
            rules = self.rules[seq.key] if hour is None else from_hour(self.rules[seq.key], hour)
            if open_at(local_now, rules):
                open_now.append((seq, rules))
        if not open_now:
            return
        month_day = normalise_month_day(member.birthday) if member.birthday else None
        found: list[_Candidate] = []
        released = self.cap_released(member)
        sent_days: dict[str, set] = defaultdict(set)  # trigger type -> local days something of it went out
        for k in sends_since(member, self.now - timedelta(days=BATCH_TAG_DAYS)):
            sent_days[self.triggers.get(k.sequence, "")].add(k.slot_start.astimezone(tz).date())
        for seq, rules in open_now:
            for occurrence, anchor in self.occurrences(seq, member, tz, local_now, month_day):
                candidate = self.walk(seq, member, tz, occurrence, anchor, released, sent_days, rules)
                if candidate is not None:
                    found.append(candidate)
        if found:
            self.choose(member, tz, found)

    def cap_released(self, member: Member) -> datetime | None:
        """When the weekly limit last stopped holding this member back (None if it has not lately)."""
        sends = [k.slot_start for k in sends_since(member, self.now - timedelta(days=BATCH_TAG_DAYS))]
        if sum(1 for s in sends if s > self.now - WEEK) >= self.cap:
            return self.now  # held back right now: nothing is late while it waits
        released = None
        for i, sent in enumerate(sends):
            expiry = sent + WEEK
            if expiry <= self.now and sum(1 for s in sends[i:] if s < expiry) >= self.cap:
                released = expiry
        return released

    def held_from(self, trigger: str, start: datetime, tz, rules: Rules, sent_days: dict[str, set]) -> datetime:
        """When lateness starts counting for a step: after any day the same-day rule held it back on (a birthday
        on a day a welcome step went out, or the other way round), its first opportunity on the next day."""
        other = {"birthday": "subscribed", "subscribed": "birthday"}.get(trigger) if self.birthday_rule else None
        days = sent_days.get(other, set()) if other else set()
        while start.astimezone(tz).date() in days:
            start = first_opportunity(local_midnight(start.astimezone(tz).date() + timedelta(days=1), tz), tz, rules)
        return start

    def walk(self, seq: SequenceFile, member: Member, tz, occurrence: str | None, anchor: datetime,
             released: datetime | None, sent_days: dict[str, set], rules: Rules) -> _Candidate | None:
        steps = seq.meta.steps
        records, done = _progress(seq, member, occurrence)
        late: list[tuple[int, datetime]] = []
        candidate = None
        for i in range(done + 1, len(steps)):
            opportunity = first_opportunity(anchor + steps[i].delay, tz, rules)
            if self.now < opportunity:
                break
            # Time spent held back by the weekly limit or the same-day rule does not count as lateness:
            # recognition waits its turn.
            start = self.held_from(seq.meta.trigger.type, max(opportunity, released or opportunity), tz, rules,
                                   sent_days)
            if self.now - start > rules.max_lateness:
                late.append((i, opportunity))
                continue
            step = steps[i]
            candidate = _Candidate(
                Delivery(member.email, seq.key, step.id,
                         with_arm(variant_for(step, member.persona),
                                  arm_for(seq.key, step, member.email, self.winners.get((seq.key, step.id)))),
                         records[i],
                         opportunity, seq.meta.trigger.type, occurrence),
                seq.meta.trigger.type == "subscribed")
            break
        if late:
            i, opportunity = late[-1]
            names = ", ".join(steps[j].id for j, _ in late)
            self.skips.append(Skip(member.email, seq.key, steps[i].id, skip_tag(records[i]), opportunity,
                                   f"step {names} more than {_human(rules.max_lateness)} late"))
        return candidate

    def quiet_until(self, member: Member) -> datetime:
        """The first moment planning `member` can give anything, given their tags stay as they are: the first
        opportunity of a pending step (now, if one is already due), or the next new year, which brings new
        birthdays and anniversaries. Between now and then every tick plans nothing for them."""
        if member.status != "subscribed":
            return datetime.max.replace(tzinfo=timezone.utc)
        tz = member_zone(member, self.site_zone)
        local_now = self.now.astimezone(tz)
        month_day = normalise_month_day(member.birthday) if member.birthday else None
        wake = local_midnight(local_now.date().replace(year=local_now.year + 1, month=1, day=1), tz)
        for seq in self.project.sequences:
            if seq.meta.personas and member.persona not in seq.meta.personas:
                continue
            for occurrence, anchor in self.occurrences(seq, member, tz, local_now, month_day):
                _, done = _progress(seq, member, occurrence)
                if done + 1 < len(seq.meta.steps):
                    wake = min(wake, first_opportunity(anchor + seq.meta.steps[done + 1].delay, tz,
                                                       self.rules[seq.key]))
        return wake

    def choose(self, member: Member, tz, found: list[_Candidate]) -> None:
        recent = sends_since(member, self.now - WEEK)
        today = self.now.astimezone(tz).date()
        sent_today = {self.triggers.get(k.sequence) for k in recent
                      if k.slot_start.astimezone(tz).date() == today}
        found.sort(key=lambda c: (not c.welcome, c.delivery.due, c.delivery.sequence))
        chosen = False
        for c in found:
            d = c.delivery
            reason = None
            if chosen:
                reason = "one email per member at a time"
            elif len(recent) >= self.cap:
                reason = f"already {len(recent)} email(s) in the last 7 days (max_per_week: {self.cap})"
            elif self.birthday_rule and d.trigger == "birthday" and "subscribed" in sent_today:
                reason = "a welcome email went out today"
            elif self.birthday_rule and c.welcome and "birthday" in sent_today:
                reason = "a birthday email went out today"
            if reason:
                self.waits.append(Wait(d.email, d.sequence, d.step, d.due, reason))
            else:
                chosen = True
                self.candidates.append(c)

    def result(self) -> Plan:
        slot = slot_of(self.now)
        batches: dict[BatchKey, Batch] = {}
        for c in self.candidates:
            d = c.delivery
            key = BatchKey(d.sequence, d.step, d.variant, slot, d.occurrence)
            batches.setdefault(key, Batch(key)).deliveries.append(d)
        ordered = sorted(batches.values(), key=lambda b: str(b.key))
        for b in ordered:
            b.deliveries.sort(key=lambda d: d.email)
        return Plan(self.now, slot, ordered, sorted(self.skips, key=lambda s: (s.sequence, s.step, s.email)),
                    sorted(self.waits, key=lambda w: (w.sequence, w.step, w.email)))


def _progress(seq: SequenceFile, member: Member, occurrence: str | None) -> tuple[list[str], int]:
    """The record tag of each step of one occurrence, and the index of the last one recorded (-1: none)."""
    steps = seq.meta.steps
    records = [record_tag(seq.key, s.id, occurrence, len(steps) == 1) for s in steps]
    done = max((i for i, r in enumerate(records) if r in member.tags or skip_tag(r) in member.tags), default=-1)
    return records, done


def send_hour(project: Project, member: Member) -> int | None:
    """The hour (0-23) of their own day a member opens most, as `report` learnt it into their merge field, when
    `sending.send_hour.learn` is on; else None."""
    if not project.config.sending.send_hour.learn:
        return None
    value = member.merge_fields.get(project.config.mailchimp.fields.send_hour)
    try:
        hour = int(str(value).strip())
    except ValueError:
        return None
    return hour if 0 <= hour <= 23 else None


def record_of(project: Project, key: BatchKey) -> str | None:
    """The record tag a batch's members get once it is sent (None if its sequence or step is gone)."""
    seq = project.sequence(key.sequence)
    if seq is None or not any(s.id == key.step for s in seq.meta.steps):
        return None
    return record_tag(key.sequence, key.step, key.occurrence, len(seq.meta.steps) == 1)


def plan(project: Project, members: Sequence[Member], events: Iterable[Event], now: datetime, *,
         schedule: Schedule | None = None, winners: dict[tuple[str, str], str] | None = None) -> Plan:
    """Who is due for which step of which sequence at `now`, in which variant; what is too late; what waits.

    `schedule`, made once from the same project and events, saves working it out again on every call."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    planner = _Planner(schedule or Schedule(project, events, winners), now.astimezone(timezone.utc))
    for member in members:
        planner.member(member)
    return planner.result()


def quiet_until(project: Project, member: Member, now: datetime, *, schedule: Schedule | None = None) -> datetime:
    """When planning `member` (with the tags they have now) can next give anything: until then, `plan` at any
    later tick finds nothing for them, so a simulation need not ask."""
    return _Planner(schedule or Schedule(project), now.astimezone(timezone.utc)).quiet_until(member)


def _human(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours % 24 == 0 and hours:
        return f"{hours // 24}d"
    return f"{hours}h"
