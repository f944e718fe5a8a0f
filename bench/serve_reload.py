"""How fast `welcome-gen serve` answers an author's save: prints numbers, asserts nothing.

    python bench/serve_reload.py [PROJECT_DIR] [--edits N]

Copies the project (default: the example at the repository root) to a temporary folder, starts the dev server,
then edits one page N times and measures, for each save, the time until the reload event reaches a listener.
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from welcome_gen.serve import DevServer

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("project", nargs="?", type=Path, default=REPO)
    parser.add_argument("--edits", type=int, default=10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        root.mkdir()
        for part in ("welcome.yaml", "content", "templates", "sequences"):
            src = args.project / part
            if src.is_dir():
                shutil.copytree(src, root / part)
            elif src.is_file():
                shutil.copy2(src, root / part)
        page = next((root / "content").glob("*.md"))

        started = time.perf_counter()
        server = DevServer(root, port=0).start()
        print(f"start (first build of site and emails, watcher ready): {time.perf_counter() - started:.2f} s")
        if server.problems:
            print("the project has problems:", *server.problems, sep="\n  ")
        parts = urlsplit(server.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        conn.request("GET", "/_reload")
        events = conn.getresponse()

        def next_build() -> None:
            while not events.readline().startswith(b"data:"):
                pass

        next_build()  # the token on connecting
        latencies = []
        try:
            for i in range(args.edits):
                saved = time.perf_counter()
                with page.open("a", encoding="utf-8") as f:
                    f.write(f"\nEdit {i}.\n")
                next_build()
                latencies.append((time.perf_counter() - saved) * 1000)
        finally:
            conn.close()
            server.stop()
        print(f"save -> reload event, {args.edits} edits of {page.name}: median {statistics.median(latencies):.0f} ms, "
              f"max {max(latencies):.0f} ms (watcher grouping included)")


if __name__ == "__main__":
    main()
