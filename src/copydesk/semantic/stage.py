"""The semantic stage as the engines call it: embed what is missing, then compare.

- ``embed_missing``: sentence vectors (int8) with character spans, the article's mean
  vector and its language, for every article that has none for its current text, spread
  over a pool of worker processes.
- ``mean_candidates``: the pairs of articles among each other's nearest by mean vector
  (int8, 256 bytes an article), found exactly in integer arithmetic (``neighbours``), or
  among the nearest k-means cells when a first scan of a large collection would cost too
  much; a later scan finds again only the nearest that new articles can have changed.
- ``cross_language_pairs``: pairs in two languages that share language-independent
  anchors (numbers, transliterated names).
- ``compare_pair``: align the sentences of one pair and judge it.
- ``trace_semantic``: one unstored text against the stored vectors (``MeanIndex``).
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import islice

import numpy as np

from copydesk.engines.workers import one_native_thread
from copydesk.model import SEMANTIC_RELATIONS, Article, SourceMatch
from copydesk.semantic.align import (
    SemanticParams,
    align_sentences,
    could_pass,
    is_semantic_copy,
)
from copydesk.semantic.anchors import article_keys
from copydesk.semantic.embed import (
    Embedder,
    SentenceVectors,
    cosines,
    embed_articles,
    inverse_norms,
    quantise,
    reembed,
    static_reads,
)
from copydesk.semantic.judge import SemDoc, direction, judge
from copydesk.semantic.language import detect, detect_many, language_model
from copydesk.semantic.neighbours import (
    CELLS_PER_ROOT,
    EXACT_BUDGET,
    PROBES,
    WHOLE_BASE,
    close_rows,
    clustered_neighbours,
    exact_neighbours,
)
from copydesk.store import worker_store


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


Row = tuple[bytes, bytes, bytes, str | None, str]


def embed_texts(texts: list[str], embedder: Embedder) -> list[Row]:
    """What is stored of each text: spans, int8 vectors, mean vector, language and anchor
    keys (a pure function, run in the pool's workers; the anchors are computed here, with
    the text at hand, rather than read again once two languages meet)."""
    out = []
    languages = detect_many(texts)
    for text, sv, language in zip(texts, embed_articles(texts, embedder), languages, strict=True):
        spans, vecs = sv.to_blobs()
        out.append((spans, vecs, mean_vector(sv).tobytes(), language, anchor_key_text(text)))
    return out


_WORKER_EMBEDDER: Embedder | None = None


def _start_worker(embedder: Embedder) -> None:
    global _WORKER_EMBEDDER
    _WORKER_EMBEDDER = embedder
    one_native_thread()


def _embed_task(texts: list[str]) -> list[Row]:
    assert _WORKER_EMBEDDER is not None
    return embed_texts(texts, _WORKER_EMBEDDER)


@contextmanager
def _pool(
    workers: int, embedder: Embedder, running: Executor | None = None
) -> Iterator[Executor | None]:
    """A pool of ``workers`` processes holding ``embedder`` (``running`` when given)."""
    if running is not None or workers <= 1:
        yield running
        return
    # fork: the workers inherit the loaded models (the embedder, the language model)
    # instead of each loading its own copy
    language_model()
    mp = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=mp, initializer=_start_worker, initargs=(embedder,)
    ) as pool:
        yield pool


def embed_missing(
    db: sqlite3.Connection,
    embedder: Embedder,
    *,
    workers: int = 1,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
    pool: Executor | None = None,
) -> int:
    """Embed every article without vectors for its current text, spread over ``workers``
    processes (those of ``pool`` when one is running); the main process writes one batch
    (one transaction) while the pool embeds the next."""
    keys = _missing(db, embedder.name)
    batches = [keys[lo : lo + batch_size] for lo in range(0, len(keys), batch_size)]

    def read(chunk: list[int]) -> list[tuple[int, str, str]]:
        marks = ",".join("?" * len(chunk))
        return db.execute(
            f"SELECT key, text, text_hash FROM articles WHERE key IN ({marks}) ORDER BY key", chunk
        ).fetchall()

    def submit(pool: Executor | None, rows: list[tuple[int, str, str]]) -> Callable[[], list]:
        texts = [r[1] for r in rows]
        if pool is None:
            return lambda: embed_texts(texts, embedder)
        size = max(1, math.ceil(len(texts) / workers))
        futures = [
            pool.submit(_embed_task, texts[i : i + size]) for i in range(0, len(texts), size)
        ]
        return lambda: [row for f in futures for row in f.result()]

    with _pool(workers, embedder, pool) as pool:
        pending: list[tuple[list[tuple[int, str, str]], Callable[[], list]]] = []
        for chunk in batches:
            rows = read(chunk)
            pending.append((rows, submit(pool, rows)))
            if len(pending) > 1:
                _write_vectors(db, embedder.name, *pending.pop(0))
                if progress:
                    progress(batch_size)
        for rows, result in pending:
            _write_vectors(db, embedder.name, rows, result)
            if progress:
                progress(len(rows))
    return len(keys)


def _write_vectors(
    db: sqlite3.Connection, model: str, rows: list[tuple[int, str, str]], result: Callable
) -> None:
    store_vectors(
        db,
        [
            (key, model, th, lang, spans, vecs, mean, anchors)
            for (key, _, th), (spans, vecs, mean, lang, anchors) in zip(rows, result(), strict=True)
        ],
    )


# (key, model, text hash, language, spans, vectors, mean, anchor keys): a row of table
# sentence_vectors, the hash that of the text embedded (a row whose hash is not the
# article's current text's is never read as its vectors).
VectorRow = tuple[int, str, str, str | None, bytes, bytes, bytes, str]


def embed_rows(items: Iterable[tuple[int, str, str]], embedder: Embedder) -> Iterator[VectorRow]:
    """The rows of each (key, text, text hash), as ``embed_missing`` stores them: what an
    engine without the store (Spark) computes in its partitions."""
    it = iter(items)
    while chunk := list(islice(it, 1000)):
        rows = embed_texts([t for _, t, _ in chunk], embedder)
        for (key, _, th), (spans, vecs, mean, lang, anchors) in zip(chunk, rows, strict=True):
            yield key, embedder.name, th, lang, spans, vecs, mean, anchors


def store_vectors(db: sqlite3.Connection, rows: Iterable[VectorRow]) -> int:
    """Write vector rows, 2,000 a transaction."""
    n = 0
    it = iter(rows)
    while chunk := list(islice(it, 2000)):
        _write_all(
            db,
            "INSERT OR REPLACE INTO sentence_vectors "
            "(article, model, text_hash, language, spans, vectors, mean, anchors) "
            "VALUES (?,?,?,?,?,?,?,?)",
            chunk,
        )
        n += len(chunk)
    return n


def stored_vector_rows(db: sqlite3.Connection) -> Iterator[VectorRow]:
    """Every stored article's rows for its current text, in key order."""
    yield from db.execute(
        "SELECT v.article, v.model, v.text_hash, v.language, v.spans, v.vectors, v.mean, "
        "v.anchors FROM sentence_vectors v JOIN articles a ON a.key = v.article "
        "AND a.text_hash = v.text_hash ORDER BY v.article"
    )


