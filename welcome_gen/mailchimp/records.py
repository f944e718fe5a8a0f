"""The names welcome-gen gives what it writes into Mailchimp, which are its only record of who received what.

- a record tag per sequence step, per occurrence for recurring and event sequences:
  `wg:welcome:2`, `wg:birthday:2027`, `wg:thanks-comment:<event-id>` (a multi-step recurring sequence adds the
  step: `wg:birthday:2027:2`); `…:skipped` marks a step that was too late and will never be sent;
- the batch tag: each batch's static segment is itself a tag, `wg:<seq>:<step>:<variant>:<slot>`, where the slot
  is the UTC hour `YYYYMMDDHH` of the tick that formed it (a recurring or event sequence writes the occurrence
  before the step: `wg:birthday:2027.1:default:2027031509`, so a batch's key names its record tag). A second run
  in the same hour that finds that batch already sent makes the next round, `…:2027031509.2`, rather than adding
  members to a campaign that will never go again. Its campaign carries the same name as its title;
- a newsletter issue's campaign is titled `wg:issue:<slug>`.

`send` writes and reads these names; `report` reads them back to count each step's numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

PREFIX = "wg:"
SKIPPED = "skipped"
SLOT_RE = re.compile(r"^(\d{10})(?:\.([1-9]\d*))?$")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
ISSUE = f"{PREFIX}issue:"  # the title of a newsletter issue's campaign begins so


@dataclass(frozen=True)
class BatchKey:
    """One batch of one tick: a step of a sequence (of one occurrence) in one variant, formed in one UTC hour.

    Its text (`str(key)`) names the batch's static segment and campaign in Mailchimp, and is parsed back by
    `parse_batch_key`, so a later tick finds what an earlier one left half done.
    """

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


def issue_title(slug: str) -> str:
    """The title of a newsletter issue's campaign, its record: found sent, the issue is never sent again."""
    return f"{ISSUE}{slug}"
