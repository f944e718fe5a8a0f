"""The ledger: who got which personal email and when, and who is overdue, read from the emulator through the real
client after real ticks, and written as ledger.html and ledger.csv beside the report."""

from __future__ import annotations

import csv
import json

import pytest

from welcome_gen.cli import main
from welcome_gen.delivery.events import read_folder
from welcome_gen.delivery.push import push
from welcome_gen.delivery.tick import tick
from welcome_gen.project import load_project
from welcome_gen.report import make_report

from delivery.support import at, join
from helpers import outbox_of, write
from scenario import FILES

EXTRA = {
    "sequences/comment.yaml": "title: Thanks for your comment\ntrigger: {event: commented}\nsteps:\n"
                              "  - id: thanks\n    subject: Thank you for writing\n    body: step.md\n",
    "sequences/referral.yaml": "title: Thanks for the referral\ntrigger: {tag: referred-a-friend}\nsteps:\n"
                               "  - id: thanks\n    subject: Thank you\n    body: step.md\n",
    "events/site.jsonl": "\n".join(json.dumps(e) for e in (
        {"email": "fay@x.org", "name": "commented", "id": "c-1", "occurred_at": "2027-03-02T10:00:00Z"},
        {"email": "gus@x.org", "name": "enquiry", "id": "q-1", "occurred_at": "2027-03-02T11:00:00Z"},
        {"email": "zed@x.org", "name": "commented", "id": "c-2", "occurred_at": "2027-03-05T10:00:00Z"},
    )) + "\n",
}
NOW = "2027-03-09 12:00"


@pytest.fixture
def ledger_dir(tmp_path, mailchimp, mailchimp_emulator, clock):
    """Ticks on 1, 3 and 8 March 2027 (none in between), with:
    ann: the whole welcome series; bob: birthday 4 March, which no tick ran for; cat: her second email bounced;
    eve: joined in January, before welcome-gen ran, so her welcome was skipped; fay: commented on 2 March (joined in
    February); gus: sent an enquiry, which no sequence answers; hal: tagged as a referrer after the last tick;
    zed: commented, but is not in the audience."""
    root = write(tmp_path / "shop", {**FILES, **EXTRA})
    project = load_project(root)
    emu = mailchimp_emulator
    push(project, outbox_of(project), mailchimp)
    for email in ("ann@x.org", "cat@x.org", "gus@x.org", "hal@x.org"):
        join(mailchimp, email, at("2027-03-01 09:30"))
    join(mailchimp, "bob@x.org", at("2027-03-01 09:30"), birthday="03/04")
    join(mailchimp, "eve@x.org", at("2027-01-10 09:30"))
    join(mailchimp, "fay@x.org", at("2027-02-01 09:30"))
    for moment in ("2027-03-01 10:05", "2027-03-03 10:05", "2027-03-08 10:05"):
        clock.now = at(moment)
        assert all(r.error is None for r in tick(project, outbox_of(project), mailchimp, clock.now, events=read_folder(project)).results)
        if moment.startswith("2027-03-03"):
            (story,) = {d["campaign_id"] for d in emu.deliveries(email="cat@x.org")
                        if d["campaign_title"].startswith("wg:welcome:story:")}
            emu.add_bounce(story, "cat@x.org")
    (hello,) = {d["campaign_id"] for d in emu.deliveries(email="ann@x.org")
                if d["campaign_title"].startswith("wg:welcome:hello:")}
    clock.now = at(NOW)
    emu.add_open(hello, "ann@x.org")
    emu.add_open(hello, "ann@x.org")
    mailchimp.call("lists.update_list_member_tags", mailchimp.list_id, mailchimp.subscriber_hash("hal@x.org"),
                   {"tags": [{"name": "referred-a-friend", "status": "active"}]})
    return root


def overdue_by_member(ledger) -> dict[str, list[str]]:
    return {m.email: [f"{o.what} | {o.why} | {o.fix}" for o in m.overdue] for m in ledger.members if m.overdue}


