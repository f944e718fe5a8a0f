"""Mailchimp reports -> numbers per sequence, step and variant -> a static page with SVG charts.

    result = make_report(project, mc, out, now=now, since=None, reporter=reporter)

Reads top to bottom: gather (our sent campaigns and their report summaries), aggregate (a pure function),
render (HTML with inline SVG), write (`index.html`, `report.json`, `report.csv` outside the site folder).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..mailchimp.client import Mailchimp
from ..project.load import Project
from ..reporter import NullReporter, Reporter
from .gather import CampaignNumbers, Numbers, gather
from .sums import Report, aggregate
from .page import render_page
from .write import check_out, write_report

__all__ = ["CampaignNumbers", "Numbers", "Report", "ReportResult", "aggregate", "gather", "make_report",
           "render_page", "write_report"]


@dataclass
class ReportResult:
    report: Report
    paths: list[Path]
    calls: int  # Mailchimp calls made, retries included


def make_report(project: Project, mc: Mailchimp, out: Path, *, now: datetime, since: datetime | None = None,
                site_dir: Path | None = None, reporter: Reporter | None = None) -> ReportResult:
    """Read Mailchimp, write the report into `out`; refuses `out` inside the site folder before any call."""
    site_dir = site_dir or project.root / "public"
    check_out(out, site_dir)
    start = mc.calls
    campaigns = gather(mc, since, reporter or NullReporter())
    report = aggregate(project, campaigns, now, since)
    page = render_page(report, project.config.site.title, project.config.site.language)
    return ReportResult(report, write_report(report, page, out), mc.calls - start)
