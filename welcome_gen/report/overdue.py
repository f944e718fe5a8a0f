"""Who is overdue, why, and what would fix it: the top of the ledger.

Four kinds of overdue, each for a reason a person would notice:

- **untouched**: subscribed longer than `report.overdue_after` and no personal email ever reached them;
- **skipped**: a birthday, anniversary or thank-you that was marked skipped (the step came too late);
- **never thanked**: an event (a comment, an enquiry, a complaint) or a referral tag that no email has answered
  and none will: no sequence is triggered by it, the sequence is not for their persona, or the next tick would
  skip it as too late;
- **bounced**: an email of a sequence that Mailchimp could not deliver.

Why a step was skipped is not worked out again here: the planner is replayed (`journey.simulate`, the same planner
`send` runs) over the hours the step was due, from what the member had received by then, and what it said in
those hours (held back by the weekly limit, by the same-day rule, due but never sent, never inside the window) is
the reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo

from ..delivery.calendar import anniversary_in, birthday_in, local_midnight, member_zone
from ..delivery.journey import Entry, simulate
from ..delivery.members import Event, Member, normalise_month_day
from ..mailchimp.records import PREFIX, record_tag, safe_id, skip_tag
from ..delivery.plan import rules_for
from ..project.load import Project, SequenceFile
from .ledger import MemberRow, Overdue, Touch

LOOK_AHEAD = timedelta(days=8)  # how far `thank` and the ledger look for the next tick that sends something
AFTER_DUE = timedelta(days=10)  # how long after a skipped step fell due the replay looks (the weekly limit holds)
YOURSELF = "write to them yourself: a skipped step is never sent again"


def span(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    return f"{hours // 24}d" if hours and hours % 24 == 0 else f"{hours}h"


def when(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%a %Y-%m-%d %H:%M") if moment else "an unknown time"


def member_at(member: Member, touches: Sequence[Touch], moment: datetime, project: Project,
              leave_out: set[str]) -> Member:
    """The member as the planner saw them at `moment`: their own tags, and the records and batch tags of what had
    reached them by then (skips as they are now, but those in `leave_out`)."""
    tags = {t for t in member.tags if not t.startswith(PREFIX)}
    for t in touches:
        seq = project.sequence(t.sequence)
        if seq is None:
            continue
        record = record_tag(t.sequence, t.step, t.occurrence, len(seq.meta.steps) == 1)
        if t.status == "recorded" or t.status == "sent" and t.at is not None and t.at <= moment:
            tags.add(record)
            if t.key is not None:
                tags.add(str(t.key))
        elif t.status == "skipped" and skip_tag(record) not in leave_out:
            tags.add(skip_tag(record))
    return replace(member, tags=tags, status="subscribed", tag_dates=dict(member.tag_dates))


def anchor_of(project: Project, seq: SequenceFile, member: Member, occurrence: str | None,
              events: Sequence[Event]) -> datetime | None:
    """When an occurrence of a sequence started for a member (None when Mailchimp does not tell us)."""
    trigger = seq.meta.trigger
    tz = member_zone(member, project.config.site.timezone)
    try:
        if trigger.type == "subscribed":
            return member.joined
        if trigger.type == "birthday":
            day = normalise_month_day(member.birthday)
            return local_midnight(birthday_in(day, int(occurrence)), tz) if day else None
        if trigger.type == "anniversary" and member.joined is not None:
            joined = member.joined.astimezone(tz).date()
            return local_midnight(anniversary_in(joined, int(occurrence) - joined.year), tz)
        if trigger.type == "event":
            return next((e.occurred_at for e in events if e.name == trigger.event and safe_id(e.id) == occurrence),
                        None)
    except (TypeError, ValueError):
        return None
    return member.tag_dates.get(trigger.tag or "")


def explain_skip(project: Project, member: Member, touches: Sequence[Touch], events: Sequence[Event],
                 skipped: Touch, now: datetime) -> tuple[str, str, datetime | None]:
    """(why, fix, since) for a skipped step, from the planner replayed over the hours it was due."""
    seq = project.sequence(skipped.sequence)
    step = next(s for s in seq.meta.steps if s.id == skipped.step)
    rules = rules_for(project, seq)
    lateness = span(rules.max_lateness)
    anchor = anchor_of(project, seq, member, skipped.occurrence, events)
    if anchor is None:
        return (f"late: it was more than {lateness} late when `send` first saw it (when it fell due is not known)",
                YOURSELF, None)
    due = anchor + step.delay
    tz = member_zone(member, project.config.site.timezone)
    record = record_tag(seq.key, step.id, skipped.occurrence, len(seq.meta.steps) == 1)
    then = member_at(member, touches, due, project, {skip_tag(record)})
    entries = [e for e in simulate(project, [then], events, due - timedelta(hours=1),
                                   min(now, due + rules.max_lateness + AFTER_DUE), waits=True)
               if e.sequence == seq.key]
    held = [e for e in _until_skipped(entries) if e.kind == "waits"]
    sendable = [e for e in _until_skipped(entries) if e.kind == "sent" and e.step == step.id]
    cap = [e for e in held if "max_per_week" in e.note]
    same_day = [e for e in held if "went out today" in e.note]
    if cap:
        return (f"weekly cap: held back from {when(cap[0].when, tz)} ({cap[0].note}), then more than {lateness} late",
                f"raise sending.max_per_week or space the sequences out; {YOURSELF}", due)
    if same_day:
        return (f"same day: held back on {when(same_day[0].when, tz)} ({same_day[0].note}), then more than "
                f"{lateness} late", f"set sending.birthday_not_with_welcome: false if both may go on one day; "
                                    f"{YOURSELF}", due)
    if sendable:
        return (f"late: due from {when(sendable[0].when, tz)} in their window, but no `send` delivered it within "
                f"{lateness}", f"make sure `welcome-gen send` runs every hour (the send workflow) and succeeds; "
                                f"{YOURSELF}", due)
    window = f"{rules.start:%H:%M}-{rules.end:%H:%M}"
    return (f"window: it never came inside its send window ({window}, their time, on its days) within {lateness} "
            f"of {when(due, tz)}", f"widen the sequence's window or days, or raise max_lateness; {YOURSELF}", due)


def _until_skipped(entries: Sequence[Entry]) -> list[Entry]:
    out = []
    for e in entries:
        if e.kind == "skipped":
            break
        out.append(e)
    return out


class _Member:
    """One member's overdue findings, with the look-ahead simulated once and only when needed."""

    def __init__(self, project: Project, member: Member, row: MemberRow, events: list[Event], now: datetime):
        self.project, self.member, self.row, self.events, self.now = project, member, row, events, now
        self.tz = member_zone(member, project.config.site.timezone)
        self._ahead: list[Entry] | None = None

    @property
    def ahead(self) -> list[Entry]:
        """What the next ticks would do for this member, hour by hour, over the look-ahead."""
        if self._ahead is None:
            me = replace(self.member, tags=set(self.member.tags), tag_dates=dict(self.member.tag_dates))
            self._ahead = simulate(self.project, [me], self.events, self.now, self.now + LOOK_AHEAD, waits=True)
        return self._ahead

    def first(self, sequence: str, kinds: Iterable[str] = ("sent", "skipped")) -> Entry | None:
        return next((e for e in self.ahead if e.sequence == sequence and e.kind in kinds), None)

    def bounced(self) -> list[Overdue]:
        return [Overdue(self.member.email, f"{t.sequence}/{t.step} bounced on {when(t.at, self.tz)}",
                        f"Mailchimp could not deliver it ({t.detail}); a hard bounce cleans the address",
                        "check the address with them and update it in Mailchimp", t.at)
                for t in self.row.touches if t.status == "bounced"]

    def skipped(self) -> list[Overdue]:
        out = []
        for t in self.row.touches:
            if t.status != "skipped" or t.kind not in ("birthday", "anniversary", "thank-you"):
                continue
            if t.kind != "thank-you" and t.occurrence and t.occurrence.isdigit() and \
                    int(t.occurrence) < self.now.astimezone(self.tz).year - 1:
                continue  # a birthday of long ago is history, not something still to put right
            why, fix, since = explain_skip(self.project, self.member, self.row.touches, self.events, t, self.now)
            label = f"{t.kind} {t.occurrence}" if t.kind != "thank-you" and t.occurrence else t.kind
            out.append(Overdue(self.member.email, f"{label} skipped ({t.sequence}/{t.step})", why, fix, since))
        return out

    def unthanked(self) -> list[Overdue]:
        out = []
        for event in self.events:
            handlers = [s for s in self.project.sequences
                        if s.meta.trigger.type == "event" and s.meta.trigger.event == event.name]
            what = f"{event.name} of {when(event.occurred_at, self.tz)} never acknowledged"
            if not handlers:
                out.append(Overdue(self.member.email, what, f"no sequence is triggered by the event '{event.name}'",
                                   f"add a sequence with trigger: {{event: {event.name}}}, or reply to them yourself",
                                   event.occurred_at))
            for seq in handlers:
                out += self._answered(seq, safe_id(event.id), what, event.occurred_at)
        for seq in self.project.sequences:
            if seq.meta.trigger.type == "tag" and seq.meta.trigger.tag in self.member.tags:
                out += self._answered(seq, None, f"{seq.meta.trigger.tag} (tag) never thanked", None)
        return out

    def _answered(self, seq: SequenceFile, occurrence: str | None, what: str, since: datetime | None) -> list[Overdue]:
        """Nothing when the occurrence was thanked, was skipped (listed as such) or will go out soon."""
        mine = [t for t in self.row.touches if t.sequence == seq.key and t.occurrence == occurrence]
        if any(t.personal or t.status in ("skipped", "bounced") for t in mine):
            return []
        if seq.meta.personas and self.member.persona not in seq.meta.personas:
            return [Overdue(self.member.email, what, f"sequence {seq.key} is only for {', '.join(seq.meta.personas)}"
                            f" and their persona is '{self.member.persona}'",
                            "reply to them yourself, or add their persona to the sequence", since)]
        nxt = self.first(seq.key)
        if nxt is not None and nxt.kind == "sent":
            self.row.touches.append(Touch(seq.key, nxt.step, occurrence, "thank-you", "pending", nxt.when,
                                          variant=nxt.variant, detail="the next tick in their window sends it"))
            return []
        if nxt is not None:
            return [Overdue(self.member.email, what, f"late: the next tick marks it skipped ({nxt.note})",
                            f"reply to them yourself; raise the sequence's max_lateness for the future", since)]
        held = self.first(seq.key, ("waits",))
        return [Overdue(self.member.email, what, f"not due within {LOOK_AHEAD.days} days"
                        + (f": {held.note}" if held else ""), "reply to them yourself", since)]

    def untouched(self) -> list[Overdue]:
        joined, after = self.member.joined, self.project.config.report.overdue_after
        if joined is None or self.now - joined < after or any(t.personal for t in self.row.touches):
            return []
        days = (self.now - joined).days
        what = f"on the list {days // 7} week(s) ({days} days) with no personal email"
        skips = [t for t in self.row.touches if t.status == "skipped"]
        if skips:
            why, fix, _ = explain_skip(self.project, self.member, self.row.touches, self.events, skips[0], self.now)
            return [Overdue(self.member.email, what, f"{skips[0].sequence}/{skips[0].step} was skipped; {why}", fix,
                            joined)]
        if any(t.status == "bounced" for t in self.row.touches):
            return [Overdue(self.member.email, what, "every email to them bounced",
                            "check the address with them and update it in Mailchimp", joined)]
        welcomes = [s for s in self.project.sequences if s.meta.trigger.type == "subscribed"
                    and (not s.meta.personas or self.member.persona in s.meta.personas)]
        if not welcomes:
            return [Overdue(self.member.email, what, f"no welcome sequence reaches their persona "
                                                     f"'{self.member.persona}'",
                            "add the persona to a welcome sequence's personas, or write to them yourself", joined)]
        nxt = next((e for e in self.ahead if e.kind == "sent"), None)
        if nxt is not None:
            return [Overdue(self.member.email, what, f"late: {nxt.sequence}/{nxt.step} is due; the tick of "
                                                     f"{when(nxt.when, self.tz)} would send it",
                            "make sure `welcome-gen send` runs every hour (the send workflow) and succeeds", joined)]
        return [Overdue(self.member.email, what, "nothing is planned for them in the next "
                                                 f"{LOOK_AHEAD.days} days", "write to them yourself", joined)]


