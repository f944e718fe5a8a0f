#!/usr/bin/env python3
"""Refresh the vendored caniemail support data from the npm package `caniemail`.

Run by a maintainer, never by CI: `python scripts/refresh_caniemail.py [VERSION]`. It needs `npm` on the path,
downloads the package tarball with `npm pack`, and writes a trimmed copy (the latest tested version of each
client platform only) plus the data's MIT licence into welcome_gen/email/data/.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "welcome_gen" / "email" / "data"
KEEP = ("slug", "title", "category", "url", "last_test_date")


def latest(versions: dict[str, str]) -> str:
    """caniemail lists the versions in test order; the last one is the current state of support."""
    return list(versions.values())[-1] if versions else "u"


def trim(raw: dict) -> dict:
    features = []
    for feature in raw["data"]:
        stats = {family: {platform: latest(versions) for platform, versions in platforms.items()}
                 for family, platforms in feature.get("stats", {}).items()}
        notes = feature.get("notes_by_num") or {}
        used = {part[1:] for fam in stats.values() for value in fam.values() for part in value.split() if part.startswith("#")}
        features.append({**{k: feature.get(k) for k in KEEP}, "stats": stats,
                         "notes": {n: text for n, text in notes.items() if n in used}})
    return {"source": "npm caniemail", "api_version": raw.get("api_version"),
            "last_update_date": raw.get("last_update_date"), "nicenames": raw.get("nicenames", {}), "data": features}


def main(version: str = "latest") -> int:
    with tempfile.TemporaryDirectory() as tmp:
        if version == "latest":  # `npm pack caniemail` can answer from a stale cache; ask for the tag first
            view = subprocess.run(["npm", "view", "caniemail", "version"], capture_output=True, text=True)
            version = view.stdout.strip() or "latest"
        spec = f"caniemail@{version}"
        done = subprocess.run(["npm", "pack", spec, "--silent"], cwd=tmp, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"npm pack {spec} failed: {done.stderr.strip()}", file=sys.stderr)
            return 1
        tarball = Path(tmp) / done.stdout.strip().splitlines()[-1]
        with tarfile.open(tarball) as tar:
            raw = json.load(tar.extractfile("package/data/caniemail.json"))  # type: ignore[arg-type]
            names = tar.getnames()
            licence_name = next((n for n in names if n.lower().startswith("package/license")), None)
            licence = tar.extractfile(licence_name).read().decode() if licence_name else ""  # type: ignore[union-attr]
            pkg = json.load(tar.extractfile("package/package.json"))  # type: ignore[arg-type]
    data = trim(raw)
    data["package_version"] = pkg.get("version")
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / "caniemail.json").write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    (DATA / "LICENSE-caniemail.txt").write_text(
        "The email client support data in caniemail.json comes from caniemail.com (github.com/hteumeuleu/caniemail),\n"
        f"as packaged in the npm package caniemail {pkg.get('version')}, trimmed to the latest tested version of each\n"
        "client. The data itself is published by caniemail.com under the MIT licence, Copyright (c) 2019 HTeuMeuLeu;\n"
        "the npm package that carries it is under the MIT licence below.\n\n" + licence, encoding="utf-8")
    print(f"caniemail {pkg.get('version')}: {len(data['data'])} features, updated {data['last_update_date']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
