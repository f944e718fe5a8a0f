"""One build for `build`, `serve` and CI alike: load -> check -> render -> write.

Every page sees the whole site, every check runs before anything is rendered for keeps, and nothing is written
until every page, email and journey is rendered: each output folder (the site, build/emails, build/journeys) is
filled beside the old one and swapped in at the end, so a failure anywhere leaves the last good output as it was.
What did not change is not made again: each output records the digests of what made it, rendered markdown is
cached by its source, and a build where no source moved stops after reading the files' sizes and times.
"""

from __future__ import annotations

import gc
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .cache import KEEP_PARSED, RACY_NS, BuildCache, code_version, same_content, sources
from .errors import Problem, ProjectError, UsageError
from .folders import OutputFolder, Staging, claim, entries, read_record, record_path
from .reporter import NullReporter, Reporter


@dataclass(frozen=True)
class Targets:
    """Where a build writes: the published site, the emails (with previews), the sample journeys."""

    site: Path
    emails: Path
    journeys: Path

    @classmethod
    def of(cls, root: Path, site: Path | None = None, emails: Path | None = None) -> Targets:
        """The defaults (public/, build/emails/, build/journeys/ beside the emails), refusing overlaps."""
        site, emails = Path(site or root / "public").absolute(), Path(emails or root / "build" / "emails").absolute()
        # Never the project itself; whether it is ours, and what it holds, is asked before anything is written.
        claim(site, root, made_by_us=True, contents=False)
        targets = cls(site, emails, emails.parent / "journeys")
        for other in (targets.emails, targets.journeys):  # the site is published as it is: the rest stays out
            a, b = site.resolve(), other.resolve()
            if a.is_relative_to(b) or b.is_relative_to(a):
                raise UsageError(f"--out {site} and --emails-out {emails} overlap (the emails and the sample journeys "
                                 f"in {targets.journeys} must stay out of the published site); choose two separate "
                                 "folders")
        return targets


@dataclass(frozen=True)
class Options:
    drafts: bool = False  # drafts and future-dated issues too
    clean: bool = False  # trust no cache or record: make everything afresh
    live_reload: str | None = None  # the reload script `serve` adds to every page
    today: date | None = None  # the site's today, else the clock's
    jobs: int | None = None  # processes rendering pages: None for as many as pay (all cores for a large site)


@dataclass
class Built:
    """What a build did, for the summary line."""

    site: Path
    site_url: str  # as welcome.yaml gives it
    written: int  # files made or removed this time, across every output folder
    unchanged: int
    seconds: float
    warnings: list[Problem] = field(default_factory=list)
    written_files: list[str] = field(default_factory=list)  # the site's, relative to it

    def summary(self) -> str:
        # The count covers the emails and journeys as well as the site; say so, as only the site's folder is named.
        return (f"Built in {self.seconds:.2f} s: {self.written} files written, {self.unchanged} unchanged "
                f"(site, emails and sample journeys) -> {self.site}")


class BuildFailed(ProjectError):
    """The build stopped with problems and wrote nothing; `unaffected` names the outputs still current anyway."""

    def __init__(self, problems: list[Problem], unaffected: set[str]):
        super().__init__(problems)
        self.unaffected = unaffected


