"""How long `welcome-gen --help` takes, against a bare Python and typer with rich (the floor): prints numbers.

    python bench/startup.py [--runs N]

Run it after adding an import to welcome_gen/cli/: a command's stages belong inside the command.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

CASES = (("python", ["-c", "pass"]), ("typer + rich", ["-c", "import typer, rich.console"]),
         ("welcome-gen --help", ["-c", "from welcome_gen.cli import main; main(['--help'])"]))


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
        print(f"{label:20} median {statistics.median(times) * 1000:5.0f} ms, best {min(times) * 1000:5.0f} ms "
              f"over {args.runs} runs")


if __name__ == "__main__":
    main()
