"""Reports from deliveries and the opens, clicks, unsubscribes and bounces recorded against them: summary, sent-to,
open and click details."""

from __future__ import annotations

from collections import Counter

from .common import collection, subscriber_hash
from .fields import shape
from .problems import invalid, not_found
from .routes import Request, route


def _sent(req: Request) -> dict:
    c = req.store.data["campaigns"].get(req.params["campaign_id"])
    if c is None or c["status"] not in ("sent", "sending", "canceling", "canceled"):
        raise not_found("campaign report")
    return c


def _deliveries(store, cid: str) -> list[dict]:
    return [d for d in store.data["deliveries"] if d["campaign_id"] == cid]


def _activity(store, cid: str, kind: str) -> list[dict]:
    return [a for a in store.data["activity"] if a["campaign_id"] == cid and a["type"] == kind]


def _delivery(store, cid: str | None, email: str) -> dict:
    for d in _deliveries(store, cid):
        if d["email_address"].lower() == email.lower():
            return d
    raise invalid(f"{email} did not receive campaign {cid}.", [{"field": "email_address", "message": "not a recipient"}])


def record_activity(store, kind: str, body: dict) -> dict:
    """An open or click by a recipient of a sent campaign (posted to /_emulator/opens or /clicks)."""
    cid, email = body.get("campaign_id"), body.get("email_address", "")
    _delivery(store, cid, email)
    if kind == "click" and not body.get("url"):
        raise invalid("A click needs a url.", [{"field": "url", "message": "required"}])
    event = {"type": kind, "campaign_id": cid, "email_address": email, "subscriber_hash": subscriber_hash(email),
             "url": body.get("url", ""), "timestamp": body.get("timestamp") or store.now()}
    store.data["activity"].append(event)
    store.touch()
    return event


#: How a recipient leaves through a campaign: the member's new status, and the reason Mailchimp gives.
LEAVING = {"unsubscribe": ("unsubscribed", "Unsubscribed from a campaign"), "hard_bounce": ("cleaned", "")}


def record_leaving(store, kind: str, cid: str | None, email: str) -> dict | None:
    """A recipient of campaign `cid` unsubscribing through it (its *|UNSUB|* link) or hard-bouncing: the member
    becomes unsubscribed or cleaned and the campaign's report counts it, once per member. None when nothing
    changed: an unsubscribe from a member no longer subscribed, or a second one, counts nowhere, as in Mailchimp."""
    d = _delivery(store, cid, email)
    member = store.under("members", d["list_id"]).get(d["subscriber_hash"])
    status, reason = LEAVING[kind]
    # A bounce cleans an unsubscribed member too; an unsubscribe changes only a subscribed one.
    leaves_from = ("subscribed", "unsubscribed") if kind == "hard_bounce" else ("subscribed",)
    if member is None or member["status"] not in leaves_from:
        return None
    if any(a["subscriber_hash"] == d["subscriber_hash"] for a in _activity(store, cid, kind)):
        return None
    member.update(status=status, last_changed=store.now())
    if reason:
        member["unsubscribe_reason"] = reason
    event = {"type": kind, "campaign_id": cid, "email_address": d["email_address"],
             "subscriber_hash": d["subscriber_hash"], "url": "", "timestamp": store.now()}
    store.data["activity"].append(event)
    store.touch()
    return event


def summary(store, c: dict) -> dict:
    sent = len(_deliveries(store, c["id"]))
    hard = len(_activity(store, c["id"], "hard_bounce"))
    delivered = sent - hard  # Mailchimp's rates are of delivered emails
    opens, clicks = _activity(store, c["id"], "open"), _activity(store, c["id"], "click")
    unique_opens, unique_clicks = len({o["subscriber_hash"] for o in opens}), len({k["subscriber_hash"] for k in clicks})
    return {"id": c["id"], "campaign_title": c["settings"].get("title", ""), "type": c["type"],
            "list_id": c["recipients"].get("list_id", ""), "list_is_active": True,
            "list_name": store.data["lists"].get(c["recipients"].get("list_id", ""), {}).get("name", ""),
            "subject_line": c["settings"].get("subject_line", ""), "preview_text": c["settings"].get("preview_text", ""),
            "emails_sent": sent, "abuse_reports": 0, "unsubscribed": len(_activity(store, c["id"], "unsubscribe")),
            "send_time": c["send_time"], "bounces": {"hard_bounces": hard, "soft_bounces": 0, "syntax_errors": 0},
            "forwards": {"forwards_count": 0, "forwards_opens": 0},
            "opens": {"opens_total": len(opens), "unique_opens": unique_opens,
                      "open_rate": unique_opens / delivered if delivered else 0,
                      "last_open": max((o["timestamp"] for o in opens), default="")},
            "clicks": {"clicks_total": len(clicks), "unique_clicks": len({k["url"] for k in clicks}),
                       "unique_subscriber_clicks": unique_clicks, "click_rate": unique_clicks / delivered if delivered else 0,
                       "last_click": max((k["timestamp"] for k in clicks), default="")}}


