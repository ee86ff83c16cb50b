"""The SQLite store. All SQL lives here; the stages never see a cursor.

WAL mode lets readers (a web page, a ``show``) work while a scan writes; every batch is
one transaction, so a crash or a kill leaves the store as it was after the last batch.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np

from copydesk.candidates import MAX_BUCKET, PostingParts, enough_shared
from copydesk.errors import NoStoreError, StoreError
from copydesk.fingerprint import Fingerprint, fingerprint
from copydesk.model import SEMANTIC_RELATIONS, Article, SourceMatch, iso
from copydesk.store.schema import MIGRATIONS, SCHEMA_VERSION

_SEMANTIC_SQL = "(" + ", ".join(f"'{r}'" for r in SEMANTIC_RELATIONS) + ")"
_ARTICLE_COLUMNS = "key, id, url, outlet, outlet_name, author, title, published, text, extra"


@dataclass(slots=True)
class StoredArticle:
    key: int
    article: Article


def text_hash(article: Article) -> str:
    return hashlib.blake2b(article.text.encode("utf-8"), digest_size=16).hexdigest()


def public_extra(extra: dict[str, Any]) -> dict[str, Any]:
    """``extra`` without the private keys ("_html": the page an article was read from)."""
    return {k: v for k, v in extra.items() if not k.startswith("_")}


def meta_hash(article: Article) -> str:
    extra = public_extra(article.extra)
    meta = (
        article.url,
        article.outlet,
        article.outlet_name,
        article.author,
        article.title,
        iso(article.published),
        json.dumps(extra, sort_keys=True, default=str) if extra else "",
    )
    return hashlib.blake2b(repr(meta).encode("utf-8"), digest_size=16).hexdigest()


def _ints(values: np.ndarray) -> list[int]:
    """uint64 hashes as the signed 64-bit integers SQLite stores."""
    return values.astype(np.uint64, copy=False).view(np.int64).tolist()


# Up to this many articles, postings are indexed as they are ingested (about 3 million
# rows: what the 64 MiB page cache holds); beyond, in one sorted pass when first needed.
_DIRECT_POSTINGS = 60_000


POSTINGS_PER_PASS = 12_000_000  # held at once while rebuilding (12 bytes each)


def _check_postings_column(column: str) -> None:
    # The name goes into SQL: only the two fingerprint columns may.
    if column not in ("anchors", "bands"):
        raise ValueError(f"column must be anchors or bands, not {column!r}")


_ROWS_PER_INSERT = 250  # postings per INSERT statement (500 of SQLite's 32,766 variables)


def _insert_postings(db: sqlite3.Connection, table: str, h: np.ndarray, a: np.ndarray) -> None:
    """(hash, article) rows, many per statement: one statement's step costs SQLite about
    what one row does, so 250 rows a statement write three times as fast as one."""
    many = f"INSERT OR IGNORE INTO {table} VALUES " + ",".join(["(?,?)"] * _ROWS_PER_INSERT)
    width = 2 * _ROWS_PER_INSERT
    full = h.size - h.size % _ROWS_PER_INSERT
    # In slices: the Python ints of millions of rows at once would cost more than the rows.
    for lo in range(0, full, 500_000):
        hi = min(lo + 500_000, full)
        rows = np.empty(2 * (hi - lo), dtype=np.int64)
        rows[0::2], rows[1::2] = h[lo:hi], a[lo:hi]
        flat = rows.tolist()
        db.executemany(many, (flat[i : i + width] for i in range(0, len(flat), width)))
    if full < h.size:
        db.executemany(
            f"INSERT OR IGNORE INTO {table} VALUES (?, ?)",
            zip(h[full:].tolist(), a[full:].tolist(), strict=True),
        )


def _blobs(fp: Fingerprint) -> tuple[bytes, bytes]:
    return (
        fp.anchors.astype(np.uint64, copy=False).view(np.int64).tobytes(),
        fp.bands.astype(np.uint64, copy=False).view(np.int64).tobytes(),
    )


def _row_to_article(row: Sequence[Any]) -> StoredArticle:
    key, id_, url, outlet, outlet_name, author, title, published, text, extra = row
    return StoredArticle(
        key, stored_article(id_, url, outlet, outlet_name, author, title, published, text, extra)
    )


def stored_article(
    id_: str, url: str | None, outlet: str | None, outlet_name: str | None,
    author: str | None, title: str | None, published: str | None, text: str,
    extra: str | None,
) -> Article:  # fmt: skip
    """An Article from the columns the store keeps (``published`` ISO 8601, ``extra``
    JSON); engines that keep articles elsewhere read them back with it too."""
    return Article(
        id=id_,
        text=text,
        url=url,
        outlet=outlet,
        published=datetime.fromisoformat(published) if published else None,
        title=title,
        author=author,
        outlet_name=outlet_name,
        extra=json.loads(extra) if extra else {},
    )


def _write_raw_html(db: sqlite3.Connection, key: int, article: Article) -> None:
    """Keep the page an article was extracted from (compressed), for ``reextract``."""
    html = article.extra.get("_html")
    if isinstance(html, str):
        db.execute(
            "INSERT OR REPLACE INTO raw_html (article, html, extractor) VALUES (?, ?, ?)",
            (key, zlib.compress(html.encode("utf-8", "replace"), 6),
             article.extra.get("_extractor")),
        )  # fmt: skip


def _statements(script: str) -> Iterator[str]:
    """Split a script into statements (executescript would commit our transaction)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""
    if pending.strip():
        raise StoreError(f"incomplete statement in migration: {pending.strip()[:60]}")


