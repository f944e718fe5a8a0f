"""The one gateway to Mailchimp: every call welcome-gen makes goes through `Mailchimp.call`.

    mc = Mailchimp.from_env(config_audience_id=cfg.mailchimp.audience_id)   # MAILCHIMP_API_KEY/_API_URL/_LIST_ID
    page = mc.call("lists.get_list_members_info", mc.list_id, count=1000, offset=0, fields=["members.id"])
    seg = mc.call("lists.create_segment", mc.list_id, {"name": key, "static_segment": []},
                  lookup=lambda: find_segment(key))   # not idempotent: after a lost answer, look it up first
    mc.call("campaigns.send", campaign_id)            # never retried once it may have reached Mailchimp
    tagged = mc.map(lambda h: mc.call("lists.update_list_member_tags", mc.list_id, h, body), hashes)

`call(name, *args, idempotent=None, lookup=None, **kwargs)` runs `client.<group>.<method>(*args, **kwargs)` of the
real `mailchimp_marketing` 3.0.80 client and returns its dict or list, or None for an empty answer (204).
- Every call has the timeout; at most `max_in_flight` (≤ 10, Mailchimp's limit) run at once across threads.
- 429, empty-body 403, 5xx and connection errors are retried with exponential backoff and full jitter.
- A call is idempotent by default when its method reads (get/list/search/status/ping) or puts (set_/update_);
  others are retried only when the request cannot have taken effect (a 429, or no connection made), unless
  `idempotent=True`. With `lookup`, a callable returning the result if the earlier attempt did take effect
  (or None), it is consulted before any retry.
- Every failure is a `MailchimpError` (status, title, detail, errors) whose text never holds the key.
- `mc.calls` counts HTTP attempts (for benchmarks); `mc.subscriber_hash(email)` gives the path id of a member.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, TypeVar

import mailchimp_marketing
import requests
from mailchimp_marketing.api_client import ApiClientError

from ..errors import ExitCode, UsageError, WelcomeGenError

T = TypeVar("T")
R = TypeVar("R")
MAX_IN_FLIGHT = 10  # Mailchimp answers the 11th simultaneous connection with 429
SAFE_PREFIXES = ("get", "list", "search", "status", "ping", "set_", "update_")


class MailchimpError(WelcomeGenError):
    """Mailchimp refused a call or could not be reached (exit code 3)."""

    exit_code = ExitCode.MAILCHIMP

    def __init__(self, status: int | None, title: str, detail: str = "", errors: list[dict] | None = None,
                 operation: str = ""):
        self.status, self.title, self.detail = status, title, detail
        self.errors = errors or []
        self.operation = operation
        fields = "; ".join(f"{e.get('field') or '?'}: {e.get('message', '')}" for e in self.errors if isinstance(e, dict))
        where = f"Mailchimp {operation}" if operation else "Mailchimp"
        code = f"{status} " if status else ""
        text = f"{where}: {code}{title}" + (f": {detail}" if detail else "") + (f" ({fields})" if fields else "")
        super().__init__(text)


class MailchimpConfigError(UsageError):
    """Settings are missing or wrong (no key, no server, a URL the client would mangle)."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # tries in all, the first included
    base_delay: float = 0.5  # seconds; doubles each retry
    max_delay: float = 20.0

    def delay(self, retry: int, rng: Callable[[], float] = random.random) -> float:
        """Full jitter: anywhere between 0 and the capped exponential step, so retries do not stampede."""
        return rng() * min(self.max_delay, self.base_delay * 2 ** (retry - 1))


class _Failure(Exception):
    def __init__(self, error: MailchimpError, retryable: bool, may_have_reached: bool):
        self.error, self.retryable, self.may_have_reached = error, retryable, may_have_reached


