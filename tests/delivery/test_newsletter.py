"""Newsletter issues with `send_at`, sent by `send` against the emulator: once, when due, to whom they name."""

from __future__ import annotations

import pytest

from welcome_gen.delivery.tick import tick
from welcome_gen.delivery.digest import digest_markdown
from welcome_gen.delivery.push import push
from welcome_gen.project import load_project

from helpers import outbox_of
from support import at, join, write_project

ISSUE = """\
---
title: The spring timetable
date: 2027-02-26
summary: New dates for spring.
send_at: 2027-03-01T12:00:00
{extra}---

Classes start in April. Makers, [this page](../audiences/makers.md) is for you; see [the fit page](/fit/).

Ada
"""


def make(tmp_path, **issues):
    files = {f"content/newsletter/{slug}.md": ISSUE.format(extra=extra) for slug, extra in issues.items()}
    return load_project(write_project(tmp_path / "shop", files))


def audience(mc):
    join(mc, "ann@x.org", at("2026-01-05 09:30"), persona="makers")
    join(mc, "bob@x.org", at("2026-01-05 09:40"))
    join(mc, "cat@x.org", at("2026-01-05 09:50"), persona="learners")
    mc.call("lists.update_list_member", mc.list_id, mc.subscriber_hash("cat@x.org"), {"status": "unsubscribed"})


def issue_deliveries(emu):
    return sorted((d["email_address"], d["campaign_title"]) for d in emu.deliveries()
                  if d["campaign_title"].startswith("wg:issue:"))


def test_an_issue_goes_once_when_due_to_everyone_subscribed(tmp_path, mailchimp, mailchimp_emulator, clock):
    project = make(tmp_path, spring="")
    push(project, outbox_of(project), mailchimp)
    audience(mailchimp)
    clock.now = at("2027-03-01 11:05")
    before = tick(project, outbox_of(project), mailchimp, clock.now)
    assert issue_deliveries(mailchimp_emulator) == [] and before.issue_plans == []

    clock.now = at("2027-03-01 12:05")  # Europe/London is on UTC in March
    report = tick(project, outbox_of(project), mailchimp, clock.now)
    assert report.issues == ["content/newsletter/spring.md: sent to 2 member(s)"] and report.exit_code == 0
    assert issue_deliveries(mailchimp_emulator) == [("ann@x.org", "wg:issue:spring"), ("bob@x.org", "wg:issue:spring")]
    email = mailchimp_emulator.deliveries(email="bob@x.org")[-1]
    assert email["subject"] == "The spring timetable" and email["preview_text"] == "New dates for spring."
    # Through the email theme, links made absolute, and a link to the issue's own page.
    assert '<td class="masthead" style="padding:' in email["html"]  # the theme's layout, its CSS inlined
    assert ('href="https://shop.test/newsletter/spring/?utm_source=mailchimp&amp;utm_medium=email&amp;'
            'utm_campaign=spring&amp;utm_content=issue"') in email["html"]  # the site's copy, its campaign tagged
    assert 'href="https://shop.test/for/makers/?utm_source=mailchimp&amp;' in email["html"]
    assert 'href="https://shop.test/fit/?utm_source=mailchimp&amp;' in email["html"]
    assert ("Readthisissueonthesite(https://shop.test/newsletter/spring/?utm_source=mailchimp&utm_medium=email"
            "&utm_campaign=spring&utm_content=issue)") in "".join(email["text"].split())
    assert "*|" not in email["html"]  # every merge tag was filled for bob

    for hour in ("13:05", "14:05"):
        clock.now = at(f"2027-03-01 {hour}")
        again = tick(project, outbox_of(project), mailchimp, clock.now)
        assert [p.action for p in again.issue_plans] == ["sent"] and again.issues == []
    assert len(issue_deliveries(mailchimp_emulator)) == 2


def test_an_issue_naming_personas_goes_only_to_them_and_leaves_no_segment(tmp_path, mailchimp, mailchimp_emulator,
                                                                          clock):
    project = make(tmp_path, makers="personas: [makers]\n")
    push(project, outbox_of(project), mailchimp)
    audience(mailchimp)
    clock.now = at("2027-03-01 12:05")
    report = tick(project, outbox_of(project), mailchimp, clock.now)
    assert report.issues == ["content/newsletter/makers.md: sent to 1 member(s) (makers)"]
    assert issue_deliveries(mailchimp_emulator) == [("ann@x.org", "wg:issue:makers")]
    assert "- content/newsletter/makers.md: sent to 1 member(s) (makers)" in digest_markdown(project, report)
    segments = mailchimp.call("lists.list_segments", mailchimp.list_id, count=1000)["segments"]
    assert "wg:issue:makers" not in {s["name"] for s in segments}


def test_a_draft_and_an_issue_long_past_are_never_sent(tmp_path, mailchimp, mailchimp_emulator, clock):
    project = make(tmp_path, drafted="draft: true\n", old="")
    # A second issue whose time passed days ago, before this audience used welcome-gen.
    path = project.root / "content/newsletter/old.md"
    path.write_text(path.read_text().replace("2027-03-01T12:00:00", "2027-02-24T12:00:00"))
    project = load_project(project.root)
    push(project, outbox_of(project), mailchimp)
    audience(mailchimp)
    for hour in ("12:05", "13:05"):
        clock.now = at(f"2027-03-01 {hour}")
        report = tick(project, outbox_of(project), mailchimp, clock.now)
        assert report.issues == ["content/newsletter/old.md: send_at passed more than the lateness ago and it was "
                                 "never sent; not sent now"]
    assert issue_deliveries(mailchimp_emulator) == []


