"""The pipeline-tier tests of tests/unit/test_survey.py (see tests/README.md for the tiers)."""

from __future__ import annotations

import pytest


def test_build_warns_or_fails_on_a_published_figure_that_differs(data_dir, tmp_path):
    import yaml

    from healthcheck.errors import BuildError
    from healthcheck.pipeline.stages import build_book

    (data_dir / "2022" / "published.csv").write_text("question_id,pct_positive,source\nWEL01,90,report\n", encoding="utf-8")
    settings = yaml.safe_load((data_dir / "settings.yml").read_text(encoding="utf-8"))
    settings["reconciliation"] = "fail"
    (data_dir / "settings.yml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    with pytest.raises(BuildError, match=r"WEL01.*90% was published"):
        build_book(2022, data_dir=data_dir, build_root=tmp_path / "build", progress=False)
    assert not (tmp_path / "build" / "2022").exists()
