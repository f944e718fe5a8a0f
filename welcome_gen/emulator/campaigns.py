"""Campaigns (create, list, get, update, delete, content, checklist, send, schedule), folders and templates."""

from __future__ import annotations

import re

from .common import collection, flag
from .fields import shape
from .problems import bad_request, invalid_fields, not_found
from .routes import Request, route
from .sending import cancel, checklist, deliver, plain_text, quarter_hour, read_status, recipients
from .state import parse_time

SETTING_DEFAULTS = {"subject_line": "", "preview_text": "", "title": "", "from_name": "", "reply_to": "",
                    "use_conversation": False, "to_name": "", "folder_id": "", "authenticate": True,
                    "auto_footer": False, "inline_css": False, "auto_tweet": False, "fb_comments": False,
                    "timewarp": False, "template_id": 0, "drag_and_drop": False}
TRACKING_DEFAULTS = {"opens": True, "html_clicks": True, "text_clicks": False, "goal_tracking": False,
                     "ecomm360": False, "google_analytics": "", "clicktale": ""}


STARTED = ("sending", "sent", "canceling", "canceled")  # a send was accepted: recipients are no longer counted live


def view(store, c: dict, shown: str | None = None) -> dict:
    """The campaign as Mailchimp answers it; `shown`, the status a lagging read says instead of its own."""
    doc = {k: v for k, v in c.items() if not k.startswith("_")}
    lst = store.data["lists"].get(c["recipients"].get("list_id") or "")
    if c.get("_queued") is not None:
        count = len(c["_queued"])
    else:
        count = c["emails_sent"] if c["status"] in STARTED else len(recipients(store, c))
    doc["recipients"] = {**c["recipients"], "list_is_active": lst is not None, "list_name": (lst or {}).get("name", ""),
                         "recipient_count": count}
    if shown is not None:
        doc.update(status=shown, send_time="", emails_sent=0)
    return doc


def _check_recipients(store, rec: dict) -> None:
    list_id = rec.get("list_id")
    if list_id and list_id not in store.data["lists"]:
        raise invalid_fields([{"field": "recipients.list_id", "message": "Invalid list ID"}])
    seg_id = (rec.get("segment_opts") or {}).get("saved_segment_id")
    if seg_id and str(seg_id) not in store.under("segments", list_id or ""):
        raise invalid_fields([{"field": "recipients.segment_opts.saved_segment_id", "message": "Invalid segment ID"}])


def _campaign(req: Request) -> dict:
    found = req.store.data["campaigns"].get(req.params["campaign_id"])
    if found is None:
        raise not_found("campaign")
    return found


@route("POST", "/campaigns")
def post_campaign(req: Request):
    store, body = req.store, req.body or {}
    if body.get("type") not in ("regular", "plaintext", "absplit", "rss", "variate"):
        raise invalid_fields([{"field": "type", "message": "must be one of regular, plaintext, absplit, rss, variate"}])
    rec = dict(body.get("recipients") or {})
    _check_recipients(store, rec)
    cid = store.new_id()
    web_id = store.web_id()
    campaign = {"id": cid, "web_id": web_id, "type": body["type"], "create_time": store.now(),
                "archive_url": f"{req.emulator.base}/_emulator/archive/{cid}", "long_archive_url": "",
                "status": "save", "emails_sent": 0, "send_time": "", "content_type": "html",
                "needs_block_refresh": False, "resendable": False, "recipients": rec,
                "settings": {**SETTING_DEFAULTS, **(body.get("settings") or {})},
                "tracking": {**TRACKING_DEFAULTS, **(body.get("tracking") or {})},
                "report_summary": {}, "delivery_status": {"enabled": False}}
    store.data["campaigns"][cid] = campaign
    template = store.data["templates"].get(str(campaign["settings"].get("template_id") or ""))
    if template:
        store.data["contents"][cid] = {"html": template["_html"], "plain_text": plain_text(template["_html"])}
        campaign["content_type"] = "template"
    store.touch()
    return view(store, campaign)


