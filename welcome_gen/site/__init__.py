"""Project -> public/: the fit-first website with its signup form, newsletter archive and feeds."""

from .build import BuildResult, build
from .check import check
from .output import OutputFolder

__all__ = ["BuildResult", "OutputFolder", "build", "check"]
