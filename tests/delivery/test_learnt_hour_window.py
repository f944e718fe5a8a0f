"""A member's learnt send hour starts their window there, kept inside the sequence's window."""

from __future__ import annotations

from datetime import time, timedelta

from welcome_gen.delivery.calendar import Rules, from_hour
from welcome_gen.delivery.members import Member
from welcome_gen.delivery.plan import plan

from support import at, write_project
from welcome_gen.project import load_project

RULES = Rules(time(9), time(19), frozenset(range(6)), timedelta(days=2))


def test_the_hour_is_kept_inside_the_window():
    assert from_hour(RULES, 15).start == time(15)
    assert from_hour(RULES, 6).start == time(9)  # before the window: its start
    assert from_hour(RULES, 22).start == time(18)  # after it: the last whole hour in it
    assert from_hour(Rules(time(9), time(18, 30), RULES.days, RULES.max_lateness), 20).start == time(18)
    assert from_hour(RULES, 15).end == time(19) and from_hour(RULES, 15).days == RULES.days


def test_the_planner_uses_it_only_when_learning_is_on(tmp_path):
    member = lambda: Member("bob@x.org", opted_in=at("2027-03-01 09:30"),  # noqa: E731
                            merge_fields={"SENDHOUR": "15"})
    off = load_project(write_project(tmp_path / "off"))
    on = load_project(write_project(tmp_path / "on", {"welcome.yaml": (tmp_path / "off" / "welcome.yaml").read_text()
                                                     + "  send_hour: {learn: true}\n"}))
    assert [d.step for d in plan(off, [member()], [], at("2027-03-01 10:05")).deliveries] == ["1"]
    assert plan(on, [member()], [], at("2027-03-01 10:05")).deliveries == []
    assert [d.step for d in plan(on, [member()], [], at("2027-03-01 15:05")).deliveries] == ["1"]
    # Waiting for their hour is not lateness: the step still goes, later that day.
    assert plan(on, [member()], [], at("2027-03-01 15:05")).skips == []
