"""Terminal output shared by every command: problems, errors, summaries."""

from __future__ import annotations

import os
from datetime import datetime

from typing import Any

from ..errors import Problem, UsageError

# stderr for diagnostics so stdout stays clean for output a script may read. Nearly everything printed carries
# text the author wrote (subjects, tags like `wg:birthday:gift`, names), so rich reads none of it: no markup
# (`[bold]`), no emoji codes (`:gift:`), no highlighting. Colour comes only from explicit styles.
LITERAL = {"markup": False, "emoji": False, "highlight": False}
_consoles: dict[str, Any] = {}


def _console(name: str) -> Any:
    """The rich console for `name` (stdout or stderr), made on first use: a quiet command never imports rich."""
    if name not in _consoles:
        from rich.console import Console

        _consoles[name] = Console(stderr=name == "stderr", soft_wrap=True, **LITERAL)
    return _consoles[name]


def __getattr__(name: str) -> Any:
    """`console.stdout` and `console.stderr`, for commands that print tables."""
    if name in ("stdout", "stderr"):
        return _console(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def problem(p: Problem) -> None:
    style = "red" if p.is_error else "yellow"
    _console("stderr").print(str(p), style=style, markup=False)


def err(message: str) -> None:
    _console("stderr").print(f"error: {message}", style="red", markup=False)


def warn(message: str) -> None:
    _console("stderr").print(f"warning: {message}", style="yellow", markup=False)


def info(message: str) -> None:
    _console("stdout").print(message, markup=False)


def quiet() -> bool:
    return bool(os.environ.get("WELCOME_GEN_QUIET"))


# Set when the command runs as the `welcome-gen` process itself, which ends as soon as the command is done (not
# when a caller in Python runs it): what is made for the rest of the process's life need not be tidied.
ENDS_AFTER = [False]


def iso_time(option: str, text: str) -> datetime:
    """A time given as an option (ISO 8601, UTC unless it names an offset); else a usage error naming the option."""
    from ..mailchimp.reads import parse_time

    moment = parse_time(text)
    if moment is None:
        raise UsageError(f"{option}: '{text}' is not an ISO 8601 time, e.g. 2027-03-01T09:00:00Z")
    return moment
