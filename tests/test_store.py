"""Unit tests of the SQLite store and the embedded engine's ingest and scan over it."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from copydesk.desk import Desk
from copydesk.engines import embedded
from copydesk.fingerprint import fingerprint
from copydesk.fingerprint.minhash import BANDS
from copydesk.model import Article
from copydesk.store import Store, StoreError
from copydesk.store import sqlite as store_sqlite
from copydesk.store.schema import SCHEMA_VERSION
from copydesk.store.sqlite import meta_hash, text_hash
from fakenews import VOCAB, make_article, make_paragraph

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def edited(rng: random.Random, text: str) -> str:
    """A lightly edited copy: one word in 25 replaced, a promo line, curly quotes."""
    words = text.split(" ")
    for i in range(7, len(words), 25):
        words[i] = rng.choice(VOCAB)
    pars = " ".join(words).split("\n\n")
    return "\n\n".join([pars[0], "READ MORE: Ferry chaos [LATEST]", *pars[1:]])


def collection(seed: int = 1) -> list[Article]:
    """Three sources from outlet a, two copies on outlet b (one partial), one unrelated."""
    rng = random.Random(seed)
    s1, s2, s3 = (make_article(rng, 4) for _ in range(3))
    partial = make_paragraph(rng) + "\n\n" + "\n\n".join(s2.split("\n\n")[1:3])
    return [
        Article(id="s1", text=s1, outlet="a.example", published=T0),
        Article(id="s2", text=s2, outlet="a.example", published=T0 + timedelta(hours=1)),
        Article(id="s3", text=s3, outlet="a.example", published=T0 + timedelta(hours=2)),
        Article(
            id="c1", text=edited(rng, s1), outlet="b.example", published=T0 + timedelta(hours=5)
        ),
        Article(id="c2", text=partial, outlet="b.example", published=T0 + timedelta(hours=6)),
        Article(id="u1", text=make_article(rng, 3), outlet="b.example", published=T0),
    ]


def counts(store: Store) -> dict[str, int]:
    return {
        t: store.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("articles", "anchors", "bands", "matches")
    }


def verdicts_json(desk: Desk) -> list[dict]:
    return sorted((v.to_json() for v in desk.verdicts()), key=lambda v: v["article"])


def sources_of(desk: Desk, article_id: str) -> list[str]:
    v = desk.verdict(article_id)
    assert v is not None
    return [m.source for m in v.sources]


def anchor_rows(store: Store, key: int) -> set[int]:
    store.sync_postings()  # ingest leaves postings to be written when first needed
    return {h for (h,) in store.db.execute("SELECT hash FROM anchors WHERE article = ?", (key,))}


def as_int64(values: np.ndarray) -> set[int]:
    return set(values.astype(np.uint64).view(np.int64).tolist())


# -- opening -------------------------------------------------------------------------------


def test_a_text_is_looked_up_by_its_hash_through_an_index(tmp_path: Path) -> None:
    # trace asks whether the very text is stored before anything else: a full read of the
    # articles table there cost most of a trace's time.
    with Desk(tmp_path / "s.db", workers=1) as desk:
        desk.ingest(collection()[:3])
        plan = " ".join(
            str(row[-1])
            for row in desk.store.db.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM articles WHERE text_hash = ? "
                "ORDER BY id = ? DESC, key",
                ("x", "y"),
            )
        )
        assert "articles_text_hash" in plan, plan


def test_schema_version_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = Store(path)
    assert store.schema_version == SCHEMA_VERSION >= 1
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
    with Desk(path, workers=1) as desk:
        desk.ingest(collection()[:2])
    again = Store(path)
    assert again.schema_version == SCHEMA_VERSION
    assert again.count() == 2
    assert again.article("s1").article.published == T0
    again.close()


def test_not_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("These are my notes about the harbour ferry.\n" * 50)
    with pytest.raises(StoreError, match="not a copydesk store"):
        Store(path)
    assert path.read_text().startswith("These are my notes")


def test_sqlite_file_of_another_app(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE recipes (name TEXT)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="not a copydesk store"):
        Store(path)


def test_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer"):
        Store(path)


def test_sqlite_file_of_another_app_with_user_version(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE recipes (name TEXT)")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    try:
        with pytest.raises(StoreError):
            Store(path)
    finally:
        tables = {n for (n,) in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
        assert tables == {"recipes"}


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="directory"):
        Store(tmp_path)
    with pytest.raises(StoreError):
        Desk(tmp_path, workers=1)


# -- ingest --------------------------------------------------------------------------------


def test_ingest_is_idempotent(tmp_path: Path) -> None:
    articles = collection()
    with Desk(tmp_path / "s.db", workers=1) as desk:
        first = desk.ingest(articles)
        assert (first.added, first.updated, first.unchanged) == (len(articles), 0, 0)
        scan1 = desk.scan()
        assert scan1.scanned == len(articles)
        before = counts(desk.store)
        assert before["matches"] >= 2 and before["anchors"] > 0
        assert before["bands"] == BANDS * len(articles)
        verdicts = verdicts_json(desk)
        second = desk.ingest([Article(**{f: getattr(a, f) for f in a.__slots__}) for a in articles])
        assert (second.added, second.updated, second.unchanged) == (0, 0, len(articles))
        assert counts(desk.store) == before
        assert desk.scan().scanned == 0
        assert verdicts_json(desk) == verdicts
        assert sorted(sources_of(desk, "c1")) == ["s1"]
        assert sorted(sources_of(desk, "c2")) == ["s2"]


def test_same_id_twice_in_one_batch_last_wins(tmp_path: Path) -> None:
    rng = random.Random(3)
    old, new = make_article(rng), make_article(rng)
    with Desk(tmp_path / "s.db", workers=1) as desk:
        summary = desk.ingest(
            [Article(id="x", text=old, title="Old"), Article(id="x", text=new, title="New")]
        )
        assert (summary.added, summary.unchanged) == (1, 1)
        stored = desk.store.article("x")
        assert stored.article.text == new and stored.article.title == "New"
        assert anchor_rows(desk.store, stored.key) == as_int64(fingerprint(new).anchors)


def test_write_articles_same_id_twice_last_wins(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    a1 = Article(id="y", text="ferry strike called off", title="T1")
    a2 = Article(id="y", text="ferry strike called off", title="T2")
    store.write_articles([(a, text_hash(a), meta_hash(a), None) for a in (a1, a2)])
    assert store.article("y").article.title == "T2"
    b1 = Article(id="z", text="harbour ferry late again")
    b2 = Article(id="z", text="mayor opens new library wing")
    store.write_articles([(b, text_hash(b), meta_hash(b), None) for b in (b1, b2)])
    assert store.article("z").article.text == b2.text


def test_updated_text_replaces_the_old(tmp_path: Path) -> None:
    articles = collection()
    rng = random.Random(99)
    with Desk(tmp_path / "s.db", workers=1) as desk:
        desk.ingest(articles)
        desk.scan()
        assert sources_of(desk, "c1") == ["s1"]
        key = desk.store.article("s1").key
        old_anchors = as_int64(fingerprint(articles[0].text).anchors)
        assert anchor_rows(desk.store, key) == old_anchors
        replacement = make_article(rng, 4)
        summary = desk.ingest(
            [Article(id="s1", text=replacement, outlet="a.example", published=T0)]
        )
        assert (summary.added, summary.updated, summary.unchanged) == (0, 1, 0)
        assert desk.store.article("s1").article.text == replacement
        new_anchors = as_int64(fingerprint(replacement).anchors)
        assert anchor_rows(desk.store, key) == new_anchors
        assert not anchor_rows(desk.store, key) & old_anchors
        assert desk.store.unscanned() == [key]
        assert desk.scan().scanned == 1
        assert desk.verdict("c1").sources == []  # its source's text is gone
        assert sources_of(desk, "c2") == ["s2"]  # others untouched
        assert desk.store.count() == len(articles)


def test_metadata_update_keeps_fingerprint_and_can_flip_direction(tmp_path: Path) -> None:
    articles = collection()
    with Desk(tmp_path / "s.db", workers=1) as desk:
        desk.ingest(articles)
        desk.scan()
        assert sources_of(desk, "c1") == ["s1"]
        key = desk.store.article("c1").key
        before = counts(desk.store)
        blob = desk.store.db.execute("SELECT anchors, bands FROM articles WHERE key = ?", (key,))
        blob = blob.fetchone()
        # The copy turns out to have been published first.
        moved = articles[3]
        moved.published = T0 - timedelta(days=1)
        summary = desk.ingest([moved])
        assert (summary.added, summary.updated, summary.unchanged) == (0, 1, 0)
        after = desk.store.db.execute("SELECT anchors, bands FROM articles WHERE key = ?", (key,))
        assert after.fetchone() == blob
        assert counts(desk.store)["anchors"] == before["anchors"]
        assert desk.store.unscanned() == [key]
        assert desk.verdict("c1").sources == []  # its matches were forgotten
        assert desk.scan().scanned == 1
        assert desk.verdict("c1").sources == []
        (match,) = desk.verdict("s1").sources
        assert match.source == "c1" and match.direction_basis == "published"


# -- incremental scans ---------------------------------------------------------------------


def pair_articles(seed: int = 5) -> tuple[Article, Article]:
    rng = random.Random(seed)
    text = make_article(rng, 5)
    src = Article(id="src", text=text, outlet="a.example", published=T0)
    cp = Article(
        id="copy", text=edited(rng, text), outlet="b.example", published=T0 + timedelta(hours=3)
    )
    return src, cp


def full_scan_json(path: Path, articles: list[Article]) -> list[dict]:
    with Desk(path, workers=1) as desk:
        desk.ingest(articles)
        assert desk.scan().scanned == len(articles)
        return verdicts_json(desk)


@pytest.mark.parametrize(("route", "share"), [("full pass", 0.0), ("index", 10.0)])
def test_incremental_scan_equals_full_scan(tmp_path: Path, route: str, share: float) -> None:
    src, cp = pair_articles()
    expected = full_scan_json(tmp_path / "full.db", [src, cp])
    assert len(expected) == 1 and expected[0]["sources"][0]["source"] == "src"
    with Desk(tmp_path / "inc.db", workers=1) as desk:
        desk.ingest([src])
        assert embedded.scan(desk.store, workers=1, full_pass_share=share).scanned == 1
        assert verdicts_json(desk) == []
        desk.ingest([cp])
        summary = embedded.scan(desk.store, workers=1, full_pass_share=share)
        assert summary.scanned == 1 and summary.candidates == 1 and summary.pairs == 1
        assert verdicts_json(desk) == expected


def test_both_candidate_routes_scan_alike(tmp_path: Path) -> None:
    articles = collection(7)
    results = []
    for share in (0.0, 10.0):
        with Desk(tmp_path / f"s{share}.db", workers=1) as desk:
            desk.ingest(articles[:3])
            embedded.scan(desk.store, workers=1, full_pass_share=share)
            desk.ingest(articles[3:])
            summary = embedded.scan(desk.store, workers=1, full_pass_share=share)
            assert summary.scanned == 3
            results.append(verdicts_json(desk))
    assert results[0] == results[1]
    assert [v["article"] for v in results[0]] == ["c1", "c2"]


def moved_segments(seed: int = 7) -> tuple[Article, Article]:
    """A copy that moves short stretches of its source around (see test_verdict)."""
    rng = random.Random(seed)

    def seg(n: int) -> str:
        return " ".join(rng.choice(VOCAB) for _ in range(n))

    p, q, t, g, r, s, h = seg(18), seg(16), seg(7), seg(4), seg(15), seg(10), seg(10)
    src = Article(
        id="src", text=" ".join([seg(2), p, q, t, g, r, s]), outlet="a.example", published=T0
    )
    cp = Article(
        id="copy",
        text=" ".join([h, p, r, q, seg(4), s, t]),
        outlet="b.example",
        published=T0 + timedelta(hours=3),
    )
    return src, cp


def test_incremental_scan_equals_full_scan_for_moved_segments(tmp_path: Path) -> None:
    src, cp = moved_segments()
    expected = full_scan_json(tmp_path / "full.db", [src, cp])
    with Desk(tmp_path / "inc.db", workers=1) as desk:
        desk.ingest([src])
        desk.scan()
        desk.ingest([cp])
        desk.scan()
        assert verdicts_json(desk) == expected


# -- transactions --------------------------------------------------------------------------


def test_failed_write_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.db"
    articles = collection()
    with Desk(path, workers=1) as desk:
        desk.ingest(articles[:2])
        before = counts(desk.store)
        calls = {"n": 0}
        real = store_sqlite._blobs

        def failing(fp):
            calls["n"] += 1
            if calls["n"] == 3:  # midway through the batch
                raise RuntimeError("disk on fire")
            return real(fp)

        monkeypatch.setattr(store_sqlite, "_blobs", failing)
        changed = Article(id="s1", text=make_article(random.Random(4)), outlet="a.example")
        with pytest.raises(RuntimeError, match="disk on fire"):
            desk.ingest([changed, *articles[2:]])
        assert calls["n"] == 3
        monkeypatch.setattr(store_sqlite, "_blobs", real)
        assert counts(desk.store) == before
        assert desk.store.article("s1").article.text == articles[0].text
        assert desk.store.article("c1") is None
    with Desk(path, workers=1) as desk:
        assert desk.store.count() == 2
        summary = desk.ingest(articles)
        assert (summary.added, summary.unchanged) == (len(articles) - 2, 2)
        desk.scan()
        assert sources_of(desk, "c1") == ["s1"]


def test_transaction_context_rolls_back(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    with pytest.raises(ValueError), store.transaction() as db:
        db.execute("INSERT INTO models (name, data) VALUES ('x', '1')")
        raise ValueError("stop")
    assert store.load_model("x") is None
    with store.transaction():
        store.save_model("x", {"a": 1})
    assert store.load_model("x") == {"a": 1}
    store.close()


# -- the process pool ----------------------------------------------------------------------


def big_collection() -> list[Article]:
    rng = random.Random(21)
    out = []
    for i in range(40):
        text = make_article(rng, 3)
        out.append(Article(id=f"s{i:02}", text=text, outlet="a.example", published=T0))
        out.append(
            Article(
                id=f"c{i:02}",
                text=edited(rng, text),
                outlet="b.example",
                published=T0 + timedelta(hours=1 + i),
            )
        )
    return out


def test_pool_path_gives_the_same_verdicts(tmp_path: Path) -> None:
    articles = big_collection()
    assert len(articles) > 64
    results = []
    for workers in (2, 1):
        with Desk(tmp_path / f"w{workers}.db", workers=workers) as desk:
            summary = desk.ingest(articles)
            assert summary.added == len(articles)
            scan = desk.scan()
            assert scan.scanned == len(articles) and scan.pairs == 40
            results.append(verdicts_json(desk))
            fps = desk.store.db.execute("SELECT id, anchors, bands FROM articles ORDER BY id")
            results.append(fps.fetchall())
    assert results[0] == results[2]
    assert results[1] == results[3]
    assert [v["sources"][0]["source"] for v in results[0]] == [f"s{i:02}" for i in range(40)]


def test_search_index_stays_consistent_through_updates_and_deletes(tmp_path) -> None:
    """New texts are only queued at ingest; the queue is indexed before a search."""
    store = Store(tmp_path / "f.db")

    def put(id_: str, text: str) -> None:
        a = Article(id=id_, text=text, outlet="x.example")
        store.write_articles([(a, text_hash(a), meta_hash(a), fingerprint(text))])

    def search(word: str) -> list[str]:
        store.sync_search_index()
        rows = store.db.execute(
            "SELECT a.id FROM articles_fts JOIN articles a ON a.key = articles_fts.rowid "
            "WHERE articles_fts MATCH ? ORDER BY a.id",
            (word,),
        )
        return [r[0] for r in rows]

    put("a", "the harbour ferry sails at dawn")
    put("b", "the council budget is late")
    assert search("harbour") == ["a"]
    put("a", "the lighthouse keeper retires")  # indexed, then changed
    put("c", "a quarry reopens")
    put("c", "a quarry closes for good")  # changed while still queued
    assert search("harbour") == [] and search("lighthouse") == ["a"]
    assert search("closes") == ["c"] and search("reopens") == []
    with store.transaction():
        store.db.execute("DELETE FROM articles WHERE id IN ('b', 'c')")
    assert search("budget") == [] and search("quarry") == []
    store.db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
    store.close()


def all_postings(store: Store) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    return (
        set(store.db.execute("SELECT hash, article FROM anchors")),
        set(store.db.execute("SELECT key, article FROM bands")),
    )


def expected_postings(store: Store) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    a_h, a_a, b_h, b_a = store.postings()  # from the fingerprints in the articles' rows
    return (
        set(zip(a_h.tolist(), a_a.tolist(), strict=True)),
        set(zip(b_h.tolist(), b_a.tolist(), strict=True)),
    )


def test_small_stores_index_postings_at_ingest(tmp_path: Path) -> None:
    rng = random.Random(12)
    with Desk(tmp_path / "s.db", workers=1) as desk:
        desk.ingest([Article(id=f"a{i}", text=make_article(rng)) for i in range(5)])
        assert all_postings(desk.store) == expected_postings(desk.store)
        assert desk.store.sync_postings() == 0


def test_postings_are_written_when_first_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_sqlite, "_DIRECT_POSTINGS", 0)  # as in a large store
    rng = random.Random(11)
    with Desk(tmp_path / "s.db", workers=1) as desk:
        store = desk.store
        desk.ingest([Article(id=f"a{i}", text=make_article(rng)) for i in range(8)])
        assert all_postings(store) == (set(), set())  # ingest leaves them pending
        assert store.sync_postings() == 8  # most pending: a rebuild in hash order
        assert all_postings(store) == expected_postings(store)
        assert store.sync_postings() == 0
        # A few more, and one changed text: only those are written, old postings go.
        desk.ingest([Article(id="a0", text=make_article(rng)), Article(id="b", text="x y z")])
        desk.ingest([Article(id="c", text=make_article(rng))])
        assert store.sync_postings() == 3
        assert all_postings(store) == expected_postings(store)
        # Index lookups write pending postings themselves.
        desk.ingest([Article(id="d", text=make_article(rng))])
        fp = fingerprint(store.article("d").article.text)
        assert store.article("d").key in store.candidates_for(
            fp, min_shared=3, short_share=0.2, max_df=100
        )
        assert all_postings(store) == expected_postings(store)


def test_rebuilding_postings_in_several_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_sqlite, "_DIRECT_POSTINGS", 0)
    monkeypatch.setattr(store_sqlite, "POSTINGS_PER_PASS", 50)  # a pass per part
    rng = random.Random(13)
    with Desk(tmp_path / "s.db", workers=1) as desk:
        desk.ingest([Article(id=f"a{i}", text=make_article(rng)) for i in range(12)])
        estimate = desk.store.estimate_postings("anchors")
        exact = sum(1 for _ in all_anchor_rows(desk.store))
        assert 0.5 * exact <= estimate <= 2 * exact
        assert desk.store.sync_postings() == 12
        assert all_postings(desk.store) == expected_postings(desk.store)
        with pytest.raises(ValueError, match="anchors or bands"):
            desk.store.estimate_postings("text")


def all_anchor_rows(store: Store):
    for hashes, _ in store.posting_batches("anchors"):
        yield from hashes.tolist()


def test_a_scan_leaves_no_postings_pending(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_sqlite, "_DIRECT_POSTINGS", 3)  # the first batch only
    with Desk(tmp_path / "s.db", workers=1) as desk:
        desk.ingest(collection()[:2])
        assert desk.store.sync_postings() == 0
        desk.ingest(collection()[2:])
        assert desk.store.db.execute("SELECT count(*) FROM postings_pending").fetchone()[0] == 4
        desk.scan()
        pending = desk.store.db.execute("SELECT count(*) FROM postings_pending").fetchone()[0]
        assert pending == 0
        assert all_postings(desk.store) == expected_postings(desk.store)


@pytest.mark.parametrize("n", [0, 1, 249, 250, 251, 500_251])
def test_postings_written_many_rows_a_statement_are_every_row(n: int) -> None:
    """Postings go in 250 rows a statement, in slices of 500,000, the rest one by one:
    every row, once, at any count around those bounds."""
    from copydesk.store.sqlite import _insert_postings

    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE TABLE anchors (hash INTEGER NOT NULL, article INTEGER NOT NULL, "
        "PRIMARY KEY (hash, article)) WITHOUT ROWID"
    )
    rng = np.random.default_rng(n)
    h = rng.integers(-(2**63), 2**63 - 1, n, dtype=np.int64)
    a = rng.integers(1, 1000, n, dtype=np.int64)
    h[n // 2 :: 7] = h[0] if n else 0  # repeated hashes, as common anchors are
    _insert_postings(db, "anchors", h, a)
    got = sorted(db.execute("SELECT hash, article FROM anchors"))
    assert got == sorted(set(zip(h.tolist(), a.tolist(), strict=True)))
