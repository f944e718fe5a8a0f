"""Text the author wrote reaches the terminal as written: never read as rich markup or emoji codes."""

from __future__ import annotations

from support import FILES, write_project

from welcome_gen.cli import main

SUBJECT = "[b]Hi[/b] :smile:"
BIRTHDAY = FILES["sequences/birthday.yaml"].replace("  - subject: Happy birthday\n",
                                                    f'  - id: gift\n    subject: "{SUBJECT}"\n')


def shop(tmp_path):
    return write_project(tmp_path / "shop", {
        "sequences/birthday.yaml": BIRTHDAY,
        "content/about.md": "---\ntitle: About\n---\n\nSee [the notes](notes/:gift:[red].md).\n",
    })


def test_preview_journey_and_check_print_author_text_literally(tmp_path, capsys):
    root = shop(tmp_path)
    assert main(["preview", "birthday/gift", "--text", str(root)]) == 0
    assert SUBJECT in capsys.readouterr().out

    assert main(["journey", "--joined", "2027-03-01T08:00:00Z", "--birthday", "03/20", str(root)]) == 0
    out = capsys.readouterr().out
    # The table may wrap the subject between words, never inside one.
    assert "[b]Hi[/b]" in out and ":smile:" in out and "😄" not in out

    assert main(["check", str(root)]) == 1
    err = capsys.readouterr().err
    assert "notes/:gift:[red].md" in err and "🎁" not in err


def test_push_prints_template_names_literally(tmp_path, mailchimp_env, capsys):
    root = shop(tmp_path)
    assert main(["push", "--dry-run", str(root)]) == 0
    out = capsys.readouterr().out
    assert "wg:birthday:gift:default" in out and "🎁" not in out
