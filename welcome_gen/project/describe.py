"""The settings of welcome.yaml as documentation: each key, its default and its meaning, from the model itself.

README.md's settings tables are this module's output (a test keeps them equal), and `check` quotes the same
meaning when it suggests a key, so the words are written once, in `model.py`.

    python -m welcome_gen.project.describe     # prints the tables
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from .model import Config


def _default(value: Any) -> str:
    if value is PydanticUndefined:
        return "required"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, time):
        return f'`"{value:%H:%M}"`'
    if isinstance(value, timedelta):
        days, hours = value.days, value.seconds // 3600
        return f"`{days}d`" if days and not hours else f"`{int(value.total_seconds() // 3600)}h`"
    if isinstance(value, list):
        return f"`[{', '.join(map(str, value))}]`"
    return f"`{value}`" if value != "" else "empty"


def settings(model: type[BaseModel] = Config, prefix: str = "") -> list[tuple[str, str, str]]:
    """(dotted key, default, meaning) for every setting, the sections' own keys opened up."""
    rows = []
    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        kind = info.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            rows += settings(kind, f"{key}.")
        else:
            rows.append((key, _default(info.default), info.description or ""))
    return rows


def table(section: str) -> str:
    """The markdown table of one section of welcome.yaml (`site`, `business`, `mailchimp`, `sending`)."""
    lines = ["| key | default | meaning |", "|---|---|---|"]
    lines += [f"| `{key}` | {default} | {meaning} |" for key, default, meaning in settings()
              if key.split(".")[0] == section]
    return "\n".join(lines)


if __name__ == "__main__":
    for name in Config.model_fields:
        print(f"#### `{name}`\n\n{table(name)}\n")
