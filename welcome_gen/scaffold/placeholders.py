"""The stand-ins `init` writes for what only the author knows, found wherever they are still left.

`check` warns on each one at its file and line; `build` in CI (`CI=true`) refuses them, so a site whose every
signup fails, or whose emails carry a made-up address, is never published by accident.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Problem, ProjectError, rel
from .pin import PLACEHOLDER as INSTALL_PLACEHOLDER

WHY = {
    "CHANGE-ME": "paste the action address of your Mailchimp embedded form (Audience → Signup forms → Embedded "
                 "form); until then every signup fails",
    "your-account": "put the real address here (where the site is published, or your Mailchimp form's action)",
    "Your Town": "put your business's real postal address: the law wants it in every email",
    "example": "example.com, .org and .net are reserved for examples: nobody reads mail there and links lead "
               "nowhere",
    "install": "put the welcome-gen to install here and in the other workflow: a repository at a commit or a "
               "file with its hash (README: \"Keeping the version pinned\"), or run init again with --install",
}
if TYPE_CHECKING:
    from ..project import Project

_FOUND = re.compile(r"(?P<install>" + re.escape(INSTALL_PLACEHOLDER) + r")|(?P<CHANGE>CHANGE-ME)"
                    r"|(?P<account>your-account)|(?P<town>Your Town)"
                    r"|(?P<example>(?<![\w.-])(?:[\w-]+\.)*example\.(?:com|org|net)(?![\w-]))")
_KEY = {"install": "install", "CHANGE": "CHANGE-ME", "account": "your-account", "town": "Your Town",
        "example": "example"}


@dataclass(frozen=True)
class Placeholder:
    path: str
    line: int
    text: str  # as written in the file
    why: str

    def problem(self, level: str, note: str = "") -> Problem:
        return Problem(self.path, self.line, f"'{self.text}' is a placeholder: {self.why}{note}", level)


def _files(root: Path) -> list[Path]:
    sequences = [p for p in sorted((root / "sequences").rglob("*")) if p.suffix in (".yaml", ".yml", ".md")
                 and p.name not in ("samples.yaml", "samples.yml")]  # sample subscribers are made up on purpose
    workflows = sorted((root / ".github" / "workflows").glob("*.y*ml"))
    return [root / "welcome.yaml", *sorted((root / "content").rglob("*.md")), *sequences, *workflows]


def find(root: Path) -> list[Placeholder]:
    """Every placeholder left in the author's files; comment lines of YAML files are not read."""
    found: list[Placeholder] = []
    for path in _files(root):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue  # loading reports unreadable files; this is only a look for leftovers
        yaml = path.suffix in (".yaml", ".yml")
        for number, line in enumerate(lines, 1):
            if yaml and line.lstrip().startswith("#"):
                continue
            for text in dict.fromkeys(m.group() for m in _FOUND.finditer(line)):
                key = next(k for k, v in _FOUND.fullmatch(text).groupdict().items() if v)
                found.append(Placeholder(rel(path, root), number, text, WHY[_KEY[key]]))
    return found


def check(project: Project) -> list[Problem]:
    """`check`'s view: a warning for each placeholder."""
    return [p.problem("warning") for p in find(project.root)]


def refuse_in_ci(root: Path) -> None:
    """`build`'s view: under CI=true (what CI services set), any placeholder stops it, each one an error."""
    if os.environ.get("CI") == "true" and (found := find(Path(root))):
        raise ProjectError([p.problem("error", " (a build with CI=true refuses placeholders)") for p in found])
