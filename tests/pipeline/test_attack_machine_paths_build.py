"""The pipeline-tier tests of tests/unit/test_attack_machine_paths.py (see tests/README.md for the tiers)."""

from __future__ import annotations

import json

from healthcheck import paths
from tests.support.hostile_council import write_council
from tests.unit.test_attack_machine_paths import TOY


def test_a_book_built_in_a_temporary_folder_names_it_nowhere(tmp_path):
    from healthcheck.pipeline.stages import build_book

    data = write_council(tmp_path / "data")
    result = build_book(2022, data_dir=data, build_root=tmp_path / "build", chapters_dir=TOY, toc_path=TOY / "_toc.yml",
                        jobs=2, force=True, progress=False)  # fmt: skip
    needles = [str(tmp_path).encode(), str(tmp_path.resolve()).encode(), str(paths.ROOT).encode()]
    published = sorted(p for p in result.out_dir.rglob("*") if p.is_file())
    assert any(p.name == "manifest.json" for p in published) and any(p.suffix == ".ipynb" for p in published)
    named = [str(p.relative_to(result.out_dir)) for p in published if any(n in p.read_bytes() for n in needles)]
    assert named == [], f"files naming the build machine's folders: {named}"
    manifest = json.loads((result.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert {c["data_dir"] for c in manifest["chapters"].values()} == {"data"}
