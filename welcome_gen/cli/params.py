"""What every command's command line shares."""

from __future__ import annotations

from pathlib import Path

import typer

# Every command takes the project folder the same way: an optional argument, the current folder by default.
PROJECT_DIR = typer.Argument(Path("."), metavar="PROJECT_DIR", help="The project folder (the one with welcome.yaml).",
                             show_default=True)