def _write_all(db: sqlite3.Connection, sql: str, rows: list[tuple]) -> None:
    """``executemany`` in one transaction of its own, rolled back on any error."""
    db.execute("BEGIN IMMEDIATE")
    try:
        db.executemany(sql, rows)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


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


def _stored_means(db: sqlite3.Connection) -> tuple[np.ndarray, np.ndarray]:
    """(keys, int8 mean vectors) of every article embedded for its current text."""
    (n,) = db.execute(
        "SELECT count(*) FROM sentence_vectors v JOIN articles a ON a.key = v.article "
        "AND a.text_hash = v.text_hash"
    ).fetchone()
    keys = np.zeros(n, dtype=np.int64)
    vecs = np.zeros((0, 0), dtype=np.int8)
    at = 0
    for part_keys, part in _means(db):  # filled in place: no second copy of the vectors
        if at == 0:
            vecs = np.zeros((n, part.shape[1]), dtype=np.int8)
        keys[at : at + len(part_keys)] = part_keys
        vecs[at : at + len(part_keys)] = part
        at += len(part_keys)
    return keys[:at], vecs[:at]


def _nearest(
    keys: np.ndarray,
    vecs: np.ndarray,
    rows: np.ndarray | None,
    k: int,
    cosine: float,
    workers: int = 1,
) -> list[list[tuple[int, float]]]:
    """Up to ``k`` nearest (key, cosine) of each of ``rows`` (None: every article, the
    stored arrays themselves as the queries) among all: exactly while the rows times the
    stored articles stay within the exact search's budget, among the nearest cells
    beyond it."""
    queries, query_keys = (vecs, keys) if rows is None else (vecs[rows], keys[rows])
    if len(queries) * len(keys) <= EXACT_BUDGET:
        return exact_neighbours(queries, query_keys, vecs, keys, k, cosine, workers=workers)
    return clustered_neighbours(
        queries,
        query_keys,
        vecs,
        keys,
        k,
        cosine,
        cells=round(CELLS_PER_ROOT * math.sqrt(len(keys))),
        probes=PROBES,
        workers=workers,
    )


