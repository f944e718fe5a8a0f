"""`send` against the emulator through the real client: exactly once, repaired after any crash, kind to members."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from welcome_gen.delivery.apply import tick
from welcome_gen.delivery.push import push
from welcome_gen.project import load_project

from mailchimp.fixtures import AUDIENCE

UTC = timezone.utc


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(mailchimp_emulator):
    c = Clock(at("2027-03-01 08:00"))
    mailchimp_emulator.store.clock = c
    return c


def join(mc, email, when, *, persona="", birthday="", tz="", status="subscribed"):
    body = {"email_address": email, "status_if_new": status, "timestamp_opt": when.isoformat(),
            "merge_fields": {k: v for k, v in (("PERSONA", persona), ("BIRTHDAY", birthday), ("TIMEZONE", tz),
                                               ("FNAME", email.split("@")[0].title())) if v}}
    return mc.call("lists.set_list_member", mc.list_id, mc.subscriber_hash(email), body)


def delivered(emu) -> list[tuple[str, str]]:
    return sorted((d["email_address"], d["campaign_title"]) for d in emu.deliveries())


def test_a_tick_delivers_once_and_a_second_tick_does_nothing(project, mailchimp, mailchimp_emulator, clock):
    push(project, mailchimp)
    join(mailchimp, "ann@x.org", at("2027-03-01 09:30"), persona="Makers")
    join(mailchimp, "bob@x.org", at("2027-03-01 09:40"))
    clock.now = at("2027-03-01 10:05")
    report = tick(project, mailchimp, clock.now)
    assert [r.error for r in report.results] == [None, None]
    assert delivered(mailchimp_emulator) == [("ann@x.org", "wg:welcome:1:makers:2027030110"),
                                             ("bob@x.org", "wg:welcome:1:default:2027030110")]
    before = len(mailchimp_emulator.requests)
    again = tick(project, mailchimp, at("2027-03-01 10:40"))
    assert again.plan.empty and again.results == [] and not again.repaired
    writes = [r for r in list(mailchimp_emulator.requests)[before:] if r.method != "GET"]
    assert writes == []
    assert len(mailchimp_emulator.deliveries()) == 2


def setup_audience(mc, clock):
    """Three batches due at 10:00 on a Monday: two welcome variants and a birthday."""
    clock.now = at("2027-03-01 08:00")
    mc.list_id = mc.call("lists.create_list", AUDIENCE)["id"]
    for tag, name, kind in (("PERSONA", "Which of these describes you?", "text"), ("TIMEZONE", "Timezone", "text")):
        mc.call("lists.add_list_merge_field", mc.list_id, {"tag": tag, "name": name, "type": kind})
    join(mc, "ann@x.org", at("2027-03-01 09:30"), persona="makers")
    join(mc, "bob@x.org", at("2027-03-01 09:40"))
    join(mc, "cat@x.org", at("2026-05-01 09:40"), birthday="03/01")
    join(mc, "dan@x.org", at("2026-05-01 09:40"), birthday="03/01", tz="America/New_York")  # not yet 08:00 there
    clock.now = at("2027-03-01 10:05")


EXPECTED = [("ann@x.org", "welcome:1"), ("bob@x.org", "welcome:1"), ("cat@x.org", "birthday:2027.1")]


def received(emu) -> list[tuple[str, str]]:
    return sorted((d["email_address"], ":".join(d["campaign_title"].split(":")[1:3])) for d in emu.deliveries())


def clean_calls(project, mc, emu, clock) -> int:
    setup_audience(mc, clock)
    first = len(emu.requests)
    tick(project, mc, clock.now)
    assert received(emu) == EXPECTED
    return len(emu.requests) - first


@pytest.mark.parametrize("kind,after", [("500", False), ("500", True), ("drop", True)])
def test_a_crash_at_any_call_is_repaired_by_the_next_tick(project, mailchimp, mailchimp_emulator, clock, kind, after):
    emu = mailchimp_emulator
    calls = clean_calls(project, mailchimp, emu, clock)
    assert calls > 15
    for n in range(1, calls + 1):
        emu.reset()
        setup_audience(mailchimp, clock)
        # Call n fails on every retry the gateway makes, so the tick really loses it.
        emu.set_faults(nth=list(range(n, n + 5)), kind=kind, after=after)
        try:
            tick(project, mailchimp, clock.now)
        except Exception:
            pass  # a read failed: the tick stopped where it was
        emu.clear_faults()
        clock.now = at("2027-03-01 10:35")  # the next run, in the same hour
        tick(project, mailchimp, clock.now)
        clock.now = at("2027-03-01 11:05")  # and the hour after: nothing more
        tick(project, mailchimp, clock.now)
        assert received(emu) == EXPECTED, f"failing call {n} ({kind}, after={after})"


def test_a_crash_then_the_next_hour_removes_the_unsent_batch_and_sends_it_anew(project, mailchimp, mailchimp_emulator,
                                                                              clock):
    emu = mailchimp_emulator
    setup_audience(mailchimp, clock)
    # The reads succeed, a segment is made, then every call fails: Mailchimp is down for the rest of the hour.
    first = len(emu.requests)
    emu.set_faults(nth=list(range(9, 200)), kind="500")
    half = tick(project, mailchimp, clock.now)
    emu.clear_faults()
    assert half.exit_code == 3 and emu.deliveries() == []
    clock.now = at("2027-03-01 11:05")
    report = tick(project, mailchimp, clock.now)
    assert report.removed, "the unsent batches of 10:00 are removed"
    assert received(emu) == EXPECTED
    assert {r.key.split(":")[-1] for r in report.results} == {"2027030111"}
    assert all(r.error is None for r in report.results) and first < len(emu.requests)


def test_a_429_storm_slows_the_tick_but_everything_goes_once(project, mailchimp, mailchimp_emulator, clock):
    setup_audience(mailchimp, clock)
    mailchimp_emulator.set_faults(every=2, kind="429")
    report = tick(project, mailchimp, clock.now)
    assert all(r.error is None for r in report.results)
    tick(project, mailchimp, at("2027-03-01 10:45"))
    assert received(mailchimp_emulator) == EXPECTED
