"""The reload channel of `welcome-gen serve`: open pages listen with Server-Sent Events and reload after a build.

Each build gets a token (server instance + build number). On connecting, a page is told the current token; when
a later token arrives it reloads. A page that reconnects to a restarted server sees a new instance and reloads too.
"""

from __future__ import annotations

import secrets
import threading
from typing import Callable

SCRIPT_PATH = "/_reload.js"
EVENTS_PATH = "/_reload"
EVENT = "build"

SCRIPT = f"""// welcome-gen serve: reload this page whenever the site is rebuilt.
(function () {{
  var first = null;
  var events = new EventSource("{EVENTS_PATH}");
  events.addEventListener("{EVENT}", function (message) {{
    if (first === null) {{ first = message.data; }}
    else if (message.data !== first) {{ events.close(); location.reload(); }}
  }});
}})();
"""


def script_tag() -> str:
    """The tag that loads the reload script; what the site build injects into every page in serve mode."""
    return f'<script src="{SCRIPT_PATH}" defer></script>'


class ReloadChannel:
    """Tells every connected page about each new build."""

    def __init__(self, heartbeat: float = 15.0):
        self.heartbeat = heartbeat  # a comment line this often finds clients that went away
        self._instance = secrets.token_hex(4)
        self._builds = 0
        self._closed = False
        self._changed = threading.Condition()

    @property
    def token(self) -> str:
        return f"{self._instance}-{self._builds}"

    def announce(self) -> None:
        """A build finished (well or with problems): every open page should reload."""
        with self._changed:
            self._builds += 1
            self._changed.notify_all()

    def close(self) -> None:
        """Let every stream end, so the server can stop."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def stream(self, write: Callable[[bytes], None]) -> None:
        """Send events to one client until it disconnects (write raises OSError) or the channel closes."""
        # Reconnect fast after a restart; browsers wait 3 s by default.
        sent: int | None = None
        try:
            write(b"retry: 500\n\n")
            while True:
                with self._changed:
                    self._changed.wait_for(lambda: self._closed or self._builds != sent, timeout=self.heartbeat)
                    if self._closed:
                        return
                    builds, token = self._builds, self.token
                if builds != sent:
                    write(f"event: {EVENT}\ndata: {token}\n\n".encode())
                    sent = builds
                else:
                    write(b": still here\n\n")
        except OSError:
            return  # the page was closed or reloaded
