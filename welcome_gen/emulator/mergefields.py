"""Merge fields: the audience's field definitions and the per-type checks of member values."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from .common import collection, get_list, list_item
from .fields import shape
from .problems import invalid, invalid_fields
from .routes import Request, route

TYPES = ("text", "number", "address", "phone", "date", "url", "imageurl", "radio", "dropdown", "birthday", "zip")
DEFAULTS = (("FNAME", "First Name", "text"), ("LNAME", "Last Name", "text"), ("ADDRESS", "Address", "address"),
            ("PHONE", "Phone Number", "phone"), ("BIRTHDAY", "Birthday", "birthday"))
ADDRESS_PARTS = ("addr1", "city", "state", "zip")


def add_field(store, list_id: str, body: dict) -> dict:
    fields = store.under("merge_fields", list_id)
    kind = body.get("type")
    if kind not in TYPES:
        raise invalid_fields([{"field": "type", "message": f"must be one of {', '.join(TYPES)}"}])
    if not body.get("name"):
        raise invalid_fields([{"field": "name", "message": "This value should not be blank."}])
    tag = (body.get("tag") or re.sub(r"[^A-Z0-9_]", "", body["name"].upper()) or "MERGE")[:10].upper()
    if any(f["tag"] == tag for f in fields.values()):
        raise invalid(f"A Merge Field with the tag \"{tag}\" already exists for this list.",
                      [{"field": "tag", "message": "already exists"}])
    merge_id = len(fields) + 1
    while str(merge_id) in fields:
        merge_id += 1
    options = dict(body.get("options") or {})
    if kind == "birthday":
        options.setdefault("date_format", "MM/DD")
    if kind == "date":
        options.setdefault("date_format", "MM/DD/YYYY")
    field = {"merge_id": merge_id, "tag": tag, "name": body["name"], "type": kind,
             "required": bool(body.get("required", False)), "default_value": body.get("default_value", ""),
             "public": bool(body.get("public", False)), "display_order": merge_id + 1, "options": options,
             "help_text": body.get("help_text", ""), "list_id": list_id}
    fields[str(merge_id)] = field
    store.touch()
    return field


def add_defaults(store, list_id: str) -> None:
    for tag, name, kind in DEFAULTS:
        add_field(store, list_id, {"tag": tag, "name": name, "type": kind})


def _birthday(value: str, fmt: str = "MM/DD") -> str | None:
    """A birthday in the field's format: MM/DD, or DD/MM when the field is set so (the API then takes DD/MM)."""
    m = re.fullmatch(r"(\d{2})/(\d{2})", value)
    if not m:
        return None
    month, day = int(m.group(1)), int(m.group(2))
    if str(fmt).upper().startswith("DD"):
        month, day = day, month
    try:
        date(2000, month, day)  # a leap year, so 02/29 is a birthday
    except ValueError:
        return None
    return value


def _date(value: str, fmt: str) -> str | None:
    """A date in the field's format or ISO, stored as YYYY-MM-DD."""
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    parts = None
    if iso:
        parts = (int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    else:
        m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
        if m:
            a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            parts = (year, b, a) if fmt.upper().startswith("DD") else (year, a, b)
    if parts is None:
        return None
    try:
        return date(*parts).isoformat()
    except ValueError:
        return None


def _check(field: dict, value: Any) -> tuple[Any, str | None]:
    """The stored value, or a message in Mailchimp's words."""
    kind = field["type"]
    if value in ("", None):
        return "", None
    if kind == "address":
        if isinstance(value, dict) and all(value.get(k) for k in ADDRESS_PARTS):
            return {"addr2": "", "country": "US", **value}, None
        return value, "Please enter a complete address"
    if isinstance(value, (dict, list)):
        return value, "Please enter a value"
    if kind == "number":
        try:
            number = float(value)
        except (TypeError, ValueError):
            return value, "Please enter a number"
        return (int(number) if number.is_integer() else number), None
    text = str(value)
    if kind == "birthday":
        # The same words on a DD/MM field, as reported from a real one (docs/emulator.md cites it).
        ok = _birthday(text, field["options"].get("date_format", "MM/DD"))
        return (ok, None) if ok else (text, "Please enter a month (01-12) and a day (01-31)")
    if kind == "date":
        ok = _date(text, field["options"].get("date_format", "MM/DD/YYYY"))
        return (ok, None) if ok else (text, "Please enter the date")
    if kind in ("radio", "dropdown"):
        choices = field["options"].get("choices") or []
        return (text, None) if text in choices else (text, f"Please choose one of: {', '.join(choices)}")
    return text, None


def check_merge_fields(store, list_id: str, values: dict, *, provided: dict, new: bool, skip_required: bool) -> dict:
    """Checked merge-field values by tag; unknown tags are ignored as Mailchimp ignores them."""
    out, errors = {}, []
    for field in store.under("merge_fields", list_id).values():
        tag = field["tag"]
        value, message = _check(field, values.get(tag, ""))
        if message and (tag in provided or new):
            errors.append({"field": tag, "message": message})
        if field["required"] and value == "" and not skip_required and (new or tag in provided):
            errors.append({"field": tag, "message": "Please enter a value"})
        if value != "":
            out[tag] = value
    if errors:
        raise invalid("Your merge fields were invalid.", errors)
    return out


def _field(req: Request) -> dict:
    return list_item(req.store, req.params["list_id"], "merge_fields", req.params["merge_id"], "merge field")


@route("GET", "/lists/{list_id}/merge-fields")
def list_fields(req: Request):
    get_list(req.store, req.params["list_id"])
    items = list(req.store.under("merge_fields", req.params["list_id"]).values())
    if req.arg("type"):
        items = [f for f in items if f["type"] == req.arg("type")]
    return collection("merge_fields", items, req.query, list_id=req.params["list_id"])


@route("POST", "/lists/{list_id}/merge-fields")
def post_field(req: Request):
    get_list(req.store, req.params["list_id"])
    return add_field(req.store, req.params["list_id"], req.body or {})


@route("GET", "/lists/{list_id}/merge-fields/{merge_id}")
def get_field(req: Request):
    return shape(_field(req), req.query)


@route("PATCH", "/lists/{list_id}/merge-fields/{merge_id}")
def patch_field(req: Request):
    field = _field(req)
    for key in ("name", "required", "default_value", "public", "display_order", "help_text"):
        if key in (req.body or {}):
            field[key] = req.body[key]
    if "options" in (req.body or {}):
        field["options"].update(req.body["options"] or {})
    req.store.touch()
    return field


@route("DELETE", "/lists/{list_id}/merge-fields/{merge_id}")
def delete_field(req: Request):
    field = _field(req)
    del req.store.under("merge_fields", req.params["list_id"])[str(field["merge_id"])]
    req.store.touch()
