"""`welcome-gen emulator`: a local Mailchimp on 127.0.0.1 to try everything without an account."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

import typer

from ..errors import UsageError
from ..mailchimp.emulator import DEFAULT_API_KEY, Emulator, Record, SpecError, default_spec_path, load_spec
from . import console

app = typer.Typer()
REAL_KEY = re.compile(r"^[0-9a-f]{32}-us\d+$")


@app.command("emulator")
def emulator(
    port: int = typer.Option(8025, "--port", help="Port on 127.0.0.1 (0 picks a free one)."),
    state: Optional[Path] = typer.Option(None, "--state", help="Keep the data in this JSON file across restarts."),
    spec: Optional[Path] = typer.Option(None, "--spec", help="Validate every request against this OpenAPI spec "
                                        "[default: $WELCOME_GEN_MAILCHIMP_SPEC or ../shared/mailchimp/]."),
    no_spec: bool = typer.Option(False, "--no-spec", help="Do not validate requests against the spec."),
    api_key: str = typer.Option(DEFAULT_API_KEY, "--api-key", help="The key the emulator accepts (a made-up one)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Print one line per request."),
) -> None:
    """Run a local Mailchimp Marketing API on 127.0.0.1 (Ctrl-C stops it)."""
    if REAL_KEY.match(api_key):
        raise UsageError("--api-key looks like a real Mailchimp key; give the emulator a made-up one")
    loaded = None
    path = None if no_spec else (spec or default_spec_path())
    if path is not None:
        try:
            loaded = load_spec(path)
        except (SpecError, OSError, ValueError) as exc:
            raise UsageError(f"--spec: {exc}") from None
    emu = Emulator(spec=loaded, state_file=state, api_key=api_key, port=port,
                   log=_print_record if verbose else None)
    try:
        emu.bind()
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    console.info(f"Mailchimp emulator at {emu.url}")
    console.info(f"  spec validation: {'on (' + str(path) + ')' if loaded else 'off'}")
    console.info(f"  state: {state or 'in memory only'}")
    console.info("Point welcome-gen at it (the key is the emulator's own, not a real one):")
    console.info(f"  export MAILCHIMP_API_KEY={emu.api_key}")
    console.info(f"  export MAILCHIMP_API_URL={emu.url}")
    console.info(f"Deliveries, faults, opens and clicks: {emu.base}/_emulator/")
    try:
        emu.serve_forever()
    except KeyboardInterrupt:
        console.info("stopped")


def _print_record(record: Record) -> None:
    extra = f"  REJECTED {record.rejected[0]['field']}: {record.rejected[0]['message']}" if record.rejected else ""
    console.info(f"{record.method} {record.path} -> {record.status or record.fault} {record.operation or ''}{extra}")
