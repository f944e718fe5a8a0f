"""`welcome-gen emulator` as a user runs it: what it prints, and that a crash loses nothing acknowledged."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from mailchimp.fixtures import AUDIENCE, FAST
from welcome_gen.cli import main
from welcome_gen.mailchimp.client import Mailchimp
from welcome_gen.mailchimp.emulator import DEFAULT_API_KEY


def start(*args: str) -> tuple[subprocess.Popen, dict[str, str]]:
    """Run the command; return it and the settings it printed to export."""
    proc = subprocess.Popen([sys.executable, "-c", "from welcome_gen.cli import main; main()", "emulator",
                             "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    exports: dict[str, str] = {}
    while "MAILCHIMP_API_URL" not in exports:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"the emulator stopped: {proc.stderr.read()}")
        if line.strip().startswith("export "):
            name, _, value = line.strip()[len("export "):].partition("=")
            exports[name] = value
    return proc, exports


def test_prints_the_key_and_address_to_export_and_serves_them(tmp_path):
    proc, exports = start("--state", str(tmp_path / "s.json"))
    try:
        assert exports["MAILCHIMP_API_KEY"] == DEFAULT_API_KEY
        assert exports["MAILCHIMP_API_URL"].startswith("http://127.0.0.1:")
        mc = Mailchimp.from_env(env=exports, retry=FAST)
        assert mc.call("ping.get")["health_status"] == "Everything's Chimpy!"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_killed_emulator_keeps_what_it_acknowledged(tmp_path):
    state = tmp_path / "s.json"
    proc, exports = start("--state", str(state), "--api-key", "my-local-key-us0")
    try:
        mc = Mailchimp.from_env(env=exports, retry=FAST)
        list_id = mc.call("lists.create_list", AUDIENCE)["id"]
        mc.call("lists.set_list_member", list_id, mc.subscriber_hash("a@example.org"),
                {"email_address": "a@example.org", "status_if_new": "subscribed"})
    finally:
        proc.send_signal(signal.SIGKILL)  # no clean shutdown
        proc.wait(timeout=10)
    proc, exports = start("--state", str(state), "--api-key", "my-local-key-us0")
    try:
        mc = Mailchimp.from_env(env=exports, retry=FAST)
        assert mc.call("lists.get_list_member", list_id, mc.subscriber_hash("a@example.org"))["status"] == "subscribed"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize("args, message", [
    (["--api-key", "0123456789abcdef0123456789abcdef-us6"], "looks like a real Mailchimp key"),
    (["--spec", "/nonexistent/spec.yaml"], "--spec: Mailchimp spec not found"),
])
def test_bad_options_are_one_line_errors(capsys, args, message):
    assert main(["emulator", "--port", "0", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_busy_port_is_a_one_line_error(capsys, mailchimp_emulator):
    assert main(["emulator", "--port", str(mailchimp_emulator.port), "--no-spec"]) == 2
    assert "cannot listen on 127.0.0.1" in capsys.readouterr().err
