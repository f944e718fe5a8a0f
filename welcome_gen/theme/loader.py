"""Templates are read like every other file the author commits: from inside the project (or the package's own
theme) only, as UTF-8, and a file that fails either test is a problem at its path, not an internal error."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Callable

from jinja2 import BaseLoader, TemplateError, TemplateNotFound, nodes
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
        self._trees: dict[str, Any] = {}  # parsed once per loader (one build) for the stray-block check

    def confinement(self, folder: Path) -> Path:
        """The folder a template found in `folder` must really be in."""
        return HERE if folder.resolve().is_relative_to(HERE) else self.root

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses '..'
        for folder in self.dirs:
            path = folder.joinpath(*pieces)
            try:
                if not path.is_file():
                    continue
            except OSError:  # a name too long for the file system names no template
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

    def stray_blocks(self, environment: Any, name: str) -> list[Problem]:
        """A problem at each block that `name` defines but the templates it extends lack: shown nowhere, it would
        leave its part of the page empty without a word (`{% block mian %}`)."""
        tree, filename = self._parsed(environment, name)
        parent = next(tree.find_all(nodes.Extends), None)
        if parent is None or not isinstance(parent.template, nodes.Const):
            return []
        known = self._blocks(environment, str(parent.template.value), {name})
        if known is None:
            return []  # a parent that is missing or broken is reported on its own
        out = []
        for block in _outer_blocks(tree):
            if block.name not in known:
                guess = difflib.get_close_matches(block.name, sorted(known), n=1)
                hint = f"did you mean '{guess[0]}'?" if guess else f"its blocks: {', '.join(sorted(known)) or 'none'}"
                out.append(Problem(shown(filename, self.root), block.lineno, f"block '{block.name}' is not in "
                                   f"{parent.template.value}, which this template extends, so it shows nowhere ({hint})"))
        return out

    def _blocks(self, environment: Any, name: str, seen: set[str]) -> set[str] | None:
        """Every block `name` and the templates it extends define; None when one cannot be read."""
        if name in seen:
            return None
        try:
            tree, _ = self._parsed(environment, name)
        except (TemplateError, ProjectError):
            return None
        names = {block.name for block in tree.find_all(nodes.Block)}
        parent = next(tree.find_all(nodes.Extends), None)
        if parent is None:
            return names
        if not isinstance(parent.template, nodes.Const):
            return None
        above = self._blocks(environment, str(parent.template.value), seen | {name})
        return None if above is None else names | above

    def _parsed(self, environment: Any, name: str) -> tuple[Any, str]:
        """The template's syntax tree and file, parsed once (a layout is the parent of every page template)."""
        if name not in self._trees:
            source, filename, _ = self.get_source(environment, name)
            self._trees[name] = (environment.parse(source, name, filename), filename)
        return self._trees[name]

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


def _outer_blocks(node: nodes.Node) -> list[nodes.Block]:
    """The blocks a child template overrides: those not nested in another of its blocks (a nested one is new, and
    shows inside the block around it)."""
    found = []
    for child in node.iter_child_nodes():
        found += [child] if isinstance(child, nodes.Block) else _outer_blocks(child)
    return found
