"""Sequence step -> email: Jinja (subscriber values as merge tags) -> markdown -> sanitised fragment -> layout ->
CSS inlined; and a plain-text part made from the same fragment with its own footer."""

from __future__ import annotations

import html as htmllib
import re
import textwrap
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import css_inline
import jinja2
import markdown
import nh3
from inscriptis import get_text
from inscriptis.model.config import ParserConfig
from markupsafe import Markup

from ..errors import Problem, ProjectError
from ..project import Project, SequenceFile
from ..project.model import Sample, Step
from ..project.source import markdown_problem
from ..project.steps import DEFAULT, find_step
from ..site import urls
from ..site.urls import Urls
from ..theme import EMAIL as THEME
from ..theme import ENDLESS, messages, shown, template_problem
from ..theme.loader import TemplateLoader
from ..theme.sandbox import BoundedEnvironment
from . import mergetags
from . import utm as utm_links
from ..project.experiment import letters, split_variant, with_arm
from .compile import CompileError, Source, Tokens, make_env, render

RTL_LANGUAGES = {"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug"}
ALLOWED_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "hr", "i", "img",
                "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot",
                "th", "thead", "tr", "u", "ul"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height", "title"},
                      "th": {"align", "colspan", "rowspan"}, "td": {"align", "colspan", "rowspan"}}
BLOCK_TAGS = "p|li|h[1-6]|blockquote|td|th"
TEXT_WIDTH = 76


@dataclass(frozen=True)
class Origin:
    """Where each part of an email came from, so preflight findings point at the author's lines."""

    subject: tuple[str, int | None]
    preheader: tuple[str, int | None]
    body_path: str
    body_text: str
    layout_path: str
    layout_text: str
    text_layout_path: str


@dataclass(frozen=True)
class RenderedEmail:
    """One email of one step and variant, as Mailchimp receives it (or filled in for a sample subscriber)."""

    sequence: str
    step: str
    variant: str  # "default" or a persona slug
    subject: str
    preheader: str
    html: str
    text: str
    from_name: str
    reply_to: str
    source: str  # "sequences/welcome.yaml:12", the step (or variant) the email comes from
    subscriber: str | None = None  # the sample's name for a personalised preview
    origin: Origin | None = field(default=None, compare=False, repr=False)


class Links:
    """Site addresses for author text: {{ links.fit }}, {{ links.persona('makers') }}; where the site puts them."""

    def __init__(self, site_url: str):
        self._urls = Urls(site_url)
        self.home = self._urls.absolute("")
        self.fit = self._urls.absolute(urls.FIT)
        self.archive = self._urls.absolute(urls.ARCHIVE)

    def persona(self, slug: str) -> str:
        return self._urls.absolute(urls.persona_path(slug))

    def page(self, slug: str) -> str:
        return self._urls.absolute(urls.page_path(slug))

    def issue(self, slug: str) -> str:
        return self._urls.absolute(urls.issue_path(slug))


def sample_values(project: Project, sample: Sample, today: date | None = None) -> dict[str, str]:
    """A sample subscriber as Mailchimp merge values, plus the system tags a preview needs (on `today`)."""
    cfg = project.config
    f = cfg.mailchimp.fields
    site = cfg.site.url
    return {
        f.first_name: sample.first_name, f.last_name: sample.last_name, f.persona: sample.persona,
        f.birthday: sample.birthday or "", f.timezone: sample.timezone or "", "EMAIL": sample.email,
        "UNSUB": f"{site}#preview-unsubscribe", "UPDATE_PROFILE": f"{site}#preview-update-profile",
        "ARCHIVE": f"{site}newsletter/", "LIST:ADDRESS": cfg.business.postal_address,
        "LIST:ADDRESSLINE": cfg.business.postal_address, "LIST:COMPANY": cfg.business.name,
        "HTML:LIST_ADDRESS_HTML": htmllib.escape(cfg.business.postal_address), "LIST:DESCRIPTION": cfg.site.description,
        "CURRENT_YEAR": str((today or date.today()).year),
    }


