"""Write the report: `index.html`, `report.json` and `report.csv`, atomically, never inside the site folder."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..folders import write_atomic
from .sums import Report

FILES = ("index.html", "report.json", "report.csv")
CSV_COLUMNS = ("kind", "sequence", "step", "variant", "subject", "campaigns", "sent", "delivered", "bounces",
               "unique_opens", "open_rate", "unique_clicks", "click_rate", "unsubscribes", "total_opens",
               "total_clicks", "flags")


def as_json(report: Report) -> dict[str, Any]:
    """Every number of the page as plain data."""
    return {
        "generated_at": report.generated_at.isoformat(), "since": report.since.isoformat() if report.since else None,
        "timezone": report.timezone, "first_send": report.first_send.isoformat() if report.first_send else None,
        "last_send": report.last_send.isoformat() if report.last_send else None, "total": report.numbers.as_dict(),
        "sequences": [{
            "key": s.key, "title": s.title, "known": s.known, "total": s.numbers.as_dict(),
            "steps": [{"id": st.id, "subject": st.subject, "total": st.numbers.as_dict(),
                       "variants": {v.variant: v.numbers.as_dict() for v in st.variants}} for st in s.steps],
            "weeks": [{"week_of": w.start.isoformat(), **w.numbers.as_dict()} for w in s.weeks],
        } for s in report.sequences],
        "issues": [{"slug": i.slug, "title": i.title, "send_time": i.send_time.isoformat() if i.send_time else None,
                    **i.numbers.as_dict()} for i in report.issues],
        "flags": [{"sequence": f.sequence, "step": f.step, "kind": f.kind, "message": f.message} for f in report.flags],
        "goals": [{"key": g.key, "title": g.title, "target": g.target, "met": g.met, "note": g.note,
                   "weeks": [{"week_of": w.start.isoformat(), "part": w.part, "whole": w.whole,
                              "value": None if w.value is None else round(w.value, 4)} for w in g.weeks]}
                  for g in report.goals],
        "opens_by_hour": report.hours,
        "experiments": [{"sequence": e.sequence, "step": e.step, "confidence": e.confidence, "winner": e.winner,
                         "chosen": e.chosen, "verdict": e.verdict,
                         "subjects": [{"letter": a.letter, "subject": a.subject, **a.numbers.as_dict(),
                                       "open_interval": [round(x, 4) for x in a.opens_interval],
                                       "click_interval": [round(x, 4) for x in a.clicks_interval]} for a in e.arms]}
                        for e in report.experiments],
        "growth": [{"month": m.month, "existing": m.existing, "optins": m.optins, "imports": m.imports}
                   for m in report.growth],
    }


def as_csv(report: Report) -> str:
    """One row per sequence step and variant, then per newsletter issue."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    flags: dict[tuple[str, str], list[str]] = {}
    for f in report.flags:
        flags.setdefault((f.sequence, f.step), []).append(f.kind)
    for s in report.sequences:
        for st in s.steps:
            for v in st.variants:
                writer.writerow({"kind": "step", "sequence": s.key, "step": st.id, "variant": v.variant,
                                 "subject": st.subject, **v.numbers.as_dict(),
                                 "flags": " ".join(flags.get((s.key, st.id), []))})
    for i in report.issues:
        writer.writerow({"kind": "issue", "sequence": "", "step": i.slug, "variant": "", "subject": i.title,
                         **i.numbers.as_dict()})
    return buffer.getvalue()


def check_out(out: Path, site_dir: Path) -> None:
    """Refuse a folder inside (or equal to) the published site folder: the report is about the audience."""
    target, site = Path(out).resolve(), Path(site_dir).resolve()
    if target == site or site in target.parents:
        raise UsageError(f"--out: {out} is inside the site folder {site_dir}; the report describes your audience and "
                         "must not be published (use build/report)")


def write_report(report: Report, page: str, out: Path) -> list[Path]:
    """Write the three files into `out` (created; `check_out` has cleared it); the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    texts = (page, json.dumps(as_json(report), indent=1, ensure_ascii=False) + "\n", as_csv(report))
    paths = [out / name for name in FILES]
    for path, text in zip(paths, texts):
        write_atomic(path, text)
    return paths
