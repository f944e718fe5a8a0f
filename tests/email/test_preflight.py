"""Preflight: each rule has a failing fixture (the finding, at the author's file and line) and the base passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from welcome_gen.email import preflight
from welcome_gen.email.render import THEME
from welcome_gen.project import load_project

from helpers import write

CONFIG = """\
site:
  title: T
  url: https://shop.test/
  signup: {action: "https://x.us1.list-manage.com/subscribe/post?u=a&id=b"}
business:
  name: B
  postal_address: 1 Mill Road, Townsville TS1 1AA
  reply_to: hi@shop.test
"""
PERSONA = "---\ntitle: Makers\nfit: true\nsummary: People who make.\n---\nBody.\n"
SEQUENCE = """\
title: Welcome
trigger: subscribed
steps:
  - id: hello
    subject: Welcome to the shop, {{ subscriber.first_name | default("friend") }}
    preheader: What to expect from us, and one question for you.
    body: hello.md
"""
BODY = """\
Hi {{ subscriber.first_name | default("there") }},

Thanks for joining {{ business.name }}. Read [who we are for]({{ links.fit }}) and
[the makers page]({{ links.persona("makers") }}).
"""
SAMPLES = "samples:\n  - name: maker\n    first_name: Mo\n    persona: makers\n"
LAYOUT = (THEME / "layout.html.j2").read_text(encoding="utf-8")
TEXT_LAYOUT = (THEME / "layout.txt.j2").read_text(encoding="utf-8")


def at(snippet: str) -> int:
    """The line of the default layout that holds `snippet`."""
    return LAYOUT[:LAYOUT.index(snippet)].count("\n") + 1


def base(root: Path, **files: str) -> Path:
    project = {"welcome.yaml": CONFIG, "content/audiences/makers.md": PERSONA, "sequences/welcome.yaml": SEQUENCE,
               "sequences/hello.md": BODY, "sequences/samples.yaml": SAMPLES}
    project.update({k.replace("__", "/").replace("_dot_", "."): v for k, v in files.items()})
    return write(root, project)


def layout(old: str, new: str) -> dict[str, str]:
    assert old in LAYOUT
    return {"templates/email/layout.html.j2": LAYOUT.replace(old, new)}


def found(root: Path) -> list[str]:
    return [str(p) for p in preflight(load_project(root))]


def test_the_base_project_passes(tmp_path):
    assert found(base(tmp_path)) == []


def test_the_example_project_passes(example):
    assert [p for p in preflight(load_project(example)) if p.is_error] == []


L = "templates/email/layout.html.j2"
CASES = {
    "unsubscribe-html": (layout('<a href="*|UNSUB|*">{{ t("email_unsubscribe") }}</a>', "<!-- <a href=\"*|UNSUB|*\">x</a> -->"),
                         f"{L}: the HTML has no unsubscribe link"),
    "unsubscribe-text": ({"templates/email/layout.txt.j2": TEXT_LAYOUT.replace("*|UNSUB|*", "")},
                         "templates/email/layout.txt.j2: the text part has no *|UNSUB|* link"),
    "address-html": (layout("{{ business.name }}, {{ business.postal_address }}", "{{ business.name }}"),
                     f"{L}: the HTML does not show the postal address"),
    "address-text": ({"templates/email/layout.txt.j2": TEXT_LAYOUT.replace(", {{ business.postal_address }}", "")},
                     "templates/email/layout.txt.j2: the text part does not show the postal address"),
    "address-config": ({"welcome.yaml": CONFIG.replace("1 Mill Road, Townsville TS1 1AA", "https://shop.test/")},
                       "welcome.yaml:7: business.postal_address must be a postal address"),
    "gmail-clipping": ({"sequences/hello.md": BODY + ("\nA paragraph of words that goes on. " * 3000)},
                       "sequences/welcome.yaml:4: the HTML is 1"),
    "style-size": (layout("</style>\n<style data-css-inline=\"keep\">",
                          "@media print { " + ".x{color:red}" * 1500 + " }</style>\n<style data-css-inline=\"keep\">"),
                   f"{L}: a <style> block is"),
    "script": (layout("</body>", "<script>alert(1)</script></body>"),
               f"{L}:{at('</body>')}: <script> does not work in email"),
    "javascript-link": (layout('<a href="{{ site.url }}">{{ business.name }}</a>', '<a href="javascript:go()">x</a>'),
                        f"{L}:{at('<td class=' + chr(34) + 'masthead')}: a javascript: link does not work in email"),
    "image-alt": ({"sequences/hello.md": BODY + '\n<img src="https://shop.test/logo.png">\n'},
                  "sequences/hello.md:6: image 'https://shop.test/logo.png' has no alt text"),
    "image-https": ({"sequences/hello.md": BODY + '\n![Logo](http://shop.test/logo.png)\n'},
                    "sequences/hello.md:6: image 'http://shop.test/logo.png' must be an absolute https:// address"),
    "preheader": ({"sequences/welcome.yaml": SEQUENCE.replace("    preheader: What to expect from us, and one question for you.\n", "")},
                  "sequences/welcome.yaml:4: warning: no preheader"),
    "subject-length": ({"sequences/welcome.yaml": SEQUENCE.replace("Welcome to the shop,", "Welcome to the shop where " + "really " * 8)},
                       "sequences/welcome.yaml:5: warning: the subject is"),
    "subject-caps": ({"sequences/welcome.yaml": SEQUENCE.replace("Welcome to the shop,", "BIG NEWS TODAY!! Hi")},
                     "sequences/welcome.yaml:5: warning: the subject shouts in capitals"),
    "merge-tag-unknown": ({"sequences/hello.md": BODY + "\nYour code: *|PROMO|*\n"},
                          "sequences/hello.md:6: HTML: unknown merge tag *|PROMO|*"),
    "merge-tag-unbalanced": ({"sequences/hello.md": BODY + "\n*|IF:FNAME|* Hello\n"},
                             "sequences/hello.md:6: HTML: *|IF:...|* is never closed with *|END:IF|*"),
    "link-relative": ({"sequences/hello.md": BODY + "\nSee [about](/about/).\n"},
                      "sequences/hello.md:6: link '/about/' is not an absolute https:// address"),
    "link-placeholder": ({"sequences/hello.md": BODY + "\nSee [the shop](https://www.example.com/shop).\n"},
                         "sequences/hello.md:6: link 'https://www.example.com/shop' points at a placeholder"),
    "link-http": ({"sequences/hello.md": BODY + "\nSee [the shop](http://shop.elsewhere.test/).\n"},
                  "sequences/hello.md:6: warning: link 'http://shop.elsewhere.test/' is not https"),
    "link-missing-page": ({"sequences/hello.md": BODY + "\nRead [our story]({{ links.page('story') }}).\n"},
                          "sequences/hello.md:6: link 'https://shop.test/story/' points at a page the site does not have"),
    "link-text": ({"sequences/hello.md": BODY + "\nFor the fit page click [here]({{ links.fit }}).\n"},
                  "sequences/hello.md:6: warning: link text 'here' says nothing"),
    "lang": (layout('<html lang="{{ lang }}"', "<html"), f"{L}: <html> has no lang attribute"),
    "lang-mismatch": (layout('<html lang="{{ lang }}"', '<html lang="fr"'), f"{L}: <html lang=\"fr\"> differs"),
    "text-part-empty": ({"sequences/hello.md": "![](https://shop.test/a.png)\n"}, "sequences/hello.md:1: the text part is empty"),
    "leftover-template-code": ({"sequences/hello.md": BODY + "\n{% raw %}{{ oops }}{% endraw %}\n"},
                               "sequences/hello.md:6: HTML for sample 'maker' still shows template code '{{'"),
    "empty-value": ({"sequences/hello.md": BODY.replace('{{ subscriber.first_name | default("there") }}', "{{ subscriber.first_name }}")},
                    "sequences/hello.md:1: warning: text for sample 'no-first-name' reads 'Hi ,'"),
    "text-says-more": ({"templates/email/layout.txt.j2": "{{ body }}\nSecret discount inside\n" + TEXT_LAYOUT.split("{{ body }}", 1)[1]},
                       "sequences/welcome.yaml:4: warning: the text part for sample 'maker' says what the HTML does not: secret, discount, inside"),
    "caniemail": (layout(".footer p { margin", ".footer { display: flex; } .footer p { margin"),
                  f"{L}:{at('.footer p {')}: warning: display:flex (css-display-flex) is not supported in Outlook (Windows)"),
    "layout-table-role": (layout('<table role="presentation" class="container"', '<table class="container"'),
                          f"{L}: warning: a layout <table> without role=\"presentation\""),
    "mso-comments": (layout("<!--[if mso]></td></tr></table><![endif]-->", "<!--[if mso]></td></tr></table>-->"),
                     f"{L}: unbalanced <!--[if mso]>"),
    "color-scheme": (layout('<meta name="color-scheme" content="light dark">', ""),
                     f"{L}: warning: no <meta name=\"color-scheme\">"),
}


@pytest.mark.parametrize("name", CASES)
def test_rule_fails_with_its_fixture(tmp_path, name):
    files, expected = CASES[name]
    problems = found(base(tmp_path, **{k.replace("/", "__").replace(".", "_dot_"): v for k, v in files.items()}))
    assert any(p.startswith(expected) for p in problems), "\n".join(problems)


def test_body_html_is_sanitised_so_script_never_reaches_the_email(tmp_path):
    root = base(tmp_path, sequences__hello_dot_md=BODY + '\n<script>alert(1)</script><form action="x"></form>\n')
    assert found(root) == []


def test_problems_are_reported_once_not_per_sample(tmp_path):
    root = base(tmp_path, **{"templates__email__layout_dot_html_dot_j2": LAYOUT.replace("</body>", "<iframe></iframe></body>")})
    iframe = [p for p in found(root) if "<iframe>" in p]
    assert len(iframe) == 1
