"""Templates are read like every other file the author commits: from inside the project (or the package's own
theme) only, as UTF-8, and a file that fails either test is a problem at its path, not an internal error."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator
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
        self._listed: list[tuple[str, Path, Problem | None]] | None = None  # every file, listed once per loader

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
        for name, path, problem in self._listing():
            if keep(name):
                if problem is None:
                    found[name] = path
                else:
                    problems.append(problem)
        return found, problems

    def _listing(self) -> list[tuple[str, Path, Problem | None]]:
        """Every file of each folder, the theme's first, in the order `sorted(folder.rglob("*"))` gives (links to
        files among them, linked folders not entered), each with the problem of leading outside where it may be:
        listed once, for the templates and the assets alike. Only a link, or a folder that is itself somewhere
        else, is resolved to tell; a plain file in a folder inside is inside."""
        if self._listed is None:
            self._listed = []
            for folder in reversed(self.dirs):
                confinement = self.confinement(folder)
                settled = Path(os.path.realpath(folder)).is_relative_to(confinement.resolve())
                for parts, file, linked in sorted(_walk(os.fspath(folder), ())):
                    name = "/".join(parts)
                    if "__pycache__" in name:
                        continue
                    path, problem = Path(file), None
                    if linked or not settled:
                        try:
                            inside(path, confinement, shown(path, self.root))
                        except SourceError as exc:
                            problem = exc.problem
                    self._listed.append((name, path, problem))
        return self._listed


def _walk(top: str, parts: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str, bool]]:
    """(path parts below the first `top`, path, is a link) of each file under `top`; folders that are links are
    not entered, and one that cannot be read is passed over, as `Path.rglob` does."""
    try:
        with os.scandir(top) as listing:
            entries = list(listing)
    except OSError:
        return
    for entry in entries:
        here = (*parts, entry.name)
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(entry.path, here)
            elif entry.is_file():
                yield here, entry.path, entry.is_symlink()
        except OSError:
            continue


def _outer_blocks(node: nodes.Node) -> list[nodes.Block]:
    """The blocks a child template overrides: those not nested in another of its blocks (a nested one is new, and
    shows inside the block around it)."""
    found = []
    for child in node.iter_child_nodes():
        found += [child] if isinstance(child, nodes.Block) else _outer_blocks(child)
    return found
