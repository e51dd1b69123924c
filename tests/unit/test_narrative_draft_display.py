"""A narrative still at its template (headings and prompts, no prose) shows the draft notice
and nothing else: an empty Markdown display once reached the page as its text form,
"<IPython.core.display.Markdown object>", in a code box wider than a phone (found by the reflow
check on the second council's book, whose narratives are the templates `new-year` writes)."""

from __future__ import annotations

from healthcheck.present import chapter as chapter_module
from healthcheck.present.chapter import Chapter


def test_a_narrative_of_prompts_only_shows_the_draft_notice_and_no_empty_markdown(data_dir, monkeypatch):
    folder = data_dir / "2022" / "narrative"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "summary.md").write_text("## What staff said\n\n% Write two or three sentences here.\n", encoding="utf-8")
    shown = []
    monkeypatch.setattr(chapter_module, "display", lambda *objs, **kw: shown.extend(objs))
    ch = Chapter(2022, data_dir)
    monkeypatch.setattr(ch, "show_notice", lambda title, text, css="": shown.append(("notice", title, css)))
    ch.narrative("summary")
    assert ("notice", "Draft", "hc-draft") in shown
    empty = [o for o in shown if hasattr(o, "data") and not str(o.data).strip()]
    assert not empty, shown
