"""When readers open: per sequence, opens by hour of each reader's own day, from Mailchimp's per-member open
details (`GET /reports/{id}/open-details`), and each member's most-opened hour.

    opens = read_opens(mc, campaigns, reporter)                 # campaign title -> [(email, when)]
    hours = opens_by_hour(project, opens, members)              # sequence -> 24 counts, local hour of the reader
    best = most_opened_hours(project, opens, members, least=3)  # email -> (hour, opens at that hour, all opens)

A reader's hour is read in their own timezone (the TIMEZONE merge field, else Mailchimp's guess, else the site's),
as the send window is.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Iterable

from ..mailchimp.reads import paged, parse_time
from ..delivery.calendar import member_zone
from ..delivery.members import Member
from ..mailchimp.records import parse_batch_key
from ..errors import UsageError
from ..mailchimp.client import Mailchimp
from ..project.load import Project
from ..reporter import NullReporter, Reporter
from .gather import CampaignNumbers

OPEN_FIELDS = ["members.email_address", "members.opens", "total_items"]


def read_opens(mc: Mailchimp, campaigns: Iterable[CampaignNumbers],
               reporter: Reporter | None = None) -> dict[str, list[tuple[str, datetime]]]:
    """Every open of every welcome-gen batch campaign that was opened at all, with its time, by campaign title."""
    reporter = reporter or NullReporter()
    opened = [c for c in campaigns if parse_batch_key(c.title) is not None and c.numbers.opens]
    out: dict[str, list[tuple[str, datetime]]] = {}
    with reporter.task("reading when each email was opened", total=len(opened)) as task:
        def one(c: CampaignNumbers) -> list[tuple[str, datetime]]:
            found = []
            for doc in paged(mc, "reports.get_campaign_open_details", "members", c.id, fields=OPEN_FIELDS):
                email = str(doc.get("email_address", "")).lower()
                for o in doc.get("opens") or []:
                    if (when := parse_time(o.get("timestamp"))) is not None:
                        found.append((email, when))
            task.advance()
            return found

        for c, found in zip(opened, mc.map(one, opened)):
            out[c.title] = found
    return out


def _local_hours(project: Project, opens: dict[str, list[tuple[str, datetime]]],
                 members: Iterable[Member]) -> Iterable[tuple[str, str, int]]:
    """(sequence, email, local hour) for every open."""
    by_email = {m.email: m for m in members}
    site = project.config.site.timezone
    for title, found in opens.items():
        key = parse_batch_key(title)
        for email, when in found:
            member = by_email.get(email)
            tz = member_zone(member, site) if member is not None else None
            yield key.sequence, email, when.astimezone(tz).hour if tz else when.hour


def opens_by_hour(project: Project, opens: dict[str, list[tuple[str, datetime]]],
                  members: Iterable[Member]) -> dict[str, list[int]]:
    """Per sequence, how many opens fell in each hour (0-23) of the reader's own day."""
    out: dict[str, list[int]] = defaultdict(lambda: [0] * 24)
    for sequence, _, hour in _local_hours(project, opens, members):
        out[sequence][hour] += 1
    return dict(out)


def most_opened_hours(project: Project, opens: dict[str, list[tuple[str, datetime]]], members: Iterable[Member],
                      least: int) -> dict[str, tuple[int, int, int]]:
    """Per member with at least `least` opens: (their most-opened local hour, opens in it, all their opens); a tie
    goes to the earlier hour."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for _, email, hour in _local_hours(project, opens, members):
        counts[email][hour] += 1
    out = {}
    for email, hours in counts.items():
        total = sum(hours.values())
        if total >= least:
            hour, n = min(hours.items(), key=lambda item: (-item[1], item[0]))
            out[email] = (hour, n, total)
    return out


def learn_send_hours(project: Project, mc: Mailchimp, opens: dict[str, list[tuple[str, datetime]]],
                     members: Iterable[Member]) -> list[tuple[str, int]]:
    """With `sending.send_hour.learn` on: each subscribed member's most-opened hour (once they have
    `min_opens` opens) written to their send-hour merge field where it changed, which `send` then starts their
    window at. The (email, hour) pairs written."""
    setting = project.config.sending.send_hour
    if not setting.learn:
        return []
    tag = project.config.mailchimp.fields.send_hour
    have = {f["tag"] for f in paged(mc, "lists.get_list_merge_fields", "merge_fields", mc.list_id,
                                    fields=["merge_fields.tag", "total_items"])}
    if tag not in have:
        raise UsageError(f"sending.send_hour.learn is on but the audience has no {tag} merge field; run "
                         "`welcome-gen push`")
    members = [m for m in members if m.status == "subscribed"]
    best = most_opened_hours(project, opens, members, setting.min_opens)
    changes = [(m.email, best[m.email][0]) for m in sorted(members, key=lambda m: m.email)
               if m.email in best and str(m.merge_fields.get(tag) or "").strip() != str(best[m.email][0])]
    mc.map(lambda change: mc.call("lists.update_list_member", mc.list_id, Mailchimp.subscriber_hash(change[0]),
                                  {"merge_fields": {tag: change[1]}}), changes)
    return changes
