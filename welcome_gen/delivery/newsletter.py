"""Newsletter issues with `send_at`: one regular campaign each, to everyone (or the personas named), once.

The campaign's title `wg:issue:<slug>` is the record: found sent, it is never sent again. An issue whose time
passed more than the lateness ago without a campaign is not sent (a new `send_at` on an old issue never blasts).
"""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from ..email.render import RenderedEmail
from ..mailchimp.client import MailchimpError
from ..project.load import Document, Project
from ..site.urls import Urls
from .batches import SENT, Store
from .members import PREFIX, Member


def issue_title(doc: Document) -> str:
    return f"{PREFIX}issue:{doc.slug}"


def send_time(project: Project, doc: Document) -> datetime | None:
    when = doc.meta.send_at
    if when is None:
        return None
    return when if when.tzinfo else when.replace(tzinfo=ZoneInfo(project.config.site.timezone))


def due_issues(project: Project, now: datetime) -> list[Document]:
    return [d for d in project.issues if not d.meta.draft and (t := send_time(project, d)) is not None and t <= now]


def issue_email(project: Project, doc: Document) -> RenderedEmail:
    """A short email pointing to the issue's page on the site."""
    cfg = project.config
    url = Urls(cfg.site.url).absolute(f"newsletter/{doc.slug}/")
    title, summary = html.escape(doc.meta.title), html.escape(doc.meta.summary or "")
    business = html.escape(cfg.business.name)
    body = (f'<!doctype html><html lang="{html.escape(cfg.site.language)}"><head><meta charset="utf-8">'
            f"<title>{title}</title></head><body style=\"font-family:Georgia,serif;max-width:36em;margin:auto\">"
            f"<h1>{title}</h1><p>{summary}</p><p><a href=\"{html.escape(url)}\">Read it on the site</a></p>"
            f"<hr><p style=\"font-size:13px;color:#555\">{business} · *|LIST:ADDRESSLINE|*<br>"
            f"<a href=\"*|UNSUB|*\">Unsubscribe</a></p></body></html>")
    text = f"{doc.meta.title}\n\n{doc.meta.summary or ''}\n\nRead it on the site: {url}\n\n--\n{cfg.business.name}\n" \
           "Unsubscribe: *|UNSUB|*\n"
    return RenderedEmail("issue", doc.slug, "default", doc.meta.title, doc.meta.summary or "", body, text,
                         cfg.business.from_name or cfg.business.name, cfg.business.reply_to, doc.path)


def send_issues(project: Project, store: Store, members: list[Member], now: datetime, report) -> None:
    lateness = project.config.sending.max_lateness
    for doc in due_issues(project, now):
        title = issue_title(doc)
        campaign = store.index.campaigns.get(title)
        if campaign is not None and campaign.status in SENT:
            continue
        if campaign is None and now - send_time(project, doc) > lateness:
            report.issues.append(f"{doc.path}: send_at passed more than the lateness ago and it was never sent; "
                                 "not sent now")
            continue
        personas = doc.meta.personas
        wanted = [m.email for m in members if not personas or m.persona in personas]
        try:
            seg = store.segment(title)
            store.change(seg, add=[m.email for m in members if m.email in set(wanted) and title not in m.tags])
            campaign = store.campaign(title, seg, issue_email(project, doc))
            store.send(campaign)
            report.issues.append(f"{doc.path}: sent to {len(wanted)} member(s)")
        except MailchimpError as exc:
            report.errors.append(f"{doc.path}: {exc}")
