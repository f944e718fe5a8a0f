"""Segments, campaigns, the send checklist, sends and deliveries, schedules, templates, reports, batches."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from datetime import datetime, timedelta, timezone

import pytest
import requests

from mailchimp.fixtures import connect
from welcome_gen.mailchimp.client import Mailchimp, MailchimpError
from welcome_gen.emulator import Emulator

H = Mailchimp.subscriber_hash
HTML = ("<p>*|IF:FNAME|*Hi *|FNAME|*,*|ELSE:|*Hello friend,*|END:IF|*</p><p>Sent to *|EMAIL|*.</p>"
        "<footer>*|LIST:ADDRESS|* <a href=\"*|UNSUB|*\">Unsubscribe</a></footer>")


def member(mc, email, status="subscribed", **fields):
    mc.call("lists.set_list_member", mc.list_id, H(email),
            {"email_address": email, "status_if_new": status, "merge_fields": fields})


def segment(mc, name, emails):
    seg = mc.call("lists.create_segment", mc.list_id, {"name": name, "static_segment": []})
    if emails:
        mc.call("lists.batch_segment_members", {"members_to_add": emails}, mc.list_id, seg["id"])
    return seg["id"]


def campaign(mc, seg_id, *, subject="Welcome, *|IF:FNAME|**|FNAME|**|ELSE:|*friend*|END:IF|*", html=HTML, **settings):
    body = {"type": "regular", "recipients": {"list_id": mc.list_id, "segment_opts": {"saved_segment_id": seg_id}},
            "settings": {"subject_line": subject, "title": "wg:welcome:1", "from_name": "Ada",
                         "reply_to": "hi@example.org", **settings}}
    cid = mc.call("campaigns.create", body)["id"]
    if html is not None:
        mc.call("campaigns.set_content", cid, {"html": html})
    return cid


def refused(call, *args, **kwargs) -> MailchimpError:
    with pytest.raises(MailchimpError) as info:
        call(*args, **kwargs)
    return info.value


def test_send_delivers_to_subscribed_segment_members_with_their_merge_tags(mailchimp, mailchimp_emulator):
    member(mailchimp, "ann@example.org", FNAME="Ann <Lee>")
    member(mailchimp, "bo@example.org")
    for status in ("unsubscribed", "cleaned", "pending"):
        member(mailchimp, f"{status}@example.org", status=status, FNAME="X")
    member(mailchimp, "other@example.org", FNAME="Not in the segment")
    emails = ["ann@example.org", "bo@example.org", "unsubscribed@example.org", "cleaned@example.org",
              "pending@example.org"]
    cid = campaign(mailchimp, segment(mailchimp, "wg:welcome:1", emails))
    assert mailchimp.call("campaigns.get", cid)["recipients"]["recipient_count"] == 2
    assert mailchimp.call("campaigns.send", cid) is None  # 204
    got = {d["email_address"]: d for d in mailchimp_emulator.deliveries(cid)}
    assert set(got) == {"ann@example.org", "bo@example.org"}
    ann, bo = got["ann@example.org"], got["bo@example.org"]
    assert ann["subject"] == "Welcome, Ann <Lee>" and bo["subject"] == "Welcome, friend"
    assert "<p>Hi Ann &lt;Lee&gt;,</p><p>Sent to ann@example.org.</p>" in ann["html"]
    assert "Hello friend," in bo["html"] and "Hello friend," in bo["text"]
    assert "Test Shop  1 Road  Bristol  BS1 1AA  GB" in ann["html"]
    assert (ann["campaign_id"], ann["campaign_title"], ann["list_id"]) == (cid, "wg:welcome:1", mailchimp.list_id)
    assert ann["time"] and "*|" not in ann["html"] + ann["text"] + ann["subject"]
    sent = mailchimp.call("campaigns.get", cid)
    assert (sent["status"], sent["emails_sent"]) == ("sent", 2)


def test_tags_mailchimp_computes_are_filled_on_the_day_it_sends(mailchimp_spec):
    with Emulator(spec=mailchimp_spec, clock=lambda: datetime(2027, 3, 7, 9, tzinfo=timezone.utc)) as emu:
        mc = connect(emu)
        member(mc, "al@example.org", FNAME="Al")
        cid = campaign(mc, segment(mc, "s", ["al@example.org"]), subject="Your *|DATE:F|* gift, *|UPPER:FNAME|*",
                       html="<p>Until *|DATE:j F Y|*.</p>" + HTML)
        mc.call("campaigns.send", cid)
        (got,) = emu.deliveries(cid)
    assert got["subject"] == "Your March gift, AL" and "<p>Until 7 March 2027.</p>" in got["html"]


def test_unsubscribe_link_of_a_delivery_works(mailchimp, mailchimp_emulator):
    member(mailchimp, "cy@example.org")
    cid = campaign(mailchimp, segment(mailchimp, "s", ["cy@example.org"]))
    mailchimp.call("campaigns.send", cid)
    link = mailchimp_emulator.deliveries(cid)[0]["html"].split('href="')[1].split('"')[0].replace("&amp;", "&")
    assert requests.get(link, timeout=10).status_code == 200
    assert mailchimp.call("lists.get_list_member", mailchimp.list_id, H("cy@example.org"))["status"] == "unsubscribed"


def test_second_send_is_refused_and_delivers_nothing_more(mailchimp, mailchimp_emulator):
    member(mailchimp, "di@example.org")
    cid = campaign(mailchimp, segment(mailchimp, "s", ["di@example.org"]))
    mailchimp.call("campaigns.send", cid, idempotent=False)
    err = refused(mailchimp.call, "campaigns.send", cid)
    assert err.status == 400 and "sent" in err.detail
    assert len(mailchimp_emulator.deliveries(cid)) == 1


def test_status_reads_sending_for_a_while(mailchimp_spec):
    with Emulator(spec=mailchimp_spec, sending_reads=2) as emu:
        mc = connect(emu)
        member(mc, "ed@example.org")
        cid = campaign(mc, segment(mc, "s", ["ed@example.org"]))
        assert mc.call("campaigns.get", cid)["status"] == "save"
        mc.call("campaigns.send", cid)
        assert [mc.call("campaigns.get", cid)["status"] for _ in range(3)] == ["sending", "sending", "sent"]


@pytest.mark.parametrize("change, heading", [
    ({"subject": ""}, "Subject line"),
    ({"from_name": ""}, "From name"),
    ({"reply_to": ""}, "From email address"),
    ({"html": None}, "Content"),
    ({"html": "*|UNSUB|* *|IF:FNAME|*open"}, "Merge tags"),
    ({"emails": []}, "Audience"),
    ({"emails": ["gone@example.org"]}, "Audience"),
])
def test_send_checklist_names_what_is_missing(mailchimp, change, heading):
    member(mailchimp, "fi@example.org")
    member(mailchimp, "gone@example.org", status="unsubscribed")
    seg = segment(mailchimp, "s", change.pop("emails", ["fi@example.org"]))
    cid = campaign(mailchimp, seg, **change)
    checklist = mailchimp.call("campaigns.get_send_checklist", cid)
    assert checklist["is_ready"] is False
    assert [i["heading"] for i in checklist["items"] if i["type"] == "error"] == [heading]
    err = refused(mailchimp.call, "campaigns.send", cid)
    assert (err.status, err.detail) == (400, "Your Campaign is not ready to send.")


def test_campaign_list_get_update_delete(mailchimp):
    member(mailchimp, "gus@example.org")
    seg = segment(mailchimp, "s", ["gus@example.org"])
    cid = campaign(mailchimp, seg)
    listed = mailchimp.call("campaigns.list", list_id=mailchimp.list_id, status="save", count=1000,
                            fields=["campaigns.id", "campaigns.status", "campaigns.settings.title", "total_items"])
    assert listed == {"campaigns": [{"id": cid, "status": "save", "settings": {"title": "wg:welcome:1"}}],
                      "total_items": 1}
    mailchimp.call("campaigns.update", cid, {"settings": {"subject_line": "New", "title": "t2", "from_name": "Ada",
                                                          "reply_to": "hi@example.org"}})
    assert mailchimp.call("campaigns.get", cid)["settings"]["subject_line"] == "New"
    assert mailchimp.call("campaigns.get_content", cid)["plain_text"].startswith("*|IF:FNAME|*Hi")
    mailchimp.call("campaigns.remove", cid)
    assert refused(mailchimp.call, "campaigns.get", cid).status == 404


def test_schedule_on_the_quarter_hour_then_sent_when_due(mailchimp_spec):
    now = [datetime(2027, 3, 1, 9, 7, tzinfo=timezone.utc)]
    with Emulator(spec=mailchimp_spec, clock=lambda: now[0]) as emu:
        mc = connect(emu)
        member(mc, "hal@example.org", FNAME="Hal")
        cid = campaign(mc, segment(mc, "s", ["hal@example.org"]))
        err = refused(mc.call, "campaigns.schedule", cid, {"schedule_time": "2027-03-01T09:20:00+00:00"})
        assert err.status == 400 and "quarter-hour" in err.detail
        assert "past" in refused(mc.call, "campaigns.schedule", cid, {"schedule_time": "2027-03-01T09:00:00Z"}).detail
        mc.call("campaigns.schedule", cid, {"schedule_time": "2027-03-01T09:15:00+00:00"})
        assert mc.call("campaigns.get", cid)["status"] == "schedule" and not emu.deliveries()
        now[0] += timedelta(minutes=10)
        assert mc.call("campaigns.get", cid)["status"] == "sent"
        assert [d["subject"] for d in emu.deliveries(cid)] == ["Welcome, Hal"]
        assert not emu.unexpected_rejections()


def test_unschedule(mailchimp):
    member(mailchimp, "ivy@example.org")
    cid = campaign(mailchimp, segment(mailchimp, "s", ["ivy@example.org"]))
    mailchimp.call("campaigns.schedule", cid, {"schedule_time": "2999-01-01T00:00:00+00:00"})
    mailchimp.call("campaigns.unschedule", cid)
    assert mailchimp.call("campaigns.get", cid)["status"] == "save"


def test_static_segments(mailchimp):
    for name in ("jo", "kit", "lu"):
        member(mailchimp, f"{name}@example.org")
    seg = segment(mailchimp, "wg:welcome:1", [])
    out = mailchimp.call("lists.batch_segment_members",
                         {"members_to_add": ["jo@example.org", "kit@example.org", "nobody@example.org"]},
                         mailchimp.list_id, seg)
    assert (out["total_added"], out["error_count"]) == (2, 1)
    assert out["errors"] == [{"email_addresses": ["nobody@example.org"], "error": "Email addresses do not belong to list"}]
    again = mailchimp.call("lists.batch_segment_members", {"members_to_add": ["jo@example.org"],
                                                            "members_to_remove": ["kit@example.org"]},
                           mailchimp.list_id, seg)
    assert (again["total_added"], again["total_removed"]) == (0, 1)
    mailchimp.call("lists.create_segment_member", mailchimp.list_id, seg, {"email_address": "lu@example.org"})
    members = mailchimp.call("lists.get_segment_members_list", mailchimp.list_id, seg)
    assert sorted(m["email_address"] for m in members["members"]) == ["jo@example.org", "lu@example.org"]
    assert mailchimp.call("lists.get_segment", mailchimp.list_id, seg)["member_count"] == 2
    dup = refused(mailchimp.call, "lists.create_segment", mailchimp.list_id, {"name": "wg:welcome:1", "static_segment": []})
    assert dup.status == 400
    tags = mailchimp.call("lists.get_list_member", mailchimp.list_id, H("jo@example.org"))["tags"]
    assert [t["name"] for t in tags] == ["wg:welcome:1"]
    mailchimp.call("lists.remove_segment_member", mailchimp.list_id, seg, H("lu@example.org"))
    mailchimp.call("lists.delete_segment", mailchimp.list_id, seg)
    assert mailchimp.call("lists.list_segments", mailchimp.list_id)["total_items"] == 0


def test_more_than_500_segment_members_at_once_is_refused(mailchimp, mailchimp_emulator):
    seg = segment(mailchimp, "s", [])
    with mailchimp_emulator.expect_rejections():  # the spec caps it too, where present
        err = refused(mailchimp.call, "lists.batch_segment_members",
                      {"members_to_add": [f"m{n}@example.org" for n in range(501)]}, mailchimp.list_id, seg)
    assert err.status == 400 and err.errors[0]["field"] == "members_to_add"


def test_template_becomes_campaign_content(mailchimp, mailchimp_emulator):
    member(mailchimp, "mo@example.org", FNAME="Mo")
    tpl = mailchimp.call("templates.create", {"name": "welcome", "html": "<p>Hey *|FNAME|*</p>*|UNSUB|*"})
    assert mailchimp.call("templates.get_template", tpl["id"])["name"] == "welcome"
    assert mailchimp.call("templates.list", count=10)["total_items"] == 1
    cid = campaign(mailchimp, segment(mailchimp, "s", ["mo@example.org"]), html=None, template_id=tpl["id"])
    mailchimp.call("campaigns.send", cid)
    assert mailchimp_emulator.deliveries(cid)[0]["html"].startswith("<p>Hey Mo</p>")


def test_reports_count_sends_opens_and_clicks(mailchimp, mailchimp_emulator):
    for name in ("ned", "ola"):
        member(mailchimp, f"{name}@example.org")
    cid = campaign(mailchimp, segment(mailchimp, "s", ["ned@example.org", "ola@example.org"]))
    mailchimp.call("campaigns.send", cid)
    mailchimp_emulator.add_open(cid, "ned@example.org")
    requests.post(f"{mailchimp_emulator.base}/_emulator/opens", json={"campaign_id": cid, "email_address": "ned@example.org"},
                  timeout=10).raise_for_status()
    requests.post(f"{mailchimp_emulator.base}/_emulator/clicks", timeout=10,
                  json={"campaign_id": cid, "email_address": "ola@example.org", "url": "https://example.org/a"}).raise_for_status()
    bad = requests.post(f"{mailchimp_emulator.base}/_emulator/opens", json={"campaign_id": cid,
                        "email_address": "stranger@example.org"}, timeout=10)
    assert bad.status_code == 400
    report = mailchimp.call("reports.get_campaign_report", cid)
    assert report["emails_sent"] == 2 and report["campaign_title"] == "wg:welcome:1"
    assert (report["opens"]["opens_total"], report["opens"]["unique_opens"], report["opens"]["open_rate"]) == (2, 1, 0.5)
    assert (report["clicks"]["clicks_total"], report["clicks"]["unique_subscriber_clicks"]) == (1, 1)
    sent_to = mailchimp.call("reports.get_campaign_recipients", cid)
    assert {r["email_address"]: r["open_count"] for r in sent_to["sent_to"]} == {"ned@example.org": 2, "ola@example.org": 0}
    opens = mailchimp.call("reports.get_campaign_open_details", cid)
    assert opens["total_opens"] == 2 and opens["members"][0]["email_address"] == "ned@example.org"
    clicks = mailchimp.call("reports.get_campaign_click_details", cid)
    assert clicks["urls_clicked"][0]["url"] == "https://example.org/a"
    assert mailchimp.call("reports.get_all_campaign_reports")["total_items"] == 1


def test_batches_run_operations_and_serve_results(mailchimp, mailchimp_emulator):
    ops = [{"method": "PUT", "path": f"/lists/{mailchimp.list_id}/members/{H(e)}", "operation_id": e,
            "body": json.dumps({"email_address": e, "status_if_new": "subscribed"})}
           for e in ("pa@example.org", "qi@example.org")]
    ops.append({"method": "GET", "path": "/lists/nope", "operation_id": "missing"})
    started = mailchimp.call("batches.start", {"operations": ops})
    assert started["status"] == "pending"
    done = mailchimp.call("batches.status", started["id"])
    assert (done["status"], done["total_operations"], done["errored_operations"]) == ("finished", 3, 1)
    archive = requests.get(done["response_body_url"], timeout=10).content
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        rows = [row for m in tar.getmembers() if m.isfile() for row in json.load(tar.extractfile(m))]
    assert {r["operation_id"]: r["status_code"] for r in rows} == {"pa@example.org": 200, "qi@example.org": 200,
                                                                   "missing": 404}
    assert mailchimp.call("lists.get_list_members_info", mailchimp.list_id)["total_items"] == 2
    assert gzip.decompress(archive)  # a real gzip stream


def test_journey_trigger_is_recorded(mailchimp, mailchimp_emulator):
    member(mailchimp, "ru@example.org")
    mailchimp.call("customerJourneys.trigger", 7, 12, {"email_address": "ru@example.org"})
    triggers = requests.get(f"{mailchimp_emulator.base}/_emulator/journeys", timeout=10).json()["triggers"]
    assert [(t["journey_id"], t["step_id"], t["email_address"]) for t in triggers] == [("7", "12", "ru@example.org")]
    assert refused(mailchimp.call, "customerJourneys.trigger", 7, 12, {"email_address": "x@example.org"}).status == 400


def test_campaign_folders_file_campaigns(mailchimp):
    folder = mailchimp.call("campaignFolders.create", {"name": "welcome-gen"})
    assert mailchimp.call("campaignFolders.list")["folders"] == [{"id": folder["id"], "name": "welcome-gen", "count": 0}]
    member(mailchimp, "su@example.org")
    cid = campaign(mailchimp, segment(mailchimp, "s", ["su@example.org"]), folder_id=folder["id"])
    campaign(mailchimp, segment(mailchimp, "t", ["su@example.org"]))
    filed = mailchimp.call("campaigns.list", folder_id=folder["id"])
    assert [c["id"] for c in filed["campaigns"]] == [cid]
    assert mailchimp.call("campaignFolders.get", folder["id"])["count"] == 1
    mailchimp.call("campaignFolders.remove", folder["id"])
    assert mailchimp.call("campaigns.get", cid)["settings"]["folder_id"] == ""


def test_template_default_content_gives_its_editable_sections(mailchimp):
    tpl = mailchimp.call("templates.create", {"name": "t", "html": '<div mc:edit="body"><p>Hi</p></div>*|UNSUB|*'})
    assert mailchimp.call("templates.get_default_content_for_template", str(tpl["id"]))["sections"] == {"body": "<p>Hi</p>"}


def test_unsubscribes_and_bounces_count_in_the_campaign_report(mailchimp, mailchimp_emulator):
    emu = mailchimp_emulator
    for name in ("ira", "jo", "kim", "lu"):
        member(mailchimp, f"{name}@example.org")
    cid = campaign(mailchimp, segment(mailchimp, "s", [f"{n}@example.org" for n in ("ira", "jo", "kim", "lu")]))
    mailchimp.call("campaigns.send", cid)
    link = emu.deliveries(cid, "ira@example.org")[0]["html"].split('href="')[1].split('"')[0].replace("&amp;", "&")
    assert requests.get(link, timeout=10).status_code == 200
    assert requests.get(link, timeout=10).status_code == 200  # a second visit counts no second unsubscribe
    left = requests.post(f"{emu.base}/_emulator/unsubscribes", timeout=10,
                         json={"campaign_id": cid, "email_address": "jo@example.org"})
    assert left.status_code == 200 and left.json()["type"] == "unsubscribe"
    assert emu.add_bounce(cid, "kim@example.org")["type"] == "hard_bounce"
    assert emu.add_unsubscribe(cid, "kim@example.org") is None  # cleaned, so not counted as unsubscribed
    emu.add_open(cid, "lu@example.org")
    stranger = requests.post(f"{emu.base}/_emulator/bounces", timeout=10,
                             json={"campaign_id": cid, "email_address": "stranger@example.org"})
    assert stranger.status_code == 400
    report = mailchimp.call("reports.get_campaign_report", cid)
    assert (report["emails_sent"], report["unsubscribed"], report["bounces"]["hard_bounces"]) == (4, 2, 1)
    assert report["opens"]["open_rate"] == 1 / 3  # of the three delivered
    status = {n: mailchimp.call("lists.get_list_member", mailchimp.list_id, H(f"{n}@example.org"))["status"]
              for n in ("ira", "jo", "kim", "lu")}
    assert status == {"ira": "unsubscribed", "jo": "unsubscribed", "kim": "cleaned", "lu": "subscribed"}
    ira = mailchimp.call("lists.get_list_member", mailchimp.list_id, H("ira@example.org"))
    assert ira["unsubscribe_reason"] == "Unsubscribed from a campaign"
    sent_to = mailchimp.call("reports.get_campaign_recipients", cid)["sent_to"]
    assert {r["email_address"]: r["status"] for r in sent_to}["kim@example.org"] == "hard"
