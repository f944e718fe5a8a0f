"""Reading Mailchimp's answers the same way everywhere: every page of a collection, its timestamps, and the
campaign statuses that mean a send was accepted, or is done (`send` and `report` both read them)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from .client import Mailchimp

PAGE = 1000  # the most items Mailchimp returns in one page
#: A send was accepted: the campaign is a record, never sent again nor deleted (it may have reached someone).
SENT = ("sending", "sent", "canceling", "canceled", "archived")
#: Mailchimp is done sending it: its sent-to record is whole.
DONE = ("sent", "canceled", "archived")


def paged(mc: Mailchimp, name: str, key: str, *args: Any, **kwargs: Any) -> Iterator[dict]:
    """Every item of a paged collection (`key` names the list in each answer), a page of 1000 a call."""
    offset = 0
    while True:
        doc = mc.call(name, *args, count=PAGE, offset=offset, **kwargs) or {}
        items = doc.get(key) or []
        yield from items
        offset += len(items)
        if len(items) < PAGE or offset >= int(doc.get("total_items") or 0):
            return


def parse_time(text: Any) -> datetime | None:
    """Mailchimp's ISO 8601 time as an aware datetime (UTC when it names no zone); None when empty or unreadable."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
