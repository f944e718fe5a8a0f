"""Mailchimp's OpenAPI spec as request validators: load, patch its known defects, cache, validate.

The package carries the part of Mailchimp's spec the emulator serves (`data/marketing.subset.json.gz`, made by
`scripts/vendor_mailchimp_spec.py` from the full file; `data/SOURCE.md` says where that comes from and under what
terms). A full spec file (YAML, or JSON, gzipped or not) can be given instead. Parsing the full YAML takes most of
a second, so the patched, trimmed form is cached as JSON in the user's cache directory, keyed by the file's hash.
Validators are built per operation on first use.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from ..cache import user_cache
from ..folders import write_atomic

SPEC_ENV = "WELCOME_GEN_MAILCHIMP_SPEC"
VENDORED = Path(__file__).resolve().parent / "data" / "marketing.subset.json.gz"
CACHE_VERSION = 1
METHODS = ("get", "post", "put", "patch", "delete")
# Keywords that only document a schema; dropping them shrinks the cache and speeds validation.
_DOC_KEYS = {"description", "example", "examples", "title", "readOnly", "writeOnly", "externalDocs", "deprecated"}


class SpecError(Exception):
    """The spec file is missing or unreadable."""


def default_spec_path() -> Path:
    """`$WELCOME_GEN_MAILCHIMP_SPEC`, else the part of the spec the package carries."""
    env = os.environ.get(SPEC_ENV)
    return Path(env) if env else VENDORED


@dataclass
class Operation:
    """One (method, path) of the spec, with what a request to it may carry."""

    method: str
    path: str
    name: str  # the Python client's call, e.g. "lists.set_list_member"
    params: dict[str, dict]  # "query:count" / "path:list_id" -> {"required": bool, "schema": {...}}
    body: dict | None  # {"required": bool, "schema": {...}} or None when the operation takes no body


@dataclass
class Rejection:
    """Why the spec refuses a request: the field named as Mailchimp names it, and a message."""

    field: str
    message: str


@dataclass
class Spec:
    """Operations by (METHOD, path template) and the shared component schemas."""

    operations: dict[tuple[str, str], Operation]
    schemas: dict[str, Any]
    source: str = ""
    _validators: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def operation(self, method: str, template: str) -> Operation | None:
        return self.operations.get((method.upper(), template))

    def validate(self, op: Operation, path_params: dict[str, str], query: dict[str, list[str]],
                 body: Any) -> tuple[dict[str, Any], list[Rejection]]:
        """Coerce the query as Mailchimp does (True/False, CSV lists) and check everything against the spec."""
        problems: list[Rejection] = []
        coerced: dict[str, Any] = {}
        for name, raw in query.items():
            param = op.params.get(f"query:{name}")
            if param is None:
                problems.append(Rejection(name, f"unknown query parameter for {op.name}"))
                continue
            coerced[name] = coerce(raw[-1], param["schema"])
            problems += self._check(f"query:{name}", param["schema"], coerced[name], name)
        for key, param in op.params.items():
            where, name = key.split(":", 1)
            if where == "path":
                value = path_params.get(name)
                value = coerce(value, param["schema"]) if isinstance(value, str) else value
                problems += self._check(key, param["schema"], value, name)
            elif where == "query" and param["required"] and name not in query:
                problems.append(Rejection(name, "required query parameter is missing"))
        if op.body is not None:
            if body is None and op.body["required"]:
                problems.append(Rejection("body", "a JSON request body is required"))
            elif body is not None:
                problems += self._check("body", op.body["schema"], body, "")
        return coerced, problems

    def _check(self, key: str, schema: dict, value: Any, prefix: str) -> list[Rejection]:
        validator = self._validator(key, schema)
        out = []
        for err in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path)):
            out.append(Rejection(_field_name(prefix, err), _short(err.message)))
        return out

    def _validator(self, key: str, schema: dict):
        ident = f"{key}:{id(schema)}"
        found = self._validators.get(ident)
        if found is None:
            root = dict(schema)
            root["components"] = {"schemas": self.schemas}
            found = jsonschema.Draft4Validator(root)
            with self._lock:
                self._validators[ident] = found
        return found


def coerce(raw: str, schema: dict) -> Any:
    """A query string value as its schema's type: the client sends True/False and comma-joined lists."""
    kind = schema.get("type")
    if kind == "boolean" and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    if kind == "integer" and re.fullmatch(r"-?\d+", raw):
        return int(raw)
    if kind == "number":
        try:
            return float(raw)
        except ValueError:
            return raw
    if kind == "array":
        return [coerce(part, schema.get("items", {})) for part in raw.split(",") if part != ""]
    return raw


