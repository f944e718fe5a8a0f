"""The theme's own words, in the site's language: one message catalogue per language, dates through Babel.

The package ships `messages/<lang>.yaml` (English, German, French, Spanish). A project changes any message, or adds a
language, with `templates/messages/<lang>.yaml`: its keys win over the package's, the rest still come from the
package (the site's language first, then English). Every sentence the theme shows comes from here or from the
author's own files, so nothing on the site is said in words the author never saw.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import UndefinedError
from markupsafe import Markup

from ..errors import Problem, rel

if TYPE_CHECKING:
    from ..cache import WordStore

CATALOGUES = Path(__file__).resolve().parent / "messages"
FALLBACK = "en"
PROJECT_FOLDER = ("templates", "messages")


def base_language(language: str) -> str:
    """`de-AT` -> `de`: the catalogue a language uses."""
    return language.replace("_", "-").split("-")[0].lower()


def project_catalogue(root: Path, language: str) -> Path:
    return root.joinpath(*PROJECT_FOLDER, f"{base_language(language)}.yaml")


def _read(path: Path) -> dict[str, str]:
    """A catalogue's messages (none if it cannot be read: `problems()` says what is wrong with it, and rendering
    uses what it can). A catalogue is read on every build that renders a page or an email: what YAML made of its
    bytes is kept in the user's cache, by their digest, so a rebuild neither parses it nor loads the YAML reader."""
    try:
        raw = path.read_bytes()
    except OSError:
        return {}
    from ..cache import KEEP_PARSED
    from .compiled import kept_folder

    folder = kept_folder("messages-{code}") if KEEP_PARSED[0] else None
    kept = folder / f"{hashlib.sha256(raw).hexdigest()}.json" if folder is not None else None
    if kept is not None:
        try:
            data = json.loads(kept.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        if isinstance(data, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
            return data
    texts = _parsed(raw)
    if kept is not None and texts is not None:
        from ..folders import write_atomic

        try:
            write_atomic(kept, json.dumps(texts, ensure_ascii=False))
        except OSError:
            pass
    return texts or {}


def _parsed(raw: bytes) -> dict[str, str] | None:
    import yaml

    try:
        data = yaml.load(raw.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (UnicodeDecodeError, yaml.YAMLError):
        return None
    return {str(k): str(v) for k, v in data.items() if isinstance(v, (str, int, float))} if isinstance(data, dict) else {}


@dataclass(frozen=True)
class Messages:
    language: str
    texts: dict[str, str]

    def __call__(self, key: str, **values: Any) -> Markup:
        """The message `key`, its `{name}` slots filled with `values` (escaped unless already markup)."""
        if not values and key in self._plain:  # most messages have no slots: filled once per build
            return self._plain[key]
        text = self.texts.get(key)
        if text is None:
            raise UndefinedError(f"no message '{key}' in the catalogues (welcome_gen/theme/messages/"
                                 f"{FALLBACK}.yaml lists every key)")
        filled = Markup(text).format(**values)
        if not values:
            self._plain[key] = filled
        return filled

    @cached_property
    def _plain(self) -> dict[str, Markup]:
        return {}

    @cached_property
    def _dates(self) -> dict[date, str]:
        return {}

    def text(self, key: str, **values: Any) -> str:
        """The message as plain text (for page titles and other data the templates escape themselves)."""
        return str(self(key, **{k: Markup.escape(v) for k, v in values.items()}).unescape())

    @cached_property  # parsed once per catalogue, not once per date shown
    def locale(self) -> Any:
        from babel import Locale, UnknownLocaleError

        try:
            return Locale.parse(self.language.replace("_", "-"), sep="-")
        except (UnknownLocaleError, ValueError):
            return Locale.parse(FALLBACK)

    def date(self, value: date | str) -> str:
        """A date as the site's language writes it in full: `1 March 2027`, `1. März 2027`, `1 de marzo de 2027`."""
        from babel.dates import format_date

        day = as_day(value)
        if day not in self._dates:  # an issue's date is shown on its page, the archive, its tags, the home page
            self._dates[day] = format_date(day, "long", locale=self.locale)
        return self._dates[day]

    def months(self) -> list[str]:
        """January to December, in the site's language, as a form's month choices."""
        return list(self._months)

    @cached_property
    def _months(self) -> list[str]:
        from babel.dates import get_month_names

        names = get_month_names("wide", context="stand-alone", locale=self.locale)
        return [names[m] for m in range(1, 13)]


def _stamp(path: Path) -> tuple[str, int]:
    try:
        return str(path), path.stat().st_mtime_ns
    except OSError:
        return str(path), 0


def messages_for(root: Path, language: str) -> Messages:
    """The catalogue for `language`: English, under the package's for that language, under the project's."""
    paths = (CATALOGUES / f"{FALLBACK}.yaml", CATALOGUES / f"{base_language(language)}.yaml",
             project_catalogue(root, language))
    return _load(language, tuple(_stamp(p) for p in paths))  # re-read when a file changes (serve)


@lru_cache(maxsize=32)
def _load(language: str, stamps: tuple[tuple[str, int], ...]) -> Messages:
    texts: dict[str, str] = {}
    for path, _ in stamps:
        texts.update(_read(Path(path)))
    return Messages(language, texts)


def shipped_languages() -> list[str]:
    return sorted(p.stem for p in CATALOGUES.glob("*.yaml"))


def problems(root: Path, language: str, language_line: int | None) -> list[Problem]:
    """A project catalogue that cannot be read or names keys the theme does not have; a language without one."""
    out: list[Problem] = []
    known = _read(CATALOGUES / f"{FALLBACK}.yaml")
    own = project_catalogue(root, language)
    lang = base_language(language)
    if own.is_file():
        shown = rel(own, root)
        import yaml

        try:
            data = yaml.safe_load(own.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            mark = getattr(exc, "problem_mark", None)
            return [Problem(shown, mark.line + 1 if mark else None, f"cannot read the message catalogue: {exc}")]
        if not isinstance(data, dict):
            return [Problem(shown, 1, "a message catalogue is 'key: text' lines")]
        lines = own.read_text(encoding="utf-8").splitlines()
        for key in data:
            if str(key) not in known:
                line = next((i for i, text in enumerate(lines, 1) if text.startswith(f"{key}:")), None)
                out.append(Problem(shown, line, f"unknown message '{key}'; the keys are those of "
                                                f"welcome_gen/theme/messages/{FALLBACK}.yaml "
                                                f"(`welcome-gen theme export messages/{FALLBACK}.yaml`)"))
    elif lang not in shipped_languages():
        out.append(Problem("welcome.yaml", language_line,
                           f"no message catalogue for '{language}': the theme's words stay English. Copy one with "
                           f"`welcome-gen theme export messages/{FALLBACK}.yaml`, save it as "
                           f"templates/messages/{lang}.yaml and translate it", "warning"))
    return out


def as_day(value: date | str) -> date:
    """The day a template's date value names: a date, a date and time, or text starting YYYY-MM-DD."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def install(env: Any, root: Path, words: WordStore | None = None) -> None:
    """Give a Jinja environment `t("key", name=value)`, `months()` and the `longdate` filter, each in the language
    of the `site` being rendered, with the project at `root` able to change any message. `words`: dates and month
    names as Babel wrote them before, taken from there and kept there."""
    from jinja2 import pass_context

    known: dict[str, Messages] = {}  # an environment lives for one build: its catalogues are read once

    def catalogue(ctx: Any) -> Messages:
        site = ctx.get("site")
        language = (site.get("language") if isinstance(site, dict) else getattr(site, "language", None)) or FALLBACK
        words = known.get(language)
        if words is None:
            words = known[language] = messages_for(root, language)
        return words

    @pass_context
    def t(ctx: Any, key: str, **values: Any) -> Markup | str:
        words = catalogue(ctx)
        # Markup where the template escapes (HTML), plain text where it does not (an email's text part).
        return words(key, **values) if ctx.eval_ctx.autoescape else words.text(key, **values)

    @pass_context
    def months(ctx: Any) -> list[str]:
        found = catalogue(ctx)
        return found.months() if words is None else words.months(found.language, found.months)

    @pass_context
    def longdate(ctx: Any, value: date | str) -> str:
        found = catalogue(ctx)
        return found.date(value) if words is None else words.date(found.language, as_day(value), found.date)

    env.globals.update(t=t, months=months)
    env.filters["longdate"] = longdate


def catalogue_files(root: Path) -> list[Path]:
    """Every catalogue a build may read (the package's and the project's), for knowing when words changed."""
    own = root.joinpath(*PROJECT_FOLDER)
    return sorted(CATALOGUES.glob("*.yaml")) + (sorted(own.glob("*.yaml")) if own.is_dir() else [])
