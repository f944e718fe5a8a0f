"""The page templates: the package's default theme, overridden file by file by the project's `templates/site/`."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import (StrictUndefined, TemplateError, TemplateNotFound, TemplateSyntaxError,
                    select_autoescape)
from markupsafe import Markup

from ..errors import Problem, ProjectError
from ..theme import ENDLESS, messages, shown, template_problem
from ..theme.loader import TemplateLoader
from ..theme.sandbox import BoundedEnvironment
from .gather import Entry
from .markup import MarkdownCache, render_markdown
from .places import ASSETS, theme_dirs
from .urls import Urls

if TYPE_CHECKING:
    from ..cache import WordStore


class Theme:
    """Finds, checks and renders the site's templates; copies its assets."""

    def __init__(self, root: Path, markdown: MarkdownCache | None = None, *, keep_compiled: bool = False,
                 words: WordStore | None = None):
        """`keep_compiled`: templates compiled once are kept in the user's cache for later builds; `words`: the
        dates and month names Babel wrote in earlier builds."""
        self.root = root
        self.markdown = markdown  # rendered markdown kept between builds, if any
        self.dirs = theme_dirs(root)
        self.loader = TemplateLoader(self.dirs, root)
        self.env = BoundedEnvironment(
            loader=self.loader,
            autoescape=select_autoescape(("html", "xml")),
            undefined=StrictUndefined,  # a misspelt variable is an error, not a silent blank
            trim_blocks=True,
            lstrip_blocks=True,
        )
        if keep_compiled:
            from ..theme.compiled import compiled_templates

            self.env.bytecode_cache = compiled_templates("site")
        self.words = words
        messages.install(self.env, root, words)  # t("key"), months() and longdate, in the site's language
        self._templates, self._refused = self.loader.files(lambda name: not name.startswith(ASSETS + "/"))
        self._assets, refused = self.loader.files(lambda name: name.startswith(ASSETS + "/"))
        self._refused += refused
        self._fingerprint: str | None = None
        self._digest: str | None = None  # the files are read once per build
        self._cached: dict[str, Markup] = {}  # partial_cached(): a piece the same on every page, rendered once
        self._shared: dict[str, Any] | None = None
        self.env.globals["partial_cached"] = self._partial_cached

    def assets(self) -> dict[str, Path]:
        """Site path -> file, for CSS, fonts and images the templates use."""
        return dict(self._assets)

    def templates(self) -> list[str]:
        return sorted(self._templates)

    def digest(self) -> str:
        """Changes whenever any template changes, so every page is rendered again."""
        if self._digest is not None:
            return self._digest
        h = hashlib.sha256()
        for name, path in sorted(self._templates.items()):
            h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
        for path in messages.catalogue_files(self.root):  # the words the templates show
            h.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        self._digest = h.hexdigest()
        return self._digest

    def fingerprint(self) -> str:
        """The templates, their words and the code that checks them: the same fingerprint compiles the same way."""
        if self._fingerprint is None:
            from ..cache import code_version

            self._fingerprint = hashlib.sha256(f"{self.digest()} {code_version()}".encode()).hexdigest()
        return self._fingerprint

    def exists(self, name: str) -> bool:
        return name in self._templates

    def problems(self, compile: bool = True) -> list[Problem]:
        """Every template that does not compile or cannot be read, and every file that leads out of the project,
        at its file and line (without `compile`, only the files that lead out)."""
        out = list(self._refused)
        for name in self.templates() if compile else ():
            try:
                self.env.get_template(name)
                out += self.loader.stray_blocks(self.env, name)
            except TemplateSyntaxError as exc:
                out.append(Problem(shown(exc.filename or name, self.root), exc.lineno,
                                   f"template error: {exc.message}"))
            except ProjectError as exc:
                out += exc.problems
        return out

    def _partial_cached(self, name: str) -> Markup:
        """`{{ partial_cached("partials/signup.html") }}`: the template rendered once per build with the site's own
        variables (site, business, nav, form, t(), ...), not the page's, and the same HTML used on every page."""
        from jinja2 import UndefinedError

        html = self._cached.get(name)
        if html is None:
            try:
                html = Markup(self.env.get_template(name).render(self._shared or {}))
            except UndefinedError as exc:  # a page's variable: say why it is not there
                raise UndefinedError(f"{exc.message}: partial_cached('{name}') sees only the site's variables, "
                                     "not the page's (include it instead)").with_traceback(exc.__traceback__) from None
            self._cached[name] = html
        return html

    def render(self, entry: Entry, shared: dict[str, Any], urls: Urls) -> bytes:
        """One page or file, as bytes; a template mistake becomes a problem at the template's line."""
        if shared is not self._shared:  # another build's variables: nothing rendered for them is kept
            self._shared, self._cached = shared, {}

        def url(site_path: str) -> str:
            return urls.href(site_path, entry.path, entry.url_mode)

        def markdown(body: dict[str, Any] | None, absolute: bool = False) -> Markup:
            if not body:
                return Markup("")
            mode = "absolute" if absolute else entry.url_mode
            return Markup(render_markdown(body["text"], body["links"], lambda p: urls.href(p, entry.path, mode),
                                          self.markdown))

        context = {**shared, **entry.context, "page_path": entry.path, "url": url, "abs_url": urls.absolute,
                   "markdown": markdown}
        try:
            return self.env.get_template(entry.template).render(context).encode("utf-8")
        except TemplateNotFound as exc:  # an include or extends naming a file that is nowhere: say where
            message = f"template '{exc.name}' not found in templates/site/ or the default theme"
            source = entry.context.get("page", {}).get("source", entry.template)
            raise ProjectError([template_problem(exc, self.dirs, self.root, source, message)]) from None
        except TemplateError as exc:
            raise ProjectError([template_problem(exc, self.dirs, self.root, entry.template,
                                                 f"template error: {exc}")]) from None
        except RecursionError as exc:
            raise ProjectError([template_problem(exc, self.dirs, self.root, entry.template,
                                                 f"template error: {ENDLESS}")]) from None
