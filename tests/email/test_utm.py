"""UTM parameters on links to the project's own site: campaign = the sequence (or issue), content = the step, source
and medium from welcome.yaml, off with `utm: false`; preflight says when they would not reach the site."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from welcome_gen.email import preflight
from welcome_gen.email.render import render_email, render_issue
from welcome_gen.project import load_project

from helpers import write

CONFIG = """\
site:
  title: T
  url: https://shop.test/woodshop/
  signup: {action: "https://x.us1.list-manage.com/subscribe/post?u=a&id=b"}
business:
  name: B
  postal_address: 1 Mill Road, Townsville TS1 1AA
  reply_to: hi@shop.test
"""
FILES = {
    "content/audiences/makers.md": "---\ntitle: Makers\nfit: true\nsummary: People who make.\n---\nBody.\n",
    "content/faq.md": "---\ntitle: Questions\n---\nAnswers.\n",
    "sequences/welcome.yaml": "title: Welcome\ntrigger: subscribed\nsteps:\n  - id: hello\n    subject: Welcome to "
                              "the shop\n    preheader: What to expect from us, in one short letter.\n"
                              "    body: hello.md\n",
    "sequences/hello.md": "Read [the questions]({{ links.page('faq') }}#tools), [the makers page]"
                          "({{ links.persona('makers') }}?ref=letter) and [a good book](https://books.woodworking.test/"
                          "chisels), or [write to us](mailto:hi@shop.test).\n",
}


def project(tmp_path, extra: str = "", files: dict | None = None):
    return load_project(write(tmp_path / "p", {**FILES, **(files or {}), "welcome.yaml": CONFIG + extra}))


def hrefs(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]*)"', html)]


def test_links_to_the_site_carry_the_sequence_and_step_and_others_are_left_alone(tmp_path):
    email = render_email(project(tmp_path), "welcome", "hello")
    site = [h for h in hrefs(email.html) if h.startswith("https://shop.test/woodshop/")]
    assert site and all(parse_qs(urlsplit(h).query)["utm_campaign"] == ["welcome"] for h in site)
    assert "https://shop.test/woodshop/faq/?utm_source=mailchimp&utm_medium=email&utm_campaign=welcome" \
           "&utm_content=hello#tools" in site  # before the #fragment, where analytics sees them
    assert "https://shop.test/woodshop/for/makers/?ref=letter&utm_source=mailchimp&utm_medium=email" \
           "&utm_campaign=welcome&utm_content=hello" in site  # the author's own query kept, first
    assert "https://books.woodworking.test/chisels" in hrefs(email.html) and "mailto:hi@shop.test" in hrefs(email.html)
    # The layout's link home is tagged too, and the text part carries the same addresses.
    assert "https://shop.test/woodshop/?utm_source=mailchimp&utm_medium=email&utm_campaign=welcome" \
           "&utm_content=hello" in site
    assert "faq/?utm_source=mailchimp&utm_medium=email&utm_campaign=welcome&utm_content=hello#tools" in \
           "".join(email.text.split())


def test_source_and_medium_come_from_welcome_yaml_and_utm_false_turns_it_off(tmp_path):
    tagged = render_email(project(tmp_path / "a", "utm: {source: newsletter, medium: e-mail}\n"), "welcome", "hello")
    assert "utm_source=newsletter&utm_medium=e-mail&utm_campaign=welcome" in "".join(hrefs(tagged.html))
    plain = render_email(project(tmp_path / "b", "utm: false\n"), "welcome", "hello")
    assert "utm_" not in plain.html and "utm_" not in plain.text


def test_a_newsletter_issue_is_its_own_campaign(tmp_path):
    p = project(tmp_path)
    letter = render_issue(p, "issue", "first-shavings", "First shavings", "", "See [the questions](https://shop.test/"
                          "woodshop/faq/).\n\n*|UNSUB|*\n", "content/newsletter/first-shavings.md")
    assert "utm_campaign=first-shavings&utm_content=issue" in "".join(hrefs(letter.html))


def test_a_bad_utm_value_is_a_problem_in_welcome_yaml(tmp_path, capsys):
    from welcome_gen.cli import main

    root = write(tmp_path / "p", {**FILES, "welcome.yaml": CONFIG + "utm: {source: my newsletter}\n"})
    assert main(["check", str(root)]) == 1
    err = capsys.readouterr().err
    assert "welcome.yaml:" in err and "is not a UTM value" in err


def test_preflight_says_when_utm_would_not_reach_the_site(tmp_path):
    body = ("Read [the questions](https://shop.test/woodshop/faq/#tools?utm_term=x) and [the makers page]"
            "(https://shop.test/woodshop/for/makers/?utm_campaign=a&utm_campaign=b).\n")
    found = [str(p) for p in preflight(project(tmp_path, files={"sequences/hello.md": body}))]
    assert any(f.startswith("sequences/hello.md:1: link 'the questions': its UTM parameters would not reach the "
                            "site: its UTM parameters are after the '#'") for f in found), found
    assert any("link 'the makers page'" in f and "utm_campaign 2 times" in f for f in found), found
    assert [str(p) for p in preflight(project(tmp_path / "clean"))] == []
