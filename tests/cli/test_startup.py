"""Start-up stays light: `welcome-gen --help` loads the command line, not the pipeline behind it."""

from __future__ import annotations

import os
import subprocess
import sys

# Each costs a tenth of a second or more to import; only the command that uses it should pay.
HEAVY = ("jinja2", "markdown", "lxml", "css_inline", "pydantic", "mailchimp_marketing", "requests", "jsonschema",
         "watchfiles", "welcome_gen.email.render", "welcome_gen.emulator.app", "welcome_gen.delivery.tick")


def test_the_help_lists_every_command_without_loading_the_pipeline():
    code = ("import sys\nfrom welcome_gen.cli import main\ncode = main(['--help'])\n"
            f"print('LOADED', sorted(m for m in {HEAVY!r} if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    for command in ("check", "build", "serve", "preview", "push", "send", "journey", "report", "emulator", "init"):
        assert command in run.stdout
    assert run.stdout.rstrip().splitlines()[-1] == "LOADED []"


def test_a_command_process_ends_with_its_whole_output_and_its_exit_code(example):
    # The process skips freeing its objects at exit; what it printed and its exit code still arrive whole.
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as a shell usually runs it

    def welcome_gen(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", "from welcome_gen.cli import main; main()", *args],
                              capture_output=True, text=True, timeout=120, cwd=example, env=buffered)

    built = welcome_gen("build")
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("Built in ") and built.stdout.endswith(f"sample journeys in {example / 'build/journeys'}\n")
    for n in range(40):  # a long report: every line of it, the last included
        (example / f"content/newsletter/broken-{n:02}.md").write_text(
            f"---\ntitle: Broken {n}\ndate: 2026-01-01\n---\nSee [nowhere](missing-{n}.md).\n", encoding="utf-8")
    failed = welcome_gen("build")
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    lines = failed.stderr.splitlines()
    assert sum("is broken: there is no content/newsletter/missing-" in line for line in lines) == 40
    assert lines[-1] == "error: 40 problem(s) found"
    assert welcome_gen("build", "--no-such-option").returncode == 2


def test_a_plain_build_runs_without_loading_the_command_line(example):
    # The command an author runs after every save: importing typer (and its click) would cost more than a small
    # site's rebuild, so `build` with only flags is read without it, and builds all the same.
    code = ("import sys\nfrom welcome_gen.cli import main\ncode = main(['build', '--quiet', '--drafts'])\n"
            "print('LOADED', sorted(m for m in ('typer', 'click') if m in sys.modules), code)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=example)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "LOADED [] 0\n" and run.stderr == ""
    assert (example / "public/index.html").is_file() and (example / "build/emails").is_dir()


def test_build_reads_a_plain_command_line_exactly_as_the_full_one_does():
    # Every short command line of these words: wherever `build` reads it without typer, typer reads the same
    # options from it; whatever typer refuses, or reads as something else, goes to typer itself.
    import itertools
    from pathlib import Path

    import typer.main

    from welcome_gen.cli.building import plain
    from welcome_gen.cli.commands import app

    group = typer.main.get_command(app)
    parent = group.make_context("welcome-gen", ["build"])
    command = group.get_command(parent, "build")
    words = ["--drafts", "--clean", "--quiet", "-q", "-qq", "site", "other", "", "-", "--", "--jobs", "2", "--out",
             "--help", "--no-such-option", "build"]
    plain_ones = 0
    for n in range(4):
        for rest in itertools.product(words, repeat=n):
            read = plain(["build", *rest])
            if read is None:
                continue
            plain_ones += 1
            params = command.make_context("build", list(rest), parent=parent).params
            params["project_dir"] = Path(params["project_dir"])
            assert read == params, rest
    assert plain_ones > 150  # flags in any order, a folder before, between or after them
    assert plain(["check"]) is None and plain(["build", "--help"]) is None and plain([]) is None


def test_a_rebuild_after_the_body_of_an_issue_changed_reads_no_yaml(example, tmp_path):
    # Settings, sequences, samples, front matter and the theme's words are all remembered as YAML read them, by
    # the digest of their bytes (or of the front matter's lines): an edit of a body parses none of them again,
    # and the process never loads the YAML reader. A change to the front matter is read, and shows.
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "user-cache")}
    code = ("import sys\nfrom welcome_gen.cli import main\ncode = main(['build', '--quiet'])\n"
            "print('YAML', 'yaml' in sys.modules, code)")

    def build() -> str:
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=example,
                             env=env)
        assert run.returncode == 0, run.stderr
        return run.stdout

    assert build() == "YAML True 0\n"
    issue = example / "content/newsletter/sharp-enough.md"
    issue.write_text(issue.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert build() == "YAML False 0\n"
    page = example / "public/newsletter/sharp-enough/index.html"
    assert "One more line." in page.read_text(encoding="utf-8")
    issue.write_text(issue.read_text(encoding="utf-8").replace("title: How sharp", "title: Just how sharp"),
                     encoding="utf-8")
    assert build() == "YAML True 0\n"
    assert "Just how sharp" in page.read_text(encoding="utf-8")
