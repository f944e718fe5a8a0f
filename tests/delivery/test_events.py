"""Events for event-triggered sequences: the project's events/ folder, --events FILE, and Mailchimp member events."""

from __future__ import annotations

import json

from welcome_gen.delivery.tick import tick
from welcome_gen.delivery.push import push

from helpers import outbox_of
from support import at, join, write_project



def comment(email, event_id, when="2027-03-01T09:50:00Z", name="commented"):
    return json.dumps({"email": email, "name": name, "id": event_id, "occurred_at": when})


def thanked(emu) -> list[tuple[str, str]]:
    return sorted((d["email_address"], d["campaign_title"]) for d in emu.deliveries()
                  if d["campaign_title"].startswith("wg:thanks-comment:"))


def run_cli(args, project_dir):
    from welcome_gen.cli import main

    return main([*args, str(project_dir)])


def members(mc):
    # Long-standing members: their welcome and anniversary are long past, so a thank-you is all that is due.
    join(mc, "ann@x.org", at("2026-01-05 09:30"), persona="makers")
    join(mc, "bob@x.org", at("2026-01-05 09:40"))
    join(mc, "cat@x.org", at("2026-01-05 09:50"))


def test_send_reads_the_events_folder_and_an_events_file(tmp_path, mailchimp_env, mailchimp, mailchimp_emulator,
                                                         clock, capsys):
    other = tmp_path / "more.yaml"
    other.write_text("- email: cat@x.org\n  name: commented\n  id: c-9\n  occurred_at: 2027-03-01T09:55:00Z\n")
    root = write_project(tmp_path / "shop", {
        "events/comments.jsonl": "# from the comment form\n" + comment("ann@x.org", "c-1") + "\n\n"
                                 + comment("bob@x.org", "r-1", name="replied") + "\n",
        "events/more/old.yaml": "- {email: bob@x.org, name: commented, id: c-0, occurred_at: 2026-06-01}\n",
    })
    assert run_cli(["push"], root) == 0
    members(mailchimp)
    assert run_cli(["send", "--events", str(other), "--now", "2027-03-01T10:05:00Z"], root) == 0
    # ann's comment (folder), cat's (file); bob's reply is not a comment and his comment is months too late.
    assert thanked(mailchimp_emulator) == [("ann@x.org", "wg:thanks-comment:c-1.1:default:2027030110"),
                                           ("cat@x.org", "wg:thanks-comment:c-9.1:default:2027030110")]
    assert run_cli(["send", "--events", str(other), "--now", "2027-03-01T11:05:00Z"], root) == 0
    assert len(thanked(mailchimp_emulator)) == 2


def test_bad_event_lines_are_reported_at_path_and_line(tmp_path, capsys):
    root = write_project(tmp_path / "shop", {
        "events/comments.jsonl": comment("ann@x.org", "c-1") + "\n{not json\n"
                                 + json.dumps({"email": "ann@x.org", "name": "commented"}) + "\n"
                                 + comment("ann@x.org", "c-2", when="yesterday") + "\n",
        "events/more.yaml": "- email: bob@x.org\n  name: commented\n  id: c-3\n  occurred_at: 2027-03-01T09:00:00Z\n"
                            "- email: nobody\n  name: commented\n  id: c-4\n  occurred_at: 2027-03-01T09:00:00Z\n",
    })
    assert run_cli(["send", "--dry-run"], root) == 1
    err = capsys.readouterr().err
    assert "events/comments.jsonl:2: not JSON" in err
    assert "events/comments.jsonl:3: not an event: missing id, occurred_at" in err
    assert "events/comments.jsonl:4: not an event: occurred_at 'yesterday' is not an ISO 8601 time" in err
    assert "events/more.yaml:5: not an event: email 'nobody' is not an email address" in err
    assert "Traceback" not in err


def test_mailchimp_member_events_when_asked(project, mailchimp, mailchimp_emulator, clock):
    push(project, outbox_of(project), mailchimp)
    members(mailchimp)
    for email, props in (("bob@x.org", {"id": "post-7"}), ("cat@x.org", {})):
        mailchimp.call("lists.create_list_member_event", mailchimp.list_id, mailchimp.subscriber_hash(email),
                       {"name": "commented", "properties": props, "occurred_at": "2027-03-01T09:45:00+00:00"})
    mailchimp.call("lists.create_list_member_event", mailchimp.list_id, mailchimp.subscriber_hash("ann@x.org"),
                   {"name": "purchased", "occurred_at": "2027-03-01T09:45:00+00:00"})
    clock.now = at("2027-03-01 10:05")
    assert tick(project, outbox_of(project), mailchimp, clock.now).results == []  # not asked: Mailchimp's events are not read
    report = tick(project, outbox_of(project), mailchimp, clock.now, member_events=True)
    assert [r.error for r in report.results] == [None, None]
    got = thanked(mailchimp_emulator)
    assert [e for e, _ in got] == ["bob@x.org", "cat@x.org"]
    assert got[0][1] == "wg:thanks-comment:post-7.1:default:2027030110"  # the event's own id property
    clock.now = at("2027-03-01 11:05")
    again = tick(project, outbox_of(project), mailchimp, clock.now, member_events=True)
    assert again.results == [] and len(thanked(mailchimp_emulator)) == 2


def test_check_reports_bad_event_files_too(tmp_path, capsys):
    root = write_project(tmp_path / "shop", {"events/comments.jsonl": comment("ann@x.org", "c-1") + "\n{not json\n"})
    assert run_cli(["check"], root) == 1
    assert "events/comments.jsonl:2: not JSON" in capsys.readouterr().err
