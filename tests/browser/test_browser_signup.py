"""A person signs up on the example site with the keyboard alone; the form reaches the emulator's hosted form
(`/subscribe/post`), the member exists with the persona and birthday they chose, and `send` welcomes them with
that persona's variant."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from welcome_gen.cli import main

from helpers import copy_example
from site_server import build_and_serve

pytestmark = pytest.mark.browser


def press(browser, *keys: str) -> None:
    browser.driver.switch_to.active_element.send_keys(*keys)


def focused(browser) -> str:
    return browser.driver.execute_script(
        "const e = document.activeElement; return (e.name || e.tagName) + (e.type ? ':' + e.type : '')")


def tab_to(browser, name: str, limit: int = 80) -> None:
    """Press Tab until the field named `name` has the focus, as a person moving through the page would."""
    from selenium.webdriver.common.keys import Keys

    for _ in range(limit):
        if focused(browser).split(":")[0] == name:
            return
        press(browser, Keys.TAB)
    raise AssertionError(f"home page: keyboard order: Tab never reached the form field {name}")


def test_a_keyboard_signup_reaches_mailchimp_with_persona_and_birthday_and_gets_its_welcome(
        browser, mailchimp, mailchimp_emulator, mailchimp_env, tmp_path):
    from selenium.webdriver.common.keys import Keys

    root = copy_example(tmp_path / "example")
    config = root / "welcome.yaml"
    config.write_text(re.sub(r"action: \S+", f"action: {mailchimp_emulator.signup_form(mailchimp.list_id)}",
                             config.read_text(encoding="utf-8")), encoding="utf-8")
    # A Monday morning, inside the send window: when Pat signs up, on the emulator's clock.
    mailchimp_emulator.store.clock = lambda: datetime(2027, 3, 1, 9, 30, tzinfo=timezone.utc)
    assert main(["push", str(root)]) == 0  # the audience's fields, as the author sets them up
    server = build_and_serve(root)
    try:
        browser.open(server.url, 375)
        tab_to(browser, "EMAIL")
        press(browser, "pat@example.org")
        press(browser, Keys.TAB, "Pat")
        press(browser, Keys.TAB, "Mar")  # a select takes the typed start of its option: March
        press(browser, Keys.TAB, "9")
        press(browser, Keys.TAB)
        assert focused(browser) == "PERSONA:radio"
        choices = browser.driver.execute_script(
            "return [...document.querySelectorAll('input[name=PERSONA]')].map(i => i.value)")
        for _ in range(choices.index("flat-dwellers")):
            press(browser, Keys.ARROW_DOWN)  # arrows move the choice within a radio group
        press(browser, Keys.TAB)
        assert focused(browser) == "BUTTON:submit", "the bot trap must not take the focus"
        press(browser, Keys.ENTER)
        body = browser.driver.find_element("tag name", "body").text
        assert "Thank you for subscribing" in body, f"the form's answer: {body}"
    finally:
        server.close()

    members = mailchimp.call("lists.get_list_members_info", mailchimp.list_id)["members"]
    pat = next(m for m in members if m["email_address"] == "pat@example.org")
    assert pat["status"] == "subscribed"
    assert {k: pat["merge_fields"][k] for k in ("FNAME", "BIRTHDAY", "PERSONA")} == {
        "FNAME": "Pat", "BIRTHDAY": "03/09", "PERSONA": "flat-dwellers"}

    for day in ("01", "03", "06"):  # hourly ticks on the days the first three letters fall due
        assert main(["send", str(root), "--now", f"2027-03-{day}T10:05:00Z"]) == 0
    sent = mailchimp_emulator.deliveries(email="pat@example.org")
    assert [d["campaign_title"].split(":")[1:4] for d in sent] == [
        ["welcome", "hello", "default"], ["welcome", "fit", "default"], ["welcome", "first-class", "flat-dwellers"]]
    assert sent[2]["subject"] == "No workshop at home? Neither do most of our students"
