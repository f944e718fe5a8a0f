"""The project build: whatever path it took (clean, or edit after edit on top of the last build), the same bytes."""

from __future__ import annotations

import shutil
import sys
from datetime import date
from pathlib import Path

import pytest

from welcome_gen.build import BuildFailed, Options, build
from welcome_gen.cache import MarkdownReader
from welcome_gen.project.load import _read_before
from welcome_gen.site.markup import markdown_key

TODAY = date(2026, 11, 2)
OUTPUTS = ("public", "build/emails", "build/journeys")


def tree(root: Path) -> dict[str, bytes | None]:
    """Every output file of a project, by its path under the project, and every folder (None): an empty folder
    left behind is a difference too."""
    return {p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else None
            for part in OUTPUTS for p in sorted((root / part).rglob("*"))}


def clean_build(project: Path, tmp_path: Path) -> dict[str, bytes]:
    """The outputs of a clean build of a copy of the project as it is now."""
    copy = tmp_path / "clean"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("public", "build", ".welcome-gen"))
    build(copy, options=Options(today=TODAY, clean=True))
    return tree(copy)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_issue(root: Path) -> None:
    (root / "content/newsletter/glue-up-day.md").write_text(
        "---\ntitle: Glue-up day\ndate: 2026-10-30\nsummary: Clamps, cauls and patience.\ntags: [projects]\n---\n\n"
        "Everything glued at once, and [the box](a-box-with-a-sliding-lid.md) from last time.\n", encoding="utf-8")


def rename_issue(root: Path) -> None:
    (root / "content/newsletter/first-shavings.md").rename(root / "content/newsletter/our-first-shavings.md")


EDITS = {
    "add an issue": add_issue,
    "edit an issue": lambda root: edit(root / "content/newsletter/sharp-enough.md", "Tom has a rule",
                                       "Tom has one rule"),
    "retitle an issue (its neighbours, the archive, its tags and the feed show the title)":
        lambda root: edit(root / "content/newsletter/sharp-enough.md", "title: How sharp", "title: Just how sharp"),
    "retag an issue": lambda root: edit(root / "content/newsletter/sharp-enough.md", "tags: [sharpening, tools]",
                                        "tags: [sharpening, chisels]"),
    "rename an issue": rename_issue,
    "delete an issue": lambda root: (root / "content/newsletter/back-to-the-bench.md").unlink(),
    "delete a future issue": lambda root: (root / "content/newsletter/winter-timetable.md").unlink(),
    "change a template": lambda root: edit(root / "templates/site/partials/footer.html", "</footer>",
                                           "<p>Made by hand.</p></footer>"),
    "change a persona": lambda root: edit(root / "content/audiences/flat-dwellers.md", "title: ", "title: The "),
    "change welcome.yaml": lambda root: edit(root / "welcome.yaml", "title: ", "title: The "),
    "change a sequence": lambda root: edit(root / "sequences/welcome.yaml", "preheader: Hit reply", "preheader: Do hit reply"),
    "change the site's language (dates and month names in German)":
        lambda root: edit(root / "welcome.yaml", "language: en-GB", "language: de"),
}


@pytest.mark.parametrize("process", ["one process, as serve", "a new process each time, as build",
                                     "a new process each time, as build of a large site"])
def test_edit_after_edit_builds_exactly_what_a_clean_build_makes(example, tmp_path, process, monkeypatch):
    if process.endswith("large site"):  # its folders looked over, and its staging folder filled, beforehand
        import welcome_gen.build as building

        monkeypatch.setattr(building, "SURVEY_FROM", 0)  # the example's folders handled as a large site's
    build(example, options=Options(today=TODAY))
    for name, change in EDITS.items():
        change(example)
        if process.startswith("a new"):
            _read_before.clear()  # what this process loaded before is gone: only the build cache remembers
        built = build(example, options=Options(today=TODAY))
        assert built.written > 0 or name == "delete a future issue", name
        incremental = tree(example)
        clean = clean_build(example, tmp_path)
        assert sorted(incremental) == sorted(clean), name
        assert [f for f in clean if incremental[f] != clean[f]] == [], name


