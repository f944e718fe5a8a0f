"""Templates compiled once and kept between runs, with Jinja's own bytecode cache.

Compiling the few templates a page uses takes a build that renders one page (an edit) longer than rendering it.
The compiled code is kept in the user's own cache folder, never in the project: a project is not trusted to run
code (its templates run sandboxed), and code it carried in a cache folder of its own would run unchecked.

Jinja names each file by the template's name and path and checks it against the digest of the template's text, the
Python version and its own format, and compiles again on any mismatch or a file it cannot read. The folder is also
named after this package's code version and Jinja's release, so the code a template compiles to under one
environment is never taken by another. A folder that cannot be made or written is no error: templates compile as
they would without one.
"""

from __future__ import annotations

import os
import shutil
import stat
import time
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from jinja2.bccache import Bucket

KEEP_DAYS = 7  # another version's compiled templates, unused this long, are removed (each upgrade makes a folder)


class CompiledTemplates(FileSystemBytecodeCache):
    """Jinja's file-system bytecode cache, where a failure to read or write a file only means compiling again."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def compiled_templates(kind: str) -> CompiledTemplates | None:
    """The cache for the templates of one environment (`kind`: "site"), or None where there can be none."""
    import jinja2

    folder = kept_folder(f"{kind}-{{code}}-jinja-{jinja2.__version__}")
    return None if folder is None else CompiledTemplates(str(folder))


def kept_folder(name: str) -> Path | None:
    """A folder of the user's cache for what the theme's files compile or parse to, named `name` with `{code}`
    standing for this package's code version; None where there can be none, or where it is not this user's
    alone (nothing is then read from it). Making one removes other versions' folders unused for a week."""
    from ..cache import code_version, user_cache

    base = user_cache() / "templates"
    folder = base / name.format(code=code_version()[:16])
    try:
        fresh = not folder.is_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        found = os.lstat(folder)
        if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o022:
            return None  # not a folder of this user's alone: nothing is read from it
        if fresh:
            _prune(base, folder)
        else:
            os.utime(folder)  # in use: kept
    except (OSError, AttributeError):  # no writable cache folder (or no user ids, on Windows: not used)
        return None
    return folder


def _prune(base: Path, keep: Path) -> None:
    """Other versions' folders not used for KEEP_DAYS."""
    old = time.time() - KEEP_DAYS * 86400
    for other in base.iterdir():
        try:
            if other != keep and other.is_dir() and not other.is_symlink() and other.stat().st_mtime < old:
                shutil.rmtree(other, ignore_errors=True)
        except OSError:
            pass
