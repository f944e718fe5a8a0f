"""A randomized soak of exactly-once delivery: random members, changes and tick times, random faults at random
calls (500 before or after the effect, dropped connections, empty 403s, 429 storms, answers later than the
client's timeout), then clean ticks. Judged from the emulator's record of deliveries, and against a fault-free
replay of the same scenario: nothing twice, nothing lost, nothing outside the window, in the wrong variant or to
someone not subscribed, no skip caused by a crash, no unsent batch left behind.

Some faulty ticks also meet Mailchimp at its unkindest (sends canceled part way, lagging sends and segment adds, a
refusing gate). Deterministic by seed. `WELCOME_GEN_SOAK_SEEDS=20` runs more seeds (`WELCOME_GEN_SOAK_SEED` picks the first);
`WELCOME_GEN_SOAK_MEMBERS` and `WELCOME_GEN_SOAK_DAYS` make each one bigger.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import datetime

import pytest

from welcome_gen.mailchimp.reads import SENT
from welcome_gen.delivery.calendar import member_zone, open_at
from welcome_gen.delivery.members import Member
from welcome_gen.mailchimp.records import SKIPPED, parse_batch_key
from welcome_gen.delivery.plan import record_of, rules_for
from welcome_gen.project.steps import variant_for

from soak import Outcome, Scenario, replay, scenario

FIRST = int(os.environ.get("WELCOME_GEN_SOAK_SEED", "1"))
SEEDS = range(FIRST, FIRST + int(os.environ.get("WELCOME_GEN_SOAK_SEEDS", "1")))
MEMBERS = int(os.environ.get("WELCOME_GEN_SOAK_MEMBERS", "30"))
DAYS = int(os.environ.get("WELCOME_GEN_SOAK_DAYS", "40"))


def at_time(history: list, when: datetime) -> tuple[str, str, str]:
    """(status, persona, timezone) of a member at `when`."""
    found = [h for h in history if h[0] <= when]
    return found[-1][1:] if found else ("", "", "")


def problems(project, sc: Scenario, out: Outcome) -> list[str]:
    """Everything wrong with one replay, judged from its deliveries and the tags left in Mailchimp."""
    bad, counts = [], Counter()
    site_zone = project.config.site.timezone
    for d in out.deliveries:
        key = parse_batch_key(d["campaign_title"])
        if key is None:
            continue
        email, when = d["email_address"], datetime.fromisoformat(d["time"])
        record = record_of(project, key)
        counts[(email, record)] += 1
        status, persona, tz = at_time(out.history[email], when)
        seq = project.sequence(key.sequence)
        step = next(s for s in seq.meta.steps if s.id == key.step)
        if status != "subscribed":
            bad.append(f"{email} got {record} at {when} while {status or 'not a member'}")
        if not open_at(when.astimezone(member_zone(Member(email, timezone=tz), site_zone)), rules_for(project, seq)):
            bad.append(f"{email} got {record} at {when} outside the window ({tz or site_zone})")
        if key.variant != variant_for(step, persona):
            bad.append(f"{email} got {record} in variant {key.variant} as {persona or 'no persona'}")
        if seq.meta.personas and persona not in seq.meta.personas:
            bad.append(f"{email} got {record} as {persona or 'no persona'}, outside the sequence's personas")
        if record not in out.tags.get(email, set()):
            bad.append(f"{email} got {record} but carries no record of it (it would be sent again)")
    bad += [f"{e} got {r} {n} times" for (e, r), n in counts.items() if n > 1]
    records = {name for name in out.segments if name.startswith("wg:") and parse_batch_key(name) is None
               and not name.endswith(SKIPPED)}
    for email, tags in out.tags.items():
        bad += [f"{email} is recorded as having {t} but never received it" for t in tags & records
                if not counts[(email, t)]]
    last = out.last_now.strftime("%Y%m%d%H") if out.last_now else ""
    for c in out.campaigns:
        key = parse_batch_key(c["title"])
        if key is not None and c["status"] not in SENT and key.slot != last:
            bad.append(f"unsent batch {c['title']} ({c['status']}) left behind")
    # A canceled campaign went to some: a record like a sent one.
    sent = {c["title"] for c in out.campaigns if c["status"] in SENT}
    bad += [f"batch segment {name} left without a sent campaign" for name in out.segments
            if (key := parse_batch_key(name)) is not None and name not in sent and key.slot != last]
    return bad


def received(out: Outcome) -> set[tuple[str, str]]:
    return {(e, t) for e, tags in out.tags.items() for t in tags if t.startswith("wg:") and parse_batch_key(t) is None}


@pytest.mark.parametrize("seed", SEEDS)
def test_soak_random_faults_nothing_twice_nothing_lost(project, mailchimp_emulator, seed, capsys):
    sc = scenario(seed, MEMBERS, DAYS)
    clean = replay(project, mailchimp_emulator, sc, faults=False)
    assert problems(project, sc, clean) == [], f"seed {seed}, without faults"
    faulty = replay(project, mailchimp_emulator, sc, faults=True)
    found = problems(project, sc, faulty)
    # The same records (received and skipped) as without faults: a crash neither loses a step nor makes one late.
    lost = sorted(received(clean) - received(faulty))
    extra = sorted(received(faulty) - received(clean))
    found += [f"{e}: {r} without faults, not with them" for e, r in lost]
    found += [f"{e}: {r} with faults, not without them" for e, r in extra]
    sent = sum(1 for d in faulty.deliveries if parse_batch_key(d["campaign_title"]))
    doubles = sum(1 for f in found if " times" in f)
    with capsys.disabled():
        print(f"\nsoak seed {seed}: {len(sc.people)} members, {sc.days} days, {faulty.ticks} ticks "
              f"({faulty.faulted_ticks} with faults, {faulty.unkind_ticks} of them with Mailchimp unkind: "
              f"{faulty.failed_requests} failed requests, {faulty.timeouts} late answers), {sent} "
              f"deliveries ({sum(1 for d in clean.deliveries if parse_batch_key(d['campaign_title']))} without "
              f"faults), {doubles} doubles, {len(lost)} losses, {faulty.calls} calls")
    assert found == [], f"seed {seed} (WELCOME_GEN_SOAK_SEED={seed} WELCOME_GEN_SOAK_SEEDS=1):\n  " + "\n  ".join(
        found[:40]) + "\n" + "\n".join(faulty.log[-10:])
