"""`welcome-gen thank`: record an event to acknowledge (or a referral tag), say when it goes out, and the next tick
sends it exactly once; `thank --list` shows what is recorded and not yet acknowledged."""

from __future__ import annotations

import json

from welcome_gen.cli import main
from welcome_gen.delivery.push import push
from welcome_gen.project import load_project

from helpers import outbox_of
from support import at, join, write_project

COMPLAINT = {
    "sequences/complaint.yaml": "title: On it\ntrigger: {event: complaint}\nvars: {who: Ada, by_when: by Friday}\n"
                                "steps:\n  - id: received\n    subject: \"{{ vars.who }} replies {{ vars.by_when }}\"\n"
                                "    body: thanks.md\n",
}


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def members(mc):
    # Long-standing members: their welcome and anniversary are long past, so an acknowledgement is all that is due.
    join(mc, "ann@x.org", at("2026-01-05 09:30"))
    join(mc, "bob@x.org", at("2026-01-05 09:40"), persona="makers")
    join(mc, "cat@x.org", at("2026-01-05 09:50"), status="unsubscribed")


def recorded(root) -> list[dict]:
    path = root / "events" / "thanks.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_thank_records_the_event_says_when_and_the_next_tick_sends_it_once(tmp_path, mailchimp_env, mailchimp,
                                                                            mailchimp_emulator, clock, capsys):
    root = write_project(tmp_path / "shop", COMPLAINT)
    assert main(["push", str(root)]) == 0
    members(mailchimp)
    # Monday 1 March 2027, 07:30 UTC: before the 09:00 London window opens.
    code, out, err = run(capsys, "thank", "ann@x.org", str(root), "--for", "complaint", "--note",
                         "chisel arrived [blunt]", "--now", "2027-03-01T07:30:00Z")
    assert code == 0, err
    (event,) = recorded(root)
    assert event == {"email": "ann@x.org", "name": "complaint", "id": event["id"], "occurred_at": "2027-03-01T07:30:00Z",
                     "properties": {"note": "chisel arrived [blunt]"}}
    assert f"recorded complaint for ann@x.org in events/thanks.jsonl (id {event['id']})" in out
    assert "complaint/received goes out with the first tick from Mon 2027-03-01 09:00 their time (Europe/London)" in out
    # The hourly send: nothing before the window, then once, then never again.
    for hour, expected in (("08:05", 0), ("09:05", 1), ("10:05", 1)):
        assert main(["send", str(root), "--now", f"2027-03-01T{hour}:00Z"]) == 0
        sent = [d for d in mailchimp_emulator.deliveries() if d["campaign_title"].startswith("wg:complaint:")]
        assert len(sent) == expected, hour
    assert sent[0]["email_address"] == "ann@x.org" and sent[0]["subject"] == "Ada replies by Friday"


def test_kind_may_name_the_sequence_or_its_event_and_a_referral_is_a_tag(tmp_path, mailchimp_env, mailchimp, clock,
                                                                          capsys):
    root = write_project(tmp_path / "shop")
    push(p := load_project(root), outbox_of(p), mailchimp)
    members(mailchimp)
    code, out, err = run(capsys, "thank", "bob@x.org", str(root), "--for", "thanks-comment",
                         "--now", "2027-03-02T12:00:00Z")
    assert code == 0, err
    assert [e["name"] for e in recorded(root)] == ["commented"]
    assert "thanks-comment/1 goes out with the first tick from Tue 2027-03-02 12:00" in out
    code, out, err = run(capsys, "thank", "bob@x.org", str(root), "--for", "referred-a-friend",
                         "--now", "2027-03-02T12:00:00Z")
    assert code == 0, err
    assert "tagged bob@x.org referred-a-friend in Mailchimp" in out
    # bob's comment goes first: one email per member per tick, so the referral thank-you follows an hour later.
    assert ("thanks-referral/1 goes out with the first tick from Tue 2027-03-02 13:00 their time (Europe/London), "
            "2027-03-02 13:00 UTC (held back until then: one email per member at a time)") in out
    tags = mailchimp.call("lists.get_list_member_tags", mailchimp.list_id, mailchimp.subscriber_hash("bob@x.org"))
    assert [t["name"] for t in tags["tags"]] == ["referred-a-friend"]
    assert len(recorded(root)) == 1  # a tag, not an event
    # A tag thanks each member once: a second referral is refused, not silently dropped.
    code, out, err = run(capsys, "thank", "bob@x.org", str(root), "--for", "referred-a-friend")
    assert code == 2 and "already has the tag referred-a-friend" in err