def test_a_build_pauses_the_garbage_collector_and_leaves_it_as_it_found_it(example):
    import gc

    from welcome_gen.reporter import NullReporter

    passes, seen = [], []

    class Watching(NullReporter):
        def task(self, label, total):  # pages are rendered: the build is well under way
            seen.append((gc.isenabled(), len(passes)))
            return super().task(label, total)

    def count(phase, info):
        if phase == "start":
            passes.append(info["generation"])

    gc.callbacks.append(count)
    try:
        build(example, options=Options(today=TODAY, clean=True), reporter=Watching())
        assert seen == [(False, 0)]  # no pass of the collector from the start of the build to its pages
        assert gc.isenabled()  # serve builds again and again in one process: it collects between builds
        gc.disable()
        build(example, options=Options(today=TODAY, clean=True))
        assert not gc.isenabled()
    finally:
        gc.callbacks.remove(count)
        gc.enable()


def test_a_second_build_writes_nothing_and_an_edit_rebuilds_only_its_pages(example):
    first = build(example, options=Options(today=TODAY))
    assert first.written > 100
    before = {p: p.stat().st_mtime_ns for part in OUTPUTS for p in (example / part).rglob("*")}
    again = build(example, options=Options(today=TODAY))
    assert (again.written, again.unchanged) == (0, first.written)
    assert {p: p.stat().st_mtime_ns for part in OUTPUTS for p in (example / part).rglob("*")} == before
    (example / "content/newsletter/sharp-enough.md").touch()  # touched, not changed: still nothing to do
    assert build(example, options=Options(today=TODAY)).written == 0

    edit(example / "content/faq.md", "?", "??")
    assert build(example, options=Options(today=TODAY)).written_files == ["faq/index.html"]


def test_a_template_change_renders_pages_again_without_running_markdown(example, monkeypatch):
    build(example, options=Options(today=TODAY))
    from welcome_gen.site import markup

    converted = []
    real = markup._converter
    monkeypatch.setattr(markup, "_converter", lambda text: converted.append(1) or real(text))
    edit(example / "templates/site/partials/footer.html", "</footer>", "<p>Made by hand.</p></footer>")
    built = build(example, options=Options(today=TODAY))
    assert len(built.written_files) >= 25 and converted == []
    assert build(example, options=Options(today=TODAY, clean=True)).written > 0 and converted


def test_a_cache_from_another_version_or_a_broken_one_is_thrown_away_with_a_note(example):
    from welcome_gen.reporter import NullReporter

    build(example, options=Options(today=TODAY))
    cache = example / ".welcome-gen" / "cache"
    (cache / "FORMAT").write_text("welcome-gen 0.0.1 cache 1")
    reporter = NullReporter()
    assert build(example, options=Options(today=TODAY), reporter=reporter).written == 0  # same outputs
    assert any("another version" in note for note in reporter.notes)

    (cache / "markdown.sqlite").write_bytes(b"not a database at all" * 100)
    edit(example / "templates/site/partials/footer.html", "</footer>", "<p>Made by hand.</p></footer>")
    reporter = NullReporter()
    assert build(example, options=Options(today=TODAY), reporter=reporter).written >= 25
    assert any("could not be read" in note for note in reporter.notes)


def test_compiled_templates_are_kept_in_the_users_cache_and_a_broken_one_is_compiled_again(example, tmp_path,
                                                                                               monkeypatch):
    import os
    import time

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    folders = tmp_path / "user-cache/welcome-gen/templates"
    for name, days in (("site-another-version", 8), ("site-one-in-use", 1)):  # other versions' compiled templates
        (folders / name).mkdir(parents=True)
        os.utime(folders / name, (time.time() - days * 86400,) * 2)
    build(example, options=Options(today=TODAY))
    assert sorted(p.name for p in folders.iterdir() if p.name.startswith("site-o") or "another" in p.name) == \
        ["site-one-in-use"]  # a week unused: removed
    kept = [p for p in folders.glob("site-*/*") if p.parent.name != "site-one-in-use"]
    assert len(kept) >= 10  # every template a page uses
    layouts = list(folders.glob("email-*/*"))
    assert len(layouts) == 2  # the emails' two layouts
    kept += layouts
    assert not [p for p in example.rglob("*") if "jinja" in p.name]  # none in the project, none published

    # Compiled code that cannot be read (another format, cut short) is compiled again, never run half-read.
    for i, path in enumerate(sorted(kept)):
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2] if i % 2 else b"not compiled code" + data[20:])
    edit(example / "templates/site/partials/footer.html", "</footer>", "<p>Made by hand.</p></footer>")
    (example / "templates/email").mkdir()
    theme = Path(__file__).parents[1] / "welcome_gen/theme/email"
    for name in ("layout.html.j2", "layout.txt.j2"):
        (example / "templates/email" / name).write_text((theme / name).read_text(encoding="utf-8").replace(
            "{{ subject }}", "{{ subject }} (by hand)", 1), encoding="utf-8")
    assert build(example, options=Options(today=TODAY)).written >= 25
    assert tree(example) == clean_build(example, tmp_path)
    assert "Made by hand." in (example / "public/faq/index.html").read_text(encoding="utf-8")
    assert "(by hand)" in (example / "build/emails/welcome/hello/default.html").read_text(encoding="utf-8")


