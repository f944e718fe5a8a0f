"""The spec validator: it refuses what Mailchimp would refuse, accepts what the client sends, and covers every route.

Every test that uses the `mailchimp_emulator` fixture is also a conformance check: a request the spec refuses
fails that test unless it says it expects the refusal.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

import welcome_gen
from welcome_gen.emulator import SPEC_ENV, default_spec_path, load_spec
from welcome_gen.emulator.routes import ROUTES
from welcome_gen.emulator.spec import VENDORED, _parse

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent


def raw(emu, method, path, **kwargs):
    return requests.request(method, emu.url + path, auth=("any", emu.api_key), timeout=10, **kwargs)


def test_every_emulated_route_is_in_the_spec(require_spec):
    missing = [f"{r.method} {r.template}" for r in ROUTES if require_spec.operation(r.method, r.template) is None]
    assert missing == []


def test_the_spec_travels_with_the_package(monkeypatch):
    # Nothing beside the checkout is needed: a plain install validates with the part of the spec it carries.
    monkeypatch.delenv(SPEC_ENV, raising=False)
    path = default_spec_path()
    assert path == VENDORED and path.is_file()
    assert Path(welcome_gen.__file__).resolve().parent in path.resolve().parents
    spec = load_spec(path, use_cache=False)
    served = {(r.method, r.template) for r in ROUTES}
    # Exactly the operations the emulator serves: a new route without a regenerated subset fails here.
    assert set(spec.operations) == served


def test_the_vendored_subset_is_what_the_script_makes_of_it():
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import vendor_mailchimp_spec as vendor
    finally:
        sys.path.remove(str(REPO / "scripts"))
    doc = _parse(VENDORED.read_bytes())
    again = vendor.subset(doc)
    assert again["paths"] == doc["paths"] and again["components"] == doc["components"]
    assert doc["x-welcome-gen-subset"]["of"] == 272 and doc["info"]["version"] == "3.0.55"


@pytest.mark.parametrize("method, path, kwargs, field", [
    ("PUT", "/lists/{list}/members/0cc175b9c0f1b6a831c399e269772661",
     {"json": {"email_address": "a@example.org", "status_if_new": "bogus"}}, "status_if_new"),
    ("PUT", "/lists/{list}/members/0cc175b9c0f1b6a831c399e269772661", {"json": {"status_if_new": "subscribed"}},
     "email_address"),
    ("POST", "/lists/{list}/members/0cc175b9c0f1b6a831c399e269772661/tags", {"json": [{"name": "t"}]}, "body"),
    ("POST", "/lists/{list}/members/0cc175b9c0f1b6a831c399e269772661/tags", {"json": {"tags": [{"status": "active"}]}},
     "tags.0.name"),
    ("GET", "/lists/{list}/members", {"params": {"statuss": "subscribed"}}, "statuss"),
    ("GET", "/lists/{list}/members", {"params": {"status": "gone"}}, "status"),
    ("POST", "/campaigns", {"json": {"type": "weekly", "recipients": {"list_id": "x"}}}, "type"),
    ("POST", "/campaigns/abc/actions/schedule", {"json": {}}, "schedule_time"),
])
def test_non_conformant_requests_are_400_naming_the_field(require_spec, mailchimp_emulator, mailchimp, method, path,
                                                          kwargs, field):
    with mailchimp_emulator.expect_rejections():
        res = raw(mailchimp_emulator, method, path.format(list=mailchimp.list_id), **kwargs)
    doc = res.json()
    assert res.status_code == 400 and doc["title"] == "Invalid Resource"
    assert field in [e["field"] for e in doc["errors"]] and field in doc["detail"]
    assert mailchimp_emulator.requests[-1].rejected


def test_what_the_client_sends_is_accepted(require_spec, mailchimp_emulator, mailchimp):
    # True/False booleans, comma-joined lists and merge-field strings are what the real client puts on the wire.
    h = mailchimp.subscriber_hash("a@example.org")
    mailchimp.call("lists.set_list_member", mailchimp.list_id, h, {"email_address": "a@example.org",
                   "status_if_new": "subscribed", "merge_fields": {"FNAME": "Ann", "BIRTHDAY": "01/31"}},
                   skip_merge_validation=True)
    mailchimp.call("lists.get_list_members_info", mailchimp.list_id, fields=["members.id", "total_items"],
                   exclude_fields=["_links"], count=1000, offset=0, status="subscribed")
    stats = mailchimp_emulator.spec_stats
    assert stats["lists.set_list_member"] == {"validated": 1, "rejected": 0}
    assert stats["lists.get_list_members_info"] == {"validated": 1, "rejected": 0}


def test_the_spec_loads_from_its_cache(require_spec, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = load_spec(require_spec.source)
    cached = list((tmp_path / "welcome-gen").glob("mailchimp-spec-*.json"))
    assert len(cached) == 1
    again = load_spec(require_spec.source)
    assert again.operations.keys() == first.operations.keys() and len(first.operations) == len(ROUTES)


@pytest.mark.parametrize("ci, outcome", [("", "1 skipped"), ("true", "1 error")])
def test_a_missing_spec_skips_except_under_ci(tmp_path, ci, outcome):
    (tmp_path / "test_needs_spec.py").write_text("def test_it(require_spec):\n    pass\n")
    env = {**os.environ, "WELCOME_GEN_MAILCHIMP_SPEC": str(tmp_path / "absent.yaml"), "CI": ci,
           "PYTHONPATH": str(TESTS)}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "mailchimp.fixtures", "-rs",
                          "-c", os.devnull, str(tmp_path)], capture_output=True, text=True, env=env, timeout=120)
    assert outcome in run.stdout, run.stdout + run.stderr
    assert "Mailchimp spec not found" in run.stdout
