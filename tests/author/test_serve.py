"""`welcome-gen serve`: the built site over HTTP, rebuilt on save, open pages told to reload, errors shown in place."""

from __future__ import annotations

import http.client
import os
import select
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from welcome_gen.cli import main
from welcome_gen.errors import UsageError
from welcome_gen.serve import DevServer


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    assert main(["init", str(root), "--name", "Hazel Pottery"]) == 0
    return root


@pytest.fixture
def server(project: Path):
    with DevServer(project, port=0) as running:
        yield running


def get(server: DevServer, path: str) -> tuple[int, str, str]:
    """(status, content type, body) of one request."""
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type", ""), resp.read().decode("utf-8")
    finally:
        conn.close()


class ReloadListener:
    """What an open page's EventSource sees on the reload channel."""

    def __init__(self, server: DevServer):
        parts = urlsplit(server.url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.conn.request("GET", "/_reload", headers={"Accept": "text/event-stream"})
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200
        assert self.resp.getheader("Content-Type") == "text/event-stream"

    def next_build(self) -> str:
        """The data of the next `build` event (a socket timeout fails the test rather than hanging it)."""
        event, data = None, None
        while True:
            line = self.resp.readline().decode()
            assert line, "the server closed the reload channel"
            line = line.rstrip("\r\n")
            if line.startswith("event:"):
                event = line.partition(":")[2].strip()
            elif line.startswith("data:"):
                data = line.partition(":")[2].strip()
            elif line == "" and event == "build":
                return data
            elif line == "":
                event, data = None, None

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def listener(server):
    ears = ReloadListener(server)
    yield ears
    ears.close()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_serves_the_built_pages_with_the_reload_script(server):
    status, kind, body = get(server, "/")
    assert status == 200 and kind.startswith("text/html")
    assert "Hazel Pottery" in body
    assert '<script src="/_reload.js"' in body
    status, kind, script = get(server, "/_reload.js")
    assert status == 200 and "javascript" in kind and 'new EventSource("/_reload")' in script
    status, _, about = get(server, "/about/")
    assert status == 200 and "About Hazel Pottery" in about
    assert get(server, "/no-such-page/")[0] == 404


def test_the_site_answers_under_its_published_sub_path_too(server):
    # site.url is https://your-account.github.io/shop/: root-based links (the 404 page's) start with /shop/.
    assert get(server, "/shop/about/")[2] == get(server, "/about/")[2]


def test_email_previews_are_browsable(server):
    status, kind, index = get(server, "/_emails/")
    assert status == 200 and kind.startswith("text/html")
    assert "Welcome to Hazel Pottery" in index


def test_an_edit_rebuilds_and_tells_open_pages_to_reload(server, listener, project):
    first = listener.next_build()
    edit(project / "content" / "about.md", "Say who you are", "We throw pots by hand and say who we are")
    assert listener.next_build() != first
    assert "We throw pots by hand" in get(server, "/about/")[2]


def test_a_broken_file_shows_its_problem_on_every_page_until_fixed(server, listener, project):
    listener.next_build()
    page = project / "content" / "about.md"
    edit(page, "menu: 1", "menu: first")
    listener.next_build()
    for path in ("/", "/about/", "/fit/"):
        status, kind, body = get(server, path)
        assert status == 500 and kind.startswith("text/html")
        assert "content/about.md:6: menu:" in body
        assert '<script src="/_reload.js"' in body  # so the page recovers by itself
    assert server.problems

    edit(page, "menu: first", "menu: 1")
    listener.next_build()
    status, _, body = get(server, "/about/")
    assert status == 200 and "About Hazel Pottery" in body
    assert server.problems == []


def test_a_bad_setting_in_welcome_yaml_is_shown_and_recovers(server, listener, project):
    listener.next_build()
    edit(project / "welcome.yaml", "reply_to: hello@example.com", "reply_to: nobody")
    listener.next_build()
    status, _, body = get(server, "/")
    assert status == 500 and "welcome.yaml:" in body and "business.reply_to" in body
    edit(project / "welcome.yaml", "reply_to: nobody", "reply_to: hello@example.com")
    listener.next_build()
    assert get(server, "/")[0] == 200


def test_drafts_are_served_and_marked(project):
    edit(project / "content" / "newsletter" / "first-letter.md", "draft: false", "draft: true")
    with DevServer(project, port=0) as server:
        status, _, body = get(server, "/newsletter/first-letter/")
        assert status == 200 and "A first letter" in body
        assert 'class="draft-note"' in body
        assert 'class="draft-note"' not in get(server, "/about/")[2]


def test_public_folder_is_left_alone(server, project):
    assert not (project / "public").exists()


def test_ctrl_c_stops_the_server_cleanly(project):
    code = "import sys; from welcome_gen.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen([sys.executable, "-c", code, "serve", "--port", "0", str(project)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "WELCOME_GEN_QUIET": "1"})
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, "serve printed nothing"
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line, line + proc.stderr.read()
        url = line.split(" at ")[1].split()[0]
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        conn.request("GET", "/")
        assert conn.getresponse().status == 200
        conn.close()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_a_port_in_use_is_a_one_line_usage_error(server, project):
    port = urlsplit(server.url).port
    with pytest.raises(UsageError, match=f"port {port} is already in use"):
        DevServer(project, port=port)


def test_a_broken_page_template_leaves_the_email_previews_browsable(project):
    (project / "templates" / "site").mkdir()  # before serving, so the save below is the only change
    with DevServer(project, port=0) as server:
        listener = ReloadListener(server)
        listener.next_build()
        (project / "templates" / "site" / "page.html").write_text("{% block %}", encoding="utf-8")
        listener.next_build()
        listener.close()
        status, _, body = get(server, "/about/")
        assert status == 500 and "templates/site/page.html:1" in body
        status, _, index = get(server, "/_emails/")
        assert status == 200 and "Welcome to Hazel Pottery" in index


def test_previews_that_cannot_be_made_show_the_problem_instead(server, listener, project):
    listener.next_build()
    edit(project / "sequences" / "welcome.yaml", "body: welcome/hello.md", "body: welcome/missing.md")
    listener.next_build()
    status, _, body = get(server, "/_emails/")
    assert status == 500 and "sequences/welcome.yaml:" in body and "missing.md" in body


def test_a_link_out_of_the_project_is_shown_as_a_problem_and_never_served(project, tmp_path):
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("not for the web\n")
    (project / "static").mkdir()
    (project / "static" / "secret.txt").symlink_to(secret)
    with DevServer(project, port=0) as server:
        status, _, body = get(server, "/")
        assert status == 500
        assert "static/secret.txt: is a symbolic link to" in body and "which leads outside the project" in body
        for path in ("/secret.txt", "/static/secret.txt"):
            status, _, body = get(server, path)
            assert "not for the web" not in body
