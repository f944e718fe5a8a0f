"""Flags: the steps a reader should look at first, with the counts behind every rate.

- a step whose unsubscribe rate is more than `unsubscribe_ratio` times its sequence's own average;
- a step whose open rate falls below `open_drop` times the previous step's.

A step with fewer than `min_delivered` delivered emails (or whose previous step has fewer) is never flagged: a
rate over a handful of people is noise, not news. Pure: the report in, flags out.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..project.model import FlagSettings
from .charts import percent
from .gather import Numbers
from .sums import Report, SequenceRow


@dataclass(frozen=True)
class Flag:
    sequence: str
    step: str
    kind: str  # "unsubscribes" or "opens"
    message: str


def _of(part: int, n: Numbers) -> str:
    return f"{part} of {n.delivered}"


def unsubscribe_rate(n: Numbers) -> float:
    return n.unsubscribes / n.delivered if n.delivered else 0.0


def _sequence_flags(seq: SequenceRow, rules: FlagSettings) -> list[Flag]:
    out = []
    average = unsubscribe_rate(seq.numbers)
    previous = None
    for step in seq.steps:
        n = step.numbers
        enough = n.delivered >= rules.min_delivered
        rate = unsubscribe_rate(n)
        if enough and average > 0 and rate > rules.unsubscribe_ratio * average:
            out.append(Flag(seq.key, step.id, "unsubscribes",
                            f"{seq.key}/{step.id}: {_of(n.unsubscribes, n)} delivered unsubscribed ({percent(rate)}), "
                            f"more than {rules.unsubscribe_ratio:g}× the sequence's {percent(average)} "
                            f"({_of(seq.numbers.unsubscribes, seq.numbers)})"))
        if previous is not None and enough and previous.numbers.delivered >= rules.min_delivered and \
                n.open_rate < rules.open_drop * previous.numbers.open_rate:
            p = previous.numbers
            out.append(Flag(seq.key, step.id, "opens",
                            f"{seq.key}/{step.id}: opened by {_of(n.opens, n)} ({percent(n.open_rate)}), under "
                            f"{rules.open_drop:g}× the {percent(p.open_rate)} of {previous.id} "
                            f"({_of(p.opens, p)})"))
        if n.delivered:
            previous = step
    return out


def find_flags(report: Report, rules: FlagSettings) -> list[Flag]:
    """Every flag of every sequence, in the report's order."""
    return [f for seq in report.sequences for f in _sequence_flags(seq, rules)]
