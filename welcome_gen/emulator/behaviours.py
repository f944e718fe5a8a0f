"""Mailchimp's unkind behaviours, each off until a test (or /_emulator/behaviours) turns it on.

Real Mailchimp sends asynchronously, lets a send be canceled part way, shows segment changes a little late, and
refuses sends at its gates (an unverified sending domain, a plan's send limit). The emulator is synchronous and
consistent by default, which is the kindest Mailchimp can be; these settings make it as unkind as the real one can
be, so delivery is tested against that too. docs/emulator.md says what is known of each and where from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass
class Behaviours:
    #: A send stops after this many emails and the campaign ends `canceled` (as cancel-send, or Mailchimp's review
    #: of imported contacts, stops one part way). None: every send completes.
    cancel_after: int | None = None
    #: After an accepted send, this many reads of the campaign (one, or in a list) still say `save`; its emails go
    #: out when those reads are used up (until then it can be canceled with actions/cancel-send).
    send_lag_reads: int = 0
    #: Members added to a static segment show (in its members, tags, counts and a campaign's recipients) only
    #: after this many more API requests.
    segment_lag: int = 0
    #: The from address's domain is not verified: the send checklist fails on it, and so does every send.
    unverified_domain: bool = False
    #: The most emails sent in any 24 hours (on the emulator's clock); a send that would go past it is refused.
    daily_send_cap: int | None = None

    @classmethod
    def from_json(cls, doc: dict) -> "Behaviours":
        known = {f.name for f in fields(cls)}
        unknown = set(doc) - known
        if unknown:
            raise ValueError(f"unknown behaviour(s): {', '.join(sorted(unknown))} (known: {', '.join(sorted(known))})")
        out = cls()
        for name in ("cancel_after", "daily_send_cap", "send_lag_reads", "segment_lag"):
            if doc.get(name) is not None:
                setattr(out, name, _count(name, doc[name]))
        out.unverified_domain = bool(doc.get("unverified_domain", False))
        return out

    def describe(self) -> dict:
        return asdict(self)


def _count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a whole number of 0 or more, not {value!r}")
    return value