def test_the_themes_words_are_kept_as_yaml_read_them_and_taken_only_as_plain_text_from_the_users_own_folder(
        example, tmp_path, monkeypatch):
    import json
    import os

    from welcome_gen.theme import messages

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    build(example, options=Options(today=TODAY))
    kept = list((tmp_path / "user-cache/welcome-gen/templates").glob("messages-*/*.json"))
    assert len(kept) == 1  # the English catalogue, by the digest of its bytes
    words = json.loads(kept[0].read_text(encoding="utf-8"))
    assert words["signup_title"] == "Get the letter" and all(isinstance(v, str) for v in words.values())

    def home(clean: bool = False) -> str:
        """The home page, as a new process builds a copy of the project from nothing."""
        messages._load.cache_clear()  # what this process read of the catalogues is gone
        _read_before.clear()
        copy = tmp_path / "fresh"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(example, copy, ignore=shutil.ignore_patterns("public", "build", ".welcome-gen"))
        build(copy, options=Options(today=TODAY, clean=clean))
        return (copy / "public/index.html").read_text(encoding="utf-8")

    assert "Get the letter" in home()
    kept[0].write_text(json.dumps({**words, "signup_title": "Kept words"}), encoding="utf-8")
    assert "Kept words" in home()  # what the cache holds is what the page shows
    assert "Get the letter" in home(clean=True)  # unless the build is a clean one
    for broken in ("{\"signup_title\": ", json.dumps({"signup_title": 3}), json.dumps(["signup_title"])):
        kept[0].write_text(broken, encoding="utf-8")  # cannot be read, or not as words: read from the catalogue
        assert "Get the letter" in home()
    # In a folder others may write to, words are not taken at all, however they read.
    kept[0].write_text(json.dumps({**words, "signup_title": "<script>alert(1)</script>"}), encoding="utf-8")
    os.chmod(kept[0].parent, 0o777)
    page = home()
    assert "Get the letter" in page and "alert(1)" not in page


def test_dates_as_babel_wrote_them_are_kept_for_the_next_build_and_only_as_this_release_wrote_them(example,
                                                                                                   tmp_path):
    import json

    build(example, options=Options(today=TODAY))
    words = example / ".welcome-gen/cache/words.json"
    kept = json.loads(words.read_text(encoding="utf-8"))
    assert kept["languages"]["en-GB"]["dates"]["2026-09-25"] == "25 September 2026"  # sharp-enough's date

    # Written by another release of Babel: not taken, made again.
    kept["babel"] = "0.1"
    kept["languages"]["en-GB"]["dates"]["2026-09-25"] = "the twenty-fifth"
    words.write_text(json.dumps(kept), encoding="utf-8")
    edit(example / "content/newsletter/sharp-enough.md", "Tom has a rule", "Tom has one rule")
    _read_before.clear()
    build(example, options=Options(today=TODAY))
    assert "25 September 2026" in (example / "public/newsletter/sharp-enough/index.html").read_text(encoding="utf-8")

    # A record that cannot be read, or not as one: the same pages as a clean build, and a good record again.
    import babel

    for broken in ('{"babel": ', json.dumps({"babel": babel.__version__, "languages": {"en-GB": {"dates": ["x"],
                                                                                                 "months": 12}}})):
        words.write_text(broken, encoding="utf-8")
        edit(example / "content/newsletter/sharp-enough.md", "Tom has", "Tom has had")
        build(example, options=Options(today=TODAY))
        assert tree(example) == clean_build(example, tmp_path)
    assert json.loads(words.read_text(encoding="utf-8"))["languages"]["en-GB"]["dates"]["2026-09-25"] == \
        "25 September 2026"


