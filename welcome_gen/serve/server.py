"""`welcome-gen serve`: build into a temporary folder, serve it on 127.0.0.1, rebuild and reload on every save.

The author's `public/` is never touched. Drafts are built (and marked by the theme). A build that fails keeps the
server up: every page answers with the problems, each as `path:line: message`, until a save fixes them.
"""

from __future__ import annotations

import errno
import html
import shutil
import tempfile
import threading
import time
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import watchfiles

from ..build import BuildFailed, Options, Targets, build
from ..errors import UsageError, WelcomeGenError
from ..project.load import CONFIG_FILE
from ..reporter import NullReporter, Reporter
from ..site.urls import Urls
from .livereload import EVENTS_PATH, SCRIPT, SCRIPT_PATH, ReloadChannel, script_tag

EMAILS_PATH = "/_emails"
WATCHED_DIRS = ("content", "templates", "sequences")


class DevServer:
    """The serve loop as an object: `start()`, `stop()`, usable in a `with` block; port 0 picks a free port."""

    def __init__(self, root: Path | str, port: int = 8000, host: str = "127.0.0.1",
                 reporter: Reporter | None = None):
        self.root = Path(root).resolve()
        self.reporter = reporter or NullReporter()
        self.channel = ReloadChannel()
        self.problems: list[str] = []  # of the last build; empty when it succeeded
        self.builds = 0
        self.emails_current = False  # the previews match the files as they are now
        self._base = "/"  # the site's sub-path (from site.url), also served, for root-based links
        self._out = Path(tempfile.mkdtemp(prefix="welcome-gen-serve-"))
        self.site_dir, self.emails_dir = self._out / "site", self._out / "emails"
        self.targets = Targets(self.site_dir, self.emails_dir, self._out / "journeys")
        self._stop = threading.Event()
        self._watching = threading.Event()
        self._threads: list[threading.Thread] = []
        try:
            self._http = ThreadingHTTPServer((host, port), partial(_Handler, self))
        except OSError as exc:
            shutil.rmtree(self._out, ignore_errors=True)
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(f"port {port} is already in use on {host}: stop the other server or pass --port") from None
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None

    @property
    def url(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> "DevServer":
        """Build once, then serve and watch in background threads; returns when the watcher is listening."""
        self.rebuild(None)
        # A short poll interval only makes stop() prompt; requests are answered at once regardless.
        for target in (partial(self._http.serve_forever, poll_interval=0.1), self._watch):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        # Edits made before the watcher is listening would be missed; wait for it (it says so within a second).
        self._watching.wait(timeout=30)
        return self

    def wait(self) -> None:
        """Block until `stop()` (or Ctrl-C in the calling thread)."""
        while not self._stop.wait(timeout=0.5):
            pass

    def stop(self) -> None:
        self._stop.set()
        self.channel.close()
        if self._threads:  # shutdown() waits for serve_forever, which only runs once started
            self._http.shutdown()
        self._http.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        shutil.rmtree(self._out, ignore_errors=True)

    def __enter__(self) -> "DevServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- building ---------------------------------------------------------------------------------

    def rebuild(self, changed: set[Path] | None = None) -> bool:
        """Build the site, emails and journeys into the temporary folder, as `build` does, drafts included."""
        started = time.perf_counter()
        problems: list[str] = []
        try:
            built = build(self.root, self.targets, Options(drafts=True, live_reload=SCRIPT_PATH))
            self._base = Urls(built.site_url).base
            self.emails_current = True
        except BuildFailed as exc:
            problems = [str(p) for p in exc.problems]
            # A broken page must not hide the email previews, when the last good ones still match the sources.
            self.emails_current = "emails" in exc.unaffected
        except WelcomeGenError as exc:
            problems, self.emails_current = [str(exc)], False
        except Exception as exc:  # a bug must not take the server down while the author is working
            problems, self.emails_current = [f"internal error in build: {type(exc).__name__}: {exc}"], False
        self.problems = problems
        self.builds += 1
        if problems:
            self.reporter.note(f"build failed ({len(problems)} problem(s)); the pages show them until fixed:")
            for line in problems:
                self.reporter.note(f"  {line}")
        else:
            self.reporter.note(f"built in {(time.perf_counter() - started) * 1000:.0f} ms: {built.written} "
                               f"file(s) written, {built.unchanged} unchanged")
        self.channel.announce()
        return not problems

    def _relevant(self, change: watchfiles.Change, path: str) -> bool:
        if not _DEFAULT_FILTER(change, path):
            return False
        try:
            parts = Path(path).relative_to(self.root).parts
        except ValueError:
            return False
        return bool(parts) and (parts[0] in WATCHED_DIRS or parts == (CONFIG_FILE,))

    def _watch(self) -> None:
        # yield_on_timeout gives an empty batch once the watcher is set up: that is the "listening" signal.
        for changes in watchfiles.watch(self.root, watch_filter=self._relevant, stop_event=self._stop,
                                        rust_timeout=200, yield_on_timeout=True, raise_interrupt=False):
            self._watching.set()
            if changes and not self._stop.is_set():
                self.rebuild({Path(p) for _, p in changes})

    # -- serving ----------------------------------------------------------------------------------

    def locate(self, url_path: str) -> tuple[Path, str]:
        """The folder and the path inside it that answer a request path."""
        if _is_email(url_path):
            return self.emails_dir, url_path[len(EMAILS_PATH):] or "/"
        if self._base != "/" and url_path.startswith(self._base):
            return self.site_dir, url_path[len(self._base) - 1:]
        return self.site_dir, url_path

    def error_page(self) -> bytes:
        items = "\n".join(f"<li><code>{html.escape(p)}</code></li>" for p in self.problems)
        return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Build failed · welcome-gen serve</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}}
