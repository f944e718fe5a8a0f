"""The build cache, in the project's `.welcome-gen/cache/`, never in a published folder.

- `markdown.sqlite`: rendered markdown by the digest of its source and the markdown settings, compressed (in
  memory too: a large site's HTML would otherwise be most of a build's memory);
- `front-matter.txt`: each markdown file's front matter as YAML read it (with its lines) and the links in its body,
  by the file's digest, for files that passed every check of their markdown: an unchanged file is validated again
  without being parsed again, and its body is read only if a page or an email that shows it is made; a file whose
  body alone changed has its front matter taken by the digest of its lines. The settings, sequences and samples
  are kept the same way, by their digests: a rebuild that parses no YAML does not load the YAML reader;
- `words.json`: long dates and month names as Babel wrote them, by language, with Babel's release;
- `sources.json`: each source file's size, modification time and digest at the last good build, with the digests of
  the options and code that build ran with, so a build where nothing moved can tell without reading the project;
  a file whose size or time moved is hashed, and only a changed digest counts as a change.

A cache written by another version of welcome-gen, or one that cannot be read, is thrown away with a note, never
trusted. `--clean` ignores it (and writes a fresh one).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import zlib
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from . import __version__
from .folders import RECORDS, confined, entries, write_atomic

FORMAT = f"welcome-gen {__version__} cache 5"
SOURCE_FOLDERS = ("content", "templates", "sequences", "static", "events")
CONFIG_FILE = "welcome.yaml"
_PACKAGE = Path(__file__).resolve().parent
# Whether the theme's catalogues are taken as YAML read them before, from the user's cache (`theme.messages`):
# a build sets it, and one with --clean reads every catalogue again.
KEEP_PARSED = [True]
RACY_NS = 2_000_000_000  # file systems whose clocks tick in seconds (or two, FAT) still tell a later save apart


def cache_dir(root: Path) -> Path:
    return Path(root) / RECORDS / "cache"


def user_cache() -> Path:
    """welcome-gen's folder in the user's own cache (`$XDG_CACHE_HOME`, else `~/.cache`), outside every project:
    for what is not the project's (the Mailchimp spec as the emulator reads it, compiled templates)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "welcome-gen"


class BuildCache:
    def __init__(self, root: Path, *, clean: bool = False, note: Callable[[str], None] = lambda _: None):
        self.dir = confined(cache_dir(root), root)  # a committed link must not take the cache elsewhere
        self.note = note
        self.clean = clean
        found = _read(self.dir / "FORMAT")
        self.trusted = not clean and found == FORMAT
        if found is not None and found != FORMAT and not clean:
            note(f"the build cache in {self.dir} was written by another version ({found}); starting afresh")
        self._markdown: MarkdownStore | None = None
        self._front_matter: FrontMatterStore | None = None
        self._words: WordStore | None = None

    def _ready(self) -> None:
        """Nothing is written into the cache before a build succeeded; then an untrusted one is replaced."""
        if not self.trusted:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir.mkdir(parents=True, exist_ok=True)
            write_atomic(self.dir / "FORMAT", FORMAT)
            self.trusted = True

    @property
    def markdown(self) -> MarkdownStore:
        if self._markdown is None:
            self._markdown = MarkdownStore(self.dir / "markdown.sqlite", self.note, read=self.trusted)
        return self._markdown

    @property
    def front_matter(self) -> FrontMatterStore:
        if self._front_matter is None:
            path = self.dir / "front-matter.txt"
            self._front_matter = FrontMatterStore(path if self.trusted else None)
            if self._front_matter.unreadable:
                self.note(f"{path} could not be read; reading every file's front matter")
        return self._front_matter

    @property
    def words(self) -> WordStore:
        if self._words is None:
            self._words = WordStore(self.dir / "words.json" if self.trusted else None)
        return self._words

    def save(self, record: dict[str, Any]) -> None:
        """After a good build: keep the markdown it rendered and what it was made from."""
        self._ready()
        if self._markdown is not None:
            self._markdown.save()
            self._markdown = None
        if self._front_matter is not None:
            self._front_matter.save(self.dir / "front-matter.txt")
        if self._words is not None:
            self._words.save(self.dir / "words.json")
        write_atomic(self.dir / "sources.json", json.dumps(record, sort_keys=True))

    def last_build(self) -> dict[str, Any]:
        """What the last good build was made from (empty if unknown or not to be trusted)."""
        if not self.trusted:
            return {}
        data = _read_json(self.dir / "sources.json")
        if data is None and (self.dir / "sources.json").exists():
            self.note(f"{self.dir / 'sources.json'} could not be read; building from the sources")
        return data or {}