def build(root: Path, targets: Targets | None = None, options: Options = Options(),
          reporter: Reporter | None = None) -> Built:
    """Build everything the project makes; raise BuildFailed (nothing written) on any problem."""
    with collector_paused():
        return _build(root, targets, options, reporter)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a build runs in this process. A build keeps the whole project in
    memory, and each of the collector's full passes walks all of it: a fifth of a large site's rebuild after an
    edit, for garbage a build hardly makes (measured, in docs/performance.md). The processes it starts collect as
    usual; the collector runs again once the build is done, if it ran before."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _build(root: Path, targets: Targets | None, options: Options, reporter: Reporter | None) -> Built:
    started, reporter = time.perf_counter(), reporter or NullReporter()
    root = Path(root).absolute()
    targets = targets or Targets.of(root)
    cache = BuildCache(root, clean=options.clean, note=reporter.note)
    KEEP_PARSED[0] = not options.clean  # --clean: the theme's words are read from their catalogues again too
    moved = _moved(root, targets, options, cache)       # sizes and times first; only what moved is read
    if moved is None:
        return _nothing_to_do(targets, cache, started)
    ahead = _ahead(root, moved, options, cache)         # markdown converted meanwhile by other processes
    claimed = _claim(root, targets, options, len(moved["sources"]))  # the output folders looked over meanwhile
    mail = _mail_ready(claimed, options, ahead)         # a process for the emails, made ready while this one loads
    stages = None
    try:
        project = load(root, {name: entry[2] for name, entry in moved["sources"].items()},  # typed, positioned
                       cache.front_matter)
        stages = _Stages(project, targets, options, cache, reporter, *claimed.result(), later=claimed.forked,
                         mail=mail)
        stages.check(meanwhile=ahead is None)           # every check `welcome-gen check` runs (emails meanwhile)
        if ahead is not None:
            ahead.collect(cache.markdown)
    except BaseException:
        claimed.cancel()
        if stages is not None:
            stages.discard()
        elif mail is not None:
            mail.cancel()
        raise
    finally:
        if ahead is not None:
            ahead.close()
    try:
        stages.render()                                 # site pages, emails, journeys: into staging folders
        try:
            built = stages.write()                      # each output folder swapped in (the old removed meanwhile,
            cache.save({**moved, **stages.remembered()})  # or by the next build)
        finally:
            stages.settle()
    finally:
        claimed.settle()
    built.seconds = time.perf_counter() - started
    return built


def _ahead(root: Path, moved: dict, options: Options, cache: BuildCache):
    """Many changed markdown files (a clean build of a large site): convert them in other processes while this one
    loads and checks the project."""
    from .site.ahead import AHEAD_FROM, CHUNK, Ahead, changed_markdown

    if options.jobs == 1:
        return None
    changed = changed_markdown(moved["sources"], None if options.clean else cache.last_build().get("sources"))
    enough = AHEAD_FROM if options.jobs is None else CHUNK  # --jobs asks for other processes whatever the size
    return Ahead.start(root, changed, cache.markdown, options.jobs) if len(changed) >= enough else None


def _mail_ready(claimed: _Claim, options: Options, ahead):
    """Where the emails will surely be made (their folder records no earlier build: a first build, or a clean
    one) and they are the longest part of the build (a small site, its folders looked over already, no markdown
    converted ahead), a process forked now, which imports what making them needs while this one loads the
    project, and is then handed it (`meanwhile.Awaiting`); else None."""
    from .meanwhile import Awaiting, can_fork

    if claimed.forked or ahead is not None or options.jobs == 1 or not can_fork():
        return None
    folders, _ = claimed.result()
    if folders["emails"].made_from is not None:
        return None
    return Awaiting(_ready_to_mail, _Stages._mail)


def _ready_to_mail() -> None:
    """What making the emails and the sample journeys imports, and what a loaded project is made of."""
    from importlib import import_module

    for name in ("project.load", "email", "email.write", "delivery.journey_page"):
        import_module(f"{__package__}.{name}")


# Source files: from this many, looking the output folders over (and filling the site's staging folder) in another
# process pays. It is forked before the project's models, templates and markdown are imported, and works while this
# process imports them (measured at 1,000 in docs/performance.md).
SURVEY_FROM = 500


