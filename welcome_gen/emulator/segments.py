"""Static segments and tags (a tag is a static segment), member tags and member events."""

from __future__ import annotations

from .common import (check_email, collection, find_member, get_list, list_item, need_member, new_segment,
                     static_segments, subscriber_hash, tag_segment)
from .fields import shape
from .members import member_tags, view
from .problems import ApiProblem, invalid, invalid_fields, not_found
from .routes import Request, route
from .state import parse_time

BATCH_LIMIT = 500


def segment_view(store, seg: dict) -> dict:
    members = store.under("members", seg["list_id"])
    subscribed = sum(1 for h in seg["members"] if members.get(h, {}).get("status") == "subscribed")
    return {k: v for k, v in seg.items() if k != "members" and not k.startswith("_")} | {"member_count": subscribed}


def settle(store) -> None:
    """Checked on every request: lagging segment adds whose time has come show from now on."""
    for segments in store.data["segments"].values():
        for seg in segments.values():
            pending = seg.get("_pending")
            if pending:
                due = [h for h, (when, _) in pending.items() if when <= store.requests]
                for h in due:
                    seg["members"].setdefault(h, pending.pop(h)[1])
                if due:
                    store.touch()


def _segment(req: Request) -> dict:
    return list_item(req.store, req.params["list_id"], "segments", req.params["segment_id"], "segment")


def _resolve(store, list_id: str, emails: list[str]) -> tuple[list[str], list[str]]:
    """Subscriber hashes of the emails on the list, and the emails that are not."""
    found, missing = [], []
    for email in emails:
        m = find_member(store, list_id, subscriber_hash(email)) if isinstance(email, str) else None
        (found if m is not None and m["status"] != "archived" else missing).append(m["id"] if m else email)
    return found, missing


@route("GET", "/lists/{list_id}/segments")
def list_segments(req: Request):
    get_list(req.store, req.params["list_id"])
    items = list(static_segments(req.store, req.params["list_id"]).values())
    if req.arg("type"):
        items = [s for s in items if s["type"] == req.arg("type")]
    since = parse_time(req.arg("since_created_at")) if req.arg("since_created_at") else None
    if since:
        items = [s for s in items if parse_time(s["created_at"]) >= since]
    items = [segment_view(req.store, s) for s in items]
    return collection("segments", items, req.query, list_id=req.params["list_id"])


@route("POST", "/lists/{list_id}/segments")
def post_segment(req: Request):
    store, list_id, body = req.store, req.params["list_id"], req.body or {}
    get_list(store, list_id)
    name = body.get("name")
    if not name:
        raise invalid_fields([{"field": "name", "message": "This value should not be blank."}])
    if "static_segment" in body:
        if tag_segment(store, list_id, name, create=False):
            raise invalid("Sorry, that tag already exists.", [{"field": "name", "message": "already exists"}])
        seg = new_segment(store, list_id, name, "static")
        found, _ = _resolve(store, list_id, body["static_segment"] or [])
        seg["members"].update({h: store.now() for h in found})
    elif "options" in body:
        seg = new_segment(store, list_id, name, "saved", body["options"])
    else:
        raise invalid("A segment needs static_segment or options.", [{"field": "static_segment", "message": "missing"}])
    return segment_view(store, seg)


@route("GET", "/lists/{list_id}/segments/{segment_id}")
def get_segment(req: Request):
    return shape(segment_view(req.store, _segment(req)), req.query)


@route("PATCH", "/lists/{list_id}/segments/{segment_id}")
def patch_segment(req: Request):
    seg, body = _segment(req), req.body or {}
    if body.get("name"):
        seg["name"] = body["name"]
    if "static_segment" in body and seg["type"] == "static":
        found, _ = _resolve(req.store, seg["list_id"], body["static_segment"] or [])
        seg["members"] = {h: seg["members"].get(h, req.store.now()) for h in found}
    seg["updated_at"] = req.store.now()
    req.store.touch()
    return segment_view(req.store, seg)


@route("DELETE", "/lists/{list_id}/segments/{segment_id}")
def delete_segment(req: Request):
    seg = _segment(req)
    del static_segments(req.store, seg["list_id"])[str(seg["id"])]
    req.store.touch()


