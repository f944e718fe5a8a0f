"""Bad input at the command line: one line naming the file and line (or the option), the right exit code, and
never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from welcome_gen.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert "internal error" not in captured.err
    return code, captured.out, captured.err


@pytest.mark.parametrize("args, says", [
    (["build", "--bogus"], "No such option: --bogus"),
    (["nope"], "No such command 'nope'"),
    (["preview"], "Missing argument 'SEQ/STEP'"),
    (["serve", "--port", "99999"], "--port"),
    (["init"], "Missing argument 'DIR'"),
])
def test_usage_mistakes_exit_2_with_the_option_named(capsys, args, says):
    code, out, err = run(capsys, *args)
    assert code == 2
    assert says in err


@pytest.mark.parametrize("command", ["check", "build", "preview", "init", "serve", "push", "send", "journey",
                                     "emulator"])
def test_every_command_has_help(capsys, command):
    code, out, err = run(capsys, command, "--help")
    assert code == 0
    assert f"Usage: welcome-gen {command}" in out
    description = out.split("Usage:", 1)[1].splitlines()[2].strip()
    assert len(description) > 20, f"{command} --help has no description"


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("args, says", [
    (["--out", "."], "it holds the project itself"),
    (["--out", "content/site"], "it is inside the project's content/ folder"),
    (["--out", "welcome.yaml"], "it is a file, not a folder"),
    (["--emails-out", "."], "overlap"),
    (["--emails-out", "sequences"], "it is inside the project's sequences/ folder"),
    (["--emails-out", "public"], "overlap"),
    (["--out", "build"], "overlap"),
    (["--out", "out/journeys", "--emails-out", "out/emails"], "overlap"),  # journeys go beside the emails
])
def test_build_never_writes_into_the_project_or_mixes_emails_into_the_site(example, monkeypatch, capsys, args, says):
    monkeypatch.chdir(example)
    before = snapshot(example)
    code, out, err = run(capsys, "build", *args)
    assert code == 2 and says in err and len(err.strip().splitlines()) == 1
    assert snapshot(example) == before  # nothing written, nothing removed


def test_emails_are_not_written_over_a_folder_welcome_gen_did_not_make(example, tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    code, out, err = run(capsys, "build", str(example), "--emails-out", str(mine))
    assert code == 2 and "not empty and was not made by welcome-gen" in err
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    assert not (example / "public").exists()


@pytest.mark.parametrize("line, says", [
    ("{% include 'partials/nope.html' %}", "template 'partials/nope.html' not found"),
    ("{{ nothing.here }}", "template error: 'nothing' is undefined"),
])
def test_check_finds_what_only_rendering_shows_at_the_template_line(example, capsys, line, says):
    footer = example / "templates/site/partials/footer.html"
    lines = footer.read_text().splitlines()
    footer.write_text("\n".join(lines + [line]) + "\n")
    where = f"templates/site/partials/footer.html:{len(lines) + 1}: "
    for command in ("check", "build"):
        code, out, err = run(capsys, command, str(example))
        assert code == 1 and where + says in err, command
        assert err.count(where) == 1  # one problem, not one per page
    assert not (example / "public").exists()


@pytest.mark.parametrize("which, says", [
    ("welcome/99", "sequences/welcome.yaml: sequence 'welcome' has no step '99' (steps: hello, "),
    ("nope/1", "sequences/: no sequence 'nope' (known: anniversary, "),
])
def test_preview_of_an_email_that_does_not_exist_is_a_usage_error(example, capsys, which, says):
    code, out, err = run(capsys, "preview", which, str(example))
    assert (code, err) == (2, f"error: {says}" + err.split(says, 1)[1])
    assert len(err.strip().splitlines()) == 1


def test_a_file_given_as_the_project_folder_is_named(example, capsys):
    code, out, err = run(capsys, "check", str(example / "welcome.yaml"))
    assert code == 1 and "welcome.yaml: is a file; give the project folder" in err
    assert "welcome.yaml/welcome.yaml" not in err


def test_init_where_nothing_can_be_written_is_one_line(tmp_path, capsys):
    (tmp_path / "locked").mkdir(mode=0o500)
    code, out, err = run(capsys, "init", str(tmp_path / "locked" / "new"))
    if code == 0:  # running as root, permissions do not stop anything: a file in the way does
        (tmp_path / "blocker").write_text("")
        code, out, err = run(capsys, "init", str(tmp_path / "blocker" / "new"))
    assert code == 2 and "cannot write there" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("layout", ["layout.html.j2", "layout.txt.j2"])
def test_a_missing_include_in_an_email_layout_is_named_at_its_line(example, capsys, layout):
    theme = Path(__file__).resolve().parents[2] / "welcome_gen/theme/email" / layout
    lines = theme.read_text().splitlines() + ["{% include 'partials/gone.html' %}"]
    (example / "templates/email").mkdir()
    (example / "templates/email" / layout).write_text("\n".join(lines) + "\n")
    code, out, err = run(capsys, "check", str(example))
    assert code == 1
    assert (f"templates/email/{layout}:{len(lines)}: email layout: template 'partials/gone.html' not found in "
            "templates/email/ or the default theme") in err


@pytest.mark.parametrize("command", ["check", "build", "preview", "serve"])
def test_the_project_folder_is_named_alike_in_every_usage_line(capsys, command):
    code, out, err = run(capsys, command, "--help")
    usage = next(line for line in out.splitlines() if "Usage:" in line)
    assert usage.rstrip().endswith(" [PROJECT_DIR]")


def test_a_persona_that_fails_to_load_is_reported_once_not_again_where_it_is_named(example, capsys):
    persona = example / "content/audiences/career-changers.md"
    persona.write_text(persona.read_text().replace("url: https://www.cityandguilds.com/", "url: cityandguilds"))
    assert "career-changers" in (example / "sequences/samples.yaml").read_text()
    code, out, err = run(capsys, "check", str(example))
    assert code == 1
    assert "content/audiences/career-changers.md:11: instead[0].url: 'cityandguilds' is not a URL" in err
    assert "unknown persona" not in err and "1 problem(s) found" in err


def test_a_bug_exits_70_and_says_where_to_report_it(capsys, monkeypatch):
    # No input reaches this path (the corpus in tests/corpus checks that), so a command that fails for a reason
    # of its own stands in for a bug; it is added beside the real ones and removed again.
    from welcome_gen.cli import app

    def broken() -> None:
        """A command with a bug."""
        raise KeyError("nowhere")

    monkeypatch.delenv("WELCOME_GEN_DEBUG", raising=False)
    app.command("broken")(broken)
    try:
        code = main(["broken"])
    finally:
        app.registered_commands.pop()
    err = capsys.readouterr().err
    assert code == 70
    assert "error: internal error: KeyError: 'nowhere'" in err
    assert "please report it in welcome-gen's issue tracker" in err and "WELCOME_GEN_DEBUG=1" in err
    assert "Traceback" not in err
