"""The emulator's clock: the real time, or a chosen time that runs on from when it was set (or stands still).

Every time the emulator gives (create and send times, `timestamp_opt`, tag dates, what `since_…` filters compare,
when a scheduled campaign is due, the daily send cap) is read from it, so a walkthrough or a test that runs
`send --now T` can put Mailchimp in the same time as its calls.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone


class EmulatorClock:
    """Callable: the emulator's now. Unset, the real time; `set(when)` moves it, running on from there."""

    def __init__(self, start: datetime | None = None, *, frozen: bool = False):
        self._start: datetime | None = None
        self._set_at = 0.0
        self.frozen = False
        if start is not None:
            self.set(start, frozen=frozen)

    def set(self, when: datetime, *, frozen: bool = False) -> None:
        self._start = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
        self._set_at = time.monotonic()
        self.frozen = frozen

    def __call__(self) -> datetime:
        if self._start is None:
            return datetime.now(timezone.utc)
        if self.frozen:
            return self._start
        return self._start + timedelta(seconds=time.monotonic() - self._set_at)

    def describe(self) -> dict:
        return {"now": self().astimezone(timezone.utc).isoformat(), "set": self._start is not None,
                "frozen": self.frozen}

