"""Read-only SQL the web app needs beyond ``Desk``: article search and who reuses whom."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from copydesk.rights.filters import CREDITS, RELATIONS, VerdictFilter
from copydesk.store import Store

__all__ = ["CREDITS", "MAX_OFFSET", "RELATIONS", "Filters", "end_bound", "search"]

MAX_LIMIT = 200
MAX_OFFSET = 1_000_000_000  # beyond SQLite's reach it would be a 500, not an empty page


def end_bound(value: datetime | None, given: str | None) -> datetime | None:
    """A date without a time as an end bound means the whole of that day."""
    if value is not None and given is not None and len(given.strip()) == 10:
        return value + timedelta(days=1)
    return value


HIT_OPEN, HIT_CLOSE = "\x02", "\x03"  # snippet markers; never in stored text after escaping
_TERM = re.compile(r"\w+", re.UNICODE)


@dataclass(slots=True)
class Filters(VerdictFilter):
    """What the search page and ``GET /api/articles`` filter on: the verdict filters of
    the command line and a full-text query."""

    q: str | None = None


@dataclass(slots=True)
class Hit:
    id: str
    url: str | None
    outlet: str | None
    title: str | None
    published: str | None
    relation: str | None  # the strongest cross-outlet match as a copy, if any
    credit: str | None
    sources: int
    reused: int  # articles of other outlets that reuse this one
    marked: bool  # shows marks of copying on its own (signals)
    snippet: str | None = None  # with HIT_OPEN / HIT_CLOSE around matched terms

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "outlet": self.outlet,
            "title": self.title,
            "published": self.published,
            "relation": self.relation,
            "credit": self.credit,
            "sources": self.sources,
            "reused_by": self.reused,
            "signals": self.marked,
        }


@dataclass(slots=True)
class Page:
    total: int
    limit: int
    offset: int
    items: list[Hit] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            "items": [h.to_json() for h in self.items],
        }


def fts_query(q: str) -> str | None:
    """User words as a safe FTS5 query: every word must occur (the last as a prefix);
    FTS5 syntax in the input (quotes, NEAR, column filters, ``*``) is taken literally."""
    terms = _TERM.findall(q)
    if not terms:
        return None
    quoted = [f'"{t}"' for t in terms]
    quoted[-1] += "*"
    return " ".join(quoted)


def search(store: Store, f: Filters, *, limit: int = 20, offset: int = 0) -> Page:
    """Articles matching ``f``: by relevance with a query, else newest first."""
    match = fts_query(f.q) if f.q else None
    if f.q and match is None:
        return Page(0, limit, offset)
    where, args = f.sql("a")
    cond = (" WHERE " + " AND ".join(where)) if where else ""
    if match:
        store.sync_search_index()
        in_fts = "a.key IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
        count_sql = f"SELECT count(*) FROM articles a WHERE {' AND '.join([in_fts, *where])}"
        total = store.db.execute(count_sql, [match, *args]).fetchone()[0]
    else:
        total = store.db.execute(f"SELECT count(*) FROM articles a{cond}", args).fetchone()[0]
    best = (
        "(SELECT m.{col} FROM matches m WHERE m.copy = a.key AND m.same_outlet = 0 "
        "ORDER BY m.coverage DESC, m.confidence DESC LIMIT 1)"
    )
    cols = (
        "a.key, a.id, a.url, a.outlet, a.title, a.published, "
        f"{best.format(col='relation')}, {best.format(col='credit')}, "
        "(SELECT count(*) FROM matches m WHERE m.copy = a.key AND m.same_outlet = 0), "
        "(SELECT count(*) FROM matches m WHERE m.source = a.key AND m.same_outlet = 0), "
        "EXISTS (SELECT 1 FROM signals s WHERE s.article = a.key AND s.data != '[]')"
    )
    if match:
        sql = (
            f"SELECT {cols}, snippet(articles_fts, 3, ?, ?, ' … ', 24) FROM articles_fts "
            f"JOIN articles a ON a.key = articles_fts.rowid{cond} "
            f"{'AND' if cond else 'WHERE'} articles_fts MATCH ? "
            "ORDER BY bm25(articles_fts, 5.0, 10.0, 2.0, 1.0), a.key LIMIT ? OFFSET ?"
        )
        rows = store.db.execute(sql, [HIT_OPEN, HIT_CLOSE, *args, match, limit, offset]).fetchall()
    else:
        sql = (
            f"SELECT {cols}, NULL FROM articles a{cond} "
            "ORDER BY coalesce(a.published_ts, -1e18) DESC, a.key DESC LIMIT ? OFFSET ?"
        )
        rows = store.db.execute(sql, [*args, limit, offset]).fetchall()
    items = [Hit(*row[1:10], bool(row[10]), row[11]) for row in rows]
    return Page(total, limit, offset, items)


def outlets(store: Store) -> list[str]:
    return [
        o for (o,) in store.db.execute("SELECT DISTINCT outlet FROM articles ORDER BY outlet") if o
    ]


def reused_by(store: Store, article_id: str) -> list[dict[str, Any]]:
    """The articles that reuse ``article_id`` (cross-outlet), strongest first."""
    sql = (
        "SELECT c.id, c.outlet, c.title, c.published, m.relation, m.credit, m.coverage "
        "FROM articles s JOIN matches m ON m.source = s.key JOIN articles c ON c.key = m.copy "
        "WHERE s.id = ? AND m.same_outlet = 0 ORDER BY m.coverage DESC, c.key"
    )
    keys = ("id", "outlet", "title", "published", "relation", "credit", "coverage")
    return [dict(zip(keys, row, strict=True)) for row in store.db.execute(sql, (article_id,))]


@dataclass(slots=True)
class TimelineItem:
    id: str
    title: str | None
    ts: float
    lane: str  # "original", "copied" (reused by others), "copy" (reuses another outlet),
    # "marked" (reuses nothing stored but shows marks of copying)


def outlet_timeline(store: Store, outlet: str) -> list[TimelineItem]:
    """Every dated article of ``outlet`` with its lane; undated articles are left out."""
    sql = (
        "SELECT a.id, a.title, a.published_ts, "
        "EXISTS (SELECT 1 FROM matches m WHERE m.copy = a.key AND m.same_outlet = 0), "
        "EXISTS (SELECT 1 FROM matches m WHERE m.source = a.key AND m.same_outlet = 0), "
        "EXISTS (SELECT 1 FROM signals s WHERE s.article = a.key AND s.data != '[]') "
        "FROM articles a WHERE a.outlet = ? AND a.published_ts IS NOT NULL "
        "ORDER BY a.published_ts"
    )
    out = []
    for id_, title, ts, is_copy, is_copied, marked in store.db.execute(sql, (outlet,)):
        lane = "copy" if is_copy else "marked" if marked else "copied" if is_copied else "original"
        out.append(TimelineItem(id_, title, ts, lane))
    return out


def outlet_articles(store: Store, outlet: str, limit: int = 200) -> list[Hit]:
    return search(store, Filters(outlet=outlet), limit=limit).items