def _claim(root: Path, targets: Targets, options: Options, sources: int) -> _Claim:
    """The three output folders, claimed (or the reason one may not be written) and each recorded file asked
    whether it is still as recorded: for a large site, thousands of calls to the file system, made by another
    process (`Meanwhile`) while this one loads the project. That process also fills the site's staging folder
    with links to the files found as recorded, which an edit mostly keeps."""
    from .folders import claim_emails, claim_journeys, empty_trash, in_trash, prefill, staging_path
    from .meanwhile import Meanwhile

    fork = sources >= SURVEY_FROM and options.jobs != 1
    # Where a fork is not safe (`serve`'s threads) the same is done here, before loading: no faster, the same files.
    staged = staging_path(targets.site) if fork and not options.clean and targets.site.is_dir() else None

    outs, trash, builder = [targets.site, targets.emails, targets.journeys], [], os.getpid()

    def claim_all() -> tuple[dict[str, OutputFolder], tuple[str, set[str], set[str]] | None]:
        if os.getpid() != builder:  # forked: listed before answering, so never what this build puts aside when it
            trash.extend(in_trash(outs, builder))  # writes; what the builds before it left, its own earlier ones too
        folders = {"site": OutputFolder(targets.site, root, clean=options.clean).look_over(),
                   "emails": claim_emails(targets.emails, root, clean=options.clean).look_over(),
                   "journeys": claim_journeys(targets.journeys, root, clean=options.clean).look_over()}
        site = folders["site"]
        filled = (staged, *prefill(site, staged)) if staged and site.intact and site.out.is_dir() else None
        return folders, filled

    def then() -> None:  # answered: the old output folders earlier builds left, removed while this one loads
        empty_trash(trash)

    return _Claim(Meanwhile(claim_all, fork=fork, then=then), staged)


class _Claim:
    """The output folders being claimed meanwhile, and the staging folder that process may be filling: removed
    here if the build stops before a stage takes it on. Where that is another process (`forked`), the old output
    folders are left for the next build's to remove, and it removes those earlier builds left once it has answered."""

    def __init__(self, work, staged: str | None):
        self.work, self.staged = work, staged
        self.forked = work.pid is not None

    def settle(self) -> None:
        """Wait for that process to end (it removes the old output folders of earlier builds meanwhile)."""
        self.work.settle()

    def result(self) -> tuple[dict[str, OutputFolder], tuple[str, set[str], set[str]] | None]:
        return self.work.result()  # what it raised is raised here, and the build cancels the rest

    def cancel(self) -> None:
        """Stop the work, and remove the staging folder it filled (the build stopped before writing anything)."""
        self.work.cancel()
        if self.staged is not None:
            shutil.rmtree(self.staged, ignore_errors=True)
            self.staged = None


def load(root: Path, digests: dict[str, str] | None = None, front_matter=None):
    """The project's files, typed, with their positions; every problem at once."""
    from .project import load_project

    try:
        return load_project(root, digests, front_matter)
    except ProjectError as exc:
        raise BuildFailed(exc.problems, set()) from None


def checkers():
    """Every check `welcome-gen check` runs, in order; each takes the project and returns its problems."""
    from . import email
    from .delivery import events
    from .project import delays
    from .scaffold import placeholders
    from .site.check import check as site_check

    return [site_check, email.preflight, events.check, delays.check, placeholders.check]


