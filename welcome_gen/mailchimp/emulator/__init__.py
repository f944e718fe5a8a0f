"""A local Mailchimp Marketing API for trying welcome-gen without an account, and for its tests.

    with Emulator(spec=load_spec(), api_key="wg-emulator-key-us0") as emu:
        ...  # point MAILCHIMP_API_URL at emu.url; read emu.deliveries()

See docs/emulator.md for the settings, the /_emulator/ endpoints and the faults.
"""

from .app import DEFAULT_API_KEY, Emulator, Record
from .problems import ApiProblem
from .spec import SPEC_ENV, Spec, SpecError, default_spec_path, load_spec

__all__ = ["ApiProblem", "DEFAULT_API_KEY", "Emulator", "Record", "SPEC_ENV", "Spec", "SpecError", "default_spec_path", "load_spec"]
