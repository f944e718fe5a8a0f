"""`welcome-gen preview SEQ/STEP`: one email, filled in for one sample subscriber."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..errors import Problem, ProjectError, UsageError
from . import console
from .params import PROJECT_DIR

if TYPE_CHECKING:
    from ..project import Project
    from ..project.model import Sample

app = typer.Typer()


def _sample(project: Project, name: str | None, persona: str | None) -> Sample:
    """The named sample; else the first sample of the persona; else the first sample (with the persona set)."""
    from ..project.model import Sample

    if persona and project.persona(persona) is None:
        known = ", ".join(p.slug for p in project.personas) or "none"
        raise UsageError(f"no persona '{persona}' (known: {known})")
    if name:
        found = next((s for s in project.samples if s.name == name), None)
        if found is None:
            known = ", ".join(s.name for s in project.samples) or "none: add sequences/samples.yaml"
            raise UsageError(f"no sample subscriber '{name}' (known: {known})")
        return found.model_copy(update={"persona": persona}) if persona else found
    if persona:
        found = next((s for s in project.samples if s.persona == persona), None)
        if found is not None:
            return found
    base = project.samples[0] if project.samples else Sample(name="sample", first_name="Sam")
    return base.model_copy(update={"persona": persona}) if persona else base


@app.command()
def preview(
    which: str = typer.Argument(..., metavar="SEQ/STEP", help="The sequence and step, e.g. welcome/hello or welcome/2."),
    project_dir: Path = PROJECT_DIR,
    persona: str = typer.Option(None, "--persona", "-p", help="Preview the variant this persona receives."),
    subscriber: str = typer.Option(None, "--subscriber", "-s", help="A sample subscriber from sequences/samples.yaml."),
    text: bool = typer.Option(False, "--text", help="Print the plain-text part instead of saving the HTML."),
    open_browser: bool = typer.Option(False, "--open", help="Open the HTML in the web browser."),
) -> int:
    """Render one email for a sample subscriber: print its text, or save and open its HTML."""
    import webbrowser

    from ..email import render_email
    from ..project.steps import find_step, variant_for
    from ..folders import confined, write_atomic
    from ..project import load_project

    seq_key, sep, step_id = which.partition("/")
    if not sep or not seq_key or not step_id:
        raise UsageError(f"'{which}' is not SEQ/STEP, e.g. welcome/hello")
    project = load_project(project_dir)
    try:
        _, step, _ = find_step(project, seq_key, step_id)
    except ProjectError as exc:  # the argument names no email: a usage mistake, not a problem in the project
        raise UsageError(str(exc.problems[0])) from None
    sample = _sample(project, subscriber, persona)
    variant = variant_for(step, sample.persona or None)
    email = render_email(project, seq_key, step_id, variant, subscriber=sample)
    head = [f"Subject:   {email.subject}", f"Preheader: {email.preheader}",
            f"From:      {email.from_name} <{email.reply_to}>",
            f"Variant:   {variant} (sample '{sample.name}'{', persona ' + sample.persona if sample.persona else ''})"]
    if text:
        console.info("\n".join(head) + "\n\n" + email.text.rstrip("\n"))
        return 0
    path = confined(project.root / "build" / "preview" / f"{seq_key}-{step_id}-{sample.name}.html", project.root)
    try:
        write_atomic(path, email.html)
    except OSError as exc:
        raise ProjectError([Problem(str(path), None, f"cannot write the preview: {exc.strerror}")]) from None
    console.info("\n".join(head + [f"Saved:     {path}"]))
    if open_browser:
        webbrowser.open(path.resolve().as_uri())
    return 0
