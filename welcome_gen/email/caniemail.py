"""Client-support warnings from the vendored caniemail data: which HTML and CSS the email uses that major clients drop."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import html as lxml_html

DATA = Path(__file__).resolve().parent / "data" / "caniemail.json"
# The clients most subscribers read in; each (family, platform) is checked at its latest tested version.
TARGETS = (("gmail", "desktop-webmail"), ("gmail", "ios"), ("gmail", "android"), ("outlook", "windows"),
           ("outlook", "outlook-com"), ("outlook", "macos"), ("outlook", "ios"), ("apple-mail", "macos"),
           ("apple-mail", "ios"), ("yahoo", "desktop-webmail"), ("samsung-email", "android"))
# Deliberate progressive enhancement: the layout works without these (Outlook ignores @media, the preheader is
# hidden by several properties at once, dark mode is a bonus). Warning about them would drown the real findings.
ALLOWED = frozenset({
    "css-at-media", "css-at-media-prefers-color-scheme", "html-meta-color-scheme", "css-color-scheme",
    "css-border-radius", "css-visibility", "css-opacity", "css-max-height", "css-overflow", "css-display-none",
    "css-display", "css-important", "css-max-width", "html-comments", "css-selector-attribute", "html-style",
    "css-unit-percent", "css-unit-px", "css-unit-pt", "css-padding", "css-margin", "html-role", "html-div",
})
VALUE_SLUGS = (("display", "flex", "css-display-flex"), ("display", "grid", "css-display-grid"),
               ("display", "none", "css-display-none"))
FUNCTION_SLUGS = {"var(": "css-variables", "linear-gradient(": "css-linear-gradient", "calc(": "css-unit-calc",
                  "radial-gradient(": "css-radial-gradient", "rgba(": "css-rgba", "clamp(": "css-function-clamp",
                  "light-dark(": "css-function-light-dark"}
AT_RULE_RE = re.compile(r"@(media|font-face|import|supports|keyframes)\b", re.I)
DECL_RE = re.compile(r"(?<![\w-])([a-z-]+)\s*:\s*([^;{}]+)", re.I)
ATTRIBUTES = {"srcset": "html-srcset", "target": "html-target", "background": "html-background",
              "loading": "html-loading-attribute", "popover": "html-popover"}
TAGS = {"form": "html-form", "video": "html-video", "audio": "html-audio", "svg": "html-svg", "picture": "html-picture",
        "object": "html-object", "base": "html-base", "link": "html-link", "button": "html-button-submit",
        "select": "html-select", "textarea": "html-textarea", "dialog": "html-dialog", "marquee": "html-marquee",
        "meter": "html-meter", "progress": "html-progress", "address": "html-address"}


@dataclass(frozen=True)
class Support:
    slug: str
    title: str
    url: str
    clients: tuple[str, ...]  # "Gmail (Android)", ...
    example: str  # the declaration or element that uses it, to find it in the author's files


@lru_cache(maxsize=1)
def _features() -> tuple[dict[str, dict], dict]:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    return {f["slug"]: f for f in raw["data"]}, raw.get("nicenames", {})


def used_features(html: str) -> dict[str, str]:
    """caniemail slugs the email uses -> an example of the use."""
    found: dict[str, str] = {}
    doc = lxml_html.document_fromstring(html)
    css: list[str] = []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag in TAGS:
            found.setdefault(TAGS[tag], f"<{tag}>")
        if tag == "style":
            css.append(el.text or "")
        if tag == "img":
            ext = (el.get("src") or "").split("?")[0].rsplit(".", 1)[-1].lower()
            if ext in ("webp", "svg", "avif", "heif", "bmp", "tiff", "apng"):
                found.setdefault(f"image-{ext}", el.get("src", ""))
            if (el.get("src") or "").startswith("data:"):
                found.setdefault("image-base64", "data: image")
        for attr in el.attrib:
            if attr in ATTRIBUTES:
                found.setdefault(ATTRIBUTES[attr], f'{attr}="')
        if el.get("style"):
            css.append(el.get("style", ""))
    text = "\n".join(css)
    for m in AT_RULE_RE.finditer(text):
        found.setdefault(f"css-at-{m.group(1).lower()}", m.group(0))
    if "prefers-color-scheme" in text:
        found.setdefault("css-at-media-prefers-color-scheme", "prefers-color-scheme")
    for m in DECL_RE.finditer(text):
        prop, value = m.group(1).lower(), m.group(2).strip().lower()
        if prop.startswith(("mso-", "-")):
            continue
        found.setdefault(f"css-{prop}", f"{prop}:")
        for vprop, vvalue, slug in VALUE_SLUGS:
            if prop == vprop and value.startswith(vvalue):
                found.setdefault(slug, f"{prop}: {vvalue}")
        for fn, slug in FUNCTION_SLUGS.items():
            if fn in value:
                found.setdefault(slug, fn)
        if "!important" in value:
            found.setdefault("css-important", "!important")
    return found


def unsupported(html: str, targets: tuple[tuple[str, str], ...] = TARGETS) -> list[Support]:
    """Features the email uses that at least one target client does not support at all."""
    features, names = _features()
    return _lookup(tuple(sorted(used_features(html).items())), targets, features, names)


def _lookup(used: tuple[tuple[str, str], ...], targets, features, names) -> list[Support]:
    out = []
    for slug, example in used:
        feature = features.get(slug)
        if feature is None or slug in ALLOWED:
            continue
        clients = []
        for family, platform in targets:
            value = feature["stats"].get(family, {}).get(platform)
            if value is not None and value.split()[0] == "n":
                fam = names.get("family", {}).get(family, family)
                plat = names.get("platform", {}).get(platform, platform)
                clients.append(f"{fam} ({plat})")
        if clients:
            out.append(Support(slug, feature["title"], feature["url"], tuple(clients), example))
    return out
