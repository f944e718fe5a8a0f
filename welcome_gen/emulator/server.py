"""The HTTP side: parse a request, check the key, enforce the connection limit, apply faults, answer."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .problems import ApiProblem
from .signup import subscribe

API_PREFIX = "/3.0"
SIGNUP_PATH = "/subscribe/post"
PROBLEM_TYPE = "application/problem+json; charset=utf-8"
FAULT_PROBLEMS = {
    "500": (500, "Internal Server Error", "An unexpected internal error has occurred. Please contact Support for more information."),
    "503": (503, "Service Unavailable", "The service is temporarily unavailable. Please try again later."),
}

BAD_GATEWAY_PAGE = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # let more than 10 connections in, so the limit is answered with 429, not refused
    emulator: Any = None

    def handle_error(self, request, client_address) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return  # the client gave up (a timeout in a test): nothing to report
        super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.0"  # one request per connection, as the client makes them
    server_version = "welcome-gen-emulator"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # requests are logged by the emulator, without headers (the key travels in one)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # ----------------------------------------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        emu = self.server.emulator
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path.startswith("/_emulator/") or url.path == "/_emulator":
            from .control import handle  # the control endpoints need the emulator; import late

            self._send(*handle(emu, method, url.path, query, raw))
            return
        if url.path.rstrip("/") == SIGNUP_PATH and method == "POST":
            self._signup(emu, url.path, query, raw)
            return
        if not (url.path == API_PREFIX or url.path.startswith(API_PREFIX + "/")):
            self._problem(ApiProblem(404, "Resource Not Found", "The API lives under /3.0."))
            return
        if not emu._enter():
            self._problem(ApiProblem(429, "Too Many Requests",
                                     f"You have exceeded the limit of {emu.max_connections} simultaneous connections."))
            emu._log(method, url.path, 429, None, [])
            return
        try:
            self._api(emu, method, url.path[len(API_PREFIX):] or "/", query, raw)
        finally:
            emu._leave()

    def _api(self, emu, method: str, path: str, query: dict, raw: bytes) -> None:
        emu.faults._held.wait()
        if emu.faults.delay_ms:
            time.sleep(emu.faults.delay_ms / 1000)
        problem = self._auth(emu.api_key)
        if problem:
            emu._log(method, path, problem.status, None, [])
            self._problem(problem)
            return
        fault = emu.faults.next_request()
        if fault and not emu.faults.after:
            emu._log(method, path, 0 if fault == "drop" else int(fault.split("-")[0]), None, [], fault=fault)
            self._fault(fault)
            return
        try:
            body = json.loads(raw) if raw.strip() else None
        except ValueError:
            self._problem(ApiProblem(400, "JSON Parse Error", "We encountered an unspecified JSON parsing error."))
            return
        status, doc = emu.execute(method, path, query, body, fault=fault)
        if fault:  # it took effect, but the answer is lost
            self._fault(fault)
            return
        self._send(status, doc)

    def _signup(self, emu, path: str, query: dict, raw: bytes) -> None:
        """The hosted signup form: no key, outside the API's connection limit, answered with a page."""
        form = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True).items()}
        with emu.store:
            status, page = subscribe(emu.store, {k: v[-1] for k, v in query.items()}, form, self.client_address[0])
        emu._log("POST", path, status, None, [])
        self._send(status, page.encode("utf-8"), "text/html; charset=utf-8")

    def _auth(self, key: str) -> ApiProblem | None:
        header = self.headers.get("Authorization") or ""
        scheme, _, value = header.partition(" ")
        given = None
        if scheme.lower() == "basic":
            try:
                given = base64.b64decode(value.strip()).decode("utf-8").partition(":")[2]
            except (binascii.Error, UnicodeDecodeError):
                given = ""
        elif scheme.lower() in ("bearer", "apikey"):
            given = value.strip()
        if not given:
            return ApiProblem(401, "API Key Missing", "Your request did not include an API key.")
        if not hmac.compare_digest(given.encode(), key.encode()):
            return ApiProblem(401, "API Key Invalid",
                              "Your API key may be invalid, or you've attempted to access the wrong datacenter.")
        return None

    def _fault(self, kind: str) -> None:
        if kind == "drop":
            self.close_connection = True
            self.connection.close()  # no status line at all: the client sees a dropped connection
            return
        if kind in FAULT_PROBLEMS:
            self._problem(ApiProblem(*FAULT_PROBLEMS[kind]))
            return
        if kind == "502-html":  # what a proxy in front of the API answers, not Mailchimp's problem document
            self._send(502, BAD_GATEWAY_PAGE, "text/html")
            return
        self.send_response(int(kind.split("-")[0]))  # 429, 403 or 500 with an empty body
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _problem(self, problem: ApiProblem) -> None:
        self._send(problem.status, problem.document())

    def _send(self, status: int, doc: Any, content_type: str | None = None) -> None:
        if isinstance(doc, bytes):
            data = doc
        elif doc is None:
            data = b""
        else:
            data = json.dumps(doc).encode("utf-8")
            if content_type is None:
                content_type = PROBLEM_TYPE if status >= 400 and isinstance(doc, dict) and "type" in doc else "application/json"
        self.send_response(status)
        if data:
            self.send_header("Content-Type", content_type or "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
