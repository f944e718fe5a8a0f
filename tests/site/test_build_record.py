"""The build's record lives beside the published folder, never in it; and nothing private is published."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import yaml

from welcome_gen.cli import main
from welcome_gen.project import load_project
from welcome_gen.site.build import build

TODAY = date(2026, 11, 2)


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_the_record_is_kept_beside_the_site_and_a_second_build_writes_nothing(example):
    out = example / "public"
    first = build(load_project(example), out, today=TODAY)
    assert first.written > 20
    assert not [name for name in files(out) if "welcome-gen" in name or name.endswith(".json")]
    record = json.loads((example / ".welcome-gen" / "public.json").read_text())
    assert set(record["outputs"]) == set(files(out))

    second = build(load_project(example), out, today=TODAY)
    assert (second.written, second.pruned, second.unchanged) == (0, 0, first.written)

    (example / "content/faq.md").write_text((example / "content/faq.md").read_text() + "\nOne more answer.\n")
    third = build(load_project(example), out, today=TODAY)
    assert third.written_files == ["faq/index.html"]


def test_a_site_built_with_the_record_inside_is_still_ours_and_loses_it(example):
    out = example / "public"
    build(load_project(example), out, today=TODAY)
    record = example / ".welcome-gen" / "public.json"
    (out / ".welcome-gen-build.json").write_text(record.read_text())  # where earlier builds kept it
    record.unlink()
    result = build(load_project(example), out, today=TODAY)
    assert result.written == 0 and result.pruned == 1
    assert not (out / ".welcome-gen-build.json").exists() and record.is_file()


def test_a_full_build_publishes_no_subscriber_data_and_no_key(example, monkeypatch, capsys):
    key = ("5e3f0c1d9a8b7c6d" + "5e4f3a2b1c0d9e8f-us21")
    monkeypatch.setenv("MAILCHIMP_API_KEY", key)
    assert main(["build", str(example), "--drafts", "--quiet"]) == 0
    published = b"\n".join(files(example / "public").values()).lower()
    samples = yaml.safe_load((example / "sequences/samples.yaml").read_text())["samples"]
    private = [key, *(s["email"] for s in samples if s.get("email")),
               *(s["last_name"] for s in samples if s.get("last_name"))]
    assert len(private) > 3
    for value in private:
        assert value.lower().encode() not in published, f"{value} is in public/"
    assert key not in capsys.readouterr().out
    emails = b"\n".join(files(example / "build/emails").values())
    assert key.encode() not in emails
