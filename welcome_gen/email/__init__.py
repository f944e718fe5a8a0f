"""Project -> emails: rendering, the Jinja -> merge-tag compiler, previews and preflight checks.

The interface other parts call:

- ``RenderedEmail``: sequence (key), step (id), variant ("default" or a persona slug), subject, preheader, html,
  text, from_name, reply_to, source ("sequences/welcome.yaml:12", the step or variant it comes from).
- ``render_email(project, sequence_key, step_id, variant="default", *, subscriber=None, today=None)``: the
  merge-tag version Mailchimp receives (subscriber values as ``*|FNAME|*`` tags, author-time values rendered);
  with a ``Sample`` as ``subscriber``, the same email filled in for that sample, as Mailchimp would for a member.
- ``variants_of(project, sequence_key, step_id) -> list[str]`` and ``variant_for(step, persona) -> str`` (from
  ``project/steps.py``, where the planner reads them too): a step's variants, and the one a persona receives.
- ``render_all(project) -> list[RenderedEmail]``: every step x variant, merge-tag versions.
- ``render_issue(project, key, name, subject, preheader, body_markdown, source)``: a newsletter issue as an
  email, from plain markdown through the same sanitiser, layout, inlined CSS and text part; no Jinja.
- ``render_outbox(project) -> Outbox``: every email that can leave, rendered once (each step x variant, each issue
  with ``send_at``, its links absolute): what ``build`` writes and ``send``, ``push`` and ``journey`` are handed.
- ``write_emails(project, out, reporter=None) -> int``: writes ``out/<seq>/<step>/<variant>.html|.txt`` (what
  Mailchimp receives), previews for each sample subscriber in ``out/<seq>/<step>/samples/``, and
  ``out/index.html``; atomic, unchanged files untouched, stale ones removed; returns files written or removed.
- ``preflight(project, outbox=None) -> list[Problem]``: every email of the outbox checked; errors block ``check``
  and ``send``.

Bad author input raises ``ProjectError`` with every problem at its ``path:line``.
"""

from ..project.steps import DEFAULT, variant_for, variants_of
from .outbox import Outbox, render_outbox
from .preflight import preflight
from .render import RenderedEmail, Renderer, render_all, render_email, render_issue
from .write import write_emails

__all__ = ["DEFAULT", "Outbox", "RenderedEmail", "Renderer", "preflight", "render_all", "render_email", "render_issue", "render_outbox",
           "variant_for", "variants_of", "write_emails"]
