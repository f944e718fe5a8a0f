"""`welcome-gen thank`: record a comment, enquiry, complaint or referral to acknowledge, and say when it goes out."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import typer

from ..errors import UsageError
from . import console
from .params import PROJECT_DIR

app = typer.Typer()


@app.command()
def thank(
    email: str = typer.Argument(None, metavar="EMAIL", help="The member to acknowledge (with --list, leave it out: "
                                                              "the only argument is then PROJECT_DIR)."),
    kind: str = typer.Option(None, "--for", metavar="KIND", help="What they did: an event a sequence is triggered "
                                                                  "by (commented, enquiry, complaint…) or that "
                                                                  "sequence's name (comment, referral…)."),
    note: str = typer.Option(None, "--note", help="A note kept with the event (what it was about)."),
    list_: bool = typer.Option(False, "--list", help="List what is recorded and not yet acknowledged, and when "
                                                     "each goes out."),
    now: str = typer.Option(None, "--now", help="Record it as if it were this time (ISO 8601)."),
    project_dir: Path = PROJECT_DIR,
) -> int:
    """Record that a member commented, enquired, complained or referred someone: the acknowledgement sequence for
    KIND answers them with the next tick in their send window. Checks the member is in Mailchimp first."""
    from ..delivery.thank import outstanding, record
    from ..project import load_project
    from .mail import gateway

    moment = console.iso_time("--now", now) if now else datetime.now(timezone.utc)
    if list_ and email and "@" not in email and project_dir == Path("."):
        email, project_dir = None, Path(email)  # `thank --list PROJECT_DIR`
    if list_ and (email or kind or note):
        raise UsageError("--list takes no EMAIL, --for or --note")
    project = load_project(project_dir)
    if list_:
        rows = outstanding(project, gateway(project), moment)
        for row in rows:
            e = row.event
            console.info(f"{e.email}  {e.name}  {e.occurred_at:%Y-%m-%d %H:%M} UTC  {row.status}: {row.says}"
                         + (f"  ({e.properties['note']})" if e.properties.get("note") else ""))
        console.info(f"{len(rows)} not yet acknowledged")
        return 0
    if not email or not kind:
        raise UsageError("give EMAIL and --for KIND (or --list)")
    outcome = record(project, gateway(project), email, kind, note=note, now=moment)
    if outcome.event is not None:
        console.info(f"recorded {outcome.event.name} for {outcome.email} in {project.config.events.file} "
                     f"(id {outcome.event.id})")
    else:
        console.info(f"tagged {outcome.email} {outcome.tag} in Mailchimp")
    console.info(outcome.says())
    return 0
