"""Mailchimp merge tags in an author's email: check that they balance and are known, and fill them in for a
sample subscriber.

Filling in is for previews and personalisation checks only (Mailchimp fills in the real ones when it sends); it
uses the renderer the emulator uses, which also computes the tags Mailchimp computes itself (dates, upper/lower/
title). The checks here are stricter than the renderer: they hold the author to the tags the audience has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Callable

from ..mailchimp import mergetags as mailchimp_mergetags
from ..mailchimp.mergetags import TAG as TAG_RE

STRAY_RE = re.compile(r"\*\||\|\*")
COND_RE = re.compile(r"^(IF|IFNOT|ELSEIF):([A-Z0-9_]+)(?:(=|!=|>=|<=|>|<)(.*))?$", re.S)
FUNCTIONS = ("UPPER", "LOWER", "TITLE", "URL", "HTML", "DATE")
SYSTEM_TAGS = frozenset({
    "UNSUB", "UPDATE_PROFILE", "EMAIL", "ARCHIVE", "ARCHIVE_LINK_SHORT", "FORWARD", "ABOUT_LIST", "MC:SUBJECT",
    "MC_PREVIEW_TEXT", "CURRENT_YEAR", "REWARDS", "REWARDS_TEXT", "LIST:ADDRESS", "LIST:ADDRESSLINE",
    "HTML:LIST_ADDRESS_HTML", "LIST:DESCRIPTION", "LIST:COMPANY", "LIST:NAME", "LIST:URL", "LIST:SUBSCRIBE",
    "LIST:RECENT", "LIST:SUBSCRIBERS", "USER:COMPANY", "USER:ADDRESS", "USER:URL", "USER:PHONE", "DATE",
})
ADDRESS_TAGS = ("*|LIST:ADDRESS|*", "*|LIST:ADDRESSLINE|*", "*|HTML:LIST_ADDRESS_HTML|*")


@dataclass(frozen=True)
class TagIssue:
    offset: int
    message: str


def check(text: str, fields: set[str]) -> list[TagIssue]:
    """Balance and vocabulary of the merge tags in `text`: unknown tags, stray `*|`, IF without END."""
    issues: list[TagIssue] = []
    depth: list[tuple[int, bool]] = []  # (offset of IF, seen ELSE)
    last = 0
    for m in TAG_RE.finditer(text):
        between = text[last:m.start()]
        for stray in STRAY_RE.finditer(between):
            issues.append(TagIssue(last + stray.start(), f"stray '{stray.group(0)}' that is not part of a merge tag"))
        last = m.end()
        body = m.group(1)
        if not body or "*|" in body or "\n" in body:
            issues.append(TagIssue(m.start(), f"malformed merge tag '{m.group(0)[:40]}'"))
            continue
        cond = COND_RE.match(body)
        if cond:
            kind, name = cond.group(1), cond.group(2)
            if kind == "ELSEIF":
                if not depth or depth[-1][1]:
                    issues.append(TagIssue(m.start(), f"*|{body}|* without an open *|IF:...|*"))
            else:
                depth.append((m.start(), False))
            if name not in fields and name not in SYSTEM_TAGS:
                issues.append(TagIssue(m.start(), f"unknown merge tag '{name}' in *|{body}|*"))
        elif body == "ELSE:":
            if not depth or depth[-1][1]:
                issues.append(TagIssue(m.start(), "*|ELSE:|* without an open *|IF:...|*"))
            else:
                depth[-1] = (depth[-1][0], True)
        elif body == "END:IF":
            if not depth:
                issues.append(TagIssue(m.start(), "*|END:IF|* without an open *|IF:...|*"))
            else:
                depth.pop()
        elif not _known(body, fields):
            issues.append(TagIssue(m.start(), f"unknown merge tag *|{body}|*"))
    for stray in STRAY_RE.finditer(text[last:]):
        issues.append(TagIssue(last + stray.start(), f"stray '{stray.group(0)}' that is not part of a merge tag"))
    for offset, _ in depth:
        issues.append(TagIssue(offset, "*|IF:...|* is never closed with *|END:IF|*"))
    return issues


def _known(body: str, fields: set[str]) -> bool:
    if body in SYSTEM_TAGS or body in fields:
        return True
    fn, _, arg = body.partition(":")
    if fn == "DATE":
        return True
    return fn in FUNCTIONS and (arg in fields or arg in SYSTEM_TAGS)


def fill(text: str, values: dict[str, str], escape: Callable[[str], str] = lambda s: s, today: date | None = None) -> str:
    """Fill in merge tags the way Mailchimp does for one member (`values`: tag name -> value; missing = blank)."""
    values = dict(values)
    known = {name.upper() for name in values}
    for body, upper in _fields(text):
        if upper not in known:
            values[body] = ""  # a field this member lacks reads blank, as in Mailchimp
    return mailchimp_mergetags.render(text, values, escape=escape, today=today)


@lru_cache(maxsize=128)  # the same texts are filled in for every sample subscriber
def _fields(text: str) -> tuple[tuple[str, str], ...]:
    """The merge tags of `text` that name a member's field (as written, and as looked up), each once."""
    found = {}
    for m in TAG_RE.finditer(text):
        body = m.group(1)
        if not COND_RE.match(body) and body not in ("ELSE:", "END:IF") and not mailchimp_mergetags.is_computed(body):
            found.setdefault(body, body.strip().upper())
    return tuple(found.items())
