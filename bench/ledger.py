"""Benchmark the ledger's assembly (no Mailchimp): every member's history from sent-to lines and tags, and the
overdue list, where each skipped birthday is explained by replaying the planner over the days it was due.

The audience is the example project's: members who joined over the past year, each with the welcome series
received, a share with a skipped birthday (replayed), a share who never got anything (looked ahead), and a
share with an unanswered comment. Prints the members, the overdue lines and the wall time.

    python bench/ledger.py [--members 5000] [--skipped 0.05] [--untouched 0.02] [--comments 0.02]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from welcome_gen.delivery.members import BatchKey, Event, Member
from welcome_gen.project import load_project
from welcome_gen.report.ledger import Received, assemble

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2027, 9, 6, 10, 5, tzinfo=timezone.utc)


def audience(project, n: int, skipped: float, untouched: float, comments: float):
    rng = random.Random(7)
    welcome = next(s for s in project.sequences if s.key == "welcome")
    members, received, events = [], {}, []
    for i in range(n):
        email = f"member{i:06d}@bench.test"
        joined = NOW - timedelta(days=rng.randint(20, 360), hours=rng.randint(0, 23))
        member = Member(email, opted_in=joined, birthday=f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}")
        roll = rng.random()
        if roll < untouched:
            members.append(member)
            continue
        lines = []
        for step in welcome.meta.steps:
            at = joined + step.delay + timedelta(hours=1)
            key = BatchKey("welcome", step.id, "default", at.strftime("%Y%m%d%H"))
            lines.append(Received(key, at, "sent", rng.randint(0, 2)))
            member.tags.add(f"wg:welcome:{step.id}")
        if roll < untouched + skipped:
            member.tags.add(f"wg:birthday:{NOW.year}:skipped")
            member.birthday = f"{(NOW - timedelta(days=rng.randint(5, 60))):%m/%d}"
        if rng.random() < comments:
            events.append(Event(email, "commented", f"c{i}", NOW - timedelta(days=rng.randint(3, 30))))
        members.append(member)
        received[email] = lines
    return members, received, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--skipped", type=float, default=0.05)
    parser.add_argument("--untouched", type=float, default=0.02)
    parser.add_argument("--comments", type=float, default=0.02)
    args = parser.parse_args()
    project = load_project(ROOT)
    members, received, events = audience(project, args.members, args.skipped, args.untouched, args.comments)
    start = time.perf_counter()
    ledger = assemble(project, members, received, events, NOW)
    took = time.perf_counter() - start
    kinds: dict[str, int] = {}
    for o in ledger.overdue:
        kind = o.what.split(" ")[0] if "skipped" not in o.what else "skipped"
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"{len(ledger.members)} members, {sum(len(m.touches) for m in ledger.members)} touches, "
          f"{len(ledger.overdue)} overdue lines {dict(sorted(kinds.items()))}")
    print(f"assembled in {took:.2f} s ({took / max(1, len(members)) * 1000:.2f} ms a member)")


if __name__ == "__main__":
    main()