class Renderer:
    """Renders every email of one project; builds its environments once."""

    def __init__(self, project: Project, *, keep_compiled: bool = False):
        """`keep_compiled`: the layouts' compiled code is kept between builds (`theme.compiled`)."""
        self.project = project
        cfg = project.config
        self.fields = cfg.mailchimp.fields.model_dump()  # subscriber field -> merge tag
        self.env = make_env()
        self.env.lstrip_blocks = True
        override = project.root / "templates" / "email"
        self.layouts = BoundedEnvironment(loader=TemplateLoader([override, THEME], project.root),
                                          autoescape=jinja2.select_autoescape(["html.j2", "html"]),
                                          undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        if keep_compiled:
            from ..theme.compiled import compiled_templates

            self.layouts.bytecode_cache = compiled_templates("email")
        messages.install(self.layouts, project.root)  # the footer's words, in the site's language
        self.md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
        self.inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False, minify_css=True,
                                             apply_width_attributes=True)
        self.links = Links(cfg.site.url)
        self.personas = [self.persona_info(p) for p in project.personas if not p.meta.draft]
        lang = cfg.site.language
        self.base: dict[str, Any] = {
            "site": cfg.site, "business": cfg.business, "links": self.links, "personas": self.personas,
            "lang": lang, "dir": "rtl" if lang.split("-")[0].lower() in RTL_LANGUAGES else "ltr",
        }
        self._layout_cache: dict[str, tuple[jinja2.Template, str, str]] = {}

    def persona_info(self, doc: Any) -> dict[str, Any]:
        m = doc.meta
        return {"slug": doc.slug, "title": m.title, "fit": m.fit, "summary": m.summary, "url": self.links.persona(doc.slug),
                "signs": m.signs, "instead": [a.model_dump() for a in m.instead]}

    def layout(self, name: str) -> tuple[jinja2.Template, str, str]:
        """A layout template, its path as the author sees it, and its source."""
        if name not in self._layout_cache:
            try:
                template = self.layouts.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                raise ProjectError([Problem(shown(exc.filename or name, self.project.root), exc.lineno,
                                            exc.message or "syntax error")]) from None
            stray = self.layouts.loader.stray_blocks(self.layouts, name)  # type: ignore[attr-defined]
            if stray:
                raise ProjectError(stray)
            path = shown(template.filename or name, self.project.root)
            self._layout_cache[name] = (template, path, self.layouts.loader.get_source(self.layouts, name)[0])
        return self._layout_cache[name]

    def _layout_problem(self, exc: jinja2.TemplateError | RecursionError, layout_path: str) -> Problem:
        """A layout mistake at the line of the layout (or the file it includes) where rendering stopped."""
        if isinstance(exc, jinja2.TemplateNotFound):
            message = f"email layout: template '{exc.name}' not found in templates/email/ or the default theme"
        elif isinstance(exc, RecursionError):
            message = f"email layout: {ENDLESS}"
        else:
            message = f"email layout: {exc}"
        dirs = self.layouts.loader.searchpath  # type: ignore[attr-defined]
        return template_problem(exc, dirs, self.project.root, layout_path, message)

    def render(self, seq: SequenceFile, step: Step, index: int, variant: str) -> RenderedEmail:
        """The merge-tag version of one step and variant (`default+B`: with subject B of an experiment). Raises
        ProjectError at the author's lines."""
        full = variant
        variant, arm = split_variant(variant)
        if arm is not None and arm not in letters(step):
            raise ProjectError([Problem(seq.path, seq.line("steps", index), f"step '{step.id}' has no subject {arm} "
                                        f"(subjects: {', '.join(letters(step)) or 'none'})")])
        over = step.variants.get(variant) if variant != DEFAULT else None
        if variant != DEFAULT and over is None:
            raise ProjectError([Problem(seq.path, seq.line("steps", index), f"step '{step.id}' has no variant '{variant}' "
                                        f"(variants: {', '.join([DEFAULT, *step.variants])})")])
        loc = ("steps", index) if over is None else ("steps", index, "variants", variant)

        def pick(key: str) -> tuple[str, tuple[str, int | None]]:
            value = getattr(over, key, None) if over is not None else None
            where = loc if value is not None else ("steps", index)
            return (value if value is not None else getattr(step, key)), (seq.path, seq.line(*where, key))

        subject_src, subject_at = pick("subject")
        if arm is not None:
            at = letters(step).index(arm)
            subject_src, subject_at = step.subjects[at], (seq.path, seq.line("steps", index, "subjects", at))
        pre_src, pre_at = pick("preheader")
        body_name, _ = pick("body")
        body = seq.bodies[body_name]
        persona = next((p for p in self.personas if p["slug"] == variant), None)
        context = {**self.base, "sequence": {"key": seq.key, "title": seq.meta.title}, "step": {"id": step.id},
                   "persona": persona, "vars": {**seq.meta.vars, **step.vars}}
        tokens = Tokens()
        problems: list[Problem] = []

        def run(source: Source) -> str:
            try:
                return render(self.env, source, context, self.fields, tokens)
            except CompileError as exc:
                problems.extend(exc.problems)
                return ""

        subject = run(Source(subject_src, *subject_at))
        preheader = run(Source(pre_src, *pre_at))
        body_md = run(Source(body.text, body.path, 1))
        slow = markdown_problem(body_md, body.path) if not problems else None  # a loop can write brackets too
        if slow is not None:
            problems.append(Problem(slow.path, None, slow.message + " (once its template code has run)"))
        if problems:
            raise ProjectError(problems)
        self.md.reset()
        utm = (seq.key, str(step.id))
        fragment, text_fragment = self.fragment(self.md.convert(_space_block_lines(body_md, tokens)), tokens, utm)
        text_body = self.text(text_fragment, tokens)
        fragment = tokens.restore(fragment)
        subject = " ".join(tokens.restore(subject).split())
        preheader = " ".join(tokens.restore(preheader).split())
        html_out, text_out = self.wrap(context, subject, preheader, fragment, text_body, utm)
        cfg = self.project.config.business
        _, layout_path, layout_text = self.layout("layout.html.j2")
        _, text_path, _ = self.layout("layout.txt.j2")
        origin = Origin(subject_at, pre_at, body.path, body.text, layout_path, layout_text, text_path)
        return RenderedEmail(seq.key, str(step.id), full, subject, preheader, html_out, text_out,
                             cfg.from_name or cfg.name, cfg.reply_to, f"{seq.path}:{seq.line(*loc)}", origin=origin)

    def wrap(self, context: dict[str, Any], subject: str, preheader: str, fragment: str,
             text_body: str, utm: tuple[str, str] | None = None) -> tuple[str, str]:
        """The body fragment put in the layouts: the HTML part (CSS inlined, the layout's links to the site given
        their UTM parameters too) and the text part."""
        page, layout_path, _ = self.layout("layout.html.j2")
        text_layout, _, _ = self.layout("layout.txt.j2")
        extra = {**context, "subject": subject, "preheader": preheader}
        try:
            html_out = self.inliner.inline(page.render({**extra, "body": Markup(fragment)}))
            if utm is not None:
                html_out = utm_links.tag_links(html_out, Urls(self.project.config.site.url).absolute(""),
                                               utm_links.utm_params(self.project.config, *utm))
            text_out = text_layout.render({**extra, "body": text_body})
        except (jinja2.TemplateError, RecursionError) as exc:
            raise ProjectError([self._layout_problem(exc, layout_path)]) from None
        return html_out, "\n".join(line.rstrip() for line in text_out.strip().splitlines()) + "\n"

    def issue(self, key: str, name: str, subject: str, preheader: str, body_markdown: str,
              source: str) -> RenderedEmail:
        """An email from plain markdown that is not a sequence step (a newsletter issue): no Jinja, nothing per
        subscriber, but the same sanitiser, layout, inlined CSS and text part. Merge tags written in it stay."""
        tokens = Tokens()
        self.md.reset()
        utm = (name, key) if key == "issue" else (key, name)  # an issue is its own campaign
        fragment, text_fragment = self.fragment(self.md.convert(tokens.protect(body_markdown)), tokens, utm)
        text_body = self.text(text_fragment, tokens)
        context = {**self.base, "sequence": {"key": key, "title": subject}, "step": {"id": name}, "persona": None,
                   "vars": {}}
        html_out, text_out = self.wrap(context, subject, preheader, tokens.restore(fragment), text_body, utm)
        cfg = self.project.config.business
        return RenderedEmail(key, name, DEFAULT, subject, preheader, html_out, text_out, cfg.from_name or cfg.name,
                             cfg.reply_to, source)

    def fragment(self, html_in: str, tokens: Tokens, utm: tuple[str, str] | None = None) -> tuple[str, str]:
        """Sanitise the markdown's HTML, add UTM parameters to links to the site (`utm`: campaign and content),
        and lift IF/ELSE/END tokens out of the paragraphs markdown put them in.

        Returns the fragment for the HTML part and one for the text part, where each lifted run of tokens is a
        block of its own so the converter puts it on its own line.
        """
        clean = nh3.clean(html_in, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel=None,
                          url_schemes={"http", "https", "mailto", "tel"})
        if utm is not None:
            clean = utm_links.tag_links(clean, Urls(self.project.config.site.url).absolute(""),
                                        utm_links.utm_params(self.project.config, *utm))
        block = tokens.block_token_re()
        if block is None:
            return clean, clean
        run = f"(?:\\s*{block.pattern})+\\s*"
        mark = lambda run_text: f"<p data-wg-block>{run_text.strip()}</p>"  # noqa: E731
        clean = re.sub(f"(<(?:{BLOCK_TAGS})>)({run})", lambda m: mark(m.group(2)) + m.group(1), clean)
        clean = re.sub(f"({run})(</(?:{BLOCK_TAGS})>)", lambda m: m.group(2) + mark(m.group(1)), clean)
        clean = re.sub("<(p|h[1-6]|blockquote)>\\s*</\\1>", "", clean)
        return re.sub(r"<p data-wg-block>(.*?)</p>", r"\1", clean), clean

    def text(self, fragment: str, tokens: Tokens) -> str:
        text = get_text(fragment, ParserConfig(display_links=True))
        # inscriptis writes [text](url); mail readers expect "text (url)", or the bare url when they are the same
        text = re.sub(r"\[([^\]\n]*)\]\(([^)\s]*)\)",
                      lambda m: m.group(2) if m.group(1).strip() in (m.group(2), "") else f"{m.group(1)} ({m.group(2)})", text)
        lines = [wrapped for line in text.strip("\n").splitlines() for wrapped in _wrap(line.rstrip())]
        block = tokens.block_token_re()
        if block is not None:
            lines = _join_block_lines(lines, re.compile(f"^\\s*(?:{block.pattern}\\s*)+$"))
        return tokens.restore("\n".join(lines)).strip("\n")


