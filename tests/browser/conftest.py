"""Fixtures for the browser tests: one headless Chromium, and the example project built and served over HTTP.

Without Chromium, chromedriver, selenium or axe-core these tests skip and say what is missing; with
WELCOME_GEN_BROWSER=required (as .ci/run sets) the same absence fails them instead.
"""

from __future__ import annotations

import os

import pytest

from chromium import Browser, missing
from helpers import copy_example
from site_server import build_and_serve


@pytest.fixture(scope="session")
def browser():
    reason = missing()
    if reason:
        if os.environ.get("WELCOME_GEN_BROWSER") == "required":
            pytest.fail(f"WELCOME_GEN_BROWSER=required, but {reason}")
        pytest.skip(reason)
    chromium = Browser()
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def example_site(tmp_path_factory):
    """The example project, built once (site and emails) and served; (project folder, server)."""
    root = copy_example(tmp_path_factory.mktemp("browser") / "example")
    server = build_and_serve(root)
    yield root, server
    server.close()
