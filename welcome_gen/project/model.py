"""The typed model of an author's project: every option declared once, with its meaning.

Unknown keys are errors (with a suggestion), so a typo never silently does nothing.
"""

from __future__ import annotations

import difflib
import functools
import re
from pathlib import PurePosixPath
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from .steps import WEEKDAYS

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
EMAIL_RE = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
DURATION_RE = re.compile(r"^\s*(\d+)\s*(m|min|h|d|w)?\s*$")


MAX_DURATION_HOURS = 24 * 3653


def parse_duration(value: Any) -> timedelta:
    """'0', '90m', '2h', '3d', '1w' (or a bare number of hours) as a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("expected a duration like '2h', '3d' or '1w'")
    if isinstance(value, int):
        n, unit = value, "h"
    else:
        m = DURATION_RE.match(str(value))
        if not m:
            raise ValueError(f"'{value}' is not a duration; write e.g. '30m', '2h', '3d' or '1w'")
        n, unit = int(m.group(1)), m.group(2) or "h"
    hours = n * {"m": 1 / 60, "min": 1 / 60, "h": 1, "d": 24, "w": 24 * 7}[unit]
    if not 0 <= hours <= MAX_DURATION_HOURS:  # past this, dates leave the calendar (year 9999)
        raise ValueError(f"'{value}' is not a duration from 0 to 10 years")
    return {"m": timedelta(minutes=n), "min": timedelta(minutes=n), "h": timedelta(hours=n),
            "d": timedelta(days=n), "w": timedelta(weeks=n)}[unit]


def _slug(value: Any) -> str:
    if not isinstance(value, str) or not SLUG_RE.match(value):
        raise ValueError(f"'{value}' is not a valid slug: use lowercase letters, digits and '-' only")
    return value


def _url(value: Any) -> str:
    if not isinstance(value, str) or not URL_RE.match(value.strip()):
        raise ValueError(f"'{value}' is not a URL: it must start with https:// or http://")
    return value.strip()


def _email(value: Any) -> str:
    if not isinstance(value, str) or not EMAIL_RE.match(value.strip()):
        raise ValueError(f"'{value}' is not a valid email address")
    return value.strip()


def _timezone(value: Any) -> str:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long to be a file name
        known = {name.lower(): name for name in available_timezones()}
        guess = difflib.get_close_matches(str(value).lower(), known, n=1, cutoff=0.8)
        hint = f" (did you mean '{known[guess[0]]}'?)" if guess else "; use a name like 'Europe/London'"
        raise ValueError(f"'{value}' is not a known timezone{hint}") from None
    return str(value)


def _clock(value: Any) -> time:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:  # YAML reads 09:00 as 540
        return time(value // 60, value % 60)
    if isinstance(value, time):
        return value
    m = re.match(r"^(\d{1,2}):(\d{2})$", str(value).strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValueError(f"'{value}' is not a time of day; write it as 'HH:MM' in quotes")
    return time(int(m.group(1)), int(m.group(2)))


def _month_day(value: Any) -> str:
    m = re.match(r"^(\d{2})/(\d{2})$", str(value))
    if not m:
        raise ValueError(f"'{value}' is not a birthday; write it as 'MM/DD'")
    month, day = int(m.group(1)), int(m.group(2))
    try:
        date(2000, month, day)  # a leap year, so 02/29 is valid
    except ValueError:
        raise ValueError(f"'{value}' is not a real day of the year") from None
    return str(value)


def _moment(value: Any) -> date | datetime:
    """A date as other tools write them: 2004-01-05, 2004-01-05 23:04, 2004-01-05T23:04:00Z, ...T23:04:00+10:00."""
    if isinstance(value, date):  # YAML reads a bare date, and a full timestamp, itself
        return value
    text = str(value).strip()
    try:
        if _DAY.fullmatch(text):
            return date.fromisoformat(text)
        if _DAY_AND_TIME.match(text):
            return datetime.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError(f"'{value}' is not a date: write YYYY-MM-DD, with a time if it matters (YYYY-MM-DD HH:MM, "
                     "in the site's timezone, or 2004-01-05T23:04:00+10:00)")


_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_DAY_AND_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}")


def _tag_list(value: Any) -> Any:
    """Tags as other tools write them: 'Wood Work, Tools' or ['Wood Work'] become ['wood-work', 'tools']."""
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [_tag_slug(t) if isinstance(t, str) else t for t in value]
    return value


@functools.lru_cache(maxsize=4096)  # a site has a few dozen tags, written on thousands of issues
def _tag_slug(tag: str) -> str:
    return _NOT_SLUG.sub("-", tag.strip().lower()).strip("-")


Slug = Annotated[str, BeforeValidator(_slug)]
Url = Annotated[str, BeforeValidator(_url)]
Email = Annotated[str, BeforeValidator(_email)]
TimeZoneName = Annotated[str, BeforeValidator(_timezone)]
Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
ClockTime = Annotated[time, BeforeValidator(_clock)]
MonthDay = Annotated[str, BeforeValidator(_month_day)]
Moment = Annotated[datetime | date, BeforeValidator(_moment)]
Weekday = Literal[WEEKDAYS]  # type: ignore[valid-type]  # one spelling of the day names


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# -- welcome.yaml -------------------------------------------------------------------------------


class SignupForm(Schema):
    """Where the site's signup form sends people."""

    action: Url = Field(description="Where the signup form sends people: in Mailchimp, *Audience → Signup forms → "
                        "Embedded form*, copy the form's `action` address "
                        "(`https://….list-manage.com/subscribe/post?u=…&id=…`).")
    honeypot: str | None = Field(None, description="The name of the hidden bot-trap field. Normally left out: it is "
                                 "`b_<u>_<id>`, read from the `action` address, as in Mailchimp's own embedded form.")
    intro: str = Field("", description="The sentence under the signup form's heading, in your words: what people "
                       "get and how often (e.g. \"A short letter every other week\"). Without it the theme says only who "
                       "the letters are from and that unsubscribing takes one click; it promises no schedule.")


