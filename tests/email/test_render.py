"""Rendering the example project's emails: what a reader (and Mailchimp) sees."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from welcome_gen.email import render_all, render_email, variant_for, variants_of
from welcome_gen.errors import ProjectError
from welcome_gen.project import load_project

from helpers import match_golden, write

GOLDEN = Path(__file__).parent / "golden"
TODAY = date(2026, 3, 14)
FNAME_FALLBACK = "*|IF:FNAME|**|FNAME|**|ELSE:|*there*|END:IF|*"


@pytest.fixture
def project(example):
    return load_project(example)


def sample(project, name):
    return next(s for s in project.samples if s.name == name)


def test_merge_tags_are_intact_in_html_text_and_subject(project):
    email = render_email(project, "welcome", "hello")
    assert email.subject == "Welcome, *|IF:FNAME|**|FNAME|**|ELSE:|*friend*|END:IF|*: what would you like to make?"
    assert f"<p style=\"margin:0 0 16px 0\">Hi {FNAME_FALLBACK},</p>" in email.html
    assert email.text.startswith(f"Hi {FNAME_FALLBACK},\n")
    assert "<em>|" not in email.html and "<strong>|" not in email.html
    assert "*|IF:PERSONA=curious-beginners|*" in email.html and "*|IF:PERSONA=curious-beginners|*" in email.text
    assert email.from_name == "Ada at Bramble & Bolt" and email.reply_to == "hello@brambleandbolt.example"
    assert email.source == "sequences/welcome.yaml:6"


def test_sample_subscribers_read_their_own_email(project):
    ada = render_email(project, "welcome", "hello", subscriber=sample(project, "ada"))
    anon = render_email(project, "welcome", "hello", subscriber=sample(project, "no-first-name"))
    zoe = render_email(project, "welcome", "hello", subscriber=sample(project, "non-ascii"))
    assert ada.subject == "Welcome, Ada: what would you like to make?"
    assert anon.subject == "Welcome, friend: what would you like to make?"
    assert zoe.text.startswith("Hi Zoë Łucja,\n") and "Hi Zoë Łucja," in zoe.html
    assert "P.S. Never held a chisel?" in ada.text and "P.S. Never held a chisel?" not in anon.text
    assert "*|" not in ada.html and "*|" not in anon.text


def test_a_name_with_markup_is_escaped_in_html_only(project):
    s = sample(project, "ada").model_copy(update={"first_name": "<b>Al</b> & co"})
    email = render_email(project, "welcome", "hello", subscriber=s)
    assert "Hi &lt;b&gt;Al&lt;/b&gt; &amp; co," in email.html
    assert email.text.startswith("Hi <b>Al</b> & co,")


def test_variant_selection_per_persona(project):
    step = project.sequence("welcome").meta.steps[2]
    assert variants_of(project, "welcome", "first-class") == ["default", "flat-dwellers", "returning-makers"]
    assert variant_for(step, "flat-dwellers") == "flat-dwellers"
    assert variant_for(step, "curious-beginners") == "default"
    assert variant_for(step, None) == "default"
    flat = render_email(project, "welcome", "first-class", "flat-dwellers")
    returning = render_email(project, "welcome", "first-class", "returning-makers")
    assert flat.subject == "No workshop at home? Neither do most of our students"
    assert "https://bramble-and-bolt.github.io/woodshop/for/flat-dwellers/" in flat.html
    assert returning.subject == "Picking the chisels back up, at your own pace"
    assert returning.preheader == "Six people, four evenings, one box with a sliding lid."  # not overridden: the step's
    assert flat.source == "sequences/welcome.yaml:24"  # the variant's own line
    with pytest.raises(ProjectError, match="has no variant 'desk-bound'"):
        render_email(project, "welcome", "first-class", "desk-bound")


def test_birthday_has_the_discount_code_and_the_send_month(project):
    merge = render_email(project, "birthday", "gift")
    assert "<strong>BENCHDAY15</strong>" in merge.html and "*|DATE:F Y|*" in merge.html
    filled = render_email(project, "birthday", "gift", subscriber=sample(project, "ada"), today=TODAY)
    assert "15% off any class with the code BENCHDAY15. It works until the end of March 2026" in " ".join(filled.text.split())
    assert filled.subject == "Happy birthday, Ada: 15% off a class"
    assert filled.text.startswith("Happy birthday, Ada!")
    anon = render_email(project, "birthday", "gift", subscriber=sample(project, "no-first-name"), today=TODAY)
    assert anon.text.startswith("Happy birthday!")


def test_footer_has_address_and_unsubscribe_in_both_parts(project):
    for email in render_all(project):
        assert 'href="*|UNSUB|*"' in email.html and "Unsubscribe at any time: *|UNSUB|*" in email.text
        assert "Unit 4, Paintworks, Bath Road, Bristol BS4 3EH, United Kingdom" in email.html
        assert "Unit 4, Paintworks, Bath Road, Bristol BS4 3EH, United Kingdom" in email.text


def test_styles_are_inlined_and_media_queries_kept(project):
    email = render_email(project, "welcome", "fit")
    assert re.search(r'<td class="content" style="padding:8px 32px 24px 32px;[^"]*font-size:16px', email.html)
    assert 'style="color:#8a4b14;text-decoration:underline"' in email.html
    assert "@media (prefers-color-scheme: dark)" in email.html and "!important" in email.html
    assert '<html lang="en-GB" dir="ltr"' in email.html and 'role="presentation"' in email.html
    assert "a[x-apple-data-detectors]" in email.html  # client hacks are kept, not inlined away
    # the fit email names every persona, with where the unfit ones should go instead
    assert "https://bramble-and-bolt.github.io/woodshop/fit/" in email.html
    assert "City &amp; Guilds" in email.html and "https://www.cityandguilds.com/" in email.text


def test_a_project_layout_overrides_the_default(example):
    write(example, {"templates/email/layout.txt.j2": "{{ body }}\n\nBye from {{ business.name }}. *|UNSUB|*\n"})
    email = render_email(load_project(example), "comment", "thanks")
    assert email.text.rstrip().endswith("Bye from Bramble & Bolt Woodshop. *|UNSUB|*")


def test_bad_personalisation_is_an_error_at_the_body_line(example):
    body = example / "sequences" / "comment" / "thanks.md"
    body.write_text(body.read_text() + "\nSee you, {{ subscriber.nickname }}.\n")
    with pytest.raises(ProjectError) as info:
        render_all(load_project(example))
    line = body.read_text().splitlines().index("See you, {{ subscriber.nickname }}.") + 1
    assert str(info.value.problems[0]).startswith(f"sequences/comment/thanks.md:{line}: subscriber field 'nickname'")


def test_golden_output(project):
    """Every email of the example project, as Mailchimp receives it; a change shows up as a reviewable diff."""
    produced = {}
    for email in render_all(project):
        name = f"{email.sequence}/{email.step}/{email.variant}"
        produced[f"{name}.html"] = email.html
        produced[f"{name}.txt"] = f"Subject: {email.subject}\nPreheader: {email.preheader}\n\n{email.text}"
    match_golden(GOLDEN, produced)
