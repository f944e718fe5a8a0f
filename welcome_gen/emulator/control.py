"""The emulator-only endpoints under /_emulator/: deliveries, faults, opens, clicks, unsubscribes and bounces, reset,
logs."""

from __future__ import annotations

import dataclasses
import html
import json
from typing import Any

from .batches import results_archive
from .problems import ApiProblem
from .reports import record_activity, record_leaving
from .state import parse_time

ENDPOINTS = {
    "GET /_emulator/deliveries": "emails sent (?campaign_id=, ?email_address=, ?fields=email_address,subject)",
    "GET|PUT|DELETE /_emulator/faults": "read, set or clear fault injection",
    "GET|PUT|DELETE /_emulator/behaviours": "Mailchimp's unkind behaviours: read, set (replace) or turn all off",
    "GET|PUT /_emulator/clock": "the emulator's time; PUT {now, frozen} sets it (it runs on from there unless frozen)",
    "POST /_emulator/opens": "record an open {campaign_id, email_address}",
    "POST /_emulator/clicks": "record a click {campaign_id, email_address, url}",
    "POST /_emulator/unsubscribes": "a recipient unsubscribes through a campaign {campaign_id, email_address}",
    "POST /_emulator/bounces": "a recipient's email hard-bounces {campaign_id, email_address}: member cleaned",
    "POST /_emulator/confirmations": "a pending signup follows its opt-in confirmation link {list_id, email_address}",
    "POST /_emulator/reset": "forget all data",
    "GET /_emulator/requests": "the request log (method, path, status, operation, spec rejections)",
    "GET /_emulator/stats": "per-operation spec validation counts",
    "GET /_emulator/journeys": "customer journey triggers received",
    "GET /_emulator/state": "the whole state document",
    "GET /_emulator/batches/{id}.tar.gz": "a batch's results (its response_body_url)",
    "GET /_emulator/unsubscribe?id=&e=&c=": "the *|UNSUB|* link: unsubscribes the member, counted for campaign c",
    "GET /_emulator/archive/{campaign_id}": "a campaign's archive page",
}

DELIVERY_KEYS = ("id", "campaign_id", "campaign_title", "list_id", "email_address", "subscriber_hash", "from_name",
                 "reply_to", "subject", "preview_text", "html", "text", "time")


def _problem(status: int, detail: str) -> tuple[int, dict]:
    titles = {400: "Bad Request", 404: "Resource Not Found", 405: "Method Not Allowed"}
    return status, ApiProblem(status, titles.get(status, "Error"), detail).document()


def handle(emu, method: str, path: str, query: dict[str, list[str]], raw: bytes) -> tuple:
    """(status, document) or (status, bytes, content type) for one /_emulator/ request."""
    args = {k: v[-1] for k, v in query.items()}
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return _problem(400, "the body is not JSON")
    name = path[len("/_emulator"):].strip("/")
    try:
        return _dispatch(emu, method, name, args, body)
    except ApiProblem as exc:
        return exc.status, exc.document()
    except (ValueError, TypeError) as exc:
        return _problem(400, str(exc))


def _dispatch(emu, method: str, name: str, args: dict, body: Any) -> tuple:
    store = emu.store
    if name == "" and method == "GET":
        return 200, {"endpoints": ENDPOINTS, "api_url": emu.url}
    if name == "deliveries" and method == "GET":
        found = emu.deliveries(args.get("campaign_id"), args.get("email_address"))
        if args.get("fields"):  # a short listing to read in a terminal, without each email's HTML and text
            keep = [k.strip() for k in args["fields"].split(",") if k.strip()]
            unknown = [k for k in keep if k not in DELIVERY_KEYS]
            if unknown:
                return _problem(400, f"fields: no '{unknown[0]}' in a delivery (it has {', '.join(DELIVERY_KEYS)})")
            found = [{k: d[k] for k in keep if k in d} for d in found]
        return 200, {"deliveries": found}
    if name in ("faults", "behaviours"):  # settings: GET reads, PUT replaces, DELETE turns all off
        setter = emu.set_faults if name == "faults" else emu.set_behaviours
        if method in ("PUT", "DELETE"):
            setter(**(body if method == "PUT" else {}))
        elif method != "GET":
            return _problem(405, "GET, PUT or DELETE")
        return 200, getattr(emu, name).describe()
    if name == "clock":
        if method == "PUT":
            when = parse_time(str(body.get("now") or ""))
            if when is None:
                return _problem(400, "clock: give {\"now\": \"2027-03-01T10:00:00Z\"} (ISO 8601)")
            emu.set_clock(when, frozen=bool(body.get("frozen", False)))
        elif method != "GET":
            return _problem(405, "GET or PUT")
        return 200, emu.clock_state()
    if name in ("opens", "clicks") and method == "POST":
        with store:
            return 200, record_activity(store, name[:-1], body)
    if name in ("unsubscribes", "bounces") and method == "POST":
        kind = "unsubscribe" if name == "unsubscribes" else "hard_bounce"
        with store:
            event = record_leaving(store, kind, body.get("campaign_id"), body.get("email_address", ""))
        return 200, event or {"recorded": False, "detail": "the member had already left; nothing counted"}
    if name == "confirmations" and method == "POST":
        member = emu.confirm_signup(str(body.get("list_id", "")), str(body.get("email_address", "")))
        if member is None:
            return _problem(404, "no pending signup for that address in that audience")
        return 200, {"email_address": member["email_address"], "status": member["status"]}
    if name == "reset" and method == "POST":
        emu.reset()
        return 204, None
    if name == "requests" and method == "GET":
        return 200, {"requests": [dataclasses.asdict(r) for r in list(emu.requests)]}
    if name == "stats" and method == "GET":
        return 200, {"spec": emu.spec.source if emu.spec else None, "operations": dict(emu.spec_stats)}
    if name == "journeys" and method == "GET":
        return 200, {"triggers": store.snapshot()["journey_triggers"]}
    if name == "state" and method == "GET":
        return 200, store.snapshot()
    if name.startswith("batches/") and name.endswith(".tar.gz") and method == "GET":
        batch = store.snapshot()["batches"].get(name[len("batches/"):-len(".tar.gz")])
        if batch is None:
            return _problem(404, "no such batch")
        return 200, results_archive(batch), "application/x-gzip"
    if name == "unsubscribe" and method == "GET":
        return _unsubscribe(store, args)
    if name.startswith("archive/") and method == "GET":
        content = store.snapshot()["contents"].get(name[len("archive/"):])
        if content is None:
            return _problem(404, "no such campaign")
        return 200, content["html"].encode("utf-8"), "text/html; charset=utf-8"
    return _problem(404, f"no emulator endpoint {method} /_emulator/{name}")


def _unsubscribe(store, args: dict) -> tuple:
    with store:
        member = store.under("members", args.get("id", "")).get(args.get("e", ""))
        if member is None:
            return _problem(404, "no such member")
        delivered = args.get("c") and any(d["campaign_id"] == args["c"] and d["subscriber_hash"] == member["id"]
                                          for d in store.data["deliveries"])
        if delivered:  # the link of a campaign's email: the campaign's report counts the unsubscribe
            record_leaving(store, "unsubscribe", args["c"], member["email_address"])
        elif member["status"] == "subscribed":
            member.update(status="unsubscribed", unsubscribe_reason="Unsubscribed from a campaign",
                          last_changed=store.now())
            store.touch()
    page = f"<p>{html.escape(member['email_address'])} is unsubscribed.</p>"
    return 200, page.encode("utf-8"), "text/html; charset=utf-8"
