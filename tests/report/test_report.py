"""`report` against the emulator through the real client: the numbers are what was delivered, opened and clicked."""

from __future__ import annotations

import csv
from contextlib import contextmanager
import json
import re
from collections import Counter
from datetime import date

import requests

from welcome_gen.cli import main
from welcome_gen.delivery.tick import tick
from welcome_gen.mailchimp.records import parse_batch_key
from welcome_gen.delivery.push import push
from welcome_gen.project import load_project
from welcome_gen.report import gather, make_report

from delivery.support import at, join
from scenario import PEOPLE
from mailchimp.fixtures import AUDIENCE
from helpers import outbox_of, write

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[a-z]{2,}")


def run(*args: str, capsys) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_numbers_match_what_was_delivered_opened_and_clicked(project, mailchimp, mailchimp_emulator, delivered,
                                                             tmp_path):
    result = make_report(project, mailchimp, tmp_path / "out", now=at("2027-03-09 12:00"))
    report = result.report
    # What sent something first, however the files sort.
    assert [s.key for s in report.sequences] == ["welcome", "birthday"]
    welcome = report.sequences[0]
    # Steps in the sequence's order, not alphabetical; the variant "default" first.
    assert [s.id for s in welcome.steps] == ["hello", "story", "week"]
    hello, story, week = welcome.steps
    assert [v.variant for v in hello.variants] == ["default", "makers"]
    assert (hello.numbers.sent, hello.numbers.opens, hello.numbers.clicks) == (4, 2, 1)
    assert hello.numbers.campaigns == 3  # makers, default on the 1st, default for dan on the 8th
    default, makers = hello.variants
    assert (default.numbers.sent, default.numbers.opens, default.numbers.clicks) == (3, 1, 0)
    assert (makers.numbers.sent, makers.numbers.opens, makers.numbers.clicks) == (1, 1, 1)
    assert makers.numbers.open_rate == 1.0 and default.numbers.open_rate == 1 / 3
    assert (story.numbers.sent, story.numbers.opens, story.numbers.clicks, story.numbers.total_clicks) == (3, 3, 1, 2)
    assert (week.numbers.sent, week.numbers.opens, week.numbers.clicks) == (3, 0, 0)
    assert hello.numbers.total_opens == 3  # bob opened twice
    # The same sums straight from the emulator's record of deliveries.
    sent = Counter(parse_batch_key(d["campaign_title"]).step for d in mailchimp_emulator.deliveries())
    assert {s.id: s.numbers.sent for s in welcome.steps} == dict(sent)
    assert report.numbers.sent == len(mailchimp_emulator.deliveries()) == 10
    # Weeks start on Monday (1 March 2027 is one): step hello and story in the first, week and dan's hello after.
    assert [(w.start, w.numbers.sent, w.numbers.opens) for w in welcome.weeks] == [
        (date(2027, 3, 1), 6, 5), (date(2027, 3, 8), 4, 0)]
    birthday = next(s for s in report.sequences if s.key == "birthday")
    assert birthday.numbers.campaigns == 0 and birthday.steps[0].numbers.sent == 0


def test_the_files_hold_the_same_numbers_and_a_chart_per_sequence(project, mailchimp, delivered, tmp_path):
    out = tmp_path / "out"
    make_report(project, mailchimp, out, now=at("2027-03-09 12:00"))
    page = (out / "index.html").read_text()
    assert page.count('id="seq-welcome-funnel"') == 1 and page.count('id="seq-welcome-weeks"') == 1
    assert page.count('id="seq-welcome-hours"') == 1  # when its readers open it
    assert page.count("<svg") == 3  # birthday has sent nothing: it says so instead of drawing empty charts
    assert "Nothing sent yet for this sequence." in page
    assert "hello. Welcome aboard" in page  # steps named by id and subject
    doc = json.loads((out / "report.json").read_text())
    welcome = next(s for s in doc["sequences"] if s["key"] == "welcome")
    assert welcome["steps"][0]["variants"]["makers"] == {
        "campaigns": 1, "sent": 1, "delivered": 1, "bounces": 0, "unique_opens": 1, "open_rate": 1.0,
        "unique_clicks": 1, "click_rate": 1.0, "unsubscribes": 0, "total_opens": 1, "total_clicks": 1}
    assert doc["total"]["sent"] == 10 and [w["week_of"] for w in welcome["weeks"]] == ["2027-03-01", "2027-03-08"]
    rows = list(csv.DictReader((out / "report.csv").open()))
    assert [(r["step"], r["variant"], r["sent"], r["unique_opens"]) for r in rows] == [
        ("hello", "default", "3", "1"), ("hello", "makers", "1", "1"), ("story", "default", "3", "3"),
        ("week", "default", "3", "0")]


