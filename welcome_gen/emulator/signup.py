"""Mailchimp's hosted signup form: `POST /subscribe/post?u=&id=`, where a site's embedded form sends people.

It checks what a person typed against the audience's merge fields as they are defined (required fields, each
type's format, a dropdown's choices by their text, the birthday's `TAG[month]` and `TAG[day]`), turns bots that
fill the hidden `b_<u>_<id>` field away, and adds the person: `pending` on a double opt-in audience (until they
follow the confirmation link), else `subscribed`. docs/emulator.md cites where each answer comes from.
"""

from __future__ import annotations

import html
import re
from typing import Any

from .common import find_member, subscriber_hash
from .members import _apply, _blank
from .mergefields import _check

# Mailchimp's `u` is the account's public id (25 hex digits); the emulator has one account, so one made-up id.
FORM_USER = "e0a1b2c3d4e5f60718293a4b5"
PARTS = {"birthday": ("month", "day"), "date": ("month", "day", "year"),
         "address": ("addr1", "addr2", "city", "state", "zip", "country")}
BOT = "Too many subscribe attempts for this email address. Please try again in about 5 minutes."


def form_action(base: str, list_id: str) -> str:
    """What a site's signup form should post to, to reach this emulator's audience `list_id`."""
    return f"{base}/subscribe/post?u={FORM_USER}&id={list_id}"


def _email_problem(email: str) -> str | None:
    """The address checks of Mailchimp's hosted form, in its words."""
    if not email:
        return "Please enter a value"
    if email.count("@") != 1:
        return "An email address must contain a single @."
    local, domain = email.split("@")
    if not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+",
                        domain) or not re.search(r"\.[A-Za-z]{2,}$", domain):
        return f"The domain portion of the email address is invalid (the portion after the @: {domain})"
    if not re.fullmatch(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*", local):
        return f"The username portion of the email address is invalid (the portion before the @: {local})"
    return None


def _typed(field: dict, form: dict[str, str]) -> Any:
    """A field's value as the form sent it: one input, or the parts of a birthday, date or address."""
    tag, kind = field["tag"], field["type"]
    if kind not in PARTS:
        return form.get(tag, "").strip()
    parts = {p: form.get(f"{tag}[{p}]", "").strip() for p in PARTS[kind]}
    if not any(parts.values()):
        return ""
    if kind == "address":
        return {k: v for k, v in parts.items() if v}
    numbers = [parts[p].zfill(2) if parts[p].isdigit() else parts[p] for p in ("month", "day")]
    if kind == "birthday":
        return "/".join(numbers)
    return "/".join(numbers + [parts["year"]])


def _checked(fields: list[dict], form: dict[str, str]) -> tuple[dict, list[tuple[int, str, str]]]:
    """Merge values to store, and the errors as (index in Mailchimp's field order, tag, message)."""
    values, errors = {}, []
    for index, field in enumerate(fields, start=1):  # index 0 is EMAIL
        value, message = _check(field, _typed(field, form))
        if message is None and field["required"] and value == "":
            message = "Please enter a value"
        if message:
            errors.append((index, field["tag"], message))
        elif value != "":
            values[field["tag"]] = value
    return values, errors


def subscribe(store, query: dict[str, str], form: dict[str, str], ip: str) -> tuple[int, str]:
    """Answer one form post: (HTTP status, the page Mailchimp would show)."""
    lst = store.data["lists"].get(query.get("id", ""))
    if query.get("u") != FORM_USER or lst is None:
        return 404, _page("Not found", "<p>This signup form does not exist.</p>")  # Mailchimp's page: unknown
    list_id = lst["id"]
    fields = sorted(store.under("merge_fields", list_id).values(), key=lambda f: (f["display_order"], f["merge_id"]))
    email = form.get("EMAIL", "").strip()
    if form.get(f"b_{FORM_USER}_{list_id}", ""):
        return 200, _errors(lst, [(-1, "", BOT)])
    problem = _email_problem(email)
    values, errors = _checked(fields, form)
    if problem:
        errors.insert(0, (0, "EMAIL", problem))
    if errors:
        return 200, _errors(lst, errors)
    member = find_member(store, list_id, subscriber_hash(email))
    if member is not None and member["status"] == "subscribed":
        return 200, _errors(lst, [(-1, "", f"{html.escape(email)} is already subscribed to list "
                                  f"{html.escape(lst['name'])}. Click here to update your profile")])
    if member is not None and member["status"] == "cleaned":
        return 200, _errors(lst, [(-1, "", f"{html.escape(email)} cannot be subscribed: the address bounced "
                                  "(the emulator's wording; Mailchimp's is unknown)")])
    # A returning person (unsubscribed, or pending already) confirms again; whether Mailchimp asks that of a
    # single opt-in audience is unknown, so the emulator asks it (never kinder).
    returning = member is not None and member["status"] != "archived"
    status = "pending" if lst.get("double_optin") or returning else "subscribed"
    if not returning:
        forgotten = store.data["forgotten"].get(list_id, [])
        if subscriber_hash(email) in forgotten:  # "must re-subscribe": the form is how they come back
            forgotten.remove(subscriber_hash(email))
        member = _blank(store, list_id, email)
        member["source"] = ""  # what Mailchimp records as a form signup's source: unknown
        store.under("members", list_id)[member["id"]] = member
    merged = {**member["merge_fields"], **values}
    _apply(store, list_id, member, {"merge_fields": merged, "status": status, "ip_signup": ip}, new=False,
           skip_merge=True)
    member["timestamp_signup"] = store.now()
    if status == "subscribed":
        member["ip_opt"] = ip
    if status == "pending":
        return 200, _page("Almost finished...", "<p>We need to confirm your email address.</p><p>To complete the "
                          "subscription process, please click the link in the email we just sent you.</p>")
    return 200, _page("Subscription confirmed", "<p>Your subscription to our list has been confirmed.</p>"
                      "<p>Thank you for subscribing!</p>")


def confirm(store, list_id: str, email: str) -> dict | None:
    """The person follows the link in the opt-in confirmation email: a pending member becomes subscribed."""
    member = find_member(store, list_id, subscriber_hash(email))
    if member is None or member["status"] != "pending":
        return None
    _apply(store, list_id, member, {"status": "subscribed"}, new=False, skip_merge=True)
    return member


def _errors(lst: dict, errors: list[tuple[int, str, str]]) -> str:
    items = "".join(f'<li data-field="{html.escape(tag)}" data-index="{index}">{message}</li>'
                    for index, tag, message in errors)
    return _page(lst["name"], f'<div class="errors" role="alert"><p>Please fix the following:</p><ul>{items}</ul></div>')


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang=en><meta charset=utf-8><title>{html.escape(title)}</title>"
            f"<h1>{html.escape(title)}</h1>{body}</html>")
