"""Start-up stays light: `welcome-gen --help` loads the command line, not the pipeline behind it."""

from __future__ import annotations

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
