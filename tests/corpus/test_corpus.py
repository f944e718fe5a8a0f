"""Every broken or hostile project in `cases/` gets its located message and exit code from each command, with no
traceback; a failed command changes nothing (the last `public/` and `build/` stay as they were), and nothing
outside the project is read into the output or written to."""

from __future__ import annotations

from pathlib import Path

import pytest

from hostile import (OUTPUT_PARTS, SECRET, cases, command_args, fill, make_base, parse, prepare, run_command,
                           snapshot)


@pytest.fixture(scope="session")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_base(tmp_path_factory.mktemp("corpus-base"))


@pytest.mark.parametrize("path", cases(), ids=lambda p: p.stem)
def test_case(path: Path, base: Path, tmp_path: Path) -> None:
    case = parse(path)
    project, outside = prepare(case, base, tmp_path)
    outside_before = snapshot(outside)
    for run in case.runs:
        before = snapshot(project)
        args = command_args(run, project, outside)
        code, out, err = run_command(args)
        said = out + err
        shown = f"$ welcome-gen {' '.join(args)}\n{said}"
        assert "Traceback" not in said and "internal error" not in said, shown
        assert code == run.exit, shown
        lines = {line.rstrip() for line in said.splitlines()}
        for expected in (fill(line, project, outside) for line in run.lines):
            if expected.endswith("…"):  # the line starts so; the rest (a list that grows) is not the point
                assert any(line.startswith(expected[:-1]) for line in lines), shown
            else:
                assert expected in lines, shown
        after = snapshot(project)
        if code != 0:  # nothing written, nothing removed: the last site and emails are exactly as they were
            assert after == before, shown
        else:
            changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
            assert all(k.split("/")[0] in OUTPUT_PARTS for k in changed), sorted(changed)
        assert snapshot(outside) == outside_before, shown
        for name, kind in after.items():  # links not followed: only what was written
            if name.split("/")[0] in OUTPUT_PARTS and kind.startswith("file"):
                assert SECRET.encode() not in (project / name).read_bytes(), f"{name} holds what was outside the project"
