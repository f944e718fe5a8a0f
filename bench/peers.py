"""welcome-gen against Hugo, Pelican and MkDocs on the same corpus: clean, no-change and one-edited builds.

    python bench/peers.py [--issues 1000 5000] [--runs 3] [--dir /dev/shm] [--write docs/performance.md]

Generates N newsletter issues (deterministic by --seed: ~980 words each, with headings, lists, links, code and a
table), lays them out for each tool (welcome-gen gets the example project around them), installs each peer in a
virtual environment of its own under --cache (never in the repository), then times each kind of build for every
tool in turn, interleaved, --runs times, and takes the median, with each run's peak memory (the largest process);
then welcome-gen alone: the example project built from nothing, and `--help` (at least 10 runs each).
Prints one table with welcome-gen's ratio to each peer, a profile of welcome-gen's clean build, and with --write
the same as a page, with the machine it ran on. Asserts nothing: the targets are shown beside the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PEERS = {"hugo": ["hugo"], "pelican": ["pelican[markdown]"], "mkdocs": ["mkdocs"]}
KINDS = ("clean", "no-change", "one edited")
# The targets of the build, by kind and issue count (seconds); peak memory in MB at 5,000.
TARGETS = {("no-change", 1000): 0.3, ("no-change", 5000): 1.0, ("one edited", 1000): 0.5, ("one edited", 5000): 1.5}
MEMORY_TARGET_MB = 150

WORDS = ("plane chisel grain oak walnut joint mortise tenon dovetail glue clamp shaving bench vice saw kerf "
         "sharpen hone strop bevel edge board face square flat winding stick marking gauge knife line waste "
         "shoulder cheek pin tail housing dado rebate groove finish oil wax shellac coat sand scraper burr "
         "apprentice workshop timber seasoning moisture movement quarter-sawn rift flat-sawn figure knot check "
         "split twist cup bow the a of and to in with for on at by from while when then after before every").split()
TAGS = WORDS[:24]  # words, not numbers: Pelican names a tag's second page <tag>2.html


# -- the corpus --------------------------------------------------------------------------------------------


@dataclass
class Issue:
    slug: str
    title: str
    when: datetime
    tags: list[str]
    body: str


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, words: int) -> str:
    out, left = [], words
    while left > 0:
        n = min(left, rng.randint(8, 18))
        out.append(sentence(rng, n))
        left -= n
    return " ".join(out)


def body(rng: random.Random, number: int) -> str:
    """About 980 words: headings, paragraphs with emphasis and links, a list, a code block and a table."""
    parts = []
    for section in range(4):
        parts.append(f"## {sentence(rng, 4)[:-1]}")
        for _ in range(2):
            text = paragraph(rng, 95)
            text = text.replace(" the ", " *the* ", 1).replace(" and ", " **and** ", 1)
            parts.append(text + f" See [the notes](https://notes.example.net/{number}/{section}) for more.")
        parts.append("\n".join(f"- {sentence(rng, rng.randint(5, 9))}" for _ in range(4)))
        if section == 1:
            parts.append("```python\ndef square(board):\n    return all(abs(a - b) < 0.1 for a, b in board.diagonals())\n```")
        if section == 2:
            rows = "\n".join(f"| {rng.choice(WORDS)} | {rng.randint(1, 90)} mm | {rng.choice(WORDS)} |" for _ in range(5))
            parts.append(f"| Tool | Size | Note |\n|---|---|---|\n{rows}")
        if section == 3:
            parts.append("1. " + sentence(rng, 8) + "\n2. " + sentence(rng, 8) + "\n3. " + sentence(rng, 8))
    return "\n\n".join(parts) + "\n"


def corpus(n: int, seed: int) -> list[Issue]:
    rng = random.Random(seed)
    start = datetime(2004, 1, 5, 23, 4, tzinfo=timezone.utc)
    issues = []
    for i in range(n):
        when = start + timedelta(hours=17 * i)
        issues.append(Issue(f"issue-{i:05d}", f"Issue {i}: {sentence(rng, 4)[:-1]}", when,
                            sorted(rng.sample(TAGS, 2)), body(rng, i)))
    return issues


# -- the same corpus for each tool ------------------------------------------------------------------------


def hugo_front(issue: Issue, extra: str = "") -> str:
    """YAML front matter as Hugo writes it."""
    return (f"---\ntitle: {json.dumps(issue.title)}\ndate: {issue.when:%Y-%m-%dT%H:%M:%SZ}\n"
            f"tags: {json.dumps(issue.tags)}\n{extra}---\n\n")


def write_issues(folder: Path, issues: list[Issue], front) -> Path:
    """Each issue as `folder/<slug>.md`, its front matter from `front(issue)`; the file "one edited" changes."""
    folder.mkdir(parents=True, exist_ok=True)
    for issue in issues:
        (folder / f"{issue.slug}.md").write_text(front(issue) + issue.body, encoding="utf-8")
    return folder / f"{issues[len(issues) // 2].slug}.md"


def lay_out_welcome_gen(root: Path, issues: list[Issue]) -> Path:
    for part in ("welcome.yaml", "content", "sequences", "templates"):
        src = REPO / part
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / part)
    # Written as Hugo writes them: welcome-gen reads them as they are.
    return write_issues(root / "content/newsletter", issues,
                        lambda issue: hugo_front(issue, f"summary: {json.dumps(issue.title)}\n"))


HUGO_LAYOUT = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><nav>{{ range .Site.Menus.main }}<a href="{{ .URL }}">{{ .Name }}</a>{{ end }}</nav>
<main>{{ block "main" . }}{{ end }}</main></body></html>
"""
HUGO_SINGLE = """{{ define "main" }}<article><h1>{{ .Title }}</h1><time>{{ .Date.Format "2 January 2006" }}</time>
{{ .Content }}{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</article>{{ end }}
"""
HUGO_LIST = """{{ define "main" }}<h1>{{ .Title }}</h1>{{ range .Paginator.Pages }}<article><h2>
<a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Summary }}</p></article>{{ end }}{{ end }}
"""


