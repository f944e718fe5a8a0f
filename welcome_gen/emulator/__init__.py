"""A local Mailchimp Marketing API for trying welcome-gen without an account, and for its tests.

    with Emulator(spec=load_spec(), api_key="wg-emulator-key-us0") as emu:
        ...  # point MAILCHIMP_API_URL at emu.url; read emu.deliveries()

See docs/emulator.md for the settings, the /_emulator/ endpoints and the faults.
"""

from __future__ import annotations

import importlib
from typing import Any

DEFAULT_API_KEY = "wg-emulator-key-us0"  # documented and deliberately not shaped like a real 32-hex key

# Loaded on first use: the server and its spec validator cost a third of a second, which `welcome-gen --help`
# (whose emulator options name DEFAULT_API_KEY) should not pay.
_HOMES = {"Emulator": "app", "Record": "app", "ApiProblem": "problems", "SPEC_ENV": "spec", "Spec": "spec",
          "SpecError": "spec", "default_spec_path": "spec", "load_spec": "spec"}

__all__ = ["DEFAULT_API_KEY", *_HOMES]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
