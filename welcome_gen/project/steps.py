"""A sequence's steps as every stage reads them: one lookup, one choice of variant, the weekday names.

Plain functions over the loaded project that import no rendering and no schema library, so the pure planner that
uses them stays light to import (`bench/startup.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import Problem, ProjectError

if TYPE_CHECKING:
    from .load import Project, SequenceFile
    from .model import Step

DEFAULT = "default"  # the variant a member gets when the step has none for their persona
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # as welcome.yaml spells them; index 0 is Monday


def variant_for(step: Step, persona: str | None) -> str:
    """The variant a member with `persona` receives: theirs if the step has one, else the default."""
    return persona if persona and persona in step.variants else DEFAULT


def variants_of(project: Project, sequence_key: str, step_id: str) -> list[str]:
    """Every variant of one step: 'default' first, then the persona variants in the author's order."""
    _, step, _ = find_step(project, sequence_key, step_id)
    return [DEFAULT, *step.variants]


def find_step(project: Project, sequence_key: str, step_id: str) -> tuple[SequenceFile, Step, int]:
    """The sequence, the step and its index; a problem naming what exists when there is no such step."""
    seq = project.sequence(sequence_key)
    if seq is None:
        known = ", ".join(s.key for s in project.sequences) or "none"
        raise ProjectError([Problem("sequences/", None, f"no sequence '{sequence_key}' (known: {known})")])
    for i, step in enumerate(seq.meta.steps):
        if step.id == step_id:
            return seq, step, i
    known = ", ".join(str(s.id) for s in seq.meta.steps)
    raise ProjectError([Problem(seq.path, None, f"sequence '{sequence_key}' has no step '{step_id}' (steps: {known})")])
