"""Members: upsert, add, update, archive, delete-permanent, get, list, merge-field and interest checks."""

from __future__ import annotations

import secrets

from .common import (check_email, collection, flag, find_member, get_list, need_member, static_segments,
                     subscriber_hash, tag_segment)
from .fields import shape
from .mergefields import check_merge_fields
from .problems import ApiProblem, invalid, invalid_fields, not_found
from .routes import Request, route
from .state import parse_time

MEMBER_KEYS = ("email_type", "language", "vip", "ip_signup", "ip_opt", "marketing_permissions")
TAG_LIMIT = 50


def view(store, list_id: str, m: dict) -> dict:
    """A member as Mailchimp answers it: every merge field and interest, up to 50 tags and `tags_count`."""
    fields = {f["tag"]: m["merge_fields"].get(f["tag"], "") for f in store.under("merge_fields", list_id).values()}
    interests = {i: bool(m["interests"].get(i, False)) for i in store.under("interests", list_id)}
    tags = member_tags(store, list_id, m["id"])
    names = [fields.get("FNAME", ""), fields.get("LNAME", "")]
    doc = {k: v for k, v in m.items() if not k.startswith("_")}
    doc.update(merge_fields=fields, interests=interests, full_name=" ".join(n for n in names if n),
               tags_count=len(tags), tags=[{"id": t["id"], "name": t["name"]} for t in tags[:TAG_LIMIT]],
               stats={"avg_open_rate": 0, "avg_click_rate": 0}, list_id=list_id)
    return doc


def member_tags(store, list_id: str, member_id: str) -> list[dict]:
    found = [s for s in static_segments(store, list_id).values() if s["type"] == "static" and member_id in s["members"]]
    return sorted(found, key=lambda s: (s["members"][member_id], s["id"]))


def _status_change(m: dict, status: str) -> None:
    """Refuse what Mailchimp refuses: subscribing someone who unsubscribed, bounced or was cleaned."""
    old = m["status"]
    if old in ("unsubscribed", "cleaned") and status == "subscribed" or old == "cleaned" and status == "pending":
        raise ApiProblem(400, "Member In Compliance State",
                         f"{m['email_address']} is in a compliance state due to unsubscribe, bounce, or compliance "
                         "review and cannot be subscribed.")


def _apply(store, list_id: str, m: dict, body: dict, *, new: bool, skip_merge: bool) -> None:
    """Write the body's member fields onto `m` after checking merge fields, interests and timestamps."""
    now = store.now()
    if "merge_fields" in body:
        merged = dict(m["merge_fields"])
        merged.update(body["merge_fields"] or {})
        m["merge_fields"] = check_merge_fields(store, list_id, merged, provided=body["merge_fields"] or {},
                                               new=new, skip_required=skip_merge)
    elif new and not skip_merge:
        m["merge_fields"] = check_merge_fields(store, list_id, {}, provided={}, new=True, skip_required=False)
    if "interests" in body:
        known = store.under("interests", list_id)
        bad = [i for i in (body["interests"] or {}) if i not in known]
        if bad:
            raise invalid(f"Invalid interest ID: '{bad[0]}'.", [{"field": "interests", "message": f"unknown id {bad[0]}"}])
        m["interests"].update({k: bool(v) for k, v in body["interests"].items()})
    for key in MEMBER_KEYS:
        if key in body:
            m[key] = body[key]
    for key in ("timestamp_signup", "timestamp_opt"):
        if body.get(key):
            moment = parse_time(body[key])
            if moment is None:
                raise invalid_fields([{"field": key, "message": "Please enter a date and time in ISO 8601 format."}])
            m[key] = moment.replace(microsecond=0).isoformat()
    if "location" in body and isinstance(body["location"], dict):
        m["location"].update({k: body["location"][k] for k in ("latitude", "longitude") if k in body["location"]})
    status = body.get("status")
    if status and status != m["status"]:
        if not new:
            _status_change(m, status)
        m["status"] = status
        if status == "subscribed" and not body.get("timestamp_opt"):
            m["timestamp_opt"] = now
        if status == "unsubscribed":
            m["unsubscribe_reason"] = body.get("unsubscribe_reason", "N/A (API)")
    m["last_changed"] = now
    store.touch()


