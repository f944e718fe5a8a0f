"""Faults on demand: fail chosen requests, slow every answer, hold requests to build up concurrency."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

KINDS = ("500", "503", "429", "403", "500-empty", "502-html", "drop")


@dataclass
class Faults:
    """Which API requests fail and how. Request numbers count API calls from 1 since the last change."""

    every: int = 0  # fail every Nth request (0: never)
    nth: list[int] = field(default_factory=list)  # fail exactly these requests
    # 500/503 (problem body), 429/403 (empty body, as under heavy load), 500-empty (a 500 with no body),
    # 502-html (a proxy's HTML error page), drop (no answer)
    kind: str = "500"
    after: bool = False  # fail after the request took effect (the answer is lost), not before
    delay_ms: int = 0  # slow every answer by this much
    count: int = 0
    _held: threading.Event = field(default_factory=threading.Event, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        self._held.set()

    def next_request(self) -> str | None:
        """Count one API request; the fault kind to apply to it, if any."""
        self.count += 1
        hit = (self.every and self.count % self.every == 0) or self.count in self.nth
        return self.kind if hit else None

    def describe(self) -> dict:
        return {"every": self.every, "nth": self.nth, "kind": self.kind, "after": self.after,
                "delay_ms": self.delay_ms, "count": self.count, "held": not self._held.is_set()}

    @classmethod
    def from_json(cls, doc: dict) -> "Faults":
        unknown = set(doc) - {"every", "nth", "kind", "after", "delay_ms"}
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        return cls(every=int(doc.get("every") or 0), nth=[int(n) for n in doc.get("nth") or []],
                   kind=str(doc.get("kind", "500")), after=bool(doc.get("after", False)),
                   delay_ms=int(doc.get("delay_ms") or 0))
