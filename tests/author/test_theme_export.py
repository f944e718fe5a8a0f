"""`welcome-gen theme export`: a theme file copied into templates/, where it replaces the theme's."""

from __future__ import annotations

from welcome_gen.cli import main
from welcome_gen.theme import HERE as THEME


def test_with_no_file_it_lists_every_theme_file(example, capsys):
    assert main(["theme", "export", "--project", str(example)]) == 0
    out = capsys.readouterr().out
    for name in ("site/fit.html", "site/partials/signup.html", "email/layout.html.j2", "messages/de.yaml"):
        assert f"{name}" in out and f"-> templates/{name}" in out
    assert not (example / "templates" / "site" / "fit.html").exists()


def test_export_copies_and_the_copy_is_what_the_build_uses(example, monkeypatch, capsys):
    monkeypatch.delenv("CI", raising=False)
    assert main(["theme", "export", "fit.html", "layout.txt.j2", "--project", str(example)]) == 0
    copy = example / "templates" / "site" / "fit.html"
    assert copy.read_text() == (THEME / "site" / "fit.html").read_text()
    assert (example / "templates" / "email" / "layout.txt.j2").is_file()
    assert "wrote templates/site/fit.html" in capsys.readouterr().out
    copy.write_text(copy.read_text().replace('<div class="fit-columns">', '<div class="fit-columns mine">'))
    assert main(["build", "--quiet", str(example)]) == 0
    assert 'class="fit-columns mine"' in (example / "public" / "fit" / "index.html").read_text()


def test_export_refuses_to_overwrite_without_force(example, capsys):
    mine = example / "templates" / "site" / "partials" / "footer.html"  # the example's own footer
    before = mine.read_text()
    assert main(["theme", "export", "partials/footer.html", "fit.html", "--project", str(example)]) == 2
    assert "templates/site/partials/footer.html already exists" in capsys.readouterr().err
    assert mine.read_text() == before and not (example / "templates" / "site" / "fit.html").exists()
    assert main(["theme", "export", "partials/footer.html", "--force", "--project", str(example)]) == 0
    assert mine.read_text() == (THEME / "site" / "partials" / "footer.html").read_text()


def test_an_unknown_file_gets_a_suggestion(example, capsys):
    assert main(["theme", "export", "fitt.html", "--project", str(example)]) == 2
    assert "'fitt.html' is not a file of the theme (did you mean 'fit.html'?)" in capsys.readouterr().err


def test_export_has_help(capsys):
    assert main(["theme", "export", "--help"]) == 0
    assert "templates/" in capsys.readouterr().out
