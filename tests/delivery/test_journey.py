"""The journey calendar: `journey` on the command line and the sample subscribers' page `build` writes."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from welcome_gen.delivery.journey_page import write_journeys
from welcome_gen.project import load_project

from helpers import outbox_of
from support import CONFIG, FILES, write_project

SAMPLES = """\
samples:
  - name: ann
    email: ann@example.org
    first_name: Ann
    persona: makers
    birthday: "02/29"
    timezone: America/New_York
    joined: 2027-02-26
  - name: anon
    email: anon@example.org
"""
# A subject with a subscriber value in it, so the calendar has something to fill in.
ANNIVERSARY = FILES["sequences/anniversary.yaml"].replace("subject: A year together",
                                                          "subject: \"A year together, {{ subscriber.first_name | "
                                                          "default('friend') }}\"")


def run_cli(args):
    from welcome_gen.cli import main

    return main(args)


def shop(tmp_path: Path) -> Path:
    # `build` refuses what `check` refuses: the site's address must be a real one, not a placeholder.
    return write_project(tmp_path / "shop", {"sequences/samples.yaml": SAMPLES,
                                             "sequences/anniversary.yaml": ANNIVERSARY,
                                             "welcome.yaml": CONFIG.replace("https://example.org/", "https://shop.test/")})


def rows(page: str, sample: str) -> list[list[str]]:
    section = page.split(f'<h2 id="{sample}">')[1].split("</table>")[0]
    return [[re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr><td>.*?</tr>", section)]


def test_build_writes_the_sample_journeys_outside_the_site(tmp_path, capsys):
    root = shop(tmp_path)
    # build refuses what check refuses, and check refuses emails linking to a placeholder address
    config = root / "welcome.yaml"
    config.write_text(config.read_text().replace("https://example.org/", "https://shop.test/"))
    assert run_cli(["build", str(root)]) == 0
    path = root / "build" / "journeys" / "index.html"
    page = path.read_text()
    assert not list((root / "public").rglob("*journey*"))
    ann = rows(page, "ann")
    # Ann joins on Friday 26 February 2027 at 10:00 in New York: the makers' welcome, with its subject filled in.
    assert ann[0][:5] == ["Fri 2027-02-26 10:00 EST", "2027-02-26 15:00", "welcome/1", "makers", "Welcome, maker"]
    subjects = [r[4] for r in ann]
    assert "A year together, Ann" in subjects and not any("{{" in s or "*|" in s for s in subjects)
    # 29 February: the 28th in 2027 (the welcome went out the 26th, so it is not the same day), the day in 2028.
    birthdays = [r[0][:14] for r in ann if r[2] == "birthday/1"]
    assert birthdays == ["Sun 2027-02-28", "Tue 2028-02-29"]
    anon = rows(page, "anon")
    assert [r[2] for r in anon][:3] == ["welcome/1", "welcome/2", "welcome/3"]
    assert "A year together, friend" in [r[4] for r in anon]
    # Each sent email links to the sample's own preview, which build wrote.
    for href in re.findall(r'href="(\.\./emails/[^"]+)"', page):
        assert (path.parent / href).resolve().is_file(), href


def test_the_page_is_remade_only_when_what_it_shows_changed(tmp_path):
    root = shop(tmp_path)
    project = load_project(root)
    out, emails = root / "build" / "journeys", root / "build" / "emails"
    assert write_journeys(project, outbox_of(project), out, emails, today=date(2027, 1, 4)) is True
    assert write_journeys(project, outbox_of(project), out, emails, today=date(2027, 1, 4)) is False
    (root / "sequences/samples.yaml").write_text(SAMPLES.replace("first_name: Ann", "first_name: Annie"))
    project = load_project(root)
    assert write_journeys(project, outbox_of(project), out, emails, today=date(2027, 1, 4)) is True
    assert "A year together, Annie" in (out / "index.html").read_text()


def test_journey_cli_shows_subjects_as_the_subscriber_reads_them(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "250")
    root = shop(tmp_path)
    assert run_cli(["journey", "--joined", "2027-02-26T15:00:00Z", "--persona", "makers", "--timezone",
                    "America/New_York", str(root)]) == 0
    out = capsys.readouterr().out
    assert "Welcome, maker" in out and "A year together, friend" in out and "{{" not in out


def test_the_calendar_says_planned_never_sent(tmp_path, capsys):
    from welcome_gen.cli import main

    root = write_project(tmp_path / "shop")
    assert main(["journey", "--joined", "2027-03-01T08:00:00Z", "--months", "1", str(root)]) == 0
    out = capsys.readouterr().out
    assert "tick (UTC)" in out  # the hour the email is planned for, not a delivery time
    assert re.search(r"welcome/1\s+│ default │ planned", out), out
    assert "│ sent" not in out
