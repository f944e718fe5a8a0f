"""Local time for one member: their timezone, send windows on allowed days, birthdays and anniversaries.

All instants are timezone-aware; arithmetic on wall-clock times goes through `zoneinfo`, so DST changes and
half-hour zones need no special cases.
"""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..project.steps import WEEKDAYS
from .members import Member


@dataclass(frozen=True)
class Rules:
    """When one sequence may send: a daily window in the member's local time, on some weekdays."""

    start: time
    end: time
    days: frozenset[int]  # 0 = Monday
    max_lateness: timedelta


def from_hour(rules: Rules, hour: int) -> Rules:
    """The window starting at a member's own hour: `hour` o'clock, kept inside the window (an hour before it
    starts from the window's start; one at or after its end from the last whole hour in it)."""
    latest = max(rules.start, time(max(0, (rules.end.hour - 1) if rules.end.minute == 0 else rules.end.hour)))
    start = min(max(time(hour), rules.start), latest)
    return Rules(start, rules.end, rules.days, rules.max_lateness)


@lru_cache(maxsize=1024)
def zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(str(name).strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


def member_zone(member: Member, site_zone: str) -> ZoneInfo:
    """The timezone merge field, else Mailchimp's location, else the site's."""
    return zone(member.timezone) or zone(member.location_timezone) or zone(site_zone) or ZoneInfo("UTC")


def wall(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The instant (UTC) when the clock in `tz` shows `at` on `day`; a time skipped by DST moves forward."""
    local = datetime.combine(day, at, tzinfo=tz)
    # Round-trip through UTC: a wall time inside a spring-forward gap normalises to the later side.
    return local.astimezone(timezone.utc)


def open_at(local: datetime, rules: Rules) -> bool:
    """The send-window test: whether a member's wall-clock time (`instant.astimezone(their zone)`) falls on an
    allowed day and inside the window."""
    return local.weekday() in rules.days and rules.start <= local.time() < rules.end


def first_opportunity(instant: datetime, tz: ZoneInfo, rules: Rules) -> datetime:
    """The first instant at or after `instant` inside the window on an allowed day."""
    local = instant.astimezone(tz)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        if day.weekday() not in rules.days:
            continue
        start, end = wall(day, rules.start, tz), wall(day, rules.end, tz)
        if instant < start:
            return start
        if instant < end:
            return instant
    raise ValueError("no allowed send day in a week")  # Sending.days is never empty once validated


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return wall(day, time(0, 0), tz)


def on_or_before_month_end(year: int, month: int, day: int) -> date:
    """29 February in a year without it becomes 28 February."""
    return date(year, month, min(day, _cal.monthrange(year, month)[1]))


@lru_cache(maxsize=65536)
def birthday_in(month_day: str, year: int) -> date:
    month, day = int(month_day[:2]), int(month_day[3:5])
    return on_or_before_month_end(year, month, day)


def anniversary_in(joined: date, years: int) -> date:
    return on_or_before_month_end(joined.year + years, joined.month, joined.day)


def weekday_numbers(days: list[str]) -> frozenset[int]:
    return frozenset(WEEKDAYS.index(d) for d in days)
