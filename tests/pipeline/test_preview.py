"""The live preview: served on this machine, rebuilt when a narrative file is saved, the page told
to reload; a data error is shown and the last good pages kept. No time is asserted (see benchmarks/)."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request

from healthcheck.pipeline.preview import STATUS_PATH, Preview, serve, watch


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, token: str = "") -> bytes:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"X-Preview-Token": token})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def _wait_for_version(port: int, after: int, token: str, limit: float = 240) -> dict:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        status = json.loads(_get(port, STATUS_PATH, token))
        if status["version"] > after:
            return status
        time.sleep(0.2)
    raise AssertionError(f"the preview did not rebuild within {limit} s")


def test_saving_a_narrative_file_rebuilds_the_page_and_a_data_error_keeps_the_last_pages(data_dir, tmp_path):
    preview = Preview(2022, data_dir=data_dir, build_root=tmp_path / "build")
    preview.build(log=lambda *_: None)
    assert not preview.error, preview.error
    port = _free_port()
    server = serve(preview, port)
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(preview, stop), kwargs={"log": lambda *_: None}, daemon=True)
    watcher.start()
    try:
        page = _get(port, "/chapters/summary.html")
        assert STATUS_PATH.encode() in page  # every page asks for the build number
        before = json.loads(_get(port, STATUS_PATH, server.token))["version"]
        time.sleep(0.5)  # the watcher is listening

        (data_dir / "2022" / "narrative").mkdir(parents=True, exist_ok=True)
        (data_dir / "2022" / "narrative" / "summary.md").write_text(
            "## Key findings\n\nWrote this while the preview was running: {fact}`respondents` took part.\n", encoding="utf-8"
        )
        status = _wait_for_version(port, before, server.token)
        assert status["error"] == ""
        page = _get(port, "/chapters/summary.html").decode()
        assert "Wrote this while the preview was running: 40 took part." in page

        # A mistake in the data: the message is served, the last good page stays.
        (data_dir / "settings.yml").write_text("organisation: [unclosed\n", encoding="utf-8")
        status = _wait_for_version(port, status["version"], server.token)
        assert "settings.yml" in status["error"]
        assert "Wrote this while the preview was running" in _get(port, "/chapters/summary.html").decode()
    finally:
        stop.set()
        server.shutdown()
        watcher.join(timeout=10)


def test_the_preview_command_serves_the_book_and_stops_cleanly_on_ctrl_c(data_dir, tmp_path):
    """`healthcheck preview` as the analyst runs it: it says where to look, serves the pages there,
    and Ctrl+C ends it with no traceback -- also when it was started with Ctrl+C ignored, as a
    script's shell starts a command in the background."""
    import re
    import signal
    import subprocess
    import sys

    command = [sys.executable, "-m", "healthcheck", "preview", "--year", "2022", "--data-dir", str(data_dir)]
    command += ["--build-dir", str(tmp_path / "build"), "--port", "0"]
    ignoring_ctrl_c = lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)  # noqa: E731 - in the child, before exec
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=ignoring_ctrl_c)
    try:
        lines = []
        for line in process.stdout:  # blocks until the first build is served (or the command ends)
            lines.append(line)
            if found := re.search(r"http://127\.0\.0\.1:(\d+)/", line):
                break
        assert found, "".join(lines) + process.stderr.read()
        page = _get(int(found.group(1)), "/chapters/summary.html")
        assert b"Summary" in page and STATUS_PATH.encode() in page
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Preview stopped." in out
    assert "Traceback" not in err
