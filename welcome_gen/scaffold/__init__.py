"""What `welcome-gen init` writes: a small, working project to start from.

The files live beside this module in `files/`. Hidden names are stored without their dot (`dot-gitignore`,
`dot-github/`) so that packaging tools, which skip hidden files, still ship them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from ..errors import UsageError
from ..folders import confined
from .pin import PLACEHOLDER, check_pin, installed_pin

HIDDEN_PREFIX = "dot-"


@dataclass(frozen=True)
class Scaffolded:
    root: Path
    files: list[str]  # relative paths, as written
    install: str  # what the workflows install
    pinned: bool  # False: the workflows install PLACEHOLDER until the author chooses


def default_name(folder: Path) -> str:
    """A business name guessed from the folder: `bramble-and-bolt` -> `Bramble And Bolt`."""
    words = re.split(r"[-_\s.]+", folder.resolve().name)
    return " ".join(w[:1].upper() + w[1:] for w in words if w) or "My Business"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "site"


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise UsageError("--name: the business name cannot be empty")
    if "\n" in name or "\r" in name:
        raise UsageError("--name: the business name must be one line")
    if "{{" in name or "{%" in name:
        raise UsageError("--name: the business name cannot contain '{{' or '{%' (emails read those as template code)")
    return name


def _files(root: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__":
            continue
        name = "." + entry.name[len(HIDDEN_PREFIX):] if entry.name.startswith(HIDDEN_PREFIX) else entry.name
        if entry.is_dir():
            found += _files(entry, f"{prefix}{name}/")
        else:
            found.append((f"{prefix}{name}", entry))
    return found


def _fill(text: str, name: str, folder: Path, install: str) -> str:
    # The name goes inside double quotes in YAML (hence the escaped form) and plain into markdown bodies.
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return (text.replace("__NAME_Q__", quoted).replace("__NAME__", name)
            .replace("__SLUG__", slug(folder.resolve().name)).replace("__INSTALL__", install)
            .replace("__TODAY__", date.today().isoformat()))


def init_project(dest: Path | str, name: str | None = None, force: bool = False,
                 install: str | None = None) -> Scaffolded:
    """Write a new project into `dest`; refuse a folder that has anything in it unless `force`.

    The workflows install `install` (checked by `pin.check_pin`), else the verifiable address this welcome-gen was
    installed from, else a placeholder that `check` points at.
    """
    dest = Path(dest)
    pin = check_pin(install) if install is not None else installed_pin()
    if dest.exists() and not dest.is_dir():
        raise UsageError(f"{dest}: exists and is not a folder")
    if dest.is_dir() and any(dest.iterdir()) and not force:
        raise UsageError(f"{dest}: the folder is not empty; choose an empty one, or pass --force to write "
                         "over the files init makes (others are left alone)")
    name = _check_name(name if name is not None else default_name(dest))
    written: list[str] = []
    files = _files(resources.files(__package__) / "files")
    for relpath, _ in files:  # every path is checked before the first is written
        confined(dest / relpath, dest)
    for relpath, source in files:
        target = dest / relpath
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_fill(source.read_text(encoding="utf-8"), name, dest, pin or PLACEHOLDER),
                              encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{exc.filename or target}: cannot write there: {exc.strerror or exc}") from None
        written.append(relpath)
    return Scaffolded(dest, written, pin or PLACEHOLDER, pin is not None)
