"""YAML as welcome-gen reads it: safe, bounded, and with the line of every key and list item (`source.parse_yaml`)."""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import Problem
from .source import MAX_YAML_BYTES, MAX_YAML_DEPTH, MAX_YAML_VALUES, Loc, Positions, SourceError

MERGE_TAG = "tag:yaml.org,2002:merge"
PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")

try:  # the C loader is ~10x faster on large files
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _BaseLoader = yaml.SafeLoader


def _yaml_problem(exc: yaml.YAMLError, text: str, shown: str, offset: int) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow; it knows the position only
        before = text.encode("utf-8")[: exc.position] if _BaseLoader is not yaml.SafeLoader else text[: exc.position]
        line = before.count(b"\n" if isinstance(before, bytes) else "\n") + 1 + offset  # libyaml counts bytes
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)  # the C reader gives an int
        return Problem(shown, line, f"invalid YAML: the character U+{code:04X} is not allowed here "
                                    "(a control character); remove it")
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    context = getattr(exc, "context", None)
    opened = getattr(exc, "context_mark", None)
    if context and "scanning a quoted scalar" in context and opened is not None:
        mark = opened  # an unclosed quote: where it opens, not where the file ends
    line = mark.line + 1 + offset if mark is not None else None
    what = getattr(exc, "problem", None) or str(exc)
    source_line = text.splitlines()[mark.line] if mark is not None and mark.line < len(text.splitlines()) else ""
    if "\t" in source_line[: len(source_line) - len(source_line.lstrip())] or "\\t" in what:
        what = "a tab is used for indentation; YAML needs spaces"
    elif mark is opened and context and "quoted scalar" in context:
        what = "invalid YAML: this quoted text is never closed (add the closing quote)"
    else:
        what = f"invalid YAML: {what}" + (f" ({context})" if context else "")
    return Problem(shown, line, what)


def parse(text: str, shown: str, offset: int = 0) -> tuple[Any, Positions]:
    """`source.parse_yaml`: one YAML document, safely, with the line of every key and list item."""
    positions = Positions(offset=offset)
    if len(text) > MAX_YAML_BYTES:
        raise SourceError(Problem(shown, offset + 1, f"the YAML is {len(text) // 1024} KB; the limit is "
                                                     f"{MAX_YAML_BYTES // 1024} KB"))
    loader = _BaseLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, positions
        positions.lines[()] = node.start_mark.line + 1
        data = _Builder(loader, positions, shown).build(node, (), node.start_mark.line + 1)
    except yaml.YAMLError as exc:
        raise SourceError(_yaml_problem(exc, text, shown, offset)) from None
    finally:
        loader.dispose()
    return data, positions


class _Builder:
    """Nodes -> plain data, recording lines; counts every value built, so aliases cannot multiply without end."""

    def __init__(self, loader: Any, positions: Positions, shown: str):
        self.loader, self.pos, self.shown = loader, positions, shown
        self.built = 0
        self.open: set[int] = set()  # the nodes being built: meeting one again is a value that contains itself
        self.seen: set[int] = set()  # the nodes built once: meeting one again is an alias (*name) repeating it
        self.alias_line: int | None = None  # where the alias being expanded is used

    def refuse(self, line: int, message: str) -> SourceError:
        return SourceError(Problem(self.shown, line + self.pos.offset, message))

    def build(self, node: yaml.Node, loc: Loc, line: int) -> Any:
        """`line`: the line of the nearest key, where an alias that repeats too much is written."""
        self.built += 1
        if self.built > MAX_YAML_VALUES:
            raise self.refuse(self.alias_line or line, f"more than {MAX_YAML_VALUES} values once aliases (*name) "
                                                       "are expanded; an alias repeats a large value too often")
        if id(node) in self.open:
            raise self.refuse(line, "an alias (*name) is used inside the value it names, so the value would "
                                    "contain itself without end")
        if len(self.open) >= MAX_YAML_DEPTH:
            raise self.refuse(line, f"values are nested more than {MAX_YAML_DEPTH} levels deep")
        if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            return self.scalar(node, loc)
        if node.tag not in PLAIN_TAGS:  # PyYAML would build these itself (a set, pairs, Python objects): refuse
            raise self.refuse(node.start_mark.line + 1, f"invalid YAML: the tag '{node.tag}' is not supported")
        outermost = self.alias_line is None and id(node) in self.seen
        if outermost:
            self.alias_line = line
        self.seen.add(id(node))
        self.open.add(id(node))
        try:
            return self.mapping(node, loc) if isinstance(node, yaml.MappingNode) else self.sequence(node, loc, line)
        finally:
            self.open.discard(id(node))
            if outermost:
                self.alias_line = None

    def sequence(self, node: yaml.SequenceNode, loc: Loc, line: int) -> list[Any]:
        items = []
        for i, item in enumerate(node.value):
            self.pos.lines[loc + (i,)] = item.start_mark.line + 1
            items.append(self.build(item, loc + (i,), line))
        return items

    def mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[Any, Any]:
        # `<<: *defaults` merges are done here rather than by PyYAML, whose merging copies without any bound.
        merged: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                line = key_node.start_mark.line + 1
                parts = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for part in parts:
                    if not isinstance(part, yaml.MappingNode):
                        raise self.refuse(line, "'<<' merges mappings only (<<: *name, or <<: [*a, *b])")
                    for key, value in self.build(part, loc, line).items():
                        merged.setdefault(key, value)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                continue
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.refuse(line, "a key must be plain text")
            key = self.loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise self.refuse(line, "a key must be plain text")
            if key in out:
                raise self.refuse(line, f"duplicate key '{key}'")
            self.pos.lines[loc + (key,)] = line
            out[key] = self.build(value_node, loc + (key,), line)
        return {**merged, **out}

    def scalar(self, node: yaml.Node, loc: Loc) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except ValueError:  # YAML's own date reading: 2026-02-30 looks like a date but is none
            name = ".".join(str(p) for p in loc) or "value"
            raise self.refuse(node.start_mark.line + 1, f"{name}: '{node.value}' is not a valid date (write "
                                                        "YYYY-MM-DD)") from None
