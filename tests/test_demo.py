"""End to end on the bundled demo corpus: every expected verdict, and nothing else."""

from __future__ import annotations

import json

from rapidfuzz.distance import Indel

from copydesk import Article, Desk
from copydesk.model import SEMANTIC_RELATIONS
from copydesk.text.tokens import words_of


def _pairs(desk: Desk, include_same_outlet: bool = False) -> dict:
    return {
        (v.article, m.source): m
        for v in desk.verdicts(include_same_outlet=include_same_outlet)
        for m in v.sources
    }


def test_every_expected_pair_is_found_with_its_relation_and_credit(demo_desk, demo_expected):
    found = _pairs(demo_desk)
    for want in demo_expected["pairs"]:
        key = (want["copy"], want["source"])
        assert key in found, f"missing {key}: {want['case']}"
        match = found[key]
        assert match.relation == want["relation"], (key, match.relation)
        assert match.credit == want["credit"], (key, match.credit)
        assert match.coverage >= want.get("min_coverage", 0.0), (key, match.coverage)
        assert match.passages, key


def test_nothing_but_the_expected_pairs_is_reported(demo_desk, demo_expected):
    expected = {(p["copy"], p["source"]) for p in demo_expected["pairs"]}
    assert set(_pairs(demo_desk)) == expected


def test_same_topic_stories_are_not_copies(demo_desk, demo_expected):
    found = _pairs(demo_desk, include_same_outlet=True)
    for pair in demo_expected["not_pairs"]:
        a, b = pair["a"], pair["b"]
        assert (a, b) not in found and (b, a) not in found, pair["case"]


def test_articles_without_a_source_have_none(demo_desk, demo_expected):
    for article_id in demo_expected["no_source"]:
        verdict = demo_desk.verdict(article_id)
        assert verdict is not None, article_id
        assert verdict.sources == [], article_id


def test_same_outlet_reuse_is_hidden_unless_asked(demo_desk, demo_expected):
    hidden = _pairs(demo_desk)
    shown = _pairs(demo_desk, include_same_outlet=True)
    for pair in demo_expected["same_outlet_pairs"]:
        key = (pair["copy"], pair["source"])
        assert key not in hidden, pair["case"]
        assert key in shown, pair["case"]
        assert shown[key].credit == "absent"  # an outlet naming itself is not credit


def test_direction_without_usable_dates_comes_from_credit(demo_desk, demo_expected):
    undated = [p for p in demo_expected["pairs"] if p["relation"] == "syndicated"]
    found = _pairs(demo_desk)
    bases = {found[(p["copy"], p["source"])].direction_basis for p in undated}
    assert "credit" in bases  # the undated and the same-time copies
    for (copy, source), match in found.items():
        c, s = demo_desk.article(copy), demo_desk.article(source)
        if match.direction_basis == "published":
            assert c.published > s.published


def test_passages_slice_the_same_words_on_both_sides(demo_desk):
    # (the lexical stage's passages; a rewrite's or translation's are matched sentences)
    for verdict in demo_desk.verdicts():
        copy = demo_desk.article(verdict.article)
        for match in verdict.sources:
            if match.relation in SEMANTIC_RELATIONS:
                continue
            source = demo_desk.article(match.source)
            for p in match.passages:
                a = words_of(copy.text[p.article_start : p.article_end])
                b = words_of(source.text[p.source_start : p.source_end])
                assert Indel.normalized_similarity(a, b) >= 0.75, (verdict.article, p)


def test_trace_finds_the_source_of_a_text_not_in_the_store(demo_desk):
    source = demo_desk.article("dc-002")
    paragraphs = source.text.split("\n\n")
    intro = "Our own introduction, written here, says nothing the Clarion said."
    text = intro + "\n\n" + "\n\n".join(paragraphs[:4])
    verdict = demo_desk.trace(Article(id="pasted", text=text, outlet="elsewhere.example"))
    assert "pasted" not in {m.source for m in verdict.sources}
    match = next(m for m in verdict.sources if m.source == "dc-002")
    assert match.direction_basis in ("first_seen", "foreign_boilerplate")  # no date to go by
    covered = sum(p.article_end - p.article_start for p in match.passages)
    assert covered >= 0.9 * (len(text) - len(intro) - 2)
    assert all(p.article_start >= len(intro) for p in match.passages)


def test_verdict_json_has_the_design_fields(demo_desk):
    verdict = next(iter(demo_desk.verdicts()))
    obj = verdict.to_json()
    assert set(obj) >= {"article", "outlet", "url", "published", "sources", "signals"}
    src = obj["sources"][0]
    assert set(src) >= {
        "source", "outlet", "published", "relation", "credit", "coverage",
        "source_coverage", "confidence", "passages", "evidence",
    }  # fmt: skip
    assert set(src["passages"][0]) == {
        "article_start", "article_end", "source_start", "source_end", "similarity",
    }  # fmt: skip
    assert json.loads(json.dumps(obj)) == obj


def test_rewrites_and_translations_are_matched_sentence_by_sentence(demo_desk):
    found = _pairs(demo_desk)
    rewrite, translation = found[("vd-001", "dc-003")], found[("nv-001", "mpa-003")]
    assert rewrite.languages == ("en", "en") and translation.languages == ("es", "en")
    assert any(e.kind == "prompt_leftover" for e in rewrite.evidence)
    assert any(e.kind == "credit_removed" for e in rewrite.evidence)
    for match, copy, source in ((rewrite, "vd-001", "dc-003"), (translation, "nv-001", "mpa-003")):
        a, b = demo_desk.article(copy).text, demo_desk.article(source).text
        for p in match.passages:  # whole sentences on both sides
            assert a[p.article_start : p.article_end].rstrip()[-1] in '.!?”"'
            assert b[p.source_start : p.source_end].rstrip()[-1] in '.!?”"'


def test_reported_pairs_are_between_different_outlets(demo_desk):
    for copy, source in _pairs(demo_desk):
        assert demo_desk.article(copy).outlet != demo_desk.article(source).outlet