class Mailchimp:
    """A configured client plus the rules every call obeys (see the module docstring)."""

    def __init__(self, api_key: str, *, server: str | None = None, url: str | None = None, list_id: str | None = None,
                 timeout: float = 30.0, retry: RetryPolicy = RetryPolicy(), max_in_flight: int = 8,
                 sleep: Callable[[float], None] = time.sleep):
        if not api_key:
            raise MailchimpConfigError("MAILCHIMP_API_KEY is not set")
        server = server or (api_key.rsplit("-", 1)[1] if "-" in api_key else None)
        if not server:
            raise MailchimpConfigError("the API key has no data-centre suffix (like -us6); set mailchimp.server")
        self.url = (url or f"https://{server}.api.mailchimp.com/3.0").rstrip("/")
        if "server" in self.url:  # the client replaces every "server" in a URL with the data centre
            raise MailchimpConfigError(f"MAILCHIMP_API_URL must not contain the word 'server': {self.url}")
        self.server, self.list_id, self.timeout, self.retry = server, list_id, timeout, retry
        self._key = api_key
        self._client = mailchimp_marketing.Client()
        self._client.set_config({"api_key": api_key, "server": server, "timeout": timeout})
        self._client.api_client.host = self.url
        self._max_in_flight = max(1, min(max_in_flight, MAX_IN_FLIGHT))
        self._slots = threading.BoundedSemaphore(self._max_in_flight)
        self._sleep = sleep
        self._count_lock = threading.Lock()
        self.calls = 0  # HTTP attempts, retries included
        self.retries = 0

    @classmethod
    def from_env(cls, config_audience_id: str | None = None, config_server: str | None = None, *,
                 env: Mapping[str, str] | None = None, **options: Any) -> "Mailchimp":
        """From MAILCHIMP_API_KEY, MAILCHIMP_API_URL and MAILCHIMP_LIST_ID (which overrides welcome.yaml's id)."""
        env = os.environ if env is None else env
        key = env.get("MAILCHIMP_API_KEY", "").strip()
        if not key:
            raise MailchimpConfigError("MAILCHIMP_API_KEY is not set (for the local emulator, run `welcome-gen emulator`)")
        server = key.rsplit("-", 1)[1] if "-" in key else config_server
        if "retry" not in options and env.get("WELCOME_GEN_RETRY_DELAY"):  # fast retries for test runs
            options["retry"] = RetryPolicy(base_delay=float(env["WELCOME_GEN_RETRY_DELAY"]))
        return cls(key, server=server, url=env.get("MAILCHIMP_API_URL") or None,
                   list_id=env.get("MAILCHIMP_LIST_ID") or config_audience_id, **options)

    def __repr__(self) -> str:
        return f"Mailchimp(url={self.url!r}, list_id={self.list_id!r})"

    @staticmethod
    def subscriber_hash(email: str) -> str:
        """A member's id in paths: never pass the email itself (the client rewrites "server" inside it)."""
        return hashlib.md5(email.strip().lower().encode("utf-8")).hexdigest()

    # calls ----------------------------------------------------------------------------------------------

    def call(self, name: str, *args: Any, idempotent: bool | None = None, lookup: Callable[[], Any] | None = None,
             **kwargs: Any) -> Any:
        """Run one client method by its dotted name, with timeout, retries and the in-flight limit."""
        group, _, method = name.partition(".")
        fn = getattr(getattr(self._client, group, None), method, None)
        if fn is None:
            raise AttributeError(f"the Mailchimp client has no call {name!r}")
        if idempotent is None:
            idempotent = method.startswith(SAFE_PREFIXES) or group == "ping"
        for attempt in range(1, self.retry.attempts + 1):
            try:
                return self._once(name, fn, args, kwargs)
            except _Failure as failure:
                if not failure.retryable or attempt == self.retry.attempts:
                    raise failure.error from None
                if failure.may_have_reached and not idempotent:
                    if lookup is None:
                        raise failure.error from None
                    found = lookup()
                    if found is not None:
                        return found
                with self._count_lock:
                    self.retries += 1
                self._sleep(self.retry.delay(attempt))
        raise AssertionError("unreachable")

    def pause(self, attempt: int) -> None:
        """Wait as before the `attempt`th retry (backoff with jitter): for polling Mailchimp until it shows a change."""
        self._sleep(self.retry.delay(attempt))

    def map(self, fn: Callable[[T], R], items: Iterable[T], *, return_exceptions: bool = False) -> list[R | Exception]:
        """fn over items on a thread pool sized to the in-flight limit; results in the items' order."""
        items = list(items)
        if not items:
            return []

        def guarded(item: T) -> R | Exception:
            try:
                return fn(item)
            except Exception as exc:
                if not return_exceptions:
                    raise
                return exc

        with ThreadPoolExecutor(max_workers=min(self._max_in_flight, len(items))) as pool:
            return list(pool.map(guarded, items))

    def _once(self, name: str, fn: Callable, args: tuple, kwargs: dict) -> Any:
        with self._slots:
            with self._count_lock:
                self.calls += 1
            try:
                result = fn(*args, **kwargs)
            except ApiClientError as exc:
                raise self._failure(name, exc) from None
        if isinstance(result, requests.Response):  # the client returns, not raises, on an empty body
            if result.ok:
                return None
            status = result.status_code
            error = MailchimpError(status, result.reason or "Error", "(empty response)", operation=name)
            throttled = status == 429 or status == 403
            raise _Failure(error, throttled or status >= 500, may_have_reached=not throttled)
        return result

    def _failure(self, name: str, exc: ApiClientError) -> _Failure:
        status = exc.status_code
        if status is None:  # a transport error: the client wraps the requests exception itself
            cause = exc.text
            connect = isinstance(cause, (requests.exceptions.ConnectTimeout,)) or "NewConnectionError" in repr(cause)
            title = "Timed out" if isinstance(cause, requests.exceptions.Timeout) else "Connection failed"
            error = MailchimpError(None, title, self._scrub(f"{type(cause).__name__}: {cause}"), operation=name)
            return _Failure(error, retryable=True, may_have_reached=not connect)
        doc = exc.text
        if isinstance(doc, str):
            try:
                doc = json.loads(doc)  # problem+json arrives as a string
            except ValueError:  # not Mailchimp's answer (a proxy's HTML page, say): its words on one line
                doc = {"title": f"HTTP {status}", "detail": " ".join(re.sub(r"<[^>]*>", " ", doc).split())[:200]}
        if not isinstance(doc, dict):
            doc = {"title": f"HTTP {status}", "detail": str(doc)[:200]}
        error = MailchimpError(status, self._scrub(str(doc.get("title") or f"HTTP {status}")),
                               self._scrub(str(doc.get("detail") or "")),
                               [{k: self._scrub(str(v)) for k, v in e.items()} for e in doc.get("errors") or []
                                if isinstance(e, dict)], operation=name)
        return _Failure(error, retryable=status == 429 or status >= 500, may_have_reached=status != 429)

    def _scrub(self, text: str) -> str:
        return text.replace(self._key, "[api key]") if self._key else text
