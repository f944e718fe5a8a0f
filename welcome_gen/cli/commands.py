"""The full command line: one thin typer sub-app per command group, joined; every command and every option."""

from __future__ import annotations

import typer

from .. import __version__
from ..errors import ExitCode
from . import author, emails, emulator, mail, report, site, thank, theme
from . import console as _console

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


def run(args: list[str]) -> int:
    """Run the command line on `args`; its own exits and usage errors become exit codes, the rest is raised."""
    try:
        rv = app(args=args, standalone_mode=False, prog_name="welcome-gen")
        return rv if isinstance(rv, int) else 0
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        _console.err("aborted")
        return ExitCode.INTERRUPTED
    except _ClickException as exc:
        exc.show()
        return ExitCode.USAGE
