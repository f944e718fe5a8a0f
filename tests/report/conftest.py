"""Fixtures: the report tests' project on disk, and its welcome series delivered by real ticks against the emulator,
then opened and clicked."""

from __future__ import annotations

from pathlib import Path

import pytest

from welcome_gen.delivery.tick import tick
from welcome_gen.delivery.push import push
from welcome_gen.project import load_project

from helpers import outbox_of, write
from delivery.support import Clock, at, join
from scenario import FILES, PEOPLE, URL, Delivered


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    return write(tmp_path / "shop", FILES)


@pytest.fixture
def project(project_dir: Path):
    return load_project(project_dir)


@pytest.fixture
def clock(mailchimp_emulator) -> Clock:
    c = Clock(at("2027-03-01 08:00"))
    mailchimp_emulator.store.clock = c
    return c


@pytest.fixture
def delivered(project, mailchimp, mailchimp_emulator, clock) -> Delivered:
    """Three ticks (1, 3 and 8 March 2027) delivering the three welcome steps, then posted opens and clicks.

    ann is a maker; dan joins on the 8th, so step `hello` goes out twice in its default variant.
    """
    emu = mailchimp_emulator
    push(project, outbox_of(project), mailchimp)
    for email in PEOPLE[:3]:
        join(mailchimp, email, at("2027-03-01 09:30"), persona="makers" if email == "ann@x.org" else "")
    for moment in ("2027-03-01 10:05", "2027-03-03 10:05", "2027-03-08 10:05"):
        clock.now = at(moment)
        if moment.startswith("2027-03-08"):
            join(mailchimp, "dan@x.org", at("2027-03-08 09:00"))
        report = tick(project, outbox_of(project), mailchimp, clock.now)
        assert report.results and all(r.error is None for r in report.results)
    campaigns = {d["campaign_title"]: d["campaign_id"] for d in emu.deliveries()}
    d = Delivered(campaigns)
    clock.now = at("2027-03-09 12:00")
    emu.add_open(d.id("wg:welcome:hello:makers:"), "ann@x.org")
    emu.add_click(d.id("wg:welcome:hello:makers:"), "ann@x.org", URL)
    first_default = d.id("wg:welcome:hello:default:20270301")
    emu.add_open(first_default, "bob@x.org")
    emu.add_open(first_default, "bob@x.org")  # twice: one unique open
    for email in PEOPLE[:3]:
        emu.add_open(d.id("wg:welcome:story:default:"), email)
    emu.add_click(d.id("wg:welcome:story:default:"), "bob@x.org", URL)
    emu.add_click(d.id("wg:welcome:story:default:"), "bob@x.org", URL + "#again")
    return d
