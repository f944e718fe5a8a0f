"""What a send does: resolve the recipients, run the checklist and the gates, and record one delivery per subscriber
(at once, or after a lag; all of them, or until the send is canceled)."""

from __future__ import annotations

import html
import re
import secrets
from datetime import datetime, timedelta, timezone

from ..mailchimp import mergetags
from .problems import bad_request
from .state import iso, parse_time

UNSUB = "*|UNSUB|*"
# The footer Mailchimp adds to an email without *|UNSUB|* (its look is Mailchimp's; this one is plain).
FOOTER_HTML = ('<p style="font-size:12px;color:#656565">*|LIST:ADDRESSLINE|*<br>'
               '<a href="*|UNSUB|*">Unsubscribe</a> *|EMAIL|* from this list.</p>')
FOOTER_TEXT = "\n\n*|LIST:ADDRESSLINE|*\nUnsubscribe *|EMAIL|* from this list: *|UNSUB|*\n"


def recipients(store, campaign: dict) -> list[dict]:
    """The subscribed members a campaign goes to: its saved segment's, or the whole list's."""
    rec = campaign["recipients"]
    members = store.under("members", rec.get("list_id") or "")
    opts = rec.get("segment_opts") or {}
    seg_id = opts.get("saved_segment_id")
    if seg_id:
        seg = store.under("segments", rec["list_id"]).get(str(seg_id))
        if seg is None or seg["type"] != "static":
            return []  # saved (condition) segments are not emulated: nobody rather than everybody
        chosen = [members[h] for h in seg["members"] if h in members]
    elif opts.get("conditions"):
        return []
    else:
        chosen = list(members.values())
    return [m for m in chosen if m["status"] == "subscribed"]


def plain_text(markup: str) -> str:
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", markup)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</h\d>|</li>|</tr>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\n{3,}", "\n\n", html.unescape(text)).strip()


def checklist(store, campaign: dict) -> dict:
    """Mailchimp's send checklist: `is_ready` and one item per check."""
    settings, items = campaign["settings"], []

    def item(ok: bool, ident: int, heading: str, details_ok: str, details_bad: str) -> None:
        items.append({"type": "success" if ok else "error", "id": ident, "heading": heading,
                      "details": details_ok if ok else details_bad})

    lst = store.data["lists"].get(campaign["recipients"].get("list_id") or "")
    count = len(recipients(store, campaign)) if lst else 0
    item(lst is not None and count > 0, 1, "Audience",
         f"{count} recipient(s).", "Your segment is empty: no subscribed recipients." if lst else "No audience selected.")
    item(bool(settings.get("subject_line")), 2, "Subject line", "Subject line set.", "You need to add a subject line.")
    item(bool(settings.get("from_name")), 3, "From name", "From name set.", "You need to add a from name.")
    item(bool(settings.get("reply_to")), 4, "From email address", "Reply-to address set.",
         "You need to add a reply-to email address.")
    content = store.data["contents"].get(campaign["id"], {})
    body = content.get("html") or ""
    item(bool(body.strip()), 5, "Content", "Content set.", "You need to add content to your campaign.")
    if body.strip():
        if UNSUB not in body:  # not a refusal: Mailchimp adds a footer with the link (docs/emulator.md)
            items.append({"type": "warning", "id": 6, "heading": "Unsubscribe link",
                          "details": "No *|UNSUB|* merge tag: a footer with an unsubscribe link is added."})
        problems = mergetags.check(body) + mergetags.check(settings.get("subject_line") or "")
        item(not problems, 7, "Merge tags", "Merge tags are valid.", "Invalid Merge Tag Content: " + "; ".join(problems))
    if store.behaviours.unverified_domain:
        domain = str(settings.get("reply_to") or "").rpartition("@")[2] or "your domain"
        item(False, 8, "Domain verification", "", f"The from email address's domain, {domain}, is not verified.")
    return {"is_ready": all(i["type"] != "error" for i in items), "items": items}


def _address(contact: dict) -> tuple[str, str]:
    parts = [contact.get("company"), contact.get("address1"), contact.get("address2"), contact.get("city"),
             " ".join(p for p in (contact.get("state"), contact.get("zip")) if p), contact.get("country")]
    parts = [p for p in parts if p]
    return "  ".join(parts), ", ".join(parts)


def merge_values(store, campaign: dict, member: dict, base_url: str) -> dict:
    """Every tag a recipient's email can use: their merge fields (or the field's default) and system tags."""
    list_id = campaign["recipients"]["list_id"]
    lst = store.data["lists"][list_id]
    values = {}
    for f in store.under("merge_fields", list_id).values():
        value = member["merge_fields"].get(f["tag"], "")
        values[f["tag"]] = value if value not in ("", None) else f.get("default_value", "")
    address, line = _address(lst.get("contact") or {})
    unsub = f"{base_url}/_emulator/unsubscribe?id={list_id}&e={member['id']}&c={campaign['id']}"
    settings = campaign["settings"]
    values.update({"EMAIL": member["email_address"], "UNSUB": unsub, "UPDATE_PROFILE": unsub.replace("unsubscribe", "profile"),
                   "LIST:NAME": lst["name"], "LIST:COMPANY": (lst.get("contact") or {}).get("company", ""),
                   "LIST:ADDRESS": address, "LIST:ADDRESSLINE": line, "HTML:LIST_ADDRESS_HTML": html.escape(line),
                   "LIST:DESCRIPTION": lst.get("permission_reminder", ""), "MC:SUBJECT": settings.get("subject_line", ""),
                   "MC_PREVIEW_TEXT": settings.get("preview_text", ""), "ARCHIVE": campaign.get("archive_url", ""),
                   "CURRENT_YEAR": str(store.clock().year), "REWARDS": "",
                   "DATE": store.clock().strftime("%B %d, %Y")})
    return values


