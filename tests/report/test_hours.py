"""When readers open: opens posted to the emulator at chosen times, read back from Mailchimp's open details and
counted by hour of each reader's own day, on the page and in report.json."""

from __future__ import annotations

import json

from welcome_gen.report import make_report
from welcome_gen.report.gather import gather
from welcome_gen.report.hours import most_opened_hours, read_opens
from welcome_gen.delivery.audience import read_members

from delivery.support import at


def test_opens_by_hour_of_the_readers_own_day(project, mailchimp, mailchimp_emulator, delivered, clock, tmp_path):
    # The fixture's opens were all at 12:00 UTC (noon in London). cat lives in New York: hers was at 07:00 there.
    mailchimp.call("lists.update_list_member", mailchimp.list_id, mailchimp.subscriber_hash("cat@x.org"),
                   {"merge_fields": {"TIMEZONE": "America/New_York"}})
    clock.now = at("2027-03-10 19:10")
    mailchimp_emulator.add_open(delivered.id("wg:welcome:story:default:"), "bob@x.org")
    out = tmp_path / "out"
    report = make_report(project, mailchimp, out, now=at("2027-03-11 09:00")).report
    hours = report.hours["welcome"]
    assert {h: n for h, n in enumerate(hours) if n} == {7: 1, 12: 5, 19: 1}
    page = (out / "index.html").read_text()
    assert 'id="seq-welcome-hours"' in page and "7 open(s), in each reader's own timezone; most at 12:00-13:00 (5)" in page
    assert json.loads((out / "report.json").read_text())["opens_by_hour"]["welcome"][12] == 5


def test_each_readers_most_opened_hour_once_they_have_opened_enough(project, mailchimp, mailchimp_emulator,
                                                                     delivered, clock):
    clock.now = at("2027-03-10 19:10")
    mailchimp_emulator.add_open(delivered.id("wg:welcome:story:default:"), "bob@x.org")
    members, _ = read_members(mailchimp, project)
    opens = read_opens(mailchimp, gather(mailchimp))
    # bob: three opens at noon and one at seven in the evening; ann has two, cat one: not enough to say.
    assert most_opened_hours(project, opens, members, least=3) == {"bob@x.org": (12, 3, 4)}
    assert most_opened_hours(project, opens, members, least=2) == {"bob@x.org": (12, 3, 4), "ann@x.org": (12, 2, 2)}