@route("GET", "/reports")
def list_reports(req: Request):
    sent = [c for c in req.store.data["campaigns"].values() if c["status"] in ("sent", "sending")]
    return collection("reports", [summary(req.store, c) for c in sent], req.query)


@route("GET", "/reports/{campaign_id}")
def get_report(req: Request):
    return shape(summary(req.store, _sent(req)), req.query)


def _sent_to(store, c: dict, d: dict) -> dict:
    opens = [o for o in _activity(store, c["id"], "open") if o["subscriber_hash"] == d["subscriber_hash"]]
    member = store.under("members", d["list_id"]).get(d["subscriber_hash"], {})
    return {"email_id": d["subscriber_hash"], "email_address": d["email_address"],
            "merge_fields": member.get("merge_fields", {}), "vip": member.get("vip", False),
            "status": "hard" if any(b["subscriber_hash"] == d["subscriber_hash"]
                                   for b in _activity(store, c["id"], "hard_bounce")) else "sent",
            "open_count": len(opens), "last_open": max((o["timestamp"] for o in opens), default=""),
            "absplit_group": "", "gmt_offset": 0, "campaign_id": c["id"], "list_id": d["list_id"],
            "list_is_active": True}


@route("GET", "/reports/{campaign_id}/sent-to")
def sent_to(req: Request):
    c = _sent(req)
    items = [_sent_to(req.store, c, d) for d in _deliveries(req.store, c["id"])]
    return collection("sent_to", items, req.query, campaign_id=c["id"])


@route("GET", "/reports/{campaign_id}/sent-to/{subscriber_hash}")
def sent_to_one(req: Request):
    c = _sent(req)
    for d in _deliveries(req.store, c["id"]):
        if d["subscriber_hash"] == req.params["subscriber_hash"].lower():
            return shape(_sent_to(req.store, c, d), req.query)
    raise not_found("campaign recipient")


@route("GET", "/reports/{campaign_id}/open-details")
def open_details(req: Request):
    c = _sent(req)
    opens = _activity(req.store, c["id"], "open")
    by_member: dict[str, list] = {}
    for o in opens:
        by_member.setdefault(o["subscriber_hash"], []).append(o)
    items = [{"campaign_id": c["id"], "list_id": c["recipients"]["list_id"], "list_is_active": True,
              "contact_status": "subscribed", "email_id": h, "email_address": group[0]["email_address"],
              "merge_fields": {}, "vip": False, "opens_count": len(group),
              "opens": [{"timestamp": o["timestamp"]} for o in group]} for h, group in by_member.items()]
    return collection("members", items, req.query, campaign_id=c["id"], total_opens=len(opens))


@route("GET", "/reports/{campaign_id}/click-details")
def click_details(req: Request):
    c = _sent(req)
    clicks = _activity(req.store, c["id"], "click")
    sent = len(_deliveries(req.store, c["id"])) or 1
    totals = Counter(k["url"] for k in clicks)
    items = []
    for n, (url, total) in enumerate(totals.items(), 1):
        who = {k["subscriber_hash"] for k in clicks if k["url"] == url}
        items.append({"id": str(n), "url": url, "total_clicks": total, "click_percentage": total / len(clicks),
                      "unique_clicks": len(who), "unique_click_percentage": len(who) / sent,
                      "last_click": max(k["timestamp"] for k in clicks if k["url"] == url), "campaign_id": c["id"]})
    return collection("urls_clicked", items, req.query, campaign_id=c["id"])
