"""The author's loop: `init` starts a project, `serve` shows it while it is being written."""

from __future__ import annotations

from pathlib import Path

import typer

from . import console
from .params import PROJECT_DIR

app = typer.Typer()


@app.command()
def init(
    folder: Path = typer.Argument(..., metavar="DIR", help="Where to create the project (made if missing)."),
    name: str = typer.Option(None, "--name", help="The business name (default: from the folder's name)."),
    force: bool = typer.Option(False, "--force", help="Write into a folder that is not empty."),
    install: str = typer.Option(
        None, "--install", metavar="SPEC",
        help="The welcome-gen the CI workflows install, pinned: a repository at a full commit "
             "(git+https://github.com/OWNER/welcome-gen@COMMIT) or a wheel or sdist address with its hash "
             "(https://…/welcome_gen-X.Y.Z-py3-none-any.whl#sha256=HASH). Default: where this welcome-gen was "
             "installed from, if that was such an address."),
) -> None:
    """Start a new project: welcome.yaml, content, a welcome sequence, and the CI workflows."""
    from ..scaffold import init_project

    made = init_project(folder, name=name, force=force, install=install)
    console.info(f"created {len(made.files)} files in {made.root}")
    if made.pinned:
        console.info(f"the workflows install {made.install}")
    else:
        console.warn("the workflows in .github/workflows/ install a placeholder: put the welcome-gen to install "
                     "there (a repository at a commit, or a file with its hash), or run init again with --install")
    console.info(f"next: cd {made.root} && welcome-gen serve")


@app.command()
def serve(
    project_dir: Path = PROJECT_DIR,
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="The port on 127.0.0.1 (0 picks a free one)."),
    open_browser: bool = typer.Option(False, "--open", help="Open the site in the web browser."),
) -> None:
    """Serve the site at http://127.0.0.1:8000, drafts included, rebuilt and reloaded on every save."""
    import webbrowser

    from ..project import load_project
    from ..project.load import CONFIG_FILE
    from ..reporter import NullReporter, RichReporter
    from ..serve import EMAILS_PATH, DevServer

    if not (project_dir / CONFIG_FILE).is_file():
        load_project(project_dir)  # says "welcome.yaml: not found" as every command does
    server = DevServer(project_dir, port=port, reporter=NullReporter() if console.quiet() else RichReporter())
    try:
        server.start()
        console.info(f"serving {server.root} at {server.url} (email previews at {server.url}{EMAILS_PATH[1:]}/)")
        console.info("watching content/, templates/, sequences/ and welcome.yaml; Ctrl-C to stop")
        if open_browser:
            webbrowser.open(server.url)
        server.wait()
    except KeyboardInterrupt:
        console.info("stopped")
    finally:
        server.stop()
