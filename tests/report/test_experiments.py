"""Subject experiments: `send` splits a step's members between its subjects by a digest of their address (each
subject its own batches, each member one email), and the report shows each subject's opens and clicks with the
counts, a Wilson interval, and "not enough data yet" until the difference is more than noise."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from welcome_gen.cli import main
from welcome_gen.delivery.push import push
from welcome_gen.delivery.tick import tick
from welcome_gen.project.experiment import arm_for
from welcome_gen.project import load_project
from welcome_gen.report import make_report
from welcome_gen.report.experiments import wilson

from delivery.support import at, join
from helpers import outbox_of, write
from scenario import FILES

SEQUENCE = """\
title: Welcome series
trigger: subscribed
steps:
  - id: hello
    subjects: ["Welcome aboard", "You're in: here's what happens next"]
    experiment: {min_sent: 10}
    body: step.md
"""
PEOPLE = [f"reader{i:02d}@x.org" for i in range(40)]


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    return write(tmp_path / "shop", {**FILES, "sequences/welcome.yaml": SEQUENCE})


@pytest.fixture
def sent(project_dir, mailchimp, mailchimp_emulator, clock):
    project = load_project(project_dir)
    push(project, outbox_of(project), mailchimp)
    for email in PEOPLE:
        join(mailchimp, email, at("2027-03-01 09:30"))
    clock.now = at("2027-03-01 10:05")
    assert all(r.error is None for r in tick(project, outbox_of(project), mailchimp, clock.now).results)
    clock.now = at("2027-03-01 11:05")
    assert tick(project, outbox_of(project), mailchimp, clock.now).results == []  # exactly once: nothing is sent again
    return project


def by_subject(emu) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for d in emu.deliveries():
        out.setdefault(d["subject"], []).append(d["email_address"])
    return out


def test_send_splits_members_by_address_and_each_subject_has_its_own_batch(sent, mailchimp_emulator):
    step = sent.sequence("welcome").meta.steps[0]
    expected = {"A": sorted(e for e in PEOPLE if arm_for("welcome", step, e) == "A"),
                "B": sorted(e for e in PEOPLE if arm_for("welcome", step, e) == "B")}
    assert 12 <= len(expected["A"]) <= 28  # an even split, not everyone on one side
    got = by_subject(mailchimp_emulator)
    assert sorted(got["Welcome aboard"]) == expected["A"]
    assert sorted(got["You're in: here's what happens next"]) == expected["B"]
    titles = {d["campaign_title"].rsplit(":", 1)[0] for d in mailchimp_emulator.deliveries()}
    assert titles == {"wg:welcome:hello:default+A", "wg:welcome:hello:default+B"}


def test_not_enough_data_until_the_intervals_part(sent, mailchimp, mailchimp_emulator, clock, tmp_path):
    emu = mailchimp_emulator
    campaigns = {d["subject"]: d["campaign_id"] for d in emu.deliveries()}
    a_people = by_subject(emu)["Welcome aboard"]
    b_people = by_subject(emu)["You're in: here's what happens next"]
    clock.now = at("2027-03-02 12:00")
    for email in a_people[:2]:
        emu.add_open(campaigns["Welcome aboard"], email)
    for email in b_people[:3]:
        emu.add_open(campaigns["You're in: here's what happens next"], email)
    (row,) = make_report(sent, mailchimp, tmp_path / "early", now=clock.now).report.experiments
    assert row.winner is None and row.verdict.startswith("not enough data yet: the intervals overlap")
    a, b = row.arms
    assert (a.numbers.opens, a.numbers.delivered) == (2, len(a_people))
    assert a.opens_interval == wilson(2, len(a_people), 0.95)
    # Nearly every B reader opens; hardly any A reader: B's interval now sits above A's.
    for email in b_people:
        emu.add_open(campaigns["You're in: here's what happens next"], email)
    out = tmp_path / "late"
    (row,) = make_report(sent, mailchimp, out, now=clock.now).report.experiments
    assert row.winner == "B" and "subject B wins on opens at 95% confidence" in row.verdict
    page = (out / "index.html").read_text()
    assert "Subject experiments" in page and f"{len(b_people)} (100%)" in page
    doc = json.loads((out / "report.json").read_text())
    assert doc["experiments"][0]["subjects"][1]["unique_opens"] == len(b_people)
    rows = [(r["variant"], r["sent"]) for r in csv.DictReader((out / "report.csv").open()) if r["step"] == "hello"]
    assert rows == [("default+A", str(len(a_people))), ("default+B", str(len(b_people)))]


def test_the_terminal_says_so_and_too_few_emails_name_no_winner(sent, mailchimp, mailchimp_emulator, mailchimp_env,
                                                                 project_dir, clock, capsys):
    emu = mailchimp_emulator
    b = next(d for d in emu.deliveries() if d["subject"].startswith("You're in"))
    emu.add_open(b["campaign_id"], b["email_address"])
    write(project_dir, {"sequences/welcome.yaml": SEQUENCE.replace("min_sent: 10", "min_sent: 100")})
    assert main(["report", str(project_dir), "--now", "2027-03-02T12:00:00Z"]) == 0
    out = capsys.readouterr().out
    assert "experiment welcome/hello: A 0 of" in out and "not enough data yet: A, B delivered fewer than 100" in out


def test_a_winner_in_the_file_goes_to_everyone_from_then_on(project_dir, mailchimp, mailchimp_emulator, clock):
    write(project_dir, {"sequences/welcome.yaml": SEQUENCE.replace("{min_sent: 10}", "{min_sent: 10, winner: B}")})
    project = load_project(project_dir)
    push(project, outbox_of(project), mailchimp)
    for email in PEOPLE[:6]:
        join(mailchimp, email, at("2027-03-01 09:30"))
    clock.now = at("2027-03-01 10:05")
    tick(project, outbox_of(project), mailchimp, clock.now)
    assert list(by_subject(mailchimp_emulator)) == ["You're in: here's what happens next"]


def test_a_bad_experiment_is_a_problem_at_its_line(tmp_path, capsys):
    bad = SEQUENCE.replace('subjects: ["Welcome aboard", "You\'re in: here\'s what happens next"]', "subjects: [Hi]")
    root = write(tmp_path / "shop", {**FILES, "sequences/welcome.yaml": bad})
    assert main(["check", str(root)]) == 1
    assert "subjects: list two or more" in capsys.readouterr().err


def test_with_promote_the_report_promotes_a_clear_winner_and_send_follows(project_dir, mailchimp, mailchimp_emulator,
                                                                           clock, tmp_path):
    write(project_dir, {"sequences/welcome.yaml": SEQUENCE.replace("{min_sent: 10}", "{min_sent: 10, promote: true}")})
    project = load_project(project_dir)
    push(project, outbox_of(project), mailchimp)
    for email in PEOPLE:
        join(mailchimp, email, at("2027-03-01 09:30"))
    clock.now = at("2027-03-01 10:05")
    tick(project, outbox_of(project), mailchimp, clock.now)
    emu = mailchimp_emulator
    early = make_report(project, mailchimp, tmp_path / "early", now=clock.now).report.experiments[0]
    assert early.promoted is None  # nothing opened yet: nothing to promote
    b = [d for d in emu.deliveries() if d["subject"].startswith("You're in")]
    for d in b:
        emu.add_open(d["campaign_id"], d["email_address"])
    (row,) = make_report(project, mailchimp, tmp_path / "out", now=clock.now).report.experiments
    assert row.promoted == "B" and row.verdict.startswith("over: subject B won and was promoted")
    (again,) = make_report(project, mailchimp, tmp_path / "again", now=clock.now).report.experiments
    assert again.promoted == "B"  # read back from Mailchimp, not promoted twice
    names = [s["name"] for s in mailchimp.call("lists.list_segments", mailchimp.list_id, count=1000)["segments"]]
    assert names.count("wg:welcome:hello:promoted:B") == 1
    # Newcomers all get B; nobody who already had hello gets it again.
    newcomers = [f"late{i}@x.org" for i in range(8)]
    for email in newcomers:
        join(mailchimp, email, at("2027-03-02 09:30"))
    before = len(emu.deliveries())
    clock.now = at("2027-03-02 10:05")
    tick(project, outbox_of(project), mailchimp, clock.now)
    new = emu.deliveries()[before:]
    assert sorted(d["email_address"] for d in new) == sorted(newcomers)
    assert {d["subject"] for d in new} == {"You're in: here's what happens next"}
