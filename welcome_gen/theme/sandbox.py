"""The environment every template of the author's renders in: Jinja's sandbox (no reaching into Python), which also
refuses values too big to be meant, so `{{ "x" * 10**10 }}` is a problem at its line rather than a machine out of
memory. (`range()` is already bounded by the sandbox, to 100,000.)"""

from __future__ import annotations

from typing import Any

from jinja2.sandbox import SandboxedEnvironment, SecurityError

MAX_LENGTH = 1_000_000  # characters or items a single `*` may make
MAX_DIGITS = 1_000  # digits a single `**` may make


class BoundedEnvironment(SandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, **options: Any):
        # An environment lives for one build, whose templates do not change under it: a template is read once,
        # not looked at on disk again each time a page extends or includes it.
        options.setdefault("auto_reload", False)
        super().__init__(**options)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_LENGTH:
                    raise SecurityError(f"a value of more than {MAX_LENGTH:,} characters or items is not allowed")
        if operator == "**" and isinstance(left, (int, float)) and isinstance(right, (int, float)):
            if abs(left) > 1 and right * _digits(left) > MAX_DIGITS:
                raise SecurityError(f"a number of more than {MAX_DIGITS:,} digits is not allowed")
        return super().call_binop(context, operator, left, right)


def _digits(number: float) -> float:
    return len(str(int(abs(number)))) if abs(number) >= 10 else 1.0
