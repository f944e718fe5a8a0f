"""`welcome-gen init`: a new project that loads, and a folder that is not empty left alone."""

from __future__ import annotations

import pytest

from welcome_gen.cli import main
from welcome_gen.scaffold.pin import installed_pin
from welcome_gen.project import load_project


def test_init_writes_a_project_that_loads(tmp_path):
    root = tmp_path / "bramble-and-bolt"
    assert main(["init", str(root), "--name", 'Bramble & "Bolt": Woodshop']) == 0
    project = load_project(root)
    assert project.config.business.name == 'Bramble & "Bolt": Woodshop'
    assert project.config.site.url == "https://your-account.github.io/bramble-and-bolt/"
    assert {p.meta.fit for p in project.personas} == {True, False}
    # The welcome series, and an acknowledgement for each thing a person may tell you (`welcome-gen thank`).
    assert [s.key for s in project.sequences] == ["comment", "complaint", "enquiry", "referral", "welcome"]
    assert {s.key: s.meta.trigger.event or s.meta.trigger.tag for s in project.sequences if s.key != "welcome"} == {
        "comment": "commented", "complaint": "complaint", "enquiry": "enquiry", "referral": "referred-a-friend"}
    assert len(project.issues) == 1 and project.pages
    assert "welcome-gen check" in (root / ".github/workflows/publish.yml").read_text()
    assert (root / ".github/workflows/send.yml").is_file()
    assert set((root / ".gitignore").read_text().split()) >= {"public/", "build/"}
    assert [p.name for p in (root / "templates").iterdir()] == ["README.md"]


def test_every_setting_in_welcome_yaml_is_explained(tmp_path):
    main(["init", str(tmp_path / "x")])
    lines = (tmp_path / "x" / "welcome.yaml").read_text().splitlines()
    for i, line in enumerate(lines):
        stripped = line.strip()
        is_setting = stripped and not stripped.startswith("#") and not stripped.endswith(":")
        if is_setting and line.startswith("  ") and not line.startswith("    "):
            assert lines[i - 1].strip().startswith("#"), f"welcome.yaml:{i + 1}: {stripped} has no comment above it"


def test_name_defaults_to_the_folder(tmp_path):
    main(["init", str(tmp_path / "quiet-pottery")])
    assert load_project(tmp_path / "quiet-pottery").config.site.title == "Quiet Pottery"


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["init", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]

    assert main(["init", str(tmp_path), "--force"]) == 0
    assert (tmp_path / "notes.txt").read_text() == "mine"
    load_project(tmp_path)


def test_init_refuses_a_name_emails_would_misread(tmp_path, capsys):
    assert main(["init", str(tmp_path / "x"), "--name", "{{ oops }}"]) == 2
    assert "--name" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_a_new_project_checks_and_builds_at_once(tmp_path, monkeypatch, capsys):
    root = tmp_path / "hazel-pottery"
    assert main(["init", str(root)]) == 0
    monkeypatch.chdir(root)
    monkeypatch.delenv("CI", raising=False)  # on the author's machine; CI refuses the placeholders (test_placeholders)
    assert main(["check"]) == 0, capsys.readouterr().err
    assert main(["build"]) == 0, capsys.readouterr().err
    public = root / "public"
    assert "Hazel Pottery" in (public / "index.html").read_text(encoding="utf-8")
    assert (public / "fit" / "index.html").is_file() and (public / "about" / "index.html").is_file()
    # The reload script belongs to `serve` alone.
    for page in public.rglob("*.html"):
        assert "_reload" not in page.read_text(encoding="utf-8"), page


def test_the_complaint_acknowledgement_names_who_deals_with_it_and_by_when(tmp_path, monkeypatch):
    root = tmp_path / "shop"
    assert main(["init", str(root), "--name", "Quiet Pottery"]) == 0
    monkeypatch.delenv("CI", raising=False)  # a CI build refuses init's placeholders
    assert main(["build", str(root)]) == 0
    text = " ".join((root / "build" / "emails" / "complaint" / "received" / "default.txt").read_text().split())
    assert "The owner is looking into it and will reply to you personally within two working days" in text


def test_init_pins_the_welcome_gen_the_workflows_install(tmp_path, capsys):
    wheel = ("https://files.example.org/welcome_gen-0.1.0-py3-none-any.whl#sha256=" + "ab" * 32)
    assert main(["init", str(tmp_path / "x"), "--install", wheel]) == 0
    for name in ("publish.yml", "send.yml"):
        assert f'run: pip install "{wheel}"' in (tmp_path / "x" / ".github" / "workflows" / name).read_text()
    assert "placeholder" not in capsys.readouterr().err


def test_init_refuses_an_install_that_is_not_pinned_and_verifiable(tmp_path, capsys):
    for spec in ("welcome-gen==0.1.0", "git+https://github.com/o/welcome-gen@main",
                 "git+https://github.com/o/welcome-gen@abc123", "https://x.example/welcome_gen-0.1.0.tar.gz",
                 'git+https://github.com/o/w"; curl evil@' + "0" * 40):
        assert main(["init", str(tmp_path / "x"), "--install", spec]) == 2
        assert "--install" in capsys.readouterr().err
        assert not (tmp_path / "x").exists()


def test_without_a_pin_init_says_the_workflows_install_a_placeholder(tmp_path, capsys):
    if installed_pin():
        pytest.skip("this welcome-gen was installed from a pinned address, which init then uses")
    assert main(["init", str(tmp_path / "x")]) == 0
    assert "install a placeholder" in capsys.readouterr().err
    assert 'pip install "git+https://github.com/OWNER/welcome-gen@COMMIT"' in (
        tmp_path / "x" / ".github" / "workflows" / "send.yml").read_text()
