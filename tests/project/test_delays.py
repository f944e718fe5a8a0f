"""Delays count from the trigger: `check` refuses steps out of order and warns on steps closer than min_gap."""

from __future__ import annotations

import pytest

from welcome_gen.cli import main


@pytest.fixture
def root(scaffolded_project):
    return scaffolded_project


def add_step(root, delay: str, sequence_extra: str = "") -> int:
    """Append a step with `delay` to the welcome sequence; the line of its delay."""
    path = root / "sequences" / "welcome.yaml"
    text = path.read_text(encoding="utf-8") + (
        f"  - id: late-thought\n    delay: {delay}\n    subject: One more thing\n    body: welcome/hello.md\n")
    path.write_text(sequence_extra + text, encoding="utf-8")
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if line == f"    delay: {delay}")


def test_a_step_shorter_than_the_one_before_is_refused_at_its_line(root, capsys):
    line = add_step(root, "2d")  # after how-we-work's 3d: it would arrive first
    assert main(["check", str(root)]) == 1
    err = capsys.readouterr().err
    assert (f"sequences/welcome.yaml:{line}: step 'late-thought' has delay 2d and step 'how-we-work' before it 3d; "
            "delays count from the trigger, so this one would arrive first") in err


def test_steps_closer_than_min_gap_are_a_warning(root, capsys):
    line = add_step(root, "84h")  # 12 hours after how-we-work's 3d
    assert main(["check", str(root)]) == 0
    err = capsys.readouterr().err
    assert f"sequences/welcome.yaml:{line}: warning: step 'late-thought' has delay 84h" in err
    assert "so the two arrive 12h apart, closer than min_gap (1d)" in err


def test_min_gap_is_set_per_sequence(root, capsys):
    add_step(root, "4d", sequence_extra="min_gap: 2d\n")
    assert main(["check", str(root)]) == 0
    assert "arrive 1d apart, closer than min_gap (2d)" in capsys.readouterr().err


def test_steps_a_day_apart_pass_quietly(root, capsys):
    add_step(root, "1w")
    assert main(["check", str(root)]) == 0
    assert "delay" not in capsys.readouterr().err
