"""`welcome-gen push`, `send` and `journey`: the audience made ready, one scheduler tick, one subscriber's calendar."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import typer

from ..errors import ProjectError, UsageError
from . import console
from .params import PROJECT_DIR

if TYPE_CHECKING:
    from ..mailchimp.client import Mailchimp
    from ..project import Project

# The delivery stages and the Mailchimp client are imported inside each command: `welcome-gen --help` and the
# other commands should not pay for them at start-up.
app = typer.Typer()


def gateway(project: Project) -> Mailchimp:
    """The Mailchimp gateway for this project's audience, from the environment and welcome.yaml."""
    from ..mailchimp.client import Mailchimp

    cfg = project.config.mailchimp
    mc = Mailchimp.from_env(config_audience_id=cfg.audience_id, config_server=cfg.server)
    if not mc.list_id:
        raise UsageError("no audience: set MAILCHIMP_LIST_ID or mailchimp.audience_id in welcome.yaml")
    return mc


def _now(text: str | None) -> datetime:
    return console.iso_time("--now", text) if text else datetime.now(timezone.utc)


@app.command()
def push(
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would change and change nothing."),
    project_dir: Path = PROJECT_DIR,
) -> int:
    """Make the Mailchimp audience ready: merge fields, the campaign folder, one template per email."""
    from rich.table import Table

    from ..delivery.push import apply_push, plan_push
    from ..email import render_outbox
    from ..project import load_project

    project = load_project(project_dir)
    outbox = render_outbox(project)
    mc = gateway(project)
    changes = plan_push(project, outbox, mc)

    table = Table("kind", "name", "action", "detail", title="push (dry run)" if dry_run else "push")
    for c in changes:
        table.add_row(c.kind, c.name, c.action, c.detail)
    console.stdout.print(table)
    for c in changes:
        if c.drift:
            console.stderr.print(f"drift: {c.kind} {c.name}: {c.drift}", style="yellow", markup=False)
    if not dry_run:
        apply_push(project, mc, changes)
        console.info(f"{sum(c.action in ('create', 'update') for c in changes)} change(s) made; "
                     f"{sum(c.action == 'unchanged' for c in changes)} unchanged")
    return 0


@app.command()
def send(
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan (how many, which step and variant, who, "
                                                           "skipped and why) and change nothing."),
    now: str = typer.Option(None, "--now", help="Run the tick as if it were this time (ISO 8601)."),
    events: Path = typer.Option(None, "--events", help="Also read member events from this file (JSON lines or "
                                                        "YAML), besides the project's events/ folder."),
    member_events: bool = typer.Option(False, "--member-events", help="Also read Mailchimp's member events, one call "
                                                                       "per member an event sequence could reach."),
    show_members: bool = typer.Option(False, "--show-members", help="With --dry-run: show whole email addresses "
                                                                     "(masked otherwise, as a***@example.org)."),
    project_dir: Path = PROJECT_DIR,
) -> int:
    """One scheduler tick: repair, plan, and deliver every due email exactly once. Meant to run hourly.

    What it prints names no member (CI logs may be public): a real run prints counts, and who is in build/digest.md.
    """
    if show_members and not dry_run:
        raise UsageError("--show-members only goes with --dry-run: a real run prints counts, and who is in "
                         "build/digest.md")
    from ..delivery.tick import tick
    from ..delivery.digest import ALL, COUNTS, MASKED, mask_all, plan_lines, summary_lines, write_digest
    from ..delivery.events import merge, read_file, read_folder
    from ..email import preflight, render_outbox
    from ..project import load_project
    from ..reporter import NullReporter, RichReporter

    project = load_project(project_dir)
    when = _now(now)
    outbox = render_outbox(project, today=when.astimezone(ZoneInfo(project.config.site.timezone)).date())
    blocking = [p for p in preflight(project, outbox=outbox, today=when.date()) if p.is_error]
    if blocking:  # nothing leaves that `check` would refuse
        raise ProjectError(blocking)
    found = merge(read_folder(project), read_file(events, str(events)) if events else [])
    mc = gateway(project)
    reporter = NullReporter() if console.quiet() else RichReporter()
    report = tick(project, outbox, mc, when, events=found, dry_run=dry_run, member_events=member_events,
                  reporter=reporter)
    for line in plan_lines(project, report, show=(ALL if show_members else MASKED) if dry_run else COUNTS):
        console.info(line)
    if dry_run:
        return 0
    for line in summary_lines(report):
        console.info(line)
    path = write_digest(project, report)
    console.info(f"digest: {path.relative_to(project.root).as_posix()}")
    if report.exit_code:
        # One line per reason: a gate that refuses every batch says so once, naming the first batch.
        by_reason: dict[str, list[str]] = {}
        for r in report.results:
            if r.error or r.unrecorded:
                by_reason.setdefault(r.error or r.unrecorded, []).append(r.key)
        for reason, keys in by_reason.items():
            more = f" and {len(keys) - 1} more batch(es)" if len(keys) > 1 else ""
            console.err(f"{keys[0]}{more}: {mask_all(reason)}")
        for e in report.errors:
            console.err(mask_all(e))
    return int(report.exit_code)


