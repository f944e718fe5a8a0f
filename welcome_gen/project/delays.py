"""Step delays read as the author means them: every delay counts from the trigger, so they only grow.

A delay shorter than the one before is an error (the steps would arrive in another order than written); two
steps closer than the sequence's `min_gap` are a warning (two emails in one morning).
"""

from __future__ import annotations

from datetime import timedelta

from ..errors import Problem
from .load import Project, SequenceFile


def human(delta: timedelta) -> str:
    """A duration as the author writes one: `0`, `45m`, `6h`, `3d`, `2w`."""
    minutes = int(delta.total_seconds() // 60)
    for unit, size in (("w", 7 * 24 * 60), ("d", 24 * 60), ("h", 60)):
        if minutes and minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m" if minutes else "0"


def sequence_problems(seq: SequenceFile, min_gap: timedelta) -> list[Problem]:
    problems = []
    steps = seq.meta.steps
    for i in range(1, len(steps)):
        before, step = steps[i - 1], steps[i]
        line = seq.line("steps", i, "delay") or seq.line("steps", i)
        said = (f"step '{step.id}' has delay {human(step.delay)} and step '{before.id}' before it "
                f"{human(before.delay)}; delays count from the trigger")
        if step.delay < before.delay:
            problems.append(Problem(seq.path, line, f"{said}, so this one would arrive first: give it a delay of "
                                                    f"at least {human(before.delay)}, or move it up"))
        elif step.delay - before.delay < min_gap:
            problems.append(Problem(seq.path, line, f"{said}, so the two arrive {human(step.delay - before.delay)} "
                                                    f"apart, closer than min_gap ({human(min_gap)})", "warning"))
    return problems


def check(project: Project) -> list[Problem]:
    """Every sequence's steps in order of their delays, and not closer than its minimum gap."""
    default = project.config.sending.min_gap
    return [p for seq in project.sequences
            for p in sequence_problems(seq, seq.meta.min_gap if seq.meta.min_gap is not None else default)]
