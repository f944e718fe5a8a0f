"""The theme speaks the site's language: labels from its message catalogue, dates from Babel, in pages and emails."""

from __future__ import annotations

import pytest

from welcome_gen.cli import main

# What a reader of each language sees: the fit link, the form's button and a month, an issue's date, an email footer.
EXPECTED = {
    "en-GB": ("Is this for you?", "Sign me up", ">March<", "23 October 2026", "Unsubscribe at any time: *|UNSUB|*"),
    "de": ("Passt das zu Ihnen?", "Anmelden", ">März<", "23. Oktober 2026", "Jederzeit abmelden: *|UNSUB|*"),
    "fr": ("Est-ce pour vous\u00a0?", "Je m'inscris", ">mars<", "23 octobre 2026",
           "Se désinscrire à tout moment\u00a0: *|UNSUB|*"),
    "es": ("¿Es para ti?", "Suscribirme", ">marzo<", "23 de octubre de 2026", "Date de baja cuando quieras: *|UNSUB|*"),
}
ENGLISH = ("Sign me up", "Is this for you?", "Email address", "Which of these describes you?", "Newer issues",
           "You'll recognise yourself if", "October 2026")


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_the_example_built_in_each_language(example, tmp_path, monkeypatch, language):
    monkeypatch.delenv("CI", raising=False)
    config = example / "welcome.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: en-GB", f"language: {language}"),
                      encoding="utf-8")
    assert main(["build", "--quiet", str(example)]) == 0
    nav, button, month, day, footer = EXPECTED[language]
    home = (example / "public" / "index.html").read_text(encoding="utf-8")
    assert f'<html lang="{language}">' in home
    assert nav in home and button in home and month in home
    assert day in (example / "public" / "newsletter" / "index.html").read_text(encoding="utf-8")
    assert footer in (example / "build" / "emails" / "welcome" / "hello" / "default.txt").read_text(encoding="utf-8")
    if language != "en-GB":
        for page in (example / "public").rglob("*.html"):
            text = page.read_text(encoding="utf-8")
            left = [words for words in ENGLISH if words in text]
            assert not left, f"{page.relative_to(example)} still says {left}"
        email = (example / "build" / "emails" / "welcome" / "hello" / "default.html").read_text(encoding="utf-8")
        assert ">Unsubscribe<" not in email and "You're getting this" not in email


def test_a_project_changes_one_message_and_keeps_the_rest(example, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert main(["build", "--quiet", str(example)]) == 0  # first without: the change must reach a built site
    (example / "templates" / "messages").mkdir(parents=True)
    (example / "templates" / "messages" / "en.yaml").write_text(
        "signup_submit: Count me in\nemail_reply: Replies welcome.\n", encoding="utf-8")
    assert main(["build", "--quiet", str(example)]) == 0
    home = (example / "public" / "index.html").read_text(encoding="utf-8")
    assert "Count me in" in home and "Sign me up" not in home and "Is this for you?" in home
    text = (example / "build" / "emails" / "welcome" / "hello" / "default.txt").read_text(encoding="utf-8")
    assert "Replies welcome." in text and "Unsubscribe at any time: *|UNSUB|*" in text


def test_check_names_an_unknown_message_and_a_language_without_a_catalogue(example, monkeypatch, capsys):
    monkeypatch.delenv("CI", raising=False)
    (example / "templates" / "messages").mkdir(parents=True)
    (example / "templates" / "messages" / "en.yaml").write_text("signup_sumbit: Count me in\n", encoding="utf-8")
    assert main(["check", str(example)]) == 1  # a message that changes nothing is a mistake, as in welcome.yaml
    assert "templates/messages/en.yaml:1: unknown message 'signup_sumbit'" in capsys.readouterr().err
    config = example / "welcome.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: en-GB", "language: it"), encoding="utf-8")
    (example / "templates" / "messages" / "en.yaml").unlink()
    assert main(["check", str(example)]) == 0
    assert "welcome.yaml:6: warning: no message catalogue for 'it'" in capsys.readouterr().err
