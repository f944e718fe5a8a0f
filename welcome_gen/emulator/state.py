"""The emulator's data: one JSON document behind a lock, written atomically after every change."""

from __future__ import annotations

import copy
import json
import secrets
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from ..folders import write_atomic
from .behaviours import Behaviours
from .clock import EmulatorClock

VERSION = 1


def empty() -> dict[str, Any]:
    return {
        "version": VERSION,
        "web_id": 100000,
        "lists": {},  # list_id -> list resource
        "members": {},  # list_id -> {subscriber_hash -> member}
        "forgotten": {},  # list_id -> [subscriber_hash] (deleted permanently; cannot be re-imported)
        "merge_fields": {},  # list_id -> {merge_id -> field}
        "categories": {},  # list_id -> {category_id -> interest category}
        "interests": {},  # list_id -> {interest_id -> interest (with category_id)}
        "segments": {},  # list_id -> {segment_id -> segment, with "members": {hash: date_added}}
        "events": {},  # list_id -> {hash -> [event]}
        "templates": {},
        "campaigns": {},
        "folders": {},  # campaign folders
        "contents": {},  # campaign_id -> content
        "deliveries": [],
        "activity": [],  # opens and clicks posted through /_emulator/
        "batches": {},
        "journey_triggers": [],
    }


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def parse_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class Store:
    """State shared by the server's threads. Mutate only inside `with store:`; the exit persists."""

    def __init__(self, path: Path | str | None = None, clock: Callable[[], datetime] | None = None):
        self.path = Path(path) if path else None
        self.clock = clock or EmulatorClock()
        self._lock = threading.RLock()
        self._dirty = False
        self.sending_reads = 0  # how many reads of a just-sent campaign still say "sending"
        self.behaviours = Behaviours()
        self.requests = 0  # API requests served, the measure of segment lag
        self.data = self._load()

    def _load(self) -> dict[str, Any]:
        if self.path and self.path.is_file():
            data = json.loads(self.path.read_text(encoding="utf-8"))
            fresh = empty()
            fresh.update(data)
            return fresh
        return empty()

    def __enter__(self) -> "Store":
        self._lock.acquire()
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._dirty:
                self.save()
        finally:
            self._dirty = False
            self._lock.release()

    def touch(self) -> None:
        """Mark the state changed: it is written before the answer goes out, so an ack is never lost."""
        self._dirty = True

    def save(self) -> None:
        if not self.path:
            return
        # Written and renamed before the answer goes out: a killed emulator loses nothing it acknowledged.
        # No fsync: that would guard against a power cut, at 15x the cost of every write. One C-encoded string
        # is 3x faster than json.dump.
        write_atomic(self.path, json.dumps(self.data, separators=(",", ":")))

    def reset(self) -> None:
        with self:
            self.data = empty()
            self.touch()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self.data)

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Put back the state a `snapshot` took (a copy of it, so one snapshot serves many restores)."""
        with self:
            self.data = copy.deepcopy(snapshot)
            self.touch()

    # ids and times --------------------------------------------------------------------------------------

    def now(self) -> str:
        return iso(self.clock())

    def new_id(self) -> str:
        """Mailchimp-like ids: ten lowercase hex digits."""
        return secrets.token_hex(5)

    def web_id(self) -> int:
        self.data["web_id"] += 1
        return self.data["web_id"]

    def under(self, kind: str, list_id: str) -> dict:
        """The per-list collection `kind` (members, segments, ...) of list `list_id`."""
        return self.data[kind].setdefault(list_id, {})