def test_what_thank_refuses_records_nothing(tmp_path, mailchimp_env, mailchimp, clock, capsys):
    root = write_project(tmp_path / "shop", COMPLAINT)
    members(mailchimp)
    cases = [
        (("nobody@x.org", "--for", "complaint"), "nobody@x.org is not a member of the audience"),
        (("cat@x.org", "--for", "complaint"), "cat@x.org is unsubscribed"),
        (("ann@x.org", "--for", "enquiry"), "--for enquiry: no sequence is triggered by 'enquiry'"),
        (("ann@x.org",), "give EMAIL and --for KIND"),
    ]
    for args, message in cases:
        code, out, err = run(capsys, "thank", args[0], str(root), *args[1:])
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1, (args, err)
        assert "Traceback" not in err
    assert "known: commented, complaint, referred-a-friend, thanks-comment, thanks-referral" in \
        run(capsys, "thank", "ann@x.org", str(root), "--for", "enquiry")[2]
    assert recorded(root) == []


def test_a_broken_events_file_is_reported_and_left_alone(tmp_path, mailchimp_env, mailchimp, clock, capsys):
    root = write_project(tmp_path / "shop", {**COMPLAINT, "events/thanks.jsonl": "{not json\n"})
    members(mailchimp)
    code, out, err = run(capsys, "thank", "ann@x.org", str(root), "--for", "complaint")
    assert code == 1 and "events/thanks.jsonl:1: not JSON" in err
    assert (root / "events" / "thanks.jsonl").read_text() == "{not json\n"


def test_the_file_named_in_welcome_yaml_is_where_thank_writes_and_send_reads(tmp_path, mailchimp_env, mailchimp,
                                                                               mailchimp_emulator, clock, capsys):
    root = write_project(tmp_path / "shop", COMPLAINT)
    (root / "welcome.yaml").write_text((root / "welcome.yaml").read_text() + "events:\n  file: inbox/acks.jsonl\n")
    assert main(["push", str(root)]) == 0
    members(mailchimp)
    assert run(capsys, "thank", "ann@x.org", str(root), "--for", "complaint", "--now", "2027-03-01T09:30:00Z")[0] == 0
    assert (root / "inbox" / "acks.jsonl").is_file() and not (root / "events").exists()
    assert main(["send", str(root), "--now", "2027-03-01T10:05:00Z"]) == 0
    assert [d["email_address"] for d in mailchimp_emulator.deliveries()
            if d["campaign_title"].startswith("wg:complaint:")] == ["ann@x.org"]


def test_list_shows_what_is_recorded_and_not_yet_acknowledged(tmp_path, mailchimp_env, mailchimp, clock, capsys):
    root = write_project(tmp_path / "shop", {**COMPLAINT, "events/site.jsonl": json.dumps(
        {"email": "cat@x.org", "name": "commented", "id": "c-1", "occurred_at": "2027-03-01T08:00:00Z"}) + "\n"})
    assert main(["push", str(root)]) == 0
    members(mailchimp)
    assert run(capsys, "thank", "ann@x.org", str(root), "--for", "complaint", "--note", "late delivery",
               "--now", "2027-03-01T09:30:00Z")[0] == 0
    code, out, err = run(capsys, "thank", "--list", str(root), "--now", "2027-03-01T09:40:00Z")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].startswith("cat@x.org  commented  2027-03-01 08:00 UTC  not subscribed: reply to them yourself")
    assert lines[1].startswith("ann@x.org  complaint  2027-03-01 09:30 UTC  pending: complaint/received goes out with "
                               "the first tick from Mon 2027-03-01 10:00") and lines[1].endswith("(late delivery)")
    assert lines[-1] == "2 not yet acknowledged"
    assert main(["send", str(root), "--now", "2027-03-01T10:05:00Z"]) == 0
    code, out, err = run(capsys, "thank", "--list", str(root), "--now", "2027-03-01T10:10:00Z")
    assert out.strip().splitlines()[-1] == "1 not yet acknowledged"
