"""Attack: under a memory limit the PDF stage says so, instead of blaming a missing Chromium (issue 25).

Chromium and Playwright's Node.js driver reserve much address space when they start; under
``ulimit -v`` they die at once. The PDF stage runs here in a real subprocess with the limit
set, printing a real page with Debian's Chromium: the message must name the memory limit and
must not tell the analyst to install Chromium (it is installed). The same page prints without
the limit, so the limit is what the message is about.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from healthcheck import paths

SCRIPT = textwrap.dedent(
    """
    import resource, sys
    from pathlib import Path
    limit = int(sys.argv[3]) * 2**20
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from healthcheck.errors import HealthcheckError
    from healthcheck.pipeline.pdf import printing as pdf
    page = Path(sys.argv[1])
    title = pdf.TitlePage(organisation="Test Council", title="Health Check", year=2022, service="Social work",
                          notice="Synthetic data.")
    try:
        pdf.print_pdf(page, Path(sys.argv[2]), title, epoch=0, timeout_s=60)
    except HealthcheckError as exc:
        print("REFUSED:", exc)
        sys.exit(1)
    print("PRINTED")
    """
)


def _print_under(limit_mib: int, tmp_path) -> subprocess.CompletedProcess:
    page = tmp_path / "page.html"
    page.write_text("<!DOCTYPE html><html lang='en'><head><title>t</title></head><body><h1>Results</h1></body></html>")
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, str(page), str(tmp_path / "out.pdf"), str(limit_mib)],
        cwd=paths.ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_without_a_limit_the_page_prints(tmp_path):
    done = _print_under(0, tmp_path)
    assert "PRINTED" in done.stdout, done.stdout + done.stderr
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("limit_mib", [1024, 3072])  # the driver dies first at 1 GiB, Chromium itself at 3 GiB
def test_under_a_memory_limit_the_message_names_the_limit_not_a_missing_chromium(tmp_path, limit_mib):
    done = _print_under(limit_mib, tmp_path)
    said = done.stdout
    assert done.returncode == 1 and "REFUSED:" in said, said + done.stderr[-2000:]
    assert "memory limit" in said and "ulimit -v" in said, said
    assert "not found" not in said and "apt-get install" not in said and "Install it" not in said, said
    assert not (tmp_path / "out.pdf").exists()