h1{{color:#a4161a}}li{{margin:.4rem 0}}code{{background:#fbe9e9;padding:.1rem .3rem;white-space:pre-wrap}}</style>
</head><body><h1>The site could not be built</h1>
<p>Fix {"this problem" if len(self.problems) == 1 else f"these {len(self.problems)} problems"} and save: \
this page reloads by itself.</p>
<ul>
{items}
</ul>
{script_tag()}
</body></html>
""".encode()


_DEFAULT_FILTER = watchfiles.DefaultFilter()


class _Handler(SimpleHTTPRequestHandler):
    """Static files from the build, the reload channel, and the error page while the build is broken."""

    def __init__(self, server_state: DevServer, *args, **kwargs):
        self.dev = server_state
        super().__init__(*args, directory=str(server_state.site_dir), **kwargs)

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == EVENTS_PATH:
            return self._events()
        if path == SCRIPT_PATH:
            return self._send(HTTPStatus.OK, SCRIPT.encode(), "text/javascript; charset=utf-8")
        if self.dev.problems and _is_page(path) and not (_is_email(path) and self.dev.emails_current):
            return self._send(HTTPStatus.INTERNAL_SERVER_ERROR, self.dev.error_page(), "text/html; charset=utf-8")
        super().do_GET()

    def translate_path(self, path: str) -> str:
        folder, inside = self.dev.locate(unquote(urlsplit(path).path))
        self.directory = str(folder)
        return super().translate_path(inside)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        not_found = self.dev.site_dir / "404.html"
        if code == HTTPStatus.NOT_FOUND and not_found.is_file() and self.command == "GET":
            return self._send(HTTPStatus.NOT_FOUND, not_found.read_bytes(), "text/html; charset=utf-8")
        super().send_error(code, message, explain)

    def end_headers(self) -> None:
        # Every answer is fresh: the author just saved.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:
        pass  # the terminal shows builds, not every request

    def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self.close_connection = True

        def write(data: bytes) -> None:
            self.wfile.write(data)
            self.wfile.flush()

        self.dev.channel.stream(write)


def _is_email(path: str) -> bool:
    return path == EMAILS_PATH or path.startswith(EMAILS_PATH + "/")


def _is_page(path: str) -> bool:
    suffix = PurePosixPath(path).suffix
    return path.endswith("/") or suffix in ("", ".html")
