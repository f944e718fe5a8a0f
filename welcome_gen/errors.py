"""Problems, errors and the stable exit codes every command uses."""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Exit codes are part of the interface: CI scripts branch on them."""

    OK = 0
    PROBLEMS = 1  # the project has problems (check found errors, bad input)
    USAGE = 2  # bad command-line usage
    MAILCHIMP = 3  # Mailchimp refused or is unreachable
    PARTIAL = 4  # partly delivered; the next run repairs it
    INTERNAL = 70  # a bug in welcome-gen (EX_SOFTWARE of sysexits.h); the message says how to see the traceback
    INTERRUPTED = 130  # stopped by Ctrl-C (128 + SIGINT, as shells report it); re-running it is safe


# Where an internal error asks to be reported.
REPORT_BUG = ("this is a bug in welcome-gen, not a mistake in your project: please report it in welcome-gen's issue "
              "tracker with the command you ran and the traceback that WELCOME_GEN_DEBUG=1 prints")


@dataclass(frozen=True, order=True)
class Problem:
    """One finding about the author's files, printed as `path:line: message`."""

    path: str
    line: int | None
    message: str
    level: str = "error"  # "error" blocks; "warning" is printed

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        prefix = "" if self.level == "error" else f"{self.level}: "
        return f"{where}: {prefix}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.level == "error"


def rel(path: Path | str, root: Path | None = None) -> str:
    """A path as the author knows it: relative to the project root when possible."""
    p = Path(path)
    if root is not None:
        # The path as written first (a symbolic link is named by its own name), then as resolved.
        try:
            return Path(os.path.abspath(p)).relative_to(os.path.abspath(root)).as_posix()
        except ValueError:
            pass
        try:  # resolved only when the path as written is not under the root: resolving costs a call per part
            return p.resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            pass
    return p.as_posix()


class WelcomeGenError(Exception):
    """Base for errors that end a command with a clear message and an exit code."""

    exit_code: ExitCode = ExitCode.PROBLEMS


class ProjectError(WelcomeGenError):
    """The project has problems; carries every one of them."""

    exit_code = ExitCode.PROBLEMS

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.path, p.line or 0, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(WelcomeGenError):
    exit_code = ExitCode.USAGE
