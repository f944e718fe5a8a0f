"""Helpers for tests: write small projects on disk; compare output with a committed golden tree."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_PARTS = ("welcome.yaml", "content", "templates", "sequences")


def write(root: Path, files: dict[str, str]) -> Path:
    """Write a small project: {relative path: text}."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def copy_example(dest: Path) -> Path:
    """A private copy of the example project at the repo root, in `dest`."""
    dest.mkdir(parents=True)
    for part in EXAMPLE_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        elif src.is_file():
            shutil.copy2(src, dest / part)
    return dest


def match_golden(golden: Path, produced: dict[str, str]) -> None:
    """`produced` ({relative path: text}) is exactly the tree under `golden`. With WELCOME_GEN_UPDATE_GOLDEN=1 the
    tree is first made to match, so that a change in behaviour is reviewed as a diff of the committed files."""
    if os.environ.get("WELCOME_GEN_UPDATE_GOLDEN"):
        for old in golden.rglob("*"):
            if old.is_file() and old.relative_to(golden).as_posix() not in produced:
                old.unlink()
        write(golden, produced)
    expected = sorted(p.relative_to(golden).as_posix() for p in golden.rglob("*") if p.is_file())
    assert sorted(produced) == expected, f"files added or gone under {golden}; run with WELCOME_GEN_UPDATE_GOLDEN=1"
    changed = [name for name, text in produced.items() if (golden / name).read_text(encoding="utf-8") != text]
    assert not changed, f"differs from {golden}: {changed}; run with WELCOME_GEN_UPDATE_GOLDEN=1 and review"


_OUTBOXES: dict[tuple[int, object], tuple[object, object]] = {}


def outbox_of(project, today=None):
    """The project's outbox as on `today` (what the site has published then decides where links go), rendered once
    per loaded project, as `send` renders it once per run."""
    key = (id(project), today)
    found = _OUTBOXES.get(key)
    if found is None or found[0] is not project:
        from welcome_gen.email.outbox import render_outbox

        found = _OUTBOXES[key] = (project, render_outbox(project, today=today))
    return found[1]


# A pinned install for the workflows `init` writes (a made-up commit of a made-up fork).
PIN = "git+https://github.com/bramble/welcome-gen@0123456789abcdef0123456789abcdef01234567"
