"""Pytest plugin: a running Mailchimp emulator for any test, and the suite-wide spec conformance check.

Fixtures:
- `mailchimp_spec`: the loaded spec (the package's own part of it, or `$WELCOME_GEN_MAILCHIMP_SPEC`), or None when
  that file is absent (under CI=true its absence fails).
- `require_spec`: skips (or fails under CI) a test that needs the spec.
- `mailchimp_emulator`: a fresh `Emulator` on a free port, validating against the spec when present. After the
  test, any request the spec refused that the test did not expect (`with emu.expect_rejections():`) fails it.
- `mailchimp`: a `Mailchimp` gateway on that emulator with a fresh audience (`mailchimp.list_id`), fast retries.
- `mailchimp_env`: the same settings as environment variables (MAILCHIMP_API_KEY, _API_URL, _LIST_ID).
"""

from __future__ import annotations

import os

import pytest

from welcome_gen.mailchimp.client import Mailchimp, RetryPolicy
from welcome_gen.emulator import Emulator, default_spec_path, load_spec

FAST = RetryPolicy(attempts=5, base_delay=0.001, max_delay=0.01)
AUDIENCE = {
    "name": "Test audience",
    "contact": {"company": "Test Shop", "address1": "1 Road", "city": "Bristol", "state": "", "zip": "BS1 1AA",
                "country": "GB"},
    "permission_reminder": "You signed up on our site.",
    "email_type_option": False,
    "campaign_defaults": {"from_name": "Ada", "from_email": "hi@example.org", "subject": "", "language": "en"},
}
_STATS = pytest.StashKey[dict]()


def _missing_reason() -> str:
    return f"Mailchimp spec not found ({default_spec_path()}); unset WELCOME_GEN_MAILCHIMP_SPEC to use the package's"


@pytest.fixture(scope="session")
def mailchimp_spec():
    path = default_spec_path()
    if not path.is_file():
        return None
    return load_spec(path)


@pytest.fixture
def require_spec(mailchimp_spec):
    if mailchimp_spec is None:
        if os.environ.get("CI") == "true":
            pytest.fail(_missing_reason())
        pytest.skip(_missing_reason())
    return mailchimp_spec


@pytest.fixture
def mailchimp_emulator(mailchimp_spec, request):
    with Emulator(spec=mailchimp_spec) as emu:
        yield emu
    stats = request.config.stash.setdefault(_STATS, {})
    for op, counts in emu.spec_stats.items():
        total = stats.setdefault(op, {"validated": 0, "rejected": 0})
        total["validated"] += counts["validated"]
        total["rejected"] += counts["rejected"]
    bad = emu.unexpected_rejections()
    if bad:
        lines = [f"{r.method} {r.path} ({r.operation}): {r.rejected[0]['field']}: {r.rejected[0]['message']}" for r in bad]
        pytest.fail("requests the Mailchimp spec refuses:\n  " + "\n  ".join(lines), pytrace=False)


def connect(emu: Emulator) -> Mailchimp:
    """A gateway on `emu` with fast retries and a fresh audience as its list_id."""
    mc = Mailchimp(emu.api_key, url=emu.url, retry=FAST, timeout=10)
    mc.list_id = mc.call("lists.create_list", AUDIENCE)["id"]
    return mc


@pytest.fixture
def mailchimp(mailchimp_emulator):
    return connect(mailchimp_emulator)


@pytest.fixture
def mailchimp_env(mailchimp, mailchimp_emulator, monkeypatch):
    monkeypatch.setenv("MAILCHIMP_API_KEY", mailchimp_emulator.api_key)
    monkeypatch.setenv("MAILCHIMP_API_URL", mailchimp_emulator.url)
    monkeypatch.setenv("MAILCHIMP_LIST_ID", mailchimp.list_id)
    monkeypatch.setenv("WELCOME_GEN_RETRY_DELAY", "0.001")
    return {k: os.environ[k] for k in ("MAILCHIMP_API_KEY", "MAILCHIMP_API_URL", "MAILCHIMP_LIST_ID")}


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    stats = config.stash.get(_STATS, None)
    if not stats:
        return
    validated = sum(s["validated"] for s in stats.values())
    rejected = sum(s["rejected"] for s in stats.values())
    terminalreporter.write_line(f"Mailchimp spec: {validated} requests over {len(stats)} operations conformed; "
                                f"{rejected} refused (as their tests expected)")
