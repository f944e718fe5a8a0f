"""UTM parameters on every link to the project's own site, so its analytics can tell which sequence and step
brought a reader: `utm_source` and `utm_medium` from welcome.yaml's `utm:`, `utm_campaign` the sequence (or the
newsletter issue), `utm_content` the step. Set in one place, switched off with `utm: false`.

    tagged = tag_links(fragment, site_base, utm_params(config, "welcome", "hello"))
    problems = survives(href, expected)   # preflight: will they reach the site through Mailchimp's click tracking?

Links elsewhere are left alone, and so is any utm_ parameter the author wrote into a link.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..project.model import Config

KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")
HREF_RE = re.compile(r'href="([^"]*)"')
#: Mailchimp's click tracking wraps every link; very long addresses are a known risk there (its exact limit is not
#: published), and any link much longer than this is also cut by some mail programs.
LONGEST = 2000


def utm_params(config: Config, campaign: str, content: str) -> dict[str, str]:
    """The parameters for one email's links (empty when UTM is off)."""
    utm = config.utm
    if not utm.enabled:
        return {}
    return {"utm_source": utm.source, "utm_medium": utm.medium, "utm_campaign": campaign, "utm_content": content}


def is_site(url: str, site_base: str) -> bool:
    return url.startswith(site_base) or f"{url}/" == site_base


def add(url: str, params: dict[str, str]) -> str:
    """`url` with `params` in its query (before any #fragment); parameters already there are kept as they are."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    have = {k for k, _ in query}
    query += [(k, v) for k, v in params.items() if k not in have]
    return urlunsplit(parts._replace(query=urlencode(query)))


def without(url: str) -> str:
    """`url` as the author wrote it: the UTM parameters taken out again (for messages)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in KEYS]
    return urlunsplit(parts._replace(query=urlencode(query)))


def tag_links(fragment: str, site_base: str, params: dict[str, str]) -> str:
    """Every `href` to the site in an HTML fragment, with the parameters added."""
    if not params:
        return fragment

    def one(m: re.Match) -> str:
        url = html.unescape(m.group(1))
        if not is_site(url, site_base):
            return m.group(0)
        return f'href="{html.escape(add(url, params), quote=True)}"'

    return HREF_RE.sub(one, fragment)


def survives(href: str, expected: dict[str, str]) -> list[str]:
    """Why a site link's UTM parameters would not reach the site's analytics through Mailchimp (none: they do)."""
    parts = urlsplit(href)
    query = parse_qsl(parts.query, keep_blank_values=True)
    found = {k: [v for key, v in query if key == k] for k in KEYS}
    out = []
    if "utm_" in parts.fragment:
        out.append("its UTM parameters are after the '#', where the site's analytics never sees them")
    for key, value in expected.items():
        if not found[key]:
            out.append(f"it has no {key}")
        elif len(found[key]) > 1:
            out.append(f"it has {key} {len(found[key])} times; analytics reads only one")
    if any(not re.fullmatch(r"[A-Za-z0-9._~-]+", v) for values in found.values() for v in values):
        out.append("a UTM value has characters that need encoding (use letters, digits, '-', '_', '.')")
    if len(href) > LONGEST:
        out.append(f"it is {len(href)} characters long; click tracking and some mail programs cut links past "
                   f"{LONGEST}")
    return out