@app.command()
def journey(
    email: str = typer.Option(None, "--email", help="A member of the audience (read from Mailchimp)."),
    joined: str = typer.Option(None, "--joined", help="Or a made-up subscriber: when they joined (ISO 8601)."),
    birthday: str = typer.Option(None, "--birthday", help="Their birthday, MM/DD."),
    tz: str = typer.Option(None, "--timezone", help="Their timezone, e.g. America/New_York."),
    persona: str = typer.Option("", "--persona", help="Their persona (slug)."),
    months: int = typer.Option(13, "--months", min=1, max=60, help="How far ahead to look."),
    project_dir: Path = PROJECT_DIR,
) -> int:
    """The calendar of every email one subscriber gets and when, from the same planner as `send`."""
    from rich.table import Table

    from ..delivery.audience import read_fields, to_member
    from ..delivery.tick import birthday_format
    from ..delivery.journey import Subjects, as_sample, calendar_rows, simulate
    from ..email import render_outbox
    from ..delivery.members import Member, normalise_month_day
    from ..delivery.plan import send_hour
    from ..mailchimp.client import Mailchimp
    from ..project import load_project

    project = load_project(project_dir)
    if bool(email) == bool(joined):
        raise UsageError("give either --email, or --joined (with --birthday/--timezone/--persona)")
    if email:
        mc = gateway(project)
        doc = mc.call("lists.get_list_member", mc.list_id, Mailchimp.subscriber_hash(email))
        member = to_member(project, doc, birthday_format(project, read_fields(mc)))
        member.tags = set()  # the calendar from the start; what was already sent is in Mailchimp's reports
    else:
        start = console.iso_time("--joined", joined)
        if birthday and normalise_month_day(birthday) is None:
            raise UsageError(f"--birthday: '{birthday}' is not MM/DD")
        if persona and project.persona(persona) is None:
            raise UsageError(f"--persona: no persona '{persona}'")
        member = Member("subscriber@example.org", persona=persona, birthday=birthday, timezone=tz, opted_in=start)
    if member.joined is None:
        raise UsageError(f"{member.email} has no opt-in time in Mailchimp")
    if tz and member.timezone != tz and email:
        member.timezone = tz
    start = member.joined
    entries = simulate(project, [member], [], start, start + timedelta(days=round(months * 30.44)))
    hour = send_hour(project, member)
    learnt = f", send hour {hour:02d}:00 (learnt from their opens)" if hour is not None else ""
    # Each email is planned for an hour; the first tick in that hour (the send workflow's, at minute 7) sends it,
    # and Mailchimp delivers it minutes later.
    table = Table("planned (local)", "tick (UTC)", "email", "variant", "what", "subject",
                  title=f"{member.email}: joined {start:%Y-%m-%d %H:%M} UTC, {months} month(s){learnt}",
                  caption="planned by the same rules as send: each email goes with the first tick in its hour; "
                          "what was delivered is in Mailchimp's reports (welcome-gen report)")
    now = datetime.now(timezone.utc) if email else None  # a made-up subscriber's calendar is all ahead
    for row in calendar_rows(entries, as_sample(project, member), Subjects(project, render_outbox(project)), now=now):
        table.add_row(row["local"], row["utc"], row["email"], row["variant"], row["what"], row["subject"])
    console.stdout.print(table)
    return 0
