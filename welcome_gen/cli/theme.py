"""`welcome-gen theme export`: copy a file of the default theme into templates/ to change it."""

from __future__ import annotations

from pathlib import Path

import typer

from . import console

app = typer.Typer()
theme = typer.Typer(help="The default theme: copy its files into templates/ to change them.", no_args_is_help=True)
app.add_typer(theme, name="theme")


@theme.command("export")
def export(
    files: list[str] = typer.Argument(None, metavar="FILE",
                                      help="Theme files, e.g. fit.html, partials/signup.html, email/layout.html.j2, "
                                           "messages/de.yaml. None: list them all."),
    project: Path = typer.Option(Path("."), "--project", metavar="PROJECT_DIR",
                                 help="The project folder (the one with welcome.yaml)."),
    force: bool = typer.Option(False, "--force", help="Replace a copy that is already in templates/."),
) -> None:
    """Copy theme files into the project's templates/, where they replace the theme's; with no FILE, list them."""
    from ..theme.export import export as copy
    from ..theme.export import exportable

    if not files:
        for name in exportable():
            console.info(f"{name:<32} -> templates/{name}")
        return
    for target in copy(project, files, force=force):
        console.info(f"wrote {target.relative_to(project).as_posix()}: edit it; it now replaces the theme's")
