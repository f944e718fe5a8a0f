"""Reading the author's files: UTF-8 text, YAML with line numbers, markdown front matter.

Every reader returns plain data plus a map from a key path (``("site", "url")``) to its 1-based line, so
that validation can say ``welcome.yaml:4: ...`` instead of pointing nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem

MAX_FILE_BYTES = 2 * 1024 * 1024  # an author's page is kilobytes; anything this big is a mistake

try:  # the C loader is ~10x faster on large files
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _BaseLoader = yaml.SafeLoader

Loc = tuple[Any, ...]


class SourceError(Exception):
    """A file could not be read or parsed; carries the problem to report."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


@dataclass
class Positions:
    """Line numbers of keys and items inside one YAML document."""

    lines: dict[Loc, int] = field(default_factory=dict)
    offset: int = 0  # lines before the YAML starts (front matter begins after `---`)

    def line(self, loc: Loc) -> int | None:
        """The line of `loc`, or of its nearest ancestor that has one."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc] + self.offset
            loc = loc[:-1]
        return self.lines.get((), 1) + self.offset


def read_text(path: Path, shown: str) -> str:
    """Read a UTF-8 text file, refusing huge and non-UTF-8 files with a clear problem."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SourceError(Problem(shown, None, f"cannot read file: {exc.strerror}")) from None
    if size > MAX_FILE_BYTES:
        raise SourceError(
            Problem(shown, None, f"file is {size / 1_048_576:.1f} MB; the limit is {MAX_FILE_BYTES // 1_048_576} MB")
        )
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            Problem(shown, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8")
        ) from None
    return text.removeprefix("\ufeff")


def _yaml_problem(exc: yaml.YAMLError, text: str, shown: str, offset: int) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 + offset if mark is not None else None
    what = getattr(exc, "problem", None) or str(exc)
    source_line = text.splitlines()[mark.line] if mark is not None and mark.line < len(text.splitlines()) else ""
    if "\t" in source_line[: len(source_line) - len(source_line.lstrip())] or "\\t" in what:
        what = "a tab is used for indentation; YAML needs spaces"
    else:
        context = getattr(exc, "context", None)
        what = f"invalid YAML: {what}" + (f" ({context})" if context else "")
    return Problem(shown, line, what)


def parse_yaml(text: str, shown: str, offset: int = 0) -> tuple[Any, Positions]:
    """Parse one YAML document safely, keeping the line of every key and list item."""
    loader = _BaseLoader(text)
    positions = Positions(offset=offset)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, positions
        positions.lines[()] = node.start_mark.line + 1
        data = _build(loader, node, (), positions, shown)
    except yaml.YAMLError as exc:
        raise SourceError(_yaml_problem(exc, text, shown, offset)) from None
    finally:
        loader.dispose()
    return data, positions


def _build(loader: Any, node: yaml.Node, loc: Loc, pos: Positions, shown: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise SourceError(Problem(shown, key_node.start_mark.line + 1 + pos.offset, "a key must be plain text"))
            if key in out:
                raise SourceError(
                    Problem(shown, key_node.start_mark.line + 1 + pos.offset, f"duplicate key '{key}'")
                )
            pos.lines[loc + (key,)] = key_node.start_mark.line + 1
            out[key] = _build(loader, value_node, loc + (key,), pos, shown)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            pos.lines[loc + (i,)] = item.start_mark.line + 1
            items.append(_build(loader, item, loc + (i,), pos, shown))
        return items
    try:
        return loader.construct_object(node, deep=True)
    except ValueError:  # YAML's own date reading: 2026-02-30 looks like a date but is none
        name = ".".join(str(p) for p in loc) or "value"
        raise SourceError(Problem(shown, node.start_mark.line + 1 + pos.offset,
                                  f"{name}: '{node.value}' is not a valid date (write YYYY-MM-DD)")) from None


@dataclass
class FrontMatter:
    meta: Any
    positions: Positions
    body: str
    body_line: int  # 1-based line where the body starts


def split_front_matter(text: str, shown: str) -> FrontMatter:
    """Split `---` YAML front matter from a markdown body."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise SourceError(Problem(shown, 1, "missing front matter: start the file with a '---' line, then YAML, then '---'"))
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            yaml_text = "".join(lines[1:i])
            body = "".join(lines[i + 1 :])
            if not yaml_text.strip():
                raise SourceError(Problem(shown, 1, "empty front matter: it needs at least a 'title'"))
            meta, positions = parse_yaml(yaml_text, shown, offset=1)
            if not isinstance(meta, dict):
                raise SourceError(Problem(shown, 2, "front matter must be a mapping of 'key: value' lines"))
            return FrontMatter(meta, positions, body, i + 2)
    raise SourceError(Problem(shown, 1, "front matter is not closed: add a '---' line after it"))
