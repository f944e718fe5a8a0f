"""The output folder: which files are still current, and an atomic swap to the new site.

Every output is recorded, beside the folder (see `welcome_gen.folders`), with the digest of what made it (its data,
the templates, the code) and the project files it came from. The next build renders only outputs whose digest
changed, links the others unchanged into a fresh folder beside the old one, then swaps the two: a build
that fails anywhere before the swap leaves the last good site exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import folders
from ..errors import WelcomeGenError

# Earlier builds kept the record inside the published folder; one found there still marks the folder as ours,
# and the next swap leaves it behind.
LEGACY_RECORD = ".welcome-gen-build.json"


@dataclass
class Output:
    """One file the build will have written: where, the digest of what made it, and from which files."""

    file: str  # relative to the output folder: "fit/index.html"
    digest: str
    inputs: list[str]


class OutputFolder:
    def __init__(self, out: Path, project_root: Path):
        out = Path(os.path.abspath(out))
        record = folders.record_path(out)
        if not record.is_file() and (out / LEGACY_RECORD).is_file():
            record = out / LEGACY_RECORD
        self.out = folders.claim(out, project_root, made_by_us=record.is_file())
        self.previous: dict[str, dict[str, Any]] = _outputs(folders.read_record(record))

    def current(self, output: Output) -> bool:
        """Is the file from the last build still there, untouched, and made from the same data?"""
        record = self.previous.get(output.file)
        if not record or record.get("digest") != output.digest:
            return False
        try:
            stat = (self.out / output.file).stat()
        except OSError:
            return False
        return stat.st_size == record.get("size") and stat.st_mtime_ns == record.get("mtime_ns")

    def existing(self) -> set[str]:
        if not self.out.is_dir():
            return set()
        return {p.relative_to(self.out).as_posix() for p in self.out.rglob("*") if p.is_file()}

    def replace(self, outputs: list[Output], fresh: dict[str, bytes]) -> list[str]:
        """Make the folder hold exactly `outputs`; return the files removed because nothing makes them now."""
        pruned = sorted(self.existing() - {o.file for o in outputs})
        if not fresh and not pruned and self.out.is_dir():
            self._refresh_record(outputs)
            return []
        self.out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.new-", dir=self.out.parent))
        try:
            os.chmod(staging, 0o755)  # mkdtemp makes it private; a published site must be readable
            records = {o.file: self._place(staging, o, fresh) for o in outputs}
            self._swap(staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        # Written after the swap: a crash between the two leaves an older record, whose sizes and modification
        # times no longer match the new files, so those are rendered again; never a stale page kept.
        _write_record(self.out, records)
        return pruned

    def _place(self, staging: Path, output: Output, fresh: dict[str, bytes]) -> dict[str, Any]:
        target = staging / output.file
        if not target.resolve().is_relative_to(staging.resolve()):  # slugs are checked; this is the last guard
            raise WelcomeGenError(f"refusing to write {output.file}: it is outside the output folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        if output.file in fresh:
            target.write_bytes(fresh[output.file])
        else:
            try:  # a hard link keeps the unchanged file as it is: same bytes, same modification time
                os.link(self.out / output.file, target)
            except OSError:
                shutil.copy2(self.out / output.file, target)
        stat = target.stat()
        return {"digest": output.digest, "inputs": output.inputs, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}

    def _refresh_record(self, outputs: list[Output]) -> None:
        records = {o.file: {**self.previous[o.file], "inputs": o.inputs} for o in outputs}
        if records != self.previous or not folders.record_path(self.out).is_file():
            _write_record(self.out, records)

    def _swap(self, staging: Path) -> None:
        if not self.out.exists():
            os.rename(staging, self.out)
            return
        old = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.old-", dir=self.out.parent))
        os.rmdir(old)
        os.rename(self.out, old)
        try:
            os.rename(staging, self.out)
        except OSError:
            os.rename(old, self.out)
            raise
        shutil.rmtree(old, ignore_errors=True)


def _write_record(out: Path, records: dict[str, dict[str, Any]]) -> None:
    folders.write_record(out, {"version": 1, "outputs": records})


def _outputs(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    try:
        return dict(record["outputs"])
    except (KeyError, TypeError, ValueError):
        return {}  # no earlier build, or an unreadable record: everything is rendered afresh