class _Stages:
    """The stages after loading, sharing what each found: the plan of the site, the emails, what is current."""

    def __init__(self, project, targets: Targets, options: Options, cache: BuildCache, reporter: Reporter,
                 folders: dict[str, OutputFolder], prefilled: tuple[str, set[str], set[str]] | None = None,
                 later: bool = False, mail=None):
        from .made_from import email_inputs, journey_inputs, journeys_href
        from .site.gather import today_at

        self.project, self.options, self.cache, self.reporter = project, options, cache, reporter
        self.builder = os.getpid()  # the build's own process; the emails may be made in a forked one
        self.today = options.today or today_at(project)
        self.href = journeys_href(targets.journeys, targets.emails)
        self.folders = folders  # claimed, and looked over
        self.prefilled = prefilled  # the site's staging folder, filled meanwhile with links to the unchanged files
        self.later = later  # the old output folders left in the trash for the next build to remove
        # What the emails are made from takes the longest to tell (which pages the site has): where the folder
        # records nothing to compare it with, they are made again anyway, and it is told while they are made.
        recorded = self.folders["emails"].made_from is not None
        self.made_from = {"site": None, "emails": email_inputs(project, self.today) if recorded else None,
                          "journeys": journey_inputs(project, self.today, self.href)}
        # The outputs of a folder whose inputs did not change at all, kept whole; None: made again.
        self.kept = {name: self.folders[name].unchanged(self.made_from[name]) if self.made_from[name] else None
                     for name in ("emails", "journeys")}
        self.staging: dict[str, Staging] = {}
        self.ready = mail  # a process made ready to make the emails (`_mail_ready`), handed them in `check`
        self.mail = None  # the emails and journeys being made meanwhile (`meanwhile.Meanwhile`)
        self.outputs: dict[str, list] = {}
        self.warnings: dict[str, list[Problem]] = {}

    def check(self, meanwhile: bool = False) -> None:
        """Gather the site, make the emails and the sample journeys (unless unchanged), read the events; every
        problem at once, and nothing goes further if one is an error. The emails and journeys are checked and
        written into their staging folders meanwhile: in a forked process when `meanwhile` allows it (no other
        process busy converting markdown) and the machine can, and then, while the site is sound, `render`
        renders its pages before it waits for them; else first, here (alongside any markdown workers)."""
        from . import site
        from .delivery import events
        from .meanwhile import Meanwhile
        from .project import delays

        self.staging = {name: folder.stage() for name, folder in self.folders.items()}
        if self.prefilled is not None:
            self.staging["site"].adopt(*self.prefilled)
        try:
            if self.kept["emails"] is None or self.kept["journeys"] is None:
                for name in ("emails", "journeys"):
                    if self.kept[name] is None:
                        _ = self.staging[name].dir  # made now: a forked process writes into this very folder
                if self.ready is not None:
                    self.mail, self.ready = self.ready, None
                    self.mail.hand(self)
                else:
                    self.mail = Meanwhile(self._mail, fork=meanwhile and self.options.jobs != 1)
            elif self.ready is not None:  # nothing to make after all
                self.ready.cancel()
                self.ready = None
            if self.made_from["emails"] is None:
                from .made_from import email_inputs

                self.made_from["emails"] = email_inputs(self.project, self.today)
            self.site = site.prepare(self.project, drafts=self.options.drafts, today=self.today,
                                     live_reload=self.options.live_reload,
                                     theme_checked=self.cache.last_build().get("theme_checked"),
                                     keep_compiled=not self.options.clean, words=self.cache.words)
            self.warnings = {"site": list(self.site.problems), "events": events.check(self.project),
                             "sequences": delays.check(self.project)}
            if any(p.is_error for group in self.warnings.values() for p in group):
                self._mail_made()  # every problem at once: the emails' too
        except BaseException:
            self.discard()
            raise

    def _mail_made(self) -> None:
        """Wait for the emails and journeys; their problems join the others, and any error stops the build."""
        found = self.warnings
        if self.mail is not None:
            mail, self.mail = self.mail, None
            problems, made = mail.result()
            found["emails" if self.kept["emails"] is None else "journeys"] = problems
            for name, (outputs, written) in made.items():
                self.outputs[name] = outputs
                self.staging[name].written = written
        if self.kept["emails"] is not None:  # the same emails passed the same checks last time: their warnings stand
            found["emails"] = [_problem(p) for p in self.cache.last_build().get("warnings", {}).get("emails", [])]
        errors = sorted({p for group in found.values() for p in group if p.is_error})
        if errors:
            raise BuildFailed(errors, self._unaffected())

    def discard(self) -> None:
        """Stop the emails' process, if any, and drop every staging folder (as often as asked)."""
        for process in (self.mail, self.ready):
            if process is not None:
                process.cancel()
        self.mail = self.ready = None
        for staging in self.staging.values():
            staging.discard()

    # What a process made ready for the emails is handed: what making them reads, not the cache, the reporter or
    # the site's folder (none of which would go through a pipe, nor is needed there).
    _HANDED = ("project", "options", "builder", "today", "href", "made_from", "kept")

    def __getstate__(self) -> dict:
        state = {name: getattr(self, name) for name in self._HANDED}
        state["folders"] = {name: self.folders[name] for name in ("emails", "journeys")}
        state["staging"] = {name: self.staging[name] for name in ("emails", "journeys")}
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def _mail(self) -> tuple[list[Problem], dict[str, tuple[list, list[str]]]]:
        """Render every email once and preflight it (unless the emails are kept); when none is wrong, the emails
        and the sample journeys that are not kept are in their staging folders. The problems, and for each folder
        written its outputs and the files written (plain data: this may run in a forked process).

        The files are written while the emails are preflighted: by a process of their own where this is already
        a forked one (the two take about as long), else here, first. Nothing of them is used if an email is wrong:
        the build stops and their staging folders go."""
        from .email import Renderer, preflight, render_outbox  # only when the emails or journeys are made again
        from .meanwhile import Meanwhile

        problems: list[Problem] = []
        try:  # every email once: written to build/emails, and what `send` would deliver
            outbox = render_outbox(self.project, today=self.today,
                                   renderer=Renderer(self.project, keep_compiled=not self.options.clean))
        except ProjectError as exc:
            return list(exc.problems), {}
        files = Meanwhile(lambda: self._mail_files(outbox), fork=os.getpid() != self.builder)
        try:
            if self.kept["emails"] is None:
                problems = preflight(self.project, today=self.today, outbox=outbox)
        except ProjectError as exc:
            problems = list(exc.problems)
        except BaseException:
            files.cancel()
            raise
        if any(p.is_error for p in problems):
            files.cancel()
            return problems, {}
        return problems, files.result()

    def _mail_files(self, outbox) -> dict[str, tuple[list, list[str]]]:
        """The emails and the sample journeys that are not kept, written into their staging folders."""
        from .folders import JOURNEYS_PAGE, Output

        made = {}
        if self.kept["emails"] is None:
            from .email.write import email_files, stage_files

            staging = self.staging["emails"]
            outputs = stage_files(self.folders["emails"], staging,
                                  email_files(self.project, list(outbox.steps.values()), self.today))
            made["emails"] = (outputs, list(staging.written))
        if self.kept["journeys"] is None:  # its subjects are the outbox's
            from .delivery.journey_page import journeys_html

            staging = self.staging["journeys"]
            staging.put(JOURNEYS_PAGE, journeys_html(self.project, outbox, self.today, self.href).encode())
            made["journeys"] = ([Output(JOURNEYS_PAGE, self.made_from["journeys"], [])], list(staging.written))
        return made

    def render(self) -> None:
        """The site's pages that changed, into its staging folder; then the emails and journeys, made meanwhile."""
        from . import site

        try:
            site.render(self.site, self.folders["site"], self.staging["site"], self.cache.markdown, self.reporter,
                        jobs=self.options.jobs)
            self.outputs["site"] = list(self.site.outputs.values())
            self._mail_made()
            for name in ("emails", "journeys"):
                if self.kept[name] is not None:
                    self.outputs[name] = self.kept[name]
            # What was rendered is on disk now: the pages' data makes room for writing the records.
            self.theme_checked = self.site.theme.fingerprint()
            self.site.site = None
        except BaseException as exc:
            self.discard()
            if isinstance(exc, ProjectError) and not isinstance(exc, BuildFailed):
                raise BuildFailed(exc.problems, self._unaffected()) from None
            raise

    def write(self) -> Built:
        """Swap each staged folder in, its record beside it; the site last."""
        written = sum(len(s.written) for s in self.staging.values())
        site_files = sorted(self.staging["site"].written)
        pruned = sum(len(self.staging[name].commit(self.outputs[name], self.made_from[name], wait=False,
                                                   later=self.later))
                     for name in ("emails", "journeys", "site"))
        total = sum(len(o) for o in self.outputs.values())
        warnings = sorted({p for group in self.warnings.values() for p in group})
        return Built(self.folders["site"].out, self.project.config.site.url, written + pruned, total - written, 0.0, warnings, site_files)

    def settle(self) -> None:
        """Wait until every old output folder is gone."""
        for staging in self.staging.values():
            staging.settle()

    def remembered(self) -> dict:
        """What the next build needs to know of this one."""
        return {"today": self.today.isoformat(), "timezone": self.project.config.site.timezone,
                "theme_checked": self.theme_checked,  # a good build: its templates compiled cleanly
                "site_url": self.project.config.site.url,
                "warnings": {name: [_plain(p) for p in group] for name, group in self.warnings.items()}}

    def _unaffected(self) -> set[str]:
        return {name for name, kept in self.kept.items() if kept is not None}


