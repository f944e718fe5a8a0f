"""Project -> public/: the fit-first website with its signup form, newsletter archive and feeds."""

from .build import BuildResult, build
from .check import check

__all__ = ["BuildResult", "build", "check"]
