"""Every command the README tells a reader to type runs, as written, against a copy of the example project.

The README's shell blocks are read, not copied here: a renamed option or a missing step in the README fails.
`pip install` (and the test run itself) are the only lines not run; they must still be there.
"""

from __future__ import annotations

import json
import re
import shlex
import urllib.request
from pathlib import Path

import pytest

from emulator_process import Started, start
from welcome_gen.cli import main
from welcome_gen.project import load_project

README = Path(__file__).resolve().parents[2] / "README.md"
DOCUMENTED_BASE = "http://127.0.0.1:8025"  # the emulator's default address, as the README shows it
FENCE = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)


def section(title: str) -> str:
    """The README's `## title…` section, up to the next heading of the same or a higher level."""
    text = README.read_text(encoding="utf-8")
    found = re.search(rf"^## {re.escape(title)}.*?$(.*?)(?=^#{{1,2}} )", text, re.S | re.M)
    assert found, f"README.md has no '## {title}' section"
    return found.group(1)


def commands(title: str) -> list[str]:
    """The commands of a section's ```sh blocks, in order (`a && b` is two)."""
    out = []
    for block in FENCE.findall(section(title)):
        for line in block.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                out += [part.strip() for part in line.split("&&")]
    return out


def run(capsys, line: str) -> str:
    """A `welcome-gen …` line through the real entry point; it must exit 0. Its output."""
    code = main(shlex.split(line)[1:])
    out, err = capsys.readouterr()
    assert code == 0, f"README command failed (exit {code}): {line}\n{out}{err}"
    return out


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)


def test_the_setup_commands_build_the_example(example, monkeypatch, capsys):
    lines = commands("Set-up")
    assert [line for line in lines if line.startswith("pip install")] == ["pip install .", 'pip install -e ".[test]"']
    assert "python -m pytest -q" in lines  # this very run: not started again from inside it
    monkeypatch.chdir(example)
    ran = []
    for line in lines:
        if line.startswith(("pip install", "python -m pytest")):
            continue
        assert line.startswith("welcome-gen "), f"a set-up command this test does not know how to run: {line}"
        run(capsys, line)
        ran.append(line)
    assert ran == ["welcome-gen build"]
    assert (example / "public/index.html").is_file() and (example / "public/fit/index.html").is_file()
    assert any((example / "build/emails").rglob("*.html"))


def test_try_it_without_mailchimp_delivers_the_welcome_to_every_sample(example, monkeypatch, capsys):
    lines = commands("Try it without Mailchimp")
    assert lines[0].startswith("welcome-gen emulator"), "the walkthrough starts the emulator first"
    shown = {(shlex.split(line)[1], "--dry-run" in line) for line in lines if line.startswith("welcome-gen ")}
    for command, dry in (("push", True), ("push", False), ("send", True), ("send", False), ("report", False),
                         ("journey", False)):
        assert (command, dry) in shown, f"the walkthrough no longer shows `welcome-gen {command}`{' --dry-run' * dry}"
    samples = {str(s.email) for s in load_project(example).samples}
    monkeypatch.chdir(example)
    monkeypatch.setenv("WELCOME_GEN_RETRY_DELAY", "0.001")
    emu: Started | None = None
    exported: dict[str, str] = {}
    listed = None
    try:
        for line in lines:
            if line.startswith("welcome-gen emulator "):
                emu = start(*shlex.split(line)[2:], cwd=example)  # as written, on a free port instead of 8025
            elif line.startswith("export "):
                name, _, value = line[len("export "):].partition("=")
                assert emu is not None and name in emu.exports, f"the emulator does not print `{line}`"
                assert value.replace(DOCUMENTED_BASE, emu.base) == emu.exports[name], \
                    f"the README says `{line}`; the emulator prints {name}={emu.exports[name]}"
                monkeypatch.setenv(name, emu.exports[name])
                exported[name] = value
            elif line.startswith("welcome-gen "):
                before = len(get(f"{emu.base}/_emulator/deliveries")["deliveries"])
                run(capsys, line)
                if "--dry-run" in line:
                    assert len(get(f"{emu.base}/_emulator/deliveries")["deliveries"]) == before, f"{line} sent email"
            elif line.startswith("curl "):
                url = next(a for a in shlex.split(line) if a.startswith("http"))
                assert url.startswith(DOCUMENTED_BASE + "/_emulator/deliveries")
                listed = get(url.replace(DOCUMENTED_BASE, emu.base))
            else:
                pytest.fail(f"a walkthrough command this test does not know how to run: {line}")
        assert set(exported) == set(emu.exports), "the README exports what the emulator prints"

        # Every sample subscriber got the welcome series' first email, once, personalised.
        assert listed is not None, "the walkthrough shows the deliveries"
        got = listed["deliveries"]
        assert sorted(d["email_address"] for d in got) == sorted(samples)
        assert all(set(d) == {"email_address", "subject"} for d in got)
        by_email = {d["email_address"]: d["subject"] for d in got}
        assert by_email["ada@brambleandbolt.example"].startswith("Welcome, Ada:")
        assert by_email["anonymous@brambleandbolt.example"].startswith("Welcome, friend:")
        # "run it again and nothing is sent"
        send = next(line for line in lines if line.startswith("welcome-gen send ") and "--dry-run" not in line)
        run(capsys, send)
        assert len(get(f"{emu.base}/_emulator/deliveries")["deliveries"]) == len(samples)
        assert (example / "build/report/index.html").is_file()
        stats = get(f"{emu.base}/_emulator/stats")
        if stats["spec"]:  # every request the walkthrough made is one Mailchimp's API spec accepts
            assert not {op: n for op, n in stats["operations"].items() if n["rejected"]}
    finally:
        if emu is not None:
            emu.stop()