@route("GET", "/campaigns")
def list_campaigns(req: Request):
    store = req.store
    items = [view(store, c, read_status(store, c)) for c in store.data["campaigns"].values()]
    for key in ("type", "status"):
        if req.arg(key):
            items = [c for c in items if c[key] == req.arg(key)]
    if req.arg("member_id"):  # the campaigns sent to that member
        got = {d["campaign_id"] for d in store.data["deliveries"] if d["subscriber_hash"] == req.arg("member_id")}
        items = [c for c in items if c["id"] in got]
    if req.arg("folder_id"):
        items = [c for c in items if str(c["settings"].get("folder_id")) == str(req.arg("folder_id"))]
    if req.arg("list_id"):
        items = [c for c in items if c["recipients"].get("list_id") == req.arg("list_id")]
    for key, field, later in (("since_create_time", "create_time", True), ("before_create_time", "create_time", False),
                              ("since_send_time", "send_time", True), ("before_send_time", "send_time", False)):
        moment = parse_time(req.arg(key)) if req.arg(key) else None
        if moment:
            items = [c for c in items if c[field] and (parse_time(c[field]) >= moment) == later]
    if req.arg("sort_field"):
        items.sort(key=lambda c: c.get(req.arg("sort_field"), ""), reverse=req.arg("sort_dir") == "DESC")
    return collection("campaigns", items, req.query)


@route("GET", "/campaigns/{campaign_id}")
def get_campaign(req: Request):
    c = _campaign(req)
    doc = view(req.store, c, read_status(req.store, c))
    if c.get("_sending_reads"):  # just sent: Mailchimp says "sending" for a while
        c["_sending_reads"] -= 1
        doc["status"] = "sending"
        req.store.touch()
    return shape(doc, req.query)


@route("PATCH", "/campaigns/{campaign_id}")
def patch_campaign(req: Request):
    c, body = _campaign(req), req.body or {}
    if c["status"] not in ("save", "paused"):
        raise bad_request(f"Cannot update a campaign with status \"{c['status']}\".")
    if "recipients" in body:
        rec = {**c["recipients"], **(body["recipients"] or {})}
        _check_recipients(req.store, rec)
        c["recipients"] = rec
    c["settings"].update(body.get("settings") or {})
    c["tracking"].update(body.get("tracking") or {})
    req.store.touch()
    return view(req.store, c)


@route("DELETE", "/campaigns/{campaign_id}")
def delete_campaign(req: Request):
    c = _campaign(req)
    if c.get("_queued") is not None:
        raise bad_request("Cannot delete a campaign that is sending.")
    del req.store.data["campaigns"][c["id"]]
    req.store.data["contents"].pop(c["id"], None)
    req.store.touch()


@route("GET", "/campaigns/{campaign_id}/content")
def get_content(req: Request):
    c = _campaign(req)
    content = req.store.data["contents"].get(c["id"], {})
    return shape({"html": content.get("html", ""), "plain_text": content.get("plain_text", ""),
                  "archive_html": content.get("html", "")}, req.query)


@route("PUT", "/campaigns/{campaign_id}/content")
def put_content(req: Request):
    c, body = _campaign(req), req.body or {}
    if c["status"] not in ("save", "paused"):
        raise bad_request(f"Cannot change the content of a campaign with status \"{c['status']}\".")
    markup = body.get("html")
    if markup is None and body.get("template"):
        template = req.store.data["templates"].get(str(body["template"].get("id")))
        if template is None:
            raise invalid_fields([{"field": "template.id", "message": "Invalid template ID"}])
        markup = template["_html"]
    if markup is None and body.get("plain_text") is None:
        raise invalid_fields([{"field": "html", "message": "html, plain_text, template or url is required"}])
    markup = markup or ""
    text = body.get("plain_text")
    req.store.data["contents"][c["id"]] = {"html": markup, "plain_text": text if text is not None else plain_text(markup)}
    req.store.touch()
    return get_content(req)


@route("GET", "/campaigns/{campaign_id}/send-checklist")
def get_checklist(req: Request):
    return shape(checklist(req.store, _campaign(req)), req.query)


@route("POST", "/campaigns/{campaign_id}/actions/send")
def send(req: Request):
    deliver(req.store, _campaign(req), req.emulator.base)


@route("POST", "/campaigns/{campaign_id}/actions/cancel-send")
def cancel_send(req: Request):
    cancel(req.store, _campaign(req))


@route("POST", "/campaigns/{campaign_id}/actions/schedule")
def schedule(req: Request):
    c, body = _campaign(req), req.body or {}
    if c["status"] != "save":
        raise bad_request(f"This campaign cannot be scheduled: its status is \"{c['status']}\".")
    when = quarter_hour(body.get("schedule_time"), req.store.clock())
    ready = checklist(req.store, c)
    if not ready["is_ready"]:
        reasons = "; ".join(i["details"] for i in ready["items"] if i["type"] == "error")
        raise bad_request(f"This campaign cannot be scheduled: {reasons}")
    c.update(status="schedule", send_time=when)
    c["settings"]["timewarp"] = flag(body.get("timewarp"))
    req.store.touch()


