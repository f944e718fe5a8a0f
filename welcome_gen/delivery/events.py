"""Member events for event-triggered sequences: from the project's `events/` folder, a file, or Mailchimp.

Files hold one event per entry: `email`, `name`, `id`, `occurred_at` (ISO 8601) and optional `properties`.

- `events/*.jsonl`: one JSON object per line (blank lines and lines starting with `#` are skipped);
- `events/*.yaml` / `*.yml`: a list of such mappings.

Every bad entry is reported at its `path:line`, all at once. Mailchimp's own member events
(`GET /lists/{id}/members/{hash}/events`) carry no id: an event's id is its `id` property when it has one, else
a digest of its name and time, which is as stable as the event itself.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Problem, ProjectError, rel
from ..project.load import Project
from ..project.source import SourceError, parse_yaml, read_text
from ..mailchimp.reads import parse_time
from .members import Event, Member

if TYPE_CHECKING:  # `build` checks the events folder without loading the Mailchimp client
    from ..mailchimp.client import Mailchimp

FOLDER = "events"
SUFFIXES = (".jsonl", ".yaml", ".yml")
EVENT_FIELDS = ["events.name", "events.occurred_at", "events.properties", "total_items"]
EXPECTED = "expected email, name, id and occurred_at (ISO 8601)"


def to_event(doc: Any) -> Event:
    """One event from plain data; ValueError says what is wrong."""
    if not isinstance(doc, dict):
        raise ValueError(f"not a mapping; {EXPECTED}")
    missing = [k for k in ("email", "name", "id", "occurred_at") if doc.get(k) in (None, "")]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}; {EXPECTED}")
    email = str(doc["email"]).strip().lower()
    if "@" not in email:
        raise ValueError(f"email {doc['email']!r} is not an email address")
    when = doc["occurred_at"]
    if isinstance(when, date) and not isinstance(when, datetime):  # YAML reads a bare date as a date
        when = datetime.combine(when, time(0), tzinfo=timezone.utc)
    moment = when if isinstance(when, datetime) else parse_time(when)
    if moment is None:
        raise ValueError(f"occurred_at {when!r} is not an ISO 8601 time, e.g. 2027-03-01T09:00:00Z")
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    props = doc.get("properties") or {}
    if not isinstance(props, dict):
        raise ValueError("properties must be a mapping")
    return Event(email, str(doc["name"]).strip(), str(doc["id"]).strip(), moment,
                 {str(k): str(v) for k, v in props.items()})


def read_file(path: Path, shown: str, root: Path | None = None) -> list[Event]:
    """The events of one file (JSON lines, or a YAML list); ProjectError with every bad entry at its line. Given
    `root`, a file that leads outside it (a symbolic link) is refused."""
    try:
        text = read_text(Path(path), shown, root)
    except SourceError as exc:
        raise ProjectError([exc.problem]) from None
    entries: list[tuple[int | None, Any]] = []
    problems: list[Problem] = []
    if Path(path).suffix in (".yaml", ".yml"):
        try:
            data, pos = parse_yaml(text, shown)
        except SourceError as exc:
            raise ProjectError([exc.problem]) from None
        if data is None:
            return []
        if not isinstance(data, list):
            raise ProjectError([Problem(shown, pos.line(()), "an events file holds a list of events (- email: ...)")])
        entries = [(pos.line((i,)), doc) for i, doc in enumerate(data)]
    else:
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                entries.append((n, json.loads(line)))
            except ValueError as exc:
                problems.append(Problem(shown, n, f"not JSON ({exc.args[0].split(':')[0]}); one event per line"))
    events = []
    for line, doc in entries:
        try:
            events.append(to_event(doc))
        except ValueError as exc:
            problems.append(Problem(shown, line, f"not an event: {exc}"))
    if problems:
        raise ProjectError(problems)
    return events


def recorded_file(project: Project) -> Path:
    """The file `welcome-gen thank` appends to (welcome.yaml `events.file`)."""
    return project.root / project.config.events.file


def read_folder(project: Project) -> list[Event]:
    """Every event in the project's `events/` folder and in the file `thank` records to (none when both are
    absent); all problems at once."""
    folder = project.root / FOLDER
    paths = {p for p in folder.rglob("*") if p.is_file() and p.suffix in SUFFIXES} if folder.is_dir() else set()
    if recorded_file(project).is_file():
        paths.add(recorded_file(project))
    events, problems = [], []
    for path in sorted(paths):
        try:
            events += read_file(path, rel(path, project.root), project.root)
        except ProjectError as exc:
            problems += exc.problems
    if problems:
        raise ProjectError(problems)
    return events


def check(project: Project) -> list[Problem]:
    """The `events/` folder's problems, for `welcome-gen check` (send would refuse the same files)."""
    try:
        read_folder(project)
    except ProjectError as exc:
        return exc.problems
    return []


def merge(*groups: list[Event]) -> list[Event]:
    """Events from every source, each (member, name, id) once."""
    seen, out = set(), []
    for group in groups:
        for e in group:
            if (e.email, e.name, e.id) not in seen:
                seen.add((e.email, e.name, e.id))
                out.append(e)
    return out


def mailchimp_event_id(doc: dict) -> str:
    props = doc.get("properties") or {}
    if props.get("id"):
        return str(props["id"])
    return hashlib.sha256(f"{doc.get('name')}|{doc.get('occurred_at')}".encode()).hexdigest()[:16]


def read_member_events(mc: Mailchimp, project: Project, members: list[Member], now: datetime) -> list[Event]:
    """Mailchimp's member events that an event-triggered sequence listens for, for every member who could still
    receive one: one call per such member, so meant for audiences of thousands, not hundreds of thousands."""
    from .plan import look_back  # only here: a build reads the events folder without the planner
    sequences = [s for s in project.sequences if s.meta.trigger.type == "event"]
    if not sequences:
        return []
    names = {s.meta.trigger.event for s in sequences}
    reach = max(look_back(project, s) for s in sequences)  # older events can no longer be due
    eligible = [m for m in members if m.status == "subscribed"
                and any(not s.meta.personas or m.persona in s.meta.personas for s in sequences)]

    def one(member: Member) -> list[Event]:
        doc = mc.call("lists.get_list_member_events", mc.list_id, member.id or mc.subscriber_hash(member.email),
                      count=1000, fields=EVENT_FIELDS) or {}
        out = []
        for item in doc.get("events") or []:
            when = parse_time(item.get("occurred_at"))
            if item.get("name") in names and when is not None and now - reach <= when <= now:
                out.append(Event(member.email, item["name"], mailchimp_event_id(item), when,
                                 {str(k): str(v) for k, v in (item.get("properties") or {}).items()}))
        return out

    return [e for found in mc.map(one, eligible) for e in found]
