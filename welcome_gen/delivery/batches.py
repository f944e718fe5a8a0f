"""Find-or-create by name, the only safe way to create in Mailchimp: segments (tags) and campaigns.

`POST /segments` and `POST /campaigns` are not idempotent; a retry after a lost answer would make a twin. So every
creation looks the name up first (in the tick's index), and the gateway consults a fresh lookup before retrying.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Iterable

from ..mailchimp.client import Mailchimp, MailchimpError
from ..mailchimp.reads import DONE, SENT, parse_time
from .audience import Campaign, Index, Segment, read_campaigns, read_segments, sent_to

if TYPE_CHECKING:
    from ..email.render import RenderedEmail

SEGMENT_ADD = 500  # Mailchimp's most members per segment call
CONFIRM_READS = 6  # status reads after an accepted send, waiting for Mailchimp to show it (backing off between)

__all__ = ["BatchGateway", "NotYet", "chunks"]


class NotYet(MailchimpError):
    """Mailchimp is not ready for this batch yet (its recipients are not all counted): the next run sends it."""


def chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


@dataclass
class BatchGateway:
    """Creates and fills segments and campaigns against one index, keeping the index current."""

    mc: Mailchimp
    index: Index
    folder_id: str | None
    now: datetime

    def segment(self, name: str) -> Segment:
        found = self.index.segments.get(name)
        if found is not None:
            return found
        lookup = lambda: read_segments(self.mc).get(name)  # noqa: E731
        try:
            doc = self.mc.call("lists.create_segment", self.mc.list_id, {"name": name, "static_segment": []},
                               lookup=lookup)
        except MailchimpError as exc:
            # "That tag already exists": another run (or someone in Mailchimp) made it since the index was read.
            doc = lookup() if exc.status == 400 else None
            if doc is None:
                raise
        seg = doc if isinstance(doc, Segment) else Segment(int(doc["id"]), doc["name"], 0,
                                                           parse_time(doc.get("created_at")))
        self.index.segments[name] = seg
        return seg

    def change(self, seg: Segment, add: list[str] = (), remove: list[str] = ()) -> list[str]:
        """Add and remove members, 500 a call; the emails Mailchimp refused."""
        refused: list[str] = []
        for field, emails in (("members_to_add", list(add)), ("members_to_remove", list(remove))):
            for part in chunks(emails, SEGMENT_ADD):
                # Adding or removing members already (not) there changes nothing: safe to repeat, like a read.
                doc = self.mc.call("lists.batch_segment_members", {field: part}, self.mc.list_id, seg.id,
                                   idempotent=True) or {}
                # Refusals name the email, or sometimes the member's hash: map both back to the email.
                named = {e.lower(): e.lower() for e in part} | {Mailchimp.subscriber_hash(e): e.lower() for e in part}
                for error in doc.get("errors") or []:
                    refused += [named.get(str(e).lower(), str(e)) for e in error.get("email_addresses") or []]
        return refused

    def tag(self, name: str, emails: list[str]) -> list[str]:
        """Put a tag on members (a tag is a static segment); the emails Mailchimp refused."""
        if not emails:
            return []
        return self.change(self.segment(name), add=emails)

    def delete_segment(self, name: str) -> None:
        seg = self.index.segments.pop(name, None)
        if seg is not None:
            try:
                self.mc.call("lists.delete_segment", self.mc.list_id, seg.id)
            except MailchimpError as exc:
                if exc.status != 404:  # already gone is what we wanted
                    raise

    def campaign(self, key: str, seg: Segment | None, email: RenderedEmail) -> Campaign:
        """The batch's campaign (to `seg`, or the whole audience), created with its content when missing; an unsent
        one gets fresh content."""
        found = self.index.campaigns.get(key)
        if found is None:
            settings = {"subject_line": email.subject, "preview_text": email.preheader, "title": key,
                        "from_name": email.from_name, "reply_to": email.reply_to}
            if self.folder_id:
                settings["folder_id"] = self.folder_id
            recipients = {"list_id": self.mc.list_id}
            if seg is not None:
                recipients["segment_opts"] = {"saved_segment_id": seg.id}
            body = {"type": "regular", "settings": settings, "recipients": recipients}
            # Looked up among the newest campaigns, not by a time: Mailchimp's clock need not be this tick's `now`.
            lookup = lambda: read_campaigns(self.mc, None, newest=True).get(key)  # noqa: E731
            doc = self.mc.call("campaigns.create", body, lookup=lookup)
            found = doc if isinstance(doc, Campaign) else Campaign(doc["id"], key, doc.get("status", "save"))
            found = self.index.campaigns[key] = self._settle(key, found)
        if found.status not in SENT:
            try:
                self.mc.call("campaigns.set_content", found.id, {"html": email.html, "plain_text": email.text})
            except MailchimpError:
                if self.status(found) not in SENT:  # refused because it is going out already: a record
                    raise
        return found

    def _settle(self, key: str, mine: Campaign) -> Campaign:
        """The campaign of this title every run agrees on. A run overlapping this one may have made (even sent) a
        campaign of the same title since this tick read the index: a sent one wins, else the oldest, and the
        loser's maker removes it unsent, so two runs never send one batch twice."""
        winner = read_campaigns(self.mc, None, newest=True).get(key) or mine
        if winner.id != mine.id:
            try:
                self.mc.call("campaigns.remove", mine.id)
            except MailchimpError as exc:
                if exc.status != 404:
                    raise
        return winner

    def delete_campaign(self, key: str) -> None:
        found = self.index.campaigns.pop(key, None)
        if found is not None:
            try:
                self.mc.call("campaigns.remove", found.id)
            except MailchimpError as exc:
                if exc.status != 404:
                    raise

    def find(self, titles: Iterable[str]) -> None:
        """Look campaigns up by title among all of welcome-gen's, created at any time: absence from the tick's
        date-filtered index proves nothing (a clock that differs, a list that lags), so nothing is planned again,
        deleted or sent again because of it. One paged read, only when a title is missing."""
        wanted = {t for t in titles if t not in self.index.campaigns}
        if wanted:
            found = read_campaigns(self.mc, None)
            self.index.campaigns.update({t: found[t] for t in wanted if t in found})

    def send(self, campaign: Campaign, expected: int | None = None) -> str:
        """Check, re-read, and send only from `save`, when Mailchimp counts the `expected` recipients (None: any);
        the campaign's status afterwards, one of SENT.

        A refusal (the checklist, a gate) raises and changes nothing. A send whose answer was lost is never made
        again here: the status says whether it went, and only a later run sends one whose status says it did not.
        """
        doc = self._read(campaign)
        if campaign.status == "save":
            counted = (doc.get("recipients") or {}).get("recipient_count")
            if expected is not None and counted is not None and int(counted) != expected:
                raise NotYet(None, "Not sent yet", f"Mailchimp counts {counted} recipient(s) of the {expected} in "
                             "the batch; the next run sends it when the two agree", operation="campaigns.send")
            checklist = self.mc.call("campaigns.get_send_checklist", campaign.id) or {}
            if not checklist.get("is_ready", False):
                reasons = "; ".join(f"{i.get('heading')}: {i.get('details')}" for i in checklist.get("items") or []
                                    if i.get("type") == "error")
                raise MailchimpError(None, "Mailchimp's send checklist failed", reasons or "not ready",
                                     operation="campaigns.get_send_checklist")
            try:
                self.mc.call("campaigns.send", campaign.id)
            except MailchimpError as exc:
                # Refused, or the answer was lost after the send took effect: the status says which.
                if self._confirm(campaign) not in SENT:
                    raise exc from None
            else:
                if self._confirm(campaign) not in SENT:
                    campaign.status = "sending"  # accepted (204), though Mailchimp does not show it yet
        if campaign.status not in SENT:
            raise MailchimpError(None, "Campaign not sendable", f"its status is '{campaign.status}'",
                                 operation="campaigns.send")
        return campaign.status

    def _confirm(self, campaign: Campaign) -> str:
        """Re-read the status until Mailchimp shows a send (reads can lag behind an accepted one), a few times."""
        for attempt in range(1, CONFIRM_READS + 1):
            if self.status(campaign) in SENT:
                break
            if attempt < CONFIRM_READS:
                self.mc.pause(attempt)
        return campaign.status

    def _read(self, campaign: Campaign) -> dict:
        doc = self.mc.call("campaigns.get", campaign.id, fields=["status", "recipients.recipient_count"]) or {}
        campaign.status = doc.get("status", "")
        return doc

    def status(self, campaign: Campaign) -> str:
        self._read(campaign)
        return campaign.status

    def reached(self, campaign: Campaign) -> set[str] | None:
        """Who the campaign reached (Mailchimp's sent-to record), once Mailchimp is done sending it; else None."""
        if campaign.status not in DONE:
            return None
        return sent_to(self.mc, campaign.id)