# -- a build where nothing moved ------------------------------------------------------------------------


def _moved(root: Path, targets: Targets, options: Options, cache: BuildCache) -> dict | None:
    """What the build is made from now, unless it is exactly what the last good build was made from and its
    outputs are all still there untouched (then None: there is nothing to do)."""
    key = {"code": code_version(), "targets": [str(targets.site), str(targets.emails), str(targets.journeys)],
           "drafts": options.drafts, "live_reload": options.live_reload}
    last = {} if options.clean else cache.last_build()
    now = {"key": key, "scanned_ns": time.time_ns(), "sources": {}}
    now["sources"] = sources(root, last.get("sources"), last.get("scanned_ns", 0))
    if not last or last.get("key") != key or not same_content(now["sources"], last.get("sources") or {}):
        return now
    today = options.today or _today(last.get("timezone"))
    if today is None or today.isoformat() != last.get("today"):
        return now
    if not all(_intact(out) for out in (targets.site, targets.emails, targets.journeys)):
        return now
    racy_from = last.get("scanned_ns", 0) - RACY_NS
    if now["sources"] != last["sources"] or any(entry[1] >= racy_from for entry in now["sources"].values()):
        # Touched, not changed (or read too soon after a save to trust times): remember the new times and when
        # they were read, so the next build trusts them without reading the files.
        cache.save({**last, "sources": now["sources"], "scanned_ns": now["scanned_ns"]})
    return None


