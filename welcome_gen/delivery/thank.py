"""`welcome-gen thank`: record that a member commented, enquired, complained or referred someone, and say when
the acknowledgement goes out.

    handler = find_handler(project, "complaint")           # the sequence that answers it (UsageError if none)
    thanked = record(project, mc, "ann@x.org", "complaint", note="broken chisel", now=now)
    rows = outstanding(project, mc, now)                     # `thank --list`: recorded, not yet answered

An event kind is answered by a sequence triggered by that event (`trigger: {event: complaint}`); KIND may name the
event or the sequence (`--for comment` finds `sequences/comment.yaml`, triggered by `commented`). An event is
appended as one JSON line to welcome.yaml's `events.file`, which `send` reads beside `events/`. A sequence triggered
by a tag (a referral) is answered by putting that tag on the member in Mailchimp instead; a tag answers once per
member. When it goes out is the planner's answer, run forward hour by hour from now (`journey.simulate`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from ..errors import UsageError
from ..mailchimp.client import Mailchimp, MailchimpError
from ..project.load import Project, SequenceFile
from .audience import to_member
from .calendar import member_zone
from .events import read_file, read_folder, recorded_file
from .journey import Entry, simulate
from ..mailchimp.records import record_tag, safe_id, skip_tag
from .members import Event, Member

LOOK_AHEAD = timedelta(days=8)


@dataclass
class Outcome:
    """What `thank` did and what will happen: the event (or tag) recorded, and the planner's next word on it."""

    email: str
    kind: str
    sequence: SequenceFile
    event: Event | None  # None when a tag was added instead
    tag: str | None
    next: Entry | None  # the first tick that sends (or skips) it, within the look-ahead
    tz: str
    held: Entry | None = None  # the first tick that held it back before that, and why

    def says(self) -> str:
        """When the acknowledgement goes out, in the member's time and UTC (or why not)."""
        n = self.next
        if n is None:
            why = f" (held back: {self.held.note})" if self.held else ""
            return (f"nothing is planned within {LOOK_AHEAD.days} days{why}; run "
                    f"`welcome-gen journey --email {self.email}`")
        at = f"{n.local:%a %Y-%m-%d %H:%M} their time ({self.tz}), {n.when:%Y-%m-%d %H:%M} UTC"
        waited = f" (held back until then: {self.held.note})" if self.held and self.held.when < n.when else ""
        if n.kind == "sent":
            return f"{self.sequence.key}/{n.step} goes out with the first tick from {at}{waited}"
        return f"it would be skipped at {at}: {n.note}{waited}"


def kinds(project: Project) -> dict[str, SequenceFile]:
    """Every name `--for` accepts: each event sequence's event and key, each tag sequence's key and tag."""
    out: dict[str, SequenceFile] = {}
    for seq in project.sequences:
        trigger = seq.meta.trigger
        if trigger.type in ("event", "tag"):
            out.setdefault(seq.key, seq)
            out.setdefault(trigger.event or trigger.tag, seq)
    return out


def find_handler(project: Project, kind: str) -> SequenceFile:
    found = kinds(project).get(kind.strip())
    if found is None:
        known = ", ".join(sorted(kinds(project))) or "none"
        raise UsageError(f"--for {kind}: no sequence is triggered by '{kind}' (add one with trigger: {{event: {kind}}}); "
                         f"known: {known}")
    return found


def read_member(project: Project, mc: Mailchimp, email: str) -> Member:
    """The member with their tags; a usage error when Mailchimp has no such member."""
    try:
        doc = mc.call("lists.get_list_member", mc.list_id, Mailchimp.subscriber_hash(email))
    except MailchimpError as exc:
        if exc.status == 404:
            raise UsageError(f"{email} is not a member of the audience; nothing recorded") from None
        raise
    return to_member(project, doc or {})


def _check_reaches(seq: SequenceFile, member: Member) -> None:
    if member.status != "subscribed":
        raise UsageError(f"{member.email} is {member.status}: welcome-gen writes only to subscribed members; "
                         "nothing recorded (reply to them yourself)")
    if seq.meta.personas and member.persona not in seq.meta.personas:
        raise UsageError(f"sequence {seq.key} is only for {', '.join(seq.meta.personas)} and {member.email} is "
                         f"'{member.persona}'; nothing recorded")


def new_event(project: Project, email: str, name: str, note: str | None, now: datetime,
              existing: list[Event]) -> Event:
    """An event with an id unique among those recorded (kind, time and a digest of the address)."""
    digest = hashlib.sha256(email.encode()).hexdigest()[:6]
    base = f"{name}-{now.astimezone(timezone.utc):%Y%m%d%H%M%S}-{digest}"
    taken = {safe_id(e.id) for e in existing if e.name == name}
    event_id, n = base, 1
    while safe_id(event_id) in taken:
        n += 1
        event_id = f"{base}-{n}"
    return Event(email, name, event_id, now, {"note": note} if note else {})