@route("POST", "/lists/{list_id}/segments/{segment_id}")
def batch_segment(req: Request):
    """Add and remove up to 500 emails each; unknown emails come back in `errors`."""
    seg, body, store = _segment(req), req.body or {}, req.store
    adds, removes = body.get("members_to_add") or [], body.get("members_to_remove") or []
    if len(adds) > BATCH_LIMIT or len(removes) > BATCH_LIMIT:
        raise invalid(f"You may add or remove at most {BATCH_LIMIT} members per request.",
                      [{"field": "members_to_add" if len(adds) > BATCH_LIMIT else "members_to_remove",
                        "message": f"at most {BATCH_LIMIT}"}])
    if seg["type"] != "static":
        raise ApiProblem(400, "Bad Request", "Only static segments can have members added or removed.")
    members = store.under("members", seg["list_id"])
    pending = seg.setdefault("_pending", {})
    add_ok, add_missing = _resolve(store, seg["list_id"], adds)
    new = [h for h in add_ok if h not in seg["members"] and h not in pending]
    lag = store.behaviours.segment_lag
    for h in new:  # with a lag, accepted now but shown only after that many more requests
        if lag:
            pending[h] = (store.requests + lag, store.now())
        else:
            seg["members"][h] = store.now()
    rem_ok, rem_missing = _resolve(store, seg["list_id"], removes)
    gone = [h for h in rem_ok if (seg["members"].pop(h, None), pending.pop(h, None)) != (None, None)]
    errors = [{"email_addresses": bad, "error": "Email addresses do not belong to list"}
              for bad in (add_missing, rem_missing) if bad]
    seg["updated_at"] = store.now()
    store.touch()
    return {"members_added": [view(store, seg["list_id"], members[h]) for h in new],
            "members_removed": [view(store, seg["list_id"], members[h]) for h in gone], "errors": errors,
            "total_added": len(new), "total_removed": len(gone), "error_count": len(add_missing) + len(rem_missing)}


@route("GET", "/lists/{list_id}/segments/{segment_id}/members")
def segment_members(req: Request):
    """Unsubscribed, cleaned and transactional members only when asked for (the spec's include_… flags)."""
    seg = _segment(req)
    members = req.store.under("members", seg["list_id"])
    hidden = {status for status in ("unsubscribed", "cleaned", "transactional") if not req.arg(f"include_{status}")}
    items = [view(req.store, seg["list_id"], members[h]) for h in seg["members"]
             if h in members and members[h]["status"] not in hidden]
    return collection("members", items, req.query)


@route("POST", "/lists/{list_id}/segments/{segment_id}/members")
def add_segment_member(req: Request):
    seg = _segment(req)
    email = check_email((req.body or {}).get("email_address"))
    m = need_member(req.store, seg["list_id"], subscriber_hash(email))
    seg["members"].setdefault(m["id"], req.store.now())
    req.store.touch()
    return view(req.store, seg["list_id"], m)


@route("DELETE", "/lists/{list_id}/segments/{segment_id}/members/{subscriber_hash}")
def remove_segment_member(req: Request):
    seg = _segment(req)
    m = need_member(req.store, seg["list_id"], req.params["subscriber_hash"])
    if seg["members"].pop(m["id"], None) is None:
        raise not_found("segment member")
    req.store.touch()


@route("GET", "/lists/{list_id}/members/{subscriber_hash}/tags")
def get_member_tags(req: Request):
    m = need_member(req.store, req.params["list_id"], req.params["subscriber_hash"])
    tags = [{"id": s["id"], "name": s["name"], "date_added": s["members"][m["id"]]}
            for s in member_tags(req.store, req.params["list_id"], m["id"])]
    return collection("tags", tags, req.query)


@route("POST", "/lists/{list_id}/members/{subscriber_hash}/tags")
def post_member_tags(req: Request):
    """Tags `{name, status: active|inactive}`; entries of another shape are ignored, as Mailchimp does."""
    list_id = req.params["list_id"]
    m = need_member(req.store, list_id, req.params["subscriber_hash"])
    for tag in (req.body or {}).get("tags") or []:
        if not isinstance(tag, dict) or not tag.get("name"):
            continue
        if tag.get("status", "active") == "active":
            tag_segment(req.store, list_id, tag["name"], create=True)["members"].setdefault(m["id"], req.store.now())
        else:
            seg = tag_segment(req.store, list_id, tag["name"], create=False)
            if seg:
                seg["members"].pop(m["id"], None)
    req.store.touch()


@route("GET", "/lists/{list_id}/members/{subscriber_hash}/events")
def get_events(req: Request):
    m = need_member(req.store, req.params["list_id"], req.params["subscriber_hash"])
    events = req.store.under("events", req.params["list_id"]).get(m["id"], [])
    return collection("events", list(reversed(events)), req.query)


@route("POST", "/lists/{list_id}/members/{subscriber_hash}/events")
def post_event(req: Request):
    m = need_member(req.store, req.params["list_id"], req.params["subscriber_hash"])
    body = req.body or {}
    name = body.get("name")
    if not isinstance(name, str) or not 2 <= len(name) <= 30:
        raise invalid_fields([{"field": "name", "message": "Event names must be 2 to 30 characters long."}])
    props = body.get("properties") or {}
    if not all(isinstance(v, str) for v in props.values()):
        raise invalid_fields([{"field": "properties", "message": "Event property values must be strings."}])
    event = {"name": name, "properties": props, "occurred_at": body.get("occurred_at") or req.store.now()}
    req.store.under("events", req.params["list_id"]).setdefault(m["id"], []).append(event)
    req.store.touch()
