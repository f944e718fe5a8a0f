"""Preflight: every email checked before anything is sent, each finding at the author's file and line.

Errors block `check` and any send; warnings are printed. The checks read exactly what Mailchimp receives (the
merge-tag version after inlining), then fill it in for every sample subscriber to lint the personalisation.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import unquote, urlsplit

from lxml import html as lxml_html

from ..errors import Problem, ProjectError
from ..mailchimp.mergetags import MergeTagError
from ..project import Project
from ..project.model import EMAIL_RE, Sample
from ..site.places import known_site_paths
from ..site.urls import Urls, lookup_key
from . import caniemail, mergetags, utm
from ..project.steps import DEFAULT, variant_for
from .outbox import Outbox, render_outbox
from .render import RenderedEmail, personalise

KB = 1024
CLIP_ERROR, CLIP_WARN, STYLE_LIMIT = 100 * KB, 80 * KB, 16 * KB
SUBJECT_WARN = 60
FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "form", "input", "button", "select", "textarea", "base", "frame"}
PLACEHOLDER_HOSTS = re.compile(r"(^|\.)(example\.(com|org|net)|localhost)$|^127\.|^0\.0\.0\.0$", re.I)
SHORTENERS = {"bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly", "cutt.ly"}
EMPTY_VALUE_RE = re.compile(r"\b\w+ +[,.!?;:](?!\w)|\(\s*\)")
LEFTOVER_RE = re.compile(r"\{\{|\}\}|\{%|%\}")
WORD_RE = re.compile(r"[^\W\d_]{3,}", re.U)
# Samples every project is linted with even if sequences/samples.yaml leaves them out.
BUILTIN_SAMPLES = (Sample(name="no-first-name"),
                   Sample(name="long-name", first_name="Bartholomew-Maximilian Featherstonehaugh-Wolstenholme"),
                   Sample(name="non-ascii", first_name="Zoë Łucja Ngọc 美咲"))


def preflight(project: Project, *, today: date | None = None, outbox: Outbox | None = None) -> list[Problem]:
    """Check every email that can leave (each step x variant, each issue with `send_at`), rendering the outbox unless
    it is given; return errors and warnings (never raises for the author's mistakes)."""
    try:
        outbox = outbox or render_outbox(project, today=today)
    except ProjectError as exc:
        return list(exc.problems)
    found: list[Problem] = config_problems(project)
    site_paths = known_site_paths(project, today)
    for email in outbox.issues.values():  # no subscriber values in an issue: the merge-tag version is all of it
        found += check_email(project, email, site_paths)
    samples = list(project.samples) + [s for s in BUILTIN_SAMPLES if s.name not in {x.name for x in project.samples}]
    steps = {(seq.key, str(step.id)): step for seq in project.sequences for step in seq.meta.steps}
    for email in outbox.steps.values():
        found += check_email(project, email, site_paths)
        step = steps[(email.sequence, email.step)]
        reported: set[str] = set()
        for sample in samples:
            if variant_for(step, sample.persona or None) == email.variant:
                for problem in check_sample(project, email, sample, today):
                    kind = problem.message.replace(f"'{sample.name}'", "")  # one sample is enough to show it
                    if kind not in reported:
                        reported.add(kind)
                        found.append(problem)
    unique = {(p.path, p.line, p.message, p.level): p for p in found}
    return sorted(unique.values(), key=lambda p: (p.path, p.line or 0, p.message))


def config_problems(project: Project) -> list[Problem]:
    b = project.config.business
    out = []
    address = b.postal_address.strip()
    if not address or EMAIL_RE.match(address) or re.match(r"^(https?://|www\.)", address, re.I):
        out.append(Problem("welcome.yaml", project.config_line("business", "postal_address"),
                           "business.postal_address must be a postal address where you receive mail "
                           "(a PO box is fine; an email address or website is not)"))
    if not (b.from_name or b.name).strip():
        out.append(Problem("welcome.yaml", project.config_line("business"), "emails need a from name: set business.from_name"))
    return out


class _Where:
    """Finds the author's line for something seen in the rendered email: the body file, then the layout."""

    def __init__(self, email: RenderedEmail):
        self.email = email
        self.origin = email.origin
        path, _, line = email.source.rpartition(":")
        self.step = (path, int(line) if line.isdigit() else None)

    def __call__(self, *needles: str, level: str = "error", message: str) -> Problem:
        o = self.origin
        if o is not None:
            for text, path in ((o.body_text, o.body_path), (o.layout_text, o.layout_path)):
                for needle in needles:
                    if needle and needle in text:
                        return Problem(path, text[:text.index(needle)].count("\n") + 1, message, level)
        return Problem(self.step[0], self.step[1], message, level)

    def at(self, where: tuple[str, int | None], message: str, level: str = "error") -> Problem:
        return Problem(where[0], where[1], message, level)

    def layout(self, message: str, level: str = "error") -> Problem:
        return Problem(self.origin.layout_path if self.origin else self.step[0], None, message, level)


def check_email(project: Project, email: RenderedEmail, site_paths: set[str]) -> list[Problem]:
    """Every check on one merge-tag email."""
    where = _Where(email)
    o = email.origin
    subject_at = o.subject if o else where.step
    pre_at = o.preheader if o else where.step
    out: list[Problem] = []
    doc = lxml_html.document_fromstring(email.html)
    # compliance
    hrefs = [a.get("href", "").strip() for a in doc.iter("a")]
    if "*|UNSUB|*" not in hrefs:
        out.append(where.layout("the HTML has no unsubscribe link: add <a href=\"*|UNSUB|*\">…</a> (Mailchimp "
                                "does not recognise any other, and a tag inside an HTML comment does not count)"))
    if "*|UNSUB|*" not in email.text:
        out.append(Problem(o.text_layout_path if o else where.step[0], None, "the text part has no *|UNSUB|* link"))
    address = project.config.business.postal_address
    visible = doc.text_content()
    if address not in visible and not any(t in email.html for t in mergetags.ADDRESS_TAGS):
        out.append(where.layout("the HTML does not show the postal address (business.postal_address or "
                                "*|LIST:ADDRESSLINE|*)"))
    if address not in email.text and not any(t in email.text for t in mergetags.ADDRESS_TAGS[:2]):
        out.append(Problem(o.text_layout_path if o else where.step[0], None, "the text part does not show the postal address"))
    if not EMAIL_RE.match(email.reply_to or ""):
        out.append(Problem("welcome.yaml", project.config_line("business", "reply_to"), "reply-to is not a valid address"))
    # size and structure
    size = len(email.html.encode("utf-8"))
    if size >= CLIP_WARN:
        level = "error" if size >= CLIP_ERROR else "warning"
        out.append(where.at(where.step, f"the HTML is {size / KB:.0f} KB after inlining; Gmail clips emails over "
                            "102 KB, hiding the rest and the unsubscribe link", level))
    for style in doc.iter("style"):
        if len((style.text or "").encode()) > STYLE_LIMIT:
            out.append(where.layout(f"a <style> block is {len((style.text or '').encode()) / KB:.0f} KB; Gmail ignores "
                                    "<style> over 16 KB"))
        if any(anc.tag == "body" for anc in style.iterancestors()):
            out.append(where.layout("a <style> block inside <body>: Gmail drops it; put it in <head>"))
        if "@import" in (style.text or ""):
            out.append(where("@import", message="@import in <style>: email clients do not load other stylesheets"))
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in FORBIDDEN_TAGS or (el.tag == "link" and "stylesheet" in (el.get("rel") or "")):
            out.append(where(f"<{el.tag}", message=f"<{el.tag}> does not work in email (and looks like spam): remove it"))
        for attr, value in el.attrib.items():
            if attr.lower().startswith("on"):
                out.append(where(f"{attr}=", message=f"event handler '{attr}' never runs in email: remove it"))
            if attr in ("href", "src") and value.strip().lower().startswith("javascript:"):
                out.append(where(value, message="a javascript: link does not work in email"))
        if el.tag == "img":
            src = el.get("src", "")
            if el.get("alt") is None:
                out.append(where(src, message=f"image '{src}' has no alt text (use alt=\"\" if it is decoration)"))
            if not src.startswith("https://") and not mergetags.TAG_RE.fullmatch(src):
                out.append(where(src, message=f"image '{src}' must be an absolute https:// address"))
    if email.html.count("<!--[if") != email.html.count("<![endif]-->"):
        out.append(where.layout("unbalanced <!--[if mso]> … <![endif]--> comments break the layout in Outlook"))
    for table in doc.iter("table"):
        if table.get("role") not in ("presentation", "none") and not list(table.iter("th")):
            out.append(where.layout("a layout <table> without role=\"presentation\": screen readers announce it as data",
                                    "warning"))
            break
    lang = doc.get("lang")
    if not lang:
        out.append(where.layout("<html> has no lang attribute; screen readers need it to pick a voice"))
    elif lang.lower() != project.config.site.language.lower():
        out.append(where.layout(f"<html lang=\"{lang}\"> differs from site.language '{project.config.site.language}'"))
    if not any(m.get("name") == "color-scheme" for m in doc.iter("meta")):
        out.append(where.layout("no <meta name=\"color-scheme\">: dark-mode clients will guess your colours", "warning"))
    # content
    out += subject_problems(email, subject_at, pre_at, where)
    body_text = _text_body(email.text)
    if not body_text.strip():
        out.append(Problem(o.body_path if o else where.step[0], 1, "the text part is empty"))
    for part, text in (("subject", email.subject), ("preheader", email.preheader), ("HTML", email.html), ("text", email.text)):
        for issue in mergetags.check(text, set(project.config.mailchimp.fields.model_dump().values())):
            snippet = text[issue.offset:issue.offset + 30]
            if part == "subject":
                out.append(where.at(subject_at, f"subject: {issue.message}"))
            elif part == "preheader":
                out.append(where.at(pre_at, f"preheader: {issue.message}"))
            else:
                out.append(where(snippet.split("|*")[0] + "|*", snippet[:12], message=f"{part}: {issue.message}"))
    out += link_problems(project, doc, where, site_paths, utm.utm_params(project.config, email.sequence, email.step))
    for support in caniemail.unsupported(email.html):
        out.append(where(support.example, level="warning",
                         message=f"{support.title} ({support.slug}) is not supported in {', '.join(support.clients)}; "
                                 f"see {support.url}"))
    return out


def subject_problems(email: RenderedEmail, subject_at, pre_at, where: _Where) -> list[Problem]:
    out = []
    plain = mergetags.fill(email.subject, {})  # as a subscriber without a first name reads it
    if not plain.strip():
        out.append(where.at(subject_at, "the subject is empty"))
    elif len(plain) > SUBJECT_WARN:
        out.append(where.at(subject_at, f"the subject is {len(plain)} characters; inboxes cut it after about 60 "
                            "(50 or fewer reads best)", "warning"))
    if re.search(r"\b[A-Z]{2,}(?:\s+[A-Z]{2,}){2,}\b", plain):
        out.append(where.at(subject_at, "the subject shouts in capitals; spam filters score it", "warning"))
    if plain.count("!") > 1:
        out.append(where.at(subject_at, "more than one '!' in the subject; spam filters score it", "warning"))
    if re.match(r"^\s*(re|fwd?)\s*:", plain, re.I):
        out.append(where.at(subject_at, "a 'Re:' or 'Fwd:' subject on a first message is deceptive (CAN-SPAM)", "warning"))
    pre = mergetags.fill(email.preheader, {})
    if not pre.strip():
        out.append(where.at(pre_at, "no preheader: inboxes will show the first words of the body instead", "warning"))
    elif pre.strip() == plain.strip():
        out.append(where.at(pre_at, "the preheader repeats the subject; use it to say something more", "warning"))
    elif len(pre) > 150:
        out.append(where.at(pre_at, f"the preheader is {len(pre)} characters; inboxes show about 40–130", "warning"))
    return out


def link_problems(project: Project, doc, where: _Where, site_paths: set[str],
                  expected_utm: dict[str, str] | None = None) -> list[Problem]:
    out = []
    base = Urls(project.config.site.url).absolute("")
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        text = " ".join(a.text_content().split())
        if mergetags.TAG_RE.fullmatch(href):
            continue
        if not href or href.startswith("#"):
            out.append(where(f"]({href})", f"[{text}](", message=f"link '{text}' goes nowhere ('{href}')"))
            continue
        parts = urlsplit(href)
        if parts.scheme in ("mailto", "tel"):
            continue
        if parts.scheme not in ("http", "https") or not parts.hostname:
            out.append(where(href, f"[{text}](", message=f"link '{href}' is not an absolute https:// address"))
            continue
        if parts.scheme == "http":
            out.append(where(href, f"[{text}](", level="warning", message=f"link '{href}' is not https"))
        host = parts.hostname.lower()
        if PLACEHOLDER_HOSTS.search(host):
            out.append(where(href, f"[{text}](", message=f"link '{href}' points at a placeholder or local address"))
        elif host in SHORTENERS:
            out.append(where(href, f"[{text}](", message=f"link '{href}' uses a URL shortener; spam filters score those"))
        if text.lower() in ("here", "click here", "this", "link"):
            out.append(where(href, f"[{text}](", level="warning", message=f"link text '{text}' says nothing out of context; "
                                                                   "name where it goes"))
        if href.startswith(base) or f"{href}/" == base:
            for reason in utm.survives(href, expected_utm) if expected_utm else ():
                out.append(where(href.split("?")[0], f"[{text}](", message=f"link '{text}': its UTM parameters would "
                                                                         f"not reach the site: {reason}"))
            path = href[len(base):].split("#")[0].split("?")[0]
            if lookup_key(unquote(path)) not in site_paths:
                shown = utm.without(href)
                out.append(where(shown, f"[{text}](", message=f"link '{shown}' points at a page the site does not have"))
    return out


def _text_body(text: str) -> str:
    """The text part without its footer (which starts at a line '--')."""
    return re.split(r"(?m)^--$", text, maxsplit=1)[0]


def check_sample(project: Project, email: RenderedEmail, sample: Sample, today: date | None) -> list[Problem]:
    """Fill the email in for one sample subscriber and read it as they would."""
    where = _Where(email)
    out = []
    try:
        filled = personalise(project, email, sample, today)
    except MergeTagError:
        return []  # unbalanced tags are already reported on the merge-tag version
    who = f"for sample '{sample.name}'"
    doc = lxml_html.document_fromstring(filled.html)
    body = doc.find_class("content")
    html_text = " ".join((body[0] if body else doc).text_content().split())
    text_body = _text_body(filled.text)
    for part, text in (("subject", filled.subject), ("preheader", filled.preheader), ("HTML", html_text), ("text", text_body)):
        m = LEFTOVER_RE.search(text)
        if m:
            out.append(where(text[m.start():m.start() + 10].strip(), message=f"{part} {who} still shows template code '{m.group(0)}'"))
        m = mergetags.STRAY_RE.search(text)
        if m:
            out.append(where(m.group(0), message=f"{part} {who} shows a raw merge tag '{text[m.start():m.start() + 20]}'"))
        m = EMPTY_VALUE_RE.search(text)
        if m and part != "HTML":
            out.append(where(m.group(0).split()[0], level="warning",
                             message=f"{part} {who} reads '{m.group(0)}': an empty value needs a fallback, "
                                     "e.g. default(\"friend\")"))
    if not text_body.strip() or not html_text.strip():
        out.append(where.at(where.step, f"the email {who} has no body text"))
    seen = set(WORD_RE.findall(" ".join(doc.text_content().split()).lower()))
    seen |= {w for a in doc.iter("a") for w in WORD_RE.findall((a.get("href") or "").lower())}
    extra = [w for w in dict.fromkeys(WORD_RE.findall(re.sub(r"https?://\S+", "", text_body).lower())) if w not in seen]
    if extra:
        out.append(where.at(where.step, f"the text part {who} says what the HTML does not: {', '.join(extra[:6])}",
                            "warning"))
    return out


__all__ = ["preflight", "known_site_paths", "check_email", "check_sample", "DEFAULT"]
