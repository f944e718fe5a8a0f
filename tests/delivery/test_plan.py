"""The planner, a pure function: who is due for what, now — in each member's local time, kindly, once."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from welcome_gen.delivery.members import Event, Member, apply_outcome
from welcome_gen.delivery.plan import look_back, plan
from welcome_gen.project import load_project

from support import write_project

UTC = timezone.utc
LONDON = ZoneInfo("Europe/London")


def at(text: str, tz=UTC) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def sent(result) -> list[tuple[str, str, str, str]]:
    return [(d.email, d.sequence, d.step, d.variant) for d in result.deliveries]


def test_a_new_member_is_welcomed_at_once_in_their_persona_variant(project):
    now = at("2027-03-01 10:05")  # a Monday, 10:05 in London
    members = [Member("ann@x.org", persona="makers", opted_in=at("2027-03-01 10:00")),
               Member("bob@x.org", persona="learners", opted_in=at("2027-03-01 09:30")),
               Member("cat@x.org", opted_in=at("2027-03-01 09:40"))]
    result = plan(project, members, [], now)
    assert sent(result) == [("bob@x.org", "welcome", "1", "default"), ("cat@x.org", "welcome", "1", "default"),
                            ("ann@x.org", "welcome", "1", "makers")]
    assert [str(b.key) for b in result.batches] == ["wg:welcome:1:default:2027030110", "wg:welcome:1:makers:2027030110"]
    assert result.batches[0].records() == {"wg:welcome:1": ["bob@x.org", "cat@x.org"]}


def test_outside_the_window_the_step_waits_for_the_next_allowed_morning(project):
    member = Member("ann@x.org", opted_in=at("2027-03-06 20:00"))  # Saturday evening; Sundays are not allowed
    for hour in ("2027-03-06 20:00", "2027-03-07 10:00", "2027-03-08 08:00"):
        assert plan(project, [member], [], at(hour)).deliveries == []
    result = plan(project, [member], [], at("2027-03-08 09:00"))
    assert sent(result) == [("ann@x.org", "welcome", "1", "default")]
    assert result.deliveries[0].due == at("2027-03-08 09:00")


def test_the_window_is_the_members_own_local_time(project):
    member = Member("kai@x.org", timezone="Asia/Kolkata", opted_in=at("2027-03-01 02:00"))  # 07:30 in Kolkata
    assert plan(project, [member], [], at("2027-03-01 03:00")).deliveries == []  # 08:30 there
    assert len(plan(project, [member], [], at("2027-03-01 04:00")).deliveries) == 1  # 09:30 there
    # Mailchimp's location is the fallback, then the site's zone; a bad name falls through.
    member = Member("lou@x.org", timezone="Mars/Olympus", location_timezone="America/New_York",
                    opted_in=at("2027-03-01 12:00"))
    assert plan(project, [member], [], at("2027-03-01 13:00")).deliveries == []  # 08:00 in New York
    assert len(plan(project, [member], [], at("2027-03-01 14:00")).deliveries) == 1


def test_an_old_list_is_skipped_and_marked_never_blasted(project):
    members = [Member(f"old{i}@x.org", persona="makers", opted_in=at("2025-06-01 12:00")) for i in range(3)]
    result = plan(project, members, [], at("2027-03-01 10:00"))
    assert result.batches == []
    marks = {(s.email, s.record) for s in result.skips}
    # One mark per run of late steps: a recorded step implies every earlier one is done.
    assert ("old0@x.org", "wg:welcome:3:skipped") in marks
    assert ("old0@x.org", "wg:makers:tools:skipped") in marks
    assert not any(r in ("wg:welcome:1:skipped", "wg:welcome:2:skipped") for _, r in marks)
    reason = next(s.reason for s in result.skips if s.record == "wg:welcome:3:skipped")
    assert reason == "step 1, 2, 3 more than 2d late"
    apply_outcome(members, result.outcome())
    assert plan(project, members, [], at("2027-03-01 11:00")).empty


def test_late_first_steps_are_skipped_but_a_later_step_still_in_time_goes(project):
    # Joined on Thursday while sending was off: step 1 is four days late on Monday, step 2 (Saturday) is not.
    member = Member("ann@x.org", opted_in=at("2027-02-25 10:00"))
    result = plan(project, [member], [], at("2027-03-01 09:00"))
    assert [s.record for s in result.skips] == ["wg:welcome:1:skipped"]
    assert sent(result) == [("ann@x.org", "welcome", "2", "default")]


def test_unsubscribed_cleaned_and_pending_members_are_never_planned(project):
    members = [Member(f"{s}@x.org", status=s, opted_in=at("2027-03-01 10:00"), birthday="03/01")
               for s in ("unsubscribed", "cleaned", "pending", "archived")]
    assert plan(project, members, [], at("2027-03-01 10:00")).empty


def test_a_member_who_comes_back_does_not_restart_the_welcome(project):
    # Received steps 1 and 2 last year, unsubscribed, and opted in again today.
    member = Member("ann@x.org", opted_in=at("2027-03-01 10:00"), tags={"wg:welcome:1", "wg:welcome:2"})
    assert plan(project, [member], [], at("2027-03-01 10:00")).empty
    result = plan(project, [member], [], at("2027-03-08 10:00"))
    assert sent(result) == [("ann@x.org", "welcome", "3", "default")]


def test_a_sequence_stops_when_the_persona_no_longer_matches(project):
    member = Member("ann@x.org", persona="makers", opted_in=at("2027-03-01 10:00"),
                    tags={"wg:welcome:1", "wg:welcome:2"})
    assert sent(plan(project, [member], [], at("2027-03-05 10:00"))) == [("ann@x.org", "makers", "tools", "default")]
    member.persona = "learners"
    assert plan(project, [member], [], at("2027-03-05 10:00")).empty


def test_at_most_n_a_week_and_recognition_waits_its_turn(project):
    # Three emails in the last seven days (their batch tags carry the hour they went out).
    tags = {"wg:welcome:1", "wg:welcome:1:default:2027030110", "wg:welcome:2", "wg:welcome:2:default:2027030310",
            "wg:thanks-comment:c1", "wg:thanks-comment:1:default:2027030410", "referred-a-friend"}
    member = Member("ann@x.org", opted_in=at("2027-03-01 10:00"), tags=tags,
                    tag_dates={"referred-a-friend": at("2027-03-05 08:00")})
    result = plan(project, [member], [], at("2027-03-05 10:00"))
    assert result.batches == [] and result.skips == []
    assert [(w.sequence, w.reason) for w in result.waits] == [
        ("thanks-referral", "already 3 email(s) in the last 7 days (max_per_week: 3)")]
    # A week after the first of them, welcome step 3 (due then) goes first; the thank-you waits for the next
    # free place, although its two days' lateness have long passed by then.
    got = []
    for hour in range(24 * 4):
        result = plan(project, [member], [], at("2027-03-07 00:00") + timedelta(hours=hour))
        got += [(d.sequence, d.step, result.slot) for d in result.deliveries]
        assert not result.skips
        apply_outcome([member], result.outcome())
    assert got == [("welcome", "3", "2027030810"), ("thanks-referral", "1", "2027031010")]


def test_one_email_per_member_per_tick(project):
    member = Member("ann@x.org", opted_in=at("2027-03-01 10:00"), tags={"referred-a-friend"},
                    tag_dates={"referred-a-friend": at("2027-03-01 09:00")})
    result = plan(project, [member], [], at("2027-03-01 10:00"))
    assert sent(result) == [("ann@x.org", "welcome", "1", "default")]  # welcome steps go first
    assert [(w.sequence, w.reason) for w in result.waits] == [("thanks-referral", "one email per member at a time")]


def test_no_birthday_on_the_day_a_welcome_step_goes_out(project):
    member = Member("ann@x.org", birthday="03/02", opted_in=at("2027-03-02 07:00"))
    members = {"ann@x.org": member}
    first = plan(project, [member], [], at("2027-03-02 09:00"))
    assert sent(first) == [("ann@x.org", "welcome", "1", "default")]
    apply_outcome(members.values(), first.outcome())
    later = plan(project, [member], [], at("2027-03-02 12:00"))
    assert later.batches == [] and [w.reason for w in later.waits] == ["a welcome email went out today"]
    assert sent(plan(project, [member], [], at("2027-03-03 08:00"))) == [("ann@x.org", "birthday", "1", "default")]


def test_tag_and_event_triggers_once_per_tag_and_per_event_id(project):
    events = [Event("ann@x.org", "commented", "c-1", at("2027-03-01 08:00")),
              Event("ann@x.org", "commented", "c/2", at("2027-03-02 08:00")),
              Event("ann@x.org", "replied", "r-1", at("2027-03-02 08:00"))]
    member = Member("ann@x.org", opted_in=at("2026-01-01 10:00"), tags={"wg:welcome:3:skipped", "wg:makers:tools:skipped"})
    members = {"ann@x.org": member}
    seen = []
    for day in range(1, 12):
        for hour in range(24):
            result = plan(project, [member], events, at(f"2027-03-{day:02d} {hour:02d}:00"))
            seen += [d.record for d in result.deliveries]
            apply_outcome(members.values(), result.outcome())
    assert seen == ["wg:thanks-comment:c-1", "wg:thanks-comment:c-2"]


def test_a_birthday_held_back_by_a_welcome_step_that_day_is_not_counted_late(project):
    """Welcome step 3 went out on her birthday, so the birthday waits for the next day (birthday_not_with_welcome).
    Its lateness (1d) counts from then: at 08:05 the next morning it goes, rather than being skipped as 24h05m
    late. A tick that failed at 08:05 on the day and ran again after 09:00 brings this about."""
    ann = Member("ann@x.org", birthday="03/02", opted_in=at("2027-02-23 09:30"),
                 tags={"wg:welcome:1", "wg:welcome:2", "wg:welcome:3", "wg:welcome:3:default:2027030209"})
    result = plan(project, [ann], [], at("2027-03-03 08:05"))
    assert sent(result) == [("ann@x.org", "birthday", "1", "default")] and result.skips == []


def test_the_planner_loads_nothing_that_renders_or_parses():
    # The pure planner is imported by every delivery stage and by tests over years of ticks: it reads the project's
    # plain attributes, so neither the renderers nor the schema library come with it (timing: bench/startup.py).
    code = ("import sys, welcome_gen.delivery.plan\n"
            "print(sorted(m for m in ('jinja2', 'markdown', 'lxml', 'nh3', 'css_inline', 'inscriptis', 'pydantic',"
            " 'yaml', 'welcome_gen.email.render') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_a_lateness_of_zero_is_the_sequences_own_everywhere(tmp_path):
    thanks = "title: Thanks\ntrigger: {event: commented}\nmax_lateness: 0\nsteps:\n  - subject: Thanks\n    body: thanks.md\n"
    project = load_project(write_project(tmp_path / "shop", {"sequences/thanks-comment.yaml": thanks}))
    seq = project.sequence("thanks-comment")
    # Not the site's 2d: an event read from Mailchimp is looked for no further back than the planner looks.
    assert look_back(project, seq) == timedelta(days=14)
    member = Member("ann@x.org", opted_in=at("2027-02-01 09:00"))
    comment = Event("ann@x.org", "commented", "c-1", at("2027-03-01 10:00"))
    on_time = plan(project, [member], [comment], at("2027-03-01 10:00"))
    assert [(d.sequence, d.step) for d in on_time.deliveries] == [("thanks-comment", "1")]
    an_hour_late = plan(project, [member], [comment], at("2027-03-01 11:00"))
    assert "thanks-comment" in {s.sequence for s in an_hour_late.skips}
    assert not any(d.sequence == "thanks-comment" for d in an_hour_late.deliveries)