def find_overdue(project: Project, members: Sequence[Member], rows: list[MemberRow], events: Sequence[Event],
                 now: datetime) -> None:
    """Fill each row's `overdue` (and pending thank-yous); add a row for anyone with events who is not a member."""
    by_email = {r.email: r for r in rows}
    events_of: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        events_of[e.email.lower()].append(e)
    for member in members:
        row = by_email[member.email]
        mine = events_of.get(member.email, [])
        check = _Member(project, member, row, mine, now)
        found = check.bounced()
        if member.status == "subscribed":
            found += check.skipped() + check.unthanked() + check.untouched()
        elif mine:
            found += [Overdue(member.email, f"{e.name} of {when(e.occurred_at, check.tz)} never acknowledged",
                              f"they are {member.status}: welcome-gen writes only to subscribed members",
                              "reply to them yourself", e.occurred_at) for e in mine]
        row.overdue = found
    tz = ZoneInfo(project.config.site.timezone)
    for email in sorted(set(events_of) - set(by_email)):
        rows.append(MemberRow(email, "", "", None, overdue=[
            Overdue(email, f"{e.name} of {when(e.occurred_at, tz)} never acknowledged",
                    "they are not in the Mailchimp audience", "reply to them yourself, or ask them to subscribe",
                    e.occurred_at) for e in events_of[email]]))
