"""The merge-tag renderer: what one recipient's email says."""

from __future__ import annotations

import html
from datetime import date

import pytest

from welcome_gen.mailchimp.mergetags import MergeTagError, check, render

GREETING = "*|IF:FNAME|*Hi *|FNAME|*,*|ELSEIF:LNAME|*Dear *|LNAME|*,*|ELSE:|*Hello friend,*|END:IF|*"


@pytest.mark.parametrize("values, expected", [
    ({"FNAME": "Ann"}, "Hi Ann,"),
    ({"FNAME": "", "LNAME": "Lovelace"}, "Dear Lovelace,"),
    ({"FNAME": "  "}, "Hello friend,"),
    ({}, "Hello friend,"),
])
def test_if_elseif_else(values, expected):
    assert render(GREETING, values) == expected


def test_names_match_case_insensitively_and_unknown_tags_stay():
    assert render("*|fname|* *|NOPE|*", {"FNAME": "Ann"}) == "Ann *|NOPE|*"


def test_comparisons_and_ifnot():
    text = "*|IF:PLAN=pro|*P*|ELSEIF:VISITS>=10|*V*|ELSE:|*-*|END:IF|**|IFNOT:VIP|*!*|END:IF|*"
    assert render(text, {"PLAN": "pro", "VIP": "yes"}) == "P"
    assert render(text, {"PLAN": "free", "VISITS": 12}) == "V!"
    assert render(text, {"PLAN": "free", "VISITS": "9"}) == "-!"
    assert render("*|IF:CITY!=\"Bath\"|*away*|END:IF|*", {"CITY": "Bristol"}) == "away"


def test_nesting():
    text = "*|IF:A|*a*|IF:B|*b*|ELSE:|*-b*|END:IF|**|ELSE:|*-a*|IF:B|*b*|END:IF|**|END:IF|*"
    assert render(text, {"A": "1", "B": "1"}) == "ab"
    assert render(text, {"A": "1"}) == "a-b"
    assert render(text, {"B": "1"}) == "-ab"
    assert render(text, {}) == "-a"


def test_escape_applies_to_values_only():
    out = render("<p>*|FNAME|*</p>", {"FNAME": "<Ann & Bo>"}, escape=html.escape)
    assert out == "<p>&lt;Ann &amp; Bo&gt;</p>"


def test_address_and_numbers():
    address = {"addr1": "1 Road", "addr2": "", "city": "Bristol", "state": "", "zip": "BS1", "country": "GB"}
    assert render("*|ADDRESS|* *|N|*", {"ADDRESS": address, "N": 3.0}) == "1 Road  Bristol  BS1  GB 3"


@pytest.mark.parametrize("text, problem", [
    ("*|IF:A|*x", "never closed"),
    ("x*|END:IF|*", "without a matching"),
    ("*|ELSE:|*", "without a matching"),
    ("*|IF:A|*x*|ELSE:|*y*|ELSEIF:B|*z*|END:IF|*", "after"),
])
def test_unbalanced_blocks(text, problem):
    with pytest.raises(MergeTagError, match=problem):
        render(text, {})
    assert problem in check(text)[0]


def test_check_passes_balanced_text():
    assert check(GREETING) == []


def test_tags_mailchimp_computes_are_filled_unless_given():
    day = date(2027, 3, 7)
    text = "*|DATE:j F Y|* *|DATE:\\Y\\e\\a\\r Y|* *|UPPER:FNAME|* *|title:LNAME|* *|LOWER:NOPE|*."
    assert render(text, {"FNAME": "Ann", "LNAME": "de la mer"}, today=day) == "7 March 2027 Year 2027 ANN De La Mer ."
    assert render("*|DATE|*", {}, today=day) == "7 March 2027"
    assert render("*|DATE|*", {"DATE": "March 07, 2027"}, today=day) == "March 07, 2027"
