"""Reading the audience's state from Mailchimp: members (as planner `Member`s), static segments, our campaigns.

Every read is paged (1000 a page) and trimmed with `fields=`, so a tick over a large audience costs one call per
thousand members.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from ..mailchimp.client import Mailchimp
from ..mailchimp.reads import PAGE, SENT, paged, parse_time
from ..mailchimp.records import PREFIX
from ..project.load import Project
from .members import Member, normalise_month_day

MEMBER_FIELDS = ["members.id", "members.email_address", "members.status", "members.merge_fields",
                 "members.timestamp_opt", "members.timestamp_signup", "members.tags", "members.tags_count",
                 "members.location.timezone", "total_items"]
SEGMENT_FIELDS = ["segments.id", "segments.name", "segments.member_count", "segments.created_at", "total_items"]
CAMPAIGN_FIELDS = ["campaigns.id", "campaigns.status", "campaigns.settings.title", "campaigns.send_time",
                   "campaigns.create_time", "campaigns.emails_sent", "total_items"]
TAG_LIMIT = 50  # a member read shows at most 50 tags; `tags_count` tells when there are more
FIELD_FIELDS = ["merge_fields.tag", "merge_fields.type", "merge_fields.options.date_format", "total_items"]


def to_member(project: Project, doc: dict, birthday_format: str = "MM/DD") -> Member:
    """A member read from Mailchimp as the planner's `Member`; the birthday read in the audience's format."""
    names = project.config.mailchimp.fields
    merge = doc.get("merge_fields") or {}
    persona = project.persona_of_choice(str(merge.get(names.persona) or ""))
    return Member(
        email=str(doc.get("email_address", "")).lower(), status=str(doc.get("status", "")), persona=persona,
        first_name=str(merge.get(names.first_name) or ""),
        birthday=normalise_month_day(merge.get(names.birthday), day_first=birthday_format.upper().startswith("DD")),
        timezone=str(merge.get(names.timezone) or "").strip() or None,
        location_timezone=((doc.get("location") or {}).get("timezone") or None),
        opted_in=parse_time(doc.get("timestamp_opt")), signed_up=parse_time(doc.get("timestamp_signup")),
        tags={t["name"] for t in doc.get("tags") or [] if isinstance(t, dict) and t.get("name")},
        merge_fields=dict(merge), id=str(doc.get("id") or Mailchimp.subscriber_hash(doc.get("email_address", ""))),
    )


def read_members(mc: Mailchimp, project: Project, birthday_format: str = "MM/DD",
                 status: str | None = "subscribed") -> tuple[list[Member], int]:
    """Members (subscribed ones unless `status` says otherwise; None: every status), with every tag; the second
    value counts extra calls made for tag overflow."""
    members, overflow = [], []
    query = {"status": status} if status else {}
    for doc in paged(mc, "lists.get_list_members_info", "members", mc.list_id, fields=MEMBER_FIELDS, **query):
        member = to_member(project, doc, birthday_format)
        members.append(member)
        # A read shows at most TAG_LIMIT tags (perhaps fewer); `tags_count` says how many there are.
        shown = len(doc.get("tags") or [])
        if int(doc.get("tags_count") or 0) > shown or shown >= TAG_LIMIT:
            overflow.append(member)
    for member in overflow:
        member.tags = set(member_tag_dates(mc, member))
    return members, len(overflow)


def member_tag_dates(mc: Mailchimp, member: Member) -> dict[str, datetime]:
    """Every tag of one member with the time it was added."""
    out = {}
    for tag in paged(mc, "lists.get_list_member_tags", "tags", mc.list_id, member.id):
        out[tag["name"]] = parse_time(tag.get("date_added")) or datetime.now(timezone.utc)
    return out


def add_trigger_tag_dates(mc: Mailchimp, project: Project, members: list[Member]) -> int:
    """For members carrying a trigger tag of a sequence they have not finished, learn when it was added."""
    triggers = {s.meta.trigger.tag: s for s in project.sequences if s.meta.trigger.type == "tag"}
    calls = 0
    for member in members:
        pending = [tag for tag, seq in triggers.items() if tag in member.tags
                   and not any(t.startswith(f"{PREFIX}{seq.key}:") for t in member.tags)]
        if pending:
            member.tag_dates.update(member_tag_dates(mc, member))
            calls += 1
    return calls


@dataclass
class Segment:
    id: int
    name: str
    member_count: int = 0
    created_at: datetime | None = None


@dataclass
class Campaign:
    id: str
    title: str
    status: str
    send_time: datetime | None = None
    create_time: datetime | None = None
    emails_sent: int = 0


@dataclass
class Index:
    """Our static segments (by name) and campaigns (by title): what find-or-create looks in."""

    segments: dict[str, Segment] = field(default_factory=dict)
    campaigns: dict[str, Campaign] = field(default_factory=dict)


def read_segments(mc: Mailchimp) -> dict[str, Segment]:
    out = {}
    for doc in paged(mc, "lists.list_segments", "segments", mc.list_id, type="static", fields=SEGMENT_FIELDS):
        out[doc["name"]] = Segment(int(doc["id"]), doc["name"], int(doc.get("member_count") or 0),
                                   parse_time(doc.get("created_at")))
    return out


def read_fields(mc: Mailchimp) -> dict[str, dict]:
    """The audience's merge fields by tag (type, and the date format of date and birthday fields)."""
    return {f["tag"]: f for f in paged(mc, "lists.get_list_merge_fields", "merge_fields", mc.list_id,
                                       fields=FIELD_FIELDS)}


