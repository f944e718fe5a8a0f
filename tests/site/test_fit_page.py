"""The fit page in the author's words: content/fit.md, as a Hugo user would write it, or the theme's template."""

from __future__ import annotations

from welcome_gen.cli import main

FIT_MD = """---
title: Are we right for you?
description: Small classes, hand tools, no hurry.
---

Have a look at [who comes to us](/fit/#fit-yes), and who we send elsewhere.
"""


def test_content_fit_md_gives_the_fit_page_its_title_and_text(example, monkeypatch, capsys):
    monkeypatch.delenv("CI", raising=False)
    (example / "content" / "fit.md").write_text(FIT_MD, encoding="utf-8")
    assert main(["check", str(example)]) == 0, capsys.readouterr().err
    assert main(["build", "--quiet", str(example)]) == 0
    fit = (example / "public" / "fit" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Are we right for you?</h1>" in fit and "<title>Are we right for you? · " in fit
    assert '<p class="lede">Small classes, hand tools, no hurry.</p>' in fit
    assert "who comes to us</a>, and who we send elsewhere." in fit
    assert "Find yourself below" not in fit  # the theme's own intro gives way to the author's
    assert 'class="fit-columns"' in fit  # the personas are still listed under it
    assert not (example / "public" / "fit" / "fit").exists()


def test_another_page_taking_the_fit_address_is_told_how_to_change_the_fit_page(example, capsys):
    (example / "content" / "who.md").write_text("---\ntitle: Who\nslug: fit\n---\n", encoding="utf-8")
    assert main(["check", str(example)]) == 1
    err = capsys.readouterr().err
    assert "content/who.md:3: the slug 'fit' is the site's fit page: to change its title and text, write them in " \
           "content/fit.md" in err
    assert "`welcome-gen theme export fit.html`" in err


def test_other_reserved_slugs_say_how_to_change_those_pages(example, capsys):
    (example / "content" / "newsletter.md").write_text("---\ntitle: Letters\n---\n", encoding="utf-8")
    assert main(["check", str(example)]) == 1
    err = capsys.readouterr().err
    assert "content/newsletter.md:1: the slug 'newsletter' is reserved for the site's own pages: choose another" in err
    assert "welcome-gen theme export" in err
