"""The built example site in headless Chromium: every page template at a phone's and a desktop's width loads with
no console error or failed request, fits the screen, follows the reader's dark mode, and axe-core finds no
serious or critical accessibility problem."""

from __future__ import annotations

import re

import pytest

from chromium import report

pytestmark = pytest.mark.browser

# One page for each template the theme has (and both kinds of persona page); the 404 page at a deep address,
# as GitHub Pages serves it there, so its links and assets must not depend on where it is shown.
PAGES = {
    "home": "",
    "page": "about/",
    "fit": "fit/",
    "persona (fit)": "for/flat-dwellers/",
    "persona (not a fit)": "for/career-changers/",
    "archive": "newsletter/",
    "archive page 2": "newsletter/page/2/",
    "issue": "newsletter/first-shavings/",
    "tags": "tags/",
    "tag": "tags/tools/",
    "404": "no/such/page/",
}
WIDTHS = (375, 1280)


def visit(browser, server, name: str, width: int, *, dark: bool = False) -> str:
    url = server.url + PAGES[name]
    browser.open(url, width, dark=dark)
    return f"{name} ({'/' + PAGES[name]} at {width}px{', dark' if dark else ''})"


@pytest.mark.parametrize("width", WIDTHS)
def test_every_template_loads_cleanly_and_fits_the_screen(browser, example_site, width):
    _, server = example_site
    findings = []
    for name in PAGES:
        page = visit(browser, server, name, width)
        found = browser.errors(page)
        if name == "404":  # the page itself answers 404, as it should; nothing else may fail
            own = server.url + PAGES[name]
            found = [f for f in found if own not in (f.element, f.detail.partition(" - ")[0])]
        findings += found + browser.overflow(page)
    assert not findings, report(findings)


def luminance(css: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", css)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_dark_mode_applies_when_the_reader_prefers_it(browser, example_site):
    _, server = example_site
    for name in ("home", "fit", "issue"):
        visit(browser, server, name, 375)
        light = browser.background()
        visit(browser, server, name, 375, dark=True)
        dark = browser.background()
        assert luminance(light) > 0.7 and luminance(dark) < 0.2, f"{name}: body background {light} / {dark}"


@pytest.mark.parametrize("width, dark", [(375, False), (1280, True)], ids=["375px-light", "1280px-dark"])
def test_axe_finds_no_serious_or_critical_problem_on_any_template(browser, example_site, width, dark):
    """Each template once in each colour scheme (contrast differs), once at each width (layout differs)."""
    _, server = example_site
    findings = []
    for name in PAGES:
        page = visit(browser, server, name, width, dark=dark)
        findings += browser.accessibility(page)
    assert not findings, report(findings)
