"""`send` against the emulator through the real client: exactly once, repaired after any crash, kind to members."""

from __future__ import annotations

import pytest

from welcome_gen.delivery.tick import tick
from welcome_gen.delivery.push import push
from welcome_gen.mailchimp.client import Mailchimp, MailchimpError, RetryPolicy

from mailchimp.fixtures import AUDIENCE
from helpers import outbox_of
from support import SlowAnswers, at, delivered, join, received


def test_a_tick_delivers_once_and_a_second_tick_does_nothing(project, mailchimp, mailchimp_emulator, clock):
    push(project, outbox_of(project), mailchimp)
    join(mailchimp, "ann@x.org", at("2027-03-01 09:30"), persona="makers")
    join(mailchimp, "bob@x.org", at("2027-03-01 09:40"))
    clock.now = at("2027-03-01 10:05")
    report = tick(project, outbox_of(project), mailchimp, clock.now)
    assert [r.error for r in report.results] == [None, None]
    assert delivered(mailchimp_emulator) == [("ann@x.org", "wg:welcome:1:makers:2027030110"),
                                             ("bob@x.org", "wg:welcome:1:default:2027030110")]
    # The tick returns what it recorded, and that is what Mailchimp now holds on each member.
    assert set(report.outcome.added) == {("ann@x.org", "wg:welcome:1:makers:2027030110"), ("ann@x.org", "wg:welcome:1"),
                                         ("bob@x.org", "wg:welcome:1:default:2027030110"), ("bob@x.org", "wg:welcome:1")}
    for email in ("ann@x.org", "bob@x.org"):
        doc = mailchimp.call("lists.get_list_member", mailchimp.list_id, mailchimp.subscriber_hash(email))
        assert {t["name"] for t in doc["tags"]} == {tag for e, tag in report.outcome.added if e == email}
    before = len(mailchimp_emulator.requests)
    again = tick(project, outbox_of(project), mailchimp, at("2027-03-01 10:40"))
    assert again.plan.empty and again.results == [] and not again.repaired
    writes = [r for r in list(mailchimp_emulator.requests)[before:] if r.method != "GET"]
    assert writes == []
    assert len(mailchimp_emulator.deliveries()) == 2


def setup_audience(mc, clock):
    """Three batches due at 10:00 on a Monday: two welcome variants and a birthday."""
    clock.now = at("2027-03-01 08:00")
    mc.list_id = mc.call("lists.create_list", AUDIENCE)["id"]
    for tag, name, kind in (("PERSONA", "Which of these describes you?", "text"), ("TIMEZONE", "Timezone", "text")):
        mc.call("lists.add_list_merge_field", mc.list_id, {"tag": tag, "name": name, "type": kind})
    join(mc, "ann@x.org", at("2027-03-01 09:30"), persona="makers")
    join(mc, "bob@x.org", at("2027-03-01 09:40"))
    join(mc, "cat@x.org", at("2026-05-01 09:40"), birthday="03/01")
    join(mc, "dan@x.org", at("2026-05-01 09:40"), birthday="03/01", tz="America/New_York")  # not yet 08:00 there
    clock.now = at("2027-03-01 10:05")


EXPECTED = [("ann@x.org", "welcome:1"), ("bob@x.org", "welcome:1"), ("cat@x.org", "birthday:2027.1")]


def clean_calls(project, mc, emu, clock) -> tuple[int, dict]:
    """How many calls a clean tick makes, and the emulator's state before it (set up once, over HTTP)."""
    setup_audience(mc, clock)
    ready = emu.snapshot()
    first = len(emu.requests)
    tick(project, outbox_of(project), mc, clock.now)
    assert received(emu) == EXPECTED
    return len(emu.requests) - first, ready


def start_from(emu, ready, clock) -> None:
    """Each run of a sweep starts from the audience as `setup_audience` left it, without replaying it."""
    emu.restore(ready)
    clock.now = at("2027-03-01 10:05")


@pytest.mark.parametrize("kind,after,unkind", [
    ("500", False, {}), ("500", True, {}), ("drop", True, {}),
    # Mailchimp at its unkindest meanwhile: every send canceled after one email, or sends and segments that lag.
    ("500", True, {"cancel_after": 1}), ("drop", True, {"send_lag_reads": 2, "segment_lag": 2}),
])
def test_a_crash_at_any_call_is_repaired_by_the_next_tick(project, mailchimp, mailchimp_emulator, clock, kind, after,
                                                          unkind):
    emu = mailchimp_emulator
    calls, ready = clean_calls(project, mailchimp, emu, clock)
    assert calls > 15
    for n in range(1, calls + 1):
        start_from(emu, ready, clock)
        # Call n fails on every retry the gateway makes, so the tick really loses it.
        emu.set_faults(nth=list(range(n, n + 5)), kind=kind, after=after)
        emu.set_behaviours(**unkind)
        try:
            tick(project, outbox_of(project), mailchimp, clock.now)
        except Exception:
            pass  # a read failed: the tick stopped where it was
        emu.clear_faults()
        emu.set_behaviours()
        clock.now = at("2027-03-01 10:35")  # the next run, in the same hour
        tick(project, outbox_of(project), mailchimp, clock.now)
        clock.now = at("2027-03-01 11:05")  # and the hour after: nothing more
        tick(project, outbox_of(project), mailchimp, clock.now)
        assert received(emu) == EXPECTED, f"failing call {n} ({kind}, after={after}, {unkind})"


