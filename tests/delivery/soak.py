"""The machinery of the soak test: a random scenario from a seed, replayed against the emulator with or without
faults, and the deliveries it produced.

A scenario is pure data drawn from one seed: members (some joined a year ago, so anniversaries and late welcome
steps come up), hourly changes (unsubscribes, comebacks, persona and timezone changes, trigger tags, events) and
the tick times (mostly a few minutes past the hour, some just before or just after it, some runs repeated in the
same hour, some a little behind the last one). `replay` plays it through the real client; with `faults`, a share
of the ticks in the first part fail at random calls in random ways, some of them with Mailchimp at its unkindest
(sends canceled part way, sends and segment adds that lag, a gate that refuses every send), and the rest run clean
so repair can finish.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from welcome_gen.delivery.tick import tick
from welcome_gen.delivery.audience import to_member
from welcome_gen.delivery.members import Event
from welcome_gen.delivery.plan import plan
from welcome_gen.delivery.push import push
from welcome_gen.mailchimp.client import Mailchimp, MailchimpError, RetryPolicy
from welcome_gen.emulator import members as emu_members

from mailchimp.fixtures import AUDIENCE
from helpers import outbox_of
from support import Clock, SlowAnswers, join

UTC = timezone.utc
START = datetime(2028, 2, 7, tzinfo=UTC)  # a Monday: 29 February and both DST changes fall inside
ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham",
         "America/Los_Angeles", "Asia/Kathmandu", ""]
PERSONAS = ["makers", "learners", ""]  # what the signup form sends: persona slugs
FAULTS = ["500", "503", "500-empty", "502-html", "drop", "403", "429-storm", "timeout"]
UNKIND = ["cancel_after", "send_lag_reads", "segment_lag", "unverified_domain"]
QUICK = RetryPolicy(attempts=5, base_delay=0.001, max_delay=0.01)


@dataclass
class Person:
    email: str
    joined: datetime
    persona: str
    birthday: str
    tz: str


@dataclass
class Scenario:
    seed: int
    days: int
    clean_days: int  # the last days run without faults
    people: list[Person]
    changes: dict[int, list[tuple]]  # hour index -> (run index, change...) made just before that run
    ticks: dict[int, list[timedelta]]  # hour index -> offsets of the runs in that hour (may be negative)


def scenario(seed: int, members: int = 30, days: int = 40, clean_days: int = 12) -> Scenario:
    rng = random.Random(seed)

    def birthday() -> str:
        if rng.random() < 0.2:
            return ""
        if rng.random() < 0.25:
            return "02/29"
        day = START + timedelta(days=rng.randrange(days))
        return f"{day.month:02d}/{day.day:02d}"

    people = []
    for i in range(members):
        old = i < members // 4  # joined about a year ago: welcome long past, anniversary coming
        joined = (START - timedelta(days=365 - rng.randrange(days - 5)) if old
                  else START + timedelta(days=rng.randrange(days - clean_days)))
        joined += timedelta(hours=rng.randrange(24), minutes=rng.randrange(60))
        people.append(Person(f"m{i:03d}@x.org", joined, rng.choice(PERSONAS), birthday(), rng.choice(ZONES)))
    changes: dict[int, list[tuple]] = {}
    ticks: dict[int, list[timedelta]] = {}
    for hour in range(days * 24):
        first = rng.choice([timedelta(minutes=rng.randrange(3, 20))] * 6 + [timedelta(seconds=-2),
                                                                             timedelta(seconds=1)])
        runs = [first]
        if rng.random() < 0.12:  # someone runs it again in the same hour
            runs.append(first + timedelta(minutes=rng.randrange(10, 40)))
        if rng.random() < 0.03:  # a runner whose clock is behind the last run's
            runs.append(runs[-1] - timedelta(seconds=rng.randrange(20, 90)))
        ticks[hour] = runs
        found = []
        for kind, p in (("unsubscribe", 0.012), ("comeback", 0.02), ("persona", 0.01), ("timezone", 0.004),
                        ("tag", 0.006), ("event", 0.012)):
            if rng.random() < p:
                run = rng.randrange(len(runs))
                run = run if run == 0 or runs[run] > runs[run - 1] else 0  # not before a run already made
                found.append((run, kind, rng.randrange(members), rng.choice(PERSONAS if kind == "persona" else ZONES)))
        if found:
            changes[hour] = found
    return Scenario(seed, days, clean_days, people, changes, ticks)


@dataclass
class Outcome:
    deliveries: list[dict]
    tags: dict[str, set[str]]  # email -> every tag, whatever the member's status
    history: dict[str, list[tuple[datetime, str, str, str]]]  # email -> (from, status, persona, timezone)
    campaigns: list[dict]
    segments: list[str]
    ticks: int = 0
    faulted_ticks: int = 0
    unkind_ticks: int = 0
    failed_requests: int = 0
    timeouts: int = 0
    calls: int = 0
    last_now: datetime | None = None
    log: list[str] = field(default_factory=list)


class _Model:
    """What the test knows of each member, to judge each delivery at its time."""

    def __init__(self) -> None:
        self.state: dict[str, dict] = {}
        self.history: dict[str, list[tuple[datetime, str, str, str]]] = {}

    def set(self, email: str, when: datetime, **changes: str) -> None:
        self.state.setdefault(email, {}).update(changes)
        s = self.state[email]
        self.history.setdefault(email, []).append((when, s["status"], s["persona"], s["tz"]))


def replay(project, emu, sc: Scenario, faults: bool) -> Outcome:
    """Play the scenario against a fresh audience; with `faults`, fail ticks of the first part at random."""
    rng = random.Random(sc.seed * 7919 + 1)
    emu.reset()
    clock = Clock(START - timedelta(days=400))
    emu.store.clock = clock
    mc = Mailchimp(emu.api_key, url=emu.url, retry=QUICK, timeout=0.25 if faults else 20)
    mc.list_id = mc.call("lists.create_list", AUDIENCE)["id"]
    push(project, outbox_of(project), mc)
    slow = SlowAnswers(emu, 0.3)
    model, events = _Model(), []
    out = Outcome([], {}, model.history, [], [])
    joined, forced = set(), False
    try:
        for hour in range(sc.days * 24):
            base = START + timedelta(hours=hour)
            runs = sc.ticks[hour]
            for run, offset in enumerate(runs):
                now = base + offset
                if run == 0 or offset > runs[run - 1]:
                    # Members join and change between runs (the last run of the hour before is at most 58
                    # minutes past it; runs in the same hour are at least 10 minutes apart).
                    clock.now = between = now - timedelta(seconds=30)
                    for p in sc.people:
                        if p.email not in joined and p.joined <= between:
                            join(mc, p.email, p.joined, persona=p.persona, birthday=p.birthday, tz=p.tz)
                            model.set(p.email, between, status="subscribed", persona=p.persona, tz=p.tz)
                            joined.add(p.email)
                    for change in sc.changes.get(hour, []):
                        if change[0] == run:
                            _change(mc, model, events, sc.people, change[1:], between)
                clock.now = now
                if not forced and _idle(project, emu, mc.list_id, events, now):
                    continue
                spec = _fault(rng) if faults and hour < (sc.days - sc.clean_days) * 24 and rng.random() < 0.4 else None
                if spec and rng.random() < 0.5:
                    spec["unkind"] = _unkind(rng)
                forced = _run(project, emu, mc, slow, now, events, spec, out)
                if forced and spec and rng.random() < 0.3:  # someone re-runs the failed job at once
                    clock.now = now + timedelta(minutes=1)
                    forced = _run(project, emu, mc, slow, clock.now, events, None, out)
    finally:
        emu.execute = slow.original
    out.deliveries = emu.deliveries()
    with emu.store:
        members = emu.store.under("members", mc.list_id)
        for seg in emu.store.under("segments", mc.list_id).values():
            if seg["type"] == "static":
                out.segments.append(seg["name"])
                for h in seg["members"]:
                    if h in members:
                        out.tags.setdefault(members[h]["email_address"], set()).add(seg["name"])
        out.campaigns = [{"title": c["settings"]["title"], "status": c["status"]}
                         for c in emu.store.data["campaigns"].values()]
    out.calls = mc.calls
    return out


def _change(mc, model: _Model, events: list, people: list[Person], change: tuple, now: datetime) -> None:
    kind, index, value = change
    email = people[index].email
    state = model.state.get(email)
    if state is None:
        return  # not joined yet
    h = mc.subscriber_hash(email)
    if kind == "unsubscribe" and state["status"] == "subscribed":
        mc.call("lists.update_list_member", mc.list_id, h, {"status": "unsubscribed"})
        model.set(email, now, status="unsubscribed")
    elif kind == "comeback" and state["status"] == "unsubscribed":
        mc.call("lists.update_list_member", mc.list_id, h, {"status": "pending"})  # they confirm again
        mc.call("lists.update_list_member", mc.list_id, h, {"status": "subscribed"})
        model.set(email, now, status="subscribed")
    elif kind == "persona":
        mc.call("lists.update_list_member", mc.list_id, h, {"merge_fields": {"PERSONA": value}})
        model.set(email, now, persona=value)
    elif kind == "timezone":
        mc.call("lists.update_list_member", mc.list_id, h, {"merge_fields": {"TIMEZONE": value}})
        model.set(email, now, tz=value)
    elif kind == "tag":
        mc.call("lists.update_list_member_tags", mc.list_id, h,
                {"tags": [{"name": "referred-a-friend", "status": "active"}]})
    elif kind == "event":
        events.append(Event(email, "commented", f"c{len(events)}", now))


def _idle(project, emu, list_id: str, events: list, now: datetime) -> bool:
    """Whether a tick now would plan nothing (judged from the emulator's state without HTTP), to skip quiet hours."""
    with emu.store:
        docs = [emu_members.view(emu.store, list_id, m) for m in emu.store.under("members", list_id).values()]
    return plan(project, [to_member(project, d) for d in docs if d["status"] == "subscribed"], events, now).empty


def _fault(rng: random.Random) -> dict:
    kind = rng.choice(FAULTS)
    first, width = rng.randrange(1, 45), rng.choice([1, 1, 2, 5, 6])  # 5 or more outlast the client's retries
    # An empty 403 is Mailchimp turning a request away under load, before it does anything (as a 429 is).
    after = rng.random() < 0.5 and kind != "403"
    return {"kind": kind, "nth": list(range(first, first + width)), "after": after,
            "every": rng.choice([2, 3]) if kind == "429-storm" else 0}


def _unkind(rng: random.Random) -> dict:
    """One or two of Mailchimp's unkind behaviours, for one tick."""
    chosen = rng.sample(UNKIND, rng.choice([1, 2]))
    values = {"cancel_after": rng.randrange(0, 3), "send_lag_reads": rng.randrange(1, 5),
              "segment_lag": rng.randrange(1, 8), "unverified_domain": True}
    return {name: values[name] for name in chosen}


def _run(project, emu, mc, slow: SlowAnswers, now: datetime, events: list, spec: dict | None, out: Outcome) -> bool:
    """One tick, failing as `spec` says; True when it did not finish cleanly (so the next hour runs for sure)."""
    if spec and spec.get("unkind"):
        emu.set_behaviours(**spec["unkind"])
        out.unkind_ticks += 1
    if spec and spec["kind"] == "timeout":
        slow.arm(spec["nth"][0])
        out.timeouts += 1
    elif spec and spec["kind"] == "429-storm":
        emu.set_faults(every=spec["every"], kind="429")
    elif spec:
        emu.set_faults(nth=spec["nth"], kind=spec["kind"], after=spec["after"])
    out.faulted_ticks += bool(spec)
    out.ticks += 1
    out.last_now = now
    try:
        report = tick(project, outbox_of(project), mc, now, events=list(events))
        clean = report.exit_code == 0
    except MailchimpError as exc:
        clean = False
        out.log.append(f"{now:%Y-%m-%d %H:%M:%S} {spec}: {exc}")
    finally:
        f = emu.faults
        out.failed_requests += sum(1 for n in f.nth if n <= f.count) + (f.count // f.every if f.every else 0)
        emu.clear_faults()
        emu.set_behaviours()
        slow.arm()
    return not clean or bool(spec)
