"""A private note never reaches a published file, whatever the narrative's encoding (issue 25).

One small council's book is built with the real chapters, its narrative files saved as
editors save them: UTF-8 with a byte-order mark, Notepad's "Unicode" (UTF-16) and "ANSI"
(Windows-1252), with no-break spaces, zero-width characters or a full-width percent sign
before a note's "%". Every file the build publishes (the website, the PDF, the auditors'
pages, the downloads, the manifest) is then searched for the notes' marker, while each
file's visible prose is there (so the search would have seen a note had it leaked).
"""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import BANK, pdf_text, respondent_rows, tree_hashes, write_year

MARK = "PRIVATENOTE"
# narrative file -> (encoding, what stands before the note's "%")
FILES = {
    "summary.md": ("utf-8-sig", "\u00a0"),
    "introduction.md": ("utf-16", ""),
    "conclusions.md": ("cp1252", " "),
    "themes/improvement.md": ("utf-8", "\u200b\u2060"),
    "themes/wellbeing.md": ("utf-8-sig", "\u3000\uff05"),
}


def _narrative(name: str, before: str) -> str:
    slug = name.replace("/", "-").removesuffix(".md")
    percent = "" if before.endswith("\uff05") else "%"
    return "\n".join(
        [
            f"{before}{percent} {MARK} {slug} first line: never to be published",
            "",
            "## What the findings show",
            "",
            f"\u00a0% {MARK} {slug} under a heading",
            f"VISIBLE {slug}: agreement was {{pct}}`IMP01`; caf\u00e9 \u00a3 \u2018quoted\u2019.",
            f"{before}{percent} {MARK} {slug} inside a paragraph",
            "More prose after the note.",
            "",
        ]
    )


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    from healthcheck.pipeline.stages import build_book

    data = tmp_path_factory.mktemp("notes") / "data"
    data.mkdir()
    (data / "settings.yml").write_text(
        yaml.safe_dump({"organisation": "Test Council", "suppression_threshold": 10}), encoding="utf-8"
    )
    (data / "question_bank.yml").write_text(yaml.safe_dump(BANK, sort_keys=False), encoding="utf-8")
    labels = ["Strongly agree", "Agree", "Agree", "Neutral", "Disagree", "Don't know", "", "Strongly Disagree"] * 5
    answers = {"I understand the priorities": labels, "I get regular, reflective supervision": labels}
    write_year(data, 2022, respondent_rows(2022, answers | {"My workload is manageable": labels}, ["Team A", "Team B"]))
    folder = data / "2022" / "narrative"
    for name, (encoding, before) in FILES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_narrative(name, before).encode(encoding))
    before = tree_hashes(data)
    root = tmp_path_factory.mktemp("build")
    build_book(2022, data_dir=data, build_root=root, force=True, progress=False)
    return data, root / "2022", before


def test_no_private_note_reaches_any_published_file(book):
    data, out, before = book
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.suffix == ".pdf" for p in files) and any(p.suffix == ".html" for p in files)
    leaked = []
    for path in files:
        raw = path.read_bytes()
        text = pdf_text(path) if path.suffix == ".pdf" else raw.decode("utf-8", "replace")
        if MARK in text or MARK.encode("utf-16-le") in raw:
            leaked.append(str(path.relative_to(out)))
    assert leaked == []
    assert tree_hashes(data) == before  # no input file changed


def test_the_visible_prose_of_every_file_is_published_decoded(book):
    _, out, _ = book
    html = " ".join(p.read_text(encoding="utf-8") for p in (out / "html").rglob("*.html"))
    pdf = " ".join(pdf_text(p) for p in (out / "pdf").glob("*.pdf"))
    for name in FILES:
        slug = name.replace("/", "-").removesuffix(".md")
        assert f"VISIBLE {slug}" in html, name
        assert f"VISIBLE {slug}" in pdf, name
    assert "caf\u00e9 \u00a3 \u2018quoted\u2019" in html  # Windows-1252 and UTF-16 read, not garbled
