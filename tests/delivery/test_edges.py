"""Edge cases of exactly-once delivery against the emulator, through the real client: a second tick in the same
hour, twin campaigns, overlapping ticks, long names, a campaign deleted or stuck in Mailchimp."""

from __future__ import annotations

from welcome_gen.delivery.tick import tick
from welcome_gen.delivery.push import push
from welcome_gen.mailchimp.client import Mailchimp

from mailchimp.fixtures import FAST

from helpers import outbox_of
from support import at, delivered, join, received


def test_a_member_due_at_a_second_tick_in_the_same_hour_is_sent_not_just_tagged(project, mailchimp, mailchimp_emulator,
                                                                               clock):
    push(project, outbox_of(project), mailchimp)
    join(mailchimp, "ann@x.org", at("2027-03-01 09:30"))
    clock.now = at("2027-03-01 10:05")
    assert tick(project, outbox_of(project), mailchimp, clock.now).delivered == 1
    # Bob joins after the hourly run; someone re-runs send in the same hour (after a failure, or by hand).
    join(mailchimp, "bob@x.org", at("2027-03-01 10:20"))
    clock.now = at("2027-03-01 10:35")
    report = tick(project, outbox_of(project), mailchimp, clock.now)
    assert received(mailchimp_emulator) == [("ann@x.org", "welcome:1"), ("bob@x.org", "welcome:1")]
    assert report.delivered == 1 and report.exit_code == 0


def test_a_twin_campaign_of_the_same_title_never_causes_a_second_send(project, mailchimp, mailchimp_emulator, clock):
    """Mailchimp does not keep titles unique: a run that overlapped, or a create whose lost answer was not found
    again, can leave an unsent twin beside the sent batch. The sent one is the record."""
    mc = mailchimp
    push(project, outbox_of(project), mc)
    join(mc, "ann@x.org", at("2027-03-01 09:30"))
    clock.now = at("2027-03-01 10:05")
    tick(project, outbox_of(project), mc, clock.now)
    title = "wg:welcome:1:default:2027030110"
    sent = mc.call("campaigns.list", count=100)["campaigns"][0]
    twin = mc.call("campaigns.create", {"type": "regular", "recipients": sent["recipients"],
                                        "settings": {**sent["settings"], "title": title}})
    mc.call("campaigns.set_content", twin["id"], {"html": "<p>Welcome *|UNSUB|*</p>"})
    # The run stopped after sending, before recording: ann has no record tag yet.
    mc.call("lists.update_list_member_tags", mc.list_id, mc.subscriber_hash("ann@x.org"),
            {"tags": [{"name": "wg:welcome:1", "status": "inactive"}]})
    for now in ("2027-03-01 10:35", "2027-03-01 11:05"):
        clock.now = at(now)
        report = tick(project, outbox_of(project), mc, clock.now)
        assert report.results == [], report.results
    assert delivered(mailchimp_emulator) == [("ann@x.org", title)]
    tags = mc.call("lists.get_list_member_tags", mc.list_id, mc.subscriber_hash("ann@x.org"))["tags"]
    assert "wg:welcome:1" in {t["name"] for t in tags}


def run_inside(emu, when, other):
    """Runs `other()` (a second `send`) inside the first run: just before the emulator serves the request that
    `when(method, path, body)` picks, once."""
    original, fired = emu.execute, []

    def execute(method, path, query, body, *args, **kwargs):
        if not fired and when(method, path, body):
            fired.append(None)  # once: the second run's own requests pass straight through
            fired[0] = other()
        return original(method, path, query, body, *args, **kwargs)

    emu.execute = execute
    return fired


def test_two_runs_at_once_send_each_member_once(project, mailchimp, mailchimp_emulator, clock):
    """The CI concurrency group keeps runs apart; a run by hand during the hourly one must still not send twice.
    The second run starts after the first made the batch's segment, before it made the campaign."""
    mc, emu = mailchimp, mailchimp_emulator
    push(project, outbox_of(project), mc)
    join(mc, "ann@x.org", at("2027-03-01 09:30"))
    clock.now = at("2027-03-01 10:05")
    other = Mailchimp(emu.api_key, url=emu.url, retry=FAST, timeout=10)
    other.list_id = mc.list_id
    fired = run_inside(emu, lambda method, path, body: method == "POST" and path == "/campaigns",
                       lambda: tick(project, outbox_of(project), other, at("2027-03-01 10:06")))
    first = tick(project, outbox_of(project), mc, clock.now)
    assert fired and fired[0].delivered == 1, [r.error for r in fired[0].results]
    clock.now = at("2027-03-01 10:35")
    tick(project, outbox_of(project), mc, clock.now)
    assert received(emu) == [("ann@x.org", "welcome:1")]
    assert first.exit_code == 0, first.results


def test_after_a_pause_an_old_sent_batch_is_tidied_not_taken_for_an_unsent_one(project, mailchimp, mailchimp_emulator,
                                                                              clock):
    """Sending paused for over a fortnight (CI switched off): the old batch's campaign is older than the campaigns
    a tick reads, but it was sent; it is tidied after checking records, not reported as an unsent batch removed."""
    push(project, outbox_of(project), mailchimp)
    join(mailchimp, "ann@x.org", at("2027-03-01 09:30"))
    clock.now = at("2027-03-01 10:05")
    tick(project, outbox_of(project), mailchimp, clock.now)
    clock.now = at("2027-03-17 10:05")
    report = tick(project, outbox_of(project), mailchimp, clock.now)
    assert report.removed == [] and report.tidied == 1
    assert received(mailchimp_emulator) == [("ann@x.org", "welcome:1")]


def test_a_record_beyond_the_fifty_tags_a_member_read_shows_still_counts(project, mailchimp, mailchimp_emulator,
                                                                        clock):
    """Mailchimp shows at most 50 tags per member in a list read; the record of a step may be the 51st."""
    mc = mailchimp
    push(project, outbox_of(project), mc)
    join(mc, "ann@x.org", at("2027-03-01 09:30"))
    h = mc.subscriber_hash("ann@x.org")
    mc.call("lists.update_list_member_tags", mc.list_id, h,
            {"tags": [{"name": f"interest-{i:02d}", "status": "active"} for i in range(50)]})
    clock.now = at("2027-03-01 10:05")
    tick(project, outbox_of(project), mc, clock.now)
    shown = mc.call("lists.get_list_member", mc.list_id, h)
    assert shown["tags_count"] == 52 and "wg:welcome:1" not in {t["name"] for t in shown["tags"]}
    clock.now = at("2027-03-01 11:05")
    assert tick(project, outbox_of(project), mc, clock.now).plan.empty
    assert received(mailchimp_emulator) == [("ann@x.org", "welcome:1")]
