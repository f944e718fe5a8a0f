"""Faults, the connection limit, authentication, the key's secrecy, and state that survives a restart."""

from __future__ import annotations

import json
import threading

import mailchimp_marketing
import pytest
import requests
from mailchimp_marketing.api_client import ApiClientError

from mailchimp.fixtures import AUDIENCE, FAST, connect
from welcome_gen.mailchimp.client import Mailchimp, MailchimpError, RetryPolicy
from welcome_gen.emulator import Emulator

H = Mailchimp.subscriber_hash
EMAILS = [f"m{n}@example.org" for n in range(12)]


def run_idempotent_sequence(mc):
    seg = mc.call("lists.create_segment", mc.list_id, {"name": "wg:welcome:1", "static_segment": []},
                  lookup=lambda: find_segment(mc, "wg:welcome:1"))
    for email in EMAILS:
        mc.call("lists.set_list_member", mc.list_id, H(email), {"email_address": email, "status_if_new": "subscribed"})
        mc.call("lists.update_list_member_tags", mc.list_id, H(email), {"tags": [{"name": "seen", "status": "active"}]})
    mc.call("lists.batch_segment_members", {"members_to_add": EMAILS}, mc.list_id, seg["id"], idempotent=True)
    return seg["id"]


def find_segment(mc, name):
    page = mc.call("lists.list_segments", mc.list_id, type="static", count=1000)
    return next((s for s in page["segments"] if s["name"] == name), None)


def assert_right_state(mc, seg_id):
    members = mc.call("lists.get_list_members_info", mc.list_id, count=1000, fields=["members.email_address",
                                                                                      "members.tags", "total_items"])
    assert sorted(m["email_address"] for m in members["members"]) == sorted(EMAILS)
    assert all(sorted(t["name"] for t in m["tags"]) == ["seen", "wg:welcome:1"] for m in members["members"])
    segments = mc.call("lists.list_segments", mc.list_id, type="static", count=1000)["segments"]
    assert sorted(s["name"] for s in segments) == ["seen", "wg:welcome:1"]
    assert mc.call("lists.get_segment", mc.list_id, seg_id)["member_count"] == len(EMAILS)


@pytest.mark.parametrize("kind, after", [("500", False), ("503", False), ("429", False), ("403", False),
                                         ("drop", False), ("500", True), ("drop", True)])
def test_every_third_call_failing_still_ends_in_the_right_state(mailchimp, mailchimp_emulator, kind, after):
    mailchimp_emulator.set_faults(every=3, kind=kind, after=after)
    seg_id = run_idempotent_sequence(mailchimp)
    mailchimp_emulator.clear_faults()
    assert_right_state(mailchimp, seg_id)
    assert mailchimp.retries > 0
    assert any(r.fault == kind for r in mailchimp_emulator.requests)


def test_a_lost_answer_to_a_create_is_looked_up_not_repeated(mailchimp, mailchimp_emulator):
    mailchimp_emulator.set_faults(nth=[1], kind="drop", after=True)  # created, but the answer never arrives
    body = {"name": "wg:welcome:2", "static_segment": []}
    seg = mailchimp.call("lists.create_segment", mailchimp.list_id, body,
                         lookup=lambda: find_segment(mailchimp, "wg:welcome:2"))
    assert seg["name"] == "wg:welcome:2"
    assert len(mailchimp.call("lists.list_segments", mailchimp.list_id)["segments"]) == 1


def test_a_non_idempotent_call_is_not_retried_blindly(mailchimp, mailchimp_emulator):
    mailchimp.call("lists.set_list_member", mailchimp.list_id, H("a@example.org"),
                   {"email_address": "a@example.org", "status_if_new": "subscribed"})
    calls = mailchimp.calls
    mailchimp_emulator.set_faults(nth=[1], kind="500", after=True)
    with pytest.raises(MailchimpError) as info:
        mailchimp.call("lists.create_segment", mailchimp.list_id, {"name": "x", "static_segment": []})
    assert info.value.status == 500 and mailchimp.calls == calls + 1
    assert len(mailchimp.call("lists.list_segments", mailchimp.list_id)["segments"]) == 1  # it did happen once


def test_a_throttled_non_idempotent_call_is_retried(mailchimp, mailchimp_emulator):
    mailchimp_emulator.set_faults(nth=[1, 2], kind="429")  # empty body: the client returns instead of raising
    seg = mailchimp.call("lists.create_segment", mailchimp.list_id, {"name": "y", "static_segment": []})
    assert seg["name"] == "y" and mailchimp.retries == 2


def test_retries_give_up_with_the_last_error(mailchimp, mailchimp_emulator):
    mailchimp_emulator.set_faults(every=1, kind="503")
    with pytest.raises(MailchimpError) as info:
        mailchimp.call("ping.get")
    assert (info.value.status, info.value.title) == (503, "Service Unavailable")
    assert mailchimp.calls - 1 == FAST.attempts  # one call made by the fixture, then every attempt


