"""Newsletter issues with `send_at`, sent by `send` against the emulator: once, when due, to whom they name."""

from __future__ import annotations

import pytest

from welcome_gen.delivery.tick import tick
from welcome_gen.delivery.digest import digest_markdown
from welcome_gen.delivery.push import push
from welcome_gen.project import load_project

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
    push(project, mailchimp)
    audience(mailchimp)
    clock.now = at("2027-03-01 11:05")
    before = tick(project, mailchimp, clock.now)
    assert issue_deliveries(mailchimp_emulator) == [] and before.issue_plans == []

    clock.now = at("2027-03-01 12:05")  # Europe/London is on UTC in March
    report = tick(project, mailchimp, clock.now)
    assert report.issues == ["content/newsletter/spring.md: sent to 2 member(s)"] and report.exit_code == 0
    assert issue_deliveries(mailchimp_emulator) == [("ann@x.org", "wg:issue:spring"), ("bob@x.org", "wg:issue:spring")]
    email = mailchimp_emulator.deliveries(email="bob@x.org")[-1]
    assert email["subject"] == "The spring timetable" and email["preview_text"] == "New dates for spring."
    # Through the email theme, links made absolute, and a link to the issue's own page.
    assert '<td class="masthead" style="padding:' in email["html"]  # the theme's layout, its CSS inlined
    assert ('href="https://example.org/newsletter/spring/?utm_source=mailchimp&amp;utm_medium=email&amp;'
            'utm_campaign=spring&amp;utm_content=issue"') in email["html"]  # the site's copy, its campaign tagged
    assert 'href="https://example.org/for/makers/?utm_source=mailchimp&amp;' in email["html"]
    assert 'href="https://example.org/fit/?utm_source=mailchimp&amp;' in email["html"]
    assert ("Readthisissueonthesite(https://example.org/newsletter/spring/?utm_source=mailchimp&utm_medium=email"
            "&utm_campaign=spring&utm_content=issue)") in "".join(email["text"].split())
    assert "*|" not in email["html"]  # every merge tag was filled for bob

    for hour in ("13:05", "14:05"):
        clock.now = at(f"2027-03-01 {hour}")
        again = tick(project, mailchimp, clock.now)
        assert [p.action for p in again.issue_plans] == ["sent"] and again.issues == []
    assert len(issue_deliveries(mailchimp_emulator)) == 2


def test_an_issue_naming_personas_goes_only_to_them_and_leaves_no_segment(tmp_path, mailchimp, mailchimp_emulator,
                                                                          clock):
    project = make(tmp_path, makers="personas: [makers]\n")
    push(project, mailchimp)
    audience(mailchimp)
    clock.now = at("2027-03-01 12:05")
    report = tick(project, mailchimp, clock.now)
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
    push(project, mailchimp)
    audience(mailchimp)
    for hour in ("12:05", "13:05"):
        clock.now = at(f"2027-03-01 {hour}")
        report = tick(project, mailchimp, clock.now)
        assert report.issues == ["content/newsletter/old.md: send_at passed more than the lateness ago and it was "
                                 "never sent; not sent now"]
    assert issue_deliveries(mailchimp_emulator) == []


def test_an_issue_waits_for_its_page_to_be_published(tmp_path, mailchimp, mailchimp_emulator, clock):
    project = make(tmp_path, later="")
    path = project.root / "content/newsletter/later.md"
    path.write_text(path.read_text().replace("date: 2027-02-26", "date: 2027-03-02"))
    project = load_project(project.root)
    push(project, mailchimp)
    audience(mailchimp)
    clock.now = at("2027-03-01 12:05")
    assert tick(project, mailchimp, clock.now).issue_plans == []
    clock.now = at("2027-03-02 00:05")
    tick(project, mailchimp, clock.now)
    assert len(issue_deliveries(mailchimp_emulator)) == 2


@pytest.mark.parametrize("personas", ["", "personas: [makers]\n"])
def test_a_crash_at_any_call_of_an_issue_send_is_repaired(tmp_path, mailchimp, mailchimp_emulator, clock, personas):
    emu = mailchimp_emulator
    project = make(tmp_path, spring=personas)
    want = [("ann@x.org", "wg:issue:spring")] + ([] if personas else [("bob@x.org", "wg:issue:spring")])

    def setup():
        emu.reset()
        clock.now = at("2027-03-01 08:00")
        from mailchimp.fixtures import AUDIENCE

        mailchimp.list_id = mailchimp.call("lists.create_list", AUDIENCE)["id"]
        push(project, mailchimp)
        audience(mailchimp)
        clock.now = at("2027-03-01 12:05")

    setup()
    first = len(emu.requests)
    tick(project, mailchimp, clock.now)
    calls = len(emu.requests) - first
    assert issue_deliveries(emu) == want
    for n in range(1, calls + 1):
        for after in (False, True):
            setup()
            emu.set_faults(nth=list(range(n, n + 5)), kind="500", after=after)
            try:
                tick(project, mailchimp, clock.now)
            except Exception:
                pass  # a read failed: the tick stopped there
            emu.clear_faults()
            clock.now = at("2027-03-01 13:05")
            tick(project, mailchimp, clock.now)
            assert issue_deliveries(emu) == want, f"failing call {n} (after={after})"
