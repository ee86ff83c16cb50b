"""Store tables of web ingestion: raw HTML kept for re-extraction, and watch's fetch state.

The tables come from the store's migration "web ingestion" (``schema``).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from copydesk.model import iso
from copydesk.store.sqlite import Store


def raw_pages(store: Store, batch: int = 256) -> Iterator[list[tuple[int, str, str | None]]]:
    """(article key, HTML, extractor) of every article read from a page, in batches."""
    last = 0
    while True:
        rows = store.db.execute(
            "SELECT article, html, extractor FROM raw_html WHERE article > ? "
            "ORDER BY article LIMIT ?",
            (last, batch),
        ).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        yield [(k, zlib.decompress(h).decode("utf-8", "replace"), e) for k, h, e in rows]


def raw_html_count(store: Store) -> int:
    return store.db.execute("SELECT count(*) FROM raw_html").fetchone()[0]


@dataclass(slots=True)
class FetchState:
    url: str
    kind: str
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    attempts: int = 0
    done: bool = False
    error: str | None = None


def fetch_state(store: Store, url: str) -> FetchState | None:
    row = store.db.execute(
        "SELECT url, kind, status, etag, last_modified, attempts, done, error "
        "FROM fetched WHERE url = ?",
        (url,),
    ).fetchone()
    if row is None:
        return None
    return FetchState(*row[:6], bool(row[6]), row[7])


def pages_done(store: Store, urls: list[str]) -> set[str]:
    """Those of ``urls`` already fetched (or given up on)."""
    done: set[str] = set()
    for lo in range(0, len(urls), 500):
        chunk = urls[lo : lo + 500]
        marks = ",".join("?" * len(chunk))
        done.update(
            u
            for (u,) in store.db.execute(
                f"SELECT url FROM fetched WHERE done = 1 AND url IN ({marks})", chunk
            )
        )
    return done


def save_fetch_states(store: Store, states: list[FetchState]) -> None:
    """Write fetch states (call inside a transaction to commit them with their articles)."""
    now = iso(datetime.now(UTC))
    store.db.executemany(
        "INSERT OR REPLACE INTO fetched (url, kind, status, etag, last_modified, attempts, "
        "done, error, fetched_at) VALUES (?,?,?,?,?,?,?,?,?)",
        [
            (s.url, s.kind, s.status, s.etag, s.last_modified, s.attempts, int(s.done),
             s.error, now)
            for s in states
        ],
    )  # fmt: skip
