"""Rendering the site's stale files into the staging folder: in this process for a few, over every core for many.

A process pool costs a few tenths of a second to start and feed, so it is used only when there are enough pages to
pay for it; below that, nothing of it is paid. Each worker renders a share of the pages with its own templates and
its own view of the markdown cache, writes them into the staging folder, and hands back the markdown it rendered
for the cache.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ..cache import MarkdownReader, MarkdownStore
from ..folders import Staging, inside
from ..reporter import Reporter
from .ahead import collect_own, cores
from .gather import Entry, Site
from .theme import Theme
from .urls import Urls, output_file

PARALLEL_FROM = 300  # stale pages: below this, one process renders them faster than a pool would
CHUNK = 40  # pages per task: small enough to share the work evenly, large enough to keep the overhead low


def render_pages(site: Site, theme: Theme, urls: Urls, names: list[str], staging: Staging,
                 markdown: MarkdownStore | None, reporter: Reporter, jobs: int | None = None) -> None:
    """Write every named page and file of `site` into `staging`, over `jobs` processes (None: as many as pay);
    a page that fails raises ProjectError."""
    wanted = set(names)
    entries = [e for e in site.entries if output_file(e.path) in wanted]
    with reporter.task("Rendering pages", len(wanted)) as task:
        workers = _workers(len(entries)) if jobs is None else max(1, min(jobs, len(entries) // CHUNK))
        if workers > 1:
            _render_in_pool(workers, site, theme, urls, entries, staging, markdown, task)
        else:
            theme.markdown = markdown
            for entry in entries:
                staging.put(output_file(entry.path), theme.render(entry, site.shared, urls))
                task.advance()
        for file in site.files:
            if file.path in wanted:
                shutil.copyfile(file.source, staging.target(file.path))
                staging.wrote([file.path])
                task.advance()


def _workers(pages: int) -> int:
    if pages < PARALLEL_FROM:
        return 1
    return max(1, min(cores(), pages // CHUNK))


def _render_in_pool(workers: int, site: Site, theme: Theme, urls: Urls, entries: list[Entry], staging: Staging,
                    markdown: MarkdownStore | None, task) -> None:
    # fork starts a worker in milliseconds with everything already imported and hands it the site without
    # pickling it; elsewhere the default start method, which pickles it once per worker.
    import multiprocessing  # here: a build of a few pages never pays for importing it
    from concurrent.futures import ProcessPoolExecutor, as_completed

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    store = markdown.path if markdown is not None else None  # the workers read it themselves
    # The pages that list many others (archive, tags, feed, sitemap) take longest: handed out first, they do not
    # leave one worker busy at the end while the others wait.
    entries = sorted(entries, key=lambda entry: len(entry.inputs), reverse=True)
    spans = [(i, min(i + CHUNK, len(entries))) for i in range(0, len(entries), CHUNK)]
    # Forked, a worker keeps this process's theme with every template already compiled, and the markdown rendered
    # so far; else it makes its own theme and reads the cache file alone.
    forked = context.get_start_method() == "fork"
    given = theme if forked else theme.root
    known = markdown.rendered if forked and markdown is not None else None
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                             initargs=(given, site.shared, urls.site_url, entries, staging.dir, store,
                                       known)) as pool:
        futures = [pool.submit(_render_span, start, stop) for start, stop in spans]
        for future in as_completed(futures):
            names, rendered, words = future.result()  # a page's ProjectError is raised here, as in one process
            staging.wrote(names)
            if theme.words is not None:
                theme.words.add(words)
            if markdown is not None:
                for key, data in rendered.items():
                    markdown.put_packed(key, data)
            task.advance(len(names))


_worker: dict[str, Any] = {}  # in a worker process: what every task of this build shares


def _start_worker(theme: Theme | Path, shared: dict[str, Any], site_url: str, entries: list[Entry],
                  staging_dir: Path, store: Path | None, known: dict[str, bytes] | None = None) -> None:
    collect_own()
    cache = MarkdownReader(store, known)
    if isinstance(theme, Theme):
        theme.markdown = cache
    else:
        theme = Theme(theme, cache)
    _worker.update(theme=theme, urls=Urls(site_url), shared=shared, entries=entries, staging=staging_dir,
                   cache=cache, made=set())


def _render_span(start: int, stop: int) -> tuple[list[str], dict[str, bytes], list]:
    """In a worker: render entries[start:stop] into the staging folder; the names written, and the markdown
    rendered and the dates written (`WordStore`) since the last task."""
    theme, urls, shared, cache = _worker["theme"], _worker["urls"], _worker["shared"], _worker["cache"]
    names = []
    for entry in _worker["entries"][start:stop]:
        name = output_file(entry.path)
        inside(_worker["staging"], name, _worker["made"]).write_bytes(theme.render(entry, shared, urls))
        names.append(name)
    rendered, cache.rendered = cache.rendered, {}
    return names, rendered, theme.words.taken() if theme.words is not None else []
