"""Which welcome-gen a new project's workflows install: one that is pinned and can be verified.

A version number alone is neither: it names whatever a package index serves under that name. The workflows
install either a repository at a full commit (git checks the content against the commit id) or one wheel or
source archive with its sha256 (pip checks the download against it).
"""

from __future__ import annotations

import json
import re
from importlib import metadata

from ..errors import UsageError

# What a workflow installs until the author chooses; `check` points at it (see project/placeholders.py).
PLACEHOLDER = "git+https://github.com/OWNER/welcome-gen@COMMIT"

_SAFE = r"[A-Za-z0-9._~:/%+-]+"  # nothing a shell or a workflow expression would read as its own
_AT_COMMIT = re.compile(rf"git\+https://{_SAFE}@[0-9a-f]{{40}}")
_WITH_HASH = re.compile(rf"https://{_SAFE}\.(?:whl|tar\.gz)#sha256=[0-9a-f]{{64}}")

EXAMPLES = ("git+https://github.com/OWNER/welcome-gen@<the full 40-character commit id>, or "
            "https://…/welcome_gen-X.Y.Z-py3-none-any.whl#sha256=<its 64-character sha256>")


def check_pin(spec: str) -> str:
    """`spec` if it names one verifiable welcome-gen; a usage error saying what would do otherwise."""
    spec = spec.strip()
    if _AT_COMMIT.fullmatch(spec) or _WITH_HASH.fullmatch(spec):
        return spec
    raise UsageError(f"--install: {spec!r} is not pinned and verifiable; give a repository at a commit or a "
                     f"file with its hash: {EXAMPLES}")


def installed_pin() -> str | None:
    """The verifiable address this welcome-gen was installed from, if pip recorded one (PEP 610)."""
    try:
        recorded = metadata.distribution("welcome-gen").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    try:
        origin = json.loads(recorded or "null")
    except ValueError:
        return None
    if not isinstance(origin, dict) or not isinstance(origin.get("url"), str):
        return None
    url, vcs, archive = origin["url"], origin.get("vcs_info") or {}, origin.get("archive_info") or {}
    if vcs.get("vcs") == "git" and vcs.get("commit_id"):
        candidate = f"git+{url}@{vcs['commit_id']}"
    else:
        digest = (archive.get("hashes") or {}).get("sha256")
        if not digest and str(archive.get("hash", "")).startswith("sha256="):
            digest = archive["hash"][len("sha256="):]
        candidate = f"{url}#sha256={digest}" if digest else ""
    return candidate if _AT_COMMIT.fullmatch(candidate) or _WITH_HASH.fullmatch(candidate) else None
