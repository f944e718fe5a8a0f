"""Broken and hostile projects, one case per file: what is put into a fresh project, then what the author must be
told. Shared by `test_corpus.py` and `bench/hostile.py`.

A case file (`cases/<name>.case`) is a comment saying what it tries, then sections that each start with `=== `:

    === content/about.md              the file's new text (what follows, up to the next section)
    === welcome.yaml (append)         text added at the end of the project's file
    === templates/site/page.html (latin-1)   the text, saved as Latin-1 (`(append, latin-1)` for both)
    === welcome.yaml (python)         a Python expression giving the text (for files too big to write out)
    === static/secret.txt -> {outside}/secret.txt    a symbolic link (no text)
    === delete content/newsletter     a file or folder removed
    === run check                     a command (default: `check`, then `build`, with the same expectations)
    === expect 1                      its exit code, then lines that must each be a whole line of its output
                                      (one ending in `…`: the start of a line)

`{project}` and `{outside}` stand for the case's project folder and a folder beside it, outside the project,
which holds `secret.txt`, `secret.md` (a page), `welcome.yaml`, `folder/` and `issues/`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

CASES = Path(__file__).parent / "cases"
SECRET = "OUTSIDE-SECRET-4f1c9e: nothing outside the project may be published"
OUTPUT_PARTS = ("public", "build", ".welcome-gen")  # where a successful command may write


@dataclass
class Edit:
    path: str
    kind: str  # write, append, link, delete
    data: bytes = b""
    target: str = ""


@dataclass
class Run:
    args: list[str]
    exit: int = 0
    lines: list[str] = field(default_factory=list)


@dataclass
class Case:
    name: str
    about: str
    edits: list[Edit]
    runs: list[Run]


def cases() -> list[Path]:
    return sorted(CASES.glob("*.case"))


def parse(path: Path) -> Case:
    text = path.read_text(encoding="utf-8")
    head, *sections = text.split("\n=== ")
    about = " ".join(line.lstrip("# ").strip() for line in head.splitlines() if line.startswith("#"))
    edits: list[Edit] = []
    runs: list[Run] = []
    pending: list[Run] = []  # commands waiting for their `=== expect`
    expect: Run | None = None
    for section in sections:
        header, _, body = section.partition("\n")
        header = header.strip()
        if header.startswith("run "):
            pending.append(Run(header[4:].split()))
        elif header.startswith("expect "):
            expect = Run([], int(header.split()[1]), [line for line in body.splitlines() if line.strip()])
            for run in pending:
                run.exit, run.lines = expect.exit, expect.lines
            runs += pending
            pending = []
        elif header.startswith("delete "):
            edits.append(Edit(header[7:].strip(), "delete"))
        elif " -> " in header:
            name, target = header.split(" -> ")
            edits.append(Edit(name.strip(), "link", target=target.strip()))
        else:
            name, _, modes = header.partition(" (")
            mode = {m.strip() for m in modes.rstrip(")").split(",")}
            if "python" in mode:
                value = eval(body, {})  # noqa: S307 - the corpus is ours: a generated file too big to write out
                data = value if isinstance(value, bytes) else value.encode("utf-8")
            else:
                data = body.encode("latin-1" if "latin-1" in mode else "utf-8")
            edits.append(Edit(name.strip(), "append" if "append" in mode else "write", data))
    if not runs:
        if expect is None:
            raise ValueError(f"{path.name}: no '=== expect' section")
        runs = [Run(["check"], expect.exit, expect.lines), Run(["build", "-q"], expect.exit, expect.lines)]
    return Case(path.stem, about, edits, runs)


def make_outside(folder: Path) -> Path:
    """What a hostile link may point at: files and folders beside the project, never to be read or written."""
    folder.mkdir(parents=True)
    (folder / "secret.txt").write_text(SECRET + "\n")
    (folder / "secret.md").write_text(f"---\ntitle: Secret\n---\n{SECRET}\n")
    (folder / "welcome.yaml").write_text(f"site:\n  title: {SECRET}\n")
    (folder / "folder").mkdir()
    (folder / "folder" / "inside.txt").write_text(SECRET + "\n")
    (folder / "issues").mkdir()
    (folder / "issues" / "leak.md").write_text(f"---\ntitle: Leak\ndate: 2020-01-01\n---\n{SECRET}\n")
    return folder


def make_base(folder: Path) -> Path:
    """A fresh project, built once: its `public/` and `build/` are what a failed command must leave alone."""
    from welcome_gen.scaffold import init_project

    project = folder / "shop"
    init_project(project, name="Corpus Shop")
    code, _, err = run_command(["build", "-q", str(project)])
    assert code == 0, err
    return project


def prepare(case: Case, base: Path, workdir: Path) -> tuple[Path, Path]:
    """The case's project (a copy of `base` with the case's edits) and its outside folder."""
    outside = make_outside(workdir / "outside")
    project = workdir / "shop"
    shutil.copytree(base, project, symlinks=True)
    for edit in case.edits:
        target = project / edit.path
        if edit.kind == "delete":
            shutil.rmtree(target) if target.is_dir() and not target.is_symlink() else target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if edit.kind == "link":
            if target.exists() or target.is_symlink():
                shutil.rmtree(target) if target.is_dir() and not target.is_symlink() else target.unlink()
            target.symlink_to(fill(edit.target, project, outside))
        elif edit.kind == "append":
            with target.open("ab") as fh:
                fh.write(edit.data)
        else:
            target.write_bytes(edit.data)
    return project, outside


def fill(text: str, project: Path, outside: Path) -> str:
    return text.replace("{project}", str(project)).replace("{outside}", str(outside))


def run_command(args: list[str]) -> tuple[int, str, str]:
    """One welcome-gen command, in this process: exit code, standard output, standard error."""
    from welcome_gen.cli import main

    out, err = io.StringIO(), io.StringIO()
    # As on the author's machine: no debug tracebacks, and not CI, where a scaffold's placeholders are refused.
    saved = {name: os.environ.pop(name) for name in ("WELCOME_GEN_DEBUG", "CI") if name in os.environ}
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
    finally:
        os.environ.update(saved)
    return code, out.getvalue(), err.getvalue()


def command_args(run: Run, project: Path, outside: Path) -> list[str]:
    """The command with `{project}`/`{outside}` filled in, and the project folder last unless it is named."""
    args = [fill(a, project, outside) for a in run.args]
    return args if any(str(project) in a for a in args) else [*args, str(project)]


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under `folder`, links not followed: its kind and the digest of its bytes (or link target)."""
    found: dict[str, str] = {}
    if not folder.exists():
        return found
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            key = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[key] = "link " + os.readlink(path)
            elif path.is_dir():
                found[key] = "dir"
            else:
                stat = path.stat()
                found[key] = f"file {hashlib.sha256(path.read_bytes()).hexdigest()} {stat.st_mtime_ns}"
    return found