def deliver(store, campaign: dict, base_url: str) -> int:
    """Send now: one delivery per subscribed recipient, with merge tags filled for them (later, with a send lag)."""
    if campaign["status"] not in ("save", "paused"):
        raise bad_request(f"Cannot send a campaign with status \"{campaign['status']}\".")
    if not checklist(store, campaign)["is_ready"]:
        raise bad_request("Your Campaign is not ready to send.")
    chosen = recipients(store, campaign)
    _check_cap(store, len(chosen))
    campaign["status"] = "sending"
    store.touch()
    if store.behaviours.send_lag_reads:  # accepted; the emails go once the lagging reads are used up
        campaign.update(_queued=[m["id"] for m in chosen], _lag=store.behaviours.send_lag_reads)
        return 0
    return _send_to(store, campaign, chosen, base_url)


def _check_cap(store, count: int) -> None:
    cap = store.behaviours.daily_send_cap
    if cap is None:
        return
    since = iso(store.clock() - timedelta(days=1))
    sent = sum(1 for d in store.data["deliveries"] if d["time"] > since)
    if sent + count > cap:
        raise bad_request(f"This campaign would go past your account's sending limit of {cap} emails in 24 hours "
                          f"({sent} sent).")


def _send_to(store, campaign: dict, members: list[dict], base_url: str) -> int:
    """Record the emails; a cancel (`cancel_after`) stops them part way and leaves the campaign `canceled`."""
    content = store.data["contents"][campaign["id"]]
    html_body, text_body = content.get("html", ""), content.get("plain_text", "")
    if UNSUB not in html_body:  # Mailchimp adds its footer rather than refuse (docs/emulator.md)
        html_body += FOOTER_HTML
        text_body += FOOTER_TEXT
    now = store.now()
    settings = campaign["settings"]
    cap = store.behaviours.cancel_after
    sent = 0
    today = store.clock().date()  # for *|DATE:…|*
    for member in members:
        if cap is not None and sent >= cap:
            break
        values = merge_values(store, campaign, member, base_url)
        store.data["deliveries"].append({
            "id": secrets.token_hex(6), "campaign_id": campaign["id"], "campaign_title": settings.get("title", ""),
            "list_id": campaign["recipients"]["list_id"], "email_address": member["email_address"],
            "subscriber_hash": member["id"], "from_name": settings.get("from_name", ""),
            "reply_to": settings.get("reply_to", ""),
            "subject": mergetags.render(settings.get("subject_line", ""), values, today=today),
            "preview_text": mergetags.render(settings.get("preview_text", "") or "", values, today=today),
            "html": mergetags.render(html_body, values, escape=html.escape, today=today),
            "text": mergetags.render(text_body, values, today=today), "time": now})
        sent += 1
    stopped = cap is not None and sent < len(members)
    campaign.update(status="canceled" if stopped else "sent", emails_sent=sent, send_time=now)
    campaign["_sending_reads"] = 0 if stopped else store.sending_reads
    store.touch()
    return sent


def cancel(store, campaign: dict) -> None:
    """actions/cancel-send: a send still in progress stops; what went out stays sent."""
    if campaign.get("_queued") is None:
        raise bad_request(f"Cannot cancel a campaign with status \"{campaign['status']}\".")
    campaign.pop("_queued")
    campaign.pop("_lag", None)
    campaign.update(status="canceled", send_time=store.now())
    store.touch()


def read_status(store, campaign: dict) -> str | None:
    """Count one read of a campaign; the status it shows instead of its own while its send lags, if any."""
    if campaign.get("_queued") is not None and campaign.get("_lag", 0) > 0:
        campaign["_lag"] -= 1
        store.touch()
        return "save"
    return None


def deliver_due(store, base_url: str) -> None:
    """Checked on every request: scheduled campaigns whose time has come are sent, and lagging sends go out."""
    now = store.clock()
    for campaign in store.data["campaigns"].values():
        if campaign.get("_queued") is not None and campaign.get("_lag", 0) <= 0:
            members = store.under("members", campaign["recipients"]["list_id"])
            queued = [members[h] for h in campaign.pop("_queued") if members.get(h, {}).get("status") == "subscribed"]
            campaign.pop("_lag", None)
            _send_to(store, campaign, queued, base_url)
        elif campaign["status"] == "schedule":
            when = parse_time(campaign.get("send_time") or "")
            if when and when <= now:
                campaign["status"] = "save"
                try:
                    deliver(store, campaign, base_url)
                except Exception:  # a schedule that became unsendable is paused, as Mailchimp pauses it
                    campaign["status"] = "paused"
                    store.touch()


def quarter_hour(text: str, now: datetime) -> str:
    """A valid schedule time (UTC ISO 8601 on :00/:15/:30/:45, in the future), or a 400."""
    moment = parse_time(text or "")
    if moment is None:
        raise bad_request("This campaign cannot be scheduled: schedule_time is not an ISO 8601 time.")
    moment = moment.astimezone(timezone.utc)
    if moment.minute % 15 or moment.second or moment.microsecond:
        raise bad_request("This campaign cannot be scheduled: schedule times must be on the quarter-hour "
                          "(:00, :15, :30 or :45).")
    if moment <= now:
        raise bad_request("This campaign cannot be scheduled: the schedule time is in the past.")
    return iso(moment)
