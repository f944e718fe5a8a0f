"""`welcome-gen emulator`: a local Mailchimp on 127.0.0.1 to try everything without an account.

In a project folder it also makes the project's audience (and with --seed-samples, its sample subscribers), so
`push` and `send` work straight away. The project is read here; the emulator only gets plain API bodies.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, time, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from ..errors import UsageError, WelcomeGenError
from ..emulator import DEFAULT_API_KEY
from . import console

if TYPE_CHECKING:
    from ..emulator import Emulator, Record
    from ..project import Project

app = typer.Typer()
REAL_KEY = re.compile(r"^[0-9a-f]{32}-us\d+$")
SAMPLES = "sequences/samples.yaml"


@app.command("emulator")
def emulator(
    project_dir: Optional[Path] = typer.Argument(
        None, metavar="PROJECT_DIR", show_default=False,
        help="A project folder: its audience is created (with its id from welcome.yaml, or a made-up one) unless "
             "the state has it. Default: the current folder, if it has a welcome.yaml."),
    port: int = typer.Option(8025, "--port", help="Port on 127.0.0.1 (0 picks a free one)."),
    state: Optional[Path] = typer.Option(None, "--state", help="Keep the data in this JSON file across restarts."),
    spec: Optional[Path] = typer.Option(None, "--spec", help="Validate every request against this OpenAPI spec "
                                        "(default: $WELCOME_GEN_MAILCHIMP_SPEC, else the part of Mailchimp's spec "
                                        "the package carries)."),
    no_spec: bool = typer.Option(False, "--no-spec", help="Do not validate requests against the spec."),
    api_key: str = typer.Option(DEFAULT_API_KEY, "--api-key", help="The key the emulator accepts (a made-up one)."),
    seed_samples: bool = typer.Option(False, "--seed-samples", help=f"Add the project's {SAMPLES} subscribers to "
                                      "the audience as subscribed members, with their names, persona, birthday and "
                                      "timezone, so `send` has someone due. Members already there are left alone."),
    joined: Optional[str] = typer.Option(None, "--joined", help="With --seed-samples: when the samples joined "
                                         "(ISO 8601), for those without a `joined` date of their own. Default: the "
                                         "emulator's clock."),
    clock: Optional[str] = typer.Option(None, "--clock", help="Start the emulator's clock at this time (ISO 8601) "
                                        "and let it run on from there, so `send --now` near it and Mailchimp agree "
                                        "on the time. PUT /_emulator/clock moves it. Default: the real time."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Print one line per request."),
) -> None:
    """Run a local Mailchimp Marketing API on 127.0.0.1 (Ctrl-C stops it)."""
    from ..emulator import Emulator, SpecError, default_spec_path, load_spec
    from ..emulator.clock import EmulatorClock
    from ..emulator.spec import VENDORED

    start = console.iso_time("--clock", clock) if clock is not None else None
    if REAL_KEY.match(api_key):
        raise UsageError("--api-key looks like a real Mailchimp key; give the emulator a made-up one")
    joined_at = _joined(joined, seed_samples, start)
    project = _project(project_dir)
    if seed_samples and project is None:
        raise UsageError("--seed-samples needs a project: run it in a folder with welcome.yaml, or give the folder")
    loaded = None
    path = None if no_spec else (spec or default_spec_path())
    if path is not None:
        try:
            loaded = load_spec(path)
        except (SpecError, OSError, ValueError) as exc:
            raise UsageError(f"--spec: {exc}") from None
    emu = Emulator(spec=loaded, state_file=state, api_key=api_key, port=port, clock=EmulatorClock(start),
                   log=_print_record if verbose else None)
    try:
        emu.bind()
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    console.info(f"Mailchimp emulator at {emu.url}")
    shown = "Mailchimp's spec, as the package carries it" if path == VENDORED else str(path)
    console.info(f"  spec validation: {'on (' + shown + ')' if loaded else 'off'}")
    console.info(f"  state: {state or 'in memory only'}")
    console.info(f"  clock: {start.isoformat() + ', running on from there' if start else 'the real time'}")
    list_id = _seed(emu, project, seed_samples, joined_at) if project is not None else None
    console.info("Point welcome-gen at it (the key is the emulator's own, not a real one):")
    console.info(f"  export MAILCHIMP_API_KEY={emu.api_key}")
    console.info(f"  export MAILCHIMP_API_URL={emu.url}")
    if list_id:
        console.info(f"  export MAILCHIMP_LIST_ID={list_id}")
    console.info(f"Deliveries, faults, opens and clicks: {emu.base}/_emulator/")
    try:
        emu.serve_forever()
    except KeyboardInterrupt:
        console.info("stopped")


def _joined(text: str | None, seed_samples: bool, clock: datetime | None) -> datetime:
    if text is None:
        return clock or datetime.now(timezone.utc).replace(microsecond=0)
    if not seed_samples:
        raise UsageError("--joined only goes with --seed-samples")
    return console.iso_time("--joined", text)


def _project(project_dir: Path | None) -> Project | None:
    """The project given, or the current folder's if it has a welcome.yaml; None to start empty."""
    from ..project import load_project

    if project_dir is None:
        if not Path("welcome.yaml").is_file():
            return None
        project_dir = Path(".")
    return load_project(project_dir)


