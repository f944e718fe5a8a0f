"""Plain data the planner reads: members and events, and the tag names that record deliveries in Mailchimp.

What a member has received lives in Mailchimp as member tags:

- a record tag per sequence step, per occurrence for recurring and event sequences:
  `wg:welcome:2`, `wg:birthday:2027`, `wg:thanks-comment:<event-id>` (a multi-step recurring sequence adds the
  step: `wg:birthday:2027:2`); `…:skipped` marks a step that was too late and will never be sent;
- the batch tag: each batch's static segment is itself a tag, `wg:<seq>:<step>:<variant>:<slot>`, where the slot
  is the UTC hour `YYYYMMDDHH` of the tick that formed it (a recurring or event sequence writes the occurrence
  before the step: `wg:birthday:2027.1:default:2027031509`, so a batch's key names its record tag). A second run
  in the same hour that finds that batch already sent makes the next round, `…:2027031509.2`, rather than adding
  members to a campaign that will never go again. Batch tags are kept for fourteen days, which is how the weekly
  limit and the "not on the same day" rule know *when* a member received something.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime, timezone
from typing import Mapping

PREFIX = "wg:"
SKIPPED = "skipped"
SLOT_RE = re.compile(r"^(\d{10})(?:\.([1-9]\d*))?$")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
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
class BatchKey:
    sequence: str
    step: str
    variant: str
    slot: str
    occurrence: str | None = None
    round: int = 1  # a later run in the same hour never reuses a sent batch: it makes the next round

    def __str__(self) -> str:
        step = f"{self.occurrence}.{self.step}" if self.occurrence else self.step
        slot = f"{self.slot}.{self.round}" if self.round > 1 else self.slot
        return f"{PREFIX}{self.sequence}:{step}:{self.variant}:{slot}"

    @property
    def slot_start(self) -> datetime:
        return slot_start(self.slot)


def slot_of(instant: datetime) -> str:
    """The UTC hour a tick belongs to, as `YYYYMMDDHH`."""
    return instant.astimezone(timezone.utc).strftime("%Y%m%d%H")


@lru_cache(maxsize=65536)
def slot_start(slot: str) -> datetime:
    """`YYYYMMDDHH` -> that UTC hour (read by hand: the planner asks this for every batch tag on every tick)."""
    if len(slot) != 10 or not (slot.isascii() and slot.isdigit()):
        raise ValueError(f"not a slot: {slot!r}")
    return datetime(int(slot[:4]), int(slot[4:6]), int(slot[6:8]), int(slot[8:]), tzinfo=timezone.utc)


@lru_cache(maxsize=65536)
def parse_batch_key(tag: str) -> BatchKey | None:
    """`wg:welcome:2:default:2027010509` (or `…:2027010509.2`, a later round) -> BatchKey; anything else -> None."""
    if not tag.startswith(PREFIX):
        return None
    parts = tag[len(PREFIX):].split(":")
    slot = SLOT_RE.match(parts[3]) if len(parts) == 4 else None
    if slot is None:
        return None
    seq, step, variant, _ = parts
    occurrence, dot, step_id = step.rpartition(".")
    return BatchKey(seq, step_id, variant, slot.group(1), occurrence if dot else None, int(slot.group(2) or 1))


def safe_id(value: str) -> str:
    """An event id as it may appear inside a tag name (no ':' or '.', which separate the parts of a key)."""
    return _UNSAFE.sub("-", str(value)).strip("-")[:60] or "x"


def record_tag(sequence: str, step: str, occurrence: str | None, single_step: bool) -> str:
    """The tag that says a member received (or skipped) one step of one occurrence of a sequence."""
    if occurrence is None:
        return f"{PREFIX}{sequence}:{step}"
    if single_step:
        return f"{PREFIX}{sequence}:{occurrence}"
    return f"{PREFIX}{sequence}:{occurrence}:{step}"


def skip_tag(record: str) -> str:
    return f"{record}:{SKIPPED}"


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