def sources(root: Path, previous: dict[str, list] | None = None, racy_from: int = 0) -> dict[str, list]:
    """Every file a build reads -> [size, mtime_ns, sha256]; a file whose size and time match `previous` keeps
    its recorded digest unread, unless its time is not safely before `racy_from` (when `previous` was read): a
    file saved twice within the file system's clock tick keeps its time, so only its bytes can tell."""
    previous = previous or {}
    found: dict[str, list] = {}
    real_root = os.path.realpath(root)
    for name, path, linked in _source_files(root, real_root):
        if linked and not Path(path).resolve().is_relative_to(real_root):  # never read: loading refuses it
            found[name] = [0, 0, "outside the project: " + os.readlink(path) if os.path.islink(path) else "linked"]
            continue
        stat = os.stat(path)
        known = previous.get(name)
        if known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns < racy_from - RACY_NS:
            found[name] = known
        else:
            with open(path, "rb") as fh:
                found[name] = [stat.st_size, stat.st_mtime_ns, hashlib.file_digest(fh, "sha256").hexdigest()]
    return found


def _source_files(root: Path, real_root: str):
    """(name, path, linked) for welcome.yaml and every file under the source folders, as `rglob` lists them
    (links to files counted, linked folders not entered); `linked` when a link may lead it out of the project."""
    config = os.path.join(root, CONFIG_FILE)
    if os.path.isfile(config):
        yield CONFIG_FILE, config, os.path.islink(config)
    inside: dict[str, bool] = {}  # by folder: resolved once, not for every file's every parent
    for top in SOURCE_FOLDERS:
        folder = os.path.join(root, top)
        for name, entry in entries(folder, unreadable_ok=True) if os.path.isdir(folder) else ():
            if not entry.is_file():
                continue
            parent = os.path.dirname(entry.path)
            if parent not in inside:
                real = os.path.realpath(parent)
                inside[parent] = real == real_root or real.startswith(real_root + os.sep)
            yield f"{top}/{name}", entry.path, not inside[parent] or entry.is_symlink()


def same_content(a: dict[str, list], b: dict[str, list]) -> bool:
    return a.keys() == b.keys() and all(a[name][2] == b[name][2] for name in a)


@lru_cache(maxsize=1)  # the installed package does not change under a running build
def code_version() -> str:
    """Changes whenever any file of the installed package changes (by size and time): an upgrade rebuilds."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(_PACKAGE.rglob("*")):
        if path.suffix in (".py", ".html", ".xml", ".txt", ".css", ".json", ".js", ".j2", ".yaml", ".svg") \
                and "__pycache__" not in path.parts:
            stat = path.stat()
            h.update(f"{path.relative_to(_PACKAGE)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return h.hexdigest()


class MarkdownReader:
    """Rendered markdown by key, read from one SQLite file; what is rendered anew is kept in `rendered`.

    A worker process reads with one of these and hands `rendered` back to the build. HTML is kept packed (zlib):
    a few milliseconds a megabyte, and a quarter of the memory."""

    def __init__(self, path: Path | None, known: dict[str, bytes] | None = None):
        self.path = path
        self.rendered: dict[str, bytes] = {}
        self.known = known or {}  # rendered by the build before this reader was made (a forked worker's view)
        self._db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True) if path and path.is_file() else None

    def get(self, key: str) -> str | None:
        data = self.rendered.get(key) or self.known.get(key)
        if data is None and self._db is not None:
            row = self._db.execute("SELECT html FROM markdown WHERE key = ?", (key,)).fetchone()
            data = row[0] if row else None
        return None if data is None else unpack(data)

    def put(self, key: str, html: str) -> None:
        self.rendered[key] = pack(html)

    def put_packed(self, key: str, data: bytes) -> None:
        self.rendered[key] = data


def pack(html: str) -> bytes:
    return zlib.compress(html.encode("utf-8"), 1)


def unpack(data: bytes) -> str:
    return zlib.decompress(data).decode("utf-8")


class MarkdownStore(MarkdownReader):
    """The build's own reader, which also saves what was rendered; a file that cannot be read is thrown away."""

    def __init__(self, path: Path, note: Callable[[str], None], *, read: bool = True):
        super().__init__(path if read else None)
        self.file = path
        if self._db is not None:
            try:  # a corrupt file fails here, not halfway through the pages
                self._db.execute("SELECT count(*) FROM markdown").fetchone()
            except sqlite3.DatabaseError as exc:
                note(f"the markdown cache {path} could not be read ({exc}); starting afresh")
                self._db.close()
                self._db, self.path = None, None

    def save(self) -> None:
        if self._db is not None:
            self._db.close()
        if self.path is None:  # not read, or unreadable: replaced by what this build rendered
            self.file.unlink(missing_ok=True)
        db = sqlite3.connect(self.file)
        try:
            with db:
                db.execute("CREATE TABLE IF NOT EXISTS markdown (key TEXT PRIMARY KEY, html BLOB NOT NULL)")
                db.executemany("INSERT OR REPLACE INTO markdown (key, html) VALUES (?, ?)", self.rendered.items())
        finally:
            db.close()
        self.rendered = {}


