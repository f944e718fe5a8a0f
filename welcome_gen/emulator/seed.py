"""Seeding before the emulator serves: an audience with a chosen id, its merge fields, members who already joined.

Plain data in (the same bodies the API takes), so the caller decides what a project's audience looks like.
"""

from __future__ import annotations

from typing import Iterable

from .common import check_email, find_member
from .lists import create_list
from .members import add_member
from .mergefields import add_field


def ensure_audience(store, list_id: str, body: dict, merge_fields: Iterable[dict] = ()) -> bool:
    """Create audience `list_id` from a create-list `body` unless it exists, then add the merge fields it lacks
    (each an add-merge-field body with its `tag`). True when the audience was created."""
    with store:
        created = list_id not in store.data["lists"]
        if created:
            create_list(store, body, list_id=list_id)
        have = {f["tag"] for f in store.under("merge_fields", list_id).values()}
        for field in merge_fields:
            if field["tag"] not in have:
                add_field(store, list_id, field)
                have.add(field["tag"])
        return created


def add_members(store, list_id: str, members: Iterable[dict]) -> list[str]:
    """Add each member (an add-member body: `email_address`, `status`, `merge_fields`, `timestamp_opt`, ...)
    that the audience does not have yet; the addresses added. Members already there are left as they are, so a
    restart on a kept state changes nothing. An invalid member raises the API's problem, adding none."""
    with store:
        before = store.snapshot()
        added = []
        try:
            for body in members:
                if find_member(store, list_id, check_email(body.get("email_address"))) is None:
                    add_member(store, list_id, body)
                    added.append(body["email_address"])
        except Exception:
            store.data = before  # all or nothing: no half-seeded audience in a kept state
            raise
        return added