def _seed(emu: Emulator, project: Project, seed_samples: bool, joined: datetime) -> str:
    """Create the project's audience (and members) in the emulator; its id."""
    from ..emulator import ApiProblem

    list_id = audience_id(project)
    try:
        created = emu.add_audience(list_id, audience(project), merge_fields(project) if seed_samples else ())
        console.info(f"  audience {list_id} ({project.config.site.title}): "
                     f"{'created from welcome.yaml' if created else 'already in the state'}")
        console.info(f"  its signup form (for site.signup.action): {emu.signup_form(list_id)}")
        if seed_samples:
            members, notes = sample_members(project, joined)
            added = emu.add_members(list_id, members)
            console.info(f"  {len(added)} of {len(members)} sample subscribers from {SAMPLES} added"
                         f"{' (the others were there already)' if len(added) < len(members) else ''}")
            for note in notes:
                console.info(f"    {note}")
    except ApiProblem as exc:  # e.g. a kept state whose audience has a field of another type
        where = "".join(f" ({e['field']}: {e['message']})" for e in (exc.errors or [])[:1])
        raise WelcomeGenError(f"{SAMPLES}: the emulator's audience {list_id} refused a sample: {exc.detail}{where}") \
            from None
    return list_id


def audience_id(project: Project) -> str:
    """`mailchimp.audience_id`, or a made-up id that stays the same for this site (so a kept state finds it)."""
    given = project.config.mailchimp.audience_id
    return given or hashlib.sha256(str(project.config.site.url).encode()).hexdigest()[:10]


def audience(project: Project) -> dict:
    """The create-list body of the project's audience: the business's name and address, replies to reply_to."""
    site, business = project.config.site, project.config.business
    return {
        "name": site.title,
        # Mailchimp splits the address into parts; the whole of it in address1 reads the same in every footer.
        "contact": {"company": business.name, "address1": business.postal_address, "address2": "", "city": "",
                    "state": "", "zip": "", "country": ""},
        "permission_reminder": f"You signed up for {site.title} at {site.url}.",
        "email_type_option": False,
        "campaign_defaults": {"from_name": business.from_name or business.name, "from_email": str(business.reply_to),
                              "subject": "", "language": site.language},
    }


def merge_fields(project: Project) -> list[dict]:
    """The fields the samples fill in: the ones `push` makes, and the name fields under the project's tags."""
    from ..delivery.push import wanted_fields

    names = project.config.mailchimp.fields
    out = [{"tag": names.first_name, "name": "First Name", "type": "text"},
           {"tag": names.last_name, "name": "Last Name", "type": "text"}]
    return out + list(wanted_fields(project).values())


def sample_members(project: Project, joined: datetime) -> tuple[list[dict], list[str]]:
    """Add-member bodies for the project's samples, and a note for each value an audience could not hold."""
    names = project.config.mailchimp.fields
    choices = {p.slug for p in project.fit_personas}  # the persona field's choices are the slugs, as push makes it
    members, notes = [], []
    for sample in project.samples:
        when = datetime.combine(sample.joined, time(0), timezone.utc) if sample.joined else joined
        fields = {names.first_name: sample.first_name, names.last_name: sample.last_name,
                  names.birthday: sample.birthday or "", names.timezone: sample.timezone or ""}
        if sample.persona in choices:
            fields[names.persona] = sample.persona
        elif sample.persona:
            notes.append(f"{sample.name}: persona '{sample.persona}' is not a signup choice (fit: false), "
                         "so the member has none")
        members.append({"email_address": str(sample.email), "status": "subscribed",
                        "merge_fields": {k: v for k, v in fields.items() if v},
                        "timestamp_signup": when.isoformat(), "timestamp_opt": when.isoformat()})
    return members, notes


def _print_record(record: Record) -> None:
    extra = f"  REJECTED {record.rejected[0]['field']}: {record.rejected[0]['message']}" if record.rejected else ""
    console.info(f"{record.method} {record.path} -> {record.status or record.fault} {record.operation or ''}{extra}")
