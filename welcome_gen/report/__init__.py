"""Mailchimp reports -> numbers per sequence, step and variant -> a static page with SVG charts.

    result = make_report(project, mc, out, now=now, since=None, reporter=reporter)

Reads top to bottom: gather (our sent campaigns and their report summaries), aggregate (a pure function),
render (HTML with inline SVG), write (`index.html`, `report.json`, `report.csv` outside the site folder); then
the ledger (who got which personal email, and who is overdue: `ledger.html`, `ledger.csv` beside them).
Flags (steps to look at first) and goals (each week against welcome.yaml's `goals:`, with Mailchimp's audience
growth) are worked out from the same reads and shown on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..folders import confined
from ..mailchimp.client import Mailchimp
from ..project.load import Project
from ..reporter import NullReporter, Reporter
from .experiments import experiments, promote_winners, read_promoted
from .flags import Flag, find_flags
from .gather import CampaignNumbers, Numbers, gather
from .goals import GoalRow, goal_rows, read_growth
from .hours import learn_send_hours, opens_by_hour, read_opens
from .ledger import Ledger, read_ledger
from .ledger_page import write_ledger
from .sums import Report, aggregate
from .page import render_page
from .write import check_out, write_report

__all__ = ["CampaignNumbers", "Flag", "GoalRow", "Ledger", "Numbers", "Report", "ReportResult", "aggregate", "gather", "make_report",
           "read_ledger", "render_page", "write_ledger", "write_report"]


@dataclass
class ReportResult:
    report: Report
    paths: list[Path]
    calls: int  # Mailchimp calls made, retries included
    ledger: Ledger | None = None
    learnt: list[tuple[str, int]] = field(default_factory=list)  # send hours written (sending.send_hour.learn)


def make_report(project: Project, mc: Mailchimp, out: Path, *, now: datetime, since: datetime | None = None,
                site_dir: Path | None = None, reporter: Reporter | None = None, ledger: bool = True) -> ReportResult:
    """Read Mailchimp, write the report (and the ledger) into `out`; refuses `out` inside the site folder before
    any call. Nothing is written unless every read succeeded."""
    site_dir = site_dir or project.root / "public"
    out = confined(out, project.root)
    check_out(out, site_dir)
    start = mc.calls
    reporter = reporter or NullReporter()
    campaigns = gather(mc, since, reporter)
    report = aggregate(project, campaigns, now, since)
    # The ledger is every member's whole history: it reuses the campaigns read unless --since narrowed them.
    found = read_ledger(project, mc, now, reporter=reporter, campaigns=None if since else campaigns) \
        if ledger else None
    learnt: list[tuple[str, int]] = []
    if found is not None:  # opens by hour of the reader's own day need the members' timezones
        opens = read_opens(mc, campaigns, reporter)
        report.hours = opens_by_hour(project, opens, found.audience)
        learnt = learn_send_hours(project, mc, opens, found.audience)
    report.flags = find_flags(report, project.config.report.flags)
    report.experiments = experiments(project, report, read_promoted(project, mc))
    promote_winners(project, mc, report.experiments)
    report.goals = goal_rows(project, campaigns, found, now)
    if report.goals:
        report.growth = read_growth(mc)
    site = project.config.site
    paths = write_report(report, render_page(report, site.title, site.language), out)
    if found is not None:
        paths += write_ledger(found, site.title, site.language, out)
    return ReportResult(report, paths, mc.calls - start, found, learnt)