def append_event(project: Project, event: Event) -> None:
    """One JSON line at the end of the events file (created with its folder); the file is checked first, so a
    broken file is reported and left alone."""
    path = recorded_file(project)
    if path.is_file():
        read_file(path, project.config.events.file)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"email": event.email, "name": event.name, "id": event.id,
           "occurred_at": event.occurred_at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")}
    if event.properties:
        doc["properties"] = dict(event.properties)
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    with path.open("a", encoding="utf-8", newline="\n") as f:
        f.write(("" if not text or text.endswith("\n") else "\n") + json.dumps(doc, ensure_ascii=False) + "\n")


def next_entry(project: Project, member: Member, events: list[Event], sequence: str,
               now: datetime) -> tuple[Entry | None, Entry | None]:
    """The planner's word on `sequence` for this member from now on: the first tick that sends (or skips) it, and
    the first that held it back before that."""
    me = replace(member, tags=set(member.tags), tag_dates=dict(member.tag_dates))
    mine = [e for e in events if e.email == member.email]
    held = None
    for entry in simulate(project, [me], mine, now, now + LOOK_AHEAD, waits=True):
        if entry.sequence != sequence:
            continue
        if entry.kind != "waits":
            return entry, held
        held = held or entry
    return None, held


def record(project: Project, mc: Mailchimp, email: str, kind: str, *, note: str | None, now: datetime) -> Outcome:
    """Check, then record one acknowledgement to send; nothing is written when a check fails."""
    seq = find_handler(project, kind)
    email = email.strip().lower()
    events = read_folder(project)  # a broken events file stops here, before anything is asked or written
    member = read_member(project, mc, email)
    _check_reaches(seq, member)
    tz = str(member_zone(member, project.config.site.timezone))
    trigger = seq.meta.trigger
    if trigger.type == "tag":
        record_done = record_tag(seq.key, seq.meta.steps[0].id, None, len(seq.meta.steps) == 1)
        if trigger.tag in member.tags or record_done in member.tags or skip_tag(record_done) in member.tags:
            raise UsageError(f"{email} already has the tag {trigger.tag}: sequence {seq.key} thanks each member once; "
                             "nothing recorded")
        mc.call("lists.update_list_member_tags", mc.list_id, member.id,
                {"tags": [{"name": trigger.tag, "status": "active"}]})
        member.tags.add(trigger.tag)
        member.tag_dates[trigger.tag] = now
        return Outcome(email, kind, seq, None, trigger.tag, *_next(project, member, events, seq.key, now, tz))
    event = new_event(project, email, trigger.event, note, now, events)
    append_event(project, event)
    return Outcome(email, kind, seq, event, None, *_next(project, member, [*events, event], seq.key, now, tz))


def _next(project: Project, member: Member, events: list[Event], sequence: str, now: datetime,
          tz: str) -> tuple[Entry | None, str, Entry | None]:
    entry, held = next_entry(project, member, events, sequence, now)
    return entry, tz, held


@dataclass
class Waiting:
    """`thank --list`: one recorded event whose acknowledgement has not gone out."""

    event: Event
    sequence: str | None  # None: no sequence answers it
    status: str  # "pending", "skipped", "not subscribed", "not a member", "no sequence"
    says: str


def outstanding(project: Project, mc: Mailchimp, now: datetime) -> list[Waiting]:
    """Every recorded event not yet acknowledged, with what will happen to it (one member read per person)."""
    events = read_folder(project)
    handlers = {s.meta.trigger.event: s for s in project.sequences if s.meta.trigger.type == "event"}
    people = sorted({e.email for e in events})

    def one(email: str) -> Member | None:
        try:
            return read_member(project, mc, email)
        except UsageError:
            return None

    members = dict(zip(people, mc.map(one, people)))
    out = []
    for event in sorted(events, key=lambda e: (e.occurred_at, e.email)):
        seq, member = handlers.get(event.name), members[event.email]
        if seq is None:
            out.append(Waiting(event, None, "no sequence", f"no sequence is triggered by '{event.name}'"))
            continue
        if member is None or member.status != "subscribed":
            status = "not a member" if member is None else "not subscribed"
            out.append(Waiting(event, seq.key, status, "reply to them yourself"))
            continue
        records = [record_tag(seq.key, s.id, safe_id(event.id), len(seq.meta.steps) == 1) for s in seq.meta.steps]
        if any(r in member.tags for r in records):
            continue  # answered
        if any(skip_tag(r) in member.tags for r in records):
            out.append(Waiting(event, seq.key, "skipped", "it came too late and was skipped: reply yourself"))
            continue
        tz = str(member_zone(member, project.config.site.timezone))
        says = Outcome(member.email, event.name, seq, event, None, *_next(project, member, [event], seq.key, now,
                                                                          tz)).says()
        out.append(Waiting(event, seq.key, "pending", says))
    return out
