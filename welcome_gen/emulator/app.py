"""The `Emulator`: a local Mailchimp Marketing API on 127.0.0.1, startable in-process or from the CLI."""

from __future__ import annotations

import collections
import contextlib
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

from . import DEFAULT_API_KEY
from . import batches, campaigns, lists, members, mergefields, reports, segments  # noqa: F401 - they register routes
from . import seed, signup
from .behaviours import Behaviours
from .clock import EmulatorClock
from .faults import Faults
from .problems import ApiProblem
from .routes import Request, match
from .segments import settle
from .sending import cancel, deliver_due
from .server import API_PREFIX, Handler, Server
from .spec import Spec, load_spec
from .state import Store

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class Record:
    """One API request as the emulator saw it (never its headers: the key travels in one)."""

    method: str
    path: str
    status: int
    operation: str | None  # the client call, e.g. "lists.set_list_member", when the spec knows it
    rejected: list[dict] = field(default_factory=list)  # spec violations, when the request was refused for them
    expected: bool = False  # a test said it sends a non-conformant request on purpose
    fault: str | None = None


class Emulator:
    """Start with `with Emulator(spec=..., state_file=..., api_key=...) as emu:`; `emu.url` is the /3.0 base."""

    def __init__(self, spec: Spec | str | Path | None = None, state_file: str | Path | None = None,
                 api_key: str = DEFAULT_API_KEY, *, host: str = "127.0.0.1", port: int = 0, max_connections: int = 10,
                 clock: Callable[[], datetime] | None = None, sending_reads: int = 0,
                 log: Callable[[Record], None] | None = None):
        if host not in LOOPBACK:
            raise ValueError("the emulator listens on the loopback interface only")
        self.spec = load_spec(spec) if isinstance(spec, (str, Path)) else spec
        self.store = Store(state_file, clock)
        self.store.sending_reads = sending_reads
        self.api_key = api_key
        self.host, self.port = host, port
        self.max_connections = max_connections
        self.faults = Faults()
        self.requests: collections.deque[Record] = collections.deque(maxlen=100_000)
        self.spec_stats: dict[str, dict[str, int]] = {}
        self._on_record = log
        self._lock = threading.Lock()
        self._in_flight = 0
        self.peak_in_flight = 0  # the most API requests ever handled at once
        self._expecting = 0
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle ------------------------------------------------------------------------------------------

    def bind(self) -> "Emulator":
        """Open the listening socket (on a free port when port is 0); `url` is valid from here on."""
        if self._server is None:
            self._server = Server((self.host, self.port), Handler)
            self._server.emulator = self
            self.port = self._server.server_address[1]
        return self

    def start(self) -> "Emulator":
        """Serve on a background thread."""
        self.bind()
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="mailchimp-emulator", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the CLI's way)."""
        self.bind()
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()
            self._server = None

    def stop(self) -> None:
        self.faults._held.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """What `MAILCHIMP_API_URL` (or the client's host) should be."""
        return self.base + API_PREFIX

    # the API --------------------------------------------------------------------------------------------

    def execute(self, method: str, path: str, query: dict[str, list[str]], body: Any,
                fault: str | None = None) -> tuple[int, Any]:
        """Answer one API call (already authenticated): route, validate against the spec, run the handler.

        `fault` only labels the log: the server will lose this answer on purpose.
        """
        route, params, other = match(method, path)
        if route is None:
            problem = (ApiProblem(405, "Method Not Allowed", "The requested method and resource are not compatible.")
                       if other else ApiProblem(404, "Resource Not Found", "The requested resource could not be found."))
            self._log(method, path, problem.status, None, [])
            return problem.status, problem.document()
        op = self.spec.operation(method, route.template) if self.spec else None
        if op is not None:
            coerced, rejections = self.spec.validate(op, params, query, body)
            if rejections:
                errors = [{"field": r.field, "message": r.message} for r in rejections]
                problem = ApiProblem(400, "Invalid Resource", f"The request does not conform to Mailchimp's API spec "
                                     f"for {op.name}: {errors[0]['field']}: {errors[0]['message']}", errors)
                self._log(method, path, 400, op.name, errors)
                return 400, problem.document()
        else:
            coerced = {k: v[-1] for k, v in query.items()}
        req = Request(method, route.template, params, coerced, body, self.store, self)
        try:
            with self.store:
                self.store.requests += 1
                settle(self.store)
                deliver_due(self.store, self.base)
                result = route.handler(req)
            status, doc = (204, None) if result is None else (200, result)
        except ApiProblem as problem:
            status, doc = problem.status, problem.document()
        except Exception as exc:  # a bug in the emulator: answer like Mailchimp's 500, and say what broke
            traceback.print_exc()
            status, doc = 500, ApiProblem(500, "Internal Server Error", f"emulator error: {type(exc).__name__}: {exc}").document()
        self._log(method, path, status, op.name if op else None, [], fault=fault)
        return status, doc

    # bookkeeping ----------------------------------------------------------------------------------------

    def _enter(self) -> bool:
        with self._lock:
            if self._in_flight >= self.max_connections:
                return False
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
            return True

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _log(self, method: str, path: str, status: int, operation: str | None, rejected: list[dict],
             fault: str | None = None) -> None:
        record = Record(method, path, status, operation, rejected, bool(rejected) and self._expecting > 0, fault)
        with self._lock:
            self.requests.append(record)
            if operation is not None:
                stats = self.spec_stats.setdefault(operation, {"validated": 0, "rejected": 0})
                stats["rejected" if rejected else "validated"] += 1
        if self._on_record:
            self._on_record(record)

    # helpers for tests and the /_emulator/ endpoints ------------------------------------------------------

    def deliveries(self, campaign_id: str | None = None, email: str | None = None) -> list[dict]:
        """Every email sent so far, oldest first, optionally for one campaign or one recipient."""
        with self.store:
            found = [dict(d) for d in self.store.data["deliveries"]]
        return [d for d in found if (campaign_id is None or d["campaign_id"] == campaign_id)
                and (email is None or d["email_address"].lower() == email.lower())]

    def set_clock(self, when: datetime, *, frozen: bool = False) -> None:
        """Put the emulator's clock at `when`; it runs on from there unless `frozen`."""
        clock = self.store.clock if isinstance(self.store.clock, EmulatorClock) else EmulatorClock()
        clock.set(when, frozen=frozen)
        self.store.clock = clock

    def clock_state(self) -> dict:
        clock = self.store.clock
        if isinstance(clock, EmulatorClock):
            return clock.describe()
        return {"now": clock().isoformat(), "set": True, "frozen": True}

    @property
    def behaviours(self) -> Behaviours:
        return self.store.behaviours

    def set_behaviours(self, **settings: Any) -> Behaviours:
        """Replace Mailchimp's unkind behaviours (all off by default): cancel_after=N, send_lag_reads=N,
        segment_lag=N, unverified_domain=True, daily_send_cap=N. Unknown names are a ValueError."""
        with self.store:
            self.store.behaviours = Behaviours.from_json(settings)
        return self.store.behaviours

    def cancel_send(self, campaign_id: str) -> None:
        """What actions/cancel-send does, from a test: a send still in progress ends `canceled`."""
        with self.store:
            campaign = self.store.data["campaigns"].get(campaign_id)
            if campaign is None:
                raise KeyError(campaign_id)
            cancel(self.store, campaign)

    def set_faults(self, **settings: Any) -> Faults:
        """Replace the fault settings: every=N, nth=[...], kind="500"|"503"|"429"|"403"|"drop", after=, delay_ms=."""
        held = self.faults._held
        self.faults = Faults.from_json(settings)
        self.faults._held = held
        return self.faults

    def clear_faults(self) -> None:
        self.set_faults()

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Keep every API request waiting inside the emulator until the block ends (to build up concurrency)."""
        self.faults._held.clear()
        try:
            yield
        finally:
            self.faults._held.set()

    def wait_in_flight(self, count: int, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while self._in_flight < count:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def add_open(self, campaign_id: str, email: str) -> dict:
        with self.store:
            return reports.record_activity(self.store, "open", {"campaign_id": campaign_id, "email_address": email})

    def add_click(self, campaign_id: str, email: str, url: str) -> dict:
        with self.store:
            return reports.record_activity(self.store, "click",
                                           {"campaign_id": campaign_id, "email_address": email, "url": url})

    def add_unsubscribe(self, campaign_id: str, email: str) -> dict | None:
        """A recipient unsubscribes through the campaign (as its *|UNSUB|* link does); None if they had left."""
        with self.store:
            return reports.record_leaving(self.store, "unsubscribe", campaign_id, email)

    def add_bounce(self, campaign_id: str, email: str) -> dict | None:
        """The campaign's email to `email` hard-bounces: the member is cleaned; None if already cleaned."""
        with self.store:
            return reports.record_leaving(self.store, "hard_bounce", campaign_id, email)

    def signup_form(self, list_id: str) -> str:
        """The address a site's signup form posts to for audience `list_id` (Mailchimp's hosted form, here)."""
        return signup.form_action(self.base, list_id)

    def confirm_signup(self, list_id: str, email: str) -> dict | None:
        """The person follows the link in the opt-in confirmation email; None when nobody was pending."""
        with self.store:
            return signup.confirm(self.store, list_id, email)

    def add_audience(self, list_id: str, body: dict, merge_fields: list[dict] | tuple = ()) -> bool:
        """Create audience `list_id` (a create-list body) unless it exists, with any merge fields it lacks;
        True when created. For seeding before `serve_forever`; tests create theirs through the client."""
        return seed.ensure_audience(self.store, list_id, body, merge_fields)

    def add_members(self, list_id: str, bodies: list[dict]) -> list[str]:
        """Add members (add-member bodies) the audience does not have yet; the addresses added."""
        return seed.add_members(self.store, list_id, bodies)

    def reset(self) -> None:
        """Forget every list, member, campaign and delivery (faults and the request log stay)."""
        self.store.reset()

    def snapshot(self) -> dict[str, Any]:
        """Every list, member, campaign and delivery as they are now, for `restore`."""
        return self.store.snapshot()

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Back to a `snapshot` (faults and the request log stay): a test sets an audience up once over HTTP, then
        starts each of many runs from it without replaying the setup."""
        self.store.restore(snapshot)

    @contextlib.contextmanager
    def expect_rejections(self) -> Iterator[None]:
        """Mark requests refused by the spec inside this block as intended (a test of the refusal itself)."""
        self._expecting += 1
        try:
            yield
        finally:
            self._expecting -= 1

    def unexpected_rejections(self) -> list[Record]:
        return [r for r in list(self.requests) if r.rejected and not r.expected]
