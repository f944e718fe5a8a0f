"""Golden output: the example site, built on a fixed day, against the committed tree in golden/.

A change in what the site says or how it is marked up shows here as a diff to review. To accept one:
`WELCOME_GEN_UPDATE_GOLDEN=1 python -m pytest -q tests/site/test_site_golden.py`, then read `git diff`.

Kept small: the stylesheet is the theme's file copied as it is (checked byte for byte, not stored), and the
signup form, the same on every page (checked), is stored once, in index.html.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from welcome_gen.project import load_project
from welcome_gen.site.build import build

from helpers import match_golden

GOLDEN = Path(__file__).parent / "golden"
TODAY = date(2026, 11, 10)  # after the newest example issue: every issue is published
THEME_CSS = Path(__file__).resolve().parents[2] / "welcome_gen/theme/site/assets/style.css"
SIGNUP = re.compile(r'<section class="signup".*?</section>\n', re.S)
SIGNUP_STORED_IN = "index.html"


def normalised(out: Path) -> dict[str, str]:
    """The built site as the golden tree holds it: {relative path: text}."""
    files = {p.relative_to(out).as_posix(): p for p in sorted(out.rglob("*")) if p.is_file()}
    assert files.pop("assets/style.css").read_bytes() == THEME_CSS.read_bytes()
    texts = {name: path.read_text(encoding="utf-8") for name, path in files.items()}
    forms = {name: SIGNUP.findall(text) for name, text in texts.items() if name.endswith(".html")}
    assert all(len(found) == 1 for found in forms.values()), "every page has exactly one signup form"
    assert len({found[0] for found in forms.values()}) == 1, "the signup form differs between pages"
    for name in forms:
        if name != SIGNUP_STORED_IN:
            texts[name] = SIGNUP.sub(f"<!-- the signup form, as in {SIGNUP_STORED_IN} -->\n", texts[name])
    return texts


def test_the_example_site_matches_the_golden_tree(example, tmp_path):
    build(load_project(example), tmp_path / "public", today=TODAY)
    match_golden(GOLDEN, normalised(tmp_path / "public"))
