"""`theme export`: copy a file of the default theme into the project's `templates/`, where it overrides the theme.

The theme's files keep their place: `site/fit.html` goes to `templates/site/fit.html`, `email/layout.html.j2` to
`templates/email/layout.html.j2`, `messages/de.yaml` to `templates/messages/de.yaml`. A name without its folder
(`fit.html`, `partials/signup.html`, `layout.txt.j2`) is found in whichever folder has it.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

from ..errors import UsageError, rel
from . import HERE

FOLDERS = ("site", "email", "messages")


def exportable() -> list[str]:
    """Every file of the theme, as `folder/path`."""
    names = []
    for folder in FOLDERS:
        for path in sorted((HERE / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                names.append(f"{folder}/{path.relative_to(HERE / folder).as_posix()}")
    return names


def resolve(name: str) -> str:
    """`name` as one of `exportable()`; a usage error with a suggestion otherwise."""
    known = exportable()
    wanted = name.strip().replace("\\", "/").removeprefix("templates/").lstrip("/")
    if wanted in known:
        return wanted
    matches = [k for k in known if k.split("/", 1)[1] == wanted]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise UsageError(f"'{name}' is in more than one folder of the theme: {', '.join(matches)}; name one")
    close = difflib.get_close_matches(wanted, known + [k.split("/", 1)[1] for k in known], n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise UsageError(f"'{name}' is not a file of the theme{hint}; `welcome-gen theme export` lists them")


def export(root: Path, names: list[str], force: bool = False) -> list[Path]:
    """Copy each named theme file into `root/templates/`; refuse, before copying any, to overwrite without `force`."""
    if not (root / "welcome.yaml").is_file():
        raise UsageError(f"{rel(root / 'welcome.yaml')}: not found: run this in a welcome-gen project "
                         "(or give it with --project)")
    plan = []
    for name in dict.fromkeys(resolve(n) for n in names):
        target = root / "templates" / name
        if target.exists() and not force:
            raise UsageError(f"{rel(target, root)} already exists: it is your copy; pass --force to replace it "
                             "with the theme's")
        plan.append((HERE / name, target))
    for source, target in plan:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        except OSError as exc:
            raise UsageError(f"{rel(target, root)}: cannot write there: {exc.strerror or exc}") from None
    return [target for _, target in plan]
