"""Turning schema errors into author-facing problems: `path:line: message`, with suggestions."""

from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import Problem
from .source import Positions


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The schema class that owns the mapping at `loc`, to suggest its field names."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or not (isinstance(current, type) and issubclass(current, BaseModel)):
            if isinstance(part, int):
                continue
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = _unwrap(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    while True:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        origin = typing.get_origin(annotation)
        if origin is None:
            return annotation
        if origin is dict and len(args) == 2:
            annotation = args[1]
            continue
        if args and any(isinstance(a, type) and issubclass(a, BaseModel) for a in args):
            return next(a for a in args if isinstance(a, type) and issubclass(a, BaseModel))
        if len(args) == 1:
            annotation = args[0]
            continue
        return annotation


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _loc(err: Any) -> tuple[Any, ...]:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    # pydantic adds the tag of a union/validator branch to loc; keep only real keys
    return tuple(p for p in loc if p not in ("str", "int", "bool", "list[str]"))


def _guess(model: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    """The field an unknown key at `loc` was probably meant to be."""
    owner = _model_at(model, loc[:-1])
    guess = difflib.get_close_matches(str(loc[-1]), list(owner.model_fields) if owner else [], n=1)
    return guess[0] if guess else None


def problems_from(exc: ValidationError, model: type[BaseModel], shown: str, positions: Positions,
                  prefix: tuple[Any, ...] = ()) -> list[Problem]:
    """One problem per schema error, each at the line of the offending key."""
    out: list[Problem] = []
    errors = [(_loc(err), err) for err in exc.errors()]
    meant = {loc[:-1] + (_guess(model, loc),) for loc, err in errors if err["type"] == "extra_forbidden"}
    for loc, err in errors:
        line = positions.line(prefix + loc)
        kind = err["type"]
        name = _dotted(loc)
        if kind == "missing" and loc in meant:
            continue  # the misspelt key that was meant to be this field says so
        if kind == "extra_forbidden":
            owner = _model_at(model, loc[:-1])
            known = list(owner.model_fields) if owner else []
            guess = _guess(model, loc)
            hint = f" (did you mean '{guess}'?)" if guess else (f" (known keys: {', '.join(known)})" if known else "")
            meaning = owner.model_fields[guess].description if guess and owner else None
            if meaning:  # the same words the documentation uses, so the author need not look it up
                hint += f" — {guess}: {meaning.split('. ')[0].rstrip('.')}."
            msg = f"unknown key '{_dotted(loc)}'{hint}"
        elif kind == "missing":
            msg = f"missing required field '{name}'"
        elif kind in ("value_error", "assertion_error"):
            text = str(err.get("ctx", {}).get("error", err["msg"]))
            msg = f"{name}: {text}" if name else text
        elif kind == "literal_error":
            msg = f"{name}: {err['msg'].replace('Input should be', 'must be')}, not '{err.get('input')}'"
        elif kind == "too_short":
            ctx = err.get("ctx", {})
            least, has = ctx.get("min_length", 1), ctx.get("actual_length") or "none"
            msg = f"{name}: needs at least {least} item{'s' if least != 1 else ''}, has {has}"
        elif kind.startswith("date"):  # date_… and datetime_…
            msg = f"{name}: '{err.get('input')}' is not a valid date (write YYYY-MM-DD)"
        else:
            msg = f"{name}: {err['msg'].replace('Input should be', 'must be')}" if name else err["msg"]
        out.append(Problem(shown, line, msg))
    return out


def validate(model: type[BaseModel], data: Any, shown: str, positions: Positions) -> tuple[Any, list[Problem]]:
    """Validate `data` against `model`; return the instance (or None) and the problems."""
    if data is None:
        data = {}
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, problems_from(exc, model, shown, positions)