def _pairs_of(keys: np.ndarray, found: list[list[tuple[int, float]]]) -> set[tuple[int, int]]:
    return {
        (min(a, b), max(a, b))
        for a, hits in zip(keys.tolist(), found, strict=True)
        for b, _ in hits
    }


def mean_candidates(
    keys: np.ndarray,
    vecs: np.ndarray,
    new: Iterable[int],
    previous: set[tuple[int, int]] | None,
    params: SemanticParams,
    workers: int = 1,
) -> set[tuple[int, int]]:
    """The unordered pairs (a, b), lower key first, where b is among a's
    ``candidate_k`` nearest articles by mean vector (cosine at least
    ``candidate_cosine``; ties to the lower key) or a among b's, over the whole
    collection ``keys``/``vecs``.

    ``previous`` is that set as the last scan left it, before the ``new`` articles came
    (new or changed): None to find it from scratch. Only the nearest of some articles can
    have changed since: the new ones, and the old ones close enough to a new one for it
    to enter their nearest ("touched"). A pair of two untouched articles is a candidate
    now if and only if it was one. For the others the nearest of both sides are found
    again (of the touched, and of their partners in ``previous``), so the set is the one
    a scan of the whole collection in one go would find, however the collection was
    scanned (within the exact search's budget; the clustered search beyond it may miss
    pairs either way). ``workers``: processes for the clustered search."""
    present = set(keys.tolist())
    if previous is None:
        every = _nearest(keys, vecs, None, params.candidate_k, params.candidate_cosine, workers)
        return _pairs_of(keys, every)
    kept = {p for p in previous if p[0] in present and p[1] in present}
    fresh = np.flatnonzero(np.isin(keys, np.fromiter(set(new) & present, dtype=np.int64)))
    if not len(fresh):
        return kept
    if len(fresh) * len(keys) <= EXACT_BUDGET:
        close = keys[close_rows(vecs[fresh], vecs, params.candidate_cosine)]
    else:  # as approximate as the clustered search itself
        hits = _nearest(keys, vecs, fresh, 4 * params.candidate_k, params.candidate_cosine, workers)
        close = np.array([b for found in hits for b, _ in found], dtype=np.int64)
    touched = set(keys[fresh].tolist()) | set(close.tolist())
    partners = {b for a, b in kept if a in touched} | {a for a, b in kept if b in touched}
    ask = np.flatnonzero(np.isin(keys, np.fromiter(touched | partners, dtype=np.int64)))
    found = _nearest(keys, vecs, ask, params.candidate_k, params.candidate_cosine, workers)
    out = {p for p in kept if p[0] not in touched and p[1] not in touched}
    return out | _pairs_of(keys[ask], found)


