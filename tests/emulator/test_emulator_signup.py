"""The hosted signup form (`POST /subscribe/post`): what a site's form sends, checked as Mailchimp checks it."""

from __future__ import annotations

import urllib.parse
import urllib.request

from mailchimp.fixtures import AUDIENCE

PERSONA = {"tag": "PERSONA", "name": "Which of these describes you?", "type": "dropdown",
           "options": {"choices": ["makers", "learners"]}}


def post(url: str, form: dict[str, str]) -> tuple[int, str]:
    data = urllib.parse.urlencode(form).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data, method="POST"), timeout=10) as answer:
        return answer.status, answer.read().decode()


def member(mc, email: str) -> dict | None:
    found = mc.call("lists.get_list_members_info", mc.list_id)["members"]
    return next((m for m in found if m["email_address"] == email), None)


def setup(mc, emu, **settings) -> str:
    if settings:
        mc.list_id = mc.call("lists.create_list", {**AUDIENCE, **settings})["id"]
    mc.call("lists.add_list_merge_field", mc.list_id, PERSONA)
    return emu.signup_form(mc.list_id)


def test_a_signup_with_persona_and_birthday_becomes_a_member(mailchimp, mailchimp_emulator):
    action = setup(mailchimp, mailchimp_emulator)
    status, page = post(action, {"EMAIL": "ann@x.org", "FNAME": "Ann", "BIRTHDAY[month]": "3",
                                 "BIRTHDAY[day]": "09", "PERSONA": "makers", "b_" + action.split("u=")[1]
                                 .replace("&id=", "_"): ""})
    assert status == 200 and "Thank you for subscribing" in page
    ann = member(mailchimp, "ann@x.org")
    assert ann["status"] == "subscribed" and ann["ip_signup"] == "127.0.0.1" and ann["timestamp_opt"]
    assert {k: v for k, v in ann["merge_fields"].items() if v} == {"FNAME": "Ann", "BIRTHDAY": "03/09",
                                                                      "PERSONA": "makers"}
    status, page = post(action, {"EMAIL": "ann@x.org"})
    assert "ann@x.org is already subscribed to list Test audience" in page


def test_each_field_is_checked_as_the_audience_defines_it_and_nothing_is_added(mailchimp, mailchimp_emulator):
    action = setup(mailchimp, mailchimp_emulator)
    mailchimp.call("lists.add_list_merge_field", mailchimp.list_id,
                   {"tag": "TOWN", "name": "Town", "type": "text", "required": True})
    _, page = post(action, {"EMAIL": "bob@x.org", "PERSONA": "Makers", "BIRTHDAY[month]": "02",
                            "BIRTHDAY[day]": "30"})
    assert "Please choose one of: makers, learners" in page  # a dropdown takes its choices' text, nothing else
    assert "Please enter a month (01-12) and a day (01-31)" in page
    assert 'data-field="TOWN"' in page and "Please enter a value" in page
    _, page = post(action, {"EMAIL": "bob.x.org", "TOWN": "Bath"})
    assert "An email address must contain a single @." in page
    _, page = post(action, {"EMAIL": "bob@x", "TOWN": "Bath"})
    assert "The domain portion of the email address is invalid (the portion after the @: x)" in page
    assert member(mailchimp, "bob@x.org") is None


def test_a_filled_bot_trap_adds_nobody(mailchimp, mailchimp_emulator):
    action = setup(mailchimp, mailchimp_emulator)
    trap = "b_" + action.split("u=")[1].replace("&id=", "_")
    _, page = post(action, {"EMAIL": "bot@x.org", trap: "http://spam.example"})
    assert "Too many subscribe attempts for this email address" in page
    assert member(mailchimp, "bot@x.org") is None


def test_a_double_opt_in_audience_holds_the_signup_pending_until_confirmed(mailchimp, mailchimp_emulator):
    action = setup(mailchimp, mailchimp_emulator, double_optin=True)
    _, page = post(action, {"EMAIL": "cat@x.org", "PERSONA": "learners"})
    assert "We need to confirm your email address" in page
    assert member(mailchimp, "cat@x.org")["status"] == "pending"
    assert mailchimp_emulator.confirm_signup(mailchimp.list_id, "cat@x.org")["status"] == "subscribed"
    cat = member(mailchimp, "cat@x.org")
    assert cat["status"] == "subscribed" and cat["timestamp_opt"] and cat["merge_fields"]["PERSONA"] == "learners"


def test_an_unknown_form_is_not_found(mailchimp, mailchimp_emulator):
    action = setup(mailchimp, mailchimp_emulator).replace("id=", "id=0")
    try:
        post(action, {"EMAIL": "dan@x.org"})
    except urllib.error.HTTPError as exc:
        assert exc.code == 404
    else:
        raise AssertionError("an unknown audience's form answered")