class Site(Schema):
    """The website: its name, address, language and timezone, and its signup form."""

    title: str = Field(description="The site's name: in the header, every page title and the feed.")
    url: Url = Field(description="Where the site is published, e.g. `https://example.org/` or, for a GitHub Pages "
                     "project site, `https://you.github.io/project/`. Links inside the site work either way; the "
                     "feed, sitemap, canonical links and every email's links use this address.")
    language: str = Field("en", description="The `lang` of every page, every email and the feed, and the language "
                          "of the theme's own words and dates (see \"The theme's words\"): `en-GB` writes dates as "
                          "*23 October 2026*, `en` as *October 23, 2026*.")
    timezone: TimeZoneName = Field("UTC", description="Decides what \"today\" is: an issue dated today is published "
                                   "from local midnight; `send_at` times without a zone are read in it; subscribers "
                                   "whose own timezone is unknown get their emails in its send window. `init` writes "
                                   "`UTC`: change it to yours, e.g. `Europe/London`.")
    description: str = Field("", description="One sentence about you: the home page's subtitle (if "
                             "`content/index.md` has none) and the feed's subtitle.")
    per_page: int = Field(5, ge=1, le=100, description="Newsletter issues per archive page (1 to 100).")
    signup: SignupForm = Field(description="The signup form on every page.")


class Business(Schema):
    """Who sends: the name, postal address and reply address every page and email shows."""

    name: str = Field(description="Your business's name: in the footer, the fit page and the feed's author.")
    postal_address: str = Field(description="Shown in the site footer and, as anti-spam law requires, in every "
                                "email.")
    reply_to: Email = Field(description="The address replies go to; linked in the footer.")
    from_name: str | None = Field(None, description="The sender name on emails (default: `name`).")


