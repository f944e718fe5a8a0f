"""Reading the author's files: UTF-8 text, YAML with line numbers, markdown front matter.

Every reader returns plain data plus a map from a key path (``("site", "url")``) to its 1-based line, so
that validation can say ``welcome.yaml:4: ...`` instead of pointing nowhere.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem

MAX_FILE_BYTES = 2 * 1024 * 1024  # an author's page is kilobytes; anything this big is a mistake
# Settings, sequences and front matter are a few kilobytes. These bounds keep a hostile file (a "billion laughs" of
# aliases, a value that contains itself) from taking the machine: it is refused at its line in milliseconds.
MAX_YAML_BYTES = 256 * 1024
MAX_YAML_VALUES = 50_000  # values built, counting each alias (*name) as the whole value it repeats
MAX_YAML_DEPTH = 64  # levels of nesting; an author's deepest is about six
# Markdown's reader slows down badly on brackets left open or nested deep in one paragraph (4,000 take it half a
# minute) and spends ~0.1 ms on each link: no author's page comes near either bound.
MAX_MARKDOWN_NESTING = 32
MAX_MARKDOWN_BRACKETS = 10_000
_BRACKETS = re.compile(r"[\[\]]")
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


def inside(path: Path, root: Path, shown: str) -> Path:
    """The real path of `path`; a SourceError when it leads out of `root` (a symbolic link leaving the project, or
    a link into a linked folder), so nothing outside the project is ever read into the output."""
    real = Path(path).resolve()
    if real.is_relative_to(Path(root).resolve()):
        return real
    link = next((p for p in [Path(path), *Path(path).parents] if p.is_symlink()), None)
    how = f"a symbolic link to {os.readlink(link)}" if link == Path(path) else "inside a linked folder"
    raise SourceError(Problem(shown, None, f"is {how}, which leads outside the project; welcome-gen reads only files "
                                           "inside the project (copy the file in instead)"))


def _read_bytes(path: Path | str, shown: str) -> bytes:
    """The file's bytes, opened once and read with the system's own calls (a site's thousands of files are read
    on every build); its size asked of the open file, so a huge one is refused unread."""
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        chunks, total, ended = [], 0, False
        while True:
            if max(size, total) > MAX_FILE_BYTES:
                raise SourceError(Problem(shown, None, f"file is {max(size, total) / 1_048_576:.1f} MB; the limit "
                                                       f"is {MAX_FILE_BYTES // 1_048_576} MB"))
            if ended:
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)
            asked = max(size + 1 - total, 1 << 16)  # to the end, however it grew meanwhile
            chunk = os.read(fd, asked)
            chunks.append(chunk)
            total += len(chunk)
            ended = len(chunk) < asked  # a file's end: no second call to be told so
    finally:
        os.close(fd)


def read_text(path: Path, shown: str, root: Path | None = None) -> str:
    """Read a UTF-8 text file, refusing huge and non-UTF-8 files (and, given `root`, files outside it) with a
    clear problem."""
    if root is not None:
        inside(path, root, shown)
    return decoded(read_bytes(path, shown), shown)


def read_bytes(path: Path | str, shown: str) -> bytes:
    """The file's bytes, refusing a huge file with a clear problem."""
    try:
        return _read_bytes(path, shown)
    except OSError as exc:  # a folder named like a file fails here too
        raise SourceError(Problem(shown, None, f"cannot read file: {exc.strerror}")) from None