def test_every_member_has_their_history_and_the_overdue_say_why(ledger_dir, mailchimp, tmp_path):
    project = load_project(ledger_dir)
    ledger = make_report(project, mailchimp, tmp_path / "out", now=at(NOW)).ledger
    rows = {m.email: m for m in ledger.members}
    ann = [(t.kind, t.step, t.status, t.at, t.opens) for t in rows["ann@x.org"].touches]
    assert ann == [("welcome", "hello", "sent", at("2027-03-01 10:05"), 2),
                   ("welcome", "story", "sent", at("2027-03-03 10:05"), 0),
                   ("welcome", "week", "sent", at("2027-03-08 10:05"), 0)]
    # fay joined in February: her welcome was skipped as too late, but her comment was answered.
    assert [(t.kind, t.status) for t in rows["fay@x.org"].touches] == [("thank-you", "sent"), ("welcome", "skipped")]
    assert [(t.kind, t.status, t.at) for t in rows["hal@x.org"].touches if t.kind == "thank-you"] == [
        ("thank-you", "pending", at(NOW))]  # tagged after the last tick: the next one in their window thanks them
    assert rows["cat@x.org"].status == "cleaned"

    overdue = overdue_by_member(ledger)
    assert sorted(overdue) == ["bob@x.org", "cat@x.org", "eve@x.org", "gus@x.org", "zed@x.org"]
    assert len(ledger.overdue) == 5
    (bob,) = overdue["bob@x.org"]
    assert bob.startswith("birthday 2027 skipped (birthday/1) | late: due from Thu 2027-03-04 09:00 in their window, "
                          "but no `send` delivered it within 2d | make sure `welcome-gen send` runs every hour")
    (cat,) = overdue["cat@x.org"]
    assert cat.startswith("welcome/story bounced on Wed 2027-03-03 10:05 | Mailchimp could not deliver it (hard bounce)")
    (eve,) = overdue["eve@x.org"]
    assert eve.startswith("on the list 8 week(s) (58 days) with no personal email | welcome/week was skipped; late: "
                          "due from Mon 2027-01-18 09:00")
    (gus,) = overdue["gus@x.org"]
    assert "no sequence is triggered by the event 'enquiry'" in gus and "trigger: {event: enquiry}" in gus
    (zed,) = overdue["zed@x.org"]
    assert "not in the Mailchimp audience" in zed


def test_the_cli_ends_with_the_overdue_count_and_writes_the_ledger_files(ledger_dir, mailchimp_env, clock, capsys):
    code = main(["report", str(ledger_dir), "--now", "2027-03-09T12:00:00Z"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.strip().splitlines()[-1] == "overdue: 5 (5 member(s) waiting)"
    assert "@" not in out  # the terminal (and CI logs) name nobody
    folder = ledger_dir / "build" / "report"
    page = (folder / "ledger.html").read_text()
    assert 'Overdue: <span class="count">5</span>' in page and "eve@x.org" in page
    rows = list(csv.DictReader((folder / "ledger.csv").open()))
    over = [r for r in rows if r["row"] == "overdue"]
    assert sorted(r["email"] for r in over) == ["bob@x.org", "cat@x.org", "eve@x.org", "gus@x.org", "zed@x.org"]
    sent = [r for r in rows if r["row"] == "touch" and r["status"] == "sent"]
    # ann, bob, cat (hello; her story bounced), gus and hal had welcome steps; fay her thank-you.
    assert len(sent) == len([r for r in sent if r["kind"] == "welcome"]) + 1
    assert [(r["step"], r["at"], r["opens"]) for r in sent if r["email"] == "ann@x.org"] == [
        ("hello", "2027-03-01 10:05", "2"), ("story", "2027-03-03 10:05", "0"), ("week", "2027-03-08 10:05", "0")]
    assert not (ledger_dir / "public").exists()


def test_no_ledger_reads_no_recipients(ledger_dir, mailchimp_env, mailchimp_emulator, capsys):
    before = len(mailchimp_emulator.requests)
    assert main(["report", str(ledger_dir), "--no-ledger"]) == 0
    assert not any("/sent-to" in r.path for r in list(mailchimp_emulator.requests)[before:])
    assert not (ledger_dir / "build" / "report" / "ledger.html").exists()
    assert "overdue" not in capsys.readouterr().out


def test_the_pages_read_well_with_a_screen_reader(ledger_dir, mailchimp, tmp_path):
    from lxml import html

    out = tmp_path / "out"
    make_report(load_project(ledger_dir), mailchimp, out, now=at(NOW))
    for name in ("index.html", "ledger.html"):
        doc = html.parse(str(out / name)).getroot()
        assert doc.get("lang") == "en", name
        levels = [int(h.tag[1]) for h in doc.xpath("//h1|//h2|//h3|//h4")]
        assert levels.count(1) == 1 and levels[0] == 1, name
        assert not [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1], name
        assert all(t.xpath(".//th") for t in doc.xpath("//table")), name  # every table has headers
        assert all(svg.xpath("./*[local-name()='title']") for svg in doc.xpath("//*[local-name()='svg']")), name
