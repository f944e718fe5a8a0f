"""Subject experiments that tell the truth: each subject's opens and clicks with the counts behind every rate and
a Wilson score interval, and a winner only once one subject's open-rate interval sits wholly above every other's
and each has had `experiment.min_sent` emails; until then, "not enough data yet". Pure: the report in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist

from ..email.experiment import letters, split_variant
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

    @property
    def verdict(self) -> str:
        if self.chosen:
            return f"over: everyone gets subject {self.chosen} (experiment.winner)"
        if self.winner:
            return (f"subject {self.winner} wins on opens at {self.confidence:.0%} confidence; set "
                    f"experiment.winner: {self.winner} to send it to everyone")
        short = [a.letter for a in self.arms if a.numbers.delivered < self.min_sent]
        if short:
            return (f"not enough data yet: {', '.join(short)} delivered fewer than {self.min_sent}; the "
                    "difference may be noise")
        return "not enough data yet: the intervals overlap, so the difference may be noise"


def experiments(project: Project, report: Report) -> list[ExperimentRow]:
    """One row per step that tests subjects, its subjects summed over every persona variant."""
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
            row = ExperimentRow(seq.key, step.id, cfg.confidence, cfg.min_sent, chosen=cfg.winner)
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
