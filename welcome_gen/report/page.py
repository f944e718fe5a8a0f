"""The report as one static HTML page: totals, then per sequence a funnel, a weekly line and a table.

Self-contained (inline CSS and SVG, no script, no external asset) and readable in light and dark mode.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

from .charts import bar_chart, count, line_chart, percent
from .gather import Numbers
from .goals import GoalRow, GoalWeek
from .sums import Report, SequenceRow

#: Text and chart colours for each scheme; every text colour keeps at least 4.5:1 against both backgrounds.
PALETTE = {
    "light": {"bg": "#ffffff", "card": "#f3f5f8", "fg": "#1b2130", "muted": "#535c6e", "line": "#d5dae3",
              "c0": "#2f62c9", "c1": "#b8660b", "c2": "#1f7f52"},
    "dark": {"bg": "#12151b", "card": "#1c2029", "fg": "#e7eaf0", "muted": "#a5adbd", "line": "#363c49",
             "c0": "#7ea8ff", "c1": "#f0a54a", "c2": "#5ccf97"},
}
SERIES = ("Delivered", "Opened", "Clicked")


def _vars(colours: dict[str, str]) -> str:
    return "".join(f"--{k}:{v};" for k, v in colours.items())


CSS = (
    f":root{{color-scheme:light dark;{_vars(PALETTE['light'])}}}"
    f"@media (prefers-color-scheme:dark){{:root{{{_vars(PALETTE['dark'])}}}}}"
    "body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif}"
    "main{max-width:60rem;margin:0 auto;padding:1.5rem 1rem 3rem}"
    "h1{font-size:1.7rem;margin:0 0 .25rem}h2{margin:2.5rem 0 .25rem;font-size:1.35rem}h3{font-size:1rem;margin:1.5rem 0 .5rem}"
    ".meta,.note{color:var(--muted);font-size:.9rem;margin:.25rem 0}"
    ".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(8.5rem,1fr));gap:.75rem;margin:1.5rem 0}"
    ".card{background:var(--card);border-radius:.5rem;padding:.75rem 1rem}"
    ".card b{display:block;font-size:1.5rem;font-variant-numeric:tabular-nums}.card span{color:var(--muted);font-size:.85rem}"
    "nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5rem 1.25rem}a{color:var(--c0)}"
    ".chart{display:block;max-width:100%;height:auto;margin:.5rem 0}"
    ".chart .s0{fill:var(--c0)}.chart .s1{fill:var(--c1)}.chart .s2{fill:var(--c2)}"
    ".chart .l0{stroke:var(--c0)}.chart .l1{stroke:var(--c1)}.chart .l2{stroke:var(--c2)}"
    ".chart .grid{stroke:var(--line)}.chart .axis{stroke:var(--muted)}"
    ".scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.9rem}"
    "th,td{padding:.35rem .5rem;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}"
    "th:first-child,td:first-child,th.l,td.l{text-align:left}td:first-child{white-space:normal;min-width:12rem}td{font-variant-numeric:tabular-nums}"
    "tr.step td{font-weight:600}tr.variant td:first-child{padding-left:1.5rem;font-weight:400}"
    ".empty{background:var(--card);border-radius:.5rem;padding:1.5rem;margin:2rem 0}"
    ".flags{background:var(--card);border-radius:.5rem;padding:.25rem 1rem .75rem;margin:1.5rem 0}"
)
FLAG_MARK = ' <b class="flag" title="flagged: see Flags at the top">⚑ flagged</b>'
COLUMNS = ("Sent", "Delivered", "Opened", "Open rate", "Clicked", "Click rate", "Unsubscribed", "Bounced")


def _cells(n: Numbers) -> str:
    values = (count(n.sent), count(n.delivered), count(n.opens), percent(n.open_rate), count(n.clicks),
              percent(n.click_rate), count(n.unsubscribes), count(n.bounces))
    return "".join(f"<td>{v}</td>" for v in values)


def _day(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d") if moment else "—"


def _week(day: date, with_year: bool) -> str:
    return f"{day.day} {day:%b}" + (f" {day:%y}" if with_year else "")


def _cards(n: Numbers) -> str:
    items = (("emails delivered", count(n.delivered)), ("open rate", percent(n.open_rate)),
             ("click rate", percent(n.click_rate)), ("unsubscribed", count(n.unsubscribes)),
             ("bounced", count(n.bounces)), ("campaigns", count(n.campaigns)))
    return '<div class="cards">' + "".join(f'<div class="card"><b>{v}</b><span>{k}</span></div>' for k, v in items) \
        + "</div>"


_EXPRESSION = re.compile(r"\{\{\s*([\w.]+)[^}]*\}\}")
_STATEMENT = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.S)


def plain_subject(subject: str) -> str:
    """A subject as written, with personalisation shown by name: `Welcome, {{ subscriber.first_name }}` ->
    `Welcome, [first_name]`."""
    text = _EXPRESSION.sub(lambda m: f"[{m.group(1).rsplit('.', 1)[-1]}]", subject)
    return " ".join(_STATEMENT.sub("", text).split())


def _step_label(step_id: str, subject: str) -> str:
    return f"{step_id}. {plain_subject(subject)}" if subject else step_id


def _flags(report: Report) -> str:
    if not report.flags:
        return ""
    items = "".join(f"<li>{escape(f.message)}</li>" for f in report.flags)
    return (f'<section id="flags" class="flags"><h2>Flags</h2><p class="meta">Steps to look at first: each rate with '
            f"the counts behind it.</p><ul>{items}</ul></section>")


def _interval(low_high: tuple[float, float]) -> str:
    return f"{percent(low_high[0])}–{percent(low_high[1])}"


def _experiments(report: Report) -> str:
    if not report.experiments:
        return ""
    out = ['<section id="experiments"><h2>Subject experiments</h2>']
    for row in report.experiments:
        cells = "".join(
            f"<tr><td>{a.letter}. {escape(plain_subject(a.subject))}</td><td>{count(a.numbers.sent)}</td>"
            f"<td>{count(a.numbers.delivered)}</td><td>{count(a.numbers.opens)} ({percent(a.numbers.open_rate)})</td>"
            f"<td>{_interval(a.opens_interval)}</td><td>{count(a.numbers.clicks)} ({percent(a.numbers.click_rate)})"
            f"</td><td>{_interval(a.clicks_interval)}</td></tr>" for a in row.arms)
        out.append(f"<h3>{escape(row.sequence)}/{escape(row.step)}</h3><p class=\"meta\">{escape(row.verdict)}</p>"
                   f'<div class="scroll"><table><thead><tr><th>Subject</th><th>Sent</th><th>Delivered</th>'
                   f"<th>Opened</th><th>{row.confidence:.0%} interval</th><th>Clicked</th>"
                   f"<th>{row.confidence:.0%} interval</th></tr></thead><tbody>{cells}</tbody></table></div>")
    return "".join(out) + ('<p class="note">Each interval is the Wilson score interval of the rate: where the true '
                           "rate probably lies. Subjects whose intervals overlap may not differ at all.</p></section>")


def _goal_value(row: GoalRow, w: GoalWeek) -> str:
    if w.value is None:
        return "—"
    if not row.rate:
        return count(w.value)
    return f"{percent(w.value)} ({w.part} of {w.whole})"


def _goals(report: Report) -> str:
    if not report.goals:
        return ""
    out = ['<section id="goals"><h2>Goals</h2>']
    for row in report.goals:
        target = percent(row.target) if row.rate else count(row.target)
        out.append(f"<h3>{escape(row.title)}: goal {target}</h3>")
        if row.note:
            out.append(f'<p class="note">{escape(row.note)}</p>')
            continue
        latest, fmt = row.latest, percent if row.rate else count
        verdict = ("no week has a value yet" if latest is None else
                   f"week of {latest.start}: {_goal_value(row, latest)}, "
                   + ("met" if row.met else "below the goal"))
        out.append(f'<p class="meta">{escape(verdict)}</p>')
        labels = [_week(w.start, False) for w in row.weeks]
        values = [w.value or 0.0 for w in row.weeks]
        out.append(line_chart(f"goal-{row.key}", labels, [(row.title, values), ("Goal", [row.target] * len(values))],
                              title=f"{row.title} by week, against the goal of {target}", fmt=fmt,
                              desc="; ".join(f"week of {w.start}: {_goal_value(row, w)}" for w in row.weeks)))
        cells = "".join(f"<tr><td>{w.start}</td><td>{escape(_goal_value(row, w))}</td>"
                        f"<td>{'' if w.value is None else ('met' if w.value >= row.target else 'below')}</td></tr>"
                        for w in row.weeks)
        out.append(f'<details><summary>{escape(row.title)} by week</summary><div class="scroll"><table><thead><tr>'
                   f"<th>Week of</th><th>Value</th><th>Goal {target}</th></tr></thead><tbody>{cells}</tbody></table>"
                   "</div></details>")
    if report.growth:
        rows = "".join(f"<tr><td>{escape(m.month)}</td><td>{count(m.existing)}</td><td>{count(m.optins)}</td>"
                       f"<td>{count(m.imports)}</td></tr>" for m in report.growth)
        out.append('<h3>Audience growth (Mailchimp)</h3><div class="scroll"><table><thead><tr><th>Month</th>'
                   f"<th>Existing</th><th>Opted in</th><th>Imported</th></tr></thead><tbody>{rows}</tbody></table>"
                   "</div>")
    return "".join(out) + "</section>"


def _hours(seq: SequenceRow, hours: list[int] | None) -> str:
    """Opens by hour of the reader's own day: when this sequence's readers actually read it."""
    if not hours or not sum(hours):
        return ""
    best = max(range(24), key=lambda h: (hours[h], -h))
    chart = bar_chart(f"seq-{escape(seq.key)}-hours", [f"{h:02d}" for h in range(24)], [("Opens", hours)],
                      title=f"{seq.title}: opens by hour of the reader's day",
                      desc="; ".join(f"{h:02d}:00 {n}" for h, n in enumerate(hours) if n))
    return (f"<h3>When readers open it</h3><p class=\"meta\">{sum(hours)} open(s), in each reader's own timezone; "
            f"most at {best:02d}:00-{best + 1:02d}:00 ({hours[best]})</p>{chart}")


def _sequence(seq: SequenceRow, tz: ZoneInfo, flagged: set[tuple[str, str]] = frozenset(),
              hours: list[int] | None = None) -> str:
    anchor = f"seq-{escape(seq.key)}"
    out = [f'<section id="{anchor}"><h2>{escape(seq.title)}</h2>',
           f'<p class="meta"><code>{escape(seq.key)}</code> · {count(seq.numbers.campaigns)} campaign(s)'
           + ("" if seq.known else " · no longer in sequences/") + "</p>"]
    if not seq.numbers.campaigns:
        out.append('<p class="note">Nothing sent yet for this sequence.</p></section>')
        return "".join(out)
    labels = [_step_label(s.id, s.subject) for s in seq.steps]
    series = [(SERIES[0], [s.numbers.delivered for s in seq.steps]), (SERIES[1], [s.numbers.opens for s in seq.steps]),
              (SERIES[2], [s.numbers.clicks for s in seq.steps])]
    funnel = ", ".join(f"{label}: {count(s.numbers.delivered)} delivered, {percent(s.numbers.open_rate)} opened"
                       for label, s in zip(labels, seq.steps))
    out.append("<h3>Step by step</h3>")
    out.append(bar_chart(f"{anchor}-funnel", labels, series, title=f"{seq.title}: members reached at each step",
                         desc=funnel))
    with_year = len({w.start.year for w in seq.weeks}) > 1
    weeks = [_week(w.start, with_year) for w in seq.weeks]
    out.append("<h3>Week by week</h3>")
    out.append(line_chart(f"{anchor}-weeks", weeks, [("Open rate", [w.numbers.open_rate for w in seq.weeks]),
                                                      ("Click rate", [w.numbers.click_rate for w in seq.weeks])],
                          title=f"{seq.title}: open and click rate by week sent",
                          desc="; ".join(f"week of {w.start}: {count(w.numbers.delivered)} delivered, "
                                         f"{percent(w.numbers.open_rate)} opened" for w in seq.weeks)))
    out.append(_hours(seq, hours))
    head = "".join(f"<th>{c}</th>" for c in COLUMNS)
    rows = []
    for step, label in zip(seq.steps, labels):
        mark = FLAG_MARK if (seq.key, step.id) in flagged else ""
        rows.append(f'<tr class="step"><td>{escape(label)}{mark}</td>{_cells(step.numbers)}</tr>')
        if [v.variant for v in step.variants] not in ([], ["default"]):
            rows += [f'<tr class="variant"><td>{escape(v.variant)}</td>{_cells(v.numbers)}</tr>' for v in step.variants]
    out.append(f'<div class="scroll"><table><thead><tr><th>Step / variant</th>{head}</tr></thead>'
               f'<tbody>{"".join(rows)}</tbody></table></div>')
    week_rows = "".join(f"<tr><td>{w.start}</td>{_cells(w.numbers)}</tr>" for w in seq.weeks)
    out.append(f'<details><summary>Numbers by week</summary><div class="scroll"><table><thead><tr><th>Week of</th>'
               f'{head}</tr></thead><tbody>{week_rows}</tbody></table></div></details></section>')
    return "".join(out)


def _issues(report: Report, tz: ZoneInfo) -> str:
    if not report.issues:
        return ""
    head = "".join(f"<th>{c}</th>" for c in COLUMNS)
    rows = "".join(f'<tr><td>{escape(i.title)}</td><td class="l">{_day(i.send_time, tz)}</td>{_cells(i.numbers)}</tr>'
                   for i in report.issues)
    return (f'<section id="issues"><h2>Newsletter issues</h2><div class="scroll"><table><thead><tr><th>Issue</th>'
            f'<th class="l">Sent on</th>{head}</tr></thead><tbody>{rows}</tbody></table></div></section>')


def period(report: Report, tz: ZoneInfo) -> str:
    """What the report covers: the days its campaigns were sent, not the day it was made."""
    if report.empty:
        return "nothing sent yet"
    first, last = _day(report.first_send, tz), _day(report.last_send, tz)
    return f"campaigns sent {first}" if first == last else f"campaigns sent {first} to {last}"


def render_page(report: Report, site_title: str, language: str = "en") -> str:
    """The whole page as one string."""
    tz = ZoneInfo(report.timezone)
    since = f" since {_day(report.since, tz)}" if report.since else ""
    covers = period(report, tz)
    head = (f'<!doctype html><html lang="{escape(language)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            '<meta name="color-scheme" content="light dark"><meta name="robots" content="noindex">'
            f"<title>Email report, {escape(covers)} · {escape(site_title)}</title><style>{CSS}</style></head><body>"
            f"<main><header><h1>How the emails are doing</h1><p class=\"meta\">{escape(site_title)} · "
            f"{escape(covers)}{since} ({escape(report.timezone)}), from Mailchimp's campaign reports · numbers only, "
            f"no subscriber · report made {report.generated_at.astimezone(tz):%Y-%m-%d %H:%M}</p></header>")
    if report.empty:
        body = ('<section class="empty"><h2>Nothing sent yet</h2><p>No welcome-gen campaign has gone out to this '
                f"audience{since}. Once <code>welcome-gen send</code> delivers its first batch, each sequence's "
                "steps appear here with their opens and clicks.</p></section>")
        return head + body + _goals(report) + "</main></body></html>\n"
    nav = "".join(f'<li><a href="#seq-{escape(s.key)}">{escape(s.title)}</a></li>' for s in report.sequences)
    if report.issues:
        nav += '<li><a href="#issues">Newsletter issues</a></li>'
    body = (_cards(report.numbers) + _flags(report) + _goals(report) + _experiments(report)
            + f"<nav><ul>{nav}</ul></nav>"
            + "".join(_sequence(s, tz, {(f.sequence, f.step) for f in report.flags}, report.hours.get(s.key))
                      for s in report.sequences)
            + _issues(report, tz)
            + '<p class="note">Delivered is sent minus bounces. Open and click rates count each member once per '
              "campaign and divide by delivered; opens depend on images being loaded, so read them as a trend. "
              "Weeks start on Monday.</p>")
    return head + body + "</main></body></html>\n"
