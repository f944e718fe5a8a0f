"""Where a link written in content lands on the site, told without the site's templates and markdown: the emails
make their links absolute with it and check them against it, in a process that renders no page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..project import Project
from ..theme import SITE as THEME_DIR
from ..theme.loader import TemplateLoader
from .gather import resolver, today_at
from .links import Resolver
from .urls import issue_path, lookup_key

ASSETS = "assets"  # the theme's folder of files the site copies (CSS, fonts, images)


def theme_dirs(root: Path) -> list[Path]:
    """Where the site's templates and assets are found, first first: the project's own, then the package's."""
    return [d for d in (root / "templates" / "site", THEME_DIR) if d.is_dir()]


def site_assets(root: Path) -> dict[str, Path]:
    """Site path -> file of every asset, as the site's theme copies them."""
    found, _ = TemplateLoader(theme_dirs(root), root).files(lambda name: name.startswith(ASSETS + "/"))
    return found


def link_resolver(project: Project, today: date | None = None) -> Resolver:
    """How the site resolves a link written in content, knowing every page and file a build on `today` writes.
    The emails make their links absolute with it, so an email links only where the site has something."""
    return resolver(project, site_assets(project.root), today=today or today_at(project))


def known_site_paths(project: Project, today: date | None = None) -> set[str]:
    """Every place under site.url that the site builds (as `lookup_key`s): what the site's resolver knows, and the
    pages of issues dated later, which an email may be written to link to before they are out."""
    paths = set(link_resolver(project, today).places)
    paths |= {lookup_key(issue_path(i.slug)) for i in project.issues if not i.meta.draft}
    return paths
