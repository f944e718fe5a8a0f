"""Shared fixtures: the example project and small projects written on disk."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["mailchimp.fixtures"]  # the Mailchimp emulator fixtures, for every test folder

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_PARTS = ("welcome.yaml", "content", "templates", "sequences")


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A private copy of the example project at the repo root."""
    dest = tmp_path / "example"
    dest.mkdir()
    for part in EXAMPLE_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        elif src.is_file():
            shutil.copy2(src, dest / part)
    return dest
