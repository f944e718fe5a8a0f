"""`welcome-gen serve` in a real browser: an open page reloads itself after a save, and a broken file shows its
located problem in place of the page until it is fixed."""

from __future__ import annotations

import time

import pytest

from welcome_gen.serve import DevServer

from chromium import report
from helpers import copy_example

pytestmark = pytest.mark.browser


def wait_for(browser, text: str, what: str, seconds: float = 20) -> str:
    """The page's text once it shows `text` (the page reloading by itself), or a failure naming what was awaited."""
    deadline = time.monotonic() + seconds
    body = ""
    while time.monotonic() < deadline:
        body = browser.driver.execute_script("return document.body ? document.body.innerText : ''")
        if text in body:
            return body
        time.sleep(0.1)
    raise AssertionError(f"about page (serve): live reload: {what} did not appear within {seconds}s; "
                         f"the page shows: {body[:300]!r}")


def test_an_open_page_reloads_after_a_save_and_shows_a_broken_file_in_place(browser, tmp_path):
    root = copy_example(tmp_path / "example")
    about = root / "content" / "about.md"
    text = about.read_text(encoding="utf-8")
    with DevServer(root, port=0) as server:
        browser.open(server.url + "about/", 1280)
        wait_for(browser, "Bramble & Bolt is run by Ada Okafor", "the page")
        browser.driver.execute_script("window.notReloaded = true")  # gone once the page reloads
        about.write_text(text.replace("Bramble & Bolt is run by", "Bramble & Bolt is kept going by"), encoding="utf-8")
        wait_for(browser, "Bramble & Bolt is kept going by", "the saved sentence")
        assert browser.driver.execute_script("return window.notReloaded === undefined")

        about.write_text(text.replace("menu: 2", "menu: second"), encoding="utf-8")
        body = wait_for(browser, "content/about.md:4", "the broken file's located problem")
        assert "menu" in body
        about.write_text(text, encoding="utf-8")
        wait_for(browser, "Bramble & Bolt is run by Ada Okafor", "the page again, once fixed")
        errors = [f for f in browser.errors("about page (serve)") if "500" not in f.detail]
        assert not errors, report(errors)
