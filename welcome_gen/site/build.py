"""Project -> public/: gather the whole site, render what changed, write it all at once."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import Problem, ProjectError
from ..project import Project
from ..reporter import NullReporter, Reporter
from .check import site_problems
from .gather import Site, gather, today_at
from .output import Output, OutputFolder
from .theme import Theme
from .urls import Urls, output_file

_CODE = Path(__file__).resolve().parent


@dataclass
class BuildResult:
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


def build(project: Project, out: Path, *, drafts: bool = False, reporter: Reporter | None = None,
          live_reload: str | None = None, today: date | None = None) -> BuildResult:
    """Build the site into `out`; on any problem raise ProjectError and leave `out` as it was."""
    started = time.perf_counter()
    reporter = reporter or NullReporter()
    folder = OutputFolder(Path(out), project.root)  # refuses a folder that is not a site we built
    theme = Theme(project.root)
    site = gather(project, theme.assets(), drafts=drafts, today=today or today_at(project), live_reload=live_reload)
    problems = site_problems(project, site, theme)
    if any(p.is_error for p in problems):
        raise ProjectError([p for p in problems if p.is_error])

    planned = plan(site, theme)
    stale = [name for name, output in planned.items() if not folder.current(output)]
    fresh = render(site, theme, Urls(project.config.site.url), stale, reporter)
    pruned = folder.replace(list(planned.values()), fresh)

    return BuildResult(folder.out, len(fresh), len(planned) - len(fresh), len(pruned),
                       time.perf_counter() - started, sorted(fresh), problems)


def plan(site: Site, theme: Theme) -> dict[str, Output]:
    """Every file of the site with the digest of everything that shapes its bytes."""
    shared = _digest(json.dumps(site.shared, sort_keys=True).encode(), theme.digest().encode(), _code_digest())
    planned = {}
    for entry in site.entries:
        data = json.dumps([entry.template, entry.url_mode, entry.context], sort_keys=True, default=str)
        planned[output_file(entry.path)] = Output(output_file(entry.path),
                                                  _digest(shared.encode(), entry.path.encode(), data.encode()),
                                                  entry.inputs)
    for file in site.files:
        planned[file.path] = Output(file.path, _digest(file.source.read_bytes()), [file.shown])
    return planned


def render(site: Site, theme: Theme, urls: Urls, names: list[str], reporter: Reporter) -> dict[str, bytes]:
    """The bytes of each named file, all in memory, so nothing is written if any page fails."""
    wanted = set(names)
    fresh: dict[str, bytes] = {}
    with reporter.task("Rendering pages", len(wanted)) as task:
        for entry in site.entries:
            if output_file(entry.path) in wanted:
                fresh[output_file(entry.path)] = theme.render(entry, site.shared, urls)
                task.advance()
        for file in site.files:
            if file.path in wanted:
                fresh[file.path] = file.source.read_bytes()
                task.advance()
    return fresh


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big") + part)
    return h.hexdigest()


_code_cache: list[bytes] = []


def _code_digest() -> bytes:
    """A change to the site code renders every page again, so an upgrade never leaves stale pages."""
    if not _code_cache:
        import jinja2
        import markdown

        parts = [p.read_bytes() for p in sorted(_CODE.glob("*.py"))]
        parts.append(f"{jinja2.__version__} {markdown.__version__}".encode())
        _code_cache.append(_digest(*parts).encode())
    return _code_cache[0]
