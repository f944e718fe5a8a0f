"""`send` against the emulator through the real client: exactly once, repaired after any crash, kind to members."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from welcome_gen.delivery.apply import tick
from welcome_gen.delivery.push import push
from welcome_gen.project import load_project

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