def test_a_failed_build_writes_nothing_anywhere(example):
    build(example, options=Options(today=TODAY))
    before = tree(example)
    # The emails and the journeys change and render; a page template then fails: none of it is written.
    edit(example / "sequences/welcome.yaml", "preheader: Hit reply", "preheader: Do hit reply")
    edit(example / "templates/site/partials/footer.html", "</footer>", "{{ no_such_value.field }}</footer>")
    with pytest.raises(BuildFailed, match="templates/site/partials/footer.html"):
        build(example, options=Options(today=TODAY))
    assert tree(example) == before
    edit(example / "content/faq.md", "---\n", "---\ndate: soon\n")  # and a file that does not load
    with pytest.raises(BuildFailed, match="content/faq.md:2"):
        build(example, options=Options(today=TODAY))
    assert tree(example) == before


def test_emails_made_meanwhile_report_their_problems_with_the_sites_and_leave_nothing(example):
    # The emails are made meanwhile (in a forked process where that is safe) while the site is checked: an
    # email's error and a page's are reported together; an email's error alone stops the build after the pages
    # rendered; nothing is written either way.
    build(example, options=Options(today=TODAY))
    before = tree(example)
    edit(example / "sequences/welcome/hello.md", "\n", "\n{{ subscriber.no_such_field }}\n")
    edit(example / "content/faq.md", "?", "? [x](nowhere.md)")
    with pytest.raises(BuildFailed) as both:
        build(example, options=Options(today=TODAY))
    paths = {p.path for p in both.value.problems if p.is_error}
    assert "content/faq.md" in paths and any(path.startswith("sequences/") for path in paths), paths
    edit(example / "content/faq.md", " [x](nowhere.md)", "")
    with pytest.raises(BuildFailed) as email_only:
        build(example, options=Options(today=TODAY))
    assert {p.path for p in email_only.value.problems if p.is_error} == paths - {"content/faq.md"}
    assert tree(example) == before
    assert not [p for p in example.parent.rglob(".*.new-*")]  # no staging folder left


# Run in a process of its own: a test process with other threads (or children) of its own would not fork.
# The end of a script run in a process of its own: no process the build started is left behind.
NOTHING_LEFT = """
try:
    os.waitpid(-1, os.WNOHANG)
    raise AssertionError("a process of the build is left")
except ChildProcessError:
    pass
print("ok")
"""


def run_alone(script: str, project: Path) -> None:
    """`script` in a fresh Python process (where a fork is safe), then NOTHING_LEFT; it must print ok."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", script + NOTHING_LEFT, str(project)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == "ok\n", done.stderr[-3000:]


MEANWHILE = """
import os, sys, time
from pathlib import Path
from welcome_gen.build import BuildFailed, Options, build
from welcome_gen.errors import Problem, ProjectError
from welcome_gen.meanwhile import Meanwhile, can_fork

assert can_fork()
work = Meanwhile(lambda: (os.getpid(), {"made": [1, 2]}))
pid, made = work.result()
assert pid != os.getpid() and made == {"made": [1, 2]}, (pid, made)
try:
    Meanwhile(lambda: {}["missing"]).result()
    raise AssertionError("no KeyError")
except KeyError as exc:
    assert "missing" in str(exc)

def refuse():  # an exception that cannot be rebuilt from its pickle still arrives, by its type and text
    raise ProjectError([Problem("welcome.yaml", 1, "no")])

try:
    Meanwhile(refuse).result()
    raise AssertionError("no error")
except RuntimeError as exc:
    assert str(exc).startswith("ProjectError: welcome.yaml:1: no"), exc
started = time.monotonic()
slow = Meanwhile(lambda: time.sleep(60))
slow.cancel()
assert slow.pid is None and time.monotonic() - started < 10

project = Path(sys.argv[1])
try:
    build(project, options=Options(today=__import__("datetime").date(2026, 11, 2)))
    raise AssertionError("the build did not fail")
