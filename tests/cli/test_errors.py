"""Bad input at the command line: one line naming the file and line (or the option), the right exit code, and
never a traceback."""

from __future__ import annotations

import pytest

from welcome_gen.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert "internal error" not in captured.err
    return code, captured.out, captured.err


@pytest.mark.parametrize("args, says", [
    (["build", "--bogus"], "No such option: --bogus"),
    (["nope"], "No such command 'nope'"),
    (["preview"], "Missing argument 'SEQ/STEP'"),
    (["serve", "--port", "99999"], "--port"),
    (["init"], "Missing argument 'DIR'"),
])
def test_usage_mistakes_exit_2_with_the_option_named(capsys, args, says):
    code, out, err = run(capsys, *args)
    assert code == 2
    assert says in err


@pytest.mark.parametrize("command", ["check", "build", "preview", "init", "serve", "push", "send", "journey",
                                     "emulator"])
def test_every_command_has_help(capsys, command):
    code, out, err = run(capsys, command, "--help")
    assert code == 0
    assert f"Usage: welcome-gen {command}" in out
    description = out.split("Usage:", 1)[1].splitlines()[2].strip()
    assert len(description) > 20, f"{command} --help has no description"