def _nothing_to_do(targets: Targets, cache: BuildCache, started: float) -> Built:
    outputs = sum(len(read_record(record_path(out)).get("outputs", {})) for out in
                  (targets.site, targets.emails, targets.journeys))
    last = cache.last_build()
    warnings = sorted({_problem(p) for group in last.get("warnings", {}).values() for p in group})
    return Built(targets.site, str(last.get("site_url", "")), 0, outputs, time.perf_counter() - started, warnings)


def _intact(out: Path) -> bool:
    """Does `out` hold exactly the files its record lists, each with the size and time it was written with?"""
    recorded = read_record(record_path(out)).get("outputs")
    if not isinstance(recorded, dict) or not out.is_dir():
        return False
    found = 0
    for name, entry in entries(out):
        record = recorded.get(name)
        if record is None or entry.is_symlink():
            return False
        stat = entry.stat(follow_symlinks=False)
        if stat.st_size != record.get("size") or stat.st_mtime_ns != record.get("mtime_ns"):
            return False
        found += 1
    return found == len(recorded)


def _today(timezone: str | None) -> date | None:
    try:
        return datetime.now(ZoneInfo(timezone)).date() if timezone else None
    except (ValueError, KeyError, OSError):
        return None


def _plain(problem: Problem) -> list:
    return [problem.path, problem.line, problem.message, problem.level]


def _problem(data: list) -> Problem:
    try:
        path, line, message, level = data
        return Problem(str(path), line if isinstance(line, int) else None, str(message), str(level))
    except (TypeError, ValueError):  # a record from elsewhere: say so rather than fail
        return Problem("-", None, "a warning of the last build could not be read", "warning")
