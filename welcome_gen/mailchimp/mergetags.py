"""Mailchimp merge tags, rendered for one recipient: a pure function shared by the emulator and previews.

Supported: value tags (`*|FNAME|*`, `*|EMAIL|*`, `*|LIST:ADDRESS|*`, any name the caller supplies) and
conditional blocks, nested to any depth::

    *|IF:FNAME|*Hi *|FNAME|*,*|ELSEIF:LNAME|*Hello *|LNAME|*,*|ELSE:|*Hello,*|END:IF|*
    *|IF:PLAN=pro|*…*|END:IF|*      *|IFNOT:VIP|*…*|END:IF|*     (operators: = != > < >= <=)

Tags Mailchimp computes itself are filled in unless the caller supplies them: `*|DATE:d/m/Y|*` (PHP date letters,
on `today`), `*|DATE|*`, and `*|UPPER:FNAME|*`, `*|LOWER:…|*`, `*|TITLE:…|*` of another tag's value. Any other tag
whose name the caller does not supply is left as written, as Mailchimp shows unknown tags; in a condition it
counts as empty. Values are compared as numbers when both sides are numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date
from typing import Any, Callable, Mapping

TAG = re.compile(r"\*\|(.*?)\|\*", re.S)
COND = re.compile(r"^\s*([A-Za-z0-9_:]+)\s*(?:(!=|>=|<=|=|>|<)\s*(.*?))?\s*$", re.S)
CASES = {"UPPER": str.upper, "LOWER": str.lower, "TITLE": str.title}
PHP_DATE = {"d": "%d", "j": "%-d", "m": "%m", "n": "%-m", "F": "%B", "M": "%b", "Y": "%Y", "y": "%y", "l": "%A",
            "D": "%a"}
DEFAULT_DATE = "%-d %B %Y"


class MergeTagError(ValueError):
    """The text's conditional blocks do not nest (an ELSE or END:IF without IF, an IF never closed)."""


@dataclass
class _Branch:
    cond: str | None  # None for ELSE
    negate: bool
    body: list = field(default_factory=list)


@dataclass
class _Block:
    branches: list[_Branch]


# The same few texts (each email's parts) are filled in for every sample subscriber, and by the emulator for every
# member of a campaign: each is parsed once. The tree is only ever read.
@lru_cache(maxsize=128)
def _parse(text: str) -> list:
    root: list = []
    stack: list[tuple[_Block, list]] = []  # open blocks, with the node list that holds each
    current = root
    pos = 0
    for m in TAG.finditer(text):
        if m.start() > pos:
            current.append(text[pos:m.start()])
        pos = m.end()
        inner = m.group(1).strip()
        head, _, rest = inner.partition(":")
        head = head.upper()
        if head in ("IF", "IFNOT"):
            block = _Block([_Branch(rest, head == "IFNOT")])
            current.append(block)
            stack.append((block, current))
            current = block.branches[0].body
        elif head in ("ELSEIF", "ELSE"):
            if not stack:
                raise MergeTagError(f"*|{inner}|* without a matching *|IF:…|*")
            block = stack[-1][0]
            if block.branches[-1].cond is None:
                raise MergeTagError(f"*|{inner}|* after *|ELSE:|*")
            block.branches.append(_Branch(rest if head == "ELSEIF" else None, False))
            current = block.branches[-1].body
        elif head == "END" and rest.strip().upper() in ("IF", "IFNOT"):
            if not stack:
                raise MergeTagError(f"*|{inner}|* without a matching *|IF:…|*")
            _, current = stack.pop()
        else:
            current.append(m)
    if stack:
        raise MergeTagError(f"*|IF:{stack[-1][0].branches[0].cond}|* is never closed with *|END:IF|*")
    if pos < len(text):
        current.append(text[pos:])
    return root


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Mapping):  # an address merge field
        parts = [value.get(k) for k in ("addr1", "addr2", "city", "state", "zip", "country")]
        return "  ".join(str(p) for p in parts if p)
    return str(value)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _holds(cond: str, values: Mapping[str, Any]) -> bool:
    m = COND.match(cond)
    if not m:
        raise MergeTagError(f"cannot read the condition {cond!r}")
    name, op, expected = m.group(1).upper(), m.group(2), m.group(3)
    actual = _text(values.get(name)).strip()
    if op is None:
        return actual != ""
    expected = expected.strip().strip("\"'")
    a, b = _number(actual), _number(expected)
    left, right = (a, b) if a is not None and b is not None else (actual, expected)
    if op in (">", "<", ">=", "<=") and isinstance(left, str):
        return False  # ordering only means something for numbers
    return {"=": left == right, "!=": left != right, ">": left > right, "<": left < right,
            ">=": left >= right, "<=": left <= right}[op]


def is_computed(name: str) -> bool:
    """Is `name` a tag Mailchimp computes itself (`DATE`, `DATE:…`, `UPPER:FNAME`…)?"""
    fn, colon, _ = name.strip().partition(":")
    return fn.upper() == "DATE" or (fn.upper() in CASES and bool(colon))


def _computed(name: str, values: Mapping[str, Any], today: date) -> str:
    fn, _, arg = name.strip().partition(":")
    if fn.upper() == "DATE":
        return _strftime(today, _php_to_strftime(arg) if arg else DEFAULT_DATE)
    return CASES[fn.upper()](_text(values.get(arg.upper())))


def _php_to_strftime(php: str) -> str:
    out, i = [], 0
    while i < len(php):
        c = php[i]
        if c == "\\" and i + 1 < len(php):
            out.append(php[i + 1].replace("%", "%%"))
            i += 2
            continue
        out.append(PHP_DATE.get(c, c.replace("%", "%%")))
        i += 1
    return "".join(out)


def _strftime(day: date, fmt: str) -> str:
    # '%-d' is not portable; do it by hand
    return day.strftime(fmt.replace("%-d", str(day.day)).replace("%-m", str(day.month)))


def _emit(nodes: list, values: Mapping[str, Any], escape: Callable[[str], str], today: date, out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, _Block):
            for branch in node.branches:
                if branch.cond is None or _holds(branch.cond, values) != branch.negate:
                    _emit(branch.body, values, escape, today, out)
                    break
        else:  # a value tag
            name = node.group(1).strip()
            if name.upper() in values:
                out.append(escape(_text(values[name.upper()])))
            elif is_computed(name):
                out.append(escape(_computed(name, values, today)))
            else:
                out.append(node.group(0))


def render(text: str, values: Mapping[str, Any], *, escape: Callable[[str], str] | None = None,
           today: date | None = None) -> str:
    """`text` with every merge tag filled from `values` (names are matched case-insensitively), and the tags
    Mailchimp computes filled in for `today` (default: the machine's date).

    `escape` is applied to inserted values only, e.g. `html.escape` for an HTML body.
    """
    upper = {str(k).upper(): v for k, v in values.items()}
    out: list[str] = []
    _emit(_parse(text), upper, escape or (lambda s: s), today or date.today(), out)
    return "".join(out)


def check(text: str) -> list[str]:
    """Problems with the text's merge tags (empty when it renders)."""
    try:
        nodes = _parse(text)
    except MergeTagError as exc:
        return [str(exc)]
    problems: list[str] = []

    def walk(items: list) -> None:
        for node in items:
            if isinstance(node, _Block):
                for branch in node.branches:
                    if branch.cond is not None and not COND.match(branch.cond):
                        problems.append(f"cannot read the condition {branch.cond!r}")
                    walk(branch.body)

    walk(nodes)
    return problems