class MergeFields(Schema):
    """Which Mailchimp merge tag holds each subscriber field."""

    first_name: str = Field("FNAME", description="The merge tag holding the subscriber's first name; also the "
                            "signup form's field name.")
    last_name: str = Field("LNAME", description="The merge tag holding the subscriber's last name.")
    birthday: str = Field("BIRTHDAY", description="The merge tag holding the birthday (`MM/DD`); also the signup "
                          "form's field name.")
    persona: str = Field("PERSONA", description="The merge tag holding the subscriber's persona (its slug or "
                         "title); also the signup form's field name.")
    timezone: str = Field("TIMEZONE", description="The merge tag holding the subscriber's timezone (e.g. "
                          "`Europe/Berlin`); without it, Mailchimp's guess from their location, then the site's.")
    send_hour: str = Field("SENDHOUR", description="The merge tag holding the hour of their own day a member "
                           "opens most: `report` learns it and `send` uses it, with `sending.send_hour.learn`.")


class MailchimpSettings(Schema):
    """The Mailchimp audience the emails go to (the API key only ever comes from `MAILCHIMP_API_KEY`)."""

    audience_id: str | None = Field(None, description="The audience (list) id; `MAILCHIMP_LIST_ID` overrides it.")
    server: str | None = Field(None, description="The data centre (`us6`…); normally read from the API key's "
                               "`-us6` ending.")
    fields: MergeFields = Field(MergeFields(), description="Which merge tag holds each subscriber field. `push` "
                                "creates the ones that are missing.")
    folder: str = Field("welcome-gen", description="The campaign folder welcome-gen files its campaigns in.")


class SendWindow(Schema):
    """A daily window of each subscriber's own local time."""

    start: ClockTime = Field(time(9, 0), description="When the send window opens, in each subscriber's local "
                             "time (quote it: `\"09:00\"`).")
    end: ClockTime = Field(time(18, 0), description="When the send window closes, in each subscriber's local time.")

    @model_validator(mode="after")
    def _ordered(self) -> "SendWindow":
        if self.end <= self.start:
            raise ValueError("the send window must end after it starts")
        return self


class SendHour(Schema):
    """Opt-in: send to each member at the hour of their own day they open most, inside the window."""

    learn: bool = Field(False, description="Opt-in: `report` learns the hour of their own day each member opens "
                        "most into `mailchimp.fields.send_hour` (`SENDHOUR`), and `send` starts their window there.")
    min_opens: int = Field(3, ge=1, description="Opens a member needs before their hour is learnt.")


class Sending(Schema):
    """When emails may go, and how many: the kindness rules every sequence follows unless it sets its own."""

    window: SendWindow = Field(SendWindow(), description="Emails go out only inside this window of each "
                               "subscriber's own local time.")
    days: list[Weekday] = Field(list(WEEKDAYS), min_length=1,  # no day at all would never send
                                description="Allowed days: `[mon, tue, wed, thu, fri, sat, sun]`.")
    max_lateness: Duration = Field(timedelta(days=2), description="A step more overdue than this (`30m`, `6h`, "
                                   "`2d`, `1w`; `0` for none) is skipped and marked, never sent late: a new sequence "
                                   "never blasts an old list.")
    min_gap: Duration = Field(timedelta(days=1), description="`check` warns on two steps of a sequence closer "
                              "together than this; each step's delay counts from the trigger, so the gap between "
                              "two steps is the difference of their delays.")
    max_per_week: int = Field(3, ge=1, description="The most sequence emails from welcome-gen one subscriber gets "
                              "in any 7 days; recognition waits its turn. Newsletter issues are not counted.")
    birthday_not_with_welcome: bool = Field(True, description="No birthday email on a day a welcome step goes out.")
    send_hour: SendHour = Field(SendHour(), description="Send to each member at the hour they open most.")


def _events_file(value: Any) -> str:
    text = str(value or "").strip().replace("\\", "/")
    if not text.endswith(".jsonl") or text.startswith("/") or ".." in text.split("/") or ":" in text:
        raise ValueError(f"'{value}' is not a JSON-lines file inside the project, e.g. 'events/thanks.jsonl'")
    return PurePosixPath(text).as_posix()


class EventsSettings(Schema):
    file: Annotated[str, BeforeValidator(_events_file)] = Field(
        "events/thanks.jsonl", description="Where `welcome-gen thank` records events (JSON lines, relative to the "
                                           "project); `send` reads it beside the events/ folder.")


