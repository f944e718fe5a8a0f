"""Start-up stays light: `welcome-gen --help` loads the command line, not the pipeline behind it."""

from __future__ import annotations

import os
import subprocess
import sys

# Each costs a tenth of a second or more to import; only the command that uses it should pay.
HEAVY = ("jinja2", "markdown", "lxml", "css_inline", "pydantic", "mailchimp_marketing", "requests", "jsonschema",
         "watchfiles", "welcome_gen.email.render", "welcome_gen.emulator.app", "welcome_gen.delivery.tick")


def test_the_help_lists_every_command_without_loading_the_pipeline():
    code = ("import sys\nfrom welcome_gen.cli import main\ncode = main(['--help'])\n"
            f"print('LOADED', sorted(m for m in {HEAVY!r} if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    for command in ("check", "build", "serve", "preview", "push", "send", "journey", "report", "emulator", "init"):
        assert command in run.stdout
    assert run.stdout.rstrip().splitlines()[-1] == "LOADED []"


def test_a_command_process_ends_with_its_whole_output_and_its_exit_code(example):
    # The process skips freeing its objects at exit; what it printed and its exit code still arrive whole.
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as a shell usually runs it

    def welcome_gen(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", "from welcome_gen.cli import main; main()", *args],
                              capture_output=True, text=True, timeout=120, cwd=example, env=buffered)

    built = welcome_gen("build")
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("Built in ") and built.stdout.endswith(f"sample journeys in {example / 'build/journeys'}\n")
    for n in range(40):  # a long report: every line of it, the last included
        (example / f"content/newsletter/broken-{n:02}.md").write_text(
            f"---\ntitle: Broken {n}\ndate: 2026-01-01\n---\nSee [nowhere](missing-{n}.md).\n", encoding="utf-8")
    failed = welcome_gen("build")
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    lines = failed.stderr.splitlines()
    assert sum("is broken: there is no content/newsletter/missing-" in line for line in lines) == 40
    assert lines[-1] == "error: 40 problem(s) found"
    assert welcome_gen("build", "--no-such-option").returncode == 2