def _space_block_lines(markdown_text: str, tokens: Tokens) -> str:
    """A line holding only IF/ELSE/END becomes a paragraph of its own, unless it sits inside a list."""
    block = tokens.block_token_re()
    if block is None:
        return markdown_text
    only = re.compile(f"^\\s*(?:{block.pattern}\\s*)+$")
    listy = re.compile(r"^\s*([-*+]|\d+[.)])\s|^\s{2,}\S")
    lines = markdown_text.split("\n")
    out: list[str] = []
    for i, line in enumerate(lines):
        if only.match(line):
            near = [lines[j] for j in (i - 1, i + 1) if 0 <= j < len(lines)]
            if not (len(near) == 2 and all(listy.match(n) for n in near)):  # between two list items: keep the list
                out += ["", line.strip(), ""]
                continue
        out.append(line)
    return "\n".join(out)


def _wrap(line: str, width: int = TEXT_WIDTH) -> list[str]:
    """Wrap a long line of the text part, keeping list indents and never breaking a URL or merge tag."""
    if len(line) <= width:
        return [line]
    m = re.match(r"^(\s*(?:[*+-]|\d+\.)?\s*)", line)
    lead = m.group(1) if m else ""
    return textwrap.wrap(line[len(lead):], width, initial_indent=lead, subsequent_indent=" " * len(lead),
                         break_long_words=False, break_on_hyphens=False) or [line]


