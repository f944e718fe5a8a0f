"""`push`: make the audience ready, idempotently — merge fields, the campaign folder, one template per email.

    changes = plan_push(project, outbox, mc)      # read Mailchimp, compare: create / update / unchanged (+ drift)
    apply_push(project, mc, changes)              # do the creates and updates

Drift: a template we wrote carries a fingerprint of the HTML we sent (`<!-- wg:sha256=... -->`). If the HTML
in Mailchimp no longer matches its own fingerprint, someone edited it in Mailchimp's editor, and `push` says so,
and what it would overwrite, before it does. A merge field whose name or options differ is drift too.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..project.experiment import split_variant
from ..mailchimp.client import Mailchimp, MailchimpError
from ..mailchimp.reads import paged
from .tick import find_folder

if TYPE_CHECKING:  # delivery is handed its emails; it never renders them
    from ..email.outbox import Outbox
    from ..project.load import Project

PERSONA_QUESTION = "Which of these describes you?"
FINGERPRINT = re.compile(r"\s*<!-- wg:sha256=([0-9a-f]{64}) -->\s*$")


@dataclass
class Change:
    kind: str  # "merge field" | "folder" | "template"
    name: str
    action: str  # "create" | "update" | "unchanged"
    detail: str = ""
    drift: str = ""  # what someone changed in Mailchimp that this push overwrites
    body: dict[str, Any] = field(default_factory=dict, repr=False)
    target: str | None = None  # the existing object's id


def fingerprinted(markup: str) -> str:
    return f"{markup}\n<!-- wg:sha256={hashlib.sha256(markup.encode()).hexdigest()} -->"


def _edited_in_mailchimp(current: str) -> bool:
    m = FINGERPRINT.search(current or "")
    if not m:
        return True  # not ours as written
    body = current[:m.start()]
    return hashlib.sha256(body.encode()).hexdigest() != m.group(1)


def wanted_fields(project: Project) -> dict[str, dict]:
    names = project.config.mailchimp.fields
    return {
        names.birthday: {"tag": names.birthday, "name": "Birthday", "type": "birthday",
                         "options": {"date_format": "MM/DD"}},
        names.persona: {"tag": names.persona, "name": PERSONA_QUESTION, "type": "dropdown",
                        "options": {"choices": project.persona_choices}},
        names.timezone: {"tag": names.timezone, "name": "Timezone", "type": "text"},
        **({names.send_hour: {"tag": names.send_hour, "name": "Best send hour", "type": "number"}}
           if project.config.sending.send_hour.learn else {}),
    }


def _field_diff(want: dict, have: dict) -> list[str]:
    diffs = []
    if have.get("name") != want["name"]:
        diffs.append(f"name {have.get('name')!r} -> {want['name']!r}")
    for key, value in (want.get("options") or {}).items():
        if key == "date_format":
            # An audience's own birthday format stays: what a change does to the values it holds is unknown, and
            # `send` reads birthdays in whichever format the field has.
            continue
        if (have.get("options") or {}).get(key) != value:
            diffs.append(f"options.{key} {(have.get('options') or {}).get(key)!r} -> {value!r}")
    return diffs


def plan_push(project: Project, outbox: Outbox, mc: Mailchimp) -> list[Change]:
    """What push would do, read from Mailchimp; changes nothing."""
    changes: list[Change] = []
    have_fields = {f["tag"]: f for f in paged(mc, "lists.get_list_merge_fields", "merge_fields", mc.list_id)}
    for tag, want in wanted_fields(project).items():
        have = have_fields.get(tag)
        if have is None:
            changes.append(Change("merge field", tag, "create", f"{want['type']}: {want['name']}", body=want))
        elif have.get("type") != want["type"]:
            changes.append(Change("merge field", tag, "conflict",
                                  f"is a {have.get('type')} field in Mailchimp, needs {want['type']}; Mailchimp cannot "
                                  "change a field's type: rename it there or set mailchimp.fields in welcome.yaml"))
        else:
            diffs = _field_diff(want, have)
            body = {k: v for k, v in want.items() if k != "tag"}
            changes.append(Change("merge field", tag, "update" if diffs else "unchanged", "; ".join(diffs),
                                  drift="; ".join(diffs), body=body, target=str(have["merge_id"])))
    folder = project.config.mailchimp.folder
    folder_id = find_folder(mc, folder, create=False)
    changes.append(Change("folder", folder, "unchanged" if folder_id else "create", target=folder_id))
    have_templates = {t["name"].split(" #")[0]: t for t in paged(
        mc, "templates.list", "templates", type="user", fields=["templates.id", "templates.name", "total_items"])}
    for email in outbox.steps.values():
        if split_variant(email.variant)[1]:
            continue  # another subject of an experiment: a template holds no subject, so one per step is enough
        base = f"wg:{email.sequence}:{email.step}:{email.variant}"
        markup = fingerprinted(email.html)
        # The name carries the fingerprint too, so an audience whose template HTML cannot be read still compares.
        name = f"{base} #{hashlib.sha256(markup.encode()).hexdigest()[:8]}"
        have = have_templates.get(base)
        if have is None:
            changes.append(Change("template", name, "create", body={"name": name, "html": markup}))
            continue
        current = _template_html(mc, have["id"])
        drift = ("edited in Mailchimp's editor; this push overwrites those edits"
                 if current and _edited_in_mailchimp(current) else "")
        if have["name"] == name and not drift:
            changes.append(Change("template", name, "unchanged", target=str(have["id"])))
            continue
        changes.append(Change("template", name, "update", "content changed" if have["name"] != name else "",
                              drift=drift, body={"name": name, "html": markup}, target=str(have["id"])))
    return changes


def _template_html(mc: Mailchimp, template_id: Any) -> str:
    """A template's HTML as stored; Mailchimp gives it through the template's default content."""
    try:
        doc = mc.call("templates.get_default_content_for_template", str(template_id)) or {}
    except MailchimpError as exc:
        if exc.status != 404:
            raise
        doc = {}
    sections = doc.get("sections") or {}
    return doc.get("html") or sections.get("html") or ""


def apply_push(project: Project, mc: Mailchimp, changes: list[Change]) -> None:
    for change in changes:
        if change.action == "conflict":
            raise MailchimpError(None, f"merge field {change.name}", change.detail, operation="push")
    for change in changes:
        if change.action not in ("create", "update"):
            continue
        if change.kind == "merge field":
            if change.action == "create":
                mc.call("lists.add_list_merge_field", mc.list_id, change.body,
                        lookup=lambda tag=change.name: next((f for f in paged(
                            mc, "lists.get_list_merge_fields", "merge_fields", mc.list_id) if f["tag"] == tag), None))
            else:
                mc.call("lists.update_list_merge_field", mc.list_id, change.target, change.body)
        elif change.kind == "folder":
            find_folder(mc, change.name, create=True)
        elif change.action == "create":
            mc.call("templates.create", change.body,
                    lookup=lambda name=change.name: next((t for t in paged(mc, "templates.list", "templates",
                                                                           type="user") if t["name"] == name), None))
        else:
            mc.call("templates.update_template", change.target, change.body)


def push(project: Project, outbox: Outbox, mc: Mailchimp, dry_run: bool = False) -> list[Change]:
    """Plan, and unless `dry_run`, apply; the changes either way (one template per email of the outbox)."""
    changes = plan_push(project, outbox, mc)
    if not dry_run:
        apply_push(project, mc, changes)
    return changes