def sent_to(mc: Mailchimp, campaign_id: str) -> set[str]:
    """Who a campaign reached, by Mailchimp's record of its recipients (lowercased emails)."""
    return {str(doc.get("email_address", "")).lower()
            for doc in paged(mc, "reports.get_campaign_recipients", "sent_to", campaign_id,
                             fields=["sent_to.email_address", "total_items"])}


def read_campaigns(mc: Mailchimp, since: datetime | None, *, newest: bool = False) -> dict[str, Campaign]:
    """welcome-gen's campaigns created since `since` (all of them when None; titles start with `wg:`), by title;
    with `newest`, only the newest page of them (a thousand), to find one just made.

    Not only those in welcome-gen's folder: a campaign someone moved to another folder is still a record of what
    was sent, and missing it could send a batch twice. Titles are not unique in Mailchimp (two runs at once, or a
    create whose lost answer was not found again, leave twins): a sent one wins, else the oldest, so every run
    settles on the same campaign and an unsent twin never hides the one that went.
    """
    out: dict[str, Campaign] = {}
    window = {} if since is None else {"since_create_time": since.astimezone(timezone.utc).isoformat()}
    if newest:
        found = mc.call("campaigns.list", fields=CAMPAIGN_FIELDS, list_id=mc.list_id, count=PAGE, offset=0,
                        sort_field="create_time", sort_dir="DESC", **window) or {}
        docs = found.get("campaigns") or []
    else:
        docs = paged(mc, "campaigns.list", "campaigns", fields=CAMPAIGN_FIELDS, list_id=mc.list_id, **window)
    for doc in docs:
        title = (doc.get("settings") or {}).get("title") or ""
        if title.startswith(PREFIX):
            found = Campaign(doc["id"], title, doc.get("status", ""), parse_time(doc.get("send_time")),
                             parse_time(doc.get("create_time")), int(doc.get("emails_sent") or 0))
            if title not in out or _rank(found) < _rank(out[title]):
                out[title] = found
    return out


def _rank(c: Campaign) -> tuple:
    return (c.status not in SENT, c.create_time or datetime.max.replace(tzinfo=timezone.utc), c.id)


def read_index(mc: Mailchimp, now: datetime, days: int) -> Index:
    return Index(read_segments(mc), read_campaigns(mc, now - timedelta(days=days + 1)))
