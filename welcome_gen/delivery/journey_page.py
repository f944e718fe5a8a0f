"""The journey calendar of every sample subscriber (sequences/samples.yaml) as one page, written by `build`.

Each sample joins on its `joined` date (else the build's day) at 10:00 their time, and the planner `send` uses is
run hour by hour for 13 months: what they get and when, with each subject as they read it and a link to their
preview. The page holds no real member, but it sits next to build/emails/, outside the published site.

The page records a digest of what it was made from (sequences, samples, settings; the day only when a sample
joins on it) and is only remade when that changes.
"""

from __future__ import annotations

import html
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..folders import Output
from ..project.load import Project
from ..project.model import Sample
from ..folders import JOURNEYS_PAGE, claim_journeys
from ..made_from import journey_inputs, journeys_href

if TYPE_CHECKING:
    from .members import Member
    from ..email.outbox import Outbox

MONTHS = 13
JOIN_AT = time(10, 0)


def sample_member(project: Project, sample: Sample, today: date) -> Member:
    from .calendar import zone
    from .members import Member

    tz = zone(sample.timezone) or ZoneInfo(project.config.site.timezone)
    joined = datetime.combine(sample.joined or today, JOIN_AT, tzinfo=tz)
    return Member(sample.email.lower(), persona=sample.persona, first_name=sample.first_name,
                  birthday=sample.birthday, timezone=sample.timezone, opted_in=joined,
                  merge_fields={project.config.mailchimp.fields.last_name: sample.last_name})


def journeys_html(project: Project, outbox: Outbox, today: date, emails_href: str = "../emails/") -> str:
    """The page: one calendar per sample subscriber, with the outbox's subjects."""
    from .journey import Subjects, calendar_rows, simulate

    e = html.escape
    subjects = Subjects(project, outbox)
    # One simulation for everyone (the planner looks at each member on its own), each under a name of their own
    # since samples may share an address.
    members = {s.name: sample_member(project, s, today) for s in project.samples}
    for name, member in members.items():
        member.email = f"{name}@samples.invalid"
    entries = []
    if members:
        first, last = min(m.joined for m in members.values()), max(m.joined for m in members.values())
        entries = simulate(project, list(members.values()), [], first, last + timedelta(days=round(MONTHS * 30.44)))
    sections = []
    for sample in project.samples:
        member = members[sample.name]
        start, end = member.joined, member.joined + timedelta(days=round(MONTHS * 30.44))
        mine = [x for x in entries if x.email == member.email and x.when <= end]
        rows = []
        for row in calendar_rows(mine, sample, subjects):
            preview = f"{emails_href}{row['sequence']}/{row['step']}/samples/{sample.name}.html"
            what = (f'<a href="{e(preview)}">{e(row["subject"])}</a>' if row["subject"]
                    else f"<em>{e(row['what'])}</em>")
            rows.append(f"<tr><td>{e(row['local'])}</td><td>{e(row['utc'])}</td><td>{e(row['email'])}</td>"
                        f"<td>{e(row['variant'])}</td><td>{what}</td></tr>")
        about = ", ".join(x for x in (sample.first_name or "no first name", sample.persona or "no persona",
                                      f"birthday {sample.birthday}" if sample.birthday else "no birthday",
                                      sample.timezone or f"{project.config.site.timezone} (the site's)") if x)
        body = "\n".join(rows) or '<tr><td colspan="5">Nothing in these months.</td></tr>'
        sections.append(f'<h2 id="{e(sample.name)}">{e(sample.name)}</h2>\n<p>{e(about)}; joins '
                        f"{start:%a %Y-%m-%d %H:%M %Z}.</p>\n<table><thead><tr><th>Their time</th><th>UTC</th>"
                        f"<th>Email</th><th>Variant</th><th>Subject (as they read it)</th></tr></thead>\n"
                        f"<tbody>\n{body}\n</tbody></table>")
    title = e(project.config.site.title)
    return f"""<!DOCTYPE html>
<html lang="{e(project.config.site.language)}"><head><meta charset="utf-8"><title>Journeys – {title}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem}}table{{border-collapse:collapse;margin-bottom:2rem}}td,th{{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left;vertical-align:top}}em{{color:#666}}</style>
</head><body><h1>Journeys of the sample subscribers of {title}</h1>
<p>Every email each sample subscriber in sequences/samples.yaml gets over {MONTHS} months, and when, from the
planner <code>welcome-gen send</code> uses: send windows, allowed days, lateness, the weekly limit, DST and leap
years included. <a href="{e(emails_href)}index.html">All emails</a>.</p>
{chr(10).join(sections)}
</body></html>
"""


def write_journeys(project: Project, outbox: Outbox, out: Path, emails_dir: Path, today: date | None = None) -> bool:
    """Write `out/index.html` (linking to the previews in `emails_dir`) when what it is made from changed;
    whether it was written."""
    today = today or datetime.now(ZoneInfo(project.config.site.timezone)).date()
    folder = claim_journeys(out, project.root)
    href = journeys_href(out, emails_dir)
    made_from = journey_inputs(project, today, href)
    if folder.unchanged(made_from) is not None:
        return False
    staging = folder.stage()
    staging.put(JOURNEYS_PAGE, journeys_html(project, outbox, today, href).encode("utf-8"))
    staging.commit([Output(JOURNEYS_PAGE, made_from, [])], made_from)
    return True
