"""Audiences (lists), their interest categories and interests, plus ping and the account root."""

from __future__ import annotations

from .common import collection, get_list, list_item
from .fields import shape
from .mergefields import add_defaults
from .problems import invalid_fields
from .routes import Request, route

LIST_REQUIRED = ("name", "contact", "permission_reminder", "email_type_option", "campaign_defaults")


def list_view(store, lst: dict) -> dict:
    members = store.under("members", lst["id"]).values()
    count = {s: 0 for s in ("subscribed", "unsubscribed", "cleaned", "pending", "transactional", "archived")}
    for m in members:
        count[m["status"]] = count.get(m["status"], 0) + 1
    stats = {"member_count": count["subscribed"], "total_contacts": len(store.under("members", lst["id"])),
             "unsubscribe_count": count["unsubscribed"], "cleaned_count": count["cleaned"],
             "member_count_since_send": 0, "unsubscribe_count_since_send": 0, "cleaned_count_since_send": 0,
             "campaign_count": sum(1 for c in store.data["campaigns"].values() if c["recipients"]["list_id"] == lst["id"]),
             "merge_field_count": len(store.under("merge_fields", lst["id"])), "avg_sub_rate": 0, "avg_unsub_rate": 0,
             "target_sub_rate": 0, "open_rate": 0, "click_rate": 0}
    return {**lst, "stats": stats}


def create_list(store, body: dict, list_id: str | None = None) -> dict:
    """A new audience with Mailchimp's default merge fields; `list_id` picks its id (seeding), else a fresh one."""
    missing = [k for k in LIST_REQUIRED if k not in body]
    if missing:
        raise invalid_fields([{"field": k, "message": "This value should not be blank."} for k in missing])
    list_id = list_id or store.new_id()
    lst = {"id": list_id, "web_id": store.web_id(), "name": body["name"], "contact": body["contact"],
           "permission_reminder": body["permission_reminder"], "use_archive_bar": body.get("use_archive_bar", True),
           "campaign_defaults": body["campaign_defaults"], "notify_on_subscribe": body.get("notify_on_subscribe", ""),
           "notify_on_unsubscribe": body.get("notify_on_unsubscribe", ""), "date_created": store.now(),
           "list_rating": 0, "email_type_option": body["email_type_option"],
           "subscribe_url_short": f"http://eepurl.com/{list_id}", "subscribe_url_long": "",
           "beamer_address": "", "visibility": body.get("visibility", "pub"), "double_optin": body.get("double_optin", False),
           "has_welcome": False, "marketing_permissions": body.get("marketing_permissions", False), "modules": []}
    store.data["lists"][list_id] = lst
    add_defaults(store, list_id)
    store.touch()
    return lst


@route("GET", "/ping")
def ping(req: Request):
    return {"health_status": "Everything's Chimpy!"}


@route("GET", "/")
def root(req: Request):
    return shape({"account_id": "wg-emulator", "login_id": "wg-emulator", "account_name": "welcome-gen emulator",
                  "email": "emulator@localhost", "first_name": "", "last_name": "", "username": "emulator",
                  "role": "owner", "pro_enabled": False, "account_timezone": "UTC", "account_industry": "",
                  "contact": {}, "total_subscribers": sum(len(m) for m in req.store.data["members"].values())},
                 req.query)


@route("GET", "/lists")
def get_lists(req: Request):
    items = [list_view(req.store, lst) for lst in req.store.data["lists"].values()]
    return collection("lists", items, req.query, constraints={"may_create": True, "max_instances": 1000,
                                                               "current_total_instances": len(items)})


@route("POST", "/lists")
def post_list(req: Request):
    return list_view(req.store, create_list(req.store, req.body or {}))


@route("GET", "/lists/{list_id}")
def get_one(req: Request):
    return shape(list_view(req.store, get_list(req.store, req.params["list_id"])), req.query)


@route("PATCH", "/lists/{list_id}")
def patch_list(req: Request):
    lst = get_list(req.store, req.params["list_id"])
    for key, value in (req.body or {}).items():
        if key in lst and key not in ("id", "web_id", "date_created"):
            lst[key] = value
    req.store.touch()
    return list_view(req.store, lst)