except BuildFailed as exc:
    assert any(p.path.startswith("sequences/") for p in exc.problems), exc.problems
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="work is done meanwhile in a fork on Linux")
def test_work_done_meanwhile_answers_as_if_done_here_and_leaves_no_process(example):
    edit(example / "sequences/welcome/hello.md", "\n", "\n{{ subscriber.no_such_field }}\n")
    run_alone(MEANWHILE, example)


LOOKED_OVER = """
import os, sys
from datetime import date
from pathlib import Path
import welcome_gen.build as building
from welcome_gen.build import Options, build
from welcome_gen.errors import UsageError

building.SURVEY_FROM = 0  # the example is small: its output folders are looked over by another process all the same
project, options = Path(sys.argv[1]), Options(today=date(2026, 11, 2))
site = project / "public"
first = build(project, options=options)
published = (site / "newsletter/sharp-enough/index.html").read_bytes()
page = project / "content/newsletter/sharp-enough.md"
page.write_text(page.read_text().replace("Tom has a rule", "Tom has one rule"))
with open(site / "newsletter/sharp-enough/index.html", "rb") as live:  # the page as a reader holds it open
    again = build(project, options=options)
    live.seek(0)
    assert live.read() == published, "the published file was written over, not replaced"
assert "newsletter/sharp-enough/index.html" in again.written_files, again.written_files
assert again.written < 10 < again.unchanged, (again.written, again.unchanged)  # the rest found as recorded
assert b"Tom has one rule" in (site / "newsletter/sharp-enough/index.html").read_bytes()
assert not [p for p in project.iterdir() if p.name.startswith(".public.")], list(project.iterdir())
# The old site waits in the trash (which git ignores), for the next build to remove while it loads; the trash of
# a build still running is left, and a link found there is not followed.
trash = project / ".welcome-gen" / "trash"
[old] = trash.iterdir()
assert old.name.startswith(f"public.old-{os.getpid()}-"), old
assert (old / "newsletter/sharp-enough/index.html").read_bytes() == published
running = trash / "public.old-1-running"  # process 1 never ends
(running / "newsletter").mkdir(parents=True)
(trash / "public.old-999999999-link").symlink_to(project / "content")
# An issue deleted: its page and its folder go; a build that fails leaves nothing beside the site.
(project / "content/newsletter/first-shavings.md").unlink()
build(project, options=options)
left = sorted(p.name for p in trash.iterdir())
assert old.name not in left and "public.old-1-running" in left and len(left) == 2, left
assert (project / "content/newsletter/sharp-enough.md").is_file()
assert not (site / "newsletter/first-shavings").exists()
written = page.read_text()
page.write_text(written.replace("title:", "title: [", 1))  # broken front matter
try:
    build(project, options=options)
    raise AssertionError("a broken file was built")
except building.BuildFailed:
    pass
assert not [p for p in project.iterdir() if p.name.startswith(".public.")], list(project.iterdir())
page.write_text(written)
os.symlink("/etc/hostname", project / "public" / "planted.html")
try:
    build(project, options=options)
    raise AssertionError("a link in the site's folder was not refused")
except UsageError as exc:
    assert "holds a symbolic link" in str(exc), exc
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="work is done meanwhile in a fork on Linux")
def test_output_folders_looked_over_by_another_process_keep_what_is_current_and_refuse_a_link(example):
    run_alone(LOOKED_OVER, example)


def test_what_a_killed_build_left_beside_the_site_is_removed_by_the_next(example, tmp_path):
    import os
    import subprocess

    build(example, options=Options(today=TODAY))
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process that has ended: what it left is nobody's
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine", encoding="utf-8")
    left = {f".public.new-{gone.pid}-a1": True, f".public.old-{gone.pid}-b2": True,
            f".public.new-{os.getpid()}-c3": False,  # a build still running: its folder is its own
            ".public.new-d4": False}  # no process named: not welcome-gen's to judge
    for name in left:
        (example / name / "newsletter").mkdir(parents=True)
        (example / name / "newsletter" / "index.html").write_text("half", encoding="utf-8")
    (example / f".public.new-{gone.pid}-link").symlink_to(outside)
    edit(example / "content/newsletter/sharp-enough.md", "Tom has a rule", "Tom has one rule")
    build(example, options=Options(today=TODAY))
    assert {name: (example / name).is_dir() for name in left} == {name: not swept for name, swept in left.items()}
    assert (example / f".public.new-{gone.pid}-link").is_symlink() and (outside / "keep.txt").read_text() == "mine"


def test_pages_rendered_over_several_processes_are_the_same_bytes(example, tmp_path):
    for i in range(120):  # enough pages for worker processes to share
        (example / f"content/newsletter/note-{i:03d}.md").write_text(
            f"---\ntitle: Note {i}\ndate: 2026-0{1 + i % 9}-{10 + i % 18} 0{i % 10}:30\ntags: [tools]\n---\n\n"
            f"## Part {i}\n\nSee [the box](a-box-with-a-sliding-lid.md) and `code`.\n\n| a | b |\n|---|---|\n| {i} | x |\n",
            encoding="utf-8")
    copy = tmp_path / "copy"
    shutil.copytree(example, copy)
    build(example, options=Options(today=TODAY, jobs=1))
    build(copy, options=Options(today=TODAY, jobs=2))
    one, two = tree(example), tree(copy)
    assert sorted(one) == sorted(two) and [f for f in one if one[f] != two[f]] == []
    assert len([f for f in one if f.startswith("public/newsletter/note-") and f.endswith(".html")]) == 120
    # What the workers rendered is kept in the cache like the rest.
    reader = MarkdownReader(copy / ".welcome-gen/cache/markdown.sqlite")
    assert reader.get(markdown_key((copy / "content/newsletter/note-007.md").read_text().split("---\n", 2)[2]))


def test_a_template_broken_after_a_good_build_is_refused_as_a_clean_build_refuses_it(example):
    # A good build remembers that its templates compiled; a changed template is compiled again to check it,
    # even where no page would show the mistake (a block the layout it extends does not have).
    build(example, options=Options(today=TODAY))
    issue = example / "templates/site/issue.html"
    issue.write_text((Path(__file__).parents[1] / "welcome_gen/theme/site/issue.html").read_text(encoding="utf-8")
                     + "{% block sidebar %}More{% endblock %}\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build(example, options=Options(today=TODAY))
    assert [(p.path, "block 'sidebar' is not in" in p.message) for p in failed.value.problems] == \
        [("templates/site/issue.html", True)]


def failures_after(example: Path, change) -> list:
    """Build, make `change`, then build again as a new process would (only the cache remembers the unchanged
    files): the problems it finds, which must be exactly a clean build's."""
    build(example, options=Options(today=TODAY))
    change()
    _read_before.clear()
    with pytest.raises(BuildFailed) as remembered:
        build(example, options=Options(today=TODAY))
    with pytest.raises(BuildFailed) as clean:
        build(example, options=Options(today=TODAY, clean=True))
    assert [str(p) for p in remembered.value.problems] == [str(p) for p in clean.value.problems]
    return remembered.value.problems