class FrontMatterStore:
    """Front matter as YAML read it, with the line of each key, by file and digest: what loading a markdown file
    costs most, kept for the next build. Only plain values are kept (text, numbers, dates, lists, mappings with
    text keys); a file with anything else is simply read again.

    One line a file (its name, digest and JSON), each decoded only when its file is asked for: a large site's
    front matter would otherwise sit decoded in memory twice."""

    def __init__(self, path: Path | None):
        self.known: dict[str, tuple[str, str]] = {}  # shown -> (digest, JSON)
        self.unreadable = False
        try:
            text = path.read_text(encoding="utf-8") if path is not None and path.exists() else ""
        except (OSError, UnicodeDecodeError):
            text, self.unreadable = "", True
        for line in text.splitlines():
            shown, _, rest = line.partition("\t")
            digest, _, data = rest.partition("\t")
            if not (shown and len(digest) == 64 and data):
                self.known, self.unreadable = {}, True
                break
            self.known[shown] = (digest, data)
        self.used: dict[str, tuple[str, str]] = {}

    def get(self, shown: str, digest: str) -> tuple[Any, dict[tuple, int], int, int, list | None] | None:
        """(front matter, lines by key path, offset of the lines, line where the body starts, the body's links or
        None), or None."""
        entry = self.known.get(shown)
        if entry is None or entry[0] != digest:
            return None
        from .site.links import Link  # here, not above: the cache is read before anything of the site is needed

        try:
            meta, lines, offset, body_line, links, _ = _entry(entry[1])
            found = (meta, lines, offset, body_line,
                     None if links is None else [_link(Link, target, line) for target, line in links])
        except (TypeError, ValueError, KeyError):
            return None
        self.used[shown] = entry
        return found

    def by_head(self, shown: str, head: str) -> tuple[Any, dict[tuple, int], int, int] | None:
        """(front matter, lines by key path, offset of the lines, line where the body starts) of the file as an
        earlier build read it, if its front matter's lines (`head`, their digest) are the same now; or None."""
        entry = self.known.get(shown)
        if entry is None or head not in entry[1]:  # a cheap test before the JSON is read
            return None
        try:
            meta, lines, offset, body_line, _, kept = _entry(entry[1])
        except (TypeError, ValueError, KeyError):
            return None
        return (meta, lines, offset, body_line) if kept == head else None

    def keep(self, shown: str, digest: str) -> None:
        """Keep what is remembered of a file for the next build, which this build took from elsewhere."""
        entry = self.known.get(shown)
        if entry is not None and entry[0] == digest:
            self.used[shown] = entry

    def put(self, shown: str, digest: str, meta: Any, lines: dict[tuple, int], offset: int, body_line: int,
            links: list | None = None, head: str | None = None) -> None:
        """Remember a file's YAML (a markdown file's front matter, with `head`, the digest of its lines, and the
        links in its body; or a whole YAML file). Only what can be read back: a file named without tabs and line
        ends, by the digest of its bytes (not what a build notes in its place for a link leading outside)."""
        if "\t" in shown or "\n" in shown or len(digest) != 64:
            return
        try:
            data = json.dumps([_encode(meta), [[list(loc), line] for loc, line in lines.items()], offset, body_line,
                               None if links is None else [[link.target, link.line] for link in links], head],
                              separators=(",", ":"))
        except (TypeError, ValueError):
            return
        self.used[shown] = (digest, data)

    def save(self, path: Path) -> None:
        write_atomic(path, "".join(f"{shown}\t{digest}\t{data}\n" for shown, (digest, data) in self.used.items()))


