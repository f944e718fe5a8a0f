"""The signup form's data: where it posts, its field names, and Mailchimp's bot trap."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..project.model import Config


def honeypot_name(action: str) -> str | None:
    """Mailchimp's embedded forms carry a hidden field `b_<u>_<id>` that only bots fill in."""
    query = parse_qs(urlsplit(action).query)
    u, list_id = query.get("u", [""])[0], query.get("id", [""])[0]
    return f"b_{u}_{list_id}" if u and list_id else None


def signup_form(config: Config, personas: list[dict[str, str]]) -> dict[str, Any]:
    """Everything the form partial needs; `personas` are the fit personas (slug, title)."""
    signup, fields = config.site.signup, config.mailchimp.fields
    return {
        "action": signup.action,
        "honeypot": signup.honeypot or honeypot_name(signup.action),
        "email": "EMAIL",  # Mailchimp's fixed name for the address
        "first_name": fields.first_name,
        "birthday": fields.birthday,
        "persona": fields.persona,
        "personas": personas,
        "intro": signup.intro,
    }
