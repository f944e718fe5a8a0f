"""Subject experiments: a step that lists two or more `subjects:` sends each member one of them, always the same,
chosen from a digest of the sequence, the step and their address, so the split is even and stable across ticks
and machines. The subject a member gets is part of the variant, `default+B`, so each subject goes in batches
(segments and campaigns) of its own and the report can count it apart.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # the planner asks which subject a member gets: it stays light to import
    from .model import Step

SEP = "+"
PREFIX = "wg:"
PROMOTED = "promoted"


def letters(step: Step) -> list[str]:
    return [chr(ord("A") + i) for i in range(len(step.subjects))]


def promoted_name(sequence: str, step: str, letter: str) -> str:
    """The (empty) static segment that says a subject won and was promoted: Mailchimp keeps the decision, as it
    keeps every other record of what was sent."""
    return f"{PREFIX}{sequence}:{step}:{PROMOTED}:{letter}"


def promoted(names: Iterable[str]) -> dict[tuple[str, str], str]:
    """(sequence, step) -> the promoted subject letter, from the audience's segment names."""
    out = {}
    for name in names:
        parts = name[len(PREFIX):].split(":") if name.startswith(PREFIX) else []
        if len(parts) == 4 and parts[2] == PROMOTED and len(parts[3]) == 1:
            out[(parts[0], parts[1])] = parts[3]
    return out


def arm_for(sequence: str, step: Step, email: str, winner: str | None = None) -> str | None:
    """The subject letter this member gets (None when the step tests nothing); the winner once there is one
    (named in the file, else `winner`, promoted by the report)."""
    if not step.subjects:
        return None
    if step.experiment.winner or winner in letters(step):
        return step.experiment.winner or winner
    digest = hashlib.sha256(f"{sequence}:{step.id}:{email.strip().lower()}".encode()).digest()
    return letters(step)[int.from_bytes(digest[:8], "big") % len(step.subjects)]


def with_arm(variant: str, arm: str | None) -> str:
    return f"{variant}{SEP}{arm}" if arm else variant


def split_variant(variant: str) -> tuple[str, str | None]:
    """`default+B` -> (`default`, `B`); `makers` -> (`makers`, None)."""
    base, sep, arm = variant.partition(SEP)
    return (base, arm) if sep else (variant, None)