def _blank(store, list_id: str, email: str) -> dict:
    return {"id": subscriber_hash(email), "email_address": email, "unique_email_id": secrets.token_hex(5),
            "contact_id": secrets.token_hex(16), "web_id": store.web_id(), "email_type": "html", "status": "",
            "consents_to_one_to_one_messaging": True, "merge_fields": {}, "interests": {}, "ip_signup": "",
            "timestamp_signup": "", "ip_opt": "", "timestamp_opt": "", "member_rating": 2, "last_changed": "",
            "language": "", "vip": False, "email_client": "",
            "location": {"latitude": 0, "longitude": 0, "gmtoff": 0, "dstoff": 0, "country_code": "", "timezone": "",
                         "region": ""},
            "marketing_permissions": [], "source": "API - Generic"}


def _forgotten(store, list_id: str, email: str) -> None:
    if subscriber_hash(email) in store.data["forgotten"].get(list_id, []):
        raise ApiProblem(400, "Forgotten Email Not Subscribed",
                         f"{email} was permanently deleted and cannot be re-imported. The contact must re-subscribe "
                         "to get back on the list.")


def add_member(store, list_id: str, body: dict, *, skip_merge: bool = False) -> dict:
    """POST semantics: a new member, or 400 Member Exists."""
    email = check_email(body.get("email_address"))
    existing = find_member(store, list_id, subscriber_hash(email))
    if existing is not None and existing["status"] != "archived":
        raise ApiProblem(400, "Member Exists",
                         f"{email} is already a list member. Use PUT to insert or update list members.")
    _forgotten(store, list_id, email)
    m = _blank(store, list_id, email)
    _apply(store, list_id, m, body, new=True, skip_merge=skip_merge)
    store.under("members", list_id)[m["id"]] = m
    for name in body.get("tags") or []:
        tag_segment(store, list_id, name, create=True)["members"][m["id"]] = store.now()
    return m


def upsert_member(store, list_id: str, key: str, body: dict, *, skip_merge: bool = False) -> tuple[dict, bool]:
    """PUT semantics: create with `status_if_new` (or `status`), else update; True when created."""
    existing = find_member(store, list_id, key)
    if existing is not None and existing["status"] != "archived":
        _apply(store, list_id, existing, body, new=False, skip_merge=skip_merge)
        return existing, False
    email = check_email(body.get("email_address") or (existing or {}).get("email_address"))
    if subscriber_hash(email) != (key.lower() if "@" not in key else subscriber_hash(key)):
        raise invalid("The email address in the body does not match the subscriber hash in the path.",
                      [{"field": "email_address", "message": "does not match the subscriber hash"}])
    status = body.get("status") or body.get("status_if_new")
    if not status:
        raise invalid_fields([{"field": "status_if_new", "message": "required when the member is new"}])
    _forgotten(store, list_id, email)
    m = _blank(store, list_id, email)
    _apply(store, list_id, m, {**body, "status": status}, new=True, skip_merge=skip_merge)
    store.under("members", list_id)[m["id"]] = m
    return m, True


@route("GET", "/lists/{list_id}/members")
def list_members(req: Request):
    store, list_id = req.store, req.params["list_id"]
    get_list(store, list_id)
    status = req.arg("status")
    since = req.arg("since_last_changed")
    moment = parse_time(since) if since else None
    items = []
    for m in store.under("members", list_id).values():
        if (status and m["status"] != status) or (not status and m["status"] == "archived"):
            continue
        if moment and (not m["last_changed"] or parse_time(m["last_changed"]) < moment):
            continue
        items.append(m)
    paged = collection("members", items, {**req.query, "fields": None, "exclude_fields": None})
    paged["members"] = [view(store, list_id, m) for m in paged["members"]]
    paged["list_id"] = list_id
    return shape(paged, req.query)