def decoded(data: bytes, shown: str) -> str:
    """UTF-8 text, without a byte order mark; a clear problem at the line of a byte that is not UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            Problem(shown, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8")
        ) from None
    return text.removeprefix("\ufeff")


def parse_yaml(text: str, shown: str, offset: int = 0) -> tuple[Any, Positions]:
    """Parse one YAML document safely, keeping the line of every key and list item; bounded in size, nesting and
    alias expansion. (PyYAML is imported by the first file a process parses: a rebuild whose YAML is all
    remembered never does.)"""
    from .yamlread import parse

    return parse(text, shown, offset)


def markdown_problem(text: str, shown: str, first_line: int = 1) -> Problem | None:
    """What would make the markdown reader take minutes rather than milliseconds: brackets nested deep (or left
    open) in one paragraph, or more links than any page needs. None when the text is fine."""
    brackets = text.count("[")
    if brackets > MAX_MARKDOWN_BRACKETS:
        return Problem(shown, None, f"more than {MAX_MARKDOWN_BRACKETS} '[' (links and images) in one file; split it")
    if brackets <= MAX_MARKDOWN_NESTING:
        return None  # too few to nest that deep: most files stop here
    depth = 0
    for number, line in enumerate(text.split("\n"), first_line):
        if not line.strip():
            depth = 0  # a blank line ends the paragraph, and whatever it left open
            continue
        if "[" not in line and (depth == 0 or "]" not in line):
            continue
        for char in _BRACKETS.findall(line):
            if char == "[":
                depth += 1
                if depth > MAX_MARKDOWN_NESTING:
                    return Problem(shown, number, f"more than {MAX_MARKDOWN_NESTING} '[' open at once; close them "
                                                  "(or write \\[ for a literal bracket)")
            elif char == "]":
                depth = max(0, depth - 1)
    return None


@dataclass
class FrontMatter:
    meta: Any
    positions: Positions
    body: Any  # the text, or where to read it when first asked for (`load.Unread`)
    body_line: int  # 1-based line where the body starts


def front_matter_end(text: str) -> int | None:
    """Where the body starts in `text`, just after the front matter's closing line (everything before it is the
    front matter, its `---` lines included); None when the front matter is missing or not closed."""
    return _body_start(text)


def body_of(text: str) -> str | None:
    """The markdown body of a file as `split_front_matter` finds it, without reading the YAML; None when the front
    matter is missing or not closed."""
    start = _body_start(text)
    return None if start is None else text[start:]


# Where str.splitlines() ends a line: the front matter's lines are found one by one, the body never split.
_LINE_END = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# A line, ended by \n (a \r before it is whitespace), that strips to a closing `---` or `...`; and the line ends
# other than \n and \r\n, before which a file is split the careful way.
_CLOSING = re.compile(r"^[^\S\n]*(?:---|\.\.\.)[^\S\n]*$", re.MULTILINE)
_OTHER_LINE_END = re.compile("\r(?!\n)|[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _body_start(text: str) -> int | None:
    """Where the body starts in `text` (just after the closing line); None when the front matter is missing or
    not closed. Lines ended by \n or \r\n (nearly every file) take one search, others `_head`'s line by line."""
    first = text.find("\n")
    if first < 0:
        return _slow_start(text)
    closing = _CLOSING.search(text, first + 1)  # `^` matches there: just after a line end
    end = closing.end() if closing else len(text)
    if _OTHER_LINE_END.search(text, 0, min(end + 1, len(text))):  # a \r ending the region is seen with its \n
        return _slow_start(text)
    if text[:first].strip() != "---" or closing is None:
        return None
    return end + 1 if end < len(text) else end  # after its \n; or the closing line was the file's last


def _slow_start(text: str) -> int | None:
    head = _head(text)
    return None if head is None else head[1]


def _head(text: str) -> tuple[list[str], int] | None:
    """The lines of the front matter (as `splitlines(keepends=True)` gives them), the closing `---` line included,
    and where the body starts in `text`; None when the front matter is missing or not closed."""
    lines: list[str] = []
    start = 0
    for match in _LINE_END.finditer(text):
        end = match.end()
        line = text[start:end]
        lines.append(line)
        start = end
        if len(lines) == 1:
            if line.strip() != "---":
                return None
        elif line.strip() in ("---", "..."):
            return lines, start
    if start < len(text) and lines and text[start:].strip() in ("---", "..."):  # closed on the last line
        lines.append(text[start:])
        return lines, len(text)
    return None


def split_front_matter(text: str, shown: str) -> FrontMatter:
    """Split `---` YAML front matter from a markdown body."""
    start = _body_start(text)
    if start is None:
        first = text.splitlines()[:1]
        if not first or first[0].strip() != "---":
            raise SourceError(Problem(shown, 1, "missing front matter: start the file with a '---' line, then YAML, "
                                                "then '---'"))
        raise SourceError(Problem(shown, 1, "front matter is not closed: add a '---' line after it"))
    lines = text[:start].splitlines(keepends=True)
    i = len(lines) - 1
    yaml_text = "".join(lines[1:i])
    if not yaml_text.strip():
        raise SourceError(Problem(shown, 1, "empty front matter: it needs at least a 'title'"))
    meta, positions = parse_yaml(yaml_text, shown, offset=1)
    if not isinstance(meta, dict):
        raise SourceError(Problem(shown, 2, "front matter must be a mapping of 'key: value' lines"))
    return FrontMatter(meta, positions, text[start:], i + 2)