def test_remembered_front_matter_is_checked_again_and_a_broken_record_of_it_is_ignored(example, tmp_path):
    # An unchanged issue's front matter is remembered, not parsed again, yet still checked against the project:
    # naming a persona that a later change removes is reported at the issue's own line, as a clean build does.
    persona = example / "content/audiences/woodland.md"
    shutil.copy(example / "content/audiences/flat-dwellers.md", persona)
    edit(example / "content/newsletter/sharp-enough.md", "tags: [sharpening, tools]\n",
         "tags: [sharpening, tools]\npersonas: [woodland]\n")
    remembered = failures_after(example, persona.unlink)
    assert any(p.path == "content/newsletter/sharp-enough.md" and p.line == 6 for p in remembered)

    # A record that cannot be read is read from the files instead.
    shutil.copy(example / "content/audiences/flat-dwellers.md", persona)
    build(example, options=Options(today=TODAY))
    (example / ".welcome-gen/cache/front-matter.txt").write_text("content/newsletter/sharp-enough.md\t[1, 2\n",
                                                                 encoding="utf-8")
    edit(example / "content/faq.md", "?", "??")
    from welcome_gen.reporter import NullReporter

    reporter = NullReporter()
    build(example, options=Options(today=TODAY), reporter=reporter)
    assert any("front-matter.txt could not be read" in note for note in reporter.notes)
    assert tree(example) == clean_build(example, tmp_path)