def test_an_issue_waits_for_its_page_to_be_published(tmp_path, mailchimp, mailchimp_emulator, clock):
    project = make(tmp_path, later="")
    path = project.root / "content/newsletter/later.md"
    path.write_text(path.read_text().replace("date: 2027-02-26", "date: 2027-03-02"))
    project = load_project(project.root)
    push(project, outbox_of(project), mailchimp)
    audience(mailchimp)
    clock.now = at("2027-03-01 12:05")
    assert tick(project, outbox_of(project), mailchimp, clock.now).issue_plans == []
    clock.now = at("2027-03-02 00:05")
    tick(project, outbox_of(project), mailchimp, clock.now)
    assert len(issue_deliveries(mailchimp_emulator)) == 2


@pytest.mark.parametrize("personas", ["", "personas: [makers]\n"])
def test_a_crash_at_any_call_of_an_issue_send_is_repaired(tmp_path, mailchimp, mailchimp_emulator, clock, personas):
    emu = mailchimp_emulator
    project = make(tmp_path, spring=personas)
    want = [("ann@x.org", "wg:issue:spring")] + ([] if personas else [("bob@x.org", "wg:issue:spring")])

    from mailchimp.fixtures import AUDIENCE

    emu.reset()
    clock.now = at("2027-03-01 08:00")
    mailchimp.list_id = mailchimp.call("lists.create_list", AUDIENCE)["id"]
    push(project, outbox_of(project), mailchimp)
    audience(mailchimp)
    ready = emu.snapshot()  # set up once over HTTP; every run below starts from it

    def setup():
        emu.restore(ready)
        clock.now = at("2027-03-01 12:05")

    setup()
    first = len(emu.requests)
    tick(project, outbox_of(project), mailchimp, clock.now)
    calls = len(emu.requests) - first
    assert issue_deliveries(emu) == want
    for n in range(1, calls + 1):
        for after in (False, True):
            setup()
            emu.set_faults(nth=list(range(n, n + 5)), kind="500", after=after)
            try:
                tick(project, outbox_of(project), mailchimp, clock.now)
            except Exception:
                pass  # a read failed: the tick stopped there
            emu.clear_faults()
            clock.now = at("2027-03-01 13:05")
            tick(project, outbox_of(project), mailchimp, clock.now)
            assert issue_deliveries(emu) == want, f"failing call {n} (after={after})"


LINKS = """\
---
title: Every kind of link
date: 2027-02-26
summary: Where to find things.
tags: [news]
send_at: 2027-03-01T12:00:00
---

A persona by its file, [makers](../audiences/makers.md), and [learners](/audiences/learners.md#signs).
The site's own places: [fit](/fit/), [the feed](/feed.xml), [the tags](/tags/), [news](/tags/news/),
[the archive](/newsletter/), [the home page](/), [the stylesheet](/assets/style.css) and
[spring](../newsletter/spring.md) by its file, [spring again](/newsletter/spring/?from=email) by its place.
A reference [to the fit page][fit], and <a href="/for/learners/">raw HTML</a>.

[fit]: /fit/#who
"""


def test_an_emailed_issue_has_absolute_working_links_of_every_kind(tmp_path, mailchimp, mailchimp_emulator, clock):
    from lxml import html as lxml_html

    from welcome_gen.email.utm import without
    from welcome_gen.site.build import build

    project = make(tmp_path, spring="")
    (project.root / "content/newsletter/links.md").write_text(LINKS)
    project = load_project(project.root)
    clock.now = at("2027-03-01 12:05")
    outbox = outbox_of(project, clock.now.date())  # as `send --now` renders it: what the site has published then
    push(project, outbox, mailchimp)
    audience(mailchimp)
    tick(project, outbox, mailchimp, clock.now)
    sent = [d for d in mailchimp_emulator.deliveries(email="bob@x.org") if d["campaign_title"] == "wg:issue:links"]
    assert len(sent) == 1
    doc = lxml_html.document_fromstring(sent[0]["html"])
    body = doc.find_class("content")[0]
    hrefs = [without(a.get("href")) for a in body.iter("a")]  # as written, less the UTM parameters send adds
    assert len(hrefs) >= 15, hrefs
    # Every link is absolute, under the site's address, and reaches a file the site's build writes.
    site = tmp_path / "public"
    build(project, site, today=clock.now.date())
    for href in hrefs:
        assert href.startswith("https://shop.test/"), href
        path = href.removeprefix("https://shop.test/").split("#")[0].split("?")[0]
        target = site / path / "index.html" if path == "" or path.endswith("/") else site / path
        assert target.is_file(), f"{href} reaches nothing the site builds"
    assert "https://shop.test/for/makers/" in hrefs and "https://shop.test/for/learners/#signs" in hrefs
    assert "https://shop.test/fit/#who" in hrefs and "https://shop.test/newsletter/spring/?from=email" in hrefs
    assert {"https://shop.test/feed.xml", "https://shop.test/tags/", "https://shop.test/assets/style.css"} <= set(hrefs)
    assert 'href="/' not in sent[0]["html"] and "(/" not in sent[0]["text"]


def test_check_refuses_an_issue_whose_link_cannot_be_made_absolute(tmp_path):
    from welcome_gen.email import preflight

    project = make(tmp_path, spring="")
    (project.root / "content/newsletter/broken.md").write_text(LINKS.replace("/assets/style.css", "/assets/nope.css"))
    problems = [str(p) for p in preflight(load_project(project.root)) if p.is_error]
    assert any(p.startswith("content/newsletter/broken.md") and "'/assets/nope.css' is not an absolute" in p
               for p in problems), problems
