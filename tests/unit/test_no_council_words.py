"""The package and the chapters hold nothing true of one council: its words come from its data."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import yaml

from healthcheck import paths

ROOT = paths.ROOT
# Programme and partner names of the demonstration council that its data may mention.
PROGRAMMES = ["Families Count", "Essentials", "child protection chairs", "Gloucester"]


def demonstration_words() -> set[str]:
    """The demonstration council's own words: its name, theme titles and headings, and its places."""
    data = ROOT / "data"
    settings = yaml.safe_load((data / "settings.yml").read_text(encoding="utf-8"))
    bank = yaml.safe_load((data / "question_bank.yml").read_text(encoding="utf-8"))
    words = {settings["organisation"], *PROGRAMMES}
    for theme in bank["themes"].values():
        words.add(theme["title"])
        words.update(h["heading"] for h in theme.get("highlights", []))
    survey = yaml.safe_load((data / "2022" / "survey.yml").read_text(encoding="utf-8"))
    frame = pd.read_csv(data / "2022" / survey["export"], dtype=str, encoding="utf-8-sig")
    for role in ("team", "locality"):  # team and locality names are the council's places
        words.update(frame[survey["columns"][role]].dropna().unique())
    return {w for w in words if len(w) > 3}


def code_and_chapters() -> list[Path]:
    files = list((ROOT / "healthcheck").rglob("*.py")) + list((ROOT / "chapters").glob("*.ipynb"))
    files += [p for p in (ROOT / "book").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return files + [ROOT / "_config.yml", ROOT / "_toc.yml"]


def test_the_word_list_is_real():
    words = demonstration_words()
    # the check is only as good as its list: it must hold the name, the themes and the places
    assert "Gloucestershire County Council" in words
    assert "Equality, diversity and inclusion" in words
    assert len(words) > 20


def test_no_file_of_the_package_or_chapters_names_the_demonstration_council():
    words = demonstration_words()
    found = []
    for path in code_and_chapters():
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{path.relative_to(ROOT)}: {w}" for w in words if re.search(r"\b" + re.escape(w) + r"\b", text)]
    assert not found, "council-specific words in code or chapters:\n" + "\n".join(sorted(found))
