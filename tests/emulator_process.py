"""`welcome-gen emulator` as a user starts it: a real process, and what it printed before serving."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Started:
    proc: subprocess.Popen
    lines: list[str] = field(default_factory=list)  # everything printed up to the line that says it serves
    exports: dict[str, str] = field(default_factory=dict)  # the `export NAME=VALUE` lines

    @property
    def base(self) -> str:
        """http://127.0.0.1:PORT, where /_emulator/ lives."""
        return self.exports["MAILCHIMP_API_URL"].rsplit("/3.0", 1)[0]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(timeout=10)
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()


def start(*args: str, cwd: Path | None = None) -> Started:
    """Run `welcome-gen emulator ARGS --port 0` and read its start-up lines; it serves once this returns."""
    proc = subprocess.Popen([sys.executable, "-c", "from welcome_gen.cli import main; main()", "emulator", *args,
                             "--port", "0"], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = Started(proc)
    while True:
        line = proc.stdout.readline()
        if not line:
            proc.wait(timeout=10)
            err = proc.stderr.read()
            started.stop()
            raise AssertionError(f"the emulator stopped (exit {proc.returncode}): {err.strip()}")
        started.lines.append(line.rstrip("\n"))
        text = line.strip()
        if text.startswith("export "):
            name, _, value = text[len("export "):].partition("=")
            started.exports[name] = value
        if text.startswith("Deliveries, faults"):  # the last line before it serves
            return started