def _rate(value: Any) -> float:
    """A share written as 0.45 or "45%"."""
    text = str(value).strip()
    try:
        number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise ValueError(f"'{value}' is not a rate; write it as a percentage like '45%' (or 0.45)") from None
    if isinstance(value, bool) or not 0 <= number <= 1:
        raise ValueError(f"'{value}' is not a rate between 0% and 100%")
    return number


Rate = Annotated[float, BeforeValidator(_rate)]


class FlagSettings(Schema):
    unsubscribe_ratio: float = Field(2.0, gt=1, description="Flag a step whose unsubscribe rate is more than this "
                                                            "many times its sequence's average.")
    open_drop: float = Field(0.5, gt=0, lt=1, description="Flag a step whose open rate is below this share of the "
                                                          "previous step's.")
    min_delivered: int = Field(20, ge=1, description="Steps with fewer delivered emails are never flagged: "
                                                     "a rate over a handful is noise.")


class ReportSettings(Schema):
    overdue_after: Duration = Field(timedelta(days=14), description="A subscribed member this long on the list "
                                                                    "with no personal email is overdue in the ledger.")
    flags: FlagSettings = Field(FlagSettings(), description="When a step is flagged in the report.")


class Goals(Schema):
    """What the report measures each week against."""

    signups_per_week: int | None = Field(None, ge=0, description="Target: new members a week (e.g. `20`), "
                                   "shown each week in the report with Mailchimp's audience growth.")
    welcome_completion: Rate | None = Field(None, description="Target: the share of new members who "
                                               "receive the welcome series' last step (e.g. `60%`).")
    open_rate: Rate | None = Field(None, description="Target: unique opens over delivered "
                                        "emails, of everything sent (e.g. `45%`).")


def _utm_switch(value: Any) -> Any:
    return {"enabled": value} if isinstance(value, bool) else value


UTM_VALUE = re.compile(r"^[A-Za-z0-9._~-]+$")


def _utm_value(value: Any) -> str:
    if not isinstance(value, str) or not UTM_VALUE.match(value):
        raise ValueError(f"'{value}' is not a UTM value: use letters, digits, '-', '_' and '.' only")
    return value


class Utm(Schema):
    """UTM parameters on every link to the site: campaign = the sequence (or issue), content = the step."""

    enabled: bool = Field(True, description="Links to the site carry UTM parameters (campaign = sequence or issue, "
                          "content = step); `utm: false` adds none.")
    source: Annotated[str, BeforeValidator(_utm_value)] = Field("mailchimp", description="The links' `utm_source`.")
    medium: Annotated[str, BeforeValidator(_utm_value)] = Field("email", description="The links' `utm_medium`.")


class Config(Schema):
    """`welcome.yaml`: the site, the business, the Mailchimp audience, the sending rules, and what `thank` and
    `report` need."""

    site: Site = Field(description="The website: its name, address, language and timezone, and its signup form.")
    business: Business = Field(description="Who sends: the name, postal address and reply address every page "
                               "and email shows.")
    mailchimp: MailchimpSettings = Field(MailchimpSettings(), description="The Mailchimp audience the emails go to.")
    sending: Sending = Field(Sending(), description="When emails may go, and how many.")
    events: EventsSettings = Field(EventsSettings(), description="Where `welcome-gen thank` records events.")
    report: ReportSettings = Field(ReportSettings(), description="What `report` flags, and when a member is overdue.")
    goals: Goals = Field(Goals(), description="What the report measures each week against.")
    utm: Annotated[Utm, BeforeValidator(_utm_switch)] = Field(Utm(), description="`utm: false` turns it off.")


# -- content/ -----------------------------------------------------------------------------------


class PageMeta(Schema):
    title: str
    slug: Slug | None = None
    description: str = ""
    menu: int | None = Field(None, description="Position in the navigation; absent means not in the menu.")
    draft: bool = False
    template: str | None = None


class Alternative(Schema):
    name: str
    url: Url
    why: str


