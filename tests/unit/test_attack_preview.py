"""Attack: the preview is readable only by the analyst (issue 25).

A web page on another site can point its own name at 127.0.0.1 (DNS rebinding) and then read
whatever answers there. Real HTTP requests to a real preview server on 127.0.0.1 show that
only requests naming this machine and the server's port in ``Host`` are answered, and that
the build's status and the rebuild endpoint need the token that only the served pages carry.
"""

from __future__ import annotations

import http.client
import json
import re
import time

import pytest

from healthcheck.pipeline.preview import REBUILD_PATH, STATUS_PATH, TOKEN_HEADER, Preview, allowed_host, serve

SECRET = "Team A said something only the analyst may read"


@pytest.fixture
def server(tmp_path):
    """A preview of an empty data folder (a rebuild fails fast, with a message) serving a page
    and a download; yields (server, port, preview)."""
    data = tmp_path / "data"
    data.mkdir()
    preview = Preview(2022, data_dir=data, build_root=tmp_path / "build")
    (preview.html_dir / "downloads").mkdir(parents=True)
    (preview.html_dir / "index.html").write_text(f"<html><body><p>{SECRET}</p></body></html>", encoding="utf-8")
    (preview.html_dir / "downloads" / "figures.csv").write_text(f"quote\n{SECRET}\n", encoding="utf-8")
    srv = serve(preview, 0, log=lambda *_: None)
    try:
        yield srv, srv.server_address[1], preview
    finally:
        srv.shutdown()
        srv.server_close()


def _request(port: int, method: str, path: str, host: str | None, headers: dict | None = None):
    """One request with exactly the Host header given (None: no Host header at all)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    if host is not None:
        conn.putheader("Host", host)
    for key, value in (headers or {}).items():
        conn.putheader(key, value)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def _token(port: int) -> str:
    status, page = _request(port, "GET", "/", f"127.0.0.1:{port}")
    assert status == 200
    found = re.search(rb'token = "([A-Za-z0-9_-]{20,})"', page)
    assert found, "the served page carries no token"
    return found.group(1).decode()


@pytest.mark.parametrize(
    "host",
    ["attacker.example:{port}", "attacker.example", "localhost.attacker.example:{port}", "127.0.0.1.nip.io:{port}",
     "localhost:{other}", "127.0.0.1", "", None],
)  # fmt: skip
def test_a_request_naming_another_host_reads_nothing(server, host):
    _, port, _ = server
    host = None if host is None else host.format(port=port, other=port + 1)
    for method, path in [("GET", "/"), ("GET", "/index.html"), ("GET", "/downloads/figures.csv"), ("HEAD", "/"),
                         ("GET", STATUS_PATH)]:  # fmt: skip
        status, body = _request(port, method, path, host)
        assert status == 421, f"{method} {path} with Host {host!r} answered {status}"
        assert SECRET.encode() not in body


@pytest.mark.parametrize("host", ["localhost:{port}", "127.0.0.1:{port}", "[::1]:{port}", "LOCALHOST:{port}"])
def test_the_analysts_own_browser_is_answered(server, host):
    _, port, _ = server
    status, body = _request(port, "GET", "/", host.format(port=port))
    assert status == 200 and SECRET.encode() in body
    status, body = _request(port, "GET", "/downloads/figures.csv", host.format(port=port))
    assert status == 200 and SECRET.encode() in body


def test_status_and_rebuild_need_the_pages_token(server):
    srv, port, preview = server
    here = f"127.0.0.1:{port}"
    token = _token(port)
    assert token == srv.token
    for headers in ({}, {TOKEN_HEADER: "guess"}, {TOKEN_HEADER: token[:-1]}):
        assert _request(port, "GET", STATUS_PATH, here, headers)[0] == 403
        assert _request(port, "POST", REBUILD_PATH, here, headers)[0] == 403
    # The right token from another host is still refused: rebinding cannot borrow it.
    assert _request(port, "POST", REBUILD_PATH, f"attacker.example:{port}", {TOKEN_HEADER: token})[0] == 421
    assert preview.version == 0, "a refused request started a rebuild"

    status, body = _request(port, "GET", STATUS_PATH, here, {TOKEN_HEADER: token})
    assert status == 200 and json.loads(body)["version"] == 0
    status, _ = _request(port, "POST", REBUILD_PATH, here, {TOKEN_HEADER: token})
    assert status == 202
    deadline = time.monotonic() + 60
    while preview.version == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    status, body = _request(port, "GET", STATUS_PATH, here, {TOKEN_HEADER: token})
    assert json.loads(body)["version"] == 1, "the rebuild asked for with the token did not run"
    assert json.loads(body)["error"], "an empty data folder should give the rebuild a message"


def test_each_preview_has_its_own_token(tmp_path):
    preview = Preview(2022, data_dir=tmp_path, build_root=tmp_path / "build")
    preview.html_dir.mkdir(parents=True)
    first, second = serve(preview, 0), serve(preview, 0)
    try:
        assert first.token != second.token and len(first.token) >= 32
    finally:
        for srv in (first, second):
            srv.shutdown()
            srv.server_close()


def test_the_host_rule():
    assert allowed_host("localhost:8000", 8000) and allowed_host("[::1]:8000", 8000)
    assert not allowed_host("localhost:8001", 8000) and not allowed_host("evil.example:8000", 8000)
    assert not allowed_host(None, 8000) and not allowed_host("localhost", 8000)
    assert allowed_host("localhost", 80)


def test_it_listens_on_the_loopback_address_only(server):
    srv, _, _ = server
    assert srv.server_address[0] == "127.0.0.1"