@route("POST", "/lists/{list_id}/members")
def post_member(req: Request):
    get_list(req.store, req.params["list_id"])
    m = add_member(req.store, req.params["list_id"], req.body or {}, skip_merge=flag(req.arg("skip_merge_validation")))
    return view(req.store, req.params["list_id"], m)


@route("GET", "/lists/{list_id}/members/{subscriber_hash}")
def get_member(req: Request):
    m = need_member(req.store, req.params["list_id"], req.params["subscriber_hash"])
    return shape(view(req.store, req.params["list_id"], m), req.query)


@route("PUT", "/lists/{list_id}/members/{subscriber_hash}")
def put_member(req: Request):
    list_id = req.params["list_id"]
    get_list(req.store, list_id)
    m, _ = upsert_member(req.store, list_id, req.params["subscriber_hash"], req.body or {},
                         skip_merge=flag(req.arg("skip_merge_validation")))
    return view(req.store, list_id, m)


@route("PATCH", "/lists/{list_id}/members/{subscriber_hash}")
def patch_member(req: Request):
    list_id = req.params["list_id"]
    m = need_member(req.store, list_id, req.params["subscriber_hash"])
    _apply(req.store, list_id, m, req.body or {}, new=False, skip_merge=flag(req.arg("skip_merge_validation")))
    return view(req.store, list_id, m)


@route("DELETE", "/lists/{list_id}/members/{subscriber_hash}")
def archive_member(req: Request):
    m = need_member(req.store, req.params["list_id"], req.params["subscriber_hash"])
    if m["status"] == "archived":
        raise not_found("list member")
    m["status"], m["last_changed"] = "archived", req.store.now()
    req.store.touch()


@route("POST", "/lists/{list_id}/members/{subscriber_hash}/actions/delete-permanent")
def forget_member(req: Request):
    list_id = req.params["list_id"]
    m = need_member(req.store, list_id, req.params["subscriber_hash"])
    del req.store.under("members", list_id)[m["id"]]
    for seg in static_segments(req.store, list_id).values():
        seg["members"].pop(m["id"], None)
    req.store.data["forgotten"].setdefault(list_id, []).append(m["id"])
    req.store.touch()


@route("POST", "/lists/{list_id}")
def batch_subscribe(req: Request):
    """Up to 500 members at once; existing ones are updated only with `update_existing`."""
    store, list_id, body = req.store, req.params["list_id"], req.body or {}
    get_list(store, list_id)
    rows = body.get("members") or []
    if len(rows) > 500:
        raise invalid("You may add at most 500 members per request.", [{"field": "members", "message": "at most 500"}])
    created, updated, errors = [], [], []
    skip = flag(req.arg("skip_merge_validation"))
    for row in rows:
        email = row.get("email_address", "")
        try:
            existing = find_member(store, list_id, subscriber_hash(check_email(email)))
            if existing is not None and existing["status"] != "archived":
                if not body.get("update_existing"):
                    errors.append({"email_address": email, "error": f"{email} is already a list member, do you want "
                                   "to update? please provide update_existing:true in the request body",
                                   "error_code": "ERROR_CONTACT_EXISTS", "field": "", "field_message": ""})
                    continue
                _apply(store, list_id, existing, row, new=False, skip_merge=skip)
                updated.append(existing)
            else:
                created.append(add_member(store, list_id, {k: v for k, v in row.items() if k != "tags"}, skip_merge=skip))
        except ApiProblem as exc:
            first = (exc.errors or [{}])[0]
            errors.append({"email_address": email, "error": exc.detail, "error_code": "ERROR_GENERIC",
                           "field": first.get("field", ""), "field_message": first.get("message", "")})
    return {"new_members": [view(store, list_id, m) for m in created],
            "updated_members": [view(store, list_id, m) for m in updated], "errors": errors,
            "total_created": len(created), "total_updated": len(updated), "error_count": len(errors)}
