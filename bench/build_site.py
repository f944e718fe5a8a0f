"""How long `build` takes on a large synthetic project: a full build, a rebuild with nothing changed, a rebuild
with one page edited, and one after a template change (every page rendered again, markdown from the cache).

    python bench/build_site.py [--issues 2000]

Prints numbers; asserts nothing. Run it before and after touching the site build.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from welcome_gen.build import Options, build

CONFIG = """\
site:
  title: Bench Shop
  url: https://bench.example/sub/
  per_page: 10
  signup: {action: "https://x.us1.list-manage.com/subscribe/post?u=aaa&id=bbb"}
business: {name: Bench Shop, postal_address: "1 Road, Town", reply_to: hi@bench.example}
"""
PARAGRAPH = ("We spent the week on *drawer runners*, which sounds dull until you close a drawer that glides. "
             "Here is what we learned, and what we'd do differently next time.\n\n")


def make_project(root: Path, issues: int) -> None:
    (root / "content/newsletter").mkdir(parents=True)
    (root / "content/audiences").mkdir()
    (root / "welcome.yaml").write_text(CONFIG)
    for i in range(20):
        (root / f"content/page-{i}.md").write_text(f"---\ntitle: Page {i}\nmenu: {i if i < 5 else 'null'}\n---\n"
                                                   + PARAGRAPH * 5 + "[fit](fit.md)\n")
    for i in range(8):
        fit = i < 5
        extra = "" if fit else "instead:\n  - {name: Elsewhere, url: 'https://elsewhere.example/', why: Better.}\n"
        (root / f"content/audiences/p{i}.md").write_text(
            f"---\ntitle: Persona {i}\nfit: {str(fit).lower()}\nsummary: Someone.\nsigns: [a, b]\n{extra}---\nAbout.\n")
    start = date(2000, 1, 1)
    for i in range(issues):
        day = start + timedelta(days=3 * i)
        link = f"[previous](issue-{i - 1}.md)\n" if i else ""
        (root / f"content/newsletter/issue-{i}.md").write_text(
            f"---\ntitle: Issue {i}\ndate: {day.isoformat()}\nsummary: Number {i}.\ntags: [t{i % 12}]\n---\n"
            + PARAGRAPH * 8 + "## A table\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n" + link)


def timed(root: Path, clean: bool = False) -> tuple[float, object]:
    started = time.perf_counter()
    result = build(root, options=Options(clean=clean))
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=2000)
    parser.add_argument("--dir", type=Path, default=None, help="Where to build (e.g. a tmpfs such as /dev/shm).")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="wg-bench-", dir=args.dir))
    try:
        root = workdir / "project"
        make_project(root, args.issues)
        full, first = timed(root, clean=True)
        again, second = timed(root)
        page = root / "content/page-3.md"
        page.write_text(page.read_text() + "\nOne more line.\n")
        one, third = timed(root)
        (root / "templates/site").mkdir(parents=True)
        (root / "templates/site/partials").mkdir()
        (root / "templates/site/partials/footer.html").write_text("<footer>Bench footer</footer>\n")
        theme, fourth = timed(root)
        print(f"{args.issues} issues, {first.written} files")
        print(f"full build:            {full:6.2f} s  ({first.written} written)")
        print(f"rebuild, no change:    {again:6.2f} s  ({second.written} written, {second.unchanged} unchanged)")
        print(f"rebuild, one page:     {one:6.2f} s  ({third.written} written)")
        print(f"rebuild, new footer:   {theme:6.2f} s  ({fourth.written} written)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
