"""Emails -> build/emails/: the merge-tag versions Mailchimp receives, sample previews, and an index to browse them.

The folder is replaced as a whole, atomically; unchanged files are kept as they were, files no email makes any more
go. The folder must be empty or one this writer made (its record is kept beside it), so nobody's files are lost.
"""

from __future__ import annotations

import hashlib
import html as htmllib
from datetime import date
from pathlib import Path

from .. import folders
from ..project import Project
from ..reporter import NullReporter, Reporter
from ..project.steps import variant_for
from ..folders import claim_emails
from .render import RenderedEmail, Renderer, personalise, render_all

PREVIEWS = "samples"


def email_files(project: Project, emails: list[RenderedEmail], today: date | None = None,
                reporter: Reporter | None = None) -> dict[str, bytes]:
    """Every file of build/emails by its name there, from the rendered `emails`: <seq>/<step>/<variant>.html|.txt,
    previews for each sample subscriber under <seq>/<step>/samples/, and index.html."""
    reporter = reporter or NullReporter()
    steps = {(seq.key, str(step.id)): step for seq in project.sequences for step in seq.meta.steps}
    files: dict[str, str] = {}
    previews: dict[tuple[str, str], list[tuple[str, str]]] = {}
    with reporter.task("Rendering emails", len(emails)) as task:
        for email in emails:
            folder = f"{email.sequence}/{email.step}"
            files[f"{folder}/{email.variant}.html"] = email.html
            files[f"{folder}/{email.variant}.txt"] = _text_file(email)
            for sample in project.samples:
                if variant_for(steps[(email.sequence, email.step)], sample.persona or None) != email.variant:
                    continue
                filled = personalise(project, email, sample, today)
                files[f"{folder}/{PREVIEWS}/{sample.name}.html"] = filled.html
                files[f"{folder}/{PREVIEWS}/{sample.name}.txt"] = _text_file(filled)
                previews.setdefault((email.sequence, email.step), []).append((sample.name, email.variant))
            task.advance()
    files["index.html"] = _index(project, emails, previews)
    return {name: text.encode("utf-8") for name, text in files.items()}


def stage_files(folder: folders.OutputFolder, staging: folders.Staging, files: dict[str, bytes]) -> list[folders.Output]:
    """Put each file whose bytes changed into `staging`; every file as an output of the folder."""
    outputs = []
    for name, data in files.items():
        output = folders.Output(name, hashlib.sha256(data).hexdigest(), [])
        if not folder.current(output):
            staging.put(name, data)
        outputs.append(output)
    return outputs


def write_emails(project: Project, out: Path, reporter: Reporter | None = None, *, today: date | None = None) -> int:
    """Write every email into `out` (build/emails), atomically; unchanged files are kept as they are, files no
    email makes any more removed. Returns how many files were written or removed."""
    folder = claim_emails(Path(out), project.root)
    files = email_files(project, render_all(project, Renderer(project)), today, reporter)
    staging = folder.stage()
    outputs = stage_files(folder, staging, files)
    written = len(staging.written)
    pruned = staging.commit(outputs)
    (reporter or NullReporter()).note(f"{len(files)} email files, {written} written to {folder.out}")
    return written + len(pruned)


def _text_file(email: RenderedEmail) -> str:
    return f"Subject: {email.subject}\nPreheader: {email.preheader}\nFrom: {email.from_name} <{email.reply_to}>\n\n{email.text}"


_HEADINGS = ("Sequence", "Step", "Variant", "Subject and preheader", "Mailchimp version", "Samples")
# On a phone the table becomes one card per email, each cell labelled, so nothing runs off a 375 px screen.
_STYLE = ("body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}"
          "td,th{border-bottom:1px solid #ddd;padding:.4rem .6rem;text-align:left;vertical-align:top;"
          "overflow-wrap:anywhere}small{color:#555}td a{white-space:nowrap}"
          "@media (max-width:45rem){body{margin:1rem}table,tbody,tr,td{display:block}"
          "thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}"
          "tr{border-bottom:2px solid #bbb;padding:.5rem 0}td{border:0;padding:.15rem 0}"
          "td::before{content:attr(data-label) \": \";font-weight:600}}")


def _index(project: Project, emails: list[RenderedEmail], previews: dict[tuple[str, str], list[tuple[str, str]]]) -> str:
    e = htmllib.escape
    rows = []
    titles = {s.key: s.meta.title for s in project.sequences}
    for email in emails:
        base = f"{email.sequence}/{email.step}"
        samples = [name for name, variant in previews.get((email.sequence, email.step), []) if variant == email.variant]
        sample_links = " ".join(f'<a href="{e(base)}/{PREVIEWS}/{e(n)}.html">{e(n)}</a>' for n in samples) or "–"
        cells = (e(titles[email.sequence]), e(email.step), e(email.variant),
                 f"{e(email.subject)}<br><small>{e(email.preheader)}</small>",
                 f'<a href="{e(base)}/{e(email.variant)}.html">HTML</a> · <a href="{e(base)}/{e(email.variant)}.txt">'
                 f"text</a> <small>({len(email.html.encode()) // 1024} KB)</small>", sample_links)
        rows.append("<tr>" + "".join(f'<td data-label="{e(h)}">{c}</td>' for h, c in zip(_HEADINGS, cells)) + "</tr>")
    return f"""<!DOCTYPE html>
<html lang="{e(project.config.site.language)}"><head><meta charset="utf-8"><title>Emails – {e(project.config.site.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<style>{_STYLE}</style>
</head><body><h1>Emails of {e(project.config.site.title)}</h1>
<p>HTML and text are what Mailchimp receives (merge tags intact); the sample links show the same email filled in
for each sample subscriber in sequences/samples.yaml.</p>
<table><thead><tr>{"".join(f"<th>{h}</th>" for h in _HEADINGS)}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
