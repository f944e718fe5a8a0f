"""Files -> model: the typed project, loaded with source positions and validated."""

from .load import Document, Project, SequenceFile, StepBody, load_project

__all__ = ["Document", "Project", "SequenceFile", "StepBody", "load_project"]
