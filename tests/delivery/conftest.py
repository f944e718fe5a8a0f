"""Fixtures for the delivery tests: a small project with every kind of sequence, on disk; the emulator's clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from welcome_gen.project import load_project

from support import Clock, at, write_project


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    return write_project(tmp_path / "shop")


@pytest.fixture
def project(project_dir: Path):
    return load_project(project_dir)


@pytest.fixture
def clock(mailchimp_emulator):
    """The emulator's clock, set by the test (it starts at 08:00 UTC on Monday 1 March 2027)."""
    c = Clock(at("2027-03-01 08:00"))
    mailchimp_emulator.store.clock = c
    return c
