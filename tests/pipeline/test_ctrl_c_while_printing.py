"""Ctrl+C at the terminal while the PDF prints: the whole process group gets SIGINT, Chromium
and Playwright's driver included. They died first, the print failed ("Connection closed while
reading from the driver"), and the build said the PDF had failed (exit 1) or stopped on an
internal error (exit 2), instead of that it was interrupted (exit 130, the last good book kept).
The demonstration book: a toy book prints too quickly for a Ctrl+C to land in its print."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from healthcheck import paths


def test_ctrl_c_while_the_pdf_prints_says_interrupted(tmp_path):
    argv = ["build", "--year", "2022", "--build-dir", str(tmp_path / "build"), "--force"]
    # its own session, as a terminal's foreground job: Ctrl+C goes to every process in it
    build = subprocess.Popen(
        [sys.executable, "-m", "healthcheck", *argv], cwd=paths.ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(build.stdout), daemon=True)
    reader.start()
    deadline = time.monotonic() + 600
    while not any("printing the PDF" in line for line in lines):
        assert build.poll() is None and time.monotonic() < deadline, "".join(lines)
        time.sleep(0.05)
    time.sleep(1.0)  # Chromium is loading or printing the page (about 5 s for this book)
    os.killpg(build.pid, signal.SIGINT)  # Ctrl+C at the terminal
    build.wait(timeout=120)
    reader.join(timeout=10)
    said = "".join(line for line in lines if not line.startswith("[healthcheck]"))
    assert build.returncode == 130, said
    assert said.startswith("Interrupted"), said
    assert "PDF failed" not in said and "internal error" not in said and "Exception" not in said, said
    assert not (tmp_path / "build" / "2022").exists()  # nothing published
