"""The Jinja -> merge-tag compiler, one case file each: input, then `# output` or `# problems`."""

from __future__ import annotations

from pathlib import Path

import pytest

from welcome_gen.email.compile import CompileError, Source, Tokens, make_env, render

CASES = sorted((Path(__file__).parent / "cases" / "compile").glob("*.txt"))
FIELDS = {"first_name": "FNAME", "last_name": "LNAME", "birthday": "BIRTHDAY", "persona": "PERSONA", "timezone": "TIMEZONE"}
CONTEXT = {"business": {"name": "B&B"}, "site": "https://x.test/", "vars": {"code": "CODE10"}}


def _split(path: Path) -> tuple[str, str, str]:
    text = path.read_text(encoding="utf-8")
    for marker in ("# output\n", "# problems\n"):
        if marker in text:
            source, expected = text.split(marker, 1)
            return source, marker.strip("# \n"), expected
    raise AssertionError(f"{path.name}: no '# output' or '# problems' line")


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_case(case: Path) -> None:
    source, kind, expected = _split(case)
    tokens = Tokens()
    env = make_env()
    env.lstrip_blocks = True
    if kind == "output":
        assert tokens.restore(render(env, Source(source, "body.md"), CONTEXT, FIELDS, tokens)) == expected
    else:
        with pytest.raises(CompileError) as info:
            render(env, Source(source, "body.md"), CONTEXT, FIELDS, tokens)
        assert [str(p) for p in info.value.problems] == expected.strip().splitlines()


def test_subject_lines_are_offset_to_the_yaml_line() -> None:
    with pytest.raises(CompileError) as info:
        render(make_env(), Source("Hi {{ subscriber.nick }}", "sequences/welcome.yaml", 7), {}, FIELDS, Tokens())
    assert str(info.value.problems[0]).startswith("sequences/welcome.yaml:7: subscriber field 'nick'")


def test_tokens_survive_markdown_emphasis_rules() -> None:
    tokens = Tokens()
    out = render(make_env(), Source("*|FNAME|* and {{ subscriber.first_name }}", "b.md"), {}, FIELDS, tokens)
    assert "*" not in out and "|" not in out  # nothing left for markdown to read as emphasis
    assert tokens.restore(out) == "*|FNAME|* and *|FNAME|*"