class Store:
    """One copydesk store file, safe to share between threads.

    Each thread gets its own SQLite connection (``db``), opened on first use: a connection
    is never used by two threads at once. ``readonly=True`` opens the connections read
    only (``mode=ro``): a web server's readers never take the write lock, and in WAL mode
    they read while one writer (an ingest, a scan) commits. A read-only store must already
    exist at the current schema version.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False, create: bool = True) -> None:
        """Open the store at ``path``; ``create=False`` refuses a path that does not exist
        (a mistyped name must not read as an empty store)."""
        self.path = Path(path)
        self.readonly = readonly
        self._local = threading.local()
        self._open: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        if self.path.exists() and self.path.is_dir():
            raise StoreError(f"{self.path} is a directory; give a file name for the store")
        if not create and not self.path.exists():
            raise NoStoreError(f"no store at {self.path}; ingest first (copydesk ingest --db)")
        if readonly and not self.path.exists():
            raise StoreError(f"no store at {self.path}")
        try:
            db = self.db
            if readonly:
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version != SCHEMA_VERSION:
                    raise StoreError(
                        f"{self.path} has schema version {version}, not {SCHEMA_VERSION}: "
                        "open it once for writing to migrate it"
                    )
            else:
                self._migrate()
        except sqlite3.DatabaseError as exc:
            self.close()
            raise StoreError(
                f"{self.path} is not a copydesk store ({exc}); give another --db path"
            ) from exc

    # -- plumbing -------------------------------------------------------------------

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._connect()
            self._local.db = db
        return db

    def _connect(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError(f"the store {self.path} is closed")
        if self.readonly:
            uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
            # check_same_thread=False only so that close() may close every thread's
            # connection; each is used by the thread that opened it alone.
            db = sqlite3.connect(
                uri, uri=True, isolation_level=None, timeout=30, check_same_thread=False
            )
        else:
            db = sqlite3.connect(
                self.path, isolation_level=None, timeout=30, check_same_thread=False
            )
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA temp_store = MEMORY")
        db.execute("PRAGMA cache_size = -65536")  # 64 MiB page cache
        with self._lock:
            self._open.append(db)
        return db

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {version}, newer than this copydesk "
                f"understands ({SCHEMA_VERSION}); upgrade copydesk"
            )
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master")}
        if (version == 0 and tables) or (version > 0 and not {"articles", "matches"} <= tables):
            raise StoreError(f"{self.path} is an SQLite file but not a copydesk store")
        for number in range(version, SCHEMA_VERSION):
            with self.transaction():
                for statement in _statements(MIGRATIONS[number]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number + 1}")

    def setting(self, name: str) -> Any | None:
        """A user setting (JSON), None when it was never set."""
        row = self.db.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
        return json.loads(row[0]) if row else None

    def set_setting(self, name: str, value: Any) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)",
                (name, json.dumps(value, ensure_ascii=False)),
            )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        """Close every thread's connection; call it when no thread uses the store."""
        with self._lock:
            self._closed = True
            connections, self._open = self._open, []
        for db in connections:
            db.close()
        self._local = threading.local()

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    # -- articles -------------------------------------------------------------------

    def known_hashes(self, ids: Sequence[str]) -> dict[str, tuple[int, str, str]]:
        """For the ids already stored: (key, text hash, metadata hash)."""
        out: dict[str, tuple[int, str, str]] = {}
        for lo in range(0, len(ids), 500):
            chunk = ids[lo : lo + 500]
            marks = ",".join("?" * len(chunk))
            for id_, key, th, mh in self.db.execute(
                f"SELECT id, key, text_hash, meta_hash FROM articles WHERE id IN ({marks})", chunk
            ):
                out[id_] = (key, th, mh)
        return out

    def _forget_matches(self, key: int) -> None:
        self.db.execute("DELETE FROM matches WHERE copy = ? OR source = ?", (key, key))
        self.db.execute("DELETE FROM signals WHERE article = ?", (key,))

    def write_articles(
        self,
        items: Iterable[tuple[Article, str, str, Fingerprint | None]],
        *,
        index_now: bool = True,
    ) -> dict[str, int]:
        """Insert or update articles in one transaction.

        Each item is (article, text hash, metadata hash, fingerprint); the fingerprint may
        be None when the text is unchanged. Returns counts of added, updated and unchanged.
        New articles get consecutive keys, so key order is ingest order. With ``index_now``
        False their postings wait for ``sync_postings`` however small the store.
        """
        latest = {}
        for item in items:  # the same id twice: the last one wins
            latest.pop(item[0].id, None)
            latest[item[0].id] = item
        items = list(latest.values())
        counts = {"added": 0, "updated": 0, "unchanged": 0}
        now = iso(datetime.now(UTC))
        inserts: list[tuple[Any, ...]] = []
        pending: list[tuple[int, Fingerprint]] = []
        with self.transaction() as db:
            known = self.known_hashes([a.id for a, *_ in items])
            next_key = db.execute("SELECT coalesce(max(key), 0) + 1 FROM articles").fetchone()[0]
            for article, th, mh, fp in items:
                row = known.get(article.id)
                if row is not None and row[1] == th and row[2] == mh:
                    counts["unchanged"] += 1
                    continue
                if fp is None and (row is None or row[1] != th):
                    fp = fingerprint(article.text)  # the caller's view of the store was stale
                extra = public_extra(article.extra)
                values = (
                    article.url,
                    article.outlet,
                    article.outlet_name,
                    article.author,
                    article.title,
                    iso(article.published),
                    article.published.timestamp() if article.published else None,
                    article.text,
                    th,
                    mh,
                    json.dumps(extra, default=str) if extra else None,
                    now,
                )
                if row is None:
                    assert fp is not None
                    key = next_key
                    next_key += 1
                    inserts.append((*values, fp.n_words, *_blobs(fp), article.id, key))
                    known[article.id] = (key, th, mh)
                    counts["added"] += 1
                    _write_raw_html(db, key, article)
                else:
                    key = row[0]
                    db.execute(
                        "UPDATE articles SET url=?, outlet=?, outlet_name=?, author=?, title=?, "
                        "published=?, published_ts=?, text=?, text_hash=?, meta_hash=?, "
                        "extra=?, ingested_at=?, scanned=0 WHERE key=?",
                        (*values, key),
                    )
                    self._forget_matches(key)
                    known[article.id] = (key, th, mh)
                    counts["updated"] += 1
                    _write_raw_html(db, key, article)
                    if row[1] == th:
                        continue  # same text: the fingerprint stands
                    assert fp is not None
                    self._drop_postings(key)
                    db.execute(
                        "UPDATE articles SET n_words = ?, anchors = ?, bands = ? WHERE key = ?",
                        (fp.n_words, *_blobs(fp), key),
                    )
                pending.append((key, fp))
            db.executemany(
                "INSERT INTO articles (url, outlet, outlet_name, author, title, published, "
                "published_ts, text, text_hash, meta_hash, extra, ingested_at, n_words, "
                "anchors, bands, id, key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                inserts,
            )
            if pending:
                direct = index_now and next_key <= _DIRECT_POSTINGS
                self._add_postings(db, pending, direct=direct)
        return counts

    def _add_postings(
        self, db: sqlite3.Connection, items: list[tuple[int, Fingerprint]], direct: bool
    ) -> None:
        """Into a small index (it fits in the page cache), postings go straight in, sorted,
        while the engine fingerprints the next batch. Past that, each batch would rewrite
        most of the index, so articles wait in ``postings_pending`` for ``sync_postings``."""
        if not direct or db.execute("SELECT 1 FROM postings_pending LIMIT 1").fetchone():
            db.executemany(
                "INSERT OR IGNORE INTO postings_pending (key) VALUES (?)",
                [(key,) for key, _ in items],
            )
            return
        for table, column in (("anchors", "anchors"), ("bands", "bands")):
            hashes = [getattr(fp, column).astype(np.uint64).view(np.int64) for _, fp in items]
            keys = np.repeat([key for key, _ in items], [h.size for h in hashes])
            h = np.concatenate(hashes)
            order = np.lexsort((keys, h))
            _insert_postings(db, table, h[order], keys[order])

    def sync_postings(self) -> int:
        """Write the postings of articles ingested since the last call; returns how many
        articles that was. Index lookups (``candidate_pairs``, ``candidates_for``) call it.

        When most articles are pending (a bulk ingest), both tables are rebuilt from every
        article's fingerprint in hash order, so B-tree pages are only ever appended to
        (in passes that each hold about ``POSTINGS_PER_PASS`` postings); otherwise the
        pending postings are inserted, sorted.
        """
        n = self.db.execute("SELECT count(*) FROM postings_pending").fetchone()[0]
        if not n:
            return 0
        with self._transaction_or_current() as db:
            rebuild = 2 * n >= self.count()
            if rebuild:
                db.execute("DELETE FROM anchors")
                db.execute("DELETE FROM bands")
                query = "SELECT key, {0} FROM articles ORDER BY key"
            else:
                query = (
                    "SELECT a.key, a.{0} FROM postings_pending p "
                    "JOIN articles a ON a.key = p.key ORDER BY p.key"
                )
            for column in ("anchors", "bands"):
                sample = self.sample_postings(column)
                passes = 1
                if rebuild:
                    passes = -(-self.estimate_postings(column) // POSTINGS_PER_PASS)
                for only in PostingParts.split(passes):
                    parts = PostingParts(sample, only)
                    rows = db.execute(query.format(column))
                    while batch := rows.fetchmany(20_000):
                        found = [np.frombuffer(r[1], dtype=np.int64) for r in batch]
                        keys = np.repeat([r[0] for r in batch], [f.size for f in found])
                        parts.add(np.concatenate(found), keys)
                    for h, a in parts.sorted():
                        _insert_postings(db, column, h, a)
            db.execute("DELETE FROM postings_pending")
        return n

    @contextmanager
    def _transaction_or_current(self) -> Iterator[sqlite3.Connection]:
        if self.db.in_transaction:
            yield self.db
        else:
            with self.transaction() as db:
                yield db

    def _drop_postings(self, key: int) -> None:
        anchors, bands = self.db.execute(
            "SELECT anchors, bands FROM articles WHERE key = ?", (key,)
        ).fetchone()
        self.db.executemany(
            "DELETE FROM anchors WHERE hash = ? AND article = ?",
            [(h, key) for h in np.frombuffer(anchors, dtype=np.int64).tolist()],
        )
        self.db.executemany(
            "DELETE FROM bands WHERE key = ? AND article = ?",
            [(h, key) for h in np.frombuffer(bands, dtype=np.int64).tolist()],
        )

    def posting_batches(
        self, column: str = "anchors", size: int = 20_000
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Every (hash, article) posting of ``column`` (``anchors`` or ``bands``) as two
        int64 arrays, ``size`` articles at a time: a million articles' postings need not be
        in memory at once."""
        _check_postings_column(column)
        rows = self.db.execute(f"SELECT key, {column} FROM articles ORDER BY key")
        while batch := rows.fetchmany(size):
            found = [np.frombuffer(r[1], dtype=np.int64) for r in batch]
            keys = np.fromiter((r[0] for r in batch), dtype=np.int64, count=len(batch))
            yield np.concatenate(found), np.repeat(keys, [x.size for x in found])

    def postings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """All (anchor hash, article) and (band key, article) postings at once."""
        out: list[np.ndarray] = []
        for column in ("anchors", "bands"):
            batches = list(self.posting_batches(column))
            for part in range(2):
                arrays = [b[part] for b in batches]
                out.append(np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64))
        return out[0], out[1], out[2], out[3]

    def estimate_postings(self, column: str = "anchors") -> int:
        """About how many postings ``column`` holds, from evenly spaced articles (keys are
        looked up, not scanned)."""
        count = self.count()
        sizes = [len(blob) // 8 for blob in self._sample_blobs(column)]
        return round(count * sum(sizes) / len(sizes)) if sizes else 0

    def sample_postings(self, column: str = "anchors") -> np.ndarray:
        """The hashes of ``column`` of evenly spaced articles."""
        blobs = self._sample_blobs(column)
        if not blobs:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([np.frombuffer(b, dtype=np.int64) for b in blobs])

    def _sample_blobs(self, column: str, sample: int = 1000) -> list[bytes]:
        _check_postings_column(column)
        top = self.db.execute("SELECT coalesce(max(key), 0) FROM articles").fetchone()[0]
        if not top:
            return []
        keys = sorted({int(k) for k in np.linspace(1, top, min(sample, top))})
        out: list[bytes] = []
        for lo in range(0, len(keys), 500):
            chunk = keys[lo : lo + 500]
            out += [
                blob
                for (blob,) in self.db.execute(
                    f"SELECT {column} FROM articles WHERE key IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
            ]
        return out

    def articles(self, keys: Iterable[int]) -> dict[int, StoredArticle]:
        keys = list(keys)
        out: dict[int, StoredArticle] = {}
        for lo in range(0, len(keys), 500):
            chunk = keys[lo : lo + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE key IN ({marks})", chunk
            ):
                stored = _row_to_article(row)
                out[stored.key] = stored
        return out

    def article(self, id_: str) -> StoredArticle | None:
        row = self.db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (id_,)
        ).fetchone()
        return _row_to_article(row) if row else None

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def unscanned(self) -> list[int]:
        return [k for (k,) in self.db.execute("SELECT key FROM articles WHERE scanned = 0")]

    def reset_scan(self) -> None:
        """Forget every verdict: the next scan compares everything again."""
        with self.transaction() as db:
            db.execute("DELETE FROM matches")
            db.execute("DELETE FROM signals")
            db.execute("DELETE FROM semantic_candidates")
            db.execute("DELETE FROM models WHERE name = 'semantic_candidates'")
            db.execute("UPDATE articles SET scanned = 0")

    def mark_scanned(self, keys: Sequence[int]) -> None:
        self.db.executemany("UPDATE articles SET scanned = 1 WHERE key = ?", [(k,) for k in keys])

    # -- candidates -----------------------------------------------------------------

    def candidate_pairs(
        self,
        keys: Sequence[int],
        *,
        min_shared: int,
        short_share: float,
        max_df: int,
        max_bucket: int = MAX_BUCKET,
    ) -> set[tuple[int, int]]:
        """(x, y) for x in ``keys`` and any stored y that share enough anchors or a band.

        Anchors found in more than ``max_df`` articles are left out: they are stock
        phrases, and their posting lists would make the join quadratic.
        """
        self.sync_postings()
        db = self.db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS q (hash INTEGER, article INTEGER)")
        db.execute("CREATE TEMP TABLE IF NOT EXISTS qb (key INTEGER, article INTEGER)")
        db.execute("DELETE FROM q")
        db.execute("DELETE FROM qb")
        for lo in range(0, len(keys), 500):
            chunk = list(keys[lo : lo + 500])
            marks = ",".join("?" * len(chunk))
            for key, anchors, bands in db.execute(
                f"SELECT key, anchors, bands FROM articles WHERE key IN ({marks})", chunk
            ):
                db.executemany(
                    "INSERT INTO q VALUES (?, ?)",
                    [(h, key) for h in np.frombuffer(anchors, dtype=np.int64).tolist()],
                )
                db.executemany(
                    "INSERT INTO qb VALUES (?, ?)",
                    [(h, key) for h in np.frombuffer(bands, dtype=np.int64).tolist()],
                )
        pairs: set[tuple[int, int]] = set()
        query = """
            WITH d AS (SELECT hash FROM q GROUP BY hash),
            rare AS MATERIALIZED (
                SELECT d.hash FROM d JOIN anchors p ON p.hash = d.hash
                GROUP BY d.hash HAVING count(*) BETWEEN 2 AND ?
            )
            SELECT q.article, p.article, count(*),
                   (SELECT length(anchors) / 8 FROM articles WHERE key = q.article),
                   (SELECT length(anchors) / 8 FROM articles WHERE key = p.article)
            FROM rare JOIN q ON q.hash = rare.hash JOIN anchors p ON p.hash = rare.hash
            WHERE p.article != q.article
            GROUP BY q.article, p.article
            HAVING count(*) >= 2
        """
        rows = np.array(db.execute(query, (max_df,)).fetchall(), dtype=np.int64).reshape(-1, 5)
        ok = enough_shared(rows[:, 2], rows[:, 3], rows[:, 4], min_shared, short_share)
        pairs.update(zip(rows[ok, 0].tolist(), rows[ok, 1].tolist(), strict=True))
        band_query = """
            WITH small AS MATERIALIZED (
                SELECT d.key FROM (SELECT DISTINCT key FROM qb) d JOIN bands p ON p.key = d.key
                GROUP BY d.key HAVING count(*) <= ?
            )
            SELECT DISTINCT q.article, p.article
            FROM small JOIN qb q ON q.key = small.key JOIN bands p ON p.key = small.key
            WHERE p.article != q.article
        """
        pairs.update(db.execute(band_query, (max_bucket,)).fetchall())
        return pairs

    def candidates_for(
        self,
        fp: Fingerprint,
        *,
        min_shared: int,
        short_share: float,
        max_df: int,
        limit: int = 200,
    ) -> list[int]:
        """Stored articles that share enough anchors or a band with one fingerprint."""
        self.sync_postings()
        found: dict[int, int] = {}
        hashes = _ints(fp.anchors)
        for lo in range(0, len(hashes), 500):
            chunk = hashes[lo : lo + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"""SELECT p.article FROM anchors p
                    JOIN (SELECT hash FROM anchors WHERE hash IN ({marks})
                          GROUP BY hash HAVING count(*) <= ?) r ON r.hash = p.hash""",
                (*chunk, max_df),
            )
            for (article,) in rows:
                found[article] = found.get(article, 0) + 1
        keys: set[int] = set()
        if found:
            cand = list(found)
            sizes = dict(self._anchor_counts(cand))
            shared = np.array([found[k] for k in cand])
            n_other = np.array([sizes.get(k, 0) for k in cand])
            ok = enough_shared(
                shared, np.full_like(shared, fp.anchors.size), n_other, min_shared, short_share
            )
            keys = {k for k, good in zip(cand, ok.tolist(), strict=True) if good}
        bands = _ints(fp.bands)
        if bands:
            marks = ",".join("?" * len(bands))
            keys.update(
                k
                for (k,) in self.db.execute(
                    f"SELECT DISTINCT article FROM bands WHERE key IN ({marks})", bands
                )
            )
        return sorted(keys, key=lambda k: -found.get(k, 0))[:limit]

    def _anchor_counts(self, keys: list[int]) -> Iterator[tuple[int, int]]:
        for lo in range(0, len(keys), 500):
            chunk = keys[lo : lo + 500]
            marks = ",".join("?" * len(chunk))
            yield from self.db.execute(
                f"SELECT key, length(anchors) / 8 FROM articles WHERE key IN ({marks})", chunk
            )

    def search_index_pending(self) -> bool:
        """Whether articles wait to be added to the search index."""
        return self.db.execute("SELECT 1 FROM fts_pending LIMIT 1").fetchone() is not None

    def sync_search_index(self, *, wait: float | None = None) -> int:
        """Index the articles queued since the last search (see migration 3).

        A read-only store leaves the queue to a writer and returns 0. ``wait``: give up
        (return 0) after that many seconds if another writer holds the store.
        """
        if self.readonly or not self.search_index_pending():
            return 0
        if wait is not None:
            self.db.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
            try:
                return self.sync_search_index()
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    return 0
                raise
            finally:
                self.db.execute("PRAGMA busy_timeout = 30000")
        with self.transaction() as db:
            n = db.execute(
                "INSERT INTO articles_fts (rowid, id, title, outlet, text) "
                "SELECT a.key, a.id, a.title, a.outlet, a.text "
                "FROM fts_pending p JOIN articles a ON a.key = p.key"
            ).rowcount
            db.execute("DELETE FROM fts_pending")
        return n

    # -- signals and learned models ----------------------------------------------------

    def write_signals(self, rows: Iterable[tuple[int, list[dict[str, Any]]]]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO signals (article, data) VALUES (?, ?)",
            ((key, json.dumps(items, ensure_ascii=False)) for key, items in rows),
        )

    def signals_of(self, key: int) -> list[dict[str, Any]]:
        row = self.db.execute("SELECT data FROM signals WHERE article = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else []

    def save_model(self, name: str, data: Any) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO models (name, data) VALUES (?, ?)",
            (name, json.dumps(data, ensure_ascii=False)),
        )

    def models_version(self) -> tuple[int, int, int]:
        """Changes whenever a model is saved (a replaced row gets a new rowid)."""
        return self.db.execute(
            "SELECT count(*), coalesce(sum(rowid), 0), coalesce(sum(length(data)), 0) FROM models"
        ).fetchone()

    def load_model(self, name: str) -> Any | None:
        row = self.db.execute("SELECT data FROM models WHERE name = ?", (name,)).fetchone()
        return json.loads(row[0]) if row else None

    def outlet_texts_of(self, keys: Sequence[int]) -> list[tuple[int, str | None, str]]:
        """(key, outlet, text) of the given articles, in key order."""
        out: list[tuple[int, str | None, str]] = []
        for lo in range(0, len(keys), 500):
            chunk = list(keys[lo : lo + 500])
            marks = ",".join("?" * len(chunk))
            out += self.db.execute(
                f"SELECT key, outlet, text FROM articles WHERE key IN ({marks}) ORDER BY key",
                chunk,
            ).fetchall()
        return out

    def outlet_texts(
        self, copies: set[int] | None = None
    ) -> Iterator[tuple[str | None, str, bool]]:
        """(outlet, text, is a copy) for every article, in key order: a copy is one of
        ``copies`` when given, else the copy of a stored cross-outlet match."""
        if copies is not None:
            for key, outlet, text in self.db.execute(
                "SELECT key, outlet, text FROM articles ORDER BY key"
            ):
                yield outlet, text, key in copies
            return
        yield from self.db.execute(
            "SELECT a.outlet, a.text, EXISTS (SELECT 1 FROM matches m "
            "WHERE m.copy = a.key AND m.same_outlet = 0) FROM articles a ORDER BY a.key"
        )

    def keys(self) -> list[int]:
        """Every article's key, in ingest order."""
        return [k for (k,) in self.db.execute("SELECT key FROM articles ORDER BY key")]

    def match_pairs(self) -> list[tuple[int, int, bool, str | None, str | None]]:
        """(copy, source, same outlet, copy published, source published) of every match
        the lexical stage made (not the semantic stage's rewrites and translations), in
        key order; dates as stored (ISO 8601 or None)."""
        return self.db.execute(
            "SELECT m.copy, m.source, m.same_outlet, a.published, b.published FROM matches m "
            "JOIN articles a ON a.key = m.copy JOIN articles b ON b.key = m.source "
            f"WHERE m.relation NOT IN {_SEMANTIC_SQL} ORDER BY m.copy, m.source"
        ).fetchall()

    def semantic_pairs(self) -> set[tuple[int, int]]:
        """The pairs (lower key first) of the semantic stage's matches."""
        return {
            (min(c, s), max(c, s))
            for c, s in self.db.execute(
                f"SELECT copy, source FROM matches WHERE relation IN {_SEMANTIC_SQL}"
            )
        }

    def semantic_match_rows(self) -> list[tuple[int, int, bool, float, float, str]]:
        """(copy, source, same outlet, coverage, confidence, match JSON) of the semantic
        stage's matches, in (copy, source) order: the rows an engine's run exports and
        ``exchange.load_into_store`` takes back."""
        return [
            (c, s, bool(same), cov, conf, data)
            for c, s, same, cov, conf, data in self.db.execute(
                "SELECT copy, source, same_outlet, coverage, confidence, data FROM matches "
                f"WHERE relation IN {_SEMANTIC_SQL} ORDER BY copy, source"
            )
        ]

    def delete_matches(self, pairs: Iterable[tuple[int, int]]) -> None:
        """Forget the matches of these pairs, whichever article is the copy."""
        self.db.executemany(
            "DELETE FROM matches WHERE (copy = ?1 AND source = ?2) OR (copy = ?2 AND source = ?1)",
            list(pairs),
        )

    # -- matches --------------------------------------------------------------------

    def write_matches(self, rows: Iterable[tuple[int, int, SourceMatch]]) -> int:
        n = 0
        for copy, source, match in rows:
            self.db.execute("DELETE FROM matches WHERE copy = ? AND source = ?", (source, copy))
            self.db.execute(
                "INSERT OR REPLACE INTO matches (copy, source, same_outlet, relation, credit, "
                "coverage, confidence, data) VALUES (?,?,?,?,?,?,?,?)",
                (
                    copy,
                    source,
                    int(match.same_outlet),
                    match.relation,
                    match.credit,
                    match.coverage,
                    match.confidence,
                    json.dumps(match.to_json(), ensure_ascii=False),
                ),
            )
            n += 1
        return n

    def copies(
        self,
        *,
        include_same_outlet: bool = False,
        since: datetime | None = None,
        with_signals: bool = True,
    ) -> list[int]:
        """Keys of articles that have a source (or, with ``with_signals``, marks of copying
        seen alone), oldest first."""
        same = "" if include_same_outlet else " AND m.same_outlet = 0"
        sql = (
            "SELECT a.key FROM articles a WHERE (EXISTS (SELECT 1 FROM matches m "
            f"WHERE m.copy = a.key{same})"
        )
        if with_signals:
            sql += " OR EXISTS (SELECT 1 FROM signals s WHERE s.article = a.key AND s.data != '[]')"
        sql += ")"
        args: list[Any] = []
        if since is not None:
            sql += " AND a.published_ts >= ?"
            args.append(since.timestamp())
        sql += " ORDER BY coalesce(a.published_ts, 1e18), a.key"
        return [k for (k,) in self.db.execute(sql, args)]

    def matches_of(
        self, copy: int, *, include_same_outlet: bool = False
    ) -> list[tuple[int, dict[str, Any], bool]]:
        """(source key, match JSON, same outlet) for one copy, strongest first."""
        sql = "SELECT source, data, same_outlet FROM matches WHERE copy = ?"
        if not include_same_outlet:
            sql += " AND same_outlet = 0"
        sql += " ORDER BY coverage DESC, confidence DESC, source"
        return [(s, json.loads(d), bool(so)) for s, d, so in self.db.execute(sql, (copy,))]


@lru_cache(maxsize=4)
def _worker_store(path: str, pid: int) -> Store:
    return Store(path, readonly=True)


def worker_store(path: str | Path) -> Store:
    """A read-only store on ``path`` for a pool worker, opened once per process (the
    process id keys it: a connection is never used in a process forked after it was
    opened). Workers that read their own articles spare the main process loading and
    pickling them; they see what was committed."""
    return _worker_store(str(path), os.getpid())
