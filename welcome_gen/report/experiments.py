"""Subject experiments that tell the truth: each subject's opens and clicks with the counts behind every rate and
a Wilson score interval, and a winner only once one subject's open-rate interval sits wholly above every other's
and each has had `experiment.min_sent` emails; until then, "not enough data yet". Pure: the report in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist

from ..mailchimp.client import Mailchimp
from ..mailchimp.reads import paged
from ..project.experiment import letters, promoted, promoted_name, split_variant
from ..project.load import Project
from .gather import Numbers
from .sums import Report


def wilson(part: int, whole: int, confidence: float) -> tuple[float, float]:
    """The Wilson score interval for `part` successes out of `whole` (0 to 1 when there is nothing yet)."""
    if whole <= 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    p = part / whole
    centre = (p + z * z / (2 * whole)) / (1 + z * z / whole)
    half = z * math.sqrt(p * (1 - p) / whole + z * z / (4 * whole * whole)) / (1 + z * z / whole)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class Arm:
    letter: str
    subject: str
    numbers: Numbers
    opens_interval: tuple[float, float] = (0.0, 1.0)
    clicks_interval: tuple[float, float] = (0.0, 1.0)


@dataclass
class ExperimentRow:
    sequence: str
    step: str
    confidence: float
    min_sent: int
    arms: list[Arm] = field(default_factory=list)
    winner: str | None = None  # the letter whose opens beat every other's beyond noise
    chosen: str | None = None  # the winner set in the file (everyone gets it now)
    promoted: str | None = None  # the winner the report promoted (experiment.promote)

    @property
    def verdict(self) -> str:
        if self.chosen:
            return f"over: everyone gets subject {self.chosen} (experiment.winner)"
        if self.promoted:
            return f"over: subject {self.promoted} won and was promoted; everyone gets it now (experiment.promote)"
        if self.winner:
            return (f"subject {self.winner} wins on opens at {self.confidence:.0%} confidence; set "
                    f"experiment.winner: {self.winner} to send it to everyone")
        short = [a.letter for a in self.arms if a.numbers.delivered < self.min_sent]
        if short:
            return (f"not enough data yet: {', '.join(short)} delivered fewer than {self.min_sent}; the "
                    "difference may be noise")
        return "not enough data yet: the intervals overlap, so the difference may be noise"


def experiments(project: Project, report: Report,
                promoted: dict[tuple[str, str], str] | None = None) -> list[ExperimentRow]:
    """One row per step that tests subjects, its subjects summed over every persona variant (`promoted`: the
    winners already promoted, by sequence and step)."""
    promoted = promoted or {}
    out = []
    rows = {(s.key, st.id): st for s in report.sequences for st in s.steps}
    for seq in project.sequences:
        for step in seq.meta.steps:
            if not step.subjects:
                continue
            cfg = step.experiment
            found = rows.get((seq.key, step.id))
            by_arm = {letter: Numbers() for letter in letters(step)}
            for v in (found.variants if found else []):
                _, arm = split_variant(v.variant)
                if arm in by_arm:
                    by_arm[arm] = by_arm[arm] + v.numbers
            row = ExperimentRow(seq.key, step.id, cfg.confidence, cfg.min_sent, chosen=cfg.winner,
                                promoted=promoted.get((seq.key, step.id)))
            for letter, subject in zip(letters(step), step.subjects):
                n = by_arm[letter]
                row.arms.append(Arm(letter, subject, n, wilson(n.opens, n.delivered, cfg.confidence),
                                    wilson(n.clicks, n.delivered, cfg.confidence)))
            enough = all(a.numbers.delivered >= cfg.min_sent for a in row.arms)
            best = max(row.arms, key=lambda a: a.numbers.open_rate)
            if enough and all(best.opens_interval[0] > a.opens_interval[1] for a in row.arms if a is not best):
                row.winner = best.letter
            out.append(row)
    return out


def read_promoted(project: Project, mc: Mailchimp) -> dict[tuple[str, str], str]:
    """The winners already promoted (one read of the segment names), when any step may promote one."""
    if not any(st.experiment.promote for seq in project.sequences for st in seq.meta.steps if st.subjects):
        return {}
    return promoted(d["name"] for d in paged(mc, "lists.list_segments", "segments", mc.list_id, type="static",
                                             fields=["segments.name", "total_items"]))


def promote_winners(project: Project, mc: Mailchimp, rows: list[ExperimentRow]) -> list[ExperimentRow]:
    """For each step with `experiment.promote` whose winner is now clear, the empty segment that tells `send` to
    give everyone that subject from then on. The rows promoted now."""
    steps = {(seq.key, st.id): st for seq in project.sequences for st in seq.meta.steps}
    done = []
    for row in rows:
        if row.winner and not row.chosen and not row.promoted and steps[(row.sequence, row.step)].experiment.promote:
            mc.call("lists.create_segment", mc.list_id,
                    {"name": promoted_name(row.sequence, row.step, row.winner), "static_segment": []})
            row.promoted = row.winner
            done.append(row)
    return done
