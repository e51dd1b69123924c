"""The unit-tier tests of tests/book/test_manifest.py (see tests/README.md for the tiers)."""

from __future__ import annotations

from healthcheck.audit import manifest


def test_compare_names_commit_and_package_differences():
    old = {
        "outputs": {"a.svg": "1"},
        "headline_numbers": {},
        "inputs": {"x.csv": "1"},
        "environment": {"python": "3.11", "packages": {"numpy": "2.0"}},
        "code": {"commit": "aaa"},
    }
    new = {
        "outputs": {"a.svg": "2"},
        "headline_numbers": {},
        "inputs": {"x.csv": "1"},
        "environment": {"python": "3.11", "packages": {"numpy": "2.1"}},
        "code": {"commit": "bbb", "dirty": False},
    }
    mismatches, causes = manifest.compare(old, new)
    assert mismatches == ["outputs: a.svg differs"]
    assert "package version differs: numpy 2.0 in the manifest, 2.1 now" in causes
    assert "code differs: manifest built from commit aaa, now bbb" in causes