def _join_block_lines(lines: list[str], only_tokens: re.Pattern) -> list[str]:
    """A line holding only IF/ELSE/END moves onto the next line of content, so a hidden branch leaves no gap."""
    out: list[str] = []
    pending = ""
    for line in lines:
        if only_tokens.match(line):
            pending += line.strip()
        elif pending and not line.strip():
            continue
        elif pending:
            out.append(pending + line)  # tokens before the indent, so a hidden branch takes none of it
            pending = ""
        else:
            out.append(line)
    if pending:
        while out and not out[-1].strip():
            out.pop()
        out.append(out.pop() + pending if out else pending)
    return out


def personalise(project: Project, email: RenderedEmail, sample: Sample, today: date | None = None) -> RenderedEmail:
    """The same email filled in for one sample subscriber, the way Mailchimp fills it in for a member."""
    values = sample_values(project, sample, today)
    values["MC_PREVIEW_TEXT"] = mergetags.fill(email.preheader, values, today=today)
    values["MC:SUBJECT"] = mergetags.fill(email.subject, values, today=today)
    return replace(email, subject=values["MC:SUBJECT"], preheader=values["MC_PREVIEW_TEXT"],
                   html=mergetags.fill(email.html, values, htmllib.escape, today),  # Mailchimp escapes values in HTML
                   text=mergetags.fill(email.text, values, today=today), subscriber=sample.name)


