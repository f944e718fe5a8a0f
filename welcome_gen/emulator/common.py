"""Lookups every resource module needs: lists, members by hash, tags as static segments, query flags."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from .fields import page, shape
from .problems import invalid, not_found

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def subscriber_hash(email: str) -> str:
    return hashlib.md5(email.strip().lower().encode("utf-8")).hexdigest()


def check_email(email: Any) -> str:
    if not isinstance(email, str) or not EMAIL.match(email.strip()):
        raise invalid("Please provide a valid email address.",
                      [{"field": "email_address", "message": "Please provide a valid email address."}])
    return email.strip()


def flag(value: Any) -> bool:
    """A query boolean, whether or not the spec already coerced it."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def get_list(store, list_id: str) -> dict:
    found = store.data["lists"].get(list_id)
    if found is None:
        raise not_found("list")
    return found


def find_member(store, list_id: str, key: str) -> dict | None:
    """A member by subscriber hash (or, as the path also allows, by email address)."""
    members = store.under("members", list_id)
    if "@" in key:
        key = subscriber_hash(key)
    return members.get(key.lower())


def need_member(store, list_id: str, key: str) -> dict:
    get_list(store, list_id)
    member = find_member(store, list_id, key)
    if member is None:
        raise not_found("list member")
    return member


def list_item(store, list_id: str, kind: str, item_id: object, what: str) -> dict:
    """One item of a list's collection `kind` (segments, merge_fields, ...), or 404 naming `what`."""
    get_list(store, list_id)
    found = store.under(kind, list_id).get(str(item_id))
    if found is None:
        raise not_found(what)
    return found


def static_segments(store, list_id: str) -> dict:
    return store.under("segments", list_id)


def tag_segment(store, list_id: str, name: str, *, create: bool) -> dict | None:
    """The static segment that is the tag `name` (tag names match case-insensitively)."""
    for seg in static_segments(store, list_id).values():
        if seg["type"] == "static" and seg["name"].casefold() == name.casefold():
            return seg
    if not create:
        return None
    return new_segment(store, list_id, name, "static")


def new_segment(store, list_id: str, name: str, kind: str, options: dict | None = None) -> dict:
    seg_id = str(store.web_id())
    now = store.now()
    seg = {"id": int(seg_id), "name": name, "member_count": 0, "type": kind, "created_at": now, "updated_at": now,
           "options": options or {}, "list_id": list_id, "members": {}}
    static_segments(store, list_id)[seg_id] = seg
    store.touch()
    return seg


def collection(key: str, items: list, query: dict, **extra) -> dict:
    """A paged, field-filtered collection document: {key: [...], total_items, ...}."""
    doc = {key: page(items, query), **extra, "total_items": len(items)}
    return shape(doc, query)
