"""Every email the example builds (build/emails: each variant, each sample's preview, and their index), opened in
Chromium at a phone's width and at 600 px, the width mail clients give an email: nothing sticks out sideways, and
every image says what it shows."""

from __future__ import annotations

import html

import pytest

from welcome_gen.mailchimp.mergetags import render

from chromium import report

pytestmark = pytest.mark.browser

# A variant's file is what Mailchimp receives, merge tags and all; people read it with the tags filled in, so it
# is opened as Mailchimp sends it to a member (through the merge-tag renderer the emulator shares).
MEMBER = {"EMAIL": "pat@example.org", "FNAME": "Pat", "LNAME": "Jones", "UNSUB": "https://example.org/unsubscribe",
          "LIST:ADDRESSLINE": "Unit 4, Paintworks, Bath Road, Bristol", "LIST:COMPANY": "Bramble & Bolt Woodshop"}


@pytest.mark.parametrize("width", [375, 600])
def test_every_email_fits_the_screen_and_its_images_have_alt_text(browser, example_site, tmp_path, width):
    root, _ = example_site
    emails = root / "build" / "emails"
    pages = sorted(emails.rglob("*.html"))
    assert len(pages) > 20, f"only {len(pages)} emails in {emails}"
    findings = []
    for path in pages:
        shown = path.relative_to(emails).as_posix()
        if path.parent.name != "samples" and path != emails / "index.html":
            path = tmp_path / shown.replace("/", "--")
            path.write_text(render((emails / shown).read_text(encoding="utf-8"), MEMBER, escape=html.escape),
                            encoding="utf-8")
        name = f"build/emails/{shown} at {width}px"
        browser.open(path.as_uri(), width)
        findings += browser.overflow(name) + browser.images_without_alt(name)
    assert not findings, report(findings)
