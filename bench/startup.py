"""How long `welcome-gen --help` takes, against a bare Python and typer with rich (the floor), and how long
importing the pure planner takes (target: under 50 ms, so years of simulated ticks and every delivery stage start
light): prints numbers.

    python bench/startup.py [--runs N]

Run it after adding an import to welcome_gen/cli/ (a command's stages belong inside the command) or to the planner
(it reads the project's attributes and needs neither the renderers nor the schema library).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

CASES = (("python", ["-c", "pass"]), ("typer + rich", ["-c", "import typer, rich.console"]),
         ("welcome-gen --help", ["-c", "from welcome_gen.cli import main; main(['--help'])"]))
# Timed inside the interpreter, so the interpreter's own start-up is not counted.
IMPORTS = ("welcome_gen.delivery.plan",)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    for label, argv in CASES:
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, *argv], check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
        report(label, times, args.runs)
    for module in IMPORTS:
        code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
        times = [float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                      text=True).stdout) for _ in range(args.runs)]
        report(f"import {module}", times, args.runs)


def report(label: str, times: list[float], runs: int) -> None:
    print(f"{label:20} median {statistics.median(times) * 1000:5.0f} ms, best {min(times) * 1000:5.0f} ms "
          f"over {runs} runs")


if __name__ == "__main__":
    main()
