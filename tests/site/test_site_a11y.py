"""The example site as a visitor with a screen reader or a keyboard meets it, and the theme's contrast."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from lxml import html

from welcome_gen.project import load_project
from welcome_gen.site.build import build

REPO = Path(__file__).resolve().parents[2]
CSS = REPO / "welcome_gen/theme/site/assets/style.css"
VAGUE = {"here", "click here", "this page", "read more", "more", "link", "this"}


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, html.HtmlElement]:
    out = tmp_path_factory.mktemp("a11y") / "public"  # the example is only read; the site goes to a temp folder
    build(load_project(REPO), out, today=date(2026, 11, 10))
    return {p.relative_to(out).as_posix(): html.parse(str(p)).getroot() for p in sorted(out.rglob("*.html"))}


def test_every_page_has_its_language_one_h1_and_no_skipped_heading_level(pages):
    for name, doc in pages.items():
        assert doc.get("lang") == "en-GB", name
        levels = [int(h.tag[1]) for h in doc.xpath("//h1|//h2|//h3|//h4|//h5|//h6")]
        assert levels.count(1) == 1 and levels[0] == 1, f"{name}: headings {levels}"
        skips = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
        assert not skips, f"{name}: heading level jumps {skips}"


def test_landmarks_and_a_skip_link_that_lands_on_the_content(pages):
    for name, doc in pages.items():
        assert len(doc.xpath("//main")) == 1, name
        assert doc.xpath("//header") and doc.xpath("//footer"), name
        assert all(nav.get("aria-label") for nav in doc.xpath("//nav")), f"{name}: a nav without a name"
        first_link = doc.xpath("//body//a")[0]
        assert "skip-link" in first_link.get("class", "") and first_link.get("href") == "#main", name
        assert doc.xpath("//main/@id") == ["main"], name


def test_every_form_field_has_a_label(pages):
    for name, doc in pages.items():
        for field in doc.xpath("//input|//select|//textarea"):
            if field.xpath("ancestor::*[@aria-hidden='true']"):
                assert field.get("tabindex") == "-1", f"{name}: a hidden field that the keyboard still reaches"
                continue
            fid = field.get("id")
            labelled = (fid and doc.xpath(f"//label[@for='{fid}']")) or field.xpath("ancestor::label")
            assert labelled, f"{name}: {field.get('name')} has no label"


def test_links_say_where_they_go(pages):
    for name, doc in pages.items():
        for link in doc.xpath("//a[@href]"):
            text = " ".join(link.text_content().split()).lower().rstrip(" →")
            assert text and text not in VAGUE, f"{name}: a link reads '{text}' ({link.get('href')})"


def _colours(css: str, scheme: str) -> dict[str, str]:
    light = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", css.split("@media (prefers-color-scheme: dark)")[0]))
    if scheme == "light":
        return light
    dark_block = css.split("@media (prefers-color-scheme: dark)")[1].split("}\n}")[0]
    return {**light, **dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", dark_block))}


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# (foreground, background, minimum): text 4.5:1; focus outlines and field borders 3:1 (WCAG 1.4.3, 1.4.11).
PAIRS = [("ink", "paper", 4.5), ("ink", "panel", 4.5), ("muted", "paper", 4.5), ("muted", "panel", 4.5),
         ("muted", "accent-soft", 4.5), ("accent", "paper", 4.5), ("accent", "panel", 4.5),
         ("accent", "accent-soft", 4.5), ("paper", "accent", 4.5), ("unfit", "panel", 4.5),
         ("unfit", "unfit-soft", 4.5), ("focus", "paper", 3), ("focus", "panel", 3), ("focus", "accent-soft", 3),
         ("field-border", "panel", 3), ("field-border", "accent-soft", 3)]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_theme_colours_have_enough_contrast(scheme):
    colours = _colours(CSS.read_text(), scheme)
    low = [f"{fg} on {bg}: {_contrast(colours[fg], colours[bg]):.2f} < {need}"
           for fg, bg, need in PAIRS if _contrast(colours[fg], colours[bg]) < need]
    assert not low, f"{scheme}: {low}"
