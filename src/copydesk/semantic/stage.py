"""The semantic stage as the engines call it: embed at ingest, compare at scan.

- ``embed_missing``: sentence vectors (int8) with character spans, the article's mean
  vector and its language, for every article that has none for its current text.
- ``candidate_pairs``: each new article's nearest articles by mean vector, from a usearch
  HNSW index over int8 vectors (256 bytes an article plus the graph).
- ``compare_pair``: align the sentences of one pair and judge it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator

import numpy as np

from copydesk.model import Article, SourceMatch
from copydesk.semantic.align import SemanticParams, align_sentences, is_semantic_copy
from copydesk.semantic.embed import Embedder, SentenceVectors, embed_articles, quantise
from copydesk.semantic.judge import SemDoc, direction, judge
from copydesk.semantic.language import detect


def mean_vector(sv: SentenceVectors) -> np.ndarray:
    if not len(sv):
        return np.zeros(sv.vectors.shape[1] if sv.vectors.ndim == 2 else 256, dtype=np.int8)
    m = sv.unit().mean(axis=0)
    return quantise(m / max(float(np.linalg.norm(m)), 1e-6))


def _missing(db: sqlite3.Connection, model: str) -> list[int]:
    return [
        r[0]
        for r in db.execute(
            "SELECT a.key FROM articles a LEFT JOIN sentence_vectors v ON v.article = a.key "
            "WHERE v.article IS NULL OR v.text_hash != a.text_hash OR v.model != ? "
            "ORDER BY a.key",
            (model,),
        )
    ]


def embed_missing(db: sqlite3.Connection, embedder: Embedder, *, batch_size: int = 1000) -> int:
    """Embed every article without vectors for its current text; one transaction a batch."""
    keys = _missing(db, embedder.name)
    for lo in range(0, len(keys), batch_size):
        chunk = keys[lo : lo + batch_size]
        marks = ",".join("?" * len(chunk))
        rows = db.execute(
            f"SELECT key, text, text_hash FROM articles WHERE key IN ({marks}) ORDER BY key", chunk
        ).fetchall()
        vectors = embed_articles([r[1] for r in rows], embedder)
        out = []
        for (key, text, th), sv in zip(rows, vectors, strict=True):
            spans, vecs = sv.to_blobs()
            out.append(
                (key, embedder.name, th, detect(text), spans, vecs, mean_vector(sv).tobytes())
            )
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(
                "INSERT OR REPLACE INTO sentence_vectors "
                "(article, model, text_hash, language, spans, vectors, mean) "
                "VALUES (?,?,?,?,?,?,?)",
                out,
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return len(keys)


def load_vectors(
    db: sqlite3.Connection, keys: Iterable[int]
) -> dict[int, tuple[SentenceVectors, str | None]]:
    keys = list(keys)
    out: dict[int, tuple[SentenceVectors, str | None]] = {}
    for lo in range(0, len(keys), 500):
        chunk = keys[lo : lo + 500]
        marks = ",".join("?" * len(chunk))
        for key, spans, vecs, lang in db.execute(
            f"SELECT article, spans, vectors, language FROM sentence_vectors "
            f"WHERE article IN ({marks})",
            chunk,
        ):
            out[key] = (SentenceVectors.from_blobs(spans, vecs), lang)
    return out


def _means(db: sqlite3.Connection, batch: int = 50_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    last = -1
    while True:
        rows = db.execute(
            "SELECT v.article, v.mean FROM sentence_vectors v JOIN articles a ON a.key = v.article "
            "AND a.text_hash = v.text_hash WHERE v.article > ? ORDER BY v.article LIMIT ?",
            (last, batch),
        ).fetchall()
        if not rows:
            return
        keys = np.array([r[0] for r in rows], dtype=np.uint64)
        vecs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.int8).reshape(len(rows), -1)
        last = int(keys[-1])
        yield keys, vecs


def candidate_pairs(
    db: sqlite3.Connection, new: Iterable[int], params: SemanticParams
) -> list[tuple[int, int]]:
    """Unordered pairs (new article, other) whose mean vectors are among each other's
    nearest and close enough; each pair once, lower key first when both are new."""
    from usearch.index import Index

    index = Index(ndim=256, metric="cos", dtype="i8")
    for keys, vecs in _means(db):
        index.add(keys, vecs, threads=1)
    new = sorted(set(new))
    if not new or len(index) < 2:
        return []
    queries = [(k, index.get(k)) for k in new if k in index]
    if not queries:
        return []
    qkeys = [k for k, _ in queries]
    qv = np.stack([v.reshape(-1) for _, v in queries]).astype(np.int8)
    found = index.search(qv, min(params.candidate_k + 1, len(index)), threads=1)
    pairs: set[tuple[int, int]] = set()
    for row, key in enumerate(qkeys):
        for other, dist in zip(found.keys[row], found.distances[row], strict=True):
            other = int(other)
            if other == key or 1.0 - float(dist) < params.candidate_cosine:
                continue
            pairs.add((min(key, other), max(key, other)))
    return sorted(pairs)


def compare_pair(
    a: SemDoc,
    b: SemDoc,
    params: SemanticParams,
    aliases: dict[str, tuple[str, ...]] | None = None,
) -> tuple[SemDoc, SemDoc, SourceMatch] | None:
    """Decide one pair semantically: None, or (copy, source, match)."""
    aliases = aliases or {}
    a_is_copy, basis = direction(a, b)
    copy, source = (a, b) if a_is_copy else (b, a)
    cross = bool(copy.language and source.language and copy.language != source.language)
    alignment = align_sentences(
        copy.article.text,
        copy.vectors,
        source.article.text,
        source.vectors,
        params,
        cross_language=cross,
    )
    if not is_semantic_copy(alignment, params):
        return None
    match = judge(
        copy, source, alignment, basis, aliases=aliases.get(source.article.outlet or "", ())
    )
    return copy, source, match


def semantic_docs(
    articles: dict[int, Article], vectors: dict[int, tuple[SentenceVectors, str | None]]
) -> dict[int, SemDoc]:
    return {k: SemDoc(k, articles[k], *vectors[k]) for k in articles if k in vectors}


def _lexical_pairs(db: sqlite3.Connection, pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The pairs among ``pairs`` the lexical stage already decided (either way round)."""
    keys = sorted({k for p in pairs for k in p})
    found: set[tuple[int, int]] = set()
    for lo in range(0, len(keys), 500):
        chunk = keys[lo : lo + 500]
        marks = ",".join("?" * len(chunk))
        for c, s in db.execute(f"SELECT copy, source FROM matches WHERE copy IN ({marks})", chunk):
            found.add((min(c, s), max(c, s)))
    return found


