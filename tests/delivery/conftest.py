"""A small project with every kind of sequence, written on disk for the delivery tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from welcome_gen.project import load_project

from helpers import write

CONFIG = """\
site:
  title: Delivery test
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


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    return write_project(tmp_path / "shop")


@pytest.fixture
def project(project_dir: Path):
    return load_project(project_dir)
