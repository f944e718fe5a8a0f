"""A small project whose welcome series is delivered by real ticks against the emulator, then opened and clicked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from welcome_gen.delivery.apply import tick
from welcome_gen.delivery.push import push
from welcome_gen.project import load_project

from helpers import write

UTC = timezone.utc
CONFIG = """\
site:
  title: Report test
  url: https://example.org/
  timezone: Europe/London
  signup: {action: "https://x.us1.list-manage.com/subscribe/post?u=a&id=b"}
business:
  name: Test Shop
  postal_address: 1 Road, Town
  reply_to: hi@example.org
  from_name: Ada
mailchimp:
  audience_id: list1
sending:
  window: {start: "09:00", end: "19:00"}
  days: [mon, tue, wed, thu, fri, sat]
"""
BODY = "Hello {{ subscriber.first_name | default('friend') }}, see [our tools](https://example.org/tools/).\n\n*|UNSUB|*\n"
FILES = {
    "welcome.yaml": CONFIG,
    "content/audiences/makers.md": "---\ntitle: Makers\nfit: true\nsummary: s\n---\nWho they are.\n",
    "sequences/welcome.yaml": """\
title: Welcome series
trigger: subscribed
steps:
  - id: hello
    subject: Welcome aboard
    body: step.md
    variants:
      makers: {subject: "Welcome, maker"}
  - id: story
    delay: 2d
    subject: Our story
    body: step.md
  - id: week
    delay: 7d
    subject: A week in
    body: step.md
""",
    "sequences/birthday.yaml": """\
title: Birthday
trigger: birthday
steps:
  - subject: Happy birthday
    body: step.md
""",
    "sequences/step.md": BODY,
}
PEOPLE = ("ann@x.org", "bob@x.org", "cat@x.org", "dan@x.org")
URL = "https://example.org/tools/"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def join(mc, email: str, when: datetime, persona: str = "") -> None:
    body = {"email_address": email, "status_if_new": "subscribed", "timestamp_opt": when.isoformat(),
            "merge_fields": {"FNAME": email.split("@")[0].title(), **({"PERSONA": persona} if persona else {})}}
    mc.call("lists.set_list_member", mc.list_id, mc.subscriber_hash(email), body)


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    return write(tmp_path / "shop", FILES)


@pytest.fixture
def project(project_dir: Path):
    return load_project(project_dir)


@pytest.fixture
def clock(mailchimp_emulator) -> Clock:
    c = Clock(at("2027-03-01 08:00"))
    mailchimp_emulator.store.clock = c
    return c


@dataclass
class Delivered:
    campaigns: dict[str, str]  # title -> campaign id

    def id(self, prefix: str) -> str:
        """The one campaign whose title starts with `prefix` (the key without its hour)."""
        (found,) = [cid for title, cid in self.campaigns.items() if title.startswith(prefix)]
        return found


@pytest.fixture
def delivered(project, mailchimp, mailchimp_emulator, clock) -> Delivered:
    """Three ticks (1, 3 and 8 March 2027) delivering the three welcome steps, then posted opens and clicks.

    ann is a maker; dan joins on the 8th, so step `hello` goes out twice in its default variant.
    """
    emu = mailchimp_emulator
    push(project, mailchimp)
    for email in PEOPLE[:3]:
        join(mailchimp, email, at("2027-03-01 09:30"), persona="Makers" if email == "ann@x.org" else "")
    for moment in ("2027-03-01 10:05", "2027-03-03 10:05", "2027-03-08 10:05"):
        clock.now = at(moment)
        if moment.startswith("2027-03-08"):
            join(mailchimp, "dan@x.org", at("2027-03-08 09:00"))
        report = tick(project, mailchimp, clock.now)
        assert report.results and all(r.error is None for r in report.results)
    campaigns = {d["campaign_title"]: d["campaign_id"] for d in emu.deliveries()}
    d = Delivered(campaigns)
    clock.now = at("2027-03-09 12:00")
    emu.add_open(d.id("wg:welcome:hello:makers:"), "ann@x.org")
    emu.add_click(d.id("wg:welcome:hello:makers:"), "ann@x.org", URL)
    first_default = d.id("wg:welcome:hello:default:20270301")
    emu.add_open(first_default, "bob@x.org")
    emu.add_open(first_default, "bob@x.org")  # twice: one unique open
    for email in PEOPLE[:3]:
        emu.add_open(d.id("wg:welcome:story:default:"), email)
    emu.add_click(d.id("wg:welcome:story:default:"), "bob@x.org", URL)
    emu.add_click(d.id("wg:welcome:story:default:"), "bob@x.org", URL + "#again")
    return d