def test_a_timeout_at_any_call_is_repaired_by_the_next_tick(project, mailchimp, mailchimp_emulator, clock):
    emu = mailchimp_emulator
    # The real client with a short timeout; one retry, so a slow answer is retried (or looked up) once.
    impatient = Mailchimp(emu.api_key, url=emu.url, timeout=0.25,
                          retry=RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.01))
    slow = SlowAnswers(emu, 0.5)
    calls, ready = clean_calls(project, mailchimp, emu, clock)
    for n in range(1, calls + 1):
        start_from(emu, ready, clock)
        impatient.list_id = mailchimp.list_id
        slow.arm(n)
        try:
            tick(project, outbox_of(project), impatient, clock.now)
        except MailchimpError as exc:
            assert "Timed out" in str(exc)  # a read's answer was late: the tick stopped there
        slow.arm()
        clock.now = at("2027-03-01 10:35")
        tick(project, outbox_of(project), impatient, clock.now)
        clock.now = at("2027-03-01 11:05")
        tick(project, outbox_of(project), impatient, clock.now)
        assert received(emu) == EXPECTED, f"slow answer to call {n}"
    # Every call of the tick got its late answer once; reads and updates were retried after the timeout.
    assert slow.served == calls and impatient.retries > 0


def test_a_crash_then_the_next_hour_removes_the_unsent_batch_and_sends_it_anew(project, mailchimp, mailchimp_emulator,
                                                                              clock):
    emu = mailchimp_emulator
    setup_audience(mailchimp, clock)
    # The reads succeed, a segment is made, then every call fails: Mailchimp is down for the rest of the hour.
    first = len(emu.requests)
    emu.set_faults(nth=list(range(9, 200)), kind="500")
    half = tick(project, outbox_of(project), mailchimp, clock.now)
    emu.clear_faults()
    assert half.exit_code == 3 and emu.deliveries() == []
    clock.now = at("2027-03-01 11:05")
    report = tick(project, outbox_of(project), mailchimp, clock.now)
    assert report.removed, "the unsent batches of 10:00 are removed"
    assert received(emu) == EXPECTED
    assert {r.key.split(":")[-1] for r in report.results} == {"2027030111"}
    assert all(r.error is None for r in report.results) and first < len(emu.requests)


def test_a_429_storm_slows_the_tick_but_everything_goes_once(project, mailchimp, mailchimp_emulator, clock):
    setup_audience(mailchimp, clock)
    mailchimp_emulator.set_faults(every=2, kind="429")
    report = tick(project, outbox_of(project), mailchimp, clock.now)
    assert all(r.error is None for r in report.results)
    tick(project, outbox_of(project), mailchimp, at("2027-03-01 10:45"))
    assert received(mailchimp_emulator) == EXPECTED


def run_cli(args, project_dir):
    from welcome_gen.cli import main

    return main([*args, str(project_dir)])


def test_send_cli_dry_run_then_real_run_and_digest(project_dir, mailchimp_env, mailchimp, mailchimp_emulator, clock,
                                                   capsys):
    assert run_cli(["push"], project_dir) == 0
    join(mailchimp, "ann@x.org", at("2027-03-01 09:30"), persona="makers")
    join(mailchimp, "bob@x.org", at("2027-03-01 09:40"))
    capsys.readouterr()
    assert run_cli(["send", "--dry-run", "--now", "2027-03-01T10:05:00Z"], project_dir) == 0
    out = capsys.readouterr().out
    assert "send welcome/1 [makers] to 1: a***@x.org" in out and "ann@x.org" not in out
    assert run_cli(["send", "--dry-run", "--show-members", "--now", "2027-03-01T10:05:00Z"], project_dir) == 0
    assert "send welcome/1 [makers] to 1: ann@x.org" in capsys.readouterr().out
    assert mailchimp_emulator.deliveries() == []

    assert run_cli(["send", "--show-members", "--now", "2027-03-01T10:05:00Z"], project_dir) == 2
    assert "--show-members only goes with --dry-run" in capsys.readouterr().err
    assert run_cli(["send", "--now", "2027-03-01T10:05:00Z"], project_dir) == 0
    printed = capsys.readouterr()
    # A real run's output may end up in a public CI log: counts only, no member named, not even masked.
    assert "send welcome/1 [makers] to 1   (wg:welcome:1:makers:2027030110)" in printed.out
    assert "Delivered 2 email(s) in 2 batch(es)" in printed.out
    assert "@x.org" not in printed.out + printed.err
    digest = (project_dir / "build" / "digest.md").read_text()
    assert "| ann@x.org | Ann | Makers |" in digest and "welcome/1 [makers]: 1" in digest
    assert not (project_dir / "public").exists()


