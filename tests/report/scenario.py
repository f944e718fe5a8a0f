"""The report tests' project (a welcome series with a persona variant, and a birthday) and what was delivered."""

from __future__ import annotations

from dataclasses import dataclass

from delivery.support import CONFIG  # the delivery tests' settings: London, a 09:00-19:00 window, Monday to Saturday

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


@dataclass
class Delivered:
    campaigns: dict[str, str]  # title -> campaign id

    def id(self, prefix: str) -> str:
        """The one campaign whose title starts with `prefix` (the key without its hour)."""
        (found,) = [cid for title, cid in self.campaigns.items() if title.startswith(prefix)]
        return found