def lay_out_hugo(root: Path, issues: list[Issue]) -> Path:
    (root / "layouts/_default").mkdir(parents=True)
    (root / "hugo.toml").write_text('baseURL = "https://bench.example.net/"\ntitle = "Bench"\n'
                                    '[pagination]\npagerSize = 10\n', encoding="utf-8")
    (root / "layouts/_default/baseof.html").write_text(HUGO_LAYOUT, encoding="utf-8")
    (root / "layouts/_default/single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (root / "layouts/_default/list.html").write_text(HUGO_LIST, encoding="utf-8")
    return write_issues(root / "content/posts", issues, hugo_front)


PELICAN_CONF = """AUTHOR = "Bench"
SITENAME = "Bench"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 10
FEED_ALL_ATOM = "feeds/all.atom.xml"
"""


def lay_out_pelican(root: Path, issues: list[Issue]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")
    return write_issues(root / "content", issues, lambda issue: (  # Pelican's own metadata lines
        f"Title: {issue.title}\nDate: {issue.when:%Y-%m-%d %H:%M}\nTags: {', '.join(issue.tags)}\n"
        f"Slug: {issue.slug}\n\n"))


def lay_out_mkdocs(root: Path, issues: list[Issue]) -> Path:
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: Bench\nsite_url: https://bench.example.net/\n", encoding="utf-8")
    (root / "docs/index.md").write_text("# Bench\n\nThe newsletter.\n", encoding="utf-8")
    return write_issues(root / "docs/posts", issues, lambda issue: f"# {issue.title}\n\n")


# -- running each tool ------------------------------------------------------------------------------------


@dataclass
class Tool:
    name: str
    root: Path
    edited: Path  # the file "one edited" changes
    command: list[str]
    outputs: list[str]  # what a clean build starts without (outputs and caches)
    version: str = ""
    times: dict[str, list[float]] = field(default_factory=dict)
    memory: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)  # processor seconds, every process of the build


def venv_bin(cache: Path, name: str) -> Path:
    """The peer's own virtual environment under `cache`, made and filled once."""
    env = cache / "venvs" / name
    bin_dir = env / ("Scripts" if os.name == "nt" else "bin")
    if not (env / "installed").is_file():
        subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
        subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", *PEERS[name]], check=True)
        (env / "installed").write_text(" ".join(PEERS[name]))
    return bin_dir


def version_of(name: str, command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True)
    words = (done.stdout or done.stderr).replace(",", " ").split()
    return next((w.lstrip("v").split("-")[0] for w in words if w[:1].isdigit() or w[:2] == "v0"), "?")


# Runs the command and prints the largest resident size of any process it waited for (KB), their processor
# seconds, and the command's own wall-clock seconds: timed here, so the start of this measuring process is not
# counted against the tool.
MEASURE = ("import resource, subprocess, sys, time; started = time.perf_counter(); "
           "done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT); "
           "seconds = time.perf_counter() - started; u = resource.getrusage(resource.RUSAGE_CHILDREN); "
           "print(u.ru_maxrss, u.ru_utime + u.ru_stime, seconds); "
           "done.returncode and sys.stderr.write(done.stdout.decode(errors='replace')[-3000:]); "
           "sys.exit(done.returncode)")


def run(tool: Tool, kind: str) -> None:
    if kind == "clean":
        for name in tool.outputs:
            shutil.rmtree(tool.root / name, ignore_errors=True)
    if kind == "one edited":
        with tool.edited.open("a", encoding="utf-8") as fh:
            fh.write(f"\nOne more line, written at {time.time()}.\n")
    done = subprocess.run([sys.executable, "-c", MEASURE, *tool.command], cwd=tool.root, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"{tool.name} failed ({kind}):\n{done.stderr}")
    rss, cpu, seconds = done.stdout.split()[:3]
    tool.times.setdefault(kind, []).append(float(seconds))
    tool.memory.setdefault(kind, []).append(int(rss) / 1024)
    tool.cpu.setdefault(kind, []).append(float(cpu))


# `serve`'s rebuild after a save: the build runs again in the same process, as serve runs it (drafts, the reload
# script, its own folders). Prints the seconds of each rebuild after the first.
SERVE_MEASURE = """
import sys, time
from pathlib import Path
from welcome_gen.build import Options, Targets, build
root, edited, runs = Path(sys.argv[1]).absolute(), Path(sys.argv[2]), int(sys.argv[3])
targets = Targets.of(root, root / "serve-out" / "site", root / "serve-out" / "build" / "emails")
options = Options(drafts=True, live_reload="/_welcome-gen/reload.js")
build(root, targets, options)
for i in range(runs):
    with edited.open("a", encoding="utf-8") as fh:
        fh.write(f"\\nSaved again, {time.time()}.\\n")
    started = time.perf_counter()
    build(root, targets, options)
    print(time.perf_counter() - started)
"""


def serve_rebuilds(tool: Tool, runs: int) -> list[float]:
    """Seconds of each rebuild after a save, in one `serve`-like process (after the command-line runs: its
    folders are its own, but it shares the build cache)."""
    done = subprocess.run([sys.executable, "-c", SERVE_MEASURE, str(tool.root), str(tool.edited), str(runs)],
                          cwd=tool.root, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"welcome-gen serve rebuild failed:\n{done.stderr[-3000:]}")
    return [float(line) for line in done.stdout.split()]


def compile_welcome_gen() -> None:
    """Byte-compile the welcome_gen package this Python imports, as `pip install` leaves an installed one (and the
    peers' own installs are). An editable install, or PYTHONDONTWRITEBYTECODE in the environment, would otherwise
    compile every module again on every run."""
    import importlib.util

    spec = importlib.util.find_spec("welcome_gen")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("welcome_gen is not installed in this Python: pip install . first")
    for folder in spec.submodule_search_locations:
        subprocess.run([sys.executable, "-m", "compileall", "-q", folder], check=True)


def tools_for(workdir: Path, issues: list[Issue], cache: Path, names: list[str]) -> list[Tool]:
    welcome = shutil.which("welcome-gen", path=str(Path(sys.executable).parent)) or "welcome-gen"
    layouts = {"welcome-gen": (lay_out_welcome_gen, [welcome, "build", "--quiet"],
                               ["public", "build", ".welcome-gen"]),
               "hugo": (lay_out_hugo, ["hugo", "--quiet"], ["public", "resources"]),
               "pelican": (lay_out_pelican, ["pelican", "content", "-o", "output", "-s", "pelicanconf.py", "-q"],
                           ["output", "cache", "__pycache__"]),
               "mkdocs": (lay_out_mkdocs, ["mkdocs", "build", "-q"], ["site"])}
    tools = []
    for name in names:
        lay_out, command, outputs = layouts[name]
        root = workdir / name
        root.mkdir(parents=True)
        edited = lay_out(root, issues)
        if name != "welcome-gen":
            command = [str(venv_bin(cache, name) / command[0]), *command[1:]]
        tools.append(Tool(name, root, edited, command, outputs,
                          version_of(name, [command[0], "version" if name == "hugo" else "--version"])))
    return tools


# -- the example project and the command line, alone --------------------------------------------------------

SMALL_TARGETS = {"example": 0.5, "help": 0.4}  # seconds: the example project built from nothing; `--help`


def small_builds(workdir: Path, runs: int) -> dict[str, list[float]]:
    """Seconds of the example project's build from nothing (a fresh copy each time: no output, no cache in it)
    and of `welcome-gen --help`, each a fresh process as a user runs it, in turn."""
    welcome = shutil.which("welcome-gen", path=str(Path(sys.executable).parent)) or "welcome-gen"
    times: dict[str, list[float]] = {"example": [], "help": []}
    for i in range(runs):
        root = workdir / f"example-{i}"
        root.mkdir(parents=True)
        for part in ("welcome.yaml", "content", "sequences", "templates"):
            src = REPO / part
            (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / part)
        for name, command in (("example", [welcome, "build", "--quiet"]), ("help", [welcome, "--help"])):
            done = subprocess.run([sys.executable, "-c", MEASURE, *command], cwd=root, capture_output=True,
                                  text=True)
            if done.returncode != 0:
                raise SystemExit(f"welcome-gen failed ({name}):\n{done.stderr}")
            times[name].append(float(done.stdout.split()[2]))
        shutil.rmtree(root, ignore_errors=True)
    return times


# -- where welcome-gen's time goes ------------------------------------------------------------------------

# (what, file, function): the cumulative time of each function is that stage's share.
STAGES = [("load: read, YAML front matter, validation", "project/load.py", "load_project"),
          ("check: the site's data, links, templates", "site/build.py", "prepare"),
          ("check: emails rendered", "email/render.py", "render_all"),
          ("check: email preflight", "email/preflight.py", "preflight"),
          ("render: pages (all)", "site/pages.py", "render_pages"),
          ("render: of which markdown", "site/markup.py", "convert"),
          ("render: email files and previews", "email/write.py", "email_files"),
          ("render: sample journeys", "delivery/journey_page.py", "journeys_html"),
          ("write: staging folders swapped in", "folders.py", "commit"),
          ("the build cache (sources' sizes and times, markdown saved)", "welcome_gen/cache.py", "sources")]


def profile(root: Path) -> tuple[float, list[tuple[str, float]], list[tuple[str, float]]]:
    """A clean build in this process, on one core: its seconds, each stage's share, the busiest functions."""
    import cProfile
    import pstats

    from welcome_gen.build import Options, build

    for name in ("public", "build", ".welcome-gen"):
        shutil.rmtree(root / name, ignore_errors=True)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.runcall(build, root, options=Options(clean=True, jobs=1))
    seconds = time.perf_counter() - started
    stats = pstats.Stats(profiler).stats
    total = max(s[3] for s in stats.values())
    stages = [(what, sum(s[3] for (f, _, fn), s in stats.items() if f.endswith(file) and fn == func) / total)
              for what, file, func in STAGES]
    top = sorted(stats.items(), key=lambda kv: -kv[1][2])[:12]
    busiest = [(f"`{Path(f).name}:{line}({fn})`" if f != "~" else f"`{fn}`", s[2] / total)
               for (f, line, fn), s in top]
    return seconds, stages, busiest


# -- the report -------------------------------------------------------------------------------------------


def machine() -> str:
    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
        memory = f", {kb / 1024 / 1024:.0f} GB memory"
    except (OSError, StopIteration):
        pass
    return (f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores{memory}, "
            f"Python {platform.python_version()}")


def table(results: dict[int, list[Tool]]) -> str:
    peers = list(dict.fromkeys(t.name for tools in results.values() for t in tools if t.name != "welcome-gen"))
    head = "| build | issues | welcome-gen | " + " | ".join(peers) + " | " + \
           " | ".join(f"ratio to {p}" for p in peers) + " | target |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for n, tools in results.items():
        by = {t.name: t for t in tools}
        for kind in KINDS:
            wg = statistics.median(by["welcome-gen"].times[kind])
            cells = [f"{statistics.median(by[p].times[kind]):.2f} s ({statistics.median(by[p].cpu[kind]):.2f})"
                     if p in by else "–" for p in peers]
            ratios = [f"{wg / statistics.median(by[p].times[kind]):.2f}" if p in by else "–" for p in peers]
            target = TARGETS.get((kind, n))
            goal = f"< {target} s" if target else ("≤ Hugo, ≤ ⅓ Pelican" if kind == "clean" else "")
            wg_cpu = statistics.median(by["welcome-gen"].cpu[kind])
            lines.append(f"| {kind} | {n:,} | {wg:.2f} s ({wg_cpu:.2f}) | " + " | ".join(cells) + " | "
                         + " | ".join(ratios) + f" | {goal} |")
        serve = by["welcome-gen"].times.get("one edited (serve)")
        if serve:
            target = TARGETS.get(("one edited", n))
            lines.append(f"| one edited, in `serve` | {n:,} | {statistics.median(serve):.2f} s | "
                         + " | ".join("–" for _ in peers) + " | " + " | ".join("–" for _ in peers)
                         + f" | {'< %s s' % target if target else ''} |")
        peak = {t.name: max(max(v) for v in t.memory.values()) for t in tools}
        lines.append(f"| peak memory | {n:,} | {peak['welcome-gen']:.0f} MB | "
                     + " | ".join(f"{peak[p]:.0f} MB" if p in peak else "–" for p in peers) + " | "
                     + " | ".join(f"{peak['welcome-gen'] / peak[p]:.2f}" if p in peak else "–" for p in peers)
                     + f" | {'< %d MB' % MEMORY_TARGET_MB if n >= 5000 else ''} |")
    return "\n".join(lines)


def small_table(small: dict[str, list[float]]) -> str:
    """The example project built from nothing and `--help`: medians of their runs, beside their targets."""
    if not small:
        return ""
    labels = {"example": "the example project, built from nothing", "help": "`welcome-gen --help`"}
    lines = ["", "| welcome-gen alone | median | best | runs | target |", "|---|---|---|---|---|"]
    for name, times in small.items():
        lines.append(f"| {labels[name]} | {statistics.median(times):.2f} s | {min(times):.2f} s | {len(times)} | "
                     f"< {SMALL_TARGETS[name]} s |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tools", default="welcome-gen,hugo,pelican,mkdocs")
    parser.add_argument("--smallest-only", default="mkdocs",
                        help="Tools measured at the smallest --issues only (MkDocs takes minutes a build at 5,000).")
    parser.add_argument("--dir", type=Path, default=None, help="Where to lay out the corpora (e.g. /dev/shm).")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "welcome-gen-bench",
                        help="Where the peers' virtual environments live.")
    parser.add_argument("--write", type=Path, default=None, help="Also write the report as a page, e.g. "
                                                                   "docs/performance.md.")
    args = parser.parse_args()
    names = args.tools.split(",")
    if "welcome-gen" in names:
        compile_welcome_gen()
    smallest_only = set(args.smallest_only.split(",")) if args.smallest_only else set()
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    results: dict[int, list[Tool]] = {}
    shares: tuple = (0.0, [], [])
    if args.dir:
        args.dir.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="wg-peers-", dir=args.dir))
    try:
        for n in args.issues:
            issues = corpus(n, args.seed)
            here = [name for name in names if n == min(args.issues) or name not in smallest_only]
            tools = tools_for(workdir / str(n), issues, args.cache, here)
            for number in range(args.runs):
                for kind in KINDS:
                    for tool in tools:  # interleaved: a slow minute of the machine falls on every tool alike
                        run(tool, kind)
                print(f"{n:,} issues: run {number + 1} of {args.runs} done", file=sys.stderr)
            results[n] = tools
            for tool in tools:
                if tool.name == "welcome-gen":
                    tool.times["one edited (serve)"] = serve_rebuilds(tool, max(3, args.runs))
            if n == min(args.issues) and "welcome-gen" in names:
                shares = profile(next(t.root for t in tools if t.name == "welcome-gen"))
            shutil.rmtree(workdir / str(n), ignore_errors=True)
        small = small_builds(workdir, max(10, args.runs)) if "welcome-gen" in names else {}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    load_after = os.getloadavg() if hasattr(os, "getloadavg") else None
    report = render(results, small, shares, args, load_before, load_after)
    print(report)
    if args.write:
        args.write.write_text(report, encoding="utf-8")


