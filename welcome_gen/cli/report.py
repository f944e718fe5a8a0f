"""`welcome-gen report`: how each sequence step performs, as a static page with charts in build/report/."""

from __future__ import annotations

from datetime import datetime, time, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from ..errors import UsageError
from . import console
from .params import PROJECT_DIR
from .mail import gateway

app = typer.Typer()


def _since(text: str | None, tz: str) -> datetime | None:
    """A date (the start of that day in the site's timezone) or an ISO 8601 time."""
    from ..mailchimp.reads import parse_time

    if not text:
        return None
    try:
        return datetime.combine(datetime.strptime(text, "%Y-%m-%d").date(), time(0), ZoneInfo(tz))
    except ValueError:
        moment = parse_time(text)
    if moment is None:
        raise UsageError(f"--since: '{text}' is not a date like 2027-03-01 (or an ISO 8601 time)")
    return moment


def goal_line(goal) -> str:
    """One goal against its target, with the counts behind the latest week."""
    target = f"{goal.target:.0%}" if goal.rate else f"{goal.target:g}"
    latest = goal.latest
    if goal.note or latest is None:
        return f"{goal.title}: goal {target}; {goal.note or 'no week has a value yet'}"
    value = f"{latest.value:.0%} ({latest.part} of {latest.whole})" if goal.rate else f"{latest.part}"
    return f"{goal.title}: {value} in the week of {latest.start}, goal {target}: {'met' if goal.met else 'below'}"


@app.command()
def report(
    out: Path = typer.Option(None, "--out", help="Where to write index.html, report.json and report.csv.",
                             show_default="PROJECT_DIR/build/report"),
    project_dir: Path = PROJECT_DIR,
    since: str = typer.Option(None, "--since", help="Only campaigns sent on or after this date (YYYY-MM-DD)."),
    now: str = typer.Option(None, "--now", help="Judge who is overdue as if it were this time (ISO 8601)."),
    ledger: bool = typer.Option(True, "--ledger/--no-ledger", help="Also write the ledger (ledger.html, ledger.csv): "
                                                                   "who got which personal email, and who is overdue. "
                                                                   "It reads each campaign's recipients."),
) -> int:
    """How each sequence step performs (sent, opens, clicks per step and variant, as a static page with charts), and
    the ledger of who got a personal touch and who is overdue. Both name no one in the terminal."""
    from ..project import load_project
    from ..report import make_report
    from ..reporter import NullReporter, RichReporter

    project = load_project(project_dir)
    start = _since(since, project.config.site.timezone)
    mc = gateway(project)
    reporter = NullReporter() if console.quiet() else RichReporter()
    moment = console.iso_time("--now", now) if now else datetime.now(timezone.utc)
    result = make_report(project, mc, out or project.root / "build" / "report", now=moment,
                         since=start, reporter=reporter, ledger=ledger)
    numbers = result.report.numbers
    if result.report.empty:
        console.info("nothing sent yet: the report says so")
    else:
        console.info(f"{numbers.campaigns} campaign(s) over {len(result.report.sequences)} sequence(s): "
                     f"{numbers.delivered} delivered, {numbers.open_rate:.0%} opened, {numbers.click_rate:.0%} clicked")
    for flag in result.report.flags:
        console.info(f"flag: {flag.message}")
    for row in result.report.experiments:
        arms = ", ".join(f"{a.letter} {a.numbers.opens} of {a.numbers.delivered} opened" for a in row.arms)
        console.info(f"experiment {row.sequence}/{row.step}: {arms}; {row.verdict}")
    for goal in result.report.goals:
        console.info(f"goal: {goal_line(goal)}")
    console.info(f"report: {result.paths[0]} ({result.calls} Mailchimp call(s))")
    if result.learnt:
        console.info(f"send hours: {len(result.learnt)} member(s) now get their emails from their most-opened hour")
    if result.ledger is not None:
        overdue = result.ledger.overdue
        console.info(f"ledger: {result.paths[-2]} ({len(result.ledger.members)} member(s))")
        console.info(f"overdue: {len(overdue)} ({len({o.email for o in overdue})} member(s) waiting)")
    return 0