@route("DELETE", "/lists/{list_id}")
def delete_list(req: Request):
    get_list(req.store, req.params["list_id"])
    list_id = req.params["list_id"]
    del req.store.data["lists"][list_id]
    for kind in ("members", "merge_fields", "categories", "interests", "segments", "events"):
        req.store.data[kind].pop(list_id, None)
    req.store.touch()


# interest categories ("groups") and interests ------------------------------------------------------------

def _category(req: Request) -> dict:
    return list_item(req.store, req.params["list_id"], "categories", req.params["interest_category_id"],
                     "interest category")


@route("GET", "/lists/{list_id}/interest-categories")
def list_categories(req: Request):
    get_list(req.store, req.params["list_id"])
    items = list(req.store.under("categories", req.params["list_id"]).values())
    return collection("categories", items, req.query, list_id=req.params["list_id"])


@route("POST", "/lists/{list_id}/interest-categories")
def post_category(req: Request):
    get_list(req.store, req.params["list_id"])
    body = req.body or {}
    if body.get("type") not in ("checkboxes", "dropdown", "radio", "hidden") or not body.get("title"):
        raise invalid_fields([{"field": "type", "message": "title and a type (checkboxes, dropdown, radio, hidden) are required"}])
    cats = req.store.under("categories", req.params["list_id"])
    cat = {"list_id": req.params["list_id"], "id": req.store.new_id(), "title": body["title"],
           "display_order": body.get("display_order", len(cats)), "type": body["type"]}
    cats[cat["id"]] = cat
    req.store.touch()
    return cat


@route("GET", "/lists/{list_id}/interest-categories/{interest_category_id}")
def get_category(req: Request):
    return shape(_category(req), req.query)


@route("GET", "/lists/{list_id}/interest-categories/{interest_category_id}/interests")
def list_interests(req: Request):
    cat = _category(req)
    items = [i for i in req.store.under("interests", req.params["list_id"]).values() if i["category_id"] == cat["id"]]
    return collection("interests", items, req.query, list_id=req.params["list_id"], category_id=cat["id"])


@route("POST", "/lists/{list_id}/interest-categories/{interest_category_id}/interests")
def post_interest(req: Request):
    cat = _category(req)
    body = req.body or {}
    if not body.get("name"):
        raise invalid_fields([{"field": "name", "message": "This value should not be blank."}])
    interests = req.store.under("interests", req.params["list_id"])
    interest = {"category_id": cat["id"], "list_id": req.params["list_id"], "id": req.store.new_id(),
                "name": body["name"], "subscriber_count": "0", "display_order": body.get("display_order", len(interests))}
    interests[interest["id"]] = interest
    req.store.touch()
    return interest


def _month(stamp: str) -> str:
    return str(stamp or "")[:7]


def growth(store, list_id: str) -> list[dict]:
    """The audience month by month, from the first opt-in to this month: who opted in that month (`optins`), who
    had before it (`existing`); nothing is ever imported here (`imports` 0). Mailchimp's exact counting rules
    are not published (docs/emulator.md)."""
    joined = sorted(_month(m.get("timestamp_opt") or m.get("timestamp_signup"))
                    for m in store.under("members", list_id).values() if m.get("status") != "archived")
    joined = [j for j in joined if j]
    if not joined:
        return []
    year, month = int(joined[0][:4]), int(joined[0][5:7])
    last, out = _month(store.now()), []
    while f"{year:04d}-{month:02d}" <= last:
        name = f"{year:04d}-{month:02d}"
        out.append({"list_id": list_id, "month": name, "existing": sum(1 for j in joined if j < name),
                    "imports": 0, "optins": sum(1 for j in joined if j == name), "_links": []})
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@route("GET", "/lists/{list_id}/growth-history")
def growth_history(req: Request):
    lst = get_list(req.store, req.params["list_id"])
    # Newest first unless asked otherwise: the order Mailchimp uses without sort_dir is not documented.
    items = sorted(growth(req.store, lst["id"]), key=lambda m: m["month"], reverse=req.arg("sort_dir") != "ASC")
    return collection("history", items, req.query, list_id=lst["id"])
