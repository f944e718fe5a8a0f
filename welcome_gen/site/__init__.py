"""Project -> public/: the fit-first website with its signup form, newsletter archive and feeds."""

from .build import BuildResult, SitePlan, build, prepare, render
from .check import check

__all__ = ["BuildResult", "SitePlan", "build", "check", "prepare", "render"]
