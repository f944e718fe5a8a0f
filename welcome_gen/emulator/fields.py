"""Partial responses and paging: `fields` / `exclude_fields` dot paths, `count` and `offset`."""

from __future__ import annotations

from typing import Any

from .problems import ApiProblem


def _tree(paths: list[str]) -> dict:
    root: dict = {}
    for path in paths:
        node = root
        for part in path.split("."):
            node = node.setdefault(part, {})
    return root


def _keep(doc: Any, tree: dict) -> Any:
    if isinstance(doc, list):
        return [_keep(item, tree) for item in doc]
    if not isinstance(doc, dict):
        return doc
    return {k: (_keep(v, tree[k]) if tree[k] else v) for k, v in doc.items() if k in tree}


def _drop(doc: Any, tree: dict) -> Any:
    if isinstance(doc, list):
        return [_drop(item, tree) for item in doc]
    if not isinstance(doc, dict):
        return doc
    return {k: (_drop(v, tree[k]) if tree.get(k) else v) for k, v in doc.items() if not (k in tree and not tree[k])}


def shape(doc: Any, query: dict) -> Any:
    """Apply `fields` then `exclude_fields` (lists of dot paths) to a response document."""
    fields, exclude = as_list(query.get("fields")), as_list(query.get("exclude_fields"))
    if fields:
        doc = _keep(doc, _tree(fields))
    if exclude:
        doc = _drop(doc, _tree(exclude))
    return doc


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in value.split(",") if v]
    return list(value)


def page(items: list, query: dict, *, default: int = 10, limit: int = 1000) -> list:
    """One page of a collection, as `count` (at most 1000) and `offset` ask."""
    count, offset = _int(query.get("count", default), "count"), _int(query.get("offset", 0), "offset")
    if count > limit or count < 0 or offset < 0:
        raise ApiProblem(400, "Invalid Resource", f"count must be between 0 and {limit}, offset at least 0.",
                         [{"field": "count", "message": f"maximum is {limit}"}])
    return items[offset:offset + count]


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiProblem(400, "Invalid Resource", f"{name} must be an integer.",
                         [{"field": name, "message": "must be an integer"}]) from None
