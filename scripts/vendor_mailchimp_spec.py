"""Regenerate the emulator's copy of Mailchimp's OpenAPI spec: only the operations it serves.

    python scripts/vendor_mailchimp_spec.py PATH/TO/marketing.openapi.yaml

Reads the full spec (see welcome_gen/emulator/data/SOURCE.md for where it comes from), keeps every operation
the emulator has a route for and every schema those operations reach through `$ref` (requests and responses),
and writes welcome_gen/emulator/data/marketing.subset.json.gz: compact JSON, gzipped with a fixed timestamp so
the same input always gives the same bytes. Nothing is edited; the known defects are patched when it loads.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from welcome_gen.emulator import app  # noqa: E402,F401 - importing it registers every route
from welcome_gen.emulator.routes import ROUTES  # noqa: E402
from welcome_gen.emulator.spec import VENDORED  # noqa: E402

REF = "#/components/schemas/"


def refs(node: Any) -> set[str]:
    """The component schema names `node` refers to."""
    if isinstance(node, dict):
        found = {node["$ref"][len(REF):]} if isinstance(node.get("$ref"), str) and node["$ref"].startswith(REF) else set()
        for value in node.values():
            found |= refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(refs(v) for v in node)) if node else set()
    return set()


def subset(doc: dict) -> dict:
    """The part of `doc` the emulator serves, with the closure of the schemas it names."""
    served = {(r.method.lower(), r.template) for r in ROUTES}
    paths: dict[str, dict] = {}
    for template, item in doc["paths"].items():
        kept = {m: op for m, op in item.items() if (m, template) in served}
        if kept:
            if "parameters" in item:
                kept["parameters"] = item["parameters"]
            paths[template] = kept
    missing = sorted(f"{m.upper()} {t}" for m, t in served if t not in paths or m not in paths[t])
    if missing:
        raise SystemExit("routes the spec does not have: " + ", ".join(missing))
    schemas = doc["components"]["schemas"]
    wanted, todo = set(), refs(paths)
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo |= refs(schemas[name]) - wanted
    return {"openapi": doc["openapi"], "info": doc["info"], "servers": doc.get("servers", []),
            "paths": dict(sorted(paths.items())),
            "components": {"schemas": {n: schemas[n] for n in sorted(wanted)},
                           "securitySchemes": doc["components"].get("securitySchemes", {})},
            "x-welcome-gen-subset": {"operations": sum(len([m for m in p if m != "parameters"]) for p in paths.values()),
                                     "of": sum(len([m for m in p if m in ("get", "post", "put", "patch", "delete")])
                                               for p in doc["paths"].values())}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path, help="the full marketing.openapi.yaml")
    parser.add_argument("--out", type=Path, default=VENDORED, help=f"default: {VENDORED.relative_to(REPO)}")
    args = parser.parse_args(argv)
    import yaml

    raw = args.spec.read_bytes()
    doc = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    part = subset(doc)
    part["x-welcome-gen-subset"]["source_sha256"] = hashlib.sha256(raw).hexdigest()
    text = json.dumps(part, separators=(",", ":"), sort_keys=False, default=str).encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(buffer.getvalue())
    info = part["x-welcome-gen-subset"]
    print(f"{args.out}: {info['operations']} of {info['of']} operations, {len(part['components']['schemas'])} schemas, "
          f"{len(text):,} bytes of JSON, {len(buffer.getvalue()):,} gzipped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