class WordStore:
    """Long dates and month names as Babel wrote them, by language, kept for the next build: loading Babel's data
    for a language takes longer than rendering the page an edit changed. Read when a page first shows a date, and
    only as written by the Babel release this process imports; anything else in it is made again."""

    def __init__(self, path: Path | None):
        self.path = path  # None: nothing known yet (no cache to trust)
        self.changed = False
        self._known: dict[str, dict[str, Any]] | None = None
        self._added: list[tuple[str, str, Any]] = []  # (language, "dates" or "months", value), for `taken`

    def date(self, language: str, day: date, make: Callable[[date], str]) -> str:
        dates = self._language(language).get("dates")
        text = dates.get(day.isoformat()) if isinstance(dates, dict) else None
        if not isinstance(text, str):
            text = make(day)
            self.add([(language, "dates", (day.isoformat(), text))])
        return text

    def months(self, language: str, make: Callable[[], list[str]]) -> list[str]:
        names = self._language(language).get("months")
        if not (isinstance(names, list) and len(names) == 12 and all(isinstance(n, str) for n in names)):
            names = list(make())
            self.add([(language, "months", names)])
        return list(names)

    def add(self, added: list[tuple[str, str, Any]]) -> None:
        """Words made here, or (`taken`) by a process rendering pages for this one."""
        for language, kind, value in added:
            known = self._language(language)
            if kind == "dates":
                if not isinstance(known.get("dates"), dict):
                    known["dates"] = {}
                known["dates"][value[0]] = value[1]
            else:
                known["months"] = list(value)
        self._added += added
        self.changed = self.changed or bool(added)

    def taken(self) -> list[tuple[str, str, Any]]:
        """The words made since the last call, for the process this one renders pages for."""
        added, self._added = self._added, []
        return added

    def _language(self, language: str) -> dict[str, Any]:
        if self._known is None:
            data = _read_json(self.path) if self.path is not None else None
            languages = data.get("languages") if data is not None and data.get("babel") == _babel() else None
            self._known = {k: v for k, v in languages.items() if isinstance(v, dict)} \
                if isinstance(languages, dict) else {}
        return self._known.setdefault(language, {})

    def save(self, path: Path) -> None:
        if self.changed and self._known is not None:
            write_atomic(path, json.dumps({"babel": _babel(), "languages": self._known}, sort_keys=True))
            self.changed = False


def _babel() -> str:
    import babel

    return babel.__version__


def _entry(data: str) -> tuple[Any, dict[tuple, int], int, int, list | None, str | None]:
    """One remembered file: (its YAML, lines by key path, offset of the lines, line where the body starts, the
    links in its body as [target, line] or None, the digest of its front matter's lines or None)."""
    meta, lines, offset, body_line, links, head = json.loads(data)
    return _decode(meta), {tuple(loc): int(line) for loc, line in lines}, int(offset), int(body_line), links, head


def _link(Link: type, target: Any, line: Any) -> Any:  # noqa: N803 - the class, handed in
    if not isinstance(target, str):
        raise TypeError("a link's target is text")
    return Link(target, int(line))


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) and not k.startswith("$") for k in value):
        return {k: _encode(v) for k, v in value.items()}
    raise TypeError(f"not kept: {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if "$datetime" in value:
            return datetime.fromisoformat(value["$datetime"])
        if "$date" in value:
            return date.fromisoformat(value["$date"])
        return {k: _decode(v) for k, v in value.items()}
    return value


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
