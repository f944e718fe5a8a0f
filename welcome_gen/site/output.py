"""The output folder: which files are still current, and an atomic swap to the new site.

Every output is recorded in a manifest inside the folder with the digest of what made it (its data, the
templates, the code) and the project files it came from. The next build renders only outputs whose digest
changed, links the others unchanged into a fresh folder beside the old one, then swaps the two: a build
that fails anywhere before the swap leaves the last good site exactly as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import WelcomeGenError

MANIFEST = ".welcome-gen-build.json"
PROTECTED = ("content", "templates", "sequences", "static")  # the author's own folders


@dataclass
class Output:
    """One file the build will have written: where, the digest of what made it, and from which files."""

    file: str  # relative to the output folder: "fit/index.html"
    digest: str
    inputs: list[str]


class OutputFolder:
    def __init__(self, out: Path, project_root: Path):
        self.out = Path(os.path.abspath(out))
        self._refuse_unsafe(project_root.resolve())
        self.previous: dict[str, dict[str, Any]] = self._read_manifest()

    def _refuse_unsafe(self, root: Path) -> None:
        out = self.out.resolve()
        if out == root or root.is_relative_to(out):
            raise WelcomeGenError(f"refusing to build into {out}: it holds the project itself; choose another --out")
        for name in PROTECTED:
            if out.is_relative_to(root / name):
                raise WelcomeGenError(f"refusing to build into {out}: it is inside the project's {name}/ folder")
        if out.exists() and not out.is_dir():
            raise WelcomeGenError(f"cannot build into {out}: it is a file, not a folder")
        if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
            raise WelcomeGenError(f"refusing to replace {out}: it is not empty and was not made by welcome-gen; "
                                  "empty it or choose another --out")

    def _read_manifest(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads((self.out / MANIFEST).read_text(encoding="utf-8"))
            return dict(data["outputs"])
        except (OSError, ValueError, KeyError, TypeError):
            return {}  # no earlier build, or an unreadable record: everything is rendered afresh

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
        return {p.relative_to(self.out).as_posix() for p in self.out.rglob("*") if p.is_file()} - {MANIFEST}

    def replace(self, outputs: list[Output], fresh: dict[str, bytes]) -> list[str]:
        """Make the folder hold exactly `outputs`; return the files removed because nothing makes them now."""
        pruned = sorted(self.existing() - {o.file for o in outputs})
        if not fresh and not pruned and self.out.is_dir():
            self._refresh_manifest(outputs)
            return []
        self.out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.new-", dir=self.out.parent))
        try:
            os.chmod(staging, 0o755)  # mkdtemp makes it private; a published site must be readable
            records = {o.file: self._place(staging, o, fresh) for o in outputs}
            _write_manifest(staging / MANIFEST, records)
            self._swap(staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
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

    def _refresh_manifest(self, outputs: list[Output]) -> None:
        records = {o.file: {**self.previous[o.file], "inputs": o.inputs} for o in outputs}
        if records != self.previous:
            _write_manifest(self.out / MANIFEST, records)

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


def _write_manifest(path: Path, records: dict[str, dict[str, Any]]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"version": 1, "outputs": records}, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
