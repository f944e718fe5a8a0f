"""`welcome-gen emulator` as a user runs it: what it prints, and that a crash loses nothing acknowledged."""

from __future__ import annotations

import signal

import pytest
import requests

from emulator_process import start
from mailchimp.fixtures import AUDIENCE, FAST
from welcome_gen.cli import main
from welcome_gen.mailchimp.client import Mailchimp
from welcome_gen.emulator import DEFAULT_API_KEY


def test_prints_the_key_and_address_to_export_and_serves_them(tmp_path):
    emu = start("--state", str(tmp_path / "s.json"), cwd=tmp_path)
    try:
        assert set(emu.exports) == {"MAILCHIMP_API_KEY", "MAILCHIMP_API_URL"}  # no project here: no audience
        assert emu.exports["MAILCHIMP_API_KEY"] == DEFAULT_API_KEY
        assert emu.exports["MAILCHIMP_API_URL"].startswith("http://127.0.0.1:")
        mc = Mailchimp.from_env(env=emu.exports, retry=FAST)
        assert mc.call("ping.get")["health_status"] == "Everything's Chimpy!"
        assert mc.call("lists.get_all_lists")["total_items"] == 0
    finally:
        emu.stop()


def test_a_killed_emulator_keeps_what_it_acknowledged(tmp_path):
    state = tmp_path / "s.json"
    emu = start("--state", str(state), "--api-key", "my-local-key-us0", cwd=tmp_path)
    try:
        mc = Mailchimp.from_env(env=emu.exports, retry=FAST)
        list_id = mc.call("lists.create_list", AUDIENCE)["id"]
        mc.call("lists.set_list_member", list_id, mc.subscriber_hash("a@example.org"),
                {"email_address": "a@example.org", "status_if_new": "subscribed"})
    finally:
        emu.proc.send_signal(signal.SIGKILL)  # no clean shutdown
        emu.stop()
    emu = start("--state", str(state), "--api-key", "my-local-key-us0", cwd=tmp_path)
    try:
        mc = Mailchimp.from_env(env=emu.exports, retry=FAST)
        assert mc.call("lists.get_list_member", list_id, mc.subscriber_hash("a@example.org"))["status"] == "subscribed"
    finally:
        emu.stop()


@pytest.mark.parametrize("args, message", [
    (["--api-key", ("0123456789abcdef" + "0123456789abcdef-us6")], "looks like a real Mailchimp key"),
    (["--spec", "/nonexistent/spec.yaml"], "--spec: Mailchimp spec not found"),
])
def test_bad_options_are_one_line_errors(capsys, args, message):
    assert main(["emulator", "--port", "0", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_busy_port_is_a_one_line_error(capsys, mailchimp_emulator):
    assert main(["emulator", "--port", str(mailchimp_emulator.port), "--no-spec"]) == 2
    assert "cannot listen on 127.0.0.1" in capsys.readouterr().err


def test_the_clock_option_puts_mailchimp_in_the_time_of_the_calls(tmp_path):
    emu = start("--clock", "2027-03-01T10:00:00Z", cwd=tmp_path)
    try:
        assert "  spec validation: on (Mailchimp's spec, as the package carries it)" in emu.lines
        assert "  clock: 2027-03-01T10:00:00+00:00, running on from there" in emu.lines
        mc = Mailchimp.from_env(env=emu.exports, retry=FAST)
        list_id = mc.call("lists.create_list", AUDIENCE)["id"]
        h = mc.subscriber_hash("a@example.org")
        member = mc.call("lists.set_list_member", list_id, h,
                         {"email_address": "a@example.org", "status_if_new": "subscribed"})
        assert member["timestamp_opt"].startswith("2027-03-01T10:0")
        # A trigger tag is dated by the same clock, so `send --now` a day later finds it one day old.
        moved = requests.put(emu.base + "/_emulator/clock", json={"now": "2027-03-02T09:00:00Z", "frozen": True},
                             timeout=10).json()
        assert moved == {"now": "2027-03-02T09:00:00+00:00", "set": True, "frozen": True}
        mc.call("lists.update_list_member_tags", list_id, h, {"tags": [{"name": "referred", "status": "active"}]})
        tags = mc.call("lists.get_list_member_tags", list_id, h)["tags"]
        assert [(t["name"], t["date_added"]) for t in tags] == [("referred", "2027-03-02T09:00:00+00:00")]
        bad = requests.put(emu.base + "/_emulator/clock", json={"now": "soon"}, timeout=10)
        assert bad.status_code == 400 and "ISO 8601" in bad.json()["detail"]
    finally:
        emu.stop()
