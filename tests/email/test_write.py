"""build/emails/: what Mailchimp receives, sample previews, an index; atomic and incremental."""

from __future__ import annotations

from datetime import date

from welcome_gen.cli import main
from welcome_gen.email import render_all, write_emails
from welcome_gen.project import load_project

TODAY = date(2026, 3, 14)


def test_writes_every_email_previews_and_an_index(example, tmp_path):
    project = load_project(example)
    out = tmp_path / "emails"
    written = write_emails(project, out, today=TODAY)
    emails = render_all(project)
    for email in emails:
        assert (out / email.sequence / email.step / f"{email.variant}.html").read_text() == email.html
        assert "*|UNSUB|*" in (out / email.sequence / email.step / f"{email.variant}.txt").read_text()
    flat = (out / "welcome" / "first-class" / "samples" / "flat.txt").read_text()
    assert flat.startswith("Subject: No workshop at home?") and "Hi Priya," in flat  # the variant her persona gets
    ada = (out / "birthday" / "gift" / "samples" / "ada.html").read_text()
    assert "*|" not in ada and "BENCHDAY15" in ada and "March 2026" in ada
    index = (out / "index.html").read_text()
    assert 'href="welcome/first-class/flat-dwellers.html"' in index and 'href="welcome/hello/samples/ada.html"' in index
    assert written == len(list(p for p in out.rglob("*") if p.is_file()))


def test_a_second_run_writes_nothing_and_stale_files_go(example, tmp_path):
    project = load_project(example)
    out = tmp_path / "emails"
    write_emails(project, out, today=TODAY)
    stale = out / "gone" / "1" / "default.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    assert write_emails(project, out, today=TODAY) == 1  # only the stale file removed
    assert not stale.exists() and not (out / "gone").exists()
    assert write_emails(project, out, today=TODAY) == 0


def test_preview_prints_the_text_for_a_sample(example, capsys):
    assert main(["preview", "welcome/first-class", str(example), "--persona", "returning-makers", "--text"]) == 0
    out = capsys.readouterr().out
    assert "Subject:   Picking the chisels back up, at your own pace" in out
    assert "Variant:   returning-makers (sample 'non-ascii', persona returning-makers)" in out
    assert "Hi Zoë Łucja," in out and "Unsubscribe at any time:" in out


def test_preview_saves_the_html(example, capsys):
    assert main(["preview", "welcome/hello", str(example), "--subscriber", "no-first-name"]) == 0
    saved = example / "build" / "preview" / "welcome-hello-no-first-name.html"
    assert "Hi there," in saved.read_text() and "Subject:   Welcome, friend:" in capsys.readouterr().out


def test_preview_bad_arguments_are_one_line_errors(example, capsys):
    assert main(["preview", "welcome/nope", str(example)]) == 2  # the argument names no email: usage
    assert main(["preview", "welcome/hello", str(example), "--subscriber", "nobody"]) == 2
    assert main(["preview", "welcome", str(example)]) == 2
    err = capsys.readouterr().err
    assert "sequences/welcome.yaml: sequence 'welcome' has no step 'nope' (steps: hello, fit, first-class, letter)" in err
    assert "error: no sample subscriber 'nobody' (known: ada," in err
    assert "Traceback" not in err


def test_the_index_reads_on_a_phone_and_keeps_sample_names_whole(example, tmp_path):
    write_emails(load_project(example), tmp_path / "emails", today=TODAY)
    index = (tmp_path / "emails" / "index.html").read_text()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in index
    assert "td a{white-space:nowrap}" in index  # "no-first-name" never breaks at its hyphens
    # On a narrow screen each row is a card whose cells say what they are (the header row is hidden).
    assert "@media (max-width:45rem){" in index and "td::before{content:attr(data-label)" in index
    assert '<td data-label="Samples"><a href="welcome/hello/samples/ada.html">ada</a>' in index
