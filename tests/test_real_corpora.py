"""On real news (../shared/corpora): the duplicates it holds are found, nothing else is."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from difflib import SequenceMatcher
from itertools import combinations

import pytest

from copydesk import Desk
from copydesk.reading.corpora import read_bbc
from copydesk.text.tokens import words_of


@pytest.fixture(scope="module")
def bbc(tmp_path_factory: pytest.TempPathFactory, corpora: None):
    articles = list(read_bbc())
    desk = Desk(tmp_path_factory.mktemp("bbc") / "bbc.db")
    desk.ingest(articles)
    desk.scan()
    yield desk, articles
    desk.close()


def _pairs(desk: Desk) -> dict[frozenset[str], object]:
    return {
        frozenset((v.article, m.source)): m
        for v in desk.verdicts(include_same_outlet=True)
        for m in v.sources
    }


def test_every_exact_duplicate_group_is_found(bbc) -> None:
    desk, articles = bbc
    groups: dict[str, list[str]] = defaultdict(list)
    for a in articles:
        groups[a.title + "\n" + a.text].append(a.id)
    dup_groups = [ids for ids in groups.values() if len(ids) > 1]
    assert len(dup_groups) >= 90  # the corpus README: 98 groups of byte-identical articles
    found = _pairs(desk)
    for ids in dup_groups:
        for a, b in combinations(ids, 2):
            match = found.get(frozenset((a, b)))
            assert match is not None, (a, b)
            assert match.relation == "duplicate" and match.coverage == 1.0, (a, b)


def test_one_outlet_reusing_its_own_text_is_not_reported_by_default(bbc) -> None:
    desk, _ = bbc
    assert list(desk.verdicts()) == []


def _shares_text(a: str, b: str) -> bool:
    """Independently of copydesk: a run of 8 words in common, and 25 words in runs of 3+."""
    wa, wb = words_of(a), words_of(b)
    blocks = SequenceMatcher(None, wa, wb, autojunk=False).get_matching_blocks()
    return max(m.size for m in blocks) >= 8 and sum(m.size for m in blocks if m.size >= 3) >= 25


def test_no_pair_of_distinct_stories_is_reported(bbc) -> None:
    """Every reported pair really shares text (re-edited versions and reused background
    paragraphs are reuse); stories that merely cover the same subject are never reported."""
    desk, articles = bbc
    by_id = {a.id: a for a in articles}
    for pair in _pairs(desk):
        a, b = (by_id[i] for i in pair)
        assert _shares_text(a.text, b.text), sorted(pair)


def test_same_topic_stories_from_different_outlets_are_not_matched(tmp_path, corpora) -> None:
    """Each BBC story under its own outlet: only the known duplicate texts may match."""
    articles = [replace(a, outlet=f"outlet{i}.example") for i, a in enumerate(read_bbc())]
    articles = [a for a in articles if a.extra.get("category") == "politics"]
    with Desk(tmp_path / "p.db") as desk:
        desk.ingest(articles)
        desk.scan()
        by_id = {a.id: a for a in articles}
        for verdict in desk.verdicts():
            for match in verdict.sources:
                a, b = by_id[verdict.article], by_id[match.source]
                assert _shares_text(a.text, b.text), (a.id, b.id)
