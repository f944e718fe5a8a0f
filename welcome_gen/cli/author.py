"""The author's loop: `init` starts a project, `serve` shows it while it is being written."""

from __future__ import annotations

from pathlib import Path

import typer

from . import console

app = typer.Typer()


@app.command()
def init(
    folder: Path = typer.Argument(..., metavar="DIR", help="Where to create the project (made if missing)."),
    name: str = typer.Option(None, "--name", help="The business name (default: from the folder's name)."),
    force: bool = typer.Option(False, "--force", help="Write into a folder that is not empty."),
) -> None:
    """Start a new project: welcome.yaml, content, a welcome sequence, and the CI workflows."""
    from ..scaffold import init_project

    made = init_project(folder, name=name, force=force)
    console.info(f"created {len(made.files)} files in {made.root}")
    console.info(f"next: cd {made.root} && welcome-gen serve")