def test_the_page_is_titled_with_the_campaigns_dates_not_the_day_it_was_made(project, mailchimp, delivered,
                                                                             tmp_path):
    out = tmp_path / "out"
    make_report(project, mailchimp, out, now=at("2031-06-30 12:00"))  # long after the campaigns went out
    page = (out / "index.html").read_text()
    title = page.split("<title>")[1].split("</title>")[0]
    assert title.startswith("Email report, campaigns sent 2027-03-01 to 2027-03-08 · ")
    header = page.split("<header>")[1].split("</header>")[0]
    assert "campaigns sent 2027-03-01 to 2027-03-08" in header and "report made 2031-06-30" in header
    assert "2031" not in title


def test_no_member_address_reaches_any_file(project, mailchimp, delivered, tmp_path):
    out = tmp_path / "out"
    make_report(project, mailchimp, out, now=at("2027-03-09 12:00"))
    for name in ("index.html", "report.json", "report.csv"):
        text = (out / name).read_text().lower()
        assert not any(email in text or email.split("@")[0] + "@" in text for email in PEOPLE), name
        assert not EMAIL.search(text), name


def test_since_keeps_only_later_campaigns(project, mailchimp, delivered, tmp_path):
    result = make_report(project, mailchimp, tmp_path / "out", now=at("2027-03-09 12:00"), since=at("2027-03-05 00:00"))
    welcome = next(s for s in result.report.sequences if s.key == "welcome")
    assert {s.id: s.numbers.sent for s in welcome.steps} == {"hello": 1, "story": 0, "week": 3}
    assert "since 2027-03-05" in (tmp_path / "out" / "index.html").read_text()


def test_reports_read_in_bulk_or_one_by_one_agree(project, mailchimp, delivered):
    before = mailchimp.calls
    one = gather(mailchimp, one_by_one=100)
    one_calls = mailchimp.calls - before
    before = mailchimp.calls
    bulk = gather(mailchimp, one_by_one=0)
    bulk_calls = mailchimp.calls - before
    assert [(c.title, c.numbers) for c in one] == [(c.title, c.numbers) for c in bulk] and len(one) == 5
    # the campaign listing, then five report calls; or one listing of every report.
    assert (one_calls, bulk_calls) == (6, 2)


def test_the_cli_writes_build_report_and_says_what_it_found(project_dir, mailchimp_env, delivered, capsys):
    code, out, err = run("report", str(project_dir), capsys=capsys)
    assert code == 0, err
    assert "5 campaign(s) over 2 sequence(s): 10 delivered, 50% opened, 20% clicked" in out
    assert (project_dir / "build" / "report" / "index.html").is_file()
    assert not (project_dir / "public").exists()
    code, out, err = run("report", str(project_dir), "--since", "2027-03-05", "--out",
                         str(project_dir / "build" / "later"), capsys=capsys)
    assert code == 0 and "2 campaign(s)" in out


def test_an_empty_audience_gives_a_nothing_sent_yet_page(project_dir, mailchimp_env, capsys):
    code, out, err = run("report", str(project_dir), capsys=capsys)
    assert code == 0, err
    page = (project_dir / "build" / "report" / "index.html").read_text()
    assert "Nothing sent yet" in page and "<svg" not in page
    assert json.loads((project_dir / "build" / "report" / "report.json").read_text())["total"]["sent"] == 0
    assert "nothing sent yet" in out


def test_a_bad_key_exits_3_with_one_line(project_dir, mailchimp_env, monkeypatch, capsys):
    monkeypatch.setenv("MAILCHIMP_API_KEY", "wrong-key-us0")
    code, out, err = run("report", str(project_dir), capsys=capsys)
    assert code == 3
    assert len(err.strip().splitlines()) == 1 and "401" in err and "wrong-key" not in err
    assert not (project_dir / "build" / "report").exists()


def test_it_refuses_to_write_inside_the_site_folder(project_dir, mailchimp_env, mailchimp_emulator, capsys):
    before = len(mailchimp_emulator.requests)
    code, out, err = run("report", str(project_dir), "--out", str(project_dir / "public" / "report"),
                         capsys=capsys)
    assert code == 2 and "inside the site folder" in err and len(err.strip().splitlines()) == 1
    assert not (project_dir / "public").exists()
    assert len(mailchimp_emulator.requests) == before  # refused before asking Mailchimp anything


def test_a_bad_since_is_a_usage_error(project_dir, mailchimp_env, capsys):
    code, out, err = run("report", str(project_dir), "--since", "last tuesday", capsys=capsys)
    assert code == 2 and "--since" in err


def test_help_lists_the_options(capsys):
    code, out, err = run("report", "--help", capsys=capsys)
    assert code == 0 and "--since" in out and "--out" in out and "PROJECT_DIR" in out
    code, out, err = run("--help", capsys=capsys)
    assert "report" in out