class PersonaMeta(Schema):
    title: str
    fit: bool
    summary: str
    slug: Slug | None = None
    formerly: list[Slug] = Field([], description="Earlier slugs of this persona: members who chose one are this "
                                 "persona, and they stay choices of the audience's persona field.")
    signs: list[str] = []
    we_do: list[str] = []
    instead: list[Alternative] = []
    order: int = 0
    draft: bool = False

    @model_validator(mode="after")
    def _instead_for_unfit(self) -> "PersonaMeta":
        if not self.fit and not self.instead:
            raise ValueError("a persona we are not a good fit for needs 'instead': where to go, with name, url and why")
        return self


# Front matter other site generators write that has no meaning here: a migrated post builds without edits.
FOREIGN_KEYS = {"layout", "author", "authors", "lastmod", "modified", "updated", "weight", "keywords", "images",
                "image", "series", "type", "permalink", "url", "toc", "comments", "categories", "category",
                "publishdate", "expirydate", "cover", "featured_image", "showtoc", "math", "lang", "translationkey"}


_ISSUE_KEYS: dict[type, frozenset[str]] = {}


class IssueMeta(Schema):
    title: str
    date: Moment = Field(description="YYYY-MM-DD, or with a time: orders the issues and reaches the feed.")
    slug: Slug | None = None
    summary: str = ""
    # Lists made afresh for each issue: a default of [] would be deep-copied for each, at a cost (5,000 issues).
    tags: Annotated[list[Slug], BeforeValidator(_tag_list)] = Field(default_factory=list)
    draft: bool = False
    aliases: list[str] = Field(default_factory=list,
                               description="Earlier addresses of this issue on the site; each redirects here.")
    send_at: datetime | None = Field(None, description="When to send this issue as a campaign (once).")
    personas: list[Slug] | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_other_tools(cls, value: Any) -> Any:
        """Hugo's, Jekyll's and Pelican's ways of saying the same things."""
        if not isinstance(value, dict):
            return value
        known = _ISSUE_KEYS.get(cls)
        if known is None:  # once a class: its fields, the other tools' names for them, and what has no meaning here
            known = _ISSUE_KEYS[cls] = frozenset({*cls.model_fields, "redirect_from", "published", "status",
                                                  "description", "excerpt", *FOREIGN_KEYS})
        out = {}
        for key, item in value.items():
            name = key if key in known else key.lower() if isinstance(key, str) and key.lower() in known else key
            if name not in FOREIGN_KEYS:
                out[name] = item
        aliases = value.get("redirect_from")  # Jekyll's redirect plugin
        if aliases is not None and "aliases" not in out:
            out["aliases"] = [aliases] if isinstance(aliases, str) else aliases
        out.pop("redirect_from", None)
        for said, draft in (("published", False), ("status", "draft")):  # Jekyll, Pelican
            if said in out:
                if out.pop(said) == draft:
                    out["draft"] = True
        for summary in ("description", "excerpt"):  # Hugo, Jekyll
            if summary in out:
                text = out.pop(summary)
                out.setdefault("summary", text)
        return out

    def published(self, zone: ZoneInfo) -> datetime:
        """The issue's date as an instant: a time without a zone is the site's; a date alone is its midnight."""
        when = self.date if isinstance(self.date, datetime) else datetime.combine(self.date, time(0))
        return when if when.tzinfo else when.replace(tzinfo=zone)

    def day(self, zone: ZoneInfo) -> date:
        """The day the issue is dated, on the site's calendar."""
        return self.published(zone).astimezone(zone).date()


# -- sequences/ ---------------------------------------------------------------------------------

TriggerType = Literal["subscribed", "birthday", "anniversary", "tag", "event"]


