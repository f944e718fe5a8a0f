"""Edge cases of exactly-once delivery against the emulator, through the real client: a second tick in the same
hour, twin campaigns, overlapping ticks, long names, a campaign deleted or stuck in Mailchimp."""

from __future__ import annotations

from welcome_gen.delivery.apply import tick
from welcome_gen.delivery.push import push

from support import at, delivered, join, received


def test_a_member_due_at_a_second_tick_in_the_same_hour_is_sent_not_just_tagged(project, mailchimp, mailchimp_emulator,
                                                                               clock):
    push(project, mailchimp)
    join(mailchimp, "ann@x.org", at("2027-03-01 09:30"))
    clock.now = at("2027-03-01 10:05")
    assert tick(project, mailchimp, clock.now).delivered == 1
    # Bob joins after the hourly run; someone re-runs send in the same hour (after a failure, or by hand).
    join(mailchimp, "bob@x.org", at("2027-03-01 10:20"))
    clock.now = at("2027-03-01 10:35")
    report = tick(project, mailchimp, clock.now)
    assert received(mailchimp_emulator) == [("ann@x.org", "welcome:1"), ("bob@x.org", "welcome:1")]
    assert report.delivered == 1 and report.exit_code == 0
