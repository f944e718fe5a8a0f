"""The `welcome-gen` command: `build` given plainly runs at once; anything else goes to the full command line."""

from __future__ import annotations

import atexit
import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


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


@contextmanager
def _importing() -> Iterator[None]:
    """Importing the commands makes tens of thousands of objects that live as long as the process and next to no
    garbage: the cyclic collector's passes over them meanwhile (about a tenth of the import, measured) find
    nothing to free, so it waits until the import is done."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


with _importing():
    from ..errors import REPORT_BUG, ExitCode, ProjectError, WelcomeGenError
    from . import building
    from . import console as _console


def __getattr__(name: str):
    """`app`, the typer application, imported when first asked for: `welcome-gen build` runs without it."""
    if name == "app":
        from .commands import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the command, turn known errors into one-line messages and stable exit codes."""
    _console.ENDS_AFTER[0] = argv is None
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        plain = building.plain(args)
        if plain is not None:  # the command an author runs most, read without loading the whole command line
            code = building.run(**plain)
        else:
            code = _full(args)
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


def _full(args: list[str]) -> int:
    with _importing():
        from .commands import run
    return run(args)
