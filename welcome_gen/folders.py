"""The folders welcome-gen writes into: never the project's own files, and only folders it made; each replaced
as a whole, atomically; and the one way a single file is replaced, atomically too.

Each output folder's record (what made each file) lives beside it, in `.welcome-gen/<folder name>.json`, not inside
it: the site folder is published as it is, and the record names the project's files, drafts included.

A build stages every output folder: the files that changed are written into a fresh folder beside the old one,
the unchanged ones hard-linked into it, and only once every folder is staged is each swapped for the old one.
A build that fails anywhere before the swap leaves the last good output exactly as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from .errors import UsageError, WelcomeGenError

AUTHOR_FOLDERS = ("content", "templates", "sequences", "static")
RECORDS = ".welcome-gen"


def record_path(out: Path) -> Path:
    """Where the record of the output folder `out` is kept: beside it, never inside it."""
    return out.parent / RECORDS / f"{out.name}.json"


def confined(path: Path, project_root: Path) -> Path:
    """`path` as an absolute path, once no symbolic link inside the project leads it elsewhere; else a usage error.

    A link can be committed like any file: followed, it would have welcome-gen write outside the project, or put
    subscribers' data (a digest, a report) into the published site. Paths outside the project are the user's own
    choice (`--out /tmp/site`) and are taken as they are.
    """
    path, root = Path(os.path.abspath(path)), Path(os.path.abspath(project_root))
    if path.is_relative_to(root):
        for part in [path, *path.parents]:
            if part == root:
                break
            if part.is_symlink():
                raise UsageError(f"refusing to write {path}: {part} is a symbolic link; welcome-gen writes only "
                                 "through real folders (remove the link)")
    return path


def claim(out: Path, project_root: Path, *, made_by_us: bool, contents: bool = True) -> Path:
    """`out` as an absolute path, once it is safe to replace wholesale; else a one-line usage error.

    `made_by_us` says the caller recognises a non-empty `out` as its own earlier output (its record is there).
    Without `contents`, what the folder holds is not looked through for links (a caller that writes nothing yet).
    """
    out = confined(out, project_root)
    confined(record_path(out), out.parent)
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
    if contents and out.is_dir():
        files_in(out)
    return out


def files_in(out: Path) -> set[str]:
    """The names of the files in the output folder `out`, relative to it; a usage error if one is a link."""
    found = set()
    for name, entry in entries(out):  # links listed, never followed
        if entry.is_symlink():
            raise UsageError(f"refusing to write into {out}: it holds a symbolic link, {entry.path}, which "
                             "welcome-gen never makes (remove it)")
        found.add(name)
    return found


def entries(top: Path | str, *, unreadable_ok: bool = False) -> Iterator[tuple[str, os.DirEntry]]:
    """(name relative to `top`, entry) for everything under `top` that is not a folder, links included and never
    followed; one scan per folder, no call per file. `unreadable_ok`: a folder that may not be read is passed
    over (as `Path.rglob` does) rather than an error."""
    stack = [(os.fspath(top), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            found = os.scandir(folder)
        except PermissionError:
            if unreadable_ok:
                continue
            raise
        with found:
            for entry in found:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, f"{prefix}{entry.name}/"))
                else:
                    yield f"{prefix}{entry.name}", entry


def read_record(path: Path) -> dict[str, Any]:
    """A record as written by `write_record`; empty when there is none or it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_record(out: Path, data: dict[str, Any]) -> None:
    """Replace the record of `out` atomically."""
    # One line, by the C encoder: an indented record of a large site costs seconds and megabytes to write.
    write_atomic(record_path(out), json.dumps(data, sort_keys=True, separators=(",", ":")))


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


@dataclass
class Output:
    """One file an output folder will hold: where, the digest of what made it, and from which project files."""

    file: str  # relative to the output folder: "fit/index.html"
    digest: str
    inputs: list[str]


