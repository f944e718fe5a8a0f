"""Flags (a step with too many unsubscribes, or a steep fall in opens) and goals (each week against welcome.yaml's
`goals:`, with Mailchimp's audience growth), from the same delivered, opened and unsubscribed emails as the report
tests, on the page, in report.json and report.csv, and in the terminal."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from welcome_gen.cli import main
from welcome_gen.report import make_report

from delivery.support import at
from helpers import write
from scenario import FILES

SETTINGS = """
report:
  flags: {min_delivered: 3}
goals:
  signups_per_week: 3
  welcome_completion: 50%
  open_rate: 40%
"""


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    return write(tmp_path / "shop", {**FILES, "welcome.yaml": FILES["welcome.yaml"] + SETTINGS})


@pytest.fixture
def unsubscribed(delivered, mailchimp_emulator):
    """cat leaves through the story email: 1 of its 3 against 1 of the series' 10."""
    assert mailchimp_emulator.add_unsubscribe(delivered.id("wg:welcome:story:default:"), "cat@x.org")
    return delivered


def test_a_step_with_many_unsubscribes_and_a_steep_fall_in_opens_are_flagged(project, mailchimp, unsubscribed,
                                                                                tmp_path):
    out = tmp_path / "out"
    report = make_report(project, mailchimp, out, now=at("2027-03-12 12:00")).report
    assert [(f.step, f.kind) for f in report.flags] == [("story", "unsubscribes"), ("week", "opens")]
    story, week = (f.message for f in report.flags)
    assert story == ("welcome/story: 1 of 3 delivered unsubscribed (33%), more than 2× the sequence's 10% "
                     "(1 of 10)")
    assert week == "welcome/week: opened by 0 of 3 (0%), under 0.5× the 100% of story (3 of 3)"
    page = (out / "index.html").read_text()
    assert '<section id="flags"' in page and page.count("⚑ flagged") == 2
    doc = json.loads((out / "report.json").read_text())
    assert [f["kind"] for f in doc["flags"]] == ["unsubscribes", "opens"]
    rows = {(r["step"], r["variant"]): r["flags"] for r in csv.DictReader((out / "report.csv").open())}
    assert rows == {("hello", "default"): "", ("hello", "makers"): "", ("story", "default"): "unsubscribes",
                    ("week", "default"): "opens"}


def test_few_emails_are_never_flagged(tmp_path, mailchimp, unsubscribed):
    from welcome_gen.project import load_project

    root = write(tmp_path / "default", FILES)  # min_delivered stays 20: three emails are noise, not news
    report = make_report(load_project(root), mailchimp, tmp_path / "out", now=at("2027-03-12 12:00")).report
    assert report.flags == [] and report.goals == [] and report.growth == []


def test_goals_each_week_with_the_counts_and_mailchimp_growth(project, mailchimp, unsubscribed, tmp_path):
    out = tmp_path / "out"
    report = make_report(project, mailchimp, out, now=at("2027-03-12 12:00")).report
    goals = {g.key: g for g in report.goals}
    assert list(goals) == ["signups_per_week", "welcome_completion", "open_rate"]
    assert all(len(g.weeks) == 12 and g.weeks[-1].start == date(2027, 3, 8) for g in goals.values())
    signups = goals["signups_per_week"]
    # ann, bob and cat joined on 1 March, dan on the 8th (this week): 1 of the 3 a week wanted.
    assert [(w.start, w.part) for w in signups.weeks[-2:]] == [(date(2027, 3, 1), 3), (date(2027, 3, 8), 1)]
    assert signups.met is False
    completion = goals["welcome_completion"]
    # The 1 March joiners had time to finish (7 days, plus 2 days' lateness) and all three got step `week`;
    # dan has not had time: his week reads "—", not 0.
    assert [(w.part, w.whole, w.value) for w in completion.weeks[-2:]] == [(3, 3, 1.0), (0, 0, None)]
    assert completion.latest.start == date(2027, 3, 1) and completion.met is True
    opens = goals["open_rate"]
    assert [(w.part, w.whole) for w in opens.weeks[-2:]] == [(5, 6), (0, 4)] and opens.met is False
    assert [(m.month, m.existing, m.optins, m.imports) for m in report.growth] == [("2027-03", 0, 4, 0)]
    page = (out / "index.html").read_text()
    assert '<section id="goals">' in page and 'id="goal-open_rate"' in page
    assert "83% (5 of 6)" in page and "Audience growth (Mailchimp)" in page
    doc = json.loads((out / "report.json").read_text())
    assert doc["goals"][1]["weeks"][-2] == {"week_of": "2027-03-01", "part": 3, "whole": 3, "value": 1.0}
    assert doc["growth"] == [{"month": "2027-03", "existing": 0, "optins": 4, "imports": 0}]


def test_without_the_ledger_the_goals_that_need_members_say_so(project, mailchimp, unsubscribed, tmp_path):
    report = make_report(project, mailchimp, tmp_path / "out", now=at("2027-03-12 12:00"), ledger=False).report
    notes = {g.key: g.note for g in report.goals}
    assert notes["signups_per_week"].startswith("needs the member read") and notes["open_rate"] == ""


def test_the_terminal_lists_flags_and_goals(project_dir, mailchimp_env, unsubscribed, capsys):
    assert main(["report", str(project_dir), "--now", "2027-03-12T12:00:00Z"]) == 0
    out = capsys.readouterr().out
    assert "flag: welcome/story: 1 of 3 delivered unsubscribed (33%)" in out
    assert "goal: Welcome series completed: 100% (3 of 3) in the week of 2027-03-01, goal 50%: met" in out
    assert "goal: Signups a week: 1 in the week of 2027-03-08, goal 3: below" in out
    assert "goal: Open rate: 0% (0 of 4) in the week of 2027-03-08, goal 40%: below" in out


def test_a_bad_goal_is_a_problem_at_its_line(tmp_path, capsys):
    root = write(tmp_path / "shop", {**FILES, "welcome.yaml": FILES["welcome.yaml"] + "goals:\n  open_rate: 140%\n"})
    assert main(["check", str(root)]) == 1
    err = capsys.readouterr().err
    assert "welcome.yaml:" in err and "open_rate" in err and "between 0% and 100%" in err
