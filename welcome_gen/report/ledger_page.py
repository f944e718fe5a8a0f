"""The ledger as files: `ledger.html` (who is overdue on top, then everyone's history) and `ledger.csv`.

These name members, so they are only ever written beside the report under build/ (never published).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

from ..folders import write_atomic
from .ledger import Ledger, MemberRow, Touch
from .page import CSS

FILES = ("ledger.html", "ledger.csv")
CSV_COLUMNS = ("row", "email", "member_status", "persona", "joined", "kind", "sequence", "step", "occurrence",
               "variant", "status", "at", "opens", "what", "why", "fix")
EXTRA_CSS = ("td,th{white-space:normal;text-align:left}td:first-child{min-width:10rem}"
             "tr.overdue td{vertical-align:top}ul.touches{margin:0;padding-left:1.1rem}"
             ".status-skipped,.status-bounced{font-weight:600}.count{font-size:1.2rem}")


def _time(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def _touch(t: Touch, tz: ZoneInfo) -> str:
    what = f"{t.kind or 'sequence'}: {t.sequence}/{t.step}" + (f" ({t.occurrence})" if t.occurrence else "")
    if t.status == "sent":
        tail = f"sent {_time(t.at, tz)}" + (f", opened {t.opens}×" if t.opens else ", not opened")
    elif t.status == "recorded":
        tail = "received (date no longer in Mailchimp's campaigns)"
    elif t.status == "pending":
        tail = f"goes out {_time(t.at, tz)}"
    elif t.status == "bounced":
        tail = f"bounced {_time(t.at, tz)} ({t.detail})"
    else:
        tail = "skipped"
    return f'<li class="status-{t.status}">{escape(what)}: {escape(tail)}</li>'


def _member(m: MemberRow, tz: ZoneInfo) -> str:
    touches = "".join(_touch(t, tz) for t in m.touches) or "<li>nothing yet</li>"
    return (f"<tr><td>{escape(m.email)}</td><td>{escape(m.status or 'not in the audience')}</td>"
            f"<td>{escape(m.persona)}</td><td>{_time(m.joined, tz)}</td><td><ul class=\"touches\">{touches}</ul></td></tr>")


def render_ledger(ledger: Ledger, site_title: str, language: str = "en") -> str:
    tz = ZoneInfo(ledger.timezone)
    overdue = sorted(ledger.overdue, key=lambda o: (o.since is None, o.since or ledger.generated_at, o.email))
    rows = "".join(f'<tr class="overdue"><td>{escape(o.email)}</td><td>{escape(o.what)}</td><td>{escape(o.why)}</td>'
                   f"<td>{escape(o.fix)}</td></tr>" for o in overdue)
    top = (f'<section id="overdue"><h2>Overdue: <span class="count">{len(overdue)}</span></h2>'
           + (f'<div class="scroll"><table><thead><tr><th>Member</th><th>What</th><th>Why</th><th>What would fix it'
              f"</th></tr></thead><tbody>{rows}</tbody></table></div>" if overdue
              else "<p>Nobody is waiting: every member has had a personal email, and every thank-you went out.</p>")
           + "</section>")
    everyone = "".join(_member(m, tz) for m in ledger.members)
    return (f'<!doctype html><html lang="{escape(language)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            '<meta name="color-scheme" content="light dark"><meta name="robots" content="noindex">'
            f"<title>Recognition ledger · {escape(site_title)}</title><style>{CSS}{EXTRA_CSS}</style></head><body><main>"
            f"<header><h1>Who got a personal touch</h1><p class=\"meta\">{escape(site_title)} · generated "
            f"{ledger.generated_at.astimezone(tz):%Y-%m-%d %H:%M} ({escape(ledger.timezone)}) from Mailchimp's "
            "sent-to reports and member tags · names members: keep it private</p></header>" + top
            + f'<section id="everyone"><h2>Everyone ({len(ledger.members)})</h2><div class="scroll"><table><thead><tr>'
              "<th>Member</th><th>Status</th><th>Persona</th><th>Joined</th><th>Welcome steps, birthdays, "
              f"anniversaries, thank-yous</th></tr></thead><tbody>{everyone}</tbody></table></div></section>"
            + "</main></body></html>\n")


def ledger_csv(ledger: Ledger) -> str:
    """One row per touch (`row` = touch), then one per overdue line (`row` = overdue)."""
    tz = ZoneInfo(ledger.timezone)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for m in ledger.members:
        base = {"email": m.email, "member_status": m.status, "persona": m.persona, "joined": _time(m.joined, tz)}
        for t in m.touches:
            writer.writerow({**base, "row": "touch", "kind": t.kind, "sequence": t.sequence, "step": t.step,
                             "occurrence": t.occurrence or "", "variant": t.variant, "status": t.status,
                             "at": _time(t.at, tz), "opens": t.opens})
    for m in ledger.members:
        for o in m.overdue:
            writer.writerow({"row": "overdue", "email": o.email, "member_status": m.status, "persona": m.persona,
                             "joined": _time(m.joined, tz), "at": _time(o.since, tz), "what": o.what, "why": o.why,
                             "fix": o.fix})
    return buffer.getvalue()


def write_ledger(ledger: Ledger, site_title: str, language: str, out: Path) -> list[Path]:
    """Write both files into `out` (the report's folder, already cleared by `check_out`)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / name for name in FILES]
    for path, text in zip(paths, (render_ledger(ledger, site_title, language), ledger_csv(ledger))):
        write_atomic(path, text)
    return paths
