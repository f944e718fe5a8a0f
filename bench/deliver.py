"""Benchmark one `send` tick: 100,000 members (5,000 due) against the emulator with 50 ms per call.

Prints the Mailchimp calls used against the floor (member pages of 1,000 + segment adds of 500 + the fixed
calls of each batch and of the tick) and the wall time. Targets: within 10% of the floor, under 2 minutes.

    python bench/deliver.py [--members 100000] [--due 5000] [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from welcome_gen.delivery.tick import tick
from welcome_gen.email.outbox import render_outbox
from welcome_gen.mailchimp.client import Mailchimp, RetryPolicy
from welcome_gen.emulator import Emulator, default_spec_path, load_spec
from welcome_gen.emulator import members as emu_members
from welcome_gen.emulator.common import new_segment
from welcome_gen.project import load_project

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2027, 3, 1, 10, 5, tzinfo=timezone.utc)  # a Monday, 10:05 in London
AUDIENCE = {"name": "Bench", "permission_reminder": "You signed up on our site.", "email_type_option": False,
            "contact": {"company": "Bramble & Bolt", "address1": "Unit 4", "city": "Bristol", "state": "",
                        "zip": "BS4 3EH", "country": "GB"},
            "campaign_defaults": {"from_name": "Ada", "from_email": "hi@example.org", "subject": "", "language": "en"}}


def seed(emu: Emulator, mc: Mailchimp, project, total: int, due: int) -> None:
    """Members straight into the emulator's state (the API would take 200 batch calls to say the same)."""
    personas = [p.slug for p in project.fit_personas]
    for tag, name in (("PERSONA", "Which of these describes you?"), ("TIMEZONE", "Timezone")):
        mc.call("lists.add_list_merge_field", mc.list_id, {"tag": tag, "name": name, "type": "text"})
    done_tags = [f"wg:{s.key}:{s.meta.steps[-1].id}" for s in project.sequences if s.meta.trigger.type == "subscribed"]
    with emu.store:
        members = emu.store.under("members", mc.list_id)
        segments = {tag: new_segment(emu.store, mc.list_id, tag, "static") for tag in done_tags}
        for i in range(total):
            email = f"member{i:06d}@example.org"
            m = emu_members._blank(emu.store, mc.list_id, email)
            fresh = i < due
            m.update(status="subscribed", timestamp_opt=("2027-03-01T09:30:00+00:00" if fresh
                                                         else "2025-06-15T12:00:00+00:00"),
                     merge_fields={"FNAME": f"M{i}", "PERSONA": personas[i % len(personas)] if i % 3 else "",
                                   "TIMEZONE": "", "BIRTHDAY": ""}, last_changed="2027-03-01T09:30:00+00:00")
            members[m["id"]] = m
            if not fresh:  # long past their welcome: its last step is recorded
                for seg in segments.values():
                    seg["members"][m["id"]] = "2025-07-01T00:00:00+00:00"
        emu.store.touch()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--due", type=int, default=5_000)
    ap.add_argument("--latency-ms", type=int, default=50)
    args = ap.parse_args(argv)
    project = load_project(ROOT)
    spec_path = default_spec_path()
    spec = load_spec(spec_path) if spec_path and spec_path.is_file() else None
    with Emulator(spec=spec, clock=lambda: NOW) as emu:
        mc = Mailchimp(emu.api_key, url=emu.url, retry=RetryPolicy(base_delay=0.05), timeout=120)
        mc.list_id = mc.call("lists.create_list", AUDIENCE)["id"]
        t0 = time.perf_counter()
        seed(emu, mc, project, args.members, args.due)
        seeded = time.perf_counter() - t0
        emu.set_faults(delay_ms=args.latency_ms)
        calls_before = mc.calls
        t0 = time.perf_counter()
        report = tick(project, render_outbox(project), mc, NOW)
        wall = time.perf_counter() - t0
        calls = mc.calls - calls_before
        failed = [r for r in report.results if r.error]
        batches = len(report.results)
        # create segment, create campaign, content, re-read (status and count), checklist, send, read the status
        # that shows it, create record tag; and who it reached (sent-to), a page per 1,000
        per_batch = 8
        per_tick = 4  # folders, segments, campaigns, merge fields (member pages counted apart)
        adds = sum(2 * math.ceil(len(b.deliveries) / 500) for b in report.plan.batches)  # batch segment + record tag
        sent_to = sum(math.ceil(len(b.deliveries) / 1000) for b in report.plan.batches)
        floor = math.ceil(args.members / 1000) + adds + sent_to + per_batch * batches + per_tick
        print(f"members {args.members:,}, due {args.due:,}, latency {args.latency_ms} ms/call "
              f"(seeding took {seeded:.1f}s)")
        print(f"planned {len(report.plan.deliveries):,} in {batches} batch(es); delivered {report.delivered:,}; "
              f"failed batches {len(failed)}; emulator recorded {len(emu.deliveries()):,} emails")
        print(f"Mailchimp calls: {calls} (retries {mc.retries}); floor {floor} = {math.ceil(args.members / 1000)} "
              f"member pages + {adds} segment adds of 500 + {sent_to} sent-to pages + {per_batch}x{batches} per batch "
              f"+ {per_tick} per tick; "
              f"{100 * (calls - floor) / floor:+.1f}% over the floor")
        print(f"wall time: {wall:.1f}s (target < 120s); plan+deliver only")
        return 0 if not failed and report.delivered == args.due else 1


if __name__ == "__main__":
    sys.exit(main())
