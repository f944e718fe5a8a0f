"""Shared fixtures: the example project and small projects written on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import copy_example

pytest_plugins = ["mailchimp.fixtures"]  # the Mailchimp emulator fixtures, for every test folder


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A private copy of the example project at the repo root."""
    return copy_example(tmp_path / "example")


@pytest.fixture
def scaffolded_project(tmp_path: Path, monkeypatch) -> Path:
    """A project as `init` writes it, checked as on the author's machine (not in CI)."""
    from helpers import PIN
    from welcome_gen.cli import main

    root = tmp_path / "shop"
    assert main(["init", str(root), "--install", PIN]) == 0
    monkeypatch.delenv("CI", raising=False)
    return root
