"""Unit tests of the candidate stage: postings self-join, thresholds, and the store's route."""

from __future__ import annotations

import math
import random
import tempfile
from collections import defaultdict
from itertools import combinations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from copydesk.candidates import PostingParts, enough_shared, pairs_from_postings
from copydesk.desk import Desk
from copydesk.fingerprint import Fingerprint
from copydesk.model import Article
from copydesk.store import Store
from copydesk.store.sqlite import meta_hash, text_hash
from fakenews import make_paragraph


def postings(table: dict[int, list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """{hash: [article, ...]} as the two parallel int64 arrays the stage takes."""
    hashes = [h for h, arts in table.items() for _ in arts]
    arts = [a for _, arts_ in table.items() for a in arts_]
    return np.array(hashes, dtype=np.int64), np.array(arts, dtype=np.int64)


def as_pairs(out: np.ndarray) -> list[tuple[int, int]]:
    assert out.dtype == np.int64 and out.ndim == 2 and out.shape[1] == 2
    return [tuple(p) for p in out.tolist()]


def oracle(anchor_table, band_table, *, min_shared, short_share, max_df, max_bucket=1000):
    """The documented rule, written the slow and obvious way."""
    n_anchors: dict[int, int] = defaultdict(int)
    for arts in anchor_table.values():
        for a in arts:
            n_anchors[a] += 1
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for arts in anchor_table.values():
        if 2 <= len(arts) <= max_df:
            for x, y in combinations(sorted(arts), 2):
                shared[x, y] += 1
    out = set()
    for (x, y), n in shared.items():
        short = max(2, math.ceil(short_share * min(n_anchors[x], n_anchors[y])))
        if n >= min_shared or n >= short:
            out.add((x, y))
    for arts in band_table.values():
        if 2 <= len(arts) <= max_bucket:
            out.update(combinations(sorted(arts), 2))
    return sorted(out)


# -- the hand-made example -----------------------------------------------------------------

# Articles 0..3. Anchor counts: 0 -> 4, 1 -> 5, 2 -> 4, 3 -> 3.
ANCHORS = {
    10: [0, 1, 2],
    11: [0, 1],
    12: [1, 0],
    13: [1, 2],
    14: [2, 3],
    15: [0, 1, 2, 3],  # found in four articles: a stock phrase when max_df < 4
    16: [3],
}
BANDS = {100: [3, 2], 101: [0], 102: [0, 1, 2, 3]}
NO_BANDS = {}


def run(anchor_table, band_table, **kw) -> list[tuple[int, int]]:
    ah, aa = postings(anchor_table)
    bh, ba = postings(band_table)
    return as_pairs(pairs_from_postings(ah, aa, bh, ba, **kw))


def test_hand_made_postings_exact() -> None:
    # max_df 3 drops hash 15. Shared: (0,1) 3, (1,2) 2, (0,2) 1, (2,3) 1.
    got = run(ANCHORS, NO_BANDS, min_shared=3, short_share=0.5, max_df=3)
    assert got == [(0, 1), (1, 2)]  # (1,2): 2 >= max(2, ceil(0.5 * 4))
    assert run(ANCHORS, NO_BANDS, min_shared=3, short_share=0.9, max_df=3) == [(0, 1)]
    assert run(ANCHORS, NO_BANDS, min_shared=2, short_share=0.9, max_df=3) == [(0, 1), (1, 2)]
    assert run(ANCHORS, NO_BANDS, min_shared=4, short_share=0.9, max_df=3) == []


def test_max_df_drops_frequent_hashes() -> None:
    # With max_df 4, hash 15 counts: (0,2) and (2,3) now share 2, (0,1) 4, (1,2) 3.
    got = run(ANCHORS, NO_BANDS, min_shared=2, short_share=0.9, max_df=4)
    assert got == [(0, 1), (0, 2), (1, 2), (2, 3)]
    got = run(ANCHORS, NO_BANDS, min_shared=2, short_share=0.9, max_df=3)
    assert got == [(0, 1), (1, 2)]
    # A hash found in only one article never makes a pair.
    assert run({1: [5], 2: [5], 3: [5]}, NO_BANDS, min_shared=2, short_share=0, max_df=9) == []


def test_short_share_for_short_texts() -> None:
    # Article 7 has 2 anchors, both shared with article 8 (100 anchors).
    table = {h: [8] for h in range(100, 198)}
    table |= {1: [7, 8], 2: [7, 8]}
    assert run(table, NO_BANDS, min_shared=4, short_share=0.5, max_df=5) == [(7, 8)]
    assert run(table, NO_BANDS, min_shared=4, short_share=1.0, max_df=5) == [(7, 8)]
    # One shared anchor is never enough through the short rule, even when it is all of it.
    one = {1: [7, 8], **{h: [8] for h in range(100, 120)}}
    assert run(one, NO_BANDS, min_shared=4, short_share=0.5, max_df=5) == []
    assert run(one, NO_BANDS, min_shared=4, short_share=0.0, max_df=5) == []


def test_band_pairs_are_included() -> None:
    got = run(ANCHORS, BANDS, min_shared=3, short_share=0.9, max_df=3, max_bucket=3)
    assert got == [(0, 1), (2, 3)]  # bucket 102 (4 articles) is above max_bucket
    got = run(ANCHORS, BANDS, min_shared=3, short_share=0.9, max_df=3, max_bucket=4)
    assert got == [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
    # Bands alone, no anchors at all.
    assert run({}, {7: [4, 9]}, min_shared=3, short_share=0.2, max_df=3) == [(4, 9)]


def test_empty_postings() -> None:
    assert run({}, {}, min_shared=3, short_share=0.2, max_df=10) == []
    assert run({1: [0]}, {2: [0]}, min_shared=3, short_share=0.2, max_df=10) == []


def test_large_keys_and_negative_hashes() -> None:
    # Store keys are arbitrary integers; hashes are uint64 viewed as int64 (often negative).
    table = {-(2**62): [70_000, 123], -5: [123, 70_000], 2**62: [70_000, 123, 5]}
    got = run(table, {-1: [5, 70_000]}, min_shared=2, short_share=0.9, max_df=5)
    assert got == [(5, 70_000), (123, 70_000)]


def test_enough_shared_as_documented() -> None:
    shared = np.array([4, 3, 2, 2, 1, 1])
    n_x = np.array([100, 100, 3, 100, 1, 2])
    n_y = np.array([100, 5, 100, 100, 100, 2])
    got = enough_shared(shared, n_x, n_y, min_shared=4, short_share=0.5)
    # 4 >= min_shared; 3 >= ceil(2.5); 2 >= ceil(1.5); 2 < 50; 1 < 2 (never fewer than two)
    assert got.tolist() == [True, True, True, False, False, False]


# -- property: the self-join is the documented rule ----------------------------------------

postings_tables = st.dictionaries(
    st.integers(-(2**63), 2**63 - 1),
    st.lists(st.integers(0, 40), min_size=1, max_size=7, unique=True),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(
    postings_tables,
    st.dictionaries(st.integers(0, 30), st.lists(st.integers(0, 40), max_size=5, unique=True)),
    st.integers(2, 6),
    st.sampled_from([0.0, 0.1, 0.2, 0.5, 1.0]),
    st.integers(1, 8),
    st.integers(1, 6),
    st.sampled_from([1, 3, 10, 8_000_000]),
    st.sampled_from([1, 2, 5, 16]),
)
def test_pairs_from_postings_property(
    anchor_table, band_table, min_shared, short_share, max_df, max_bucket, chunk_pairs, passes
) -> None:
    # Small ``chunk_pairs`` splits the count into many ranges of lower keys, ``passes``
    # the grouping into passes over the postings: same answer.
    band_table = {k: v for k, v in band_table.items() if v}
    got = run(
        anchor_table,
        band_table,
        min_shared=min_shared,
        short_share=short_share,
        max_df=max_df,
        max_bucket=max_bucket,
        chunk_pairs=chunk_pairs,
        passes=passes,
    )
    assert got == sorted(set(got))
    assert all(lo < hi for lo, hi in got)
    kw = {"min_shared": min_shared, "short_share": short_share, "max_df": max_df}
    assert got == oracle(anchor_table, band_table, **kw, max_bucket=max_bucket)
    band_pairs = set(oracle({}, band_table, **kw, max_bucket=max_bucket))
    for x, y in set(got) - band_pairs:
        shared = [
            h for h, arts in anchor_table.items() if x in arts and y in arts and len(arts) <= max_df
        ]
        assert len(shared) >= 2


# -- the store's route finds the same pairs ------------------------------------------------


def test_store_route_matches_postings_route(tmp_path) -> None:
    rng = random.Random(42)
    sources = [make_paragraph(rng, 60, 90) for _ in range(6)]
    articles = []
    for i, src in enumerate(sources):
        articles.append(Article(id=f"src{i}", text=src, outlet="a.example"))
        words = src.split(" ")
        # Copies of 12, 20, 40 words of the source and a full copy, amid unrelated text.
        for n in (12, 20, 40, len(words)):
            start = rng.randrange(0, len(words) - n + 1)
            piece = " ".join(words[start : start + n])
            text = make_paragraph(rng, 20, 40) + " " + piece + " " + make_paragraph(rng, 20, 40)
            articles.append(Article(id=f"cp{i}-{n}", text=text, outlet="b.example"))
    articles += [Article(id=f"u{i}", text=make_paragraph(rng)) for i in range(5)]
    with Desk(tmp_path / "c.db", workers=1) as desk:
        desk.ingest(articles)
        store = desk.store
        kw = {"min_shared": 3, "short_share": 0.2, "max_df": 100}
        a_h, a_a, b_h, b_a = store.postings()
        full = {tuple(p) for p in pairs_from_postings(a_h, a_a, b_h, b_a, **kw).tolist()}
        keys = sorted(store.articles(range(1, 10_000)))
        assert len(keys) == len(articles)
        by_index = store.candidate_pairs(keys, **kw)
        assert {(min(x, y), max(x, y)) for x, y in by_index} == full
        assert all((y, x) in by_index for x, y in by_index)  # every key was asked about
        # Every source pairs with its 40-word and full copies at least.
        ids = {k: s.article.id for k, s in store.articles(keys).items()}
        named = {tuple(sorted((ids[x], ids[y]))) for x, y in full}
        for i in range(len(sources)):
            for n in (40, len(sources[i].split(" "))):
                assert tuple(sorted((f"src{i}", f"cp{i}-{n}"))) in named
        assert not any(a.startswith("u") or b.startswith("u") for a, b in named)


def store_with(path, anchor_table, band_table) -> tuple[Store, dict[int, int]]:
    """A store whose articles carry exactly the given postings; returns {article: key}."""
    arts = sorted({a for t in (anchor_table, band_table) for arts in t.values() for a in arts})
    items = []
    for a in arts:
        article = Article(id=f"art{a}", text=f"text of article {a}")
        hashes = sorted(h for h, v in anchor_table.items() if a in v)
        bands = sorted(h for h, v in band_table.items() if a in v)
        fp = Fingerprint(
            n_words=4,
            anchors=np.array(hashes, dtype=np.int64).view(np.uint64),
            bands=np.array(bands, dtype=np.int64).view(np.uint64),
        )
        items.append((article, text_hash(article), meta_hash(article), fp))
    store = Store(path)
    store.write_articles(items)
    keys = {a: store.article(f"art{a}").key for a in arts}
    return store, keys


@settings(max_examples=40, deadline=None)
@given(
    postings_tables,
    st.dictionaries(st.integers(0, 30), st.lists(st.integers(0, 40), max_size=5, unique=True)),
    st.integers(2, 6),
    st.sampled_from([0.0, 0.2, 0.5, 1.0]),
    st.integers(2, 8),
)
def test_store_route_is_the_documented_rule(
    anchor_table, band_table, min_shared, short_share, max_df
) -> None:
    band_table = {k: v for k, v in band_table.items() if v}
    with tempfile.TemporaryDirectory() as tmp:
        store, keys = store_with(f"{tmp}/s.db", anchor_table, band_table)
        try:
            kw = {"min_shared": min_shared, "short_share": short_share, "max_df": max_df}
            got = store.candidate_pairs(sorted(keys.values()), **kw)
        finally:
            store.close()
    expected = {
        (keys[x], keys[y]) for x, y in oracle(anchor_table, band_table, **kw, max_bucket=10**6)
    }
    assert {(min(p), max(p)) for p in got} == expected


def test_routes_agree_with_min_shared_one(tmp_path) -> None:
    """One shared anchor is never enough, whatever min_shared says (both routes)."""
    anchor_table = {1: [0, 1], **{h: [0] for h in range(10, 20)}, **{h: [1] for h in range(20, 30)}}
    store, keys = store_with(tmp_path / "s.db", anchor_table, {})
    kw = {"min_shared": 1, "short_share": 0.2, "max_df": 5}
    a_h, a_a, b_h, b_a = store.postings()
    full = {tuple(p) for p in pairs_from_postings(a_h, a_a, b_h, b_a, **kw).tolist()}
    by_index = {(min(p), max(p)) for p in store.candidate_pairs(sorted(keys.values()), **kw)}
    store.close()
    assert full == by_index == set()
    assert run(anchor_table, NO_BANDS, min_shared=1, short_share=0.2, max_df=5) == []
    two = {**anchor_table, 2: [0, 1]}
    assert run(two, NO_BANDS, min_shared=1, short_share=0.9, max_df=5) == [(0, 1)]


def test_a_scan_in_several_passes_finds_the_same_pairs(tmp_path, monkeypatch) -> None:
    from copydesk.engines import embedded

    rng = random.Random(8)
    sources = [make_paragraph(rng, 60, 90) for _ in range(5)]
    articles = [Article(id=f"s{i}", text=t, outlet="a.example") for i, t in enumerate(sources)]
    articles += [
        Article(id=f"c{i}", text=make_paragraph(rng, 20, 30) + " " + t, outlet="b.example")
        for i, t in enumerate(sources)
    ]

    def pairs(path, per_pass):
        monkeypatch.setattr(embedded, "POSTINGS_PER_PASS", per_pass)
        with Desk(path, workers=1) as desk:
            desk.ingest(articles)
            desk.scan()
            return sorted(desk.store.db.execute("SELECT copy, source FROM matches"))

    one = pairs(tmp_path / "one.db", 10**9)
    assert len(one) == 5
    assert pairs(tmp_path / "many.db", 20) == one  # sixteen passes


def test_posting_parts_come_out_sorted_and_balanced() -> None:
    # Winnowed anchors are minima: most hashes are small. Ranges cut at sampled quantiles
    # still split them evenly, and the parts come out in ascending (hash, article) order.
    rng = np.random.default_rng(3)
    hashes = (rng.pareto(1.0, 200_000) * 1e12).astype(np.int64)
    articles = rng.integers(0, 5000, hashes.size)
    parts = PostingParts(hashes[::50])
    parts.add(hashes[:100_000], articles[:100_000])
    parts.add(hashes[100_000:], articles[100_000:])
    out = list(parts.sorted())
    sizes = [h.size for h, _ in out]
    assert sum(sizes) == hashes.size and max(sizes) < 3 * hashes.size / PostingParts.PARTS
    h = np.concatenate([h for h, _ in out])
    a = np.concatenate([a for _, a in out])
    assert np.all((h[1:] > h[:-1]) | ((h[1:] == h[:-1]) & (a[1:] >= a[:-1])))
    # Passes each keep their own ranges; together they keep everything once.
    kept = 0
    for only in PostingParts.split(3):
        one = PostingParts(hashes[::50], only)
        one.add(hashes, articles)
        kept += sum(h.size for h, _ in one.sorted())
    assert kept == hashes.size
