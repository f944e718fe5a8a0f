"""Building the example project: what a visitor sees on the fit page, the archive, the feed and the form."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from welcome_gen.project import load_project
from welcome_gen.site.build import build

from sitehtml import html_files, read, target_file

TODAY = date(2026, 11, 23)
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def built(example: Path, tmp_path: Path) -> tuple[object, Path]:
    project = load_project(example)
    out = tmp_path / "public"
    build(project, out, today=TODAY)
    return project, out


def test_fit_page_lists_every_persona_with_links_and_alternatives(built):
    project, out = built
    page = read(out, "fit/index.html")
    for persona in project.personas:
        assert persona.meta.title in page.text
        assert f"../for/{persona.slug}/" in page.hrefs()
        assert (out / "for" / persona.slug / "index.html").is_file()
    for persona in project.unfit_personas:
        for alternative in persona.meta.instead:
            assert alternative.url in page.hrefs()
            assert alternative.why in page.text
    good, bad = page.text.index("A good fit"), page.text.index("Not a good fit")
    fit_titles = [page.text.index(p.meta.title) for p in project.fit_personas]
    unfit_titles = [page.text.index(p.meta.title) for p in project.unfit_personas]
    assert good < min(fit_titles) and max(fit_titles) < bad < min(unfit_titles)
    assert len(project.fit_personas) >= 3 and len(project.unfit_personas) >= 2


def test_archive_is_newest_first_and_paged(built):
    project, out = built
    newest_first = sorted(project.issues, key=lambda d: d.meta.date, reverse=True)
    per_page = project.config.site.per_page
    first, second = read(out, "newsletter/index.html"), read(out, "newsletter/page/2/index.html")
    expected = [d.meta.title for d in newest_first]
    positions = [first.text.find(t) for t in expected[:per_page]]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    assert all(t not in first.text for t in expected[per_page:])
    assert all(t in second.text for t in expected[per_page:])
    assert "../newsletter/page/2/" in first.hrefs() and "../../../newsletter/" in second.hrefs()
    assert not (out / "newsletter/page/3").exists()


def test_issue_pages_link_to_older_and_newer(built):
    project, out = built
    newest_first = sorted(project.issues, key=lambda d: d.meta.date, reverse=True)
    middle = read(out, f"newsletter/{newest_first[1].slug}/index.html")
    assert f"../../newsletter/{newest_first[0].slug}/" in middle.hrefs()
    assert f"../../newsletter/{newest_first[2].slug}/" in middle.hrefs()
    assert "Previous issue" in middle.text and "Next issue" in middle.text


def test_feed_has_every_issue_with_absolute_links(built):
    project, out = built
    feed = ET.parse(out / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles == [d.meta.title for d in sorted(project.issues, key=lambda d: d.meta.date, reverse=True)]
    first = entries[0]
    slug = sorted(project.issues, key=lambda d: d.meta.date)[-1].slug
    assert first.find(f"{ATOM}link").get("href") == f"https://bramble-and-bolt.github.io/woodshop/newsletter/{slug}/"
    content = first.findtext(f"{ATOM}content")
    assert 'href="https://bramble-and-bolt.github.io/woodshop/visit/"' in content  # written as /visit/


def test_sitemap_lists_pages_at_the_sub_path(built):
    _, out = built
    urls = {u.findtext(f"{SITEMAP}loc") for u in ET.parse(out / "sitemap.xml").getroot()}
    base = "https://bramble-and-bolt.github.io/woodshop/"
    assert {base, base + "fit/", base + "newsletter/", base + "newsletter/page/2/", base + "for/curious-beginners/",
            base + "classes/", base + "newsletter/five-tools-first/"} <= urls
    assert base + "404.html" not in urls
    assert f"Sitemap: {base}sitemap.xml" in (out / "robots.txt").read_text()


def test_signup_form_on_every_page(built):
    project, out = built
    fit_slugs = {p.slug for p in project.fit_personas}
    for name in html_files(out):
        page = read(out, name)
        assert page.forms, f"{name} has no signup form"
        form = page.forms[0]
        assert form["action"] == project.config.site.signup.action and form["method"] == "post"
        names = {i.get("name") for i in page.inputs}
        assert {"EMAIL", "FNAME", "BIRTHDAY[month]", "BIRTHDAY[day]", "PERSONA"} <= names
        assert {i["value"] for i in page.inputs if i.get("name") == "PERSONA"} - {""} == fit_slugs
        trap = next(i for i in page.inputs if i.get("name") == "b_5f1c0e8d2a7b4c9e_3ab9e1c2d4")
        assert trap["tabindex"] == "-1"
        for field in page.inputs:  # every visible field has a label pointing at it, or sits inside one
            if field.get("type") not in ("radio",) and field.get("name") != trap["name"]:
                assert field.get("id") and f'for="{field["id"]}"' in (out / name).read_text()
    text = (out / "index.html").read_text()
    assert 'aria-hidden="true"><input type="text" name="b_5f1c0e8d2a7b4c9e_3ab9e1c2d4" tabindex="-1"' in text
    assert "<script" not in text  # works without JavaScript


def test_every_internal_link_resolves_to_a_written_file(built):
    _, out = built
    checked = 0
    for name in html_files(out):
        page = read(out, name)
        base = "/woodshop/"
        for tag, url in page.links:
            target = target_file(out, name, url, base)
            if target is None:
                continue
            checked += 1
            assert target.is_file(), f"{name}: {tag} {url} -> {target.relative_to(out)} does not exist"
            fragment = url.partition("#")[2]
            if fragment:
                assert fragment in read(out, target.relative_to(out).as_posix()).ids, f"{name}: {url}"
    assert checked > 300


def test_every_page_names_its_icon_so_no_browser_asks_for_a_missing_favicon(built):
    _, out = built
    for name in html_files(out):
        icons = [url for tag, url in read(out, name).links if tag == "link" and url.endswith("favicon.svg")]
        assert len(icons) == 1, f"{name}: no icon"
        assert target_file(out, name, icons[0], "/woodshop/").is_file(), name


def test_pages_written_as_relative_md_links_point_at_the_right_pages(built):
    _, out = built
    classes = read(out, "classes/index.html")
    assert "../for/returning-makers/" in classes.hrefs() and "../faq/" in classes.hrefs()
    faq = read(out, "faq/index.html")
    assert "../fit/#fit-no" in faq.hrefs() and "../newsletter/five-tools-first/" in faq.hrefs()
    not_found = read(out, "404.html")
    assert "/woodshop/fit/" in not_found.hrefs() and "/woodshop/assets/style.css" in [u for _, u in not_found.links]


def test_theme_is_accessible_and_overridable(built):
    _, out = built
    text = (out / "fit/index.html").read_text()
    assert '<html lang="en-GB">' in text and 'class="skip-link" href="#main"' in text
    assert '<main id="main"' in text and '<nav aria-label="Main">' in text
    assert "prefers-color-scheme: dark" in (out / "assets/style.css").read_text()
    assert "Tea's on us." in read(out, "index.html").text  # the example's templates/site/partials/footer.html


def test_second_build_changes_nothing_and_a_change_rebuilds_only_what_shows_it(example, tmp_path):
    out = tmp_path / "public"
    first = build(load_project(example), out, today=TODAY)
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again = build(load_project(example), out, today=TODAY)
    assert (again.written, again.pruned, again.unchanged) == (0, 0, first.total)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == stamps

    about = example / "content" / "about.md"
    about.write_text(about.read_text().replace("ten years", "eleven years"))
    third = build(load_project(example), out, today=TODAY)
    assert third.written_files == ["about/index.html"]
    assert "eleven years" in read(out, "about/index.html").text


def test_live_reload_script_only_when_asked(example, tmp_path):
    project = load_project(example)
    build(project, tmp_path / "normal", today=TODAY)
    build(project, tmp_path / "serve", today=TODAY, live_reload="/__reload.js")
    assert "/__reload.js" not in (tmp_path / "normal" / "fit/index.html").read_text()
    for name in html_files(tmp_path / "serve"):
        assert '<script src="/__reload.js"></script>' in (tmp_path / "serve" / name).read_text()
