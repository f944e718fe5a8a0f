"""The default theme, shipped as package data: page templates in `site/`, email layouts in `email/`.

A project overrides it file by file from its own `templates/`; a mistake in either is reported at the file the
author knows (`templates/site/base.html:12`, or `welcome_gen/theme/site/base.html:12` for the package's own).
"""

from __future__ import annotations

import traceback
from collections import Counter
from pathlib import Path
from typing import Iterable

from ..errors import Problem, rel

HERE = Path(__file__).resolve().parent
SITE, EMAIL = HERE / "site", HERE / "email"
# What a RecursionError while rendering means to an author.
ENDLESS = "this never ends (a template that includes or extends itself, or a macro that calls itself)"


def shown(filename: str | Path, project_root: Path) -> str:
    """A template's path as the author sees it: in the project, or in the package's theme."""
    path = Path(filename)
    if path.is_absolute() and path.is_relative_to(HERE):
        return "welcome_gen/theme/" + path.relative_to(HERE).as_posix()
    return rel(path, project_root)


def template_problem(exc: BaseException, dirs: Iterable[str | Path], project_root: Path, fallback: str,
                     message: str) -> Problem:
    """`message` at the template line where rendering stopped (the innermost frame in one of `dirs`, so an
    included file is named rather than the page that includes it); at `fallback` when no template frame is found."""
    prefixes = tuple(str(d) for d in dirs)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(prefixes)]
    if isinstance(exc, RecursionError) and frames:
        # Where the stack ran out depends on how deep it started; the lines that repeat do not. Of those, the
        # author's own last line: an include or a call, rather than the `extends` above it.
        seen = Counter((f.filename, f.lineno) for f in frames)
        loop = [where for where, count in seen.items() if count > 1] or list(seen)
        own = [where for where in loop if not Path(where[0]).is_relative_to(HERE)] or loop
        filename, line = max(own)
        return Problem(shown(filename, project_root), line, message)
    if frames:
        return Problem(shown(frames[-1].filename, project_root), frames[-1].lineno, message)
    return Problem(fallback, None, message)