def test_remembered_links_are_resolved_again_and_a_page_they_lose_is_reported_at_their_line(example):
    # An unchanged issue's links are remembered with its front matter, but each build resolves them against the
    # site as it is: deleting the page one links to is a broken link at the issue's own line, as a clean build says.
    edit(example / "content/newsletter/sharp-enough.md", "Tom has a rule", "Tom ([see FAQ](../faq.md)) has a rule")
    remembered = failures_after(example, (example / "content/faq.md").unlink)
    line = next(i for i, text in enumerate((example / "content/newsletter/sharp-enough.md").read_text(
        encoding="utf-8").splitlines(), 1) if "see FAQ" in text)
    assert any(p.path == "content/newsletter/sharp-enough.md" and p.line == line and "'../faq.md' is broken" in
               p.message for p in remembered)


def test_a_build_that_fails_while_markdown_is_converted_ahead_writes_nothing_and_leaves_no_process(example):
    import multiprocessing

    build(example, options=Options(today=TODAY))
    before = tree(example)
    for i in range(80):  # enough changed files for other processes to convert them while the project loads
        (example / f"content/newsletter/note-{i:03d}.md").write_text(
            f"---\ntitle: Note {i}\ndate: {'soon' if i == 79 else '2026-03-04'}\n---\n\nText *{i}*.\n", encoding="utf-8")
    with pytest.raises(BuildFailed, match="note-079.md:3"):
        build(example, options=Options(today=TODAY, jobs=2))
    assert tree(example) == before
    assert multiprocessing.active_children() == []


def test_an_unchanged_file_is_read_only_when_its_text_is_needed_and_must_still_be_what_was_digested(example):
    # An unchanged file's front matter and links are remembered from its bytes, so loading it does not read it:
    # its body is read when a page or an email needs the text. Saved again in between, the build stops, to be
    # run again, rather than show a body that is not what its remembered front matter came with.
    from welcome_gen.build import load
    from welcome_gen.cache import BuildCache, sources
    from welcome_gen.errors import ProjectError
    from welcome_gen.project.source import body_of

    _read_before.clear()
    build(example, options=Options(today=TODAY))
    edit(example / "content/faq.md", "?", "??")  # as `serve` builds again: unchanged files are taken as this
    build(example, options=Options(today=TODAY))  # process loaded them, and stay remembered for the next one
    _read_before.clear()
    digests = {name: entry[2] for name, entry in sources(example).items()}
    project = load(example, digests, BuildCache(example).front_matter)
    first, second = (next(d for d in project.issues if d.path.endswith(name))
                     for name in ("sharp-enough.md", "first-shavings.md"))
    assert first.body == body_of((example / first.path).read_text(encoding="utf-8"))
    edit(example / second.path, "---\n", "---\nsummary: Saved again.\n")
    with pytest.raises(ProjectError) as stopped:
        second.body
    assert [str(p) for p in stopped.value.problems] == [
        f"{second.path}: changed while the build was reading the project; build again"]


def test_a_first_build_readies_its_emails_process_early_and_leaves_none_behind_when_it_fails(example, tmp_path):
    # A first build (no emails recorded) forks the process that makes the emails before loading the project, so
    # it imports what it needs on the other core; handed the project, it makes the same files as a build that makes
    # them here. A project that fails to load stops that process too: nothing written, no process left.
    if not Path("/proc/self/stat").is_file():
        pytest.skip("counts this process's children in /proc")
    before = children()  # other tests' servers and browsers may run beside this one
    build(example, options=Options(today=TODAY))
    assert children() == before
    here = tmp_path / "here"
    shutil.copytree(example, here, ignore=shutil.ignore_patterns("public", "build", ".welcome-gen"))
    build(here, options=Options(today=TODAY, jobs=1))  # everything in this process
    assert tree(example) == tree(here)

    broken = tmp_path / "broken"
    shutil.copytree(example, broken, ignore=shutil.ignore_patterns("public", "build", ".welcome-gen"))
    edit(broken / "welcome.yaml", "title: ", "title: [")
    with pytest.raises(BuildFailed, match="welcome.yaml"):
        build(broken, options=Options(today=TODAY))
    assert children() == before
    assert not (broken / "public").exists() and not (broken / "build").exists()


def children() -> set[int]:
    """This process's child processes, running or ended and not yet reaped."""
    import os

    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid():  # after the name: its state, then its parent
                found.add(int(entry))
    return found
