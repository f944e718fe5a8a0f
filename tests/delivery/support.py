"""Helpers for the delivery tests: a small project with every kind of sequence, a settable clock, members joining
through the real client, who got what."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path

from helpers import write

UTC = timezone.utc

CONFIG = """\
site:
  title: Delivery test
  url: https://shop.test/  # not a placeholder address: `send` refuses emails preflight refuses
  timezone: Europe/London
  signup: {action: "https://x.us1.list-manage.com/subscribe/post?u=a&id=b"}
business:
  name: Test Shop
  postal_address: 1 Road, Town
  reply_to: hi@shop.test
  from_name: Ada
mailchimp:
  audience_id: list1
sending:
  window: {start: "09:00", end: "19:00"}
  days: [mon, tue, wed, thu, fri, sat]
  max_lateness: 2d
  max_per_week: 3
"""

PERSONA = "---\ntitle: {title}\nfit: true\nsummary: s\n---\nWho they are.\n"
BODY = "Hello {{ subscriber.first_name | default('friend') }}, this is {name}.\n\n*|UNSUB|*\n"

FILES = {
    "welcome.yaml": CONFIG,
    "content/audiences/makers.md": PERSONA.format(title="Makers"),
    "content/audiences/learners.md": PERSONA.format(title="Learners"),
    "sequences/welcome.yaml": """\
title: Welcome
trigger: subscribed
steps:
  - id: "1"
    subject: Welcome
    body: welcome-1.md
    variants:
      makers: {subject: "Welcome, maker"}
  - id: "2"
    delay: 2d
    subject: Our story
    body: welcome-2.md
  - id: "3"
    delay: 7d
    subject: A week in
    body: welcome-3.md
""",
    "sequences/makers.yaml": """\
title: For makers
trigger: subscribed
personas: [makers]
steps:
  - id: tools
    delay: 4d
    subject: Tools we like
    body: makers-tools.md
""",
    "sequences/birthday.yaml": """\
title: Birthday
trigger: birthday
max_lateness: 1d
window: {start: "08:00", end: "20:00"}
days: [mon, tue, wed, thu, fri, sat, sun]
steps:
  - subject: Happy birthday
    body: birthday.md
""",
    "sequences/anniversary.yaml": """\
title: Anniversary
trigger: anniversary
steps:
  - subject: A year together
    body: anniversary.md
""",
    "sequences/thanks-referral.yaml": """\
title: Thanks for the referral
trigger: {tag: referred-a-friend}
steps:
  - subject: Thank you
    body: thanks.md
""",
    "sequences/thanks-comment.yaml": """\
title: Thanks for the comment
trigger: {event: commented}
steps:
  - subject: Thanks for writing
    body: thanks.md
""",
}
for _name in ("welcome-1", "welcome-2", "welcome-3", "makers-tools", "birthday", "anniversary", "thanks"):
    FILES[f"sequences/{_name}.md"] = BODY.replace("{name}", _name)


def write_project(root: Path, extra: dict[str, str] | None = None) -> Path:
    write(root, {**FILES, **(extra or {})})
    return root



def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def join(mc, email, when, *, persona="", birthday="", tz="", status="subscribed"):
    body = {"email_address": email, "status_if_new": status, "timestamp_opt": when.isoformat(),
            "merge_fields": {k: v for k, v in (("PERSONA", persona), ("BIRTHDAY", birthday), ("TIMEZONE", tz),
                                               ("FNAME", email.split("@")[0].title())) if v}}
    return mc.call("lists.set_list_member", mc.list_id, mc.subscriber_hash(email), body)


def delivered(emu) -> list[tuple[str, str]]:
    """(email, campaign title) of every delivery so far."""
    return sorted((d["email_address"], d["campaign_title"]) for d in emu.deliveries())


def received(emu) -> list[tuple[str, str]]:
    """(email, "sequence:step") of every delivery so far."""
    return sorted((d["email_address"], ":".join(d["campaign_title"].split(":")[1:3])) for d in emu.deliveries())


class SlowAnswers:
    """Makes the emulator answer chosen requests late: the request takes effect, the answer comes after the client
    gave up waiting (its timeout). Requests are counted from `arm()`."""

    def __init__(self, emu, seconds: float):
        self.emu, self.seconds, self.original = emu, seconds, emu.execute
        self.slow: set[int] = set()
        self.count = self.served = 0
        emu.execute = self.execute

    def arm(self, *numbers: int) -> None:
        self.slow, self.count = set(numbers), 0

    def execute(self, *args, **kwargs):
        answer = self.original(*args, **kwargs)
        self.count += 1
        if self.count in self.slow:
            self.served += 1
            time.sleep(self.seconds)
        return answer
