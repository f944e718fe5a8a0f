"""How long each broken or hostile project of the test corpus (tests/corpus/cases) takes, and how much memory.

    python bench/hostile.py [--only NAME]

Each case's commands (most run `check`, then `build`) run in a fresh Python process of their own: the times are
those of its slowest command (the first pays for the imports), as CPU time (what the case costs, whatever else
the machine is doing) and as wall-clock time; the memory is the process's peak resident size. A check of the
untouched project is measured the same way, for comparison. The target is none over 2 s or 300 MB. Prints numbers;
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
wall, cpu, codes = [], [], []
for args in json.loads(sys.argv[2]):
    started, started_cpu = time.perf_counter(), time.process_time()
    codes.append(run_command(args)[0])
    wall.append(time.perf_counter() - started)
    cpu.append(time.process_time() - started_cpu)
print(json.dumps({"wall": max(wall), "cpu": max(cpu), "codes": codes}))
"""


def measure(commands: list[list[str]]) -> tuple[float, float, float, list[int]]:
    """CPU and wall seconds (of the slowest), peak megabytes and exit codes of `commands`, run one after another
    in a new process."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(REPO / "tests" / "corpus"), json.dumps(commands)],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = child.stdout.read() if child.stdout else ""
    _, _, usage = os.wait4(child.pid, 0)
    child.returncode = 0
    result = json.loads(out.strip().splitlines()[-1])
    return result["cpu"], result["wall"], usage.ru_maxrss / 1024, result["codes"]  # ru_maxrss: KiB on Linux


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
            cpu, wall, megabytes, codes = measure([command_args(run, project, outside) for run in case.runs])
            expected = [run.exit for run in case.runs]
            rows.append((cpu, wall, megabytes, path.stem, "" if codes == expected else f" (exit {codes}, expected "
                                                                                          f"{expected})"))
    rows.sort(reverse=True)
    print(f"{len(rows)} cases; a check of the untouched project: {baseline[0]:.2f} s CPU, {baseline[1]:.2f} s wall, "
          f"{baseline[2]:.0f} MB; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'CPU s':>6} {'wall s':>7} {'MB':>5}  case (its slowest command; the peak of its process)")
    for cpu, wall, megabytes, name, note in rows[:15]:
        print(f"{cpu:6.2f} {wall:7.2f} {megabytes:5.0f}  {name}{note}")
    slowest, biggest = rows[0], max(rows, key=lambda r: r[2])
    print(f"slowest: {slowest[3]} {slowest[0]:.2f} s CPU ({slowest[1]:.2f} s wall); most memory: {biggest[3]} "
          f"{biggest[2]:.0f} MB (target: none over {SECONDS:.0f} s or {MEGABYTES} MB)")
    over = [r[3] for r in rows if r[0] > SECONDS or r[2] > MEGABYTES]
    print("over the target (CPU time, memory): " + (", ".join(over) if over else "none"))


if __name__ == "__main__":
    main()
