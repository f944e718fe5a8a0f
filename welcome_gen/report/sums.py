"""Campaign numbers -> the report: per sequence, step (in the sequence's order) and variant, per week, per issue.

A pure function of (project, campaigns, now): no I/O, so every sum is tested without Mailchimp.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..mailchimp.records import ISSUE, parse_batch_key
from ..project.load import Project
from .gather import CampaignNumbers, Numbers



@dataclass
class VariantRow:
    variant: str
    numbers: Numbers


@dataclass
class StepRow:
    id: str
    subject: str  # the step's subject in sequences/, or "" for a step no longer there
    numbers: Numbers
    variants: list[VariantRow] = field(default_factory=list)


@dataclass
class WeekRow:
    start: date  # the Monday, in the site's timezone
    numbers: Numbers


@dataclass
class SequenceRow:
    key: str
    title: str
    known: bool  # still in sequences/
    numbers: Numbers
    steps: list[StepRow] = field(default_factory=list)
    weeks: list[WeekRow] = field(default_factory=list)


@dataclass
class IssueRow:
    slug: str
    title: str
    send_time: datetime | None
    numbers: Numbers


@dataclass
class Report:
    generated_at: datetime
    since: datetime | None
    timezone: str
    numbers: Numbers
    sequences: list[SequenceRow] = field(default_factory=list)
    issues: list[IssueRow] = field(default_factory=list)
    first_send: datetime | None = None
    last_send: datetime | None = None
    flags: list = field(default_factory=list)  # report.flags.Flag, filled once the sums are done
    goals: list = field(default_factory=list)  # report.goals.GoalRow
    growth: list = field(default_factory=list)  # report.goals.GrowthMonth
    hours: dict[str, list[int]] = field(default_factory=dict)  # sequence -> opens in each hour of the reader's day
    experiments: list = field(default_factory=list)  # report.experiments.ExperimentRow

    @property
    def empty(self) -> bool:
        return self.numbers.campaigns == 0


def total(items) -> Numbers:
    return sum((c.numbers for c in items), Numbers())


def week_of(moment: datetime, tz: ZoneInfo) -> date:
    day = moment.astimezone(tz).date()
    return day - timedelta(days=day.weekday())


def weeks(campaigns: list[CampaignNumbers], tz: ZoneInfo) -> list[WeekRow]:
    """Numbers by the week each campaign went out, with empty weeks between the first and last filled in."""
    by_week: dict[date, Numbers] = {}
    for c in campaigns:
        if c.send_time is not None:
            start = week_of(c.send_time, tz)
            by_week[start] = by_week.get(start, Numbers()) + c.numbers
    if not by_week:
        return []
    day, last, out = min(by_week), max(by_week), []
    while day <= last:
        out.append(WeekRow(day, by_week.get(day, Numbers())))
        day += timedelta(days=7)
    return out


def _steps(project: Project, key: str, campaigns: list[CampaignNumbers]) -> list[StepRow]:
    by_step: dict[str, dict[str, list[CampaignNumbers]]] = {}
    for c in campaigns:
        batch = parse_batch_key(c.title)
        by_step.setdefault(batch.step, {}).setdefault(batch.variant, []).append(c)
    seq = project.sequence(key)
    defined = [(s.id, s.subject) for s in seq.meta.steps] if seq else []
    order = [sid for sid, _ in defined] + sorted(set(by_step) - {sid for sid, _ in defined})
    subjects = dict(defined)
    rows = []
    for sid in order:
        variants = by_step.get(sid, {})
        # "default" first, then the personas' variants by name: the same order in every table.
        names = sorted(variants, key=lambda v: (v != "default", v))
        vrows = [VariantRow(v, total(variants[v])) for v in names]
        rows.append(StepRow(sid, subjects.get(sid, ""), total(vrows), vrows))
    return rows


def aggregate(project: Project, campaigns: list[CampaignNumbers], now: datetime,
              since: datetime | None = None) -> Report:
    """The whole report from the campaigns `gather` read."""
    tz = ZoneInfo(project.config.site.timezone)
    by_sequence: dict[str, list[CampaignNumbers]] = {}
    issues: list[IssueRow] = []
    titles = {d.slug: d.meta.title for d in project.issues}
    counted: list[CampaignNumbers] = []
    for c in campaigns:
        if c.title.startswith(ISSUE):
            slug = c.title[len(ISSUE):]
            issues.append(IssueRow(slug, titles.get(slug, slug), c.send_time, c.numbers))
        elif (batch := parse_batch_key(c.title)) is not None:
            by_sequence.setdefault(batch.sequence, []).append(c)
        else:
            continue  # some other `wg:` title: not ours to count
        counted.append(c)
    known = [s.key for s in project.sequences]
    # Sequences that sent something first, welcome series (joining triggers) leading; then the rest as defined.
    order = sorted(known + sorted(set(by_sequence) - set(known)), key=lambda k: (
        k not in by_sequence, (seq := project.sequence(k)) is None or seq.meta.trigger.type != "subscribed",
        known.index(k) if k in known else len(known)))
    sequences = []
    for key in order:
        seq = project.sequence(key)
        found = by_sequence.get(key, [])
        sequences.append(SequenceRow(key, seq.meta.title if seq else key, seq is not None, total(found),
                                     _steps(project, key, found), weeks(found, tz)))
    times = [c.send_time for c in counted if c.send_time is not None]
    return Report(now, since, str(tz), total(counted), sequences, issues,
                  min(times, default=None), max(times, default=None))
