"""A simulated year against the emulator through the real client: what members receive, read from its record."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from welcome_gen.delivery.tick import tick
from welcome_gen.delivery.audience import to_member
from welcome_gen.mailchimp.records import parse_batch_key
from welcome_gen.delivery.plan import plan, record_of
from welcome_gen.emulator import members as emu_members

from helpers import outbox_of
from support import Clock, join

UTC = timezone.utc
START = datetime(2027, 1, 4, tzinfo=UTC)
PEOPLE = [  # email, joins after (days), persona, birthday, timezone
    ("ann@x.org", 3, "makers", "02/29", "America/New_York"),
    ("bob@x.org", 40, "", "03/27", "Asia/Kolkata"),
    ("cat@x.org", 85, "learners", "10/31", "Australia/Lord_Howe"),
    ("dan@x.org", 120, "makers", "", ""),
    ("eve@x.org", 200, "", "12/31", "Pacific/Chatham"),
]


def shadow(project, emu, list_id, now):
    """The plan the tick would make, from the emulator's state without HTTP: to skip hours where nothing is due."""
    with emu.store:
        docs = [emu_members.view(emu.store, list_id, m) for m in emu.store.under("members", list_id).values()]
    return plan(project, [to_member(project, d) for d in docs if d["status"] == "subscribed"], [], now)


def test_a_year_of_hourly_ticks(project, mailchimp, mailchimp_emulator):
    emu, mc = mailchimp_emulator, mailchimp
    clock = Clock(START)
    emu.store.clock = clock
    for tag, name in (("PERSONA", "Which of these describes you?"), ("TIMEZONE", "Timezone")):
        mc.call("lists.add_list_merge_field", mc.list_id, {"tag": tag, "name": name, "type": "text"})
    joins = {START + timedelta(days=d, hours=13): (e, p, b, z) for e, d, p, b, z in PEOPLE}
    away = (START + timedelta(days=6), START + timedelta(days=60))  # ann leaves after step 2 and comes back
    bob_persona = START + timedelta(days=150)
    ticks = 0
    now = START
    while now < START + timedelta(days=425):  # through 29 February 2028
        clock.now = now
        for when, (email, persona, birthday, tz) in joins.items():
            if when <= now < when + timedelta(hours=1):
                join(mc, email, now, persona=persona, birthday=birthday, tz=tz)
        h = mc.subscriber_hash("ann@x.org")
        if away[0] <= now < away[0] + timedelta(hours=1):
            mc.call("lists.update_list_member", mc.list_id, h, {"status": "unsubscribed"})
        if away[1] <= now < away[1] + timedelta(hours=1):
            mc.call("lists.update_list_member", mc.list_id, h, {"status": "pending"})
            mc.call("lists.update_list_member", mc.list_id, h, {"status": "subscribed"})
        if bob_persona <= now < bob_persona + timedelta(hours=1):
            mc.call("lists.update_list_member", mc.list_id, mc.subscriber_hash("bob@x.org"),
                    {"merge_fields": {"PERSONA": "makers"}})
        # An honest shortcut: run the real tick whenever the planner has anything to do, and once a day anyway.
        if not shadow(project, emu, mc.list_id, now).empty or now.hour == 12:
            report = tick(project, outbox_of(project), mc, now + timedelta(minutes=7))
            assert report.exit_code == 0, report.results
            ticks += 1
        now += timedelta(hours=1)

    deliveries = emu.deliveries()
    zones = {e: z for e, _, _, _, z in PEOPLE}
    records = Counter()
    for d in deliveries:
        key = parse_batch_key(d["campaign_title"])
        records[(d["email_address"], record_of(project, key))] += 1
        sent = datetime.fromisoformat(d["time"])
        local = sent.astimezone(ZoneInfo(zones[d["email_address"]] or "Europe/London"))
        if key.sequence == "birthday":
            assert time(8) <= local.time() < time(20)
        else:
            assert local.weekday() != 6 and time(9) <= local.time() < time(19), (d["campaign_title"], local)
        assert not (away[0] + timedelta(hours=1) <= sent < away[1]) or d["email_address"] != "ann@x.org"
    assert max(records.values()) == 1, "nobody receives anything twice"
    for email, *_ in PEOPLE:
        steps = sorted(r for (e, r), _ in records.items() if e == email and r.startswith("wg:welcome:"))
        assert steps == ["wg:welcome:1", "wg:welcome:2", "wg:welcome:3"], (email, steps)
    # Ann came back: her welcome resumed at step 3 instead of starting over.
    ann = sorted(d["time"] for d in deliveries if d["email_address"] == "ann@x.org" and ":welcome:" in d["campaign_title"])
    assert datetime.fromisoformat(ann[2]) > away[1]
    assert records[("ann@x.org", "wg:birthday:2027")] == 0  # she was away on 28 February 2027
    leap = [d["time"] for d in deliveries if d["email_address"] == "ann@x.org" and ":birthday:" in d["campaign_title"]]
    assert len(leap) == 1 and datetime.fromisoformat(leap[0]).astimezone(ZoneInfo("America/New_York")).date() \
        .isoformat() == "2028-02-29"
    assert records[("bob@x.org", "wg:makers:tools")] == 0  # became a maker after that step's time had passed
    assert ticks < 2000