class Trigger(Schema):
    """What starts a sequence for a member: signing up, their birthday, the anniversary of joining, a tag being
    added, or an event (`trigger: subscribed`, `trigger: {tag: referred-a-friend}`, `trigger: {event: commented}`)."""

    type: TriggerType
    tag: str | None = None
    event: str | None = None
    years: list[int] | None = Field(None, description="For anniversaries: which years (default: every year).")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"type": value}
        if isinstance(value, dict) and "type" not in value:
            for kind in ("tag", "event"):
                if kind in value:
                    return {"type": kind, **value}
        return value

    @model_validator(mode="after")
    def _needs_name(self) -> "Trigger":
        if self.type == "tag" and not self.tag:
            raise ValueError("a 'tag' trigger needs the tag's name: trigger: {tag: referred-a-friend}")
        if self.type == "event" and not self.event:
            raise ValueError("an 'event' trigger needs the event's name: trigger: {event: commented}")
        return self


class Variant(Schema):
    """A persona's own subject, preheader or body for one step; what it leaves out is the step's."""

    subject: str | None = None
    preheader: str | None = None
    body: str | None = None


class Experiment(Schema):
    """How a subject experiment ends: the report says which subject wins once the evidence clears this bar."""

    min_sent: int = Field(100, ge=10, description="Emails each subject needs before a winner can be named.")
    confidence: float = Field(0.95, gt=0.5, lt=1, description="How sure the open-rate intervals must be.")
    winner: str | None = Field(None, description="A subject letter (A, B…) everyone gets from now on; the "
                                                 "experiment is over.")
    promote: bool = Field(False, description="Once the report finds a winner, send gives it to everyone from then "
                                             "on without waiting for `winner`.")


class Step(Schema):
    """One email of a sequence: when it goes (after the trigger), its subject, preheader and body, and per-persona
    variants of any of them."""

    id: Slug | None = None
    delay: Duration = timedelta(0)
    subject: str | None = None
    subjects: list[str] = Field([], description="Two or more subjects to test: each member gets one, the same "
                                                "one every time (A is the first).")
    experiment: Experiment = Experiment()
    preheader: str = ""
    body: str = Field(description="Markdown file, relative to the sequence file.")
    variants: dict[str, Variant] = {}
    vars: dict[str, Any] = Field({}, description="Values the step's text can use as {{ vars.name }} (e.g. a discount code).")

    @model_validator(mode="after")
    def _one_subject_or_an_experiment(self) -> "Step":
        if not self.subjects:
            if not self.subject:
                raise ValueError("a step needs a subject (or subjects: two or more to test against each other)")
            return self
        if len(self.subjects) < 2:
            raise ValueError("subjects: list two or more to test them against each other, or write subject:")
        if self.subject is not None and self.subject != self.subjects[0]:
            raise ValueError("give either subject: or subjects:, not both")
        if any(v.subject for v in self.variants.values()):
            raise ValueError("a step that tests subjects cannot give a persona variant a subject of its own")
        letters = [chr(ord("A") + i) for i in range(len(self.subjects))]
        if self.experiment.winner is not None and self.experiment.winner not in letters:
            raise ValueError(f"experiment.winner must be one of {', '.join(letters)}")
        self.subject = self.subjects[0]
        return self


class SequenceMeta(Schema):
    """One file of `sequences/`: its trigger, who gets it, its own sending rules, and its steps in order."""

    title: str
    trigger: Trigger
    description: str = ""
    personas: list[str] | None = Field(None, description="Only members of these personas get this sequence.")
    window: SendWindow | None = None
    days: list[Weekday] | None = Field(None, min_length=1)
    max_lateness: Duration | None = None
    min_gap: Duration | None = None
    vars: dict[str, Any] = Field({}, description="Values every step's text can use as {{ vars.name }}; a step's own vars win.")
    steps: list[Step] = Field(min_length=1)

    @field_validator("steps")
    @classmethod
    def _number_steps(cls, steps: list[Step]) -> list[Step]:
        # A step without an id is known by its number; the loader refuses two steps with one id, at the second.
        for i, step in enumerate(steps, 1):
            if step.id is None:
                step.id = str(i)
        return steps


class Sample(Schema):
    """A sample subscriber for previews and personalisation checks."""

    name: Slug
    email: Email = "sample@example.com"
    first_name: str = ""
    last_name: str = ""
    persona: str = ""
    birthday: MonthDay | None = None
    timezone: TimeZoneName | None = None
    joined: date | None = None


class Samples(Schema):
    samples: list[Sample] = []
