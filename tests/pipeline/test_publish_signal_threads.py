"""Ctrl+C during publish waits for the swap even when another thread receives the signal.

A signal sent to the process goes to any thread that does not block it: a build has others
(chapter pools, the printer's reader, the preview's server). Python then runs its handler in
the main thread at once, so blocking SIGINT in the main thread alone let a Ctrl+C stop publish
between its two renames: the year had no book, and the message said none had been published.
Here a helper thread that does not block signals is running, as in a real build, and SIGINT
is sent at that very instant.
"""

from __future__ import annotations

import os
import signal
import threading

import pytest

from healthcheck.pipeline import staging

# Sends Ctrl+C to this pytest process (tests/conftest.py orders these tests before the book tier).
pytestmark = [pytest.mark.pipeline, pytest.mark.ctrl_c_in_process]


def _book(folder, text):
    (folder / "html").mkdir(parents=True)
    (folder / "html" / "index.html").write_text(text, encoding="utf-8")
    (folder / "build-info.json").write_text("{}", encoding="utf-8")
    return folder


@pytest.mark.parametrize("moment", ["journal-written", "old-moved", "new-moved"])
def test_ctrl_c_delivered_to_another_thread_waits_for_the_swap(tmp_path, monkeypatch, moment):
    final = _book(tmp_path / "2022", "old")
    out = _book(tmp_path / ".staging-2022-x" / "out", "new")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)  # started before publish: signals not blocked
    other.start()

    def hook(name):
        if name == moment:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(staging, "USE_EXCHANGE", False)  # the two renames, the way with a gap
    monkeypatch.setattr(staging, "STEP_HOOK", hook)
    try:
        with pytest.raises(KeyboardInterrupt):
            staging.publish(out, final, 2022)
    finally:
        stop.set()
        other.join()
    # The Ctrl+C came after the swap: the new book is the year's, whole, and no journal is left.
    assert (final / "html" / "index.html").read_text(encoding="utf-8") == "new"
    assert not staging.journal_path(tmp_path, 2022).exists()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handlers as they were
