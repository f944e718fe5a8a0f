"""Project -> public/: the fit-first website with its signup form, newsletter archive and feeds.

Its names are loaded on first use: a large build starts converting markdown (`ahead`) before the templates and the
rest of the site are imported. The site built alone is `site.build.build`; its checks are `site.check.check`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .build import BuildResult, SitePlan, prepare, render

__all__ = ["BuildResult", "SitePlan", "prepare", "render"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module(".build", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