class OutputFolder:
    """An output folder claimed for writing, with the record of what its last build made from what."""

    def __init__(self, out: Path, project_root: Path, *, made_by_us: bool = False, clean: bool = False):
        """`made_by_us`: the caller recognises `out` as its own; `clean`: trust nothing of the last build."""
        out = Path(os.path.abspath(out))
        record = record_path(out)
        if not record.is_file() and (out / LEGACY_RECORD).is_file():
            record = out / LEGACY_RECORD
        self.out = claim(out, project_root, made_by_us=made_by_us or record.is_file(), contents=False)
        self.found = files_in(self.out) if self.out.is_dir() else set()  # what it holds now, looked through once
        data = {} if clean else read_record(record)
        self.previous: dict[str, dict[str, Any]] = _outputs(data)
        self.made_from: str | None = data.get("made_from") if isinstance(data.get("made_from"), str) else None
        self.intact: set[str] | None = None  # the recorded files found as recorded, once all are looked over

    def look_over(self) -> OutputFolder:
        """Ask of every recorded file at once whether it is still as recorded (a large build does this in another
        process while it loads the project)."""
        self.intact = {name for name, record in self.previous.items() if self._as_recorded(name, record)}
        return self

    def current(self, output: Output) -> bool:
        """Is the file from the last build still there, untouched, and made from the same data?"""
        record = self.previous.get(output.file)
        return bool(record) and record.get("digest") == output.digest and self._intact(output.file, record)

    def unchanged(self, made_from: str) -> list[Output] | None:
        """The outputs of the last build when it was made from `made_from` and every file is still intact."""
        if self.made_from != made_from or not self.previous:
            return None
        if not all(self._intact(name, record) for name, record in self.previous.items()):
            return None
        return [Output(name, r.get("digest", ""), list(r.get("inputs", []))) for name, r in self.previous.items()]

    def _intact(self, name: str, record: dict[str, Any]) -> bool:
        return name in self.intact if self.intact is not None else self._as_recorded(name, record)

    def _as_recorded(self, name: str, record: dict[str, Any]) -> bool:
        try:
            stat = os.stat(os.path.join(self.out, name))
        except OSError:
            return False
        return stat.st_size == record.get("size") and stat.st_mtime_ns == record.get("mtime_ns")

    def existing(self) -> set[str]:
        return set(self.found)

    def stage(self) -> Staging:
        """A fresh folder beside this one, to fill with the next build's files."""
        return Staging(self)