def cross_language_pairs(
    db: sqlite3.Connection,
    params: SemanticParams,
    pool: Executor | None = None,
) -> list[tuple[int, int]]:
    """Unordered pairs, lower key first, in two different detected languages that share
    at least ``cross_min_keys`` anchors (numbers, name skeletons): for each article
    outside the largest language, its ``cross_k`` best in other languages; anchors in
    more than ``cross_max_df`` of the articles are left out. Every such pair of the
    collection (they depend on the whole of it); nothing is read when every article is in
    one language."""
    langs = dict(
        db.execute(
            "SELECT v.article, v.language FROM sentence_vectors v JOIN articles a "
            "ON a.key = v.article AND a.text_hash = v.text_hash WHERE v.language IS NOT NULL"
        ).fetchall()
    )
    if len(set(langs.values())) < 2:
        return []
    _store_anchor_keys(db, pool)
    # Every pair in two languages has a side outside the largest language: the counting
    # runs from those articles only (all of them, as a new article in the largest
    # language is paired from the other side). So only their anchors need postings: a
    # first pass reads them, a second keeps the postings (and document counts) of those
    # anchors alone, so memory follows the smaller languages, not the collection.
    largest = Counter(langs.values()).most_common(1)[0][0]
    keys_of: dict[int, set[str]] = {}
    rows = "SELECT article, anchors FROM sentence_vectors WHERE anchors IS NOT NULL"
    for key, anchors in db.execute(rows):
        if key in langs and langs[key] != largest and anchors:
            keys_of[key] = set(anchors.split())
    wanted = set().union(*keys_of.values()) if keys_of else set()
    postings: dict[str, list[int]] = defaultdict(list)
    counted = 0
    for key, anchors in db.execute(rows):
        if key in langs and anchors:
            counted += 1
            for k in set(anchors.split()) & wanted:
                postings[k].append(key)
    max_df = max(params.cross_min_df_cap, int(params.cross_max_df * counted))
    pairs: set[tuple[int, int]] = set()
    for key in sorted(keys_of):
        shared: Counter[int] = Counter()
        for k in keys_of[key]:
            docs = postings[k]
            if len(docs) <= max_df:
                shared.update(docs)
        others = [(d, n) for d, n in shared.items() if langs[d] != langs[key]]
        others.sort(key=lambda x: (-x[1], x[0]))
        for other, n in others[: params.cross_k]:
            if n >= params.cross_min_keys:
                pairs.add((min(key, other), max(key, other)))
    return sorted(pairs)


