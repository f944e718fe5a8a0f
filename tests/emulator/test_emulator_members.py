"""Members, merge fields, interests, tags and events, through the real client over HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import requests

from mailchimp.fixtures import connect
from welcome_gen.mailchimp.client import Mailchimp, MailchimpError
from welcome_gen.emulator import Emulator

H = Mailchimp.subscriber_hash


def put(mc, email, status_if_new="subscribed", **body):
    return mc.call("lists.set_list_member", mc.list_id, H(email),
                   {"email_address": email, "status_if_new": status_if_new, **body})


def refused(call, *args, **kwargs) -> MailchimpError:
    with pytest.raises(MailchimpError) as info:
        call(*args, **kwargs)
    return info.value


def test_upsert_uses_status_if_new_only_for_new_members(mailchimp):
    first = put(mailchimp, "ann@example.org", merge_fields={"FNAME": "Ann"})
    assert first["status"] == "subscribed" and first["id"] == H("ann@example.org")
    assert first["timestamp_opt"] and first["last_changed"]
    mailchimp.call("lists.update_list_member", mailchimp.list_id, H("ann@example.org"), {"status": "unsubscribed"})
    again = put(mailchimp, "ann@example.org", merge_fields={"LNAME": "Lee"})
    assert again["status"] == "unsubscribed"  # a re-run never resubscribes
    assert again["merge_fields"]["FNAME"] == "Ann" and again["merge_fields"]["LNAME"] == "Lee"
    assert again["full_name"] == "Ann Lee"


def test_post_of_an_existing_member_is_member_exists(mailchimp):
    body = {"email_address": "bo@example.org", "status": "subscribed"}
    mailchimp.call("lists.add_list_member", mailchimp.list_id, body)
    err = refused(mailchimp.call, "lists.add_list_member", mailchimp.list_id, body)
    assert (err.status, err.title) == (400, "Member Exists")
    assert "bo@example.org is already a list member" in err.detail


@pytest.mark.parametrize("old", ["unsubscribed", "cleaned"])
def test_resubscribing_is_member_in_compliance_state(mailchimp, old):
    put(mailchimp, "cy@example.org", status_if_new=old)
    err = refused(put, mailchimp, "cy@example.org", status="subscribed")
    assert (err.status, err.title) == (400, "Member In Compliance State")
    assert mailchimp.call("lists.get_list_member", mailchimp.list_id, H("cy@example.org"))["status"] == old


def test_pending_re_confirmation_of_an_unsubscribed_member_is_allowed(mailchimp):
    put(mailchimp, "di@example.org", status_if_new="unsubscribed")
    assert put(mailchimp, "di@example.org", status="pending")["status"] == "pending"


@pytest.mark.parametrize("value, ok", [("02/29", True), ("12/31", True), ("1990-05-04", False), ("13/01", False),
                                       ("04/31", False), ("4/5", False)])
def test_birthday_must_be_mm_dd(mailchimp, value, ok):
    if ok:
        assert put(mailchimp, "ed@example.org", merge_fields={"BIRTHDAY": value})["merge_fields"]["BIRTHDAY"] == value
        return
    err = refused(put, mailchimp, "ed@example.org", merge_fields={"BIRTHDAY": value})
    assert err.title == "Invalid Resource" and err.detail == "Your merge fields were invalid."
    assert err.errors == [{"field": "BIRTHDAY", "message": "Please enter a month (01-12) and a day (01-31)"}]


def test_merge_field_types_and_required(mailchimp):
    lid = mailchimp.list_id
    joined = mailchimp.call("lists.add_list_merge_field", lid, {"name": "Joined", "type": "date", "tag": "JOINED"})
    mailchimp.call("lists.add_list_merge_field", lid, {"name": "Visits", "type": "number", "tag": "VISITS"})
    mailchimp.call("lists.add_list_merge_field", lid, {"name": "Plan", "type": "dropdown", "tag": "PLAN",
                                                      "required": True, "options": {"choices": ["free", "pro"]}})
    assert joined["options"]["date_format"] == "MM/DD/YYYY"
    m = put(mailchimp, "fi@example.org", merge_fields={"JOINED": "05/04/2024", "VISITS": "3", "PLAN": "pro"})
    assert m["merge_fields"]["JOINED"] == "2024-05-04" and m["merge_fields"]["VISITS"] == 3
    err = refused(put, mailchimp, "gus@example.org", merge_fields={"VISITS": "many"})
    assert {e["field"]: e["message"] for e in err.errors} == {"VISITS": "Please enter a number",
                                                               "PLAN": "Please enter a value"}
    skipped = mailchimp.call("lists.set_list_member", lid, H("gus@example.org"),
                             {"email_address": "gus@example.org", "status_if_new": "subscribed"},
                             skip_merge_validation=True)
    assert skipped["merge_fields"]["PLAN"] == ""


def test_paging_and_status(mailchimp):
    for n in range(7):
        put(mailchimp, f"p{n}@example.org", status_if_new="subscribed" if n % 3 else "unsubscribed")
    page = mailchimp.call("lists.get_list_members_info", mailchimp.list_id, status="subscribed", count=3, offset=2)
    assert page["total_items"] == 4
    assert [m["email_address"] for m in page["members"]] == ["p4@example.org", "p5@example.org"]
    assert mailchimp.call("lists.get_list_members_info", mailchimp.list_id)["total_items"] == 7


def test_since_last_changed(mailchimp_spec):
    now = [datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)]
    with Emulator(spec=mailchimp_spec, clock=lambda: now[0]) as emu:
        mc = connect(emu)
        for name in ("a", "b", "c"):
            put(mc, f"{name}@example.org")
        now[0] += timedelta(hours=1)
        put(mc, "b@example.org", merge_fields={"FNAME": "Bea"})
        recent = mc.call("lists.get_list_members_info", mc.list_id, since_last_changed="2027-03-01T09:30:00+00:00")
        assert [m["email_address"] for m in recent["members"]] == ["b@example.org"]
        assert recent["members"][0]["last_changed"] == "2027-03-01T10:00:00+00:00"
        assert recent["members"][0]["timestamp_opt"] == "2027-03-01T09:00:00+00:00"
        assert not emu.unexpected_rejections()


def test_fields_and_exclude_fields_take_dot_paths(mailchimp):
    put(mailchimp, "hal@example.org", merge_fields={"FNAME": "Hal"})
    fields = ["members.id", "members.merge_fields.FNAME", "members.location.timezone", "total_items"]
    page = mailchimp.call("lists.get_list_members_info", mailchimp.list_id, count=1000, fields=fields)
    assert page == {"members": [{"id": H("hal@example.org"), "merge_fields": {"FNAME": "Hal"},
                                 "location": {"timezone": ""}}], "total_items": 1}
    one = mailchimp.call("lists.get_list_member", mailchimp.list_id, H("hal@example.org"),
                         exclude_fields=["merge_fields", "location", "stats", "tags"])
    assert "merge_fields" not in one and "location" not in one and one["email_address"] == "hal@example.org"
    assert {"timestamp_opt", "timestamp_signup", "last_changed", "interests", "status", "tags_count"} <= set(one)


def test_count_above_1000_is_refused(mailchimp_emulator, mailchimp, require_spec):
    # The client refuses count > 1000 itself, so this goes over plain HTTP.
    with mailchimp_emulator.expect_rejections():
        res = requests.get(f"{mailchimp_emulator.url}/lists/{mailchimp.list_id}/members", params={"count": 1001},
                           auth=("any", mailchimp_emulator.api_key), timeout=10)
    assert res.status_code == 400 and res.headers["Content-Type"].startswith("application/problem+json")
    assert res.json()["errors"] == [{"field": "count", "message": "1001 is greater than the maximum of 1000"}]


def test_archive_and_delete_permanently(mailchimp):
    put(mailchimp, "ivy@example.org")
    mailchimp.call("lists.delete_list_member", mailchimp.list_id, H("ivy@example.org"))
    assert mailchimp.call("lists.get_list_members_info", mailchimp.list_id)["total_items"] == 0
    assert put(mailchimp, "ivy@example.org")["status"] == "subscribed"  # an archived contact can come back
    mailchimp.call("lists.delete_list_member_permanent", mailchimp.list_id, H("ivy@example.org"))
    err = refused(put, mailchimp, "ivy@example.org")
    assert err.title == "Forgotten Email Not Subscribed"
    assert refused(mailchimp.call, "lists.get_list_member", mailchimp.list_id, H("ivy@example.org")).status == 404


def test_batch_subscribe(mailchimp):
    put(mailchimp, "old@example.org", merge_fields={"FNAME": "Old"})
    rows = [{"email_address": "old@example.org", "status": "subscribed", "merge_fields": {"FNAME": "Older"}},
            {"email_address": "new@example.org", "status": "subscribed"},
            {"email_address": "bad@example.org", "status": "subscribed", "merge_fields": {"BIRTHDAY": "1990-01-01"}}]
    out = mailchimp.call("lists.batch_list_members", mailchimp.list_id, {"members": rows})
    assert (out["total_created"], out["total_updated"], out["error_count"]) == (1, 0, 2)
    assert {e["error_code"] for e in out["errors"]} == {"ERROR_CONTACT_EXISTS", "ERROR_GENERIC"}
    assert [e["field"] for e in out["errors"] if e["error_code"] == "ERROR_GENERIC"] == ["BIRTHDAY"]
    out = mailchimp.call("lists.batch_list_members", mailchimp.list_id, {"members": rows[:1], "update_existing": True})
    assert out["total_updated"] == 1 and out["updated_members"][0]["merge_fields"]["FNAME"] == "Older"


def test_tags_show_on_members_capped_at_50_and_as_static_segments(mailchimp):
    put(mailchimp, "jo@example.org")
    tags = [{"name": f"t{n:02d}", "status": "active"} for n in range(55)]
    mailchimp.call("lists.update_list_member_tags", mailchimp.list_id, H("jo@example.org"), {"tags": tags})
    m = mailchimp.call("lists.get_list_member", mailchimp.list_id, H("jo@example.org"))
    assert m["tags_count"] == 55 and len(m["tags"]) == 50
    segments = mailchimp.call("lists.list_segments", mailchimp.list_id, type="static", count=1000)
    assert {s["name"] for s in segments["segments"]} == {t["name"] for t in tags}
    mailchimp.call("lists.update_list_member_tags", mailchimp.list_id, H("jo@example.org"),
                   {"tags": [{"name": "t00", "status": "inactive"}]})
    listed = mailchimp.call("lists.get_list_member_tags", mailchimp.list_id, H("jo@example.org"), count=100)
    assert listed["total_items"] == 54 and "t00" not in {t["name"] for t in listed["tags"]}


def test_add_with_tags_and_events(mailchimp):
    mailchimp.call("lists.add_list_member", mailchimp.list_id,
                   {"email_address": "kit@example.org", "status": "subscribed", "tags": ["vip"]})
    assert [t["name"] for t in mailchimp.call("lists.get_list_member", mailchimp.list_id, H("kit@example.org"))["tags"]] == ["vip"]
    mailchimp.call("lists.create_list_member_event", mailchimp.list_id, H("kit@example.org"),
                   {"name": "referred", "properties": {"friend": "lu@example.org"}})
    events = mailchimp.call("lists.get_list_member_events", mailchimp.list_id, H("kit@example.org"))
    assert events["events"][0]["name"] == "referred" and events["total_items"] == 1
    err = refused(mailchimp.call, "lists.create_list_member_event", mailchimp.list_id, H("kit@example.org"), {"name": "x"})
    assert err.errors[0]["field"] == "name"


def test_interest_categories_and_member_interests(mailchimp):
    lid = mailchimp.list_id
    cat = mailchimp.call("lists.create_list_interest_category", lid, {"title": "Persona", "type": "checkboxes"})
    makers = mailchimp.call("lists.create_interest_category_interest", lid, cat["id"], {"name": "Makers"})
    learners = mailchimp.call("lists.create_interest_category_interest", lid, cat["id"], {"name": "Learners"})
    m = put(mailchimp, "lu@example.org", interests={makers["id"]: True})
    assert m["interests"] == {makers["id"]: True, learners["id"]: False}
    listed = mailchimp.call("lists.list_interest_category_interests", lid, cat["id"])
    assert [i["name"] for i in listed["interests"]] == ["Makers", "Learners"]
    assert refused(put, mailchimp, "lu@example.org", interests={"nope": True}).title == "Invalid Resource"


def test_unknown_list_and_member_are_404(mailchimp):
    err = refused(mailchimp.call, "lists.get_list_member", "nolist", H("a@example.org"))
    assert (err.status, err.title) == (404, "Resource Not Found")
    assert refused(mailchimp.call, "lists.get_list_member", mailchimp.list_id, H("a@example.org")).status == 404