class Staging:
    """The next contents of an output folder, written beside it; `commit` swaps it in, `discard` drops it."""

    def __init__(self, folder: OutputFolder):
        self.folder = folder
        self.written: list[str] = []
        self._dir: Path | None = None
        self._made: set[str] = set()  # folders made inside it so far
        self.removing: threading.Thread | None = None  # the old folder, being removed after the swap
        # Files linked in from the live folder before anything was rendered (`prefill`): the same files, so each
        # is taken out before its name is written, and those nothing makes any more before the swap.
        self.prelinked: set[str] = set()

    @property
    def dir(self) -> Path:
        if self._dir is None:
            parent = self.folder.out.parent
            parent.mkdir(parents=True, exist_ok=True)
            _sweep(parent, self.folder.out.name)
            self._dir = Path(tempfile.mkdtemp(prefix=f".{self.folder.out.name}.new-{os.getpid()}-", dir=parent))
            self._made = set()
            os.chmod(self._dir, 0o755)  # mkdtemp makes it private; a published site must be readable
        return self._dir

    def target(self, name: str) -> Path:
        """Where `name` goes in the staging folder, its folder made; never outside it."""
        return inside(self.dir, name, self._made)

    def adopt(self, path: str, linked: set[str], made: set[str]) -> None:
        """Take on the staging folder `prefill` made at `path`, holding links to the live files `linked`."""
        self._dir, self._made, self.prelinked = Path(path), made, set(linked)

    def about_to_write(self, names: list[str]) -> None:
        """Before `names` are written (here or by other processes; the site's render asks for every stale file
        at once): a link to a live file under one of them is taken out first, so the write makes a new file and
        never changes the published one."""
        if self.prelinked:
            for name in names:
                if name in self.prelinked:
                    os.unlink(_inside(os.fspath(self.dir), name, self._made))
                    self.prelinked.discard(name)

    def put(self, name: str, data: bytes) -> None:
        self.target(name).write_bytes(data)
        self.written.append(name)

    def wrote(self, names: list[str]) -> None:
        """Files written into `dir` by other means (a copy, a worker process)."""
        self.written += names

    def commit(self, outputs: list[Output], made_from: str | None = None, *, wait: bool = True,
               later: bool = False) -> list[str]:
        """Make the folder hold exactly `outputs` (those not `put` kept from the last build); return the files
        removed because nothing makes them any more. Without `wait`, the old folder is removed meanwhile, by
        another thread, until `settle()`; with `later`, it is left in the trash beside the record, for the next
        build to remove while it loads (`empty_trash`)."""
        folder = self.folder
        pruned = sorted(folder.existing() - {o.file for o in outputs})
        if not self.written and not pruned and folder.out.is_dir():
            self.discard()
            records = {o.file: {**folder.previous[o.file], "inputs": o.inputs} for o in outputs}
            if records != folder.previous or made_from != folder.made_from or not record_path(folder.out).is_file():
                _write_outputs(folder.out, records, made_from)
            return []
        try:
            fresh = set(self.written)
            top, old = os.fspath(self.dir), os.fspath(folder.out)
            self._drop_prelinked({o.file for o in outputs} | fresh, top)
            records = {o.file: self._place(o, o.file in fresh, top, old) for o in outputs}
            self._swap(wait, later)
        except BaseException:
            self.discard()
            raise
        # Written after the swap: a crash between the two leaves an older record, whose sizes and modification
        # times no longer match the new files, so those are made again; never a stale file kept.
        _write_outputs(folder.out, records, made_from)
        return pruned

    def discard(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def _drop_prelinked(self, wanted: set[str], top: str) -> None:
        """Take out the files linked in before rendering that nothing makes any more, and the folders that held
        only them."""
        for name in sorted(self.prelinked - wanted):
            os.unlink(_inside(top, name, self._made))
            self.prelinked.discard(name)
            parent = name.rpartition("/")[0]
            while parent:
                try:
                    os.rmdir(f"{top}/{parent}")
                except OSError:  # it holds something else still
                    break
                self._made.discard(parent)
                parent = parent.rpartition("/")[0]

    def _place(self, output: Output, fresh: bool, top: str, old: str) -> dict[str, Any]:
        """`output` in the staging folder `top`: as written there, linked in before rendering, or linked from the
        folder `old` it replaces."""
        if not fresh and output.file in self.prelinked:
            before = self.folder.previous[output.file]
            return {"digest": output.digest, "inputs": output.inputs, "size": before["size"],
                    "mtime_ns": before["mtime_ns"]}
        target = _inside(top, output.file, self._made)
        if not fresh:
            source = f"{old}/{output.file}"
            try:  # a hard link keeps the unchanged file as it is: same bytes, same modification time, which
                os.link(source, target)  # the build checked against the record before keeping it
                before = self.folder.previous[output.file]
                return {"digest": output.digest, "inputs": output.inputs, "size": before["size"],
                        "mtime_ns": before["mtime_ns"]}
            except OSError:
                shutil.copy2(source, target)
        stat = os.stat(target)
        return {"digest": output.digest, "inputs": output.inputs, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}

    def settle(self) -> None:
        """Wait until the old folder is gone."""
        if self.removing is not None:
            self.removing.join()
            self.removing = None

    def _swap(self, wait: bool = True, later: bool = False) -> None:
        out, staging = self.folder.out, self.dir
        if not out.exists():
            os.rename(staging, out)
        else:
            old, trashed = _put_aside(out, later)
            try:
                os.rename(staging, out)
            except OSError:
                os.rename(old, out)
                raise
            if trashed:
                pass  # the next build removes it
            elif wait:
                _remove(old, self.folder.found)
            else:  # mostly calls into the system, which let this thread go on with the build's last steps
                self.removing = threading.Thread(target=_remove, args=(old, self.folder.found),
                                                 name="welcome-gen: old output removed")
                self.removing.start()
        self._dir = None


TRASH = "trash"


def trash_path(out: Path) -> Path:
    """Where the old contents of the output folder `out` wait for the next build to remove them: beside its
    record, in the folder a project's .gitignore names (never committed, never published)."""
    return record_path(out).parent / TRASH


def _put_aside(out: Path, trash: bool) -> tuple[Path, bool]:
    """Move the folder `out` out of the way, named after this process: into the trash (when `trash` and that is
    on the same file system), else beside it. Where it went, and whether that is the trash."""
    if trash:
        try:
            folder = trash_path(out)
            folder.mkdir(parents=True, exist_ok=True)
            old = Path(tempfile.mkdtemp(prefix=f"{out.name}.old-{os.getpid()}-", dir=folder))
            os.rmdir(old)
            os.rename(out, old)
            return old, True
        except OSError:
            pass
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{os.getpid()}-", dir=out.parent))
    os.rmdir(old)
    os.rename(out, old)
    return old, False


def in_trash(outs: list[Path], builder: int) -> list[os.DirEntry]:
    """The old output folders earlier builds left in the trash of each of `outs`: all but those of a build still
    running (named after its process), where the process `builder` has finished every build it put there."""
    found = []
    for trash in {trash_path(Path(out)) for out in outs}:
        try:
            entries = list(os.scandir(trash))
        except OSError:
            continue
        for entry in entries:
            pid = entry.name.rpartition(".old-")[2].partition("-")[0]
            if not (pid.isdigit() and int(pid) != builder and _running(int(pid))):
                found.append(entry)
    return found


def empty_trash(found: list[os.DirEntry]) -> None:
    """Remove what `in_trash` found, never through a link."""
    for entry in found:
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            pass


def _remove(folder: Path, files: set[str]) -> None:
    """Remove `folder`, known to hold `files` (relative names): each file and folder by name, a call each, where
    a general removal looks each folder through and asks what each entry is; whatever else it holds by then is
    found and removed the general way."""
    top = os.fspath(folder)
    folders = set()
    try:
        for name in files:
            os.unlink(os.path.join(top, name))
            parent = os.path.dirname(name)
            while parent and parent not in folders:
                folders.add(parent)
                parent = os.path.dirname(parent)
        for name in sorted(folders, key=lambda f: f.count("/"), reverse=True):
            os.rmdir(os.path.join(top, name))
        os.rmdir(top)
    except OSError:
        shutil.rmtree(top, ignore_errors=True)


def _sweep(parent: Path, name: str) -> None:
    """Remove what a build that was killed left beside the folder `name`: its staging folder, or the old folder it
    was swapping out. Each is named after the process that made it (`.public.new-<pid>-...`); only those whose
    process is gone are removed, never a link, and never one of a build still running."""
    prefix = f".{name}."
    try:
        found = [entry for entry in os.scandir(parent) if entry.name.startswith(prefix)]
    except OSError:
        return
    for entry in found:
        kind, _, rest = entry.name[len(prefix):].partition("-")
        pid = rest.partition("-")[0]
        if kind in ("new", "old") and pid.isdigit() and entry.is_dir(follow_symlinks=False) and not _running(int(pid)):
            shutil.rmtree(entry.path, ignore_errors=True)


# -- the emails' and the journeys' folders, told apart from others without the project -----------------------

JOURNEYS_PAGE = "index.html"  # the sample journeys' one page


def claim_emails(out: Path, project_root: Path, *, clean: bool = False) -> OutputFolder:
    """The emails folder, once it is safe to replace: empty, or one this writer made."""
    return OutputFolder(out, project_root, made_by_us=_made_by_us(Path(out)), clean=clean)


def _made_by_us(out: Path) -> bool:
    if record_path(out).is_file():
        return True
    try:  # a folder written before records were kept: recognised by its index page
        return "<h1>Emails of " in (out / "index.html").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def claim_journeys(out: Path, project_root: Path, *, clean: bool = False) -> OutputFolder:
    """The journeys folder, once it is safe to replace: empty, or one `build` made."""
    try:  # a folder written before records were kept: recognised by its page
        ours = "<h1>Journeys of the sample subscribers" in (Path(out) / JOURNEYS_PAGE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        ours = False
    return OutputFolder(out, project_root, made_by_us=ours, clean=clean)


def staging_path(out: Path) -> str:
    """A new staging folder's name beside `out`, named after this process like every staging folder (made by
    `prefill`, which may run in another process)."""
    out = Path(os.path.abspath(out))
    _sweep(out.parent, out.name)
    return os.fspath(out.parent / f".{out.name}.new-{os.getpid()}-{os.urandom(4).hex()}")


def prefill(folder: OutputFolder, path: str) -> tuple[set[str], set[str]]:
    """Make the staging folder `path` and link into it every recorded file of `folder` found as recorded, which
    the build will mostly keep: done while the project loads (by the process looking the folder over), it leaves
    the commit only the files that changed. (The files linked, the folders made.)"""
    os.mkdir(path)
    os.chmod(path, 0o755)  # as a staging folder: a published site must be readable
    old, made, linked = os.fspath(folder.out), set(), set()
    for name in folder.intact or ():
        try:
            os.link(f"{old}/{name}", _inside(path, name, made))
        except (OSError, WelcomeGenError):  # left for the commit, which links or copies it
            continue
        linked.add(name)
    return linked, made


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's, or no number a process has: left alone
    return True


def inside(folder: Path, name: str, made: set[str] | None = None) -> Path:
    """`folder / name`, its parent made; never a path outside `folder` (slugs are checked; this is the last guard).

    `folder` is a staging folder this build made and filled, so nothing in it is a link that leads elsewhere: the
    name alone says where it goes. `made` remembers the folders already made, which saves a call per file."""
    return Path(_inside(os.fspath(folder), name, made))


def _inside(folder: str, name: str, made: set[str] | None) -> str:
    parent, _, leaf = name.rpartition("/")
    if made is None or parent not in made or leaf in ("", ".", "..") or "\\" in leaf:
        parts = [part for part in name.split("/") if part not in ("", ".")]
        if not parts or name.startswith("/") or ".." in parts or "\\" in name:
            raise WelcomeGenError(f"refusing to write {name}: it is outside the output folder")
        parent = "/".join(parts[:-1])
        name = "/".join(parts)
        if made is None or parent not in made:
            _make_folder(folder, parent, made)
    return f"{folder}/{name}"


def _make_folder(folder: str, parent: str, made: set[str] | None) -> None:
    """Make `folder`/`parent` (a checked relative path) and remember it and the folders above it in `made`."""
    if not parent:
        if made is not None:
            made.add(parent)
        return
    path = f"{folder}/{parent}"
    if made is not None and parent.rpartition("/")[0] in made:
        try:
            os.mkdir(path)  # the folder above it is there: one call
        except FileExistsError:
            if not os.path.isdir(path):
                raise
    else:
        os.makedirs(path, exist_ok=True)
    if made is not None:
        made.add(parent)
        while parent:
            parent = parent.rpartition("/")[0]
            made.add(parent)


# Earlier builds kept the site's record inside the published folder; one found there still marks the folder as
# ours, and the next swap leaves it behind.
LEGACY_RECORD = ".welcome-gen-build.json"


def _write_outputs(out: Path, records: dict[str, dict[str, Any]], made_from: str | None) -> None:
    write_record(out, {"version": 1, "outputs": records, **({"made_from": made_from} if made_from else {})})


def _outputs(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    try:
        return dict(record["outputs"])
    except (KeyError, TypeError, ValueError):
        return {}  # no earlier build, or an unreadable record: everything is made afresh
