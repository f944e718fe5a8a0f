"""Mailchimp's unkind behaviours, each off until asked for: canceled and lagging sends, lagging segments, the send
gates, DD/MM birthdays; and what Mailchimp does by default (segment-member filters, member_id, its own footer)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import requests

from test_emulator_campaigns import H, campaign, member, refused, segment


def sent_to(mc, cid) -> list[str]:
    return sorted(r["email_address"] for r in mc.call("reports.get_campaign_recipients", cid, count=1000)["sent_to"])


def three(mc) -> int:
    for name in ("a", "b", "c"):
        member(mc, f"{name}@example.org")
    return campaign(mc, segment(mc, "s", ["a@example.org", "b@example.org", "c@example.org"]))


def test_everything_is_kind_until_asked(mailchimp_emulator):
    assert mailchimp_emulator.behaviours.describe() == {"cancel_after": None, "send_lag_reads": 0, "segment_lag": 0,
                                                        "unverified_domain": False, "daily_send_cap": None}


def test_a_send_canceled_part_way_reaches_only_some_and_says_canceled(mailchimp, mailchimp_emulator):
    mailchimp_emulator.set_behaviours(cancel_after=1)
    cid = three(mailchimp)
    mailchimp.call("campaigns.send", cid)
    got = mailchimp.call("campaigns.get", cid)
    assert (got["status"], got["emails_sent"]) == ("canceled", 1)
    reached = [d["email_address"] for d in mailchimp_emulator.deliveries(cid)]
    assert len(reached) == 1 and sent_to(mailchimp, cid) == reached  # Mailchimp's record of who got it
    assert "canceled" in refused(mailchimp.call, "campaigns.send", cid).detail


def test_a_send_lags_reads_say_save_then_it_goes_and_can_be_canceled_meanwhile(mailchimp, mailchimp_emulator):
    mailchimp_emulator.set_behaviours(send_lag_reads=3)
    cid = three(mailchimp)
    assert mailchimp.call("campaigns.send", cid) is None  # accepted (204)
    listed = mailchimp.call("campaigns.list", list_id=mailchimp.list_id, count=10)["campaigns"]
    assert [c["status"] for c in listed] == ["save"]
    assert mailchimp.call("campaigns.get", cid)["status"] == "save"
    assert mailchimp_emulator.deliveries(cid) == []
    # Mailchimp knows better than its reads: a second send, or a delete, is refused while it goes.
    assert "sending" in refused(mailchimp.call, "campaigns.send", cid).detail
    assert refused(mailchimp.call, "campaigns.remove", cid).status == 400
    assert mailchimp.call("campaigns.get", cid)["status"] == "save"  # the third lagging read
    got = mailchimp.call("campaigns.get", cid)
    assert (got["status"], got["emails_sent"]) == ("sent", 3) and len(mailchimp_emulator.deliveries(cid)) == 3

    other = campaign(mailchimp, segment(mailchimp, "t", ["a@example.org"]), title="other")
    mailchimp.call("campaigns.send", other)
    assert mailchimp.call("campaigns.cancel_send", other) is None
    assert mailchimp.call("campaigns.get", other)["status"] == "canceled"
    assert mailchimp_emulator.deliveries(other) == [] and sent_to(mailchimp, other) == []
    assert refused(mailchimp.call, "campaigns.cancel_send", cid).status == 400  # already sent: nothing to stop


def test_segment_adds_show_late(mailchimp, mailchimp_emulator):
    mailchimp_emulator.set_behaviours(segment_lag=4)
    member(mailchimp, "a@example.org")
    seg = mailchimp.call("lists.create_segment", mailchimp.list_id, {"name": "s", "static_segment": []})["id"]
    added = mailchimp.call("lists.batch_segment_members", {"members_to_add": ["a@example.org"]}, mailchimp.list_id, seg)
    assert added["total_added"] == 1  # accepted ...
    cid = campaign(mailchimp, seg)  # (two requests)
    assert mailchimp.call("campaigns.get", cid)["recipients"]["recipient_count"] == 0  # ... not yet counted
    assert mailchimp.call("campaigns.get", cid)["recipients"]["recipient_count"] == 1
    members = mailchimp.call("lists.get_segment_members_list", mailchimp.list_id, str(seg))["members"]
    assert [m["email_address"] for m in members] == ["a@example.org"]


def test_a_dd_mm_birthday_field_takes_day_first(mailchimp):
    mailchimp.call("lists.add_list_merge_field", mailchimp.list_id,
                   {"tag": "DOB", "name": "Born", "type": "birthday", "options": {"date_format": "DD/MM"}})
    member(mailchimp, "a@example.org", DOB="25/12")
    assert mailchimp.call("lists.get_list_member", mailchimp.list_id, H("a@example.org"))["merge_fields"]["DOB"] == "25/12"
    err = refused(member, mailchimp, "b@example.org", DOB="12/25")
    assert err.errors == [{"field": "DOB", "message": "Please enter a month (01-12) and a day (01-31)"}]


def test_an_unverified_domain_fails_the_checklist_and_the_send(mailchimp, mailchimp_emulator):
    mailchimp_emulator.set_behaviours(unverified_domain=True)
    cid = three(mailchimp)
    checklist = mailchimp.call("campaigns.get_send_checklist", cid)
    assert checklist["is_ready"] is False
    assert [i["heading"] for i in checklist["items"] if i["type"] == "error"] == ["Domain verification"]
    err = refused(mailchimp.call, "campaigns.send", cid)
    assert (err.status, err.detail) == (400, "Your Campaign is not ready to send.")
    mailchimp_emulator.set_behaviours()
    mailchimp.call("campaigns.send", cid)
    assert len(mailchimp_emulator.deliveries(cid)) == 3


def test_a_daily_send_cap_refuses_a_send_past_it_until_a_day_has_gone(mailchimp, mailchimp_emulator):
    emu = mailchimp_emulator
    emu.set_clock(datetime(2027, 3, 1, 10, tzinfo=timezone.utc), frozen=True)
    emu.set_behaviours(daily_send_cap=3)
    cid = three(mailchimp)
    member(mailchimp, "z@example.org")
    mailchimp.call("campaigns.send", campaign(mailchimp, segment(mailchimp, "t", ["z@example.org"]), title="one"))
    err = refused(mailchimp.call, "campaigns.send", cid)
    assert err.status == 400 and "sending limit of 3" in err.detail and emu.deliveries(cid) == []
    mailchimp.call("campaigns.send", campaign(mailchimp, segment(mailchimp, "u", ["a@example.org", "b@example.org"]),
                                              title="two"))  # 1 + 2 fit
    emu.set_clock(datetime(2027, 3, 2, 10, 1, tzinfo=timezone.utc), frozen=True)
    mailchimp.call("campaigns.send", cid)
    assert len(emu.deliveries()) == 6


def test_segment_members_leave_out_unsubscribed_and_cleaned_unless_asked(mailchimp):
    for email, status in (("a@example.org", "subscribed"), ("u@example.org", "unsubscribed"),
                          ("c@example.org", "cleaned")):
        member(mailchimp, email, status=status)
    seg = segment(mailchimp, "s", ["a@example.org", "u@example.org", "c@example.org"])

    def read(**flags):
        found = mailchimp.call("lists.get_segment_members_list", mailchimp.list_id, str(seg), **flags)["members"]
        return sorted(m["email_address"] for m in found)

    assert read() == ["a@example.org"]
    assert read(include_unsubscribed=True, include_cleaned=True) == ["a@example.org", "c@example.org",
                                                                     "u@example.org"]


def test_the_campaign_list_filters_by_member(mailchimp):
    cid = three(mailchimp)
    mailchimp.call("campaigns.send", cid)
    campaign(mailchimp, segment(mailchimp, "t", ["a@example.org"]), title="unsent")
    ids = lambda who: [c["id"] for c in mailchimp.call("campaigns.list", member_id=H(who))["campaigns"]]  # noqa: E731
    assert ids("a@example.org") == [cid] and ids("nobody@example.org") == []


def test_content_without_unsub_is_sent_with_mailchimps_footer(mailchimp, mailchimp_emulator):
    member(mailchimp, "a@example.org")
    cid = campaign(mailchimp, segment(mailchimp, "s", ["a@example.org"]), html="<p>no footer</p>")
    checklist = mailchimp.call("campaigns.get_send_checklist", cid)
    assert checklist["is_ready"] is True
    assert [i["heading"] for i in checklist["items"] if i["type"] == "warning"] == ["Unsubscribe link"]
    mailchimp.call("campaigns.send", cid)
    (got,) = mailchimp_emulator.deliveries(cid)
    link = got["html"].split('href="')[1].split('"')[0].replace("&amp;", "&")
    assert requests.get(link, timeout=10).status_code == 200 and "Unsubscribe" in got["text"]


@pytest.mark.parametrize("kind, words", [("500-empty", "(empty response)"), ("502-html", "502 Bad Gateway")])
def test_a_5xx_without_mailchimps_body_is_one_line_and_retried(mailchimp, mailchimp_emulator, kind, words):
    mailchimp_emulator.set_faults(nth=[1], kind=kind)
    assert mailchimp.call("ping.get")["health_status"]  # retried
    mailchimp_emulator.set_faults(every=1, kind=kind)
    err = refused(mailchimp.call, "ping.get")
    assert words in str(err) and "\n" not in str(err) and "<" not in str(err)


def test_behaviours_are_set_over_http(mailchimp_emulator):
    url = mailchimp_emulator.base + "/_emulator/behaviours"
    put = requests.put(url, json={"cancel_after": 2, "unverified_domain": True}, timeout=10).json()
    assert put["cancel_after"] == 2 and put["unverified_domain"] is True
    bad = requests.put(url, json={"cancel_later": 2}, timeout=10)
    assert bad.status_code == 400 and "cancel_later" in bad.json()["detail"]
    assert requests.delete(url, timeout=10).json()["cancel_after"] is None
