"""What `welcome-gen build` does, apart from how its command line is read.

`build` is the command an author runs after every edit, and the full command line (typer, and the click it
carries) takes longer to import than a small site takes to rebuild. Given plainly (only flags, and at most the
project folder), `build` is read here and run without it; anything else (`--help`, an option with a value, an
option this does not know) goes to the full command line, which reads it exactly as it always has."""

from __future__ import annotations

from pathlib import Path

from ..errors import ExitCode
from . import console

# The flags of `build` (see `cli/site.py`, which declares them for the full command line and its --help).
_FLAGS = {"--drafts": "drafts", "--clean": "clean", "--quiet": "quiet", "-q": "quiet"}


def plain(args: list[str]) -> dict | None:
    """The options of `build ARGS` if they are given plainly (each known flag at most once, and at most one project
    folder not written like an option), as the full command line reads them; otherwise None."""
    if not args or args[0] != "build":
        return None
    options = {"project_dir": Path("."), "out": None, "emails_out": None, "jobs": None,
               "drafts": False, "clean": False, "quiet": False}
    folders = 0
    for arg in args[1:]:
        name = _FLAGS.get(arg)
        if name is not None and not options[name]:
            options[name] = True
        elif arg and not arg.startswith("-") and folders == 0:
            options["project_dir"], folders = Path(arg), 1
        else:
            return None
    return options


def run(project_dir: Path, out: Path | None, emails_out: Path | None, drafts: bool, clean: bool, jobs: int | None,
        quiet: bool) -> int:
    """Build the website, every email and the sample subscribers' journeys; print the summary unless quiet."""
    import gc

    from ..build import Options, Targets, build as build_project
    from ..reporter import NullReporter, RichReporter

    if console.ENDS_AFTER[0]:
        # The build pauses the cyclic garbage collector while it runs; this process ends soon after it, so the
        # collector stays off: once on, its first pass would walk everything the build made, to free next to nothing.
        gc.disable()

    from ..scaffold.placeholders import refuse_in_ci

    refuse_in_ci(project_dir)  # a CI build never publishes init's stand-ins; `check` only warns about them
    quiet = quiet or console.quiet()
    targets = Targets.of(project_dir.absolute(), out, emails_out)
    result = build_project(project_dir, targets, Options(drafts=drafts, clean=clean, jobs=jobs),
                           NullReporter() if quiet else RichReporter())
    for problem in result.warnings:
        console.problem(problem)
    if not quiet:
        console.info(f"{result.summary()}; emails in {targets.emails}, sample journeys in {targets.journeys}")
    return ExitCode.OK
