"""`welcome-gen check` and `welcome-gen build`: validate the project, build the site."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import ExitCode
from . import console
from .params import PROJECT_DIR

app = typer.Typer()


@app.command()
def check(project_dir: Path = PROJECT_DIR) -> int:
    """Check every file of the project; print each problem as FILE:LINE: message."""
    from ..build import checkers, load

    project = load(project_dir)
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
    clean: bool = typer.Option(False, "--clean", help="Ignore the build cache and make every file afresh."),
    jobs: int = typer.Option(None, "--jobs", "-j", min=1, show_default="as many as pay",
                             help="Processes rendering pages (a large site uses every core)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing unless something is wrong."),
) -> int:
    """Build the website into public/, every email into build/emails/ and the sample subscribers' journeys into
    build/journeys/ (only what changed; nothing is written unless everything builds)."""
    from .building import run

    return run(project_dir, out, emails_out, drafts, clean, jobs, quiet)
