"""What an engine run leaves behind, and how a store is filled from it.

The Spark engine writes its results as tables (Parquet): every article with its key and
fingerprint, every reusing pair's match, every article's own signals and the models
learned from the collection. ``load_into_store`` fills an empty store from those rows,
exactly as the embedded engine's scan would have left it (the same keys, matches,
signals, models; the story families built by the same function), so that ``show``,
``trace``, ``outlets``, ``families`` and the web app work on a run made elsewhere.
``copydesk import`` is ``import_output``. Needs no Spark: the tables are read with
pyarrow.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from copydesk.batches import batches
from copydesk.engines.families import update_families
from copydesk.errors import StoreError
from copydesk.fingerprint import Fingerprint
from copydesk.model import Article, SourceMatch, iso
from copydesk.store import Store
from copydesk.store.sqlite import meta_hash, public_extra, stored_article, text_hash

# The tables of a run, each a folder of Parquet files under the output folder.
ARTICLES, MATCHES, SIGNALS, MODELS = "articles", "matches", "signals", "models"
# ... and of its semantic stage, when it ran: every article's sentence vectors, and the
# rewrites and translations (rows as in MATCHES).
SENTENCE_VECTORS, SEMANTIC_MATCHES = "sentence_vectors", "semantic_matches"
VECTOR_COLUMNS = [
    "key", "model", "text_hash", "language", "spans", "vectors", "mean", "anchors"
]  # fmt: skip
MATCH_COLUMNS = ["copy", "source", "same_outlet", "coverage", "confidence", "data"]
# What a run reports, each a folder of Parquet (or JSON Lines) files.
VERDICTS, FAMILIES, OUTLETS = "verdicts", "families", "outlets"
JUDGED = "judged"  # the embedded engine's model row: every verdict judged under the models

ARTICLE_FIELDS = ("id", "url", "outlet", "outlet_name", "published", "title", "author",
                  "text", "extra")  # fmt: skip


def article_row(article: Article) -> tuple[Any, ...]:
    """An article as the store keeps it (``published`` ISO 8601, ``extra`` JSON without
    the private keys): what a stored article reads back as."""
    extra = public_extra(article.extra)
    return (
        article.id,
        article.url,
        article.outlet,
        article.outlet_name,
        iso(article.published),
        article.title,
        article.author,
        article.text,
        json.dumps(extra, default=str) if extra else None,
    )


def row_article(row: Iterable[Any]) -> Article:
    """The article of an ``article_row``, read back as the store reads its own."""
    id_, url, outlet, outlet_name, published, title, author, text, extra = row
    return stored_article(id_, url, outlet, outlet_name, author, title, published, text, extra)


def signed(values: np.ndarray) -> list[int]:
    """uint64 hashes as signed 64-bit integers (Parquet and Spark have no uint64)."""
    return values.astype(np.uint64, copy=False).view(np.int64).tolist()


def fingerprint_of(n_words: int, anchors: Iterable[int], bands: Iterable[int]) -> Fingerprint:
    return Fingerprint(
        int(n_words),
        np.asarray(list(anchors), dtype=np.int64).view(np.uint64),
        np.asarray(list(bands), dtype=np.int64).view(np.uint64),
    )


def load_into_store(
    store: Store,
    articles: Iterable[tuple[int, Article, Fingerprint]],
    matches: Iterable[tuple[int, int, bool, float, float, str]],
    signals: Iterable[tuple[int, str]],
    models: dict[str, Any],
    *,
    postings: bool = True,
    vectors: Iterable[tuple] = (),
    families: bool = True,
) -> int:
    """Fill an empty store from a run: ``articles`` (key, article, fingerprint) in key
    order, keys 1, 2, 3...; ``matches`` (copy key, source key, same outlet, coverage,
    confidence, match JSON: the JSON rounds the two figures, strongest-first order needs
    them whole);
    ``signals`` (key, JSON list); ``models`` name -> JSON value (``aliases``,
    ``boilerplate``, ``user_aliases``, ``judged``). Builds the story families; returns
    the number of articles. With ``postings`` False the candidate index is not built
    (a store made only to report from never looks candidates up; ``sync_postings``
    builds it later if need be). ``vectors``: rows of table ``sentence_vectors``
    (``semantic.stage.VectorRow``); with ``families`` False the families are left to the
    caller (who adds the semantic stage's matches first)."""
    if store.count():
        raise StoreError(f"{store.path} already holds articles: import into a new store")
    n = 0
    for batch in batches(articles, 2000):
        for key, _, _ in batch:
            n += 1
            if key != n:
                raise StoreError(f"the run's article keys are not 1..N in order (got {key})")
        store.write_articles(
            ((a, text_hash(a), meta_hash(a), fp) for _, a, fp in batch), index_now=postings
        )
    for batch in batches(matches, 2000):
        rows = []
        for c, s, same, coverage, confidence, data in batch:
            match = SourceMatch.from_json(json.loads(data), same_outlet=bool(same))
            match.coverage, match.confidence = coverage, confidence
            rows.append((c, s, match))
        with store.transaction():
            store.write_matches(rows)
    for batch in batches(signals, 5000):
        with store.transaction():
            store.write_signals((k, json.loads(data)) for k, data in batch)
    keys = store.keys()
    with store.transaction():
        for name, value in sorted(models.items()):
            if value is not None:
                store.save_model(name, value)
        store.mark_scanned(keys)
    if postings:
        store.sync_postings()
    from copydesk.semantic.stage import store_vectors

    store_vectors(store.db, vectors)
    if families:
        update_families(store, new=keys)
    return n


def _table(folder: Path, columns: list[str]) -> Iterator[dict[str, Any]]:
    import pyarrow.dataset as ds

    if not folder.is_dir():
        raise StoreError(f"{folder} is missing: not the output folder of a copydesk Spark scan")
    dataset = ds.dataset(folder, format="parquet", exclude_invalid_files=True)
    for batch in dataset.to_batches(columns=columns):
        yield from batch.to_pylist()


def read_models(folder: Path) -> dict[str, Any]:
    return {r["name"]: json.loads(r["data"]) for r in _table(folder / MODELS, ["name", "data"])}


def import_output(store: Store, folder: str | Path) -> int:
    """``load_into_store`` from the tables a Spark scan wrote under ``folder``."""
    folder = Path(folder)
    rows = sorted(
        _table(folder / ARTICLES, ["key", *ARTICLE_FIELDS, "n_words", "anchors", "bands"]),
        key=lambda r: r["key"],
    )
    articles = (
        (
            r["key"],
            row_article(r[f] for f in ARTICLE_FIELDS),
            fingerprint_of(r["n_words"], r["anchors"], r["bands"]),
        )
        for r in rows
    )
    columns = MATCH_COLUMNS
    matches = [tuple(r[c] for c in columns) for r in _table(folder / MATCHES, columns)]
    vectors: Iterable[tuple] = ()
    if (folder / SEMANTIC_MATCHES).is_dir():  # the run had the semantic stage
        semantic = _table(folder / SEMANTIC_MATCHES, columns)
        matches += [tuple(r[c] for c in columns) for r in semantic]
        vectors = (
            tuple(r[c] for c in VECTOR_COLUMNS)
            for r in _table(folder / SENTENCE_VECTORS, VECTOR_COLUMNS)
        )
    signals = sorted((r["key"], r["data"]) for r in _table(folder / SIGNALS, ["key", "data"]))
    return load_into_store(
        store, articles, sorted(matches), signals, read_models(folder), vectors=vectors
    )
