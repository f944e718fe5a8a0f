"""Loading the author's files: every problem at once, each with its file and line."""

from __future__ import annotations

import pytest

from welcome_gen.errors import ProjectError
from welcome_gen.project import load_project

from helpers import write

CONFIG = """\
site:
  title: T
  url: https://example.org/
  signup: {action: "https://x.us1.list-manage.com/subscribe/post?u=a&id=b"}
business:
  name: B
  postal_address: 1 Road, Town
  reply_to: hi@example.org
"""


def problems(root) -> list[str]:
    with pytest.raises(ProjectError) as info:
        load_project(root)
    return [str(p) for p in info.value.problems]


def test_unknown_key_suggests_the_right_one(tmp_path):
    write(tmp_path, {"welcome.yaml": CONFIG.replace("  title: T", "  titel: T")})
    found = problems(tmp_path)
    # The suggestion says what the key means, in the words README.md's settings table uses.
    assert ("welcome.yaml:2: unknown key 'site.titel' (did you mean 'title'?) — title: The site's name: in the header, "
            "every page title and the feed.") in found


def test_every_problem_is_reported_at_once(tmp_path):
    write(tmp_path, {
        "welcome.yaml": CONFIG.replace("reply_to: hi@example.org", "reply_to: not-an-email"),
        "content/audiences/pros.md": "---\ntitle: Pros\nfit: false\nsummary: s\ninstead:\n  - name: X\n    url: nope\n    why: y\n---\n",
        "content/about.md": "---\n---\nbody\n",
        "content/newsletter/one.md": "---\ntitle: One\ndate: 2026-02-30\n---\n",
        "sequences/welcome.yaml": "title: W\ntrigger: subscribed\nsteps:\n\t- subject: x\n",
    })
    found = problems(tmp_path)
    assert "welcome.yaml:8: business.reply_to: 'not-an-email' is not a valid email address" in found
    assert "content/audiences/pros.md:7: instead[0].url: 'nope' is not a URL: it must start with https:// or http://" in found
    assert "content/about.md:1: empty front matter: it needs at least a 'title'" in found
    assert any(p.startswith("content/newsletter/one.md:3: date:") for p in found)
    assert "sequences/welcome.yaml:4: a tab is used for indentation; YAML needs spaces" in found


def test_unsafe_slug_is_refused(tmp_path):
    write(tmp_path, {"welcome.yaml": CONFIG, "content/evil.md": "---\ntitle: E\nslug: ../../etc\n---\n"})
    assert any(p.startswith("content/evil.md:3: slug:") for p in problems(tmp_path))


def test_non_utf8_and_huge_files(tmp_path):
    write(tmp_path, {"welcome.yaml": CONFIG})
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "latin.md").write_bytes(b"---\ntitle: Caf\xe9\n---\n")
    (tmp_path / "content" / "big.md").write_bytes(b"---\ntitle: big\n---\n" + b"x" * (50 * 1024 * 1024))
    found = problems(tmp_path)
    assert "content/latin.md:2: not UTF-8 text (byte 0xe9); save the file as UTF-8" in found
    assert any(p.startswith("content/big.md: file is 50.0 MB") for p in found)


def test_missing_sequence_body_and_unknown_variant(tmp_path):
    write(tmp_path, {
        "welcome.yaml": CONFIG,
        "sequences/welcome.yaml": "title: W\ntrigger: subscribed\nsteps:\n  - subject: x\n    body: missing.md\n"
                                  "    variants:\n      nobody: {subject: y}\n",
    })
    found = problems(tmp_path)
    assert "sequences/welcome.yaml:5: body file 'missing.md' does not exist" in found
    assert any(p.startswith("sequences/welcome.yaml:7: variant for unknown persona 'nobody'") for p in found)


@pytest.mark.parametrize("front_lines", [3, 400])  # front matter shorter, and longer, than the part split first
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_the_body_starts_after_the_closing_line_however_long_the_front_matter_and_whatever_the_line_ends(
        front_lines, newline):
    from welcome_gen.project.source import body_of, split_front_matter

    front = newline.join(["---", *(f"k{i}: value number {i}" for i in range(front_lines)), "---"]) + newline
    for pad in range(0, 40, 7):  # the cut falls on different characters, between a \r and its \n too
        body = "x" * pad + newline + ("A paragraph of the body." + newline) * 600
        text = front + body
        assert body_of(text) == body
        found = split_front_matter(text, "content/a.md")
        assert (found.body, found.body_line, len(found.meta)) == (body, front_lines + 3, front_lines)
    assert body_of("---\ntitle: never closed\n" + "text\n" * 3000) is None
    assert body_of("no front matter\n" + "text\n" * 3000) is None


def test_the_body_starts_where_a_line_by_line_reading_finds_it_for_any_mix_of_line_ends_and_spaces():
    """The closing line is found with one search in files whose lines end in \\n or \\r\\n; any text, whatever
    its line ends, spaces and near-misses, gives the body that reading it line by line (as str.splitlines) does."""
    import random

    from welcome_gen.project.source import body_of

    def line_by_line(text):
        lines = text.splitlines(keepends=True)
        if not lines or lines[0].strip() != "---":
            return None
        for i, line in enumerate(lines[1:], start=1):
            if line.strip() in ("---", "..."):
                return "".join(lines[i + 1:])
        return None

    pieces = ["---", "...", "--", "----", "title: x", " ", "\t", "\xa0", "\u2003", "\n", "\n", "\n", "\r\n", "\r\n",
              "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "a", "-", "."]
    rng = random.Random(7)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        if rng.random() < 0.7:
            text = rng.choice(["---\n", "---\r\n", "--- \n", "---"]) + text
        assert body_of(text) == line_by_line(text), repr(text)
