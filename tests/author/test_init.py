"""`welcome-gen init`: a new project that loads, and a folder that is not empty left alone."""

from __future__ import annotations

from welcome_gen.cli import main
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
    assert main(["check"]) == 0, capsys.readouterr().err
    assert main(["build"]) == 0, capsys.readouterr().err
    public = root / "public"
    assert "Hazel Pottery" in (public / "index.html").read_text(encoding="utf-8")
    assert (public / "fit" / "index.html").is_file() and (public / "about" / "index.html").is_file()
    # The reload script belongs to `serve` alone.
    for page in public.rglob("*.html"):
        assert "_reload" not in page.read_text(encoding="utf-8"), page


def test_the_complaint_acknowledgement_names_who_deals_with_it_and_by_when(tmp_path):
    root = tmp_path / "shop"
    assert main(["init", str(root), "--name", "Quiet Pottery"]) == 0
    assert main(["build", str(root)]) == 0
    text = " ".join((root / "build" / "emails" / "complaint" / "received" / "default.txt").read_text().split())
    assert "The owner is looking into it and will reply to you personally within two working days" in text
