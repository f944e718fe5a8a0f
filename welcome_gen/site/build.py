"""Project -> public/: gather the whole site, work out what changed, render only that.

The project-level build (`welcome_gen.build`) runs these as its site stages: `prepare` gathers and checks,
`render` fills a staging folder. `build` here runs the site alone, for callers that want only the site.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import Problem, ProjectError
from ..folders import Output, OutputFolder, Staging
from ..project import Project
from ..reporter import NullReporter, Reporter
from .check import site_problems
from .gather import Digested, Site, gather, today_at
from ..cache import MarkdownStore, WordStore
from .pages import render_pages
from .theme import Theme
from .urls import Urls, output_file

_CODE = Path(__file__).resolve().parent


@dataclass
class BuildResult:
    """What one site build did: how many files it wrote, kept and removed, how long it took, and its warnings."""

    out: Path
    written: int  # files rendered or copied this time
    unchanged: int  # files kept exactly as the last build left them
    pruned: int  # files removed because nothing makes them any more
    seconds: float
    written_files: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # e.g. a link to a draft: built, but worth a look

    @property
    def total(self) -> int:
        return self.written + self.unchanged

    def summary(self) -> str:
        return (f"Built {self.total} files ({self.written} written, {self.unchanged} unchanged, {self.pruned} removed) "
                f"in {self.seconds:.2f} s -> {self.out}")


@dataclass
class SitePlan:
    """The whole site as data, checked, with the digest of everything that shapes each file's bytes."""

    site: Site
    theme: Theme
    urls: Urls
    outputs: dict[str, Output]
    problems: list[Problem]  # errors and warnings

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def prepare(project: Project, *, drafts: bool = False, today: date | None = None,
            live_reload: str | None = None, theme_checked: str | None = None, keep_compiled: bool = False,
            words: WordStore | None = None) -> SitePlan:
    """Gather every page of the site and check it; nothing is rendered yet. `theme_checked`: the fingerprint of
    templates an earlier build compiled without a problem (they are not compiled again to check them);
    `keep_compiled`: compiled templates are kept between builds; `words`: dates as Babel wrote them before."""
    theme = Theme(project.root, keep_compiled=keep_compiled, words=words)
    site = gather(project, theme.assets(), drafts=drafts, today=today or today_at(project), live_reload=live_reload)
    return SitePlan(site, theme, Urls(project.config.site.url), plan(site, theme),
                    site_problems(project, site, theme, theme_checked))


def render(site_plan: SitePlan, folder: OutputFolder, staging: Staging, markdown: MarkdownStore | None,
           reporter: Reporter, *, jobs: int | None = None) -> list[str]:
    """Render every file that is not current into `staging` (over `jobs` processes); return their names."""
    stale = [name for name, output in site_plan.outputs.items() if not folder.current(output)]
    staging.about_to_write(stale)  # a staging folder filled beforehand holds links to the live files: out first
    render_pages(site_plan.site, site_plan.theme, site_plan.urls, stale, staging, markdown, reporter, jobs)
    return stale


def build(project: Project, out: Path, *, drafts: bool = False, reporter: Reporter | None = None,
          live_reload: str | None = None, today: date | None = None) -> BuildResult:
    """Build the site alone into `out`; on any problem raise ProjectError and leave `out` as it was."""
    started = time.perf_counter()
    reporter = reporter or NullReporter()
    folder = OutputFolder(Path(out), project.root)  # refuses a folder that is not a site we built
    site_plan = prepare(project, drafts=drafts, today=today, live_reload=live_reload)
    if site_plan.errors:
        raise ProjectError(site_plan.errors)
    staging = folder.stage()
    try:
        fresh = render(site_plan, folder, staging, None, reporter)
    except BaseException:
        staging.discard()
        raise
    pruned = staging.commit(list(site_plan.outputs.values()))
    return result_of(folder, site_plan, fresh, pruned, time.perf_counter() - started)


def result_of(folder: OutputFolder, site_plan: SitePlan, fresh: list[str], pruned: list[str],
              seconds: float) -> BuildResult:
    return BuildResult(folder.out, len(fresh), len(site_plan.outputs) - len(fresh), len(pruned), seconds,
                       sorted(fresh), site_plan.problems)


def plan(site: Site, theme: Theme) -> dict[str, Output]:
    """Every file of the site with the digest of everything that shapes its bytes."""
    shared = _digest(json.dumps(site.shared, sort_keys=True).encode(), theme.digest().encode(),
                     code_digest()).encode()
    encode = json.JSONEncoder(sort_keys=True, default=_digestible).encode  # one encoder for every page
    planned = {}
    for entry in site.entries:
        file = output_file(entry.path)
        data = encode([entry.template, entry.url_mode, entry.context]).encode()
        planned[file] = Output(file, _digest(shared, entry.path.encode(), data), entry.inputs)
    for file in site.files:
        planned[file.path] = Output(file.path, _digest(file.source.read_bytes()), [file.shown])
    return planned


def _digestible(value: Any) -> str:
    """What stands for `value` in a page's digest: a body by the digest of its text, an issue's card by the
    digest of its data, anything else as text."""
    return value.digest() if isinstance(value, Digested) else str(value)


def _digest(*parts: bytes) -> str:
    """Each part with its length first: no two lists of parts digest alike by moving a boundary."""
    return hashlib.sha256(b"".join(len(part).to_bytes(8, "big") + part for part in parts)).hexdigest()


_code_cache: list[bytes] = []


def code_digest() -> bytes:
    """A change to the site code renders every page again, so an upgrade never leaves stale pages."""
    if not _code_cache:
        import jinja2
        import markdown

        parts = [p.read_bytes() for p in sorted(_CODE.glob("*.py"))]
        parts.append(f"{jinja2.__version__} {markdown.__version__}".encode())
        _code_cache.append(_digest(*parts).encode())
    return _code_cache[0]
