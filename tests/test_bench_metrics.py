"""The accuracy benchmark's metrics (bench/metrics.py) on hand-computed cases, and a small
generated collection (bench/labelled.py) scored end to end against copydesk."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from copydesk.reading.corpora import corpora_available

BENCH = Path(__file__).resolve().parents[1] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from metrics import (  # noqa: E402
    Span,
    adjusted_rand_index,
    families,
    family_ari,
    pair_prf,
    pan_scores,
    union_length,
)

PAIR = ("copy", "src")


# --- pairs ---------------------------------------------------------------------------------


def test_pair_prf_is_direction_insensitive_and_counts_by_hand() -> None:
    gold = [("c1", "s1"), ("c2", "s2"), ("c3", "s3"), ("c4", "s4")]
    predicted = [("s1", "c1"), ("c2", "s2"), ("c9", "s9")]  # one reversed, one false
    prf = pair_prf(gold, predicted)
    assert (prf.tp, prf.fp, prf.fn) == (2, 1, 2)
    assert prf.precision == pytest.approx(2 / 3)
    assert prf.recall == pytest.approx(0.5)
    assert prf.f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))


def test_pair_prf_ignored_pairs_count_neither_way_unless_gold() -> None:
    prf = pair_prf([("a", "b")], [("a", "b"), ("x", "y"), ("b", "a")], ignore=[("y", "x")])
    assert (prf.tp, prf.fp, prf.fn) == (1, 0, 0)
    assert pair_prf([("a", "b")], [], ignore=[("a", "b")]).fn == 1  # gold wins over ignore


def test_pair_prf_empty() -> None:
    prf = pair_prf([], [])
    assert (prf.precision, prf.recall, prf.f1) == (0.0, 0.0, 0.0)


# --- PAN measures --------------------------------------------------------------------------


def test_union_length_merges_overlaps() -> None:
    assert union_length([(0, 10), (5, 15), (20, 25), (3, 3)]) == 20


def test_pan_perfect_detection() -> None:
    case = Span(PAIR, (0, 100), (0, 100))
    scores = pan_scores([case], [case])
    assert (scores.precision, scores.recall, scores.granularity) == (1.0, 1.0, 1.0)
    assert scores.plagdet == 1.0


def test_pan_partial_overlap_by_hand() -> None:
    # case: 100 chars in each document; detection covers 50 of them in each plus 50 extra
    case = Span(PAIR, (0, 100), (0, 100))
    det = Span(PAIR, (50, 150), (50, 150))
    scores = pan_scores([case], [det])
    assert scores.precision == pytest.approx(100 / 200)
    assert scores.recall == pytest.approx(100 / 200)
    assert scores.granularity == 1.0
    assert scores.plagdet == pytest.approx(0.5)


def test_pan_granularity_two_detections_for_one_case() -> None:
    case = Span(PAIR, (0, 100), (0, 100))
    dets = [Span(PAIR, (0, 40), (0, 40)), Span(PAIR, (60, 100), (60, 100))]
    scores = pan_scores([case], dets)
    assert scores.precision == 1.0
    assert scores.recall == pytest.approx(160 / 200)
    assert scores.granularity == 2.0
    f1 = 2 * 1.0 * 0.8 / 1.8
    assert scores.plagdet == pytest.approx(f1 / math.log2(3))


def test_pan_macro_averages_and_needs_overlap_on_both_sides() -> None:
    cases = [Span(PAIR, (0, 100), (0, 100)), Span(PAIR, (200, 300), (500, 600))]
    dets = [
        Span(PAIR, (0, 100), (0, 100)),  # exact
        Span(PAIR, (200, 300), (0, 100)),  # copy side of case 2, source side of case 1
        Span(("other", "pair"), (0, 100), (0, 100)),  # another document pair: detects nothing
    ]
    scores = pan_scores(cases, dets)
    # det 2 overlaps case 1 only on the source side and case 2 only on the copy side: no hit
    assert scores.precision == pytest.approx((1.0 + 0.0 + 0.0) / 3)
    assert scores.recall == pytest.approx((1.0 + 0.0) / 2)
    assert scores.granularity == 1.0
    assert (scores.cases, scores.detections) == (2, 3)


def test_pan_overlapping_detections_are_not_counted_twice() -> None:
    case = Span(PAIR, (0, 100), (0, 100))
    dets = [Span(PAIR, (0, 80), (0, 80)), Span(PAIR, (20, 100), (20, 100))]
    scores = pan_scores([case], dets)
    assert scores.recall == 1.0
    assert scores.granularity == 2.0


def test_pan_without_detections() -> None:
    scores = pan_scores([Span(PAIR, (0, 10), (0, 10))], [])
    assert (scores.precision, scores.recall, scores.granularity, scores.plagdet) == (
        0.0,
        0.0,
        1.0,
        0.0,
    )


# --- families and ARI ----------------------------------------------------------------------


def test_ari_identical_partitions_is_one() -> None:
    assert adjusted_rand_index([0, 0, 1, 1, 2], [5, 5, 7, 7, 9]) == 1.0
    assert adjusted_rand_index([0, 1, 2], [3, 4, 5]) == 1.0  # all singletons both sides
    assert adjusted_rand_index([0, 0, 0], [1, 1, 1]) == 1.0


def test_ari_by_hand() -> None:
    # true {a,b,c}{d,e,f}; predicted {a,b}{c,d,e,f}: contingency [[2,1],[0,3]]
    # index = C(2,2)+C(3,2) = 4; sums: true 3+3 = 6, pred 1+6 = 7; n = 6, C(6,2) = 15
    # expected = 6*7/15 = 2.8; max = 6.5; ARI = (4-2.8)/(6.5-2.8) = 1.2/3.7
    true = [0, 0, 0, 1, 1, 1]
    pred = [0, 0, 1, 1, 1, 1]
    assert adjusted_rand_index(true, pred) == pytest.approx(1.2 / 3.7)


def test_ari_disagreeing_trivial_partitions() -> None:
    # one cluster vs all singletons: expected == index == 0 with max 1.5 -> 0
    assert adjusted_rand_index([0, 0, 0], [0, 1, 2]) == pytest.approx(0.0)


def test_families_are_connected_components() -> None:
    fam = families(["z"], [("a", "b"), ("b", "c"), ("d", "e")])
    assert fam["a"] == fam["b"] == fam["c"]
    assert fam["d"] == fam["e"] != fam["a"]
    assert fam["z"] not in {fam["a"], fam["d"]}


def test_family_ari_same_components_from_different_edges() -> None:
    gold = [("a", "b"), ("b", "c")]
    predicted = [("a", "c"), ("c", "b")]  # same family, other edges
    assert family_ari(gold, predicted) == (1.0, 3)


# --- end to end on a small generated collection ---------------------------------------------


def test_small_generated_collection_end_to_end(tmp_path: Path) -> None:
    if not corpora_available():
        pytest.skip("../shared/corpora not found: real-news tests need it (set COPYDESK_CORPORA)")
    import labelled
    import run_accuracy

    originals = labelled.load_originals(None, 150, 0)
    collection = labelled.generate(originals, copies=60, negatives=200)
    assert len(collection.gold) == 60
    texts = {a.id: a.text for a in collection.articles}
    for gold in collection.gold:  # passages are real offsets into both texts
        for a, b, c, d in gold.passages:
            assert 0 <= a < b <= len(texts[gold.copy]) and 0 <= c < d <= len(texts[gold.source])
        if gold.op in ("verbatim", "credit_kept"):
            (a, b, c, d), *_ = gold.passages
            assert texts[gold.copy][a:b] == texts[gold.source][c:d]

    labelled.write(collection, tmp_path)
    assert len(labelled.read(tmp_path).articles) == len(collection.articles)

    predicted, _ = run_accuracy.run_copydesk(collection, tmp_path / "e2e.db")
    results = run_accuracy.evaluate(collection, predicted, None, None)["copydesk"]
    assert results["credit_accuracy"] >= 0.9
    assert results["direction_accuracy"] >= 0.95
    for op in ("verbatim", "furniture", "partial", "credit_kept", "credit_cut"):
        assert results["pairs"]["per_op"][op]["recall"] >= 0.95, op
