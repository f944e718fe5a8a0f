"""Emails -> build/emails/: the merge-tag versions Mailchimp receives, sample previews, and an index to browse them.

Each file is written atomically and only when its content changed; files no email claims any more are removed.
The folder must be empty or one this writer made (its record is kept beside it), so pruning never deletes
anyone's files.
"""

from __future__ import annotations

import html as htmllib
from datetime import date
from pathlib import Path

from .. import folders
from ..project import Project
from ..reporter import NullReporter, Reporter
from .render import RenderedEmail, Renderer, personalise, render_all, variant_for

PREVIEWS = "samples"


def write_if_changed(path: Path, text: str) -> bool:
    """Write `path` atomically unless it already holds `text`; whether it was written."""
    data = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return False
    folders.write_atomic(path, data)
    return True


def write_emails(project: Project, out: Path, reporter: Reporter | None = None, *, today: date | None = None) -> int:
    """Write every email into `out` (build/emails): <seq>/<step>/<variant>.html|.txt, previews for each sample
    subscriber under <seq>/<step>/samples/, and index.html. Returns how many files were written or changed."""
    reporter = reporter or NullReporter()
    out = folders.claim(Path(out), project.root, made_by_us=_made_by_us(Path(out)))
    renderer = Renderer(project)
    emails = render_all(project, renderer)
    steps = {(seq.key, str(step.id)): step for seq in project.sequences for step in seq.meta.steps}
    files: dict[Path, str] = {}
    previews: dict[tuple[str, str], list[tuple[str, str]]] = {}
    with reporter.task("Writing emails", len(emails)) as task:
        for email in emails:
            folder = out / email.sequence / email.step
            files[folder / f"{email.variant}.html"] = email.html
            files[folder / f"{email.variant}.txt"] = _text_file(email)
            for sample in project.samples:
                if variant_for(steps[(email.sequence, email.step)], sample.persona or None) != email.variant:
                    continue
                filled = personalise(project, email, sample, today)
                files[folder / PREVIEWS / f"{sample.name}.html"] = filled.html
                files[folder / PREVIEWS / f"{sample.name}.txt"] = _text_file(filled)
                previews.setdefault((email.sequence, email.step), []).append((sample.name, email.variant))
            task.advance()
    files[out / "index.html"] = _index(project, emails, previews)
    written = sum(write_if_changed(path, text) for path, text in files.items())
    keep = {p.resolve() for p in files}
    for path in sorted(out.rglob("*"), reverse=True) if out.is_dir() else []:
        if path.is_file() and path.resolve() not in keep:
            path.unlink()
            written += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    folders.write_record(out, {"version": 1, "files": sorted(p.relative_to(out).as_posix() for p in files)})
    reporter.note(f"{len(emails)} emails, {written} files written to {out}")
    return written


def _made_by_us(out: Path) -> bool:
    if folders.record_path(out).is_file():
        return True
    try:  # a folder written before records were kept: recognised by its index page
        return "<h1>Emails of " in (out / "index.html").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def _text_file(email: RenderedEmail) -> str:
    return f"Subject: {email.subject}\nPreheader: {email.preheader}\nFrom: {email.from_name} <{email.reply_to}>\n\n{email.text}"


def _index(project: Project, emails: list[RenderedEmail], previews: dict[tuple[str, str], list[tuple[str, str]]]) -> str:
    e = htmllib.escape
    rows = []
    titles = {s.key: s.meta.title for s in project.sequences}
    for email in emails:
        base = f"{email.sequence}/{email.step}"
        samples = [name for name, variant in previews.get((email.sequence, email.step), []) if variant == email.variant]
        sample_links = " ".join(f'<a href="{e(base)}/{PREVIEWS}/{e(n)}.html">{e(n)}</a>' for n in samples) or "–"
        rows.append(f"<tr><td>{e(titles[email.sequence])}</td><td>{e(email.step)}</td><td>{e(email.variant)}</td>"
                    f"<td>{e(email.subject)}<br><small>{e(email.preheader)}</small></td>"
                    f'<td><a href="{e(base)}/{e(email.variant)}.html">HTML</a> · <a href="{e(base)}/{e(email.variant)}.txt">text</a>'
                    f" <small>({len(email.html.encode()) // 1024} KB)</small></td><td>{sample_links}</td></tr>")
    return f"""<!DOCTYPE html>
<html lang="{e(project.config.site.language)}"><head><meta charset="utf-8"><title>Emails – {e(project.config.site.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;margin:2rem}}table{{border-collapse:collapse}}td,th{{border-bottom:1px solid #ddd;padding:.4rem .6rem;text-align:left;vertical-align:top}}small{{color:#555}}td a{{white-space:nowrap}}</style>
</head><body><h1>Emails of {e(project.config.site.title)}</h1>
<p>HTML and text are what Mailchimp receives (merge tags intact); the sample links show the same email filled in
for each sample subscriber in sequences/samples.yaml.</p>
<table><thead><tr><th>Sequence</th><th>Step</th><th>Variant</th><th>Subject and preheader</th><th>Mailchimp version</th><th>Samples</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
