"""Delivery stays exactly once where Mailchimp is unkind: canceled and lagging sends, segments it has not counted
yet, sends refused at its gates, birthdays written day first, campaigns missing from a date-filtered list, record
calls that fail after the send, tags beyond those a read shows."""

from __future__ import annotations

import pytest

from welcome_gen.delivery.push import push
from welcome_gen.delivery.tick import tick
from welcome_gen.emulator import members as emu_members

from helpers import outbox_of
from support import at, join, received, write_project
from test_send import run_cli

TRIO = ("ann@x.org", "bob@x.org", "cy@x.org")


def trio(project, mc, clock):
    """Three members the first welcome step is due to at 10:05 (one batch)."""
    push(project, outbox_of(project), mc)
    for i, email in enumerate(TRIO):
        join(mc, email, at(f"2027-03-01 09:3{i}"))
    clock.now = at("2027-03-01 10:05")


def welcomes(emu) -> list[tuple[str, str]]:
    return [r for r in received(emu) if r[1] == "welcome:1"]


def records(emu, mc, tag: str) -> list[str]:
    with emu.store:
        for seg in emu.store.under("segments", mc.list_id).values():
            if seg["name"] == tag:
                members = emu.store.under("members", mc.list_id)
                return sorted(members[h]["email_address"] for h in seg["members"])
    return []


def record_call_fails(emu):
    """Every add to the record segment `wg:welcome:1` fails (5xx) until the test clears it."""
    original = emu.execute

    def execute(method, path, query, body, *args, **kwargs):
        if method == "POST" and "/segments/" in path and body and "members_to_add" in body:
            with emu.store:
                seg = emu.store.under("segments", path.split("/")[2]).get(path.rstrip("/").split("/")[-1])
            if seg and seg["name"] == "wg:welcome:1":
                return 500, {"type": "x", "title": "Internal Server Error", "status": 500, "detail": "down",
                             "instance": ""}
        return original(method, path, query, body, *args, **kwargs)

    emu.execute = execute
    return lambda: setattr(emu, "execute", original)


def test_a_canceled_send_records_only_whom_it_reached_and_the_rest_get_it_later(project, mailchimp,
                                                                               mailchimp_emulator, clock):
    emu = mailchimp_emulator
    trio(project, mailchimp, clock)
    emu.set_behaviours(cancel_after=1)
    restore = record_call_fails(emu)
    first = tick(project, outbox_of(project), mailchimp, clock.now)
    assert first.exit_code == 4 and first.delivered == 1 and first.results[0].unrecorded
    reached = [e for e, _ in welcomes(emu)]
    assert len(reached) == 1 and records(emu, mailchimp, "wg:welcome:1") == []
    restore()
    emu.set_behaviours()
    clock.now = at("2027-03-01 11:05")
    second = tick(project, outbox_of(project), mailchimp, clock.now)
    assert any("1 member(s) wg:welcome:1" in r and "2 it did not reach planned again" in r for r in second.repaired)
    assert welcomes(emu) == [(e, "welcome:1") for e in TRIO]  # the other two in a new batch, nobody twice
    assert records(emu, mailchimp, "wg:welcome:1") == list(TRIO)
    tick(project, outbox_of(project), mailchimp, at("2027-03-01 12:05"))
    assert welcomes(emu) == [(e, "welcome:1") for e in TRIO]


def test_a_send_canceled_part_way_within_the_tick_plans_the_rest_again(project, mailchimp, mailchimp_emulator, clock):
    emu = mailchimp_emulator
    trio(project, mailchimp, clock)
    emu.set_behaviours(cancel_after=2)
    report = tick(project, outbox_of(project), mailchimp, clock.now)
    assert report.delivered == 2 and report.exit_code == 0
    assert len(records(emu, mailchimp, "wg:welcome:1")) == 2  # not the one it never reached
    emu.set_behaviours()
    tick(project, outbox_of(project), mailchimp, at("2027-03-01 11:05"))
    assert welcomes(emu) == [(e, "welcome:1") for e in TRIO]


@pytest.mark.parametrize("lag", [1, 3, 5])
def test_a_lagging_send_whose_answer_was_lost_goes_once(project, mailchimp, mailchimp_emulator, clock, lag):
    emu = mailchimp_emulator
    trio(project, mailchimp, clock)
    emu.set_behaviours(send_lag_reads=lag)
    lose_the_send_answer(emu)
    for now in ("2027-03-01 10:05", "2027-03-01 10:35", "2027-03-01 11:05", "2027-03-01 12:05"):
        clock.now = at(now)
        tick(project, outbox_of(project), mailchimp, clock.now)
    assert welcomes(emu) == [(e, "welcome:1") for e in TRIO]
    assert records(emu, mailchimp, "wg:welcome:1") == list(TRIO)


