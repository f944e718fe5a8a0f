"""A small project built in a temp folder: drafts, bad input, failed builds, pruning, and the CLI."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from welcome_gen.cli import main
from welcome_gen.errors import ProjectError, WelcomeGenError
from welcome_gen.project import load_project
from welcome_gen.site.build import build
from welcome_gen.site.check import check

from helpers import write
from sitehtml import html_files, read, target_file

TODAY = date(2026, 3, 1)
CONFIG = """\
site:
  title: Tiny Shop
  url: {url}
  timezone: Europe/London
  per_page: 2
  signup:
    action: https://tiny.us1.list-manage.com/subscribe/post?u=abc&id=def
business:
  name: Tiny Shop
  postal_address: 1 Road, Town
  reply_to: hi@hazelpottery.test
"""
FILES = {
    "content/about.md": "---\ntitle: About\nmenu: 1\n---\nSee [who it's for](fit.md) and [Ann](audiences/ann.md).\n",
    "content/audiences/ann.md": "---\ntitle: Ann\nfit: true\nsummary: Likes tea.\nsigns: [tea]\n---\nHi.\n",
    "content/audiences/bob.md": "---\ntitle: Bob\nfit: false\nsummary: Likes coffee.\n"
                                "instead:\n  - {name: Cafe, url: 'https://cafe.example/', why: They have coffee.}\n---\n",
    "content/newsletter/one.md": "---\ntitle: One\ndate: 2026-01-01\ntags: [tea]\n---\nFirst. [About](../about.md)\n",
    "content/newsletter/two.md": "---\ntitle: Two\ndate: 2026-02-01\n---\nSecond.\n",
    "content/newsletter/three.md": "---\ntitle: Three\ndate: 2026-02-15\n---\nThird.\n",
    "content/newsletter/secret.md": "---\ntitle: Secret\ndate: 2026-02-20\ndraft: true\n---\nNot yet.\n",
    "content/newsletter/later.md": "---\ntitle: Later\ndate: 2026-04-01\n---\nIn April.\n",
}


def project(root: Path, url: str = "https://hazelpottery.test/", **extra: str) -> Path:
    return write(root, {"welcome.yaml": CONFIG.format(url=url), **FILES, **extra})


def run(*args: str, capsys) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, " ".join(captured.err.split())


def test_drafts_and_future_issues_only_with_drafts(tmp_path):
    root = project(tmp_path / "p")
    out = tmp_path / "out"
    build(load_project(root), out, today=TODAY)
    titles = read(out, "newsletter/index.html").text + read(out, "newsletter/page/2/index.html").text
    assert "Three" in titles and "One" in titles
    assert "Secret" not in titles and "Later" not in titles
    assert not (out / "newsletter/secret").exists() and not (out / "newsletter/later").exists()
    assert "Secret" not in (out / "feed.xml").read_text() and "later" not in (out / "sitemap.xml").read_text()

    preview = tmp_path / "preview"
    build(load_project(root), preview, drafts=True, today=TODAY)
    assert (preview / "newsletter/secret/index.html").is_file() and (preview / "newsletter/later/index.html").is_file()
    assert "Draft: this page" in read(preview, "newsletter/secret/index.html").text
    assert '<meta name="robots" content="noindex">' in (preview / "index.html").read_text()


def test_future_issue_appears_once_its_day_comes(tmp_path):
    root = project(tmp_path / "p")
    out = tmp_path / "out"
    build(load_project(root), out, today=TODAY)
    result = build(load_project(root), out, today=date(2026, 4, 1))
    assert (out / "newsletter/later/index.html").is_file()
    assert "newsletter/later/index.html" in result.written_files and "about/index.html" not in result.written_files


def test_urls_at_a_domain_root(tmp_path):
    root = project(tmp_path / "p", url="https://tiny.example")
    out = tmp_path / "out"
    build(load_project(root), out, today=TODAY)
    assert "https://tiny.example/newsletter/one/" in (out / "feed.xml").read_text()
    assert "/fit/" in read(out, "404.html").hrefs()
    for name in html_files(out):
        for _, url in read(out, name).links:
            target = target_file(out, name, url)
            assert target is None or target.is_file(), f"{name}: {url}"


def test_broken_links_are_reported_at_their_line_and_nothing_is_written(tmp_path):
    root = project(tmp_path / "p", **{"content/help.md": "---\ntitle: Help\n---\n\nSee [abut](abot.md).\n\n"
                                                         "And [x](/nowhere/) but `[ok](nope.md)` is code.\n"})
    problems = [str(p) for p in check(load_project(root), today=TODAY)]
    assert problems == [
        "content/help.md:5: link 'abot.md' is broken: there is no content/abot.md (did you mean 'about.md'?)",
        "content/help.md:7: link '/nowhere/' is broken: the site has no page or file at /nowhere",
    ]
    out = tmp_path / "out"
    with pytest.raises(ProjectError):
        build(load_project(root), out, today=TODAY)
    assert not out.exists()


def test_a_link_to_a_draft_is_a_warning(tmp_path):
    root = project(tmp_path / "p", **{"content/help.md": "---\ntitle: Help\n---\n[soon](newsletter/secret.md)\n"})
    problems = check(load_project(root), today=TODAY)
    assert [str(p) for p in problems] == ["content/help.md:4: warning: link 'newsletter/secret.md' goes to "
                                          "content/newsletter/secret.md, which is a draft: the link is broken "
                                          "until it is published"]


def test_a_failed_build_leaves_the_last_good_site(tmp_path):
    root = project(tmp_path / "p")
    out = tmp_path / "out"
    build(load_project(root), out, today=TODAY)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (root / "content/about.md").write_text("---\ntitle: About Us\n---\nNow [broken](gone.md).\n")
    with pytest.raises(ProjectError):
        build(load_project(root), out, today=TODAY)
    write(root, {"templates/site/page.html": "{% extends 'base.html' %}{% block main %}{{ page.nope }}{% endblock %}"})
    (root / "content/about.md").write_text("---\ntitle: About Us\n---\nFine.\n")
    with pytest.raises(ProjectError) as info:
        build(load_project(root), out, today=TODAY)
    assert str(info.value.problems[0]).startswith("templates/site/page.html:1: template error:")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []  # no staging left behind


def test_orphans_are_pruned(tmp_path):
    root = project(tmp_path / "p")
    out = tmp_path / "out"
    build(load_project(root), out, today=TODAY)
    (root / "content/newsletter/one.md").unlink()
    result = build(load_project(root), out, today=TODAY)
    assert not (out / "newsletter/one").exists() and not (out / "tags/tea").exists()
    assert not (out / "newsletter/page/2").exists()  # two issues left fit on one archive page
    assert result.pruned == 4  # the issue, its tag page, the tag index and the second archive page


def test_refuses_to_replace_a_folder_it_did_not_make(tmp_path):
    root = project(tmp_path / "p")
    precious = write(tmp_path / "docs", {"thesis.txt": "years of work"})
    with pytest.raises(WelcomeGenError, match="not empty and was not made by welcome-gen"):
        build(load_project(root), precious, today=TODAY)
    with pytest.raises(WelcomeGenError, match="holds the project itself"):
        build(load_project(root), root, today=TODAY)
    assert (precious / "thesis.txt").read_text() == "years of work"


def test_static_files_are_copied_and_may_not_replace_pages(tmp_path):
    root = project(tmp_path / "p", **{"static/CNAME": "tiny.example\n", "static/img/logo.svg": "<svg/>"})
    out = tmp_path / "out"
    build(load_project(root), out, today=TODAY)
    assert (out / "CNAME").read_text() == "tiny.example\n" and (out / "img/logo.svg").is_file()
    write(root, {"static/fit/index.html": "mine"})
    assert "static/fit/index.html: would replace the site's own page /fit/index.html; rename or remove it" in [
        str(p) for p in check(load_project(root), today=TODAY)]


def test_cli_build_and_check(tmp_path, capsys):
    root = project(tmp_path / "p")
    code, out, err = run("check", str(root), capsys=capsys)
    assert code == 0 and out.startswith("ok: 1 pages, 2 personas, 5 newsletter issues")
    code, out, err = run("build", str(root), "--out", str(tmp_path / "site"), capsys=capsys)
    assert code == 0 and (tmp_path / "site/fit/index.html").is_file()
    assert out.startswith("Built ") and f"-> {tmp_path / 'site'}" in out and out.count("\n") == 1
    # The files counted are the emails' and journeys' too, and the line says so.
    assert "unchanged (site, emails and sample journeys) -> " in out
    written = int(re.search(r"(\d+) files written", out).group(1))
    assert written > sum(1 for p in (tmp_path / "site").rglob("*") if p.is_file())
    code, out, err = run("build", str(root), "--out", str(tmp_path / "site"), "--quiet", capsys=capsys)
    assert (code, out) == (0, "")


def test_cli_bad_slug_gives_file_and_line_and_writes_nothing(tmp_path, capsys):
    root = project(tmp_path / "p", **{"content/evil.md": "---\ntitle: Evil\nslug: ../../etc\n---\n"})
    for command in ("check", "build"):
        code, out, err = run(command, str(root), capsys=capsys)
        assert code == 1 and "content/evil.md:3: slug: '../../etc' is not a valid slug" in err
        assert "Traceback" not in err
    assert not (root / "public").exists() and not (tmp_path / "etc").exists()


def test_cli_check_reports_template_and_link_problems_together(tmp_path, capsys):
    root = project(tmp_path / "p", **{"templates/site/page.html": "{% block main %}\n{% if %}\n",
                                      "content/help.md": "---\ntitle: Help\ntemplate: wide.html\n---\n[x](y.md)\n"})
    code, out, err = run("check", str(root), capsys=capsys)
    assert code == 1
    assert "content/help.md:3: template 'wide.html' not found" in err
    assert "content/help.md:5: link 'y.md' is broken: there is no content/y.md" in err
    assert "templates/site/page.html:2: template error:" in err
    assert "3 problem(s) found" in err


def test_a_cached_partial_is_the_projects_own_on_every_page(tmp_path, capsys):
    # partial_cached renders the signup form once a build; the project's override is what every page shows.
    root = project(tmp_path / "p", **{"templates/site/partials/signup.html":
                                      "<form class=mine>{{ business.name }} · {{ t('signup_submit') }}</form>\n"})
    code, out, err = run("build", str(root), "--out", str(tmp_path / "site"), capsys=capsys)
    assert code == 0, err
    pages = html_files(tmp_path / "site")
    assert len(pages) > 5
    for page in pages:
        text = (tmp_path / "site" / page).read_text(encoding="utf-8")
        if "<footer" in text:
            assert text.count("<form class=mine>Tiny Shop · Sign me up</form>") == 1, page
            assert "id=\"signup-title\"" not in text


def test_a_cached_partial_naming_a_page_variable_is_an_error_at_its_line(tmp_path, capsys):
    root = project(tmp_path / "p", **{"templates/site/partials/signup.html":
                                      "<form>\n{{ page.title }}\n</form>\n"})
    code, out, err = run("build", str(root), "--out", str(tmp_path / "site"), capsys=capsys)
    assert code == 1 and "Traceback" not in err
    assert "templates/site/partials/signup.html:2: template error: 'page' is undefined: " \
           "partial_cached('partials/signup.html') sees only the site's variables, not the page's" in err
    assert not (tmp_path / "site").exists()
