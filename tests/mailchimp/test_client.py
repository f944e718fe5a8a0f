"""The gateway's settings, its error type and its helpers, against the emulator."""

from __future__ import annotations

import pytest

from mailchimp.fixtures import FAST
from welcome_gen.errors import ExitCode, WelcomeGenError
from welcome_gen.mailchimp.client import Mailchimp, MailchimpConfigError, MailchimpError


def test_from_env_reads_key_url_and_list(mailchimp_env):
    mc = Mailchimp.from_env(config_audience_id="from-welcome-yaml")
    assert mc.url == mailchimp_env["MAILCHIMP_API_URL"] and mc.list_id == mailchimp_env["MAILCHIMP_LIST_ID"]
    assert mc.retry.base_delay == 0.001
    assert mc.call("ping.get") == {"health_status": "Everything's Chimpy!"}


def test_from_env_defaults():
    mc = Mailchimp.from_env("abc123", env={"MAILCHIMP_API_KEY": ("0123456789abcdef" + "0123456789abcdef-us6")})
    assert (mc.url, mc.server, mc.list_id) == ("https://us6.api.mailchimp.com/3.0", "us6", "abc123")
    assert Mailchimp.from_env(env={"MAILCHIMP_API_KEY": "nodash"}, config_server="us2").server == "us2"


@pytest.mark.parametrize("env, message", [
    ({}, "MAILCHIMP_API_KEY is not set"),
    ({"MAILCHIMP_API_KEY": "nodash"}, "data-centre suffix"),
    ({"MAILCHIMP_API_KEY": "k-us1", "MAILCHIMP_API_URL": "http://myserver:80/3.0"}, "must not contain"),
])
def test_bad_settings_are_usage_errors(env, message):
    with pytest.raises(MailchimpConfigError, match=message) as info:
        Mailchimp.from_env(env=env)
    assert info.value.exit_code == ExitCode.USAGE


def test_errors_carry_mailchimp_title_detail_and_fields(mailchimp):
    with pytest.raises(MailchimpError) as info:
        mailchimp.call("lists.set_list_member", mailchimp.list_id, Mailchimp.subscriber_hash("a@example.org"),
                       {"email_address": "a@example.org", "status_if_new": "subscribed",
                        "merge_fields": {"BIRTHDAY": "31/12"}})
    err = info.value
    assert isinstance(err, WelcomeGenError) and err.exit_code == ExitCode.MAILCHIMP
    assert (err.status, err.title, err.detail) == (400, "Invalid Resource", "Your merge fields were invalid.")
    assert str(err) == ("Mailchimp lists.set_list_member: 400 Invalid Resource: Your merge fields were invalid. "
                        "(BIRTHDAY: Please enter a month (01-12) and a day (01-31))")


def test_an_empty_error_body_becomes_an_error_not_a_return_value(mailchimp, mailchimp_emulator):
    # The client returns a requests.Response for a body-less 403; the gateway must not pass it on as data.
    mailchimp_emulator.set_faults(every=1, kind="403")
    with pytest.raises(MailchimpError) as info:
        mailchimp.call("lists.get_list", mailchimp.list_id)
    assert info.value.status == 403 and "empty response" in str(info.value)


def test_no_content_is_none(mailchimp):
    h = Mailchimp.subscriber_hash("b@example.org")
    mailchimp.call("lists.set_list_member", mailchimp.list_id, h, {"email_address": "b@example.org", "status_if_new": "subscribed"})
    assert mailchimp.call("lists.update_list_member_tags", mailchimp.list_id, h, {"tags": [{"name": "t", "status": "active"}]}) is None


def test_unknown_calls_are_programming_errors(mailchimp):
    with pytest.raises(AttributeError, match="no call 'lists.nope'"):
        mailchimp.call("lists.nope")


def test_map_keeps_order_and_can_collect_failures(mailchimp):
    found = mailchimp.map(lambda lid: mailchimp.call("lists.get_list", lid)["id"], [mailchimp.list_id] * 3)
    assert found == [mailchimp.list_id] * 3
    mixed = mailchimp.map(lambda lid: mailchimp.call("lists.get_list", lid)["id"], [mailchimp.list_id, "missing"],
                          return_exceptions=True)
    assert mixed[0] == mailchimp.list_id and isinstance(mixed[1], MailchimpError) and mixed[1].status == 404
    with pytest.raises(MailchimpError):
        mailchimp.map(lambda lid: mailchimp.call("lists.get_list", lid), ["missing"])


def test_calls_are_counted(mailchimp_emulator):
    mc = Mailchimp(mailchimp_emulator.api_key, url=mailchimp_emulator.url, retry=FAST)
    mailchimp_emulator.set_faults(nth=[2], kind="503")
    for _ in range(3):
        mc.call("ping.get")
    assert (mc.calls, mc.retries) == (4, 1)