def lose_the_send_answer(emu, ending: str = "/actions/send"):
    """The first POST to a path with this ending takes effect, but its answer never arrives (the connection drops)."""
    original, lost = emu.execute, []

    def execute(method, path, query, body, *args, **kwargs):
        answer = original(method, path, query, body, *args, **kwargs)
        if not lost and method == "POST" and path.rstrip("/").endswith(ending):
            lost.append(path)
            raise ConnectionResetError("the answer is lost")
        return answer

    emu.execute = execute


def test_a_segment_mailchimp_has_not_counted_waits_for_the_next_tick(project, mailchimp, mailchimp_emulator, clock):
    emu = mailchimp_emulator
    trio(project, mailchimp, clock)
    emu.set_behaviours(segment_lag=10)
    first = tick(project, outbox_of(project), mailchimp, clock.now)
    (result,) = first.results
    assert result.waiting and "counts 0 recipient(s) of the 3" in result.error and first.exit_code == 4
    assert emu.deliveries() == []
    clock.now = at("2027-03-01 10:35")  # by now Mailchimp counts them
    second = tick(project, outbox_of(project), mailchimp, clock.now)
    assert second.delivered == 3 and second.exit_code == 0
    assert welcomes(emu) == [(e, "welcome:1") for e in TRIO]


@pytest.mark.parametrize("gate, words", [({"unverified_domain": True}, "Domain verification"),
                                         ({"daily_send_cap": 0}, "sending limit of 0")])
def test_a_send_refused_at_a_gate_records_nothing_and_goes_once_when_it_clears(project_dir, mailchimp_env, mailchimp,
                                                                              mailchimp_emulator, clock, capsys,
                                                                              gate, words):
    emu = mailchimp_emulator
    from welcome_gen.project import load_project

    trio(load_project(project_dir), mailchimp, clock)
    join(mailchimp, "dee@x.org", at("2027-03-01 09:39"), persona="makers")  # a second batch, refused alike
    emu.set_behaviours(**gate)
    assert run_cli(["send", "--now", "2027-03-01T10:05:00Z"], project_dir) == 3
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if words in line]
    assert len(lines) == 1 and "Traceback" not in err  # Mailchimp's reason, once
    assert "wg:welcome:1:default:2027030110 and 1 more batch(es): " in lines[0]
    assert emu.deliveries() == [] and records(emu, mailchimp, "wg:welcome:1") == []
    segments = mailchimp.call("lists.list_segments", mailchimp.list_id, count=100)["segments"]
    assert "wg:welcome:1:default:2027030110" in [s["name"] for s in segments]  # nothing deleted
    emu.set_behaviours()
    assert run_cli(["send", "--now", "2027-03-01T10:35:00Z"], project_dir) == 0
    assert run_cli(["send", "--now", "2027-03-01T11:05:00Z"], project_dir) == 0
    assert welcomes(emu) == [(e, "welcome:1") for e in (*TRIO, "dee@x.org")]


def test_birthdays_follow_the_audiences_day_first_format(tmp_path, mailchimp, mailchimp_emulator, clock):
    from welcome_gen.project import load_project

    project = load_project(write_project(tmp_path / "shop"))
    fields = mailchimp.call("lists.get_list_merge_fields", mailchimp.list_id, count=100)["merge_fields"]
    birthday = next(f for f in fields if f["tag"] == "BIRTHDAY")
    mailchimp.call("lists.delete_list_merge_field", mailchimp.list_id, str(birthday["merge_id"]))
    mailchimp.call("lists.add_list_merge_field", mailchimp.list_id, {"tag": "BIRTHDAY", "name": "Birthday",
                   "type": "birthday", "options": {"date_format": "DD/MM"}})
    push(project, outbox_of(project), mailchimp)  # leaves the audience's own format alone
    join(mailchimp, "dee@x.org", at("2026-01-05 09:30"), birthday="05/03")  # 5 March
    for day in ("2027-03-05 10:05", "2027-05-03 10:05"):
        clock.now = at(day)
        tick(project, outbox_of(project), mailchimp, clock.now)
    assert [(d["email_address"], d["time"][:10]) for d in mailchimp_emulator.deliveries()
            if d["campaign_title"].startswith("wg:birthday:")] == [("dee@x.org", "2027-03-05")]