def scan_semantic(
    store,
    new: list[int],
    *,
    embedder: Embedder,
    params: SemanticParams | None = None,
    aliases: dict[str, tuple[str, ...]] | None = None,
) -> tuple[int, int]:
    """Embed what is missing, then judge each new article's semantic candidates that the
    lexical stage did not link; writes the matches. Returns (candidates, matches)."""
    params = params or SemanticParams()
    db = store.db
    embed_missing(db, embedder)
    pairs = candidate_pairs(db, new, params)
    lexical = _lexical_pairs(db, pairs)
    pairs = [p for p in pairs if p not in lexical]
    written = 0
    for lo in range(0, len(pairs), 2000):
        chunk = pairs[lo : lo + 2000]
        keys = {k for p in chunk for k in p}
        stored = store.articles(keys)
        docs = semantic_docs({k: s.article for k, s in stored.items()}, load_vectors(db, keys))
        rows = []
        for x, y in chunk:
            if x not in docs or y not in docs:
                continue
            result = compare_pair(docs[x], docs[y], params, aliases)
            if result is not None:
                copy, source, match = result
                rows.append((copy.key, source.key, match))
        with store.transaction():
            written += store.write_matches(rows)
    return len(pairs), written


def current_aliases(store) -> dict[str, tuple[str, ...]]:
    """Outlet aliases as stored (learned and user-given), passed to the judging step."""
    from copydesk.forensics.aliases import merge

    return merge(store.load_model("aliases") or {}, store.load_model("user_aliases") or {})
