"""The `welcome-gen` command: joins one thin sub-app per command group."""

from __future__ import annotations

import atexit
import gc
import os
import sys


def _leave() -> None:
    """The last thing a `welcome-gen` process does, after every other exit handler: end it without freeing each of
    its objects one by one, which takes a large build a tenth of a second or more and changes nothing on disk
    (every file is closed by then, and the two streams are flushed here)."""
    if _exit_code:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(_exit_code[0])


_exit_code: list[int] = []
atexit.register(_leave)  # registered before anything else is imported, so it runs after their exit handlers

# Importing the commands makes tens of thousands of objects that live as long as the process and next to no garbage:
# the cyclic collector's passes over them meanwhile (about a tenth of the import, measured) find nothing to free.
_collecting = gc.isenabled()
gc.disable()
try:
    import typer

    from .. import __version__
    from ..errors import REPORT_BUG, ExitCode, ProjectError, WelcomeGenError
    from . import author, emails, emulator, mail, report, site, thank, theme
    from . import console as _console
finally:
    if _collecting:
        gc.enable()

app = typer.Typer(
    name="welcome-gen",
    help="Build a site that says who you're a good fit for, and welcome every subscriber exactly once.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"welcome-gen {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Exit codes: 0 ok, 1 the project has problems, 2 usage, 3 Mailchimp refused or unreachable, 4 partly delivered,
    70 internal error (a bug in welcome-gen), 130 interrupted."""


# Each group module owns its commands; they import their stages inside each command, so `--help` stays fast.
for _group in (site, emails, author, theme, mail, report, thank, emulator):
    app.add_typer(_group.app)

# typer from 0.2x carries its own copy of click and older releases use click itself; take the usage-error class
# from typer's own exceptions so both are caught (catching `click.ClickException` misses typer's copy).
_ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turn known errors into one-line messages and stable exit codes."""
    _console.ENDS_AFTER[0] = argv is None
    try:
        rv = app(args=argv, standalone_mode=False, prog_name="welcome-gen")
        code = rv if isinstance(rv, int) else 0
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.Abort:
        _console.err("aborted")
        code = ExitCode.INTERRUPTED
    except _ClickException as exc:
        exc.show()
        code = ExitCode.USAGE
    except ProjectError as exc:
        for problem in exc.problems:
            _console.problem(problem)
        _console.err(f"{sum(p.is_error for p in exc.problems)} problem(s) found")
        code = exc.exit_code
    except WelcomeGenError as exc:
        _console.err(str(exc))
        code = exc.exit_code
    except KeyboardInterrupt:
        _console.err("interrupted")
        code = ExitCode.INTERRUPTED
    except Exception as exc:  # a bug: say so in one line unless debugging is asked for
        if os.environ.get("WELCOME_GEN_DEBUG"):
            raise
        _console.err(f"internal error: {type(exc).__name__}: {exc}")
        _console.err(REPORT_BUG)
        code = ExitCode.INTERNAL
    if argv is None:  # the command itself, not a caller in Python: the process ends here
        _exit_code.append(int(code))
        sys.exit(int(code))
    return int(code)
