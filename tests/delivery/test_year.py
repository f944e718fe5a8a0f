"""A simulated year of hourly ticks through the pure planner: DST changes, 29 February, many timezones."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from welcome_gen.delivery.journey import simulate
from welcome_gen.delivery.members import Member

UTC = timezone.utc
ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Asia/Kathmandu",
         "Pacific/Chatham", "America/Sao_Paulo", None]
BIRTHDAYS = ["02/29", "03/27", "10/31", "12/31", "01/01", None]


def test_a_year_every_step_once_inside_the_window_on_the_right_day(project):
    start = datetime(2027, 1, 1, tzinfo=UTC)
    members = [Member(f"m{i}@x.org", persona=["makers", "learners", ""][i % 3], birthday=BIRTHDAYS[i % len(BIRTHDAYS)],
                      timezone=ZONES[i % len(ZONES)], opted_in=start + timedelta(hours=613 * i + 7))
               for i in range(14)]
    entries = simulate(project, members, [], start, datetime(2028, 3, 31, tzinfo=UTC))
    sent = [e for e in entries if e.kind == "sent"]
    by = {m.email: m for m in members}
    # Exactly once: every welcome step for everyone; never the same record twice.
    counts = Counter((e.email, e.sequence, e.step, e.local.year if e.sequence in ("birthday", "anniversary") else 0)
                     for e in sent)
    assert max(counts.values()) == 1
    for m in members:
        got = [e.step for e in sent if e.email == m.email and e.sequence == "welcome"]
        skipped = [e.step for e in entries if e.email == m.email and e.kind == "skipped" and e.sequence == "welcome"]
        assert got == ["1", "2", "3"], (m.email, got, skipped)
    # Inside the window, on an allowed day, in the member's own time, through every DST change.
    for e in sent:
        tz = ZoneInfo(by[e.email].timezone or "Europe/London")
        local = e.when.astimezone(tz)
        if e.sequence == "birthday":
            assert time(8) <= local.time() < time(20)
        else:
            assert local.weekday() != 6 and time(9) <= local.time() < time(19), (e, local)
    # Birthdays on the day (or the day after, when a welcome step went out that day); 29 Feb on the 28th in 2027.
    for e in sent:
        if e.sequence != "birthday":
            continue
        mm, dd = map(int, by[e.email].birthday.split("/"))
        year = e.local.year if (mm, dd) != (12, 31) or e.local.month == 12 else e.local.year - 1
        day = date(year, mm, min(dd, 28 if mm == 2 and year % 4 else dd))
        assert e.local.date() - day in (timedelta(0), timedelta(days=1)), (e.email, e.local, day)
    leap = [e.local.date() for e in sent if e.sequence == "birthday" and by[e.email].birthday == "02/29"]
    assert any(d in (date(2028, 2, 29), date(2028, 3, 1)) for d in leap)
    # Variants follow the persona.
    for e in sent:
        if e.sequence == "welcome" and e.step == "1":
            assert e.variant == ("makers" if by[e.email].persona == "makers" else "default")


def every_hour(project, members, events, start, end):
    """The calendar the slow way: every member planned on every tick, as `send` would run hourly."""
    from welcome_gen.delivery.journey import forget_old_batches
    from welcome_gen.delivery.members import apply_outcome
    from welcome_gen.delivery.plan import plan

    by_email = {m.email.lower(): m for m in members}
    out, tick = [], start
    while tick <= end:
        result = plan(project, list(by_email.values()), events, tick)
        out += [(tick, d.email, d.sequence, d.step, d.variant) for d in result.deliveries]
        out += [(tick, s.email, s.sequence, s.step, s.reason) for s in result.skips]
        out += [(tick, w.email, w.sequence, w.step, w.reason) for w in result.waits]
        apply_outcome(by_email.values(), result.outcome())
        if tick.hour == 0:
            forget_old_batches(by_email.values(), tick)
        tick += timedelta(hours=1)
    return out


def test_the_simulation_skips_only_ticks_that_plan_nothing(project):
    """simulate() asks the planner about a member only when something can happen to them; its calendar is the one
    planning every member every hour gives, waits, skips, tags, events, the weekly limit and new years included."""
    from welcome_gen.delivery.members import Event

    start, end = datetime(2027, 12, 20, tzinfo=UTC), datetime(2028, 3, 10, tzinfo=UTC)

    def members():
        made = [Member(f"m{i}@x.org", persona=["makers", "learners", ""][i % 3],
                       birthday=BIRTHDAYS[i % len(BIRTHDAYS)], timezone=ZONES[i % len(ZONES)],
                       opted_in=start + timedelta(hours=301 * i - 500)) for i in range(10)]
        made[1].tags.add("referred-a-friend")  # a tag trigger with no known date
        made[2].tags.add("referred-a-friend")
        made[2].tag_dates["referred-a-friend"] = start + timedelta(days=3)
        made[3].opted_in = datetime(2026, 12, 30, 23, tzinfo=UTC)  # an anniversary inside the span
        made[4].status = "unsubscribed"
        return made

    events = [Event("m5@x.org", "commented", f"c{i}", start + timedelta(days=2 * i, hours=i)) for i in range(6)]
    expected = every_hour(project, members(), events, start, end)
    entries = simulate(project, members(), events, start, end, waits=True)
    got = [(e.when, e.email, e.sequence, e.step, e.variant if e.kind == "sent" else e.note) for e in entries]
    assert sorted(got) == sorted(expected)
    assert {e.kind for e in entries} == {"sent", "skipped", "waits"}
