"""The end of a tick in words: the terminal summary, the dry-run plan, and the owner's digest (`build/digest.md`).

What `send` prints may land in a public CI log, so it names no member: a real run prints counts, a dry run masks
addresses (`a***@example.org`) unless asked to show them. The digest lists who joined since the last tick (with
persona and answers), which recognitions went out and whom Mailchimp refused, so the owner can reach out
personally. It holds subscriber data, so it is written under `build/`, never `public/`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

from ..folders import confined, write_atomic
from ..project.load import Project
from .tick import TickReport

RECOGNITION = ("birthday", "anniversary", "tag", "event")
SHOW_AT_MOST = 20
COUNTS, MASKED, ALL = "counts", "masked", "all"  # how much of who a plan line shows
EMAIL_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def _trigger(project: Project, sequence: str) -> str:
    seq = project.sequence(sequence)
    return seq.meta.trigger.type if seq else ""


def mask(email: str) -> str:
    """An address with its name hidden: `ann@example.org` -> `a***@example.org`."""
    local, at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if at else "***"


def mask_all(text: str) -> str:
    """Every address inside a line of text masked (Mailchimp's messages may name a member)."""
    return EMAIL_RE.sub(lambda m: mask(m.group(0)), text)


def _who(emails: list[str], show: str) -> str:
    if show == COUNTS:
        return ""
    shown = emails if show == ALL else [mask(e) for e in emails]
    more = f" and {len(emails) - SHOW_AT_MOST} more" if len(emails) > SHOW_AT_MOST else ""
    return ": " + ", ".join(shown[:SHOW_AT_MOST]) + more


def plan_lines(project: Project, report: TickReport, show: str = COUNTS) -> list[str]:
    """The plan, per sequence and step: how many, which variant, and (unless `show` is COUNTS) who, masked unless
    ALL; then skipped and waiting with why, newsletter issues, and repairs."""
    p = report.plan
    lines = [f"Plan for {p.now:%Y-%m-%d %H:%M} UTC (slot {p.slot}): {len(p.deliveries)} email(s) in "
             f"{len(p.batches)} batch(es), {len(p.skips)} step(s) to mark skipped, {len(p.waits)} waiting"]
    for b in p.batches:
        lines.append(f"  send {b.key.sequence}/{b.key.step} [{b.key.variant}] to {len(b.emails)}"
                     f"{_who(b.emails, show)}   ({b.key})")
    for (seq, step, reason), n in sorted(Counter((s.sequence, s.step, s.reason) for s in p.skips).items()):
        lines.append(f"  skip {seq}/{step} for {n}: {reason}")
    for (seq, step, reason), n in sorted(Counter((w.sequence, w.step, w.reason) for w in p.waits).items()):
        lines.append(f"  wait {seq}/{step} for {n}: {reason}")
    for item in report.issue_plans:
        to = f" ({', '.join(item.personas)})" if item.personas else " (everyone)"
        if item.action == "send":
            lines.append(f"  issue {item.doc.path}: send to {len(item.recipients)}{to}")
        elif item.action == "missed":
            lines.append(f"  issue {item.doc.path}: not sent, its send_at passed more than the lateness ago")
    for line in report.repaired + report.removed:
        lines.append(f"  repair {line}")
    return lines


def summary_lines(report: TickReport) -> list[str]:
    """The end of a real tick in counts: no member is named (CI logs may be public; names go to the digest)."""
    lines = [f"Delivered {report.delivered} email(s) in {sum(1 for r in report.results if r.sent)} batch(es); "
             f"marked {report.marked} skipped; repaired {len(report.repaired)}; removed {len(report.removed)} "
             f"unsent batch(es); tidied {report.tidied} old batch tag(s); {report.calls} Mailchimp call(s)."]
    for r in report.results:
        state = (f"waits for the next run: {mask_all(r.error)}" if r.waiting else f"FAILED: {mask_all(r.error)}"
                 if r.error else f"sent to {len(r.recipients)}" + (f"; {mask_all(r.unrecorded)}" if r.unrecorded else ""))
        lines.append(f"  {r.key}: {state}")
        if r.refused:
            lines.append(f"    Mailchimp refused {len(r.refused)} member(s); who is in build/digest.md")
    lines += [f"  issue {mask_all(i)}" for i in report.issues]
    lines += [f"  error: {mask_all(e)}" for e in report.errors]
    return lines


def digest_markdown(project: Project, report: TickReport) -> str:
    now = report.now
    since = now - timedelta(hours=1)
    names = project.config.mailchimp.fields
    joined = sorted((m for m in report.members if m.joined and since <= m.joined <= now), key=lambda m: m.joined)
    out = [f"# welcome-gen digest, {now:%Y-%m-%d %H:%M} UTC", ""]
    out += [f"## Joined since the last tick ({len(joined)})", ""]
    if joined:
        out += ["| email | name | persona | answers |", "|---|---|---|---|"]
        for m in joined:
            persona = project.persona(m.persona)
            answers = "; ".join(f"{k}: {v}" for k, v in sorted(m.merge_fields.items())
                                if v not in ("", None, {}) and k not in (names.first_name, names.persona))
            out.append(f"| {m.email} | {m.first_name} | {persona.meta.title if persona else m.persona or '-'} | "
                       f"{answers or '-'} |")
    else:
        out.append("Nobody new.")
    recognitions: dict[str, list[str]] = defaultdict(list)
    welcomes = Counter()
    for r in report.results:
        if r.error:
            continue
        if _trigger(project, r.sequence) in RECOGNITION:
            recognitions[f"{r.sequence}/{r.step}"] += r.recipients
        else:
            welcomes[f"{r.sequence}/{r.step} [{r.variant}]"] += len(r.recipients)
    out += ["", "## Recognitions sent", ""]
    out += [f"- **{k}**: {', '.join(v)}" for k, v in sorted(recognitions.items())] or ["None this tick."]
    out += ["", "## Welcome emails sent", ""]
    out += [f"- {k}: {n}" for k, n in sorted(welcomes.items())] or ["None this tick."]
    if report.issues:
        out += ["", "## Newsletter issues", "", *[f"- {line}" for line in report.issues]]
    problems = [f"- {r.key}: {r.error}" for r in report.results if r.error] + [f"- {e}" for e in report.errors]
    problems += [f"- {r.key}: Mailchimp refused {', '.join(r.refused)}" for r in report.results if r.refused]
    if problems:
        out += ["", "## Problems (the next tick repairs what it can)", "", *problems]
    return "\n".join(out) + "\n"


def write_digest(project: Project, report: TickReport) -> Path:
    """Write `build/digest.md` atomically."""
    path = project.root / "build" / "digest.md"
    write_atomic(confined(path, project.root), digest_markdown(project, report))
    return path
