"""Plain data the planner reads: members and events (read from Mailchimp, from files, or made up by `journey`).

What a member has received lives in Mailchimp as member tags, named in `mailchimp/records.py`. Batch tags are kept
for fourteen days, which is how the weekly limit and the "not on the same day" rule know *when* a member received
something.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Iterable, Mapping

from ..mailchimp.records import BatchKey, parse_batch_key
#: How long batch tags (and so send times) are kept: the weekly window plus a week, so that time a step spent
#: held back by the weekly limit can be told apart from lateness.
BATCH_TAG_DAYS = 14


@dataclass
class Member:
    """One audience member as the planner needs it (read from Mailchimp, or made up by `journey`)."""

    email: str
    status: str = "subscribed"
    persona: str = ""
    first_name: str = ""
    birthday: str | None = None  # MM/DD
    timezone: str | None = None  # the TIMEZONE merge field
    location_timezone: str | None = None  # Mailchimp's geolocated guess
    opted_in: datetime | None = None  # timestamp_opt (UTC); falls back to signed_up
    signed_up: datetime | None = None
    tags: set[str] = field(default_factory=set)
    tag_dates: dict[str, datetime] = field(default_factory=dict)  # when a trigger tag was added, if known
    merge_fields: dict[str, object] = field(default_factory=dict)
    id: str = ""  # Mailchimp's subscriber hash

    @property
    def joined(self) -> datetime | None:
        return self.opted_in or self.signed_up


@dataclass(frozen=True)
class Event:
    """Something a member did that a sequence thanks them for (a comment, a referral)."""

    email: str
    name: str
    id: str
    occurred_at: datetime
    properties: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What a tick records in Mailchimp, as member tags: each (email, tag) it adds (a batch tag and a record tag per
    recipient, a skip mark per late step; the record of a send Mailchimp is still making is held, not yet written)
    and each it takes away (a batch that was never sent records nothing)."""

    added: tuple[tuple[str, str], ...] = ()
    removed: tuple[tuple[str, str], ...] = ()

    def __add__(self, later: "Outcome") -> "Outcome":
        return Outcome(self.added + later.added, self.removed + later.removed)


def apply_outcome(members: Iterable[Member], outcome: Outcome) -> None:
    """Bring members read before a tick up to what the tick recorded: the one way `send` and `journey` update the
    members they hold, as Mailchimp updates its own."""
    by_email = {m.email.lower(): m for m in members}
    for email, tag in outcome.removed:
        if (member := by_email.get(email.lower())) is not None:
            member.tags.discard(tag)
    for email, tag in outcome.added:
        if (member := by_email.get(email.lower())) is not None:
            member.tags.add(tag)


def sends_since(member: Member, since: datetime) -> list[BatchKey]:
    """Batches this member was in whose slot started after `since` (their batch tags)."""
    out = []
    for tag in member.tags:
        key = parse_batch_key(tag)
        if key is not None and key.slot_start > since:
            out.append(key)
    return sorted(out, key=lambda k: k.slot)


@lru_cache(maxsize=4096)
def normalise_month_day(value: object, day_first: bool = False) -> str | None:
    """A birthday as `MM/DD`, from Mailchimp's `MM/DD` (or `DD/MM` when the audience's field is set so), or None
    when empty or not a real day."""
    text = str(value or "").strip()
    m = re.match(r"^(\d{1,2})/(\d{1,2})$", text)
    if not m:
        return None
    month, day = int(m.group(1)), int(m.group(2))
    if day_first:
        month, day = day, month
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    try:
        datetime(2000, month, day)
    except ValueError:
        return None
    return f"{month:02d}/{day:02d}"