def test_a_newsletter_issue_sent_by_a_tick_has_its_own_row(project_dir, mailchimp, mailchimp_emulator, clock,
                                                            tmp_path):
    write(project_dir, {"content/newsletter/first-shavings.md": "---\ntitle: First shavings\ndate: 2027-03-01\n"
                                                                "send_at: 2027-03-02T10:00:00Z\n---\nThe bench is up.\n"})
    project = load_project(project_dir)
    push(project, outbox_of(project), mailchimp)
    for email in PEOPLE[:2]:
        join(mailchimp, email, at("2026-01-01 09:00"))  # long past their welcome: only the issue is due
    clock.now = at("2027-03-02 10:05")
    tick(project, outbox_of(project), mailchimp, clock.now)
    (issue,) = {d["campaign_id"] for d in mailchimp_emulator.deliveries() if d["campaign_title"] == "wg:issue:first-shavings"}
    mailchimp_emulator.add_open(issue, "ann@x.org")
    result = make_report(project, mailchimp, tmp_path / "out", now=at("2027-03-03 10:00"))
    assert [(i.title, i.numbers.sent, i.numbers.opens) for i in result.report.issues] == [("First shavings", 2, 1)]
    page = (tmp_path / "out" / "index.html").read_text()
    assert "Newsletter issues" in page and "First shavings" in page
    rows = list(csv.DictReader((tmp_path / "out" / "report.csv").open()))
    assert [(r["kind"], r["step"], r["sent"]) for r in rows if r["kind"] == "issue"] == [("issue", "first-shavings", "2")]


def test_campaigns_of_another_audience_and_unsent_drafts_are_not_counted(project, mailchimp, delivered, tmp_path):
    other = mailchimp.call("lists.create_list", AUDIENCE)["id"]
    mailchimp.call("lists.set_list_member", other, mailchimp.subscriber_hash("eve@x.org"),
                   {"email_address": "eve@x.org", "status_if_new": "subscribed"})
    settings = {"subject_line": "s", "from_name": "Ada", "reply_to": "hi@example.org"}
    for list_id, title, send in ((other, "wg:welcome:hello:default:2027030110", True),
                                 (mailchimp.list_id, "wg:welcome:week:default:2027030911", False)):
        doc = mailchimp.call("campaigns.create", {"type": "regular", "recipients": {"list_id": list_id},
                                                  "settings": {**settings, "title": title}})
        if send:
            mailchimp.call("campaigns.set_content", doc["id"], {"html": "<p>Hi *|UNSUB|*</p>"})
            mailchimp.call("campaigns.send", doc["id"])
    report = make_report(project, mailchimp, tmp_path / "out", now=at("2027-03-09 12:00")).report
    assert report.numbers.sent == 10 and report.numbers.campaigns == 5


def test_mailchimp_failing_part_way_exits_3_and_keeps_the_last_report(project_dir, mailchimp_env, mailchimp_emulator,
                                                                      delivered, capsys):
    assert run("report", str(project_dir), capsys=capsys)[0] == 0
    page = project_dir / "build" / "report" / "index.html"
    before = page.read_text()
    mailchimp_emulator.set_faults(nth=list(range(2, 40)), kind="503")  # the listing answers; every report read fails
    code, out, err = run("report", str(project_dir), capsys=capsys)
    assert code == 3 and len(err.strip().splitlines()) == 1 and "503" in err and "reports" in err
    assert page.read_text() == before


class Recorder:
    """A reporter that remembers each task's label, total and progress."""

    def __init__(self):
        self.tasks, self.notes = {}, []

    @contextmanager
    def task(self, label, total):
        done = self.tasks.setdefault(label, [total, 0])

        class Task:
            def advance(self, n=1):
                done[1] += n

        yield Task()

    def note(self, message):
        self.notes.append(message)


def test_progress_goes_through_the_reporter(project, mailchimp, delivered, tmp_path):
    recorder = Recorder()
    make_report(project, mailchimp, tmp_path / "out", now=at("2027-03-09 12:00"), reporter=recorder)
    assert recorder.tasks == {"reading campaigns": [None, 0], "reading reports": [5, 5], "reading members": [None, 0],
                              "reading who received what": [5, 5],
                              "reading when each email was opened": [3, 3]}  # only the three opened at all


def test_an_unsubscribe_after_a_step_shows_against_that_step(project, mailchimp, mailchimp_emulator, delivered,
                                                             tmp_path):
    emu = mailchimp_emulator
    story = delivered.id("wg:welcome:story:default:")
    # cat follows the unsubscribe link in the story email, as a reader would.
    (email,) = emu.deliveries(story, "cat@x.org")
    link = re.search(r"http://[^\s\"<]+/_emulator/unsubscribe\?[^\s\"<]+", email["html"]).group(0)
    assert requests.get(link.replace("&amp;", "&"), timeout=10).status_code == 200
    emu.add_bounce(delivered.id("wg:welcome:hello:default:20270308"), "dan@x.org")
    out = tmp_path / "out"
    welcome = make_report(project, mailchimp, out, now=at("2027-03-09 12:00")).report.sequences[0]
    leaving = {s.id: (s.numbers.unsubscribes, s.numbers.bounces) for s in welcome.steps}
    assert leaving == {"hello": (0, 1), "story": (1, 0), "week": (0, 0)}
    assert welcome.steps[0].numbers.delivered == 3
    rows = {(r["step"], r["variant"]): r for r in csv.DictReader((out / "report.csv").open())}
    assert (rows[("story", "default")]["unsubscribes"], rows[("hello", "default")]["bounces"]) == ("1", "1")