def render_email(project: Project, sequence_key: str, step_id: str, variant: str = DEFAULT, *,
                 subscriber: Sample | None = None, today: date | None = None,
                 renderer: Renderer | None = None) -> RenderedEmail:
    """One email: the merge-tag version Mailchimp receives, or with `subscriber` the same email filled in for them."""
    seq, step, index = find_step(project, sequence_key, step_id)
    email = (renderer or Renderer(project)).render(seq, step, index, variant)
    return personalise(project, email, subscriber, today) if subscriber is not None else email


def render_issue(project: Project, key: str, name: str, subject: str, preheader: str, body_markdown: str,
                  source: str, renderer: Renderer | None = None) -> RenderedEmail:
    """A one-off email (a newsletter issue) from plain markdown, through the same layout and text pipeline."""
    return (renderer or Renderer(project)).issue(key, name, subject, preheader, body_markdown, source)


def render_all(project: Project, renderer: Renderer | None = None) -> list[RenderedEmail]:
    """Every step x variant of every sequence (and each other subject of an experiment, `default+B`), merge-tag
    versions; all problems reported at once."""
    renderer = renderer or Renderer(project)
    out: list[RenderedEmail] = []
    problems: list[Problem] = []
    for seq in project.sequences:
        for index, step in enumerate(seq.meta.steps):
            for variant in [DEFAULT, *step.variants, *(with_arm(DEFAULT, a) for a in letters(step)[1:])]:
                try:
                    out.append(renderer.render(seq, step, index, variant))
                except ProjectError as exc:
                    problems.extend(exc.problems)
    if problems:
        raise ProjectError(sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.message)))
    return out
