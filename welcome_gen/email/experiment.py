"""Subject experiments: a step that lists two or more `subjects:` sends each member one of them, always the same,
chosen from a digest of the sequence, the step and their address, so the split is even and stable across ticks
and machines. The subject a member gets is part of the variant, `default+B`, so each subject goes in batches
(segments and campaigns) of its own and the report can count it apart.
"""

from __future__ import annotations

import hashlib

from ..project.model import Step

SEP = "+"


def letters(step: Step) -> list[str]:
    return [chr(ord("A") + i) for i in range(len(step.subjects))]


def arm_for(sequence: str, step: Step, email: str) -> str | None:
    """The subject letter this member gets (None when the step tests nothing); the winner once there is one."""
    if not step.subjects:
        return None
    if step.experiment.winner:
        return step.experiment.winner
    digest = hashlib.sha256(f"{sequence}:{step.id}:{email.strip().lower()}".encode()).digest()
    return letters(step)[int.from_bytes(digest[:8], "big") % len(step.subjects)]


def with_arm(variant: str, arm: str | None) -> str:
    return f"{variant}{SEP}{arm}" if arm else variant


def split_variant(variant: str) -> tuple[str, str | None]:
    """`default+B` -> (`default`, `B`); `makers` -> (`makers`, None)."""
    base, sep, arm = variant.partition(SEP)
    return (base, arm) if sep else (variant, None)