def test_a_campaign_missing_from_the_date_filtered_list_is_found_before_anything_is_sent_again(
        project, mailchimp, mailchimp_emulator, clock):
    # Mailchimp's clock far behind the tick's --now: its campaigns look older than the tick's 15 days.
    emu = mailchimp_emulator
    trio(project, mailchimp, clock)
    clock.now = at("2026-12-01 09:00")
    restore = record_call_fails(emu)
    first = tick(project, outbox_of(project), mailchimp, at("2027-03-01 10:05"))
    assert first.delivered == 3 and first.exit_code == 4  # it went; only the record is missing
    restore()
    for now in ("2027-03-01 10:35", "2027-03-01 11:05", "2027-03-03 10:05"):
        tick(project, outbox_of(project), mailchimp, at(now))
    assert welcomes(emu) == [(e, "welcome:1") for e in TRIO]
    assert records(emu, mailchimp, "wg:welcome:1") == list(TRIO)


def test_a_lost_create_answer_finds_the_campaign_whatever_mailchimps_clock_says(project, mailchimp,
                                                                                mailchimp_emulator, clock):
    emu = mailchimp_emulator
    trio(project, mailchimp, clock)
    clock.now = at("2026-12-01 09:00")  # Mailchimp's time, months before the tick's
    lose_the_send_answer(emu, "/campaigns")
    tick(project, outbox_of(project), mailchimp, at("2027-03-01 10:05"))
    tick(project, outbox_of(project), mailchimp, at("2027-03-01 11:05"))
    titles = [c["settings"]["title"] for c in mailchimp.call("campaigns.list", count=100)["campaigns"]]
    assert titles == ["wg:welcome:1:default:2027030110"]  # no twin made after the lost answer
    assert welcomes(emu) == [(e, "welcome:1") for e in TRIO]


def test_an_issue_missing_from_the_date_filtered_list_is_not_sent_again(tmp_path, mailchimp, mailchimp_emulator,
                                                                        clock):
    from test_newsletter import audience, issue_deliveries, make

    project = make(tmp_path, spring="")
    push(project, outbox_of(project), mailchimp)
    audience(mailchimp)
    clock.now = at("2026-12-01 09:00")
    for now in ("2027-03-01 12:05", "2027-03-01 13:05", "2027-03-02 12:05"):
        tick(project, outbox_of(project), mailchimp, at(now))
    assert issue_deliveries(mailchimp_emulator) == [("ann@x.org", "wg:issue:spring"), ("bob@x.org", "wg:issue:spring")]


def test_a_segment_add_after_a_5xx_is_retried_like_a_read(project, mailchimp, mailchimp_emulator, clock):
    emu = mailchimp_emulator
    trio(project, mailchimp, clock)
    original, failed = emu.execute, []

    def execute(method, path, query, body, *args, **kwargs):
        if not failed and method == "POST" and body and "members_to_add" in body:
            failed.append(path)
            original(method, path, query, body, *args, **kwargs)  # it took effect; the answer is a 503
            return 503, {"type": "x", "title": "Service Unavailable", "status": 503, "detail": "", "instance": ""}
        return original(method, path, query, body, *args, **kwargs)

    emu.execute = execute
    report = tick(project, outbox_of(project), mailchimp, clock.now)
    assert failed and report.exit_code == 0 and report.delivered == 3


def test_tags_beyond_those_a_read_shows_are_read_in_full(project, mailchimp, mailchimp_emulator, clock, monkeypatch):
    emu = mailchimp_emulator
    trio(project, mailchimp, clock)
    tick(project, outbox_of(project), mailchimp, clock.now)
    # Which tags a read shows, and how many, is Mailchimp's choice: here only the oldest (the batch tag), with
    # `tags_count` saying there are two. The record tag is read in full, so nothing is repaired or written again.
    monkeypatch.setattr(emu_members, "TAG_LIMIT", 1)
    before = len(emu.requests)
    again = tick(project, outbox_of(project), mailchimp, at("2027-03-01 11:05"))
    assert again.repaired == [] and again.plan.empty
    assert [r for r in list(emu.requests)[before:] if r.method != "GET"] == []
    assert welcomes(emu) == [(e, "welcome:1") for e in TRIO]


def test_a_send_still_going_out_is_recorded_by_the_next_run_from_whom_it_reached(project, mailchimp,
                                                                                mailchimp_emulator, clock):
    emu = mailchimp_emulator
    trio(project, mailchimp, clock)
    emu.store.sending_reads = 4  # the campaign reads `sending` for a while after its send
    first = tick(project, outbox_of(project), mailchimp, clock.now)
    assert first.delivered == 3 and first.exit_code == 0
    assert records(emu, mailchimp, "wg:welcome:1") == []  # not before Mailchimp is done sending it
    clock.now = at("2027-03-01 10:35")
    second = tick(project, outbox_of(project), mailchimp, clock.now)
    assert second.results == [] and records(emu, mailchimp, "wg:welcome:1") == list(TRIO)
    assert welcomes(emu) == [(e, "welcome:1") for e in TRIO]
