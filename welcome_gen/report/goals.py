"""Goals: signups a week, welcome-series completion and open rate, each week against the target in welcome.yaml,
beside Mailchimp's own month-by-month audience growth.

    rows = goal_rows(project, campaigns, ledger, now)   # pure
    months = read_growth(mc)                            # GET /lists/{id}/growth-history

- signups: members (of any status now) whose opt-in falls in the week;
- welcome completion: of the members who joined in the week and whose welcome series has had time to finish (its
  last step's delay plus the lateness allowed), the share that received the last step; a week with nobody old
  enough reads "—", not 0;
- open rate: unique opens over delivered emails, for every welcome-gen campaign sent in the week.

Every value carries the counts behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..mailchimp.reads import paged
from ..mailchimp.client import Mailchimp
from ..project.load import Project
from .gather import CampaignNumbers
from .ledger import Ledger
from .sums import week_of

WEEKS = 12  # how many weeks back the goals are shown
GROWTH_FIELDS = ["history.month", "history.existing", "history.imports", "history.optins", "total_items"]
TITLES = {"signups_per_week": "Signups a week", "welcome_completion": "Welcome series completed",
          "open_rate": "Open rate"}


@dataclass(frozen=True)
class GoalWeek:
    start: date
    part: int  # signups, members who finished, or unique opens
    whole: int | None  # None for a count; else members old enough, or delivered emails

    @property
    def value(self) -> float | None:
        if self.whole is None:
            return float(self.part)
        return self.part / self.whole if self.whole else None


@dataclass
class GoalRow:
    key: str
    title: str
    target: float
    rate: bool  # a share (shown as a percentage) rather than a count
    weeks: list[GoalWeek] = field(default_factory=list)
    note: str = ""  # why there are no weeks (e.g. members were not read)

    @property
    def latest(self) -> GoalWeek | None:
        """The most recent week with a value (the current week counts once it has one)."""
        return next((w for w in reversed(self.weeks) if w.value is not None), None)

    @property
    def met(self) -> bool | None:
        latest = self.latest
        return None if latest is None else latest.value >= self.target


@dataclass(frozen=True)
class GrowthMonth:
    month: str  # YYYY-MM
    existing: int
    imports: int
    optins: int


def read_growth(mc: Mailchimp) -> list[GrowthMonth]:
    """Mailchimp's month-by-month growth of the audience, oldest first."""
    out = [GrowthMonth(str(d.get("month") or ""), int(d.get("existing") or 0), int(d.get("imports") or 0),
                       int(d.get("optins") or 0))
           for d in paged(mc, "lists.get_list_growth_history", "history", mc.list_id, fields=GROWTH_FIELDS)]
    return sorted(out, key=lambda m: m.month)


def _week_starts(now: datetime, tz: ZoneInfo) -> list[date]:
    last = week_of(now, tz)
    return [last - timedelta(days=7 * i) for i in range(WEEKS - 1, -1, -1)]


def _signups(starts: list[date], ledger: Ledger, tz: ZoneInfo) -> list[GoalWeek]:
    joined = [week_of(m.joined, tz) for m in ledger.members if m.joined is not None]
    return [GoalWeek(w, sum(1 for j in joined if j == w), None) for w in starts]


def _completion(project: Project, starts: list[date], ledger: Ledger, tz: ZoneInfo, now: datetime) -> list[GoalWeek]:
    finished: dict[date, list[bool]] = {w: [] for w in starts}
    welcomes = [s for s in project.sequences if s.meta.trigger.type == "subscribed"]
    lateness = project.config.sending.max_lateness
    for m in ledger.members:
        if m.joined is None or week_of(m.joined, tz) not in finished:
            continue
        for seq in welcomes:
            if seq.meta.personas and m.persona not in seq.meta.personas:
                continue
            last = seq.meta.steps[-1]
            if m.joined + last.delay + (seq.meta.max_lateness or lateness) > now:
                continue  # still on its way: neither finished nor not
            done = any(t.sequence == seq.key and t.step == last.id and t.personal for t in m.touches)
            finished[week_of(m.joined, tz)].append(done)
    return [GoalWeek(w, sum(finished[w]), len(finished[w])) for w in starts]


def _opens(starts: list[date], campaigns: list[CampaignNumbers], tz: ZoneInfo) -> list[GoalWeek]:
    opens = {w: [0, 0] for w in starts}
    for c in campaigns:
        if c.send_time is not None and (w := week_of(c.send_time, tz)) in opens:
            opens[w][0] += c.numbers.opens
            opens[w][1] += c.numbers.delivered
    return [GoalWeek(w, *opens[w]) for w in starts]


def goal_rows(project: Project, campaigns: list[CampaignNumbers], ledger: Ledger | None,
              now: datetime) -> list[GoalRow]:
    """One row per goal set in welcome.yaml, with its last WEEKS weeks."""
    goals = project.config.goals
    tz = ZoneInfo(project.config.site.timezone)
    starts = _week_starts(now, tz)
    rows = []
    for key in TITLES:
        target = getattr(goals, key)
        if target is None:
            continue
        row = GoalRow(key, TITLES[key], float(target), key != "signups_per_week")
        if key == "open_rate":
            row.weeks = _opens(starts, campaigns, tz)
        elif ledger is None:
            row.note = "needs the member read of the ledger (run without --no-ledger)"
        else:
            row.weeks = (_signups(starts, ledger, tz) if key == "signups_per_week"
                         else _completion(project, starts, ledger, tz, now))
        rows.append(row)
    return rows