def test_a_real_send_names_no_refused_member(project_dir, mailchimp_env, mailchimp, mailchimp_emulator, clock,
                                             capsys):
    assert run_cli(["push"], project_dir) == 0
    join(mailchimp, "bob@x.org", at("2027-03-01 09:40"))
    archive_when_batched(mailchimp_emulator, mailchimp, "bob@x.org")
    assert run_cli(["send", "--now", "2027-03-01T10:05:00Z"], project_dir) == 3
    printed = capsys.readouterr()
    assert "Mailchimp refused 1 member(s); who is in build/digest.md" in printed.out
    assert "@x.org" not in printed.out + printed.err and "Your segment is empty" in printed.err
    assert "Mailchimp refused bob@x.org" in (project_dir / "build" / "digest.md").read_text()


def test_push_twice_reports_everything_unchanged(project_dir, mailchimp_env, capsys):
    assert run_cli(["push", "--dry-run"], project_dir) == 0
    assert "create" in capsys.readouterr().out
    assert run_cli(["push"], project_dir) == 0
    capsys.readouterr()
    assert run_cli(["push"], project_dir) == 0
    out = capsys.readouterr().out
    assert "0 change(s) made" in out and "create" not in out and "update" not in out


def test_unknown_list_and_revoked_key_exit_3_with_one_line(project_dir, mailchimp_env, monkeypatch, capsys):
    monkeypatch.setenv("MAILCHIMP_LIST_ID", "nope")
    assert run_cli(["send"], project_dir) == 3
    err = capsys.readouterr().err
    assert "404" in err and "Traceback" not in err
    monkeypatch.setenv("MAILCHIMP_API_KEY", "revoked-us0")
    assert run_cli(["send"], project_dir) == 3
    err = capsys.readouterr().err
    assert "401" in err and "revoked" not in err


def test_a_missing_merge_field_is_said_and_the_rest_still_goes(project, mailchimp, mailchimp_emulator, clock):
    setup_audience(mailchimp, clock)
    fields = mailchimp.call("lists.get_list_merge_fields", mailchimp.list_id, count=100)["merge_fields"]
    tz_field = next(f for f in fields if f["tag"] == "TIMEZONE")
    mailchimp.call("lists.delete_list_merge_field", mailchimp.list_id, str(tz_field["merge_id"]))
    report = tick(project, outbox_of(project), mailchimp, clock.now)
    assert report.errors == ["merge field TIMEZONE is missing in the audience; run `welcome-gen push`"]
    assert report.exit_code == 4
    assert ("ann@x.org", "welcome:1") in received(mailchimp_emulator)


def test_an_empty_segment_and_a_refused_member_other_batches_still_go(project, mailchimp, mailchimp_emulator, clock):
    setup_audience(mailchimp, clock)
    archive_when_batched(mailchimp_emulator, mailchimp, "bob@x.org")
    report = tick(project, outbox_of(project), mailchimp, clock.now)
    failed = {r.key: r.error for r in report.results if r.error}
    assert list(failed) == ["wg:welcome:1:default:2027030110"]
    assert "Your segment is empty" in failed["wg:welcome:1:default:2027030110"]
    assert next(r for r in report.results if r.key == "wg:welcome:1:default:2027030110").refused == ["bob@x.org"]
    assert report.exit_code == 4
    assert received(mailchimp_emulator) == [("ann@x.org", "welcome:1"), ("cat@x.org", "birthday:2027.1")]


def archive_when_batched(emu, mc, email):
    """The member is archived between the tick's read and their batch: Mailchimp refuses them, the segment is empty."""
    original = emu.execute

    def execute(method, path, query, body, *args, **kwargs):
        if method == "POST" and path.endswith("/segments") and (body or {}).get("name", "").startswith("wg:welcome:1:default"):
            with emu.store:
                emu.store.under("members", mc.list_id)[mc.subscriber_hash(email)]["status"] = "archived"
        return original(method, path, query, body, *args, **kwargs)

    emu.execute = execute


def test_push_makes_the_folder_and_send_files_its_campaigns_there(project, mailchimp, mailchimp_emulator, clock):
    changes = push(project, outbox_of(project), mailchimp)
    assert [(c.kind, c.action) for c in changes if c.kind == "folder"] == [("folder", "create")]
    folders = mailchimp.call("campaignFolders.list", count=100)["folders"]
    assert [f["name"] for f in folders] == ["welcome-gen"]
    join(mailchimp, "ann@x.org", at("2027-03-01 09:30"), persona="makers")
    clock.now = at("2027-03-01 10:05")
    assert tick(project, outbox_of(project), mailchimp, clock.now).delivered == 1
    campaigns = mailchimp.call("campaigns.list", count=100)["campaigns"]
    assert [(c["settings"]["title"], c["settings"].get("folder_id")) for c in campaigns] == [
        ("wg:welcome:1:makers:2027030110", folders[0]["id"])]
    again = push(project, outbox_of(project), mailchimp)
    assert {c.action for c in again} == {"unchanged"}
    assert len(mailchimp.call("campaignFolders.list", count=100)["folders"]) == 1
