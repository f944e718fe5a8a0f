"""The emulator's routing table: Mailchimp path templates (named as in the spec) to handler functions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import unquote


@dataclass
class Request:
    """What a handler sees: path parameters, the (coerced) query, the JSON body, and the shared state."""

    method: str
    template: str
    params: dict[str, str]
    query: dict[str, Any]
    body: Any
    store: Any  # state.Store
    emulator: Any  # app.Emulator, for settings such as the public base URL

    def arg(self, name: str, default: Any = None) -> Any:
        return self.query.get(name, default)


@dataclass
class Route:
    method: str
    template: str
    pattern: re.Pattern
    handler: Callable[[Request], Any]


ROUTES: list[Route] = []


def route(method: str, template: str):
    """Register a handler for `METHOD /template` (templates use the spec's `{param}` names)."""
    regex = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "/?$"

    def register(fn):
        ROUTES.append(Route(method, template, re.compile(regex), fn))
        return fn

    return register


def match(method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
    """The route for a request, its path parameters, and whether the path exists under another method."""
    other = False
    for r in ROUTES:
        m = r.pattern.match(path)
        if m:
            if r.method == method:
                return r, {k: unquote(v) for k, v in m.groupdict().items()}, True
            other = True
    return None, {}, other
