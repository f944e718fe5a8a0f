"""Every setting of welcome.yaml says what it does, once: README.md's tables are made from those words."""

from __future__ import annotations

from pathlib import Path

from welcome_gen.project.describe import settings, table
from welcome_gen.project.model import Config

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_has_a_meaning():
    rows = settings()
    assert len(rows) > 20
    assert [key for key, _, meaning in rows if not meaning.strip()] == []


def test_the_readme_tables_are_the_settings_own_words():
    text = README.read_text(encoding="utf-8")
    for section in Config.model_fields:
        expected = table(section)
        assert expected in text, (f"README.md's `{section}` table is out of step with model.py; paste the output of "
                                  f"`python -m welcome_gen.project.describe`:\n{expected}")
