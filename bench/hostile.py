"""How long each broken or hostile project of the test corpus (tests/corpus/cases) takes, and how much memory.

    python bench/hostile.py [--only NAME]

Each case's commands (most run `check`, then `build`) run in a fresh Python process of their own: the time is
that of its slowest command (the first pays for the imports), the memory the process's peak resident size. The target is none over 2 s or 300 MB. Prints numbers;
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "corpus"))

from hostile import cases, command_args, make_base, parse, prepare  # noqa: E402

SECONDS, MEGABYTES = 2.0, 300
CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from hostile import run_command
seconds, codes = [], []
for args in json.loads(sys.argv[2]):
    started = time.perf_counter()
    codes.append(run_command(args)[0])
    seconds.append(time.perf_counter() - started)
print(json.dumps({"seconds": max(seconds), "codes": codes}))
"""


def measure(commands: list[list[str]]) -> tuple[float, float, list[int]]:
    """Seconds (of the slowest), peak megabytes and exit codes of `commands`, run one after another in a new
    process."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(REPO / "tests" / "corpus"), json.dumps(commands)],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = child.stdout.read() if child.stdout else ""
    _, _, usage = os.wait4(child.pid, 0)
    child.returncode = 0
    result = json.loads(out.strip().splitlines()[-1])
    return result["seconds"], usage.ru_maxrss / 1024, result["codes"]  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the cases whose name contains this")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wg-hostile-") as tmp:
        base = make_base(Path(tmp) / "base")
        rows = []
        baseline = measure([["check", str(base)]])
        for path in cases():
            if options.only and options.only not in path.stem:
                continue
            case = parse(path)
            workdir = Path(tmp) / path.stem
            project, outside = prepare(case, base, workdir)
            seconds, megabytes, codes = measure([command_args(run, project, outside) for run in case.runs])
            expected = [run.exit for run in case.runs]
            rows.append((seconds, megabytes, path.stem, "" if codes == expected else f" (exit {codes}, expected "
                                                                                     f"{expected})"))
    rows.sort(reverse=True)
    print(f"{len(rows)} cases; a check of the untouched project: {baseline[0]:.2f} s, {baseline[1]:.0f} MB")
    print(f"{'seconds':>8} {'MB':>6}  case (its slowest command; the peak of its process)")
    for seconds, megabytes, name, note in rows[:15]:
        print(f"{seconds:8.2f} {megabytes:6.0f}  {name}{note}")
    slowest, biggest = rows[0], max(rows, key=lambda r: r[1])
    print(f"slowest: {slowest[2]} {slowest[0]:.2f} s; most memory: {biggest[2]} {biggest[1]:.0f} MB "
          f"(target: none over {SECONDS:.0f} s or {MEGABYTES} MB)")
    over = [r[2] for r in rows if r[0] > SECONDS or r[1] > MEGABYTES]
    print("over the target: " + (", ".join(over) if over else "none"))


if __name__ == "__main__":
    main()
