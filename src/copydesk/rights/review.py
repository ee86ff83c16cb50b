"""Reviews: a person confirms or dismisses an article's verdict, with a note.

The history is kept whole. A dismissal holds while the article's text is the one it was
made on (the ``dismissed`` view of the store): a changed text is judged afresh.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import IO, Any

from copydesk.errors import CopydeskError
from copydesk.model import iso
from copydesk.store import Store

ACTIONS = ("confirm", "dismiss")


class ReviewError(CopydeskError, ValueError):
    pass


@dataclass(slots=True)
class Review:
    id: int
    article: str
    text_hash: str
    action: str  # confirm | dismiss
    note: str
    reviewer: str
    at: str  # ISO 8601, UTC
    current: bool = True  # made on the article's present text

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def add_review(
    store: Store, article_id: str, action: str, *, reviewer: str, note: str = "",
    now: datetime | None = None,
) -> Review:  # fmt: skip
    if action not in ACTIONS:
        raise ReviewError(f"action: {action!r} is not confirm or dismiss")
    if not reviewer.strip():
        raise ReviewError("reviewer: a name is needed (who reviewed it)")
    stored = store.article(article_id)
    if stored is None:
        raise ReviewError(f"no article with id {article_id!r}")
    (text_hash,) = store.db.execute(
        "SELECT text_hash FROM articles WHERE key = ?", (stored.key,)
    ).fetchone()
    at = iso((now or datetime.now(UTC)).replace(microsecond=0))
    with store.transaction():
        cur = store.db.execute(
            "INSERT INTO reviews (article, text_hash, action, note, reviewer, at) "
            "VALUES (?,?,?,?,?,?)",
            (article_id, text_hash, action, note, reviewer.strip(), at),
        )
    return Review(cur.lastrowid or 0, article_id, text_hash, action, note, reviewer.strip(), at)


_SELECT = (
    "SELECT r.id, r.article, r.text_hash, r.action, r.note, r.reviewer, r.at, "
    "coalesce(a.text_hash = r.text_hash, 0) FROM reviews r LEFT JOIN articles a ON a.id = r.article"
)


def reviews(store: Store, article_id: str | None = None) -> list[Review]:
    """The review history, oldest first (of one article, or all)."""
    if article_id is None:
        rows = store.db.execute(_SELECT + " ORDER BY r.id")
    else:
        rows = store.db.execute(_SELECT + " WHERE r.article = ? ORDER BY r.id", (article_id,))
    return [Review(*row[:7], current=bool(row[7])) for row in rows]


def status(store: Store, article_id: str) -> Review | None:
    """The review in force: the latest, if made on the present text."""
    history = reviews(store, article_id)
    return history[-1] if history and history[-1].current else None


def is_dismissed(store: Store, article_id: str) -> bool:
    row = store.db.execute(
        "SELECT 1 FROM dismissed d JOIN articles a ON a.key = d.key WHERE a.id = ?",
        (article_id,),
    ).fetchone()
    return row is not None


def dismissed_keys(store: Store) -> set[int]:
    return {k for (k,) in store.db.execute("SELECT key FROM dismissed")}


FIELDS = ("id", "article", "text_hash", "action", "note", "reviewer", "at", "current")


def write_reviews(items: list[Review], handle: IO[str], *, as_csv: bool) -> None:
    if as_csv:
        writer = csv.writer(handle)
        writer.writerow(FIELDS)
        for r in items:
            writer.writerow([getattr(r, f) for f in FIELDS])
    else:
        for r in items:
            handle.write(json.dumps(r.to_json(), ensure_ascii=False) + "\n")
