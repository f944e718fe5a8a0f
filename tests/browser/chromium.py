"""Headless Chromium through Selenium and Debian's chromedriver: open a page at a width and colour scheme, and
read what a person (or a screen reader) would meet there: console errors, failed requests, overflow, axe-core.

Every finding is a line `PAGE: RULE: ELEMENT (detail)`, so a failure names the page, the rule and the element.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = os.environ.get("WELCOME_GEN_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("WELCOME_GEN_CHROMEDRIVER", "/usr/bin/chromedriver")
AXE = Path(os.environ.get("WELCOME_GEN_AXE", Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage",
         # Only this machine answers: an email's images point at the published site, which the tests never reach.
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]

# The elements that stick out past the right edge of the viewport, deepest first: each one whose own box ends
# beyond the edge while none of its children's does, outside any element that scrolls or clips sideways.
OVERFLOW_JS = r"""
const width = document.documentElement.clientWidth;
const clips = el => { for (let a = el.parentElement; a && a !== document.body && a !== document.documentElement;
                           a = a.parentElement) {
    const o = getComputedStyle(a).overflowX; if (o !== 'visible') return true; } return false; };
const out = el => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > width + 1 && getComputedStyle(el).visibility !== 'hidden'; };
const path = el => { const parts = []; for (; el && el.nodeType === 1 && parts.length < 4; el = el.parentElement) {
    let s = el.tagName.toLowerCase(); if (el.id) { parts.unshift(s + '#' + el.id); break; }
    if (el.classList.length) s += '.' + [...el.classList].join('.'); parts.unshift(s); } return parts.join(' > '); };
const found = [...document.body.querySelectorAll('*')].filter(el => out(el) && !clips(el)
    && ![...el.children].some(out));
return {scroll: document.documentElement.scrollWidth, width: width,
        viewport: !!document.querySelector('meta[name=viewport][content*=device-width]'),
        culprits: found.slice(0, 5).map(el => path(el) + ' (right edge at '
            + Math.round(el.getBoundingClientRect().right) + 'px)')};
"""

AXE_JS = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({rule: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))),
    e => done([{rule: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
"""


def missing() -> str | None:
    """Why the browser tests cannot run here, or None when everything they need is installed."""
    for path, what in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not Path(path).is_file():
            return f"{path} not found: apt-get install chromium chromium-driver (.ci/run does)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: pip install -e '.[test]'"
    if not AXE.is_file():
        return f"{AXE} not found: npm ci --prefix tests/browser (.ci/run does)"
    return None


@dataclass
class Finding:
    page: str
    rule: str
    element: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.page}: {self.rule}: {self.element}" + (f" ({self.detail})" if self.detail else "")


class Browser:
    """One headless Chromium for a whole test session; `open` sets the viewport and colour scheme per page."""

    def __init__(self):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.profile = tempfile.mkdtemp(prefix="wg-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in FLAGS + [f"--user-data-dir={self.profile}"]:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(30)
        self.driver.set_script_timeout(60)
        self.axe = AXE.read_text(encoding="utf-8")

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    def cdp(self, command: str, **params) -> dict:
        return self.driver.execute_cdp_cmd(command, params)

    def view(self, width: int, *, dark: bool = False, height: int = 800) -> None:
        self.cdp("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                 mobile=width < 600)
        self.cdp("Emulation.setEmulatedMedia", features=[{"name": "prefers-color-scheme",
                                                         "value": "dark" if dark else "light"}])

    def open(self, url: str, width: int, *, dark: bool = False) -> None:
        self.drain()
        self.view(width, dark=dark)
        self.driver.get(url)

    def drain(self) -> None:
        """Forget the logs so far, so the next page's findings are its own."""
        self.driver.get_log("browser")
        self.driver.get_log("performance")

    # what a page shows ------------------------------------------------------------------------------------

    def errors(self, page: str) -> list[Finding]:
        """Console errors and requests that failed (an HTTP error status, or no answer) since the page opened."""
        found = [Finding(page, "console error", e.get("source", "console"), e["message"])
                 for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            if message["method"] == "Network.responseReceived" and params["response"]["status"] >= 400:
                found.append(Finding(page, "failed request", params["response"]["url"],
                                     f"HTTP {params['response']['status']}"))
            elif message["method"] == "Network.loadingFailed" and not params.get("canceled"):
                found.append(Finding(page, "failed request", params.get("requestId", "?"), params["errorText"]))
        return found

    def overflow(self, page: str) -> list[Finding]:
        doc = self.driver.execute_script(OVERFLOW_JS)
        found = [Finding(page, "horizontal overflow", c, f"viewport {doc['width']}px") for c in doc["culprits"]]
        if not doc["viewport"]:
            found.append(Finding(page, "no viewport", "head", "without <meta name=viewport "
                                 "content=width=device-width> a phone lays the page out 980px wide and shrinks it"))
        if doc["scroll"] > doc["width"] and not found:
            found.append(Finding(page, "horizontal overflow", "html",
                                 f"scrolls to {doc['scroll']}px in a {doc['width']}px viewport"))
        return found

    def accessibility(self, page: str) -> list[Finding]:
        """axe-core's serious and critical violations."""
        self.driver.execute_script(self.axe)
        return [Finding(page, f"axe {v['rule']} ({v['impact']})", ", ".join(v["nodes"]) or "document", v["help"])
                for v in self.driver.execute_async_script(AXE_JS)]

    def background(self, selector: str = "body") -> str:
        return self.driver.execute_script(f"return getComputedStyle(document.querySelector({selector!r}))"
                                          ".backgroundColor")

    def images_without_alt(self, page: str) -> list[Finding]:
        missing_alt = self.driver.execute_script(
            "return [...document.images].filter(i => !i.hasAttribute('alt')).map(i => i.outerHTML.slice(0, 120))")
        return [Finding(page, "image without alt", html) for html in missing_alt]


def report(findings: list[Finding]) -> str:
    return f"{len(findings)} finding(s):\n" + "\n".join(f"  {f}" for f in findings)
