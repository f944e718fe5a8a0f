"""The folders welcome-gen writes into: never the project's own files, and only folders it made; and the one way
a file in them is replaced, atomically.

Each output folder's record (what made each file) lives beside it, in `.welcome-gen/<folder name>.json`, not inside
it: the site folder is published as it is, and the record names the project's files, drafts included.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .errors import UsageError

AUTHOR_FOLDERS = ("content", "templates", "sequences", "static")
RECORDS = ".welcome-gen"


def record_path(out: Path) -> Path:
    """Where the record of the output folder `out` is kept: beside it, never inside it."""
    return out.parent / RECORDS / f"{out.name}.json"


def claim(out: Path, project_root: Path, *, made_by_us: bool) -> Path:
    """`out` as an absolute path, once it is safe to replace wholesale; else a one-line usage error.

    `made_by_us` says the caller recognises a non-empty `out` as its own earlier output (its record is there).
    """
    out = Path(os.path.abspath(out))
    real, root = out.resolve(), project_root.resolve()
    if real == root or root.is_relative_to(real):
        raise UsageError(f"refusing to write into {out}: it holds the project itself; choose another folder")
    for name in AUTHOR_FOLDERS:
        if real.is_relative_to(root / name):
            raise UsageError(f"refusing to write into {out}: it is inside the project's {name}/ folder")
    if out.exists() and not out.is_dir():
        raise UsageError(f"cannot write into {out}: it is a file, not a folder")
    if out.is_dir() and not made_by_us and any(out.iterdir()):
        raise UsageError(f"refusing to replace {out}: it is not empty and was not made by welcome-gen; "
                         "empty it or choose another folder")
    return out


def read_record(path: Path) -> dict[str, Any]:
    """A record as written by `write_record`; empty when there is none or it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_record(out: Path, data: dict[str, Any]) -> None:
    """Replace the record of `out` atomically."""
    write_atomic(record_path(out), json.dumps(data, indent=1, sort_keys=True))


def write_atomic(path: Path, data: str | bytes) -> None:
    """Replace `path` with `data` (text as UTF-8, line ends as given), making its folder if need be.

    Written beside it, then renamed over it: a reader, or a crash, sees the old file or the new one, never half.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
