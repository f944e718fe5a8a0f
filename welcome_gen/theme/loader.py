"""Templates are read like every other file the author commits: from inside the project (or the package's own
theme) only, as UTF-8, and a file that fails either test is a problem at its path, not an internal error."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from jinja2 import BaseLoader, TemplateNotFound
from jinja2.loaders import split_template_path

from ..errors import Problem, ProjectError
from ..project.source import SourceError, inside, read_text
from . import HERE, shown


class TemplateLoader(BaseLoader):
    """The first of `dirs` that has a template wins; each is confined to the project, or to the package theme."""

    def __init__(self, dirs: list[Path], project_root: Path):
        self.dirs = [Path(d) for d in dirs]
        self.searchpath = [str(d) for d in self.dirs]  # where `template_problem` looks for the author's frames
        self.root = project_root

    def confinement(self, folder: Path) -> Path:
        """The folder a template found in `folder` must really be in."""
        return HERE if folder.resolve().is_relative_to(HERE) else self.root

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses '..'
        for folder in self.dirs:
            path = folder.joinpath(*pieces)
            if not path.is_file():
                continue
            try:
                text = read_text(path, shown(path, self.root), self.confinement(folder))
            except SourceError as exc:
                raise ProjectError([exc.problem]) from None
            mtime = path.stat().st_mtime

            def uptodate(path: Path = path, mtime: float = mtime) -> bool:
                try:
                    return path.stat().st_mtime == mtime
                except OSError:
                    return False

            return text, str(path), uptodate
        raise TemplateNotFound(template)

    def files(self, keep: Callable[[str], bool]) -> tuple[dict[str, Path], list[Problem]]:
        """Name -> file of every template or asset `keep` accepts (a project file wins over the theme's), and a
        problem for each that leads outside where it may be."""
        found: dict[str, Path] = {}
        problems: list[Problem] = []
        for folder in reversed(self.dirs):
            for path in sorted(folder.rglob("*")):
                name = path.relative_to(folder).as_posix()
                if not path.is_file() or not keep(name) or "__pycache__" in name:
                    continue
                try:
                    inside(path, self.confinement(folder), shown(path, self.root))
                except SourceError as exc:
                    problems.append(exc.problem)
                    continue
                found[name] = path
        return found, problems