def _store_anchor_keys(db: sqlite3.Connection, pool: Executor | None, batch: int = 2000) -> None:
    """Anchor keys of every embedded article that has none yet (embedding computes them;
    vectors stored before it did get them here), over ``pool``'s workers when there is
    one."""
    while True:
        rows = db.execute(
            "SELECT a.key, a.text FROM sentence_vectors v JOIN articles a ON a.key = v.article "
            "WHERE v.anchors IS NULL LIMIT ?",
            (batch,),
        ).fetchall()
        if not rows:
            return
        texts = [text for _, text in rows]
        found = (
            map(anchor_key_text, texts)
            if pool is None
            else pool.map(anchor_key_text, texts, chunksize=max(1, len(texts) // 8))
        )
        out = [(keys, key) for keys, (key, _) in zip(found, rows, strict=True)]
        _write_all(db, "UPDATE sentence_vectors SET anchors = ? WHERE article = ?", out)


def anchor_key_text(text: str) -> str:
    """An article's anchor keys as stored: sorted, space-separated."""
    return " ".join(sorted(article_keys(text)))


def compare_pair(
    a: SemDoc,
    b: SemDoc,
    params: SemanticParams,
    aliases: dict[str, tuple[str, ...]] | None = None,
    multilingual: Callable[[SemDoc], SentenceVectors] | None = None,
) -> tuple[SemDoc, SemDoc, SourceMatch] | None:
    """Decide one pair semantically: None, or (copy, source, match). A pair in two
    languages is aligned on ``multilingual``'s vectors of each side when given (the
    static model's vectors otherwise); so is a pair the static model cannot read
    (``static_reads``), which without ``multilingual`` is no match."""
    aliases = aliases or {}
    a_is_copy, basis = direction(a, b)
    copy, source = (a, b) if a_is_copy else (b, a)
    cross = bool(copy.language and source.language and copy.language != source.language)
    static = static_reads(copy.article.text) and static_reads(source.article.text)
    if not static and not cross and multilingual is None:
        return None  # the static model cannot tell these sentences apart (see static_reads)
    use_multilingual = multilingual is not None and (cross or not static)
    cv, sv = copy.vectors, source.vectors
    if use_multilingual:
        cv, sv = multilingual(copy), multilingual(source)
    alignment = align_sentences(
        copy.article.text,
        cv,
        source.article.text,
        sv,
        params,
        cross_language=cross,
        multilingual=use_multilingual,
        copy_weights=partial(copy.sentence_weights, params.quote_weight),
        source_weights=partial(source.sentence_weights, params.quote_weight),
    )
    if not is_semantic_copy(alignment, params, translation=cross):
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
    """The pairs among ``pairs`` the lexical stage decided (either way round)."""
    keys = sorted({k for p in pairs for k in p})
    found: set[tuple[int, int]] = set()
    for lo in range(0, len(keys), 500):
        chunk = keys[lo : lo + 500]
        marks = ",".join("?" * len(chunk))
        for c, s in db.execute(
            f"SELECT copy, source FROM matches WHERE copy IN ({marks}) "
            f"AND relation NOT IN ({', '.join('?' * len(SEMANTIC_RELATIONS))})",
            [*chunk, *SEMANTIC_RELATIONS],
        ):
            found.add((min(c, s), max(c, s)))
    return found


CANDIDATES = "semantic_candidates"  # model: the state the candidates table was left in
DUE = "semantic_due"  # model: articles whose semantic scan is not finished
_MEAN, _CROSS = 0, 1  # kinds of candidate


def _previous_candidates(db: sqlite3.Connection) -> dict[tuple[int, int], tuple[set[int], bool]]:
    out: dict[tuple[int, int], tuple[set[int], bool]] = {}
    for low, high, kind, eligible in db.execute(
        "SELECT low, high, kind, eligible FROM semantic_candidates"
    ):
        kinds, was = out.get((low, high), (set(), False))
        kinds.add(kind)
        out[(low, high)] = (kinds, was or bool(eligible))
    return out


def _save_candidates(
    db: sqlite3.Connection,
    mean: set[tuple[int, int]],
    cross: set[tuple[int, int]],
    eligible: set[tuple[int, int]],
) -> None:
    db.execute("DELETE FROM semantic_candidates")
    rows = [
        (a, b, kind, int((a, b) in eligible))
        for kind, pairs in ((_MEAN, mean), (_CROSS, cross))
        for a, b in sorted(pairs)
    ]
    db.executemany("INSERT INTO semantic_candidates VALUES (?,?,?,?)", rows)


def _aliases_token(aliases: dict[str, tuple[str, ...]] | None) -> str:
    data = json.dumps(sorted((k, list(v)) for k, v in (aliases or {}).items()))
    return hashlib.sha1(data.encode()).hexdigest()


def scan_semantic(
    store,
    new: list[int],
    *,
    embedder: Embedder,
    multilingual: Callable[[], Embedder] | None = None,
    params: SemanticParams | None = None,
    aliases: dict[str, tuple[str, ...]] | None = None,
    workers: int = 1,
) -> tuple[int, int]:
    """Embed what is missing (over ``workers`` processes), then judge the semantic
    candidates the lexical stage did not decide: same-language neighbours by mean
    vector, other-language ones by shared anchors, aligned on the vectors of the model
    ``multilingual`` loads (only when such a pair comes up). Returns (pairs judged,
    matches written).

    The matches are those a scan of the whole collection in one go would make, however
    it was scanned: the candidates are the collection's (``mean_candidates``,
    ``cross_language_pairs``); the pairs judged are those touching a ``new`` article (or
    one not embedded yet, or one of a scan that did not finish) and those that were not
    judged last time (a pair becomes a candidate, or the lexical stage stops deciding
    it); a stored rewrite or translation whose pair is no longer a candidate is dropped,
    and each is judged again when the aliases changed (they decide its credit). The
    matches, the candidates and the end of the scan are written in one transaction."""
    params = params or SemanticParams()
    db = store.db
    state = store.load_model(CANDIDATES)
    fresh = set(new) | set(store.load_model(DUE) or ()) | set(_missing(db, embedder.name))
    token = _aliases_token(aliases)
    if not fresh and state is not None and state.get("aliases") == token:
        return 0, 0
    with store.transaction():
        store.save_model(DUE, sorted(fresh))
    cache: dict[int, SentenceVectors] = {}
    loaded: list[Embedder] = []

    def multilingual_vectors(doc: SemDoc) -> SentenceVectors:
        if doc.key not in cache:
            if not loaded:
                loaded.append(multilingual())  # type: ignore[misc]
            cache[doc.key] = reembed(doc.article.text, doc.vectors, loaded[0])
        return cache[doc.key]

    with _pool(workers, embedder) as pool:
        embed_missing(db, embedder, workers=workers, pool=pool)
    # The search runs in this process: the embedding workers leave first (with the
    # memory their models and batches hold), and a pool comes back for the comparisons.
    previous = _previous_candidates(db) if state is not None else None
    keys, vecs = _stored_means(db)
    mean = mean_candidates(
        keys,
        vecs,
        fresh,
        None if previous is None else {p for p, (k, _) in previous.items() if _MEAN in k},
        params,
        workers,  # the clustered search's own pool, forked with the vectors loaded
    )
    del keys, vecs
    with _pool(workers, embedder) as pool:
        cross = set(cross_language_pairs(db, params, pool))
        every = mean | cross
        eligible = every - _lexical_pairs(db, sorted(every))
        stored = store.semantic_pairs()
        rejudge = state is None or state.get("aliases") != token
        pairs = sorted(
            p
            for p in eligible
            if p[0] in fresh
            or p[1] in fresh
            or previous is None
            or not previous.get(p, (set(), False))[1]
            or (rejudge and p in stored)
        )
        rows = _judge_pairs(
            store,
            pool,
            workers,
            pairs,
            params,
            aliases,
            multilingual_vectors if multilingual is not None else None,
        )
    with store.transaction():
        store.delete_matches(sorted((stored - eligible) | (stored & set(pairs))))
        written = store.write_matches(rows)
        _save_candidates(db, mean, cross, eligible)
        store.save_model(CANDIDATES, {"aliases": token})
        store.save_model(DUE, None)
    return len(pairs), written


_JUDGE_CHUNK = 1000  # pairs a worker reads and judges at once


def _judge_pairs(
    store,
    pool: Executor | None,
    workers: int,
    pairs: list[tuple[int, int]],
    params: SemanticParams,
    aliases: dict[str, tuple[str, ...]] | None,
    multilingual: Callable[[SemDoc], SentenceVectors] | None,
) -> list[tuple[int, int, SourceMatch]]:
    """Compare ``pairs``; returns the matches found. The pool's workers read the
    documents of their chunks of pairs from the store themselves (this process sends
    keys, not texts and vectors) and judge those the static model aligns
    (``judge_stored``); the pairs they hand back (two languages, or a script the static
    model cannot read) are judged here, where the multilingual model is loaded once."""
    chunks = [pairs[lo : lo + _JUDGE_CHUNK] for lo in range(0, len(pairs), _JUDGE_CHUNK)]
    if pool is None or workers <= 1 or len(chunks) < 2:
        results = [judge_stored(store, chunk, params, aliases) for chunk in chunks]
    else:
        path = str(store.path)
        futures = [pool.submit(_judge_in_worker, path, c, params, aliases) for c in chunks]
        results = [f.result() for f in futures]
    out = [row for rows, _ in results for row in rows]
    deferred = [p for _, other in results for p in other]
    for lo in range(0, len(deferred), _JUDGE_CHUNK):  # a chunk's documents at a time
        docs, _, other = _prepare_chunk(store, deferred[lo : lo + _JUDGE_CHUNK])
        for x, y in other:
            result = compare_pair(docs[x], docs[y], params, aliases, multilingual)
            if result is not None:
                out.append((result[0].key, result[1].key, result[2]))
    return out


def judge_stored(
    store,
    pairs: list[tuple[int, int]],
    params: SemanticParams,
    aliases: dict[str, tuple[str, ...]] | None,
) -> tuple[list[tuple[int, int, SourceMatch]], list[tuple[int, int]]]:
    """The matches among ``pairs`` that the static model aligns, read from ``store``;
    and the pairs to align on the multilingual model instead, left to the caller."""
    docs, same, other = _prepare_chunk(store, pairs)
    return compare_pairs((docs, same, params, aliases)), other


def _judge_in_worker(
    path: str,
    pairs: list[tuple[int, int]],
    params: SemanticParams,
    aliases: dict[str, tuple[str, ...]] | None,
) -> tuple[list[tuple[int, int, SourceMatch]], list[tuple[int, int]]]:
    return judge_stored(worker_store(path), pairs, params, aliases)


def _prepare_chunk(
    store, chunk: list[tuple[int, int]]
) -> tuple[dict[int, SemDoc], list[tuple[int, int]], list[tuple[int, int]]]:
    """The documents of the pairs; the pairs the static model aligns (one language it
    reads); the pairs aligned on the multilingual model (two languages, or a script the
    static model cannot read)."""
    vectors = load_vectors(store.db, {k for p in chunk for k in p})
    stored = store.articles({k for p in chunk for k in p if k in vectors})
    docs = semantic_docs({k: s.article for k, s in stored.items()}, vectors)
    chunk = [(x, y) for x, y in chunk if x in docs and y in docs]
    reads = {k: static_reads(d.article.text) for k, d in docs.items()}

    def static(x: int, y: int) -> bool:
        return not _two_languages(docs[x], docs[y]) and reads[x] and reads[y]

    other = [
        (x, y)
        for x, y in chunk
        if not static(x, y) and len(docs[x].vectors) and len(docs[y].vectors)
    ]
    same = [p for p in chunk if static(*p)]
    return docs, same, other


def may_align(
    pairs: list[tuple[int, int]],
    vectors: dict[int, tuple[SentenceVectors, str | None]],
    params: SemanticParams,
) -> list[tuple[int, int]]:
    """The pairs (in their order) that could pass, from each side's sentence vectors and
    language alone: in two languages (aligned on other vectors), or with enough sentences
    of either side close enough to one of the other's (``align.could_pass``; either side
    may be the copy). Each article's sentences meet all its partners' in one product, with
    the cosines alignment computes (``embed.cosines``)."""
    partners: dict[int, list[int]] = defaultdict(list)
    for x, y in pairs:
        partners[x].append(y)
    inv = {k: sv.inverse for k, (sv, _) in vectors.items() if len(sv)}
    passing: set[tuple[int, int]] = set()
    for x, ys in partners.items():
        if x not in inv:
            continue
        sv, lang = vectors[x]
        same = []
        for y in ys:
            if y not in inv:
                continue
            other = vectors[y][1]
            if lang and other and lang != other:
                passing.add((x, y))
            else:
                same.append(y)
        if not same:
            continue
        sims = cosines(
            sv.vectors,
            np.concatenate([vectors[y][0].vectors for y in same]),
            inv[x],
            np.concatenate([inv[y] for y in same]),
        )
        close = sims >= params.threshold
        starts = np.cumsum([0] + [len(inv[y]) for y in same[:-1]])
        close_x = np.logical_or.reduceat(close, starts, axis=1).sum(axis=0)  # per partner
        close_y = np.add.reduceat(close.any(axis=0), starts)
        for y, cx, cy in zip(same, close_x.tolist(), close_y.tolist(), strict=True):
            if could_pass(cx, len(sv), params) or could_pass(cy, len(inv[y]), params):
                passing.add((x, y))
    return [p for p in pairs if p in passing]


def _two_languages(a: SemDoc, b: SemDoc) -> bool:
    return bool(a.language and b.language and a.language != b.language)


Task = tuple[
    dict[int, SemDoc], list[tuple[int, int]], SemanticParams, dict[str, tuple[str, ...]] | None
]


def compare_pairs(task: Task) -> list[tuple[int, int, SourceMatch]]:
    """(copy key, source key, match) of the pairs (keys into the documents) that are
    semantic copies, those the vectors cannot make one left out first (``may_align``);
    pure, run in the pool's workers."""
    docs, pairs, params, aliases = task
    vectors = {k: (d.vectors, d.language) for k, d in docs.items()}
    out = []
    for x, y in may_align(pairs, vectors, params):
        result = compare_pair(docs[x], docs[y], params, aliases)
        if result is not None:
            out.append((result[0].key, result[1].key, result[2]))
    return out


def current_aliases(store) -> dict[str, tuple[str, ...]]:
    """Outlet aliases as stored (learned and user-given), passed to the judging step."""
    from copydesk.forensics.aliases import merge

    return merge(store.load_model("aliases") or {}, store.load_model("user_aliases") or {})


@dataclass(slots=True, frozen=True)
class MeanIndex:
    """Every stored article's mean sentence vector (int8, as stored: 256 bytes an
    article), for ``trace``: an exact search over the rows finds a traced text's nearest
    articles without building an index (a few milliseconds at 21,000 articles)."""

    keys: np.ndarray  # int64
    vectors: np.ndarray  # int8, one row an article
    inverse: np.ndarray  # float32: each row's inverse norm, computed once
    floats: np.ndarray | None  # the rows as float32 while they are few (the search's own)

    @classmethod
    def load(cls, db: sqlite3.Connection) -> MeanIndex:
        keys, vecs = _stored_means(db)  # only vectors of the articles' current texts
        if not len(keys):
            keys, vecs = np.zeros(0, dtype=np.int64), np.zeros((0, 256), dtype=np.int8)
        floats = vecs.astype(np.float32) if len(vecs) <= WHOLE_BASE else None
        return cls(keys, vecs, inverse_norms(vecs), floats)

    @staticmethod
    def version(db: sqlite3.Connection) -> tuple[int, int, int]:
        """Changes whenever anything is written to the store, by this connection or
        another: a cached index is never used after the vectors changed."""
        data_version = db.execute("PRAGMA data_version").fetchone()[0]
        return id(db), data_version, db.total_changes

    def nearest(self, mean: np.ndarray, k: int, cosine: float) -> list[int]:
        """The keys of the ``k`` nearest articles to ``mean`` (int8, as
        :func:`mean_vector` gives it) with cosine at least ``cosine``, nearest first: the
        exact search ``scan`` makes (``neighbours.exact_neighbours``)."""
        if not len(self.keys):
            return []
        query = np.asarray(mean, dtype=np.int8).reshape(1, -1)
        hits = exact_neighbours(
            query,
            np.array([-1]),
            self.vectors,
            self.keys,
            k,
            cosine,
            base_inverse=self.inverse,
            base_float=self.floats,
        )
        return [key for key, _ in hits[0]]


def trace_semantic(
    store,
    article: Article,
    means: MeanIndex,
    *,
    embedder: Embedder,
    params: SemanticParams | None = None,
    aliases: dict[str, tuple[str, ...]] | None = None,
    skip: Iterable[str] = (),
) -> list[SourceMatch]:
    """The stored articles one unstored text rewrites (same language, nearest by mean
    vector, aligned sentence by sentence), leaving out the ids in ``skip`` (the lexical
    stage's sources, the text itself). The traced text counts as seen after everything
    stored. Translations are found by ``scan`` only (their candidates come from anchors
    shared across the collection)."""
    params = params or SemanticParams()
    sv = embed_articles([article.text], embedder)[0]
    if not len(sv):
        return []
    doc = SemDoc(2**62, article, sv, detect(article.text))
    keys = means.nearest(mean_vector(sv), params.candidate_k, params.candidate_cosine)
    skipped = set(skip) | {article.id}
    stored = {k: s for k, s in store.articles(keys).items() if s.article.id not in skipped}
    vectors = load_vectors(store.db, stored)
    out: list[SourceMatch] = []
    for key in keys:
        if key not in stored or key not in vectors:
            continue
        other = SemDoc(key, stored[key].article, *vectors[key])
        if other.language != doc.language:
            continue
        result = compare_pair(doc, other, params, aliases)
        if result is not None and result[0] is doc:
            out.append(result[2])
    return out
