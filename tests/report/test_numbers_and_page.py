"""The report's sums, charts and page without Mailchimp: made-up campaign numbers in, numbers and markup out."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timezone
from html.parser import HTMLParser

import pytest

from welcome_gen.report import CampaignNumbers, Numbers, aggregate, render_page
from welcome_gen.report.charts import bar_chart, line_chart, nice_step
from welcome_gen.report.page import PALETTE, plain_subject

UTC = timezone.utc
NOW = datetime(2027, 4, 1, 12, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"


def campaign(title: str, day: str, sent: int, opens: int = 0, clicks: int = 0, bounces: int = 0) -> CampaignNumbers:
    return CampaignNumbers(title, title, datetime.fromisoformat(day).replace(tzinfo=UTC),
                           Numbers(campaigns=1, sent=sent, opens=opens, clicks=clicks, bounces=bounces))


CAMPAIGNS = [
    campaign("wg:welcome:hello:default:2027030110", "2027-03-01 10:00", 10, 6, 2, bounces=2),
    campaign("wg:welcome:story:default:2027030310", "2027-03-03 10:00", 8, 4, 1),
    campaign("wg:welcome:hello:default:2027032210", "2027-03-22 10:00", 5, 5, 0),  # two empty weeks before
    campaign("wg:welcome:gone:default:2027032310", "2027-03-23 10:00", 1),  # a step since removed from the file
    campaign("wg:retired:1:default:2027030910", "2027-03-09 10:00", 2, 1),  # a sequence since removed
    campaign("wg:birthday:2027.1:default:2027030510", "2027-03-05 10:00", 1, 1),
    campaign("wg:issue:first-shavings", "2027-03-10 10:00", 20, 9, 3),
    campaign("wg:something-else", "2027-03-10 10:00", 99),  # not a batch key nor an issue: not counted
]


@pytest.fixture
def report(project):
    return aggregate(project, CAMPAIGNS, NOW)


def test_sums_per_step_follow_the_sequence_file_and_keep_what_it_no_longer_has(report):
    assert [(s.key, s.known) for s in report.sequences] == [("welcome", True), ("birthday", True),
                                                             ("retired", False)]
    welcome = report.sequences[0]
    assert [s.id for s in welcome.steps] == ["hello", "story", "week", "gone"]
    hello = welcome.steps[0].numbers
    assert (hello.campaigns, hello.sent, hello.bounces, hello.delivered, hello.opens) == (2, 15, 2, 13, 11)
    assert hello.open_rate == 11 / 13 and welcome.steps[2].numbers.open_rate == 0.0  # nothing sent: no division
    assert welcome.steps[3].subject == "" and welcome.steps[1].subject == "Our story"
    # Occurrences of a recurring sequence count under their step.
    assert [(s.id, s.numbers.sent) for s in report.sequences[1].steps] == [("1", 1)]
    assert [(i.slug, i.numbers.sent, i.numbers.opens) for i in report.issues] == [("first-shavings", 20, 9)]
    assert report.numbers.sent == 47 and report.numbers.campaigns == 7


def test_weeks_start_on_monday_in_the_site_timezone_with_gaps_filled(report):
    weeks = [(w.start, w.numbers.sent) for w in report.sequences[0].weeks]
    assert weeks == [(date(2027, 3, 1), 18), (date(2027, 3, 8), 0), (date(2027, 3, 15), 0), (date(2027, 3, 22), 6)]


def test_nothing_sent_is_an_empty_report_that_says_so(project):
    report = aggregate(project, [], NOW)
    assert report.empty and report.numbers.open_rate == 0
    page = render_page(report, "Shop")
    assert "Nothing sent yet" in page and "<svg" not in page


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.urls = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.urls += [v for k, v in attrs if k in ("src", "href", "xlink:href") and v and not v.startswith("#")]


def test_the_page_is_self_contained_with_no_script(report):
    page = render_page(report, "Shop <&> Co")
    parsed = _Tags()
    parsed.feed(page)
    assert "script" not in parsed.tags and "link" not in parsed.tags and "img" not in parsed.tags
    assert parsed.urls == []  # every link is to a place on the page itself
    assert "Shop &lt;&amp;&gt; Co" in page and "url(" not in page and "@import" not in page
    assert parsed.tags.count("svg") == 6  # a funnel and a weekly line for each of the three sequences that sent
    assert "prefers-color-scheme:dark" in page


def test_every_chart_is_well_formed_svg_with_a_title_and_its_numbers():
    for svg in (bar_chart("f", ["1. Hi", "2. Story & more"], [("Delivered", [120, 80]), ("Opened", [60, 20])],
                          title="Funnel <welcome>", desc="d"),
                line_chart("w", ["1 Mar", "8 Mar", "15 Mar"], [("Open rate", [0.5, 0.25, 0.0])], title="Weeks"),
                line_chart("one", ["1 Mar"], [("Open rate", [0.4])], title="One week")):
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG}svg" and root.find(f"{SVG}title").text
        assert root.get("role") == "img"
    bars = ET.fromstring(bar_chart("f", ["a", "b"], [("Delivered", [120, 80])], title="t"))
    heights = [float(r.get("height")) for r in bars.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert heights[0] > heights[1] > 0 and abs(heights[1] / heights[0] - 80 / 120) < 0.01
    assert ">120<" in ET.tostring(bars, encoding="unicode")


@pytest.mark.parametrize("top,step", [(0, 1), (4, 1), (7, 2), (10, 2.5), (120, 50), (1, 0.25), (0.83, 0.25)])
def test_gridlines_fall_on_round_numbers(top, step):
    assert nice_step(top) == pytest.approx(step)


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_and_chart_colours_are_readable_in_both_schemes(scheme):
    p = PALETTE[scheme]
    for text in ("fg", "muted", "c0"):  # c0 is also the link colour
        for background in ("bg", "card"):
            assert contrast(p[text], p[background]) >= 4.5, (scheme, text, background)
    for series in ("c0", "c1", "c2"):  # bars and lines against the page (WCAG's 3:1 for graphics)
        assert contrast(p[series], p["bg"]) >= 3, (scheme, series)
    assert re.fullmatch(r"(#[0-9a-f]{6}\s*)+", " ".join(p.values()))


def test_subjects_show_personalisation_by_name_not_as_template_code():
    assert plain_subject("Welcome, {{ subscriber.first_name | default('friend') }}: what next?") == \
        "Welcome, [first_name]: what next?"
    assert plain_subject("{% if vars.code %}Your code {{ vars.code }}{% endif %}") == "Your code [code]"


def test_a_long_weekly_line_drops_its_dots_but_keeps_every_point():
    labels = [f"w{i}" for i in range(80)]
    root = ET.fromstring(line_chart("w", labels, [("Open rate", [i / 100 for i in range(80)])], title="t"))
    assert list(root.iter(f"{SVG}circle")) == []
    assert len(next(root.iter(f"{SVG}polyline")).get("points").split()) == 80
    dates = [t.text for t in root.iter(f"{SVG}text") if t.text and t.text.startswith("w")]
    assert 2 <= len(dates) <= 8  # a few dates under the axis, never all eighty
