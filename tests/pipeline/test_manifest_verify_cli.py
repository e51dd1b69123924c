"""The pipeline-tier tests of tests/book/test_manifest.py (see tests/README.md for the tiers)."""

from __future__ import annotations

from tests.book.test_manifest import _verify


def test_verify_without_a_manifest_is_a_plain_error(tmp_path):
    result = _verify("--manifest", str(tmp_path / "nothing.json"))
    assert result.returncode == 1 and "No manifest" in result.stderr and "Traceback" not in result.stderr
