"""Site-level checks: what loading alone cannot see (broken page links, templates, the signup form)."""

from __future__ import annotations

from datetime import date

from ..errors import Problem, ProjectError
from ..project import Project
from ..theme import messages
from .form import honeypot_name
from .gather import Site, gather, today_at
from .theme import Theme
from .urls import Urls


def check(project: Project, *, drafts: bool = False, today: date | None = None) -> list[Problem]:
    """Every problem the site build would meet, without writing anything."""
    theme = Theme(project.root)
    site = gather(project, theme.assets(), drafts=drafts, today=today or today_at(project))
    problems = site_problems(project, site, theme)
    if any(p.is_error for p in problems):
        return problems
    return problems + render_problems(site, theme, Urls(project.config.site.url))


def render_problems(site: Site, theme: Theme, urls: Urls) -> list[Problem]:
    """What only rendering finds (a misspelt variable, a missing include): every page is rendered, none kept."""
    found: set[Problem] = set()
    for entry in site.entries:
        try:
            theme.render(entry, site.shared, urls)
        except ProjectError as exc:
            found.update(exc.problems)
    return sorted(found, key=lambda p: (p.path, p.line or 0, p.message))


def site_problems(project: Project, site: Site, theme: Theme, theme_checked: str | None = None) -> list[Problem]:
    """The site's problems; the templates are compiled to check them unless `theme_checked` is the fingerprint of
    exactly these templates, which an earlier build compiled without a problem."""
    problems = list(site.problems) + theme.problems(compile=theme.fingerprint() != theme_checked)
    problems += messages.problems(project.root, project.config.site.language, project.config_line("site", "language"))
    for page in project.pages:
        if page.meta.template and not theme.exists(page.meta.template):
            problems.append(Problem(page.path, page.line("template"),
                                    f"template '{page.meta.template}' not found in templates/site/ or the default "
                                    f"theme (known: {', '.join(t for t in theme.templates() if t.endswith('.html'))})"))
    signup = project.config.site.signup
    if not signup.honeypot and not honeypot_name(signup.action):
        problems.append(Problem("welcome.yaml", project.config_line("site", "signup", "action"),
                                "site.signup.action has no 'u' and 'id' query parameters to name Mailchimp's bot "
                                "trap field; paste the embedded form's action or set site.signup.honeypot"))
    return sorted(problems, key=lambda p: (p.path, p.line or 0, p.message))
