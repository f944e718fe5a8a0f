"""`welcome-gen check` and `welcome-gen build`: validate the project, build the site."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

import typer

from ..errors import ExitCode, Problem, UsageError
from . import console
from .console import PROJECT_DIR

if TYPE_CHECKING:
    from ..project import Project

app = typer.Typer()


def checkers() -> list[Callable[[Project], list[Problem]]]:
    """Every check `welcome-gen check` runs, in order; each returns its problems."""
    # Imported here, not at start-up: `welcome-gen --help` should not pay for the whole pipeline.
    from .. import email, site
    from ..delivery import events

    return [site.check, email.preflight, events.check]


@app.command()
def check(project_dir: Path = PROJECT_DIR) -> int:
    """Check every file of the project; print each problem as FILE:LINE: message."""
    from ..project import load_project

    project = load_project(project_dir)
    problems = sorted({p for checker in checkers() for p in checker(project)},
                      key=lambda p: (p.path, p.line or 0, p.message))
    for problem in problems:
        console.problem(problem)
    errors = sum(p.is_error for p in problems)
    if errors:
        console.err(f"{errors} problem(s) found")
        return ExitCode.PROBLEMS
    console.info(f"ok: {len(project.pages)} pages, {len(project.personas)} personas, {len(project.issues)} newsletter "
                 f"issues, {len(project.sequences)} sequences" + (f"; {len(problems)} warning(s)" if problems else ""))
    return ExitCode.OK


@app.command()
def build(
    project_dir: Path = PROJECT_DIR,
    out: Path = typer.Option(None, "--out", help="Where to write the site.", show_default="PROJECT_DIR/public"),
    emails_out: Path = typer.Option(None, "--emails-out", help="Where to write every email and its previews.",
                                    show_default="PROJECT_DIR/build/emails"),
    drafts: bool = typer.Option(False, "--drafts", help="Include drafts and future-dated issues."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing unless something is wrong."),
) -> int:
    """Build the website into public/, every email into build/emails/ and the sample subscribers' journeys into
    build/journeys/ (only what changed; atomic)."""
    from .. import email, site
    from ..delivery.journey_page import write_journeys
    from ..project import load_project
    from ..reporter import NullReporter, RichReporter

    project = load_project(project_dir)
    quiet = quiet or console.quiet()
    reporter = NullReporter() if quiet else RichReporter()
    site_dir = out or project.root / "public"
    emails_dir = emails_out or project.root / "build" / "emails"
    site.OutputFolder(site_dir, project.root)  # an unusable --out is refused before anything is written
    journeys_dir = emails_dir.parent / "journeys"
    _refuse_overlap(site_dir, emails_dir, journeys_dir)
    # Emails first: they hold no subscriber data and go outside the site folder; an email error stops the
    # build before the site is touched.
    email.write_emails(project, emails_dir, reporter=reporter)
    write_journeys(project, journeys_dir, emails_dir)  # the sample subscribers' calendars
    result = site.build(project, site_dir, drafts=drafts, reporter=reporter)
    for problem in result.warnings:
        console.problem(problem)
    if not quiet:
        console.info(f"{result.summary()}; emails in {emails_dir}, sample journeys in {journeys_dir}")
    return ExitCode.OK


def _refuse_overlap(site_dir: Path, emails_dir: Path, journeys_dir: Path) -> None:
    """The site is published as it is: the email previews and journeys (written beside them) stay out of it."""
    a = site_dir.resolve()
    for other in (emails_dir, journeys_dir):
        b = other.resolve()
        if a.is_relative_to(b) or b.is_relative_to(a):
            raise UsageError(f"--out {site_dir} and --emails-out {emails_dir} overlap (the emails and the sample "
                             f"journeys in {journeys_dir} must stay out of the published site); choose two "
                             "separate folders")
