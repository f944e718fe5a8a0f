#!/usr/bin/env python3
"""How fast every email of a project is rendered and checked (target: the example project in under one second).

    python bench/render_emails.py [PROJECT_DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from welcome_gen.email import Renderer, preflight, render_all
from welcome_gen.project import load_project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", nargs="?", default=str(Path(__file__).resolve().parents[1]))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    project = load_project(args.project)
    render_all(project)  # warm up: imports, caniemail data, compiled layouts
    renders, checks = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        emails = render_all(project, Renderer(project))
        renders.append(time.perf_counter() - start)
        start = time.perf_counter()
        problems = preflight(project)
        checks.append(time.perf_counter() - start)
    n = len(emails)
    samples = len(project.samples)
    render_t, check_t = min(renders), min(checks)
    print(f"{n} emails (steps x variants), {samples} sample subscribers, {len(problems)} findings")
    print(f"render only:        {render_t * 1000:7.1f} ms  ({n / render_t:6.0f} emails/s)")
    print(f"render + preflight: {check_t * 1000:7.1f} ms  ({n / check_t:6.0f} emails/s, "
          f"{check_t / n * 1000:.1f} ms per email with its sample matrix)")
    print(f"target < 1000 ms for the whole project: {'met' if check_t < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
