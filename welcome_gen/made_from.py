"""What the emails and the sample journeys are made from, as digests: light enough that a build whose emails and
sample journeys did not change never imports what renders them."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path

from .project import Project
from .theme import messages


def email_inputs(project: Project, today: date) -> str:
    """A digest of everything the emails are made from: settings, sequences and their bodies, personas, samples,
    the issues to be sent (preflight checks them too), the email templates, which site pages exist (emails link
    to them), the day (previews show it), the code."""
    from .cache import code_version
    from .site.places import known_site_paths

    override = project.root / "templates" / "email"
    doc = {"today": today.isoformat(), "code": code_version(), "config": project.config.model_dump(mode="json"),
           "sequences": [[s.key, s.meta.model_dump(mode="json"), {k: b.text for k, b in s.bodies.items()}]
                         for s in project.sequences],
           "personas": [[p.path, p.meta.model_dump(mode="json"), p.body] for p in project.personas],
           "samples": [s.model_dump(mode="json") for s in project.samples],
           "issues": [[d.path, d.meta.model_dump(mode="json"), d.body] for d in project.issues if d.meta.send_at],
           "site": sorted(known_site_paths(project, today)),
           "templates": {p.relative_to(override).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                         for p in sorted(override.rglob("*")) if p.is_file()} if override.is_dir() else {},
           "messages": {p.as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()  # the footer's words
                        for p in messages.catalogue_files(project.root)}}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()


def _inputs(project: Project, today: date) -> str:
    """A digest of everything the calendars depend on."""
    # The day matters only to samples without a `joined` date: they join on the build's day.
    doc = {"today": today.isoformat() if any(s.joined is None for s in project.samples) else None, "config": project.config.model_dump(mode="json"),
           "samples": [s.model_dump(mode="json") for s in project.samples],
           "sequences": {s.key: [s.meta.model_dump(mode="json"), dict(sorted(
               (name, body.text) for name, body in s.bodies.items()))] for s in project.sequences}}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()[:16]


def journeys_href(out: Path, emails_dir: Path) -> str:
    """The email previews' folder as the journeys page links to it."""
    return Path(os.path.relpath(Path(emails_dir).resolve(), Path(out).resolve())).as_posix() + "/"


def journey_inputs(project: Project, today: date, emails_href: str) -> str:
    """A digest of everything the page is made from."""
    return _inputs(project, today) + emails_href
