"""Markdown converted ahead: while the project loads and is checked, other processes convert the bodies of the
content files that changed, so that rendering finds them ready.

Python-Markdown is most of a large build, and loading and checking the project keeps one core busy for a while;
the others convert meanwhile. Only a build with many changed files starts them (a clean build of a large site);
anything they could not convert is simply converted when the page is rendered, exactly as it would have been.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..cache import MarkdownReader, MarkdownStore, pack

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

AHEAD_FROM = 300  # changed markdown files: below this, a pool costs more than it saves
CHUNK = 25  # files per task


class Ahead:
    """Conversions running in other processes; `collect` waits for them and hands them to the markdown store."""

    def __init__(self, pool: ProcessPoolExecutor, futures: list[Future]):
        self.pool, self.futures = pool, futures

    @classmethod
    def start(cls, root: Path, changed: list[str], store: MarkdownStore, jobs: int | None) -> Ahead | None:
        """Start converting the bodies of `changed` (paths as shown, under content/) over `jobs` processes (None:
        every core); None when there is one, or no fork to start them cheaply."""
        import multiprocessing  # here: a build with little to convert never pays for importing it
        from concurrent.futures import ProcessPoolExecutor

        workers = cores() if jobs is None else jobs
        if workers < 2 or not changed or "fork" not in multiprocessing.get_all_start_methods():
            return None  # elsewhere a worker would import everything again: not worth it
        from . import markup  # noqa: F401 - imported once, here, for every worker (not by a build with few changes)
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=collect_own)
        futures = [pool.submit(_convert, root, changed[i:i + CHUNK], store.path)
                   for i in range(0, len(changed), CHUNK)]
        return cls(pool, futures)

    def collect(self, store: MarkdownStore) -> None:
        """Wait for every conversion and keep what came back."""
        for future in self.futures:
            try:
                rendered = future.result()
            except Exception:  # noqa: BLE001 - whatever failed here is converted again while rendering
                continue
            for key, data in rendered.items():
                store.put_packed(key, data)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def collect_own() -> None:
    """In a forked worker: the build pauses the garbage collector, and a worker converting or rendering thousands
    of pages runs it again, over what it makes only. What it was forked with (the loaded project, the modules)
    lives as long as it does: frozen, the collector's full passes never walk it (they did, each time, over the
    whole project)."""
    gc.freeze()
    gc.enable()


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def changed_markdown(now: dict[str, list], before: dict[str, list] | None) -> list[str]:
    """The content files (as shown) whose bytes are not those of the last good build: a digest read, not a link
    leading out."""
    before = before or {}
    return [name for name, entry in now.items()
            if name.startswith("content/") and name.endswith(".md") and len(str(entry[2])) == 64
            and (before.get(name) or [None] * 3)[2] != entry[2]]


def _convert(root: Path, names: list[str], store: Path | None) -> dict[str, bytes]:
    """In a worker: the HTML of each file's body (packed), by markdown key; files that cannot be read, lack front matter,
    would be too slow to convert or are already in the cache are left to the build."""
    from ..project.source import SourceError, body_of, markdown_problem, read_text
    from .markup import convert, markdown_key

    known = MarkdownReader(store)
    out: dict[str, bytes] = {}
    for name in names:
        try:
            # Not checked to be inside the project: what is converted here is kept by the digest of its own text,
            # and used only for a body with that very text, which the build reads itself, checked.
            body = body_of(read_text(root / name, name))
        except SourceError:
            continue
        if body is None or markdown_problem(body, name) is not None:
            continue
        key = markdown_key(body)
        if key not in out and known.get(key) is None:
            out[key] = pack(convert(body))
    return out
