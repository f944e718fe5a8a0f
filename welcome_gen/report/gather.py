"""Read welcome-gen's sent campaigns and their reports from Mailchimp: numbers only, never a member.

    campaigns = gather(mc, since=None, reporter=reporter)   # list[CampaignNumbers]

Our campaigns are the ones titled `wg:…` on the audience, in whatever folder (as `send` reads them: one moved in
Mailchimp still counts). Their reports
come from the bulk `/reports` listing, 1,000 a call, when there are more than a few; otherwise one call each,
run in parallel. Only summary fields are asked for, so no address is ever read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..mailchimp.client import Mailchimp
from ..mailchimp.reads import SENT, paged, parse_time
from ..mailchimp.records import PREFIX
from ..reporter import NullReporter, Reporter

CAMPAIGN_FIELDS = ["campaigns.id", "campaigns.status", "campaigns.settings.title", "campaigns.send_time",
                   "campaigns.emails_sent", "total_items"]
REPORT_FIELDS = ["id", "campaign_title", "emails_sent", "unsubscribed", "send_time", "bounces.hard_bounces",
                 "bounces.soft_bounces", "opens.opens_total", "opens.unique_opens", "clicks.clicks_total",
                 "clicks.unique_subscriber_clicks"]
#: Up to this many campaigns, one report call each (in parallel) beats paging every report of the account.
ONE_BY_ONE = 20


@dataclass
class Numbers:
    """How one campaign, or a sum of campaigns, did. Rates are of delivered emails, as Mailchimp counts them."""

    campaigns: int = 0
    sent: int = 0
    bounces: int = 0
    opens: int = 0  # unique opens (members who opened at least once)
    clicks: int = 0  # members who clicked at least once
    unsubscribes: int = 0
    total_opens: int = 0
    total_clicks: int = 0

    @property
    def delivered(self) -> int:
        return max(0, self.sent - self.bounces)

    @property
    def open_rate(self) -> float:
        return self.opens / self.delivered if self.delivered else 0.0

    @property
    def click_rate(self) -> float:
        return self.clicks / self.delivered if self.delivered else 0.0

    def __add__(self, other: "Numbers") -> "Numbers":
        return Numbers(*(getattr(self, f) + getattr(other, f) for f in self.__dataclass_fields__))

    def as_dict(self) -> dict[str, Any]:
        return {"campaigns": self.campaigns, "sent": self.sent, "delivered": self.delivered, "bounces": self.bounces,
                "unique_opens": self.opens, "open_rate": round(self.open_rate, 4), "unique_clicks": self.clicks,
                "click_rate": round(self.click_rate, 4), "unsubscribes": self.unsubscribes,
                "total_opens": self.total_opens, "total_clicks": self.total_clicks}


@dataclass
class CampaignNumbers:
    """One sent welcome-gen campaign: its title (the batch key or `wg:issue:<slug>`), when, and its numbers."""

    id: str
    title: str
    send_time: datetime | None
    numbers: Numbers = field(default_factory=Numbers)


def numbers_of(doc: dict) -> Numbers:
    """A Mailchimp campaign report (summary) as Numbers."""
    bounces, opens, clicks = doc.get("bounces") or {}, doc.get("opens") or {}, doc.get("clicks") or {}
    return Numbers(campaigns=1, sent=int(doc.get("emails_sent") or 0),
                   bounces=int(bounces.get("hard_bounces") or 0) + int(bounces.get("soft_bounces") or 0),
                   opens=int(opens.get("unique_opens") or 0), clicks=int(clicks.get("unique_subscriber_clicks") or 0),
                   unsubscribes=int(doc.get("unsubscribed") or 0), total_opens=int(opens.get("opens_total") or 0),
                   total_clicks=int(clicks.get("clicks_total") or 0))


def list_campaigns(mc: Mailchimp, since: datetime | None) -> dict[str, CampaignNumbers]:
    """Our sent campaigns on the audience, by id (numbers still empty)."""
    query: dict[str, Any] = {"list_id": mc.list_id}
    if since is not None:
        query["since_send_time"] = _iso(since)
    out = {}
    for doc in paged(mc, "campaigns.list", "campaigns", fields=CAMPAIGN_FIELDS, **query):
        title = (doc.get("settings") or {}).get("title") or ""
        sent_at = parse_time(doc.get("send_time"))
        if title.startswith(PREFIX) and doc.get("status") in SENT and (since is None or (sent_at and sent_at >= since)):
            out[str(doc["id"])] = CampaignNumbers(str(doc["id"]), title, sent_at)
    return out


def gather(mc: Mailchimp, since: datetime | None = None, reporter: Reporter | None = None,
           one_by_one: int = ONE_BY_ONE) -> list[CampaignNumbers]:
    """Every sent welcome-gen campaign since `since` with its report numbers, oldest first."""
    reporter = reporter or NullReporter()
    with reporter.task("reading campaigns", total=None):
        ours = list_campaigns(mc, since)
    with reporter.task("reading reports", total=len(ours)) as task:
        missing = set(ours)
        if len(ours) > one_by_one:
            query = {"since_send_time": _iso(since)} if since is not None else {}
            for doc in paged(mc, "reports.get_all_campaign_reports", "reports", type="regular",
                             fields=[f"reports.{f}" for f in REPORT_FIELDS] + ["total_items"], **query):
                if str(doc.get("id")) in missing:
                    ours[str(doc["id"])].numbers = numbers_of(doc)
                    missing.discard(str(doc["id"]))
                    task.advance()

        def one(cid: str) -> None:
            ours[cid].numbers = numbers_of(mc.call("reports.get_campaign_report", cid, fields=REPORT_FIELDS) or {})
            task.advance()

        # Reports the listing left out (a campaign still sending may not be in it yet) are read one by one.
        mc.map(one, sorted(missing))
    epoch = datetime.min.replace(tzinfo=timezone.utc)
    return sorted(ours.values(), key=lambda c: (c.send_time or epoch, c.title))


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()