def test_more_than_ten_simultaneous_connections_get_429(mailchimp_emulator):
    auth = ("any", mailchimp_emulator.api_key)
    answers = []
    with mailchimp_emulator.hold():
        threads = [threading.Thread(target=lambda: answers.append(requests.get(f"{mailchimp_emulator.url}/ping",
                                                                               auth=auth, timeout=30).status_code))
                   for _ in range(10)]
        for t in threads:
            t.start()
        assert mailchimp_emulator.wait_in_flight(10)
        client = mailchimp_marketing.Client()
        client.set_config({"api_key": mailchimp_emulator.api_key, "server": "us0"})
        client.api_client.host = mailchimp_emulator.url
        with pytest.raises(ApiClientError) as info:
            client.ping.get()
    for t in threads:
        t.join()
    assert info.value.status_code == 429
    assert json.loads(info.value.text)["detail"] == "You have exceeded the limit of 10 simultaneous connections."
    assert answers == [200] * 10


def test_the_gateway_keeps_at_most_ten_calls_in_flight(mailchimp, mailchimp_emulator):
    mailchimp_emulator.set_faults(delay_ms=20)
    wide = Mailchimp(mailchimp_emulator.api_key, url=mailchimp_emulator.url, retry=FAST, max_in_flight=50)
    results = wide.map(lambda n: wide.call("ping.get"), range(40))
    assert len(results) == 40 and not any(r.status == 429 for r in mailchimp_emulator.requests)
    assert 1 < mailchimp_emulator.peak_in_flight <= 10


def test_slow_answers_and_the_timeout(mailchimp_emulator):
    mailchimp_emulator.set_faults(delay_ms=400)
    mc = Mailchimp(mailchimp_emulator.api_key, url=mailchimp_emulator.url, timeout=0.1,
                   retry=RetryPolicy(attempts=2, base_delay=0.001))
    with pytest.raises(MailchimpError) as info:
        mc.call("ping.get")
    assert info.value.status is None and info.value.title == "Timed out" and mc.calls == 2


def test_a_wrong_key_is_401_and_the_key_never_shows(mailchimp_emulator):
    secret = ("0123456789abcdef" + "0123456789abcdef-us0")
    mc = Mailchimp(secret, url=mailchimp_emulator.url, retry=FAST)
    with pytest.raises(MailchimpError) as info:
        mc.call("lists.get_all_lists")
    err = info.value
    assert (err.status, err.title, err.exit_code) == (401, "API Key Invalid", 3)
    assert secret not in str(err) and secret not in repr(vars(err)) and secret not in repr(mc)
    missing = requests.get(f"{mailchimp_emulator.url}/ping", timeout=10)
    assert missing.status_code == 401 and missing.json()["title"] == "API Key Missing"


@pytest.mark.parametrize("setup", ["refused", "timeout", "429", "validation"])
def test_the_key_is_in_no_error_text(mailchimp_emulator, setup):
    key = mailchimp_emulator.api_key
    url = mailchimp_emulator.url
    if setup == "refused":
        url = "http://127.0.0.1:9/3.0"  # nothing listens on the discard port
    mc = Mailchimp(key, url=url, retry=RetryPolicy(attempts=2, base_delay=0.001), timeout=0.2)
    if setup == "timeout":
        mailchimp_emulator.set_faults(delay_ms=500)
    if setup == "429":
        mailchimp_emulator.set_faults(every=1, kind="429")
    with pytest.raises(MailchimpError) as info, mailchimp_emulator.expect_rejections():
        if setup == "validation":
            mc.call("lists.set_list_member", "L", H("a@example.org"), {"email_address": key, "status_if_new": "no"})
        else:
            mc.call("ping.get")
    text = str(info.value) + repr(vars(info.value))
    assert key not in text and info.value.status in (None, 400, 429)


def test_state_survives_a_restart(tmp_path, mailchimp_spec):
    state = tmp_path / "state" / "mailchimp.json"
    with Emulator(spec=mailchimp_spec, state_file=state) as emu:
        mc = connect(emu)
        mc.call("lists.set_list_member", mc.list_id, H("zo@example.org"),
                {"email_address": "zo@example.org", "status_if_new": "subscribed", "merge_fields": {"FNAME": "Zo"}})
        seg = mc.call("lists.create_segment", mc.list_id, {"name": "s", "static_segment": ["zo@example.org"]})
        cid = mc.call("campaigns.create", {"type": "regular", "recipients": {"list_id": mc.list_id, "segment_opts":
                                           {"saved_segment_id": seg["id"]}},
                                           "settings": {"subject_line": "Hi", "from_name": "A", "reply_to": "a@example.org"}})["id"]
        mc.call("campaigns.set_content", cid, {"html": "<p>*|FNAME|*</p>*|UNSUB|*"})
        mc.call("campaigns.send", cid)
        list_id = mc.list_id
    assert [p.name for p in state.parent.iterdir()] == ["mailchimp.json"]  # no temporary file left behind
    with Emulator(spec=mailchimp_spec, state_file=state) as emu:
        mc = Mailchimp(emu.api_key, url=emu.url, retry=FAST)
        assert mc.call("lists.get_list_member", list_id, H("zo@example.org"))["merge_fields"]["FNAME"] == "Zo"
        assert mc.call("campaigns.get", cid)["status"] == "sent"
        assert [d["html"][:9] for d in emu.deliveries(cid)] == ["<p>Zo</p>"]
        assert mc.call("lists.get_all_lists")["lists"][0]["name"] == AUDIENCE["name"]
