"""The example project built and served over HTTP at its published sub-path, as GitHub Pages would serve it."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from welcome_gen.cli import main


class SiteServer:
    """The built site over HTTP at its published sub-path, answering unknown addresses with its 404.html as GitHub
    Pages does; `url` is the site's home."""

    def __init__(self, public: Path, base_path: str):
        self.public, self.base_path = public, base_path.rstrip("/") + "/"
        handler = functools.partial(_Handler, directory=str(public), base_path=self.base_path, public=public)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}{self.base_path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(SimpleHTTPRequestHandler):
    def __init__(self, *args, base_path: str, public: Path, **kwargs):
        self.base_path, self.public = base_path, public
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        pass

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        inside = path[len(self.base_path) - 1:] if path.startswith(self.base_path) else "/.outside-the-site/"
        return super().translate_path(inside)

    def send_error(self, code, message=None, explain=None) -> None:
        page = self.public / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def build_and_serve(root: Path) -> SiteServer:
    assert main(["build", str(root), "--quiet"]) == 0
    url = yaml.safe_load((root / "welcome.yaml").read_text(encoding="utf-8"))["site"]["url"]
    return SiteServer(root / "public", urlsplit(url).path or "/")
