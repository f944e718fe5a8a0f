"""The last guard on every file a build writes: it lands inside its output folder, its folders made."""

from __future__ import annotations

import pytest

from welcome_gen.errors import WelcomeGenError
from welcome_gen.folders import inside


@pytest.mark.parametrize("name", ["../x.html", "/etc/passwd", "a/../../x.html", "a/b/..", "a\\..\\x.html", "", "."])
def test_a_name_leading_out_is_refused_and_nothing_is_made(tmp_path, name):
    out = tmp_path / "out"
    out.mkdir()
    made: set[str] = set()
    with pytest.raises(WelcomeGenError, match="outside the output folder"):
        inside(out, name, made)
    assert list(tmp_path.rglob("*")) == [out]


def test_names_land_inside_with_their_folders_made(tmp_path):
    made: set[str] = set()
    for name in ["index.html", "newsletter/one/index.html", "newsletter/two/index.html", "a//b/./c.html",
                 "newsletter/one/extra.txt"]:
        inside(tmp_path, name, made).write_text(name)
    # A folder already made is trusted only for a plain file name inside it.
    with pytest.raises(WelcomeGenError):
        inside(tmp_path, "newsletter/..", made)
    found = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert found == ["a/b/c.html", "index.html", "newsletter/one/extra.txt", "newsletter/one/index.html",
                     "newsletter/two/index.html"]
    assert (tmp_path / "a/b/c.html").read_text() == "a//b/./c.html"