@route("POST", "/campaigns/{campaign_id}/actions/unschedule")
def unschedule(req: Request):
    c = _campaign(req)
    if c["status"] != "schedule":
        raise bad_request("This campaign is not scheduled.")
    c.update(status="save", send_time="")
    req.store.touch()


# templates ---------------------------------------------------------------------------------------------

def _template_view(t: dict) -> dict:
    return {k: v for k, v in t.items() if not k.startswith("_")}


def _template(req: Request) -> dict:
    found = req.store.data["templates"].get(str(req.params["template_id"]))
    if found is None:
        raise not_found("template")
    return found


@route("POST", "/templates")
def post_template(req: Request):
    body = req.body or {}
    if not body.get("name") or not body.get("html"):
        raise invalid_fields([{"field": k, "message": "This value should not be blank."}
                              for k in ("name", "html") if not body.get(k)])
    tid = req.store.web_id()
    now = req.store.now()
    t = {"id": tid, "type": "user", "name": body["name"], "drag_and_drop": False, "responsive": False,
         "category": "", "date_created": now, "date_edited": now, "created_by": "emulator", "edited_by": "emulator",
         "active": True, "folder_id": body.get("folder_id", ""), "thumbnail": "", "share_url": "",
         "content_type": "html", "_html": body["html"]}
    req.store.data["templates"][str(tid)] = t
    req.store.touch()
    return _template_view(t)


@route("GET", "/templates")
def list_templates(req: Request):
    items = [_template_view(t) for t in req.store.data["templates"].values()]
    return collection("templates", items, req.query)


@route("GET", "/templates/{template_id}")
def get_template(req: Request):
    return shape(_template_view(_template(req)), req.query)


@route("PATCH", "/templates/{template_id}")
def patch_template(req: Request):
    t, body = _template(req), req.body or {}
    if body.get("name"):
        t["name"] = body["name"]
    if body.get("html"):
        t["_html"] = body["html"]
    t["date_edited"] = req.store.now()
    req.store.touch()
    return _template_view(t)


@route("DELETE", "/templates/{template_id}")
def delete_template(req: Request):
    t = _template(req)
    del req.store.data["templates"][str(t["id"])]
    req.store.touch()


@route("GET", "/templates/{template_id}/default-content")
def template_sections(req: Request):
    """The template's editable regions (`mc:edit="name"`) and their default content, as Mailchimp gives them."""
    found = re.finditer(r'<(\w+)[^>]*\bmc:edit="([^"]+)"[^>]*>(.*?)</\1>', _template(req)["_html"], re.S)
    return shape({"sections": {m.group(2): m.group(3) for m in found}}, req.query)


# campaign folders --------------------------------------------------------------------------------------

def _folder_view(store, folder: dict) -> dict:
    count = sum(1 for c in store.data["campaigns"].values() if str(c["settings"].get("folder_id")) == folder["id"])
    return {**folder, "count": count}


def _folder(req: Request) -> dict:
    found = req.store.data["folders"].get(req.params["folder_id"])
    if found is None:
        raise not_found("campaign folder")
    return found


@route("GET", "/campaign-folders")
def list_folders(req: Request):
    items = [_folder_view(req.store, f) for f in req.store.data["folders"].values()]
    return collection("folders", items, req.query)


@route("POST", "/campaign-folders")
def post_folder(req: Request):
    name = (req.body or {}).get("name")
    if not name:
        raise invalid_fields([{"field": "name", "message": "This value should not be blank."}])
    folder = {"id": req.store.new_id(), "name": name}
    req.store.data["folders"][folder["id"]] = folder
    req.store.touch()
    return _folder_view(req.store, folder)


@route("GET", "/campaign-folders/{folder_id}")
def get_folder(req: Request):
    return shape(_folder_view(req.store, _folder(req)), req.query)


@route("DELETE", "/campaign-folders/{folder_id}")
def delete_folder(req: Request):
    folder = _folder(req)
    del req.store.data["folders"][folder["id"]]
    for c in req.store.data["campaigns"].values():
        if str(c["settings"].get("folder_id")) == folder["id"]:
            c["settings"]["folder_id"] = ""
    req.store.touch()
