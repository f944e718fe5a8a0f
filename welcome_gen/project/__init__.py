"""Files -> model: the typed project, loaded with source positions and validated.

Its names are loaded on first use, so a light module of this package (`steps`) does not pull in the schema.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .load import Document, Project, SequenceFile, StepBody, load_project

__all__ = ["Document", "Project", "SequenceFile", "StepBody", "load_project"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module(".load", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
