"""The semantic stage on invented stories: a rewrite is linked, a same-event report is not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from copydesk.desk import Desk
from copydesk.model import Article
from copydesk.semantic import SemanticParams, align_sentences, default_embedder, embed_article
from copydesk.semantic.align import agree, anchors
from copydesk.semantic.embed import SentenceVectors

SOURCE = (
    "The Harbourview council approved a 42 million pound plan to rebuild the old ferry "
    "terminal on Tuesday evening.\n\n"
    "Councillors voted 31 to 9 in favour after a debate that lasted more than four hours.\n\n"
    "The scheme, drawn up by the Dunmore Partnership, includes a covered market, a cycle "
    "hub and 120 homes above the waterfront.\n\n"
    "Work is expected to begin next spring and to finish by the end of 2029, the council's "
    "planning office said.\n\n"
    "Opponents of the plan said the terminal should be kept as a working port and warned "
    "that the cost could rise sharply.\n\n"
    "The ferry service to Kelmarsh Island will move to a temporary pier during the works."
)

REWRITE = (
    "On Tuesday evening Harbourview council gave the green light to a 42 million pound "
    "scheme to rebuild the former ferry terminal.\n\n"
    "After a debate lasting over four hours, councillors backed the plan by 31 votes to 9.\n\n"
    "Drawn up by the Dunmore Partnership, the project features a covered market, a cycle "
    "hub and 120 homes overlooking the waterfront.\n\n"
    "The council's planning office said work should start next spring and be completed by "
    "the end of 2029.\n\n"
    "Critics warned the cost could rise sharply and said the terminal should remain a "
    "working port.\n\n"
    "During construction the ferry service to Kelmarsh Island will use a temporary pier."
)

SAME_EVENT = (
    "A packed public gallery watched as Harbourview's ferry terminal plan cleared its last "
    "hurdle.\n\n"
    "Local fisherman Tom Reddy, 58, said he feared the harbour would lose its character and "
    "that rents would climb for families who had lived there for generations.\n\n"
    "Business groups welcomed the vote, saying the market would draw visitors all year.\n\n"
    "The Dunmore Partnership has built similar schemes in three other coastal towns, with "
    "mixed results for local traders.\n\n"
    "Campaigners are considering whether to ask for a judicial review of the decision.\n\n"
    "A spokesperson for the island's residents' association said they would watch the "
    "temporary pier arrangements closely."
)


@pytest.fixture(scope="module")
def embedder():
    return default_embedder()


def test_vectors_round_trip_through_blobs(embedder) -> None:
    sv = embed_article(SOURCE, embedder)
    assert len(sv) == 6
    back = SentenceVectors.from_blobs(*sv.to_blobs())
    assert (back.vectors == sv.vectors).all()
    assert (back.starts == sv.starts).all() and (back.ends == sv.ends).all()
    assert SOURCE[back.starts[0] : back.ends[0]].startswith("The Harbourview council")


def test_anchors_contradict_on_numbers_and_names() -> None:
    a = anchors("Councillors voted 31 to 9 in favour on Tuesday.")
    assert agree(a, anchors("The vote was 31 to 9, councillors said."))
    assert not agree(a, anchors("The vote was 22 to 18, councillors said."))


def test_rewrite_aligns_in_order_and_same_event_does_not(embedder) -> None:
    params = SemanticParams()
    src = embed_article(SOURCE, embedder)
    rw = align_sentences(REWRITE, embed_article(REWRITE, embedder), SOURCE, src, params)
    assert len(rw.pairs) >= 5
    assert rw.order >= 0.8 and rw.coverage >= 0.8
    for p in rw.pairs:
        assert REWRITE[:200] and p.similarity >= params.threshold
    same = align_sentences(SAME_EVENT, embed_article(SAME_EVENT, embedder), SOURCE, src, params)
    assert same.coverage < params.min_coverage


def _article(id_: str, outlet: str, text: str, day: int) -> Article:
    return Article(id_, text, outlet=outlet, published=datetime(2026, 3, day, 9, tzinfo=UTC))


def test_scan_links_rewrite_not_same_event(tmp_path) -> None:
    with Desk(tmp_path / "s.db", workers=1) as desk:
        desk.ingest(
            [
                _article("src", "harbourgazette.example", SOURCE, 1),
                _article("rw", "contentfarm.example", REWRITE, 2),
                _article("other", "coastweekly.example", SAME_EVENT, 2),
            ]
        )
        desk.scan(semantic=True)
        rw = desk.verdict("rw")
        assert rw is not None and [m.source for m in rw.sources] == ["src"]
        match = rw.sources[0]
        assert match.relation == "rewrite"
        assert match.languages == ("en", "en")
        p = match.passages[0]
        assert 0 <= p.article_start < p.article_end <= len(REWRITE)
        assert 0 <= p.source_start < p.source_end <= len(SOURCE)
        other = desk.verdict("other")
        assert other is None or not other.sources


def test_show_lists_matched_sentences_with_similarity(tmp_path) -> None:
    from rich.console import Console

    from copydesk.reports.side_by_side import render_side_by_side

    with Desk(tmp_path / "s.db", workers=1) as desk:
        desk.ingest(
            [
                _article("src", "harbourgazette.example", SOURCE, 1),
                _article("rw", "contentfarm.example", REWRITE, 2),
            ]
        )
        desk.scan(semantic=True)
        match = desk.verdict("rw").sources[0]
        console = Console(width=160, record=True)
        console.print(render_side_by_side(desk.article("rw"), desk.article("src"), match))
    shown = console.export_text()
    assert "rewrite" in shown and "similarity" in shown
    assert f"{match.passages[0].similarity:.2f}" in shown


def test_article_page_lists_matched_sentences(tmp_path) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from copydesk.web.app import create_app

    db = tmp_path / "s.db"
    with Desk(db, workers=1) as desk:
        desk.ingest(
            [
                _article("src", "harbourgazette.example", SOURCE, 1),
                _article("rw", "contentfarm.example", REWRITE, 2),
            ]
        )
        desk.scan(semantic=True)
        match = desk.verdict("rw").sources[0]
    with TestClient(create_app(db), base_url="http://127.0.0.1") as client:
        page = client.get("/articles/rw").text
    assert 'id="matched-sentences"' in page
    assert page.count('class="similarity"') == len(match.passages)
    assert 'href="#src-p0"' in page and 'id="copy-p0"' in page