def render(results: dict[int, list[Tool]], small: dict[str, list[float]], shares: tuple, args, load_before,
           load_after) -> str:
    versions = {t.name: t.version for tools in results.values() for t in tools}
    where = "a tmpfs" if args.dir and str(args.dir).startswith("/dev/shm") else "the disk"
    cores = os.cpu_count() or 1
    busy = bool(load_before and load_before[0] > cores / 2)
    load = (f" The load average was {load_before[0]:.1f} before and {load_after[0]:.1f} after, on {cores} cores: "
            + ("the machine was shared with other work, so the absolute times are slower than on an idle one"
               if busy else "the machine had no other work, though its speed varied from minute to minute")
            + "; the tools ran interleaved, so the ratios are steadier than the times." if load_before and load_after
            else "")
    seconds, stages, busiest = shares
    stage_lines = "\n".join(f"| {what} | {share * 100:.0f}% |" for what, share in stages)
    busiest_lines = "\n".join(f"| {what} | {share * 100:.1f}% |" for what, share in busiest)
    return f"""# Performance

Measured with `python bench/peers.py --issues {' '.join(map(str, args.issues))} --runs {args.runs} --tools {args.tools} --smallest-only {args.smallest_only}`
on {machine()}, on {where}, {datetime.now(timezone.utc):%Y-%m-%d}.{load}

Each tool builds the same {'/'.join(f'{n:,}' for n in results)} generated newsletter issues (~980 words each, with
headings, lists, links, code and a table); welcome-gen builds them inside the example project (its pages,
personas, sequences, emails and sample journeys too). Times are the median of {args.runs} runs, each a fresh
process as a user runs it (timed from its start to its end by the process that waits for it), each tool's Python code byte-compiled as an install leaves it (in brackets: the
processor seconds of all its processes, which a busy machine inflates less); peak memory is the largest process's resident size. *clean*: no output and no cache;
*no-change*: the same build again; *one edited*: one issue changed. A ratio below 1 means welcome-gen is faster.

Versions: {', '.join(f'{name} {version}' for name, version in versions.items())}.

{table(results)}
{small_table(small)}

## Where welcome-gen's clean build spends its time

A profile of the clean build of {min(results):,} issues in one process ({seconds:.1f} s under the profiler), by
stage (the cumulative time of the function that does it; "of which" is part of the line above):

| stage | share |
|---|---|
{stage_lines}

And the functions that spend the most time themselves:

| function | share |
|---|---|
{busiest_lines}

Python-Markdown stays the markdown package (the project's choice). The speed comes from doing less and doing it
in parallel:

- a build where no source moved stops after reading sizes and times, one folder scan each;
- an edit reads only the saved file (an unchanged file's front matter and the links in its body are remembered by
  the digest of its bytes, then validated and resolved again, and its body is read only if a page that changed
  shows it); where only the body changed, its front matter is taken by the digest of its lines; the settings,
  sequences, samples and the theme's words are remembered as YAML read them, so such an edit parses no YAML and
  never loads the YAML reader; it renders only the pages whose data changed, and links every unchanged file into
  the new folder; an issue listed on many pages stands in their digests for a digest of its card, worked out once;
- the cyclic garbage collector is paused while a build runs (its full passes walked the whole loaded project),
  and a forked worker collects only what it makes itself: what it was forked with is frozen first;
- from 500 source files, the output folders are claimed and looked over by a process forked before the models,
  templates and markdown are imported; it fills the site's staging folder with links to the unchanged files, and
  once it has answered removes the old output folders earlier builds left in the trash (a smaller site's are
  removed by another thread while the records and the cache are written);
- markdown is cached by its source, so a template change does not run it again, and each text gets a
  converter without the processors it cannot use (no table processor for a text without a `|`); a text without
  `[TOC]` gets its headings' ids without the table of contents the `toc` extension would also build, and a
  converter tells a block's tag from a set of names rather than a list; a block is searched for a heading, a
  quote or a rule only if it holds a `#`, a `>` or a rule's character, and for a table only with a `|`; fenced
  code is looked for where a line starts with three backticks or tildes; the text is normalised once, and a
  converter lists its processors in order once, not for every block;
- loading finds the end of each file's front matter with one search, reads each file with one call, and
  validates each issue without rebuilding lookup sets or deep-copying empty lists;
- a large build converts the changed markdown in other processes, started before the templates are even
  imported, while this one loads and checks the project; then it renders pages over every core;
- a page reads each template once a build, compiled templates are kept between builds (in the user's cache),
  long dates and month names are kept as Babel wrote them, and the signup form, the same on every page, is
  rendered once (`partial_cached`);
- a command's process ends without freeing its objects one by one, and imports a process pool only to use one;
  `build` given only flags is read without the command-line library, which takes longer to import than a small
  site's rebuild;
- the emails: each text is parsed for merge tags once, not again for each sample subscriber; the layouts'
  compiled code is kept as the site's is; the process that makes a first build's emails is forked before the
  project loads, imports what it needs meanwhile, and imports none of the site's templates and markdown; the
  sample journeys' simulation jumps to the next hour anyone can get something;
- the theme's files are listed once a build, and only a link among them is resolved;
- `serve` keeps what it loaded between saves.
"""


if __name__ == "__main__":
    main()
