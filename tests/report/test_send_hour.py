"""The learnt send hour (opt-in): `report` writes each member's most-opened hour to their SENDHOUR merge field,
`send` starts that member's window there, and `journey` shows it."""

from __future__ import annotations

from pathlib import Path

import pytest

from welcome_gen.cli import main
from welcome_gen.delivery.push import push
from welcome_gen.delivery.tick import tick
from welcome_gen.project import load_project
from welcome_gen.report import make_report

from delivery.support import at, join
from helpers import outbox_of, write
from scenario import FILES

LEARN = "  send_hour: {learn: true, min_opens: 3}\n"  # under `sending:`, the last section of the settings


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    return write(tmp_path / "shop", {**FILES, "welcome.yaml": FILES["welcome.yaml"] + LEARN})


def sent_to(emu, prefix: str) -> list[str]:
    return sorted(d["email_address"] for d in emu.deliveries() if d["campaign_title"].startswith(prefix))


def test_report_learns_the_hour_and_send_waits_for_it(project_dir, mailchimp, mailchimp_env, mailchimp_emulator,
                                                       clock, capsys):
    project = load_project(project_dir)
    emu = mailchimp_emulator
    push(project, outbox_of(project), mailchimp)
    for email in ("ann@x.org", "bob@x.org"):
        join(mailchimp, email, at("2027-03-01 09:30"))
    for moment in ("2027-03-01 10:05", "2027-03-03 10:05"):
        clock.now = at(moment)
        tick(project, outbox_of(project), mailchimp, clock.now)
    (hello,) = {d["campaign_id"] for d in emu.deliveries() if d["campaign_title"].startswith("wg:welcome:hello:")}
    (story,) = {d["campaign_id"] for d in emu.deliveries() if d["campaign_title"].startswith("wg:welcome:story:")}
    # bob reads in the afternoon (London is on UTC in early March): three opens at 15:xx, one at 10:xx.
    for moment, campaign in (("2027-03-01 15:20", hello), ("2027-03-03 15:40", story), ("2027-03-04 15:05", story),
                             ("2027-03-04 10:30", hello)):
        clock.now = at(moment)
        emu.add_open(campaign, "bob@x.org")
    clock.now = at("2027-03-05 12:00")
    emu.add_open(story, "ann@x.org")  # one open: not enough to say anything about ann
    assert main(["report", str(project_dir), "--now", "2027-03-05T12:00:00Z"]) == 0
    assert "send hours: 1 member(s) now get their emails from their most-opened hour" in capsys.readouterr().out
    bob = mailchimp.call("lists.get_list_member", mailchimp.list_id, mailchimp.subscriber_hash("bob@x.org"))
    assert bob["merge_fields"]["SENDHOUR"] == 15
    # Step `week` is due on 8 March from 09:30: ann gets it at the morning tick, bob at 15:00, his hour.
    for moment, expected in (("2027-03-08 10:05", ["ann@x.org"]), ("2027-03-08 14:05", ["ann@x.org"]),
                             ("2027-03-08 15:05", ["ann@x.org", "bob@x.org"])):
        clock.now = at(moment)
        tick(project, outbox_of(project), mailchimp, clock.now)
        assert sent_to(emu, "wg:welcome:week:") == expected, moment
    # A second report changes nothing: the hour is already there.
    result = make_report(project, mailchimp, project_dir / "build" / "again", now=at("2027-03-09 12:00"))
    assert result.learnt == []
    assert main(["journey", "--email", "bob@x.org", str(project_dir)]) == 0
    assert "send hour 15:00 (learnt from their opens)" in " ".join(capsys.readouterr().out.split())


def test_learning_needs_the_merge_field_push_makes(project_dir, mailchimp, mailchimp_env, clock, capsys):
    # No push: the audience lacks SENDHOUR.
    assert main(["report", str(project_dir)]) == 2
    assert "no SENDHOUR merge field; run `welcome-gen push`" in capsys.readouterr().err