def _field_name(prefix: str, err) -> str:
    parts = [str(p) for p in err.absolute_path]
    if err.validator == "required":
        missing = re.match(r"'([^']+)' is a required property", err.message)
        if missing:
            parts.append(missing.group(1))
    name = ".".join(parts)
    if prefix:
        name = f"{prefix}.{name}" if name else prefix
    return name or "body"


def _short(message: str) -> str:
    return message if len(message) <= 200 else message[:197] + "..."


def load_spec(path: Path | str | None = None, *, use_cache: bool = True) -> Spec:
    """Load the spec at `path` (or the default), from the JSON cache when it is current."""
    path = Path(path) if path else default_spec_path()
    if path is None or not path.is_file():
        raise SpecError(f"Mailchimp spec not found: {path or 'set ' + SPEC_ENV}")
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()[:20]
    cached = user_cache() / f"mailchimp-spec-{CACHE_VERSION}-{digest}.json"
    data = None
    if use_cache and cached.is_file():
        try:
            data = json.loads(cached.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
    if data is None:
        data = _prepare(raw)
        if use_cache:
            _write_cache(cached, data)
    return _build(data, str(path))


def _parse(raw: bytes) -> dict:
    """A spec document from JSON or YAML bytes, gzipped or not."""
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if raw.lstrip()[:1] == b"{":
        return json.loads(raw)
    import yaml  # only for a full YAML spec on a cache miss: parsing it is the slow part

    return yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _prepare(raw: bytes) -> dict:
    doc = _parse(raw)
    schemas = {name: _clean(s) for name, s in doc["components"]["schemas"].items()}
    _patch_merge_fields(schemas)
    ops = []
    for template, item in doc["paths"].items():
        shared = item.get("parameters", [])
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            params = {}
            for p in shared + op.get("parameters", []):
                params[f"{p['in']}:{p['name']}"] = {"required": bool(p.get("required")), "schema": _clean(p.get("schema", {}))}
            body = None
            if op.get("requestBody"):
                content = op["requestBody"].get("content", {})
                schema = (content.get("application/json") or next(iter(content.values()), {})).get("schema", {})
                body = {"required": bool(op["requestBody"].get("required")), "schema": _clean(schema)}
            cfg = op.get("x-custom-config", {})
            tag = (op.get("tags") or ["root"])[0]
            name = f"{_camel(tag)}.{cfg.get('methodNameSnake', op.get('operationId', ''))}"
            ops.append({"method": method.upper(), "path": template, "name": name, "params": params, "body": body})
    # default=str turns the YAML datetimes of examples into strings (the spec's 4th defect).
    return json.loads(json.dumps({"operations": ops, "schemas": schemas}, default=str))


def _camel(tag: str) -> str:
    head, *rest = re.split(r"[-_ ]", tag)
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def _clean(schema: Any) -> Any:
    """Strip documentation and x- keys; turn OpenAPI's `nullable` into a JSON Schema null type."""
    if isinstance(schema, list):
        return [_clean(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key.startswith("x-") or key in _DOC_KEYS or key == "nullable":
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: _clean(v) for name, v in value.items()}
        else:
            out[key] = _clean(value)
    if schema.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = list(out["enum"]) + [None]
    return out


def _patch_merge_fields(schemas: dict) -> None:
    """The converter typed every merge_fields value `object`; real values are strings, numbers or addresses."""
    for schema in schemas.values():
        extra = schema.get("properties", {}).get("merge_fields", {}).get("additionalProperties")
        if isinstance(extra, dict) and extra.get("type") == "object":
            extra.pop("type")


def _write_cache(path: Path, data: dict) -> None:
    try:
        write_atomic(path, json.dumps(data, separators=(",", ":")))
    except OSError:
        pass  # a read-only home only costs the next load its speed


def _build(data: dict, source: str) -> Spec:
    ops = {}
    for o in data["operations"]:
        ops[(o["method"], o["path"])] = Operation(o["method"], o["path"], o["name"], o["params"], o["body"])
    return Spec(operations=ops, schemas=data["schemas"], source=source)
