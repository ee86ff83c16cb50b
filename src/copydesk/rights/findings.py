"""Findings: copies of the user's own outlets' stories by other outlets.

A finding is one version, by another outlet, of a story family whose origin is one of the
user's outlets (``mine``): the origin article in the collection, or the user's outlet
named by the copies as the origin outside it. Its ``credit`` is the copy's origin credit
(judged against the origin, not against the version it took from). A copy a reviewer
dismissed is no finding until its text changes. Licensed copies are those a partners
file allows (see :mod:`copydesk.rights.partners`).
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import IO, Any

from copydesk.engines.families import stored_families
from copydesk.rights.partners import Partners, SettingsError, load_partners, parse_partners
from copydesk.store import Store

__all__ = [
    "FINDING_FIELDS", "Finding", "Partners", "SettingsError", "findings", "get_setting",
    "load_partners", "parse_outlets", "parse_partners", "set_setting", "write_findings",
]  # fmt: skip

FINDING_FIELDS = (
    "copy", "copy_url", "outlet", "title", "published", "first_seen", "source",
    "source_outlet", "source_url", "took_from", "relation", "credit", "coverage", "licensed",
    "family", "key",
)  # fmt: skip


@dataclass(slots=True)
class Finding:
    copy: str
    copy_url: str | None
    outlet: str | None
    title: str | None
    published: str | None
    first_seen: str  # when the copy was first stored
    source: str | None  # the origin article; None when the origin is outside the collection
    source_outlet: str  # the origin's outlet: one of the user's
    source_url: str | None
    took_from: str | None  # the version the copy took its text from
    relation: str | None  # of the copy's match with the origin (else with took_from)
    credit: str  # origin credit: credited | stripped | absent
    coverage: float | None
    licensed: bool
    family: str
    key: str  # copy, origin and the copy's text: the same finding has the same key

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["coverage"] = None if self.coverage is None else round(self.coverage, 4)
        return out


# -- settings ---------------------------------------------------------------------------


def get_setting(store: Store, name: str) -> Any | None:
    return store.setting(name)


def set_setting(store: Store, name: str, value: Any) -> None:
    store.set_setting(name, value)


def parse_outlets(text: str) -> list[str]:
    """``a.example,b.example`` as a list of lowercased outlets."""
    out = [o.strip().lower() for o in text.split(",") if o.strip()]
    if not out:
        raise SettingsError("--mine: give one outlet or more, separated by commas")
    return out


# -- findings ---------------------------------------------------------------------------


def findings(
    store: Store,
    mine: list[str],
    *,
    since: datetime | None = None,
    credit: str | None = None,
    partners: Partners | None = None,
) -> list[Finding]:
    """The user's findings, newest first (by first seen, then published, then id)."""
    own = {o.lower().removeprefix("www.") for o in mine}
    if not own:
        return []
    partners = partners or Partners()
    dismissed = {k for (k,) in store.db.execute("SELECT key FROM dismissed")}
    out: list[tuple[tuple[Any, ...], Finding]] = []
    for fam in stored_families(store):
        origin_outlet = (fam.origin.outlet or "").lower().removeprefix("www.")
        if origin_outlet not in own:
            continue
        origin = _row(store, fam.origin.article) if fam.origin.article else None
        for node in fam.nodes.values():
            outlet = (node.outlet or "").lower().removeprefix("www.")
            if node.id == fam.origin.article or not node.origin_credit or outlet in own:
                continue
            if credit is not None and node.origin_credit != credit:
                continue
            copy = _row(store, node.id)
            if copy is None or copy.key in dismissed:
                continue
            if since is not None and (
                copy.published_ts is None or copy.published_ts < since.timestamp()
            ):
                continue
            match = _match_with(store, copy.key, [fam.origin.article, node.took_from])
            licensed = partners.licensed(copy.outlet, origin_outlet, own) or partners.licensed(
                copy.outlet, _outlet_of(fam, node.took_from), own
            )
            finding = Finding(
                copy=copy.id,
                copy_url=copy.url,
                outlet=copy.outlet,
                title=copy.title,
                published=copy.published,
                first_seen=copy.ingested_at,
                source=fam.origin.article,
                source_outlet=fam.origin.outlet or origin_outlet,
                source_url=origin.url if origin else None,
                took_from=node.took_from,
                relation=match[0] if match else None,
                credit=node.origin_credit,
                coverage=match[1] if match else None,
                licensed=licensed,
                family=fam.id,
                key=f"{copy.id}\x1f{fam.origin.article or origin_outlet}\x1f{copy.text_hash}",
            )
            out.append(((copy.ingested_at, copy.published_ts or 0.0, copy.id), finding))
    out.sort(key=lambda item: item[0], reverse=True)
    return [f for _, f in out]


def _outlet_of(fam: Any, article: str | None) -> str | None:
    node = fam.nodes.get(article) if article else None
    return node.outlet if node else None


@dataclass(slots=True, frozen=True)
class _Row:
    key: int
    id: str
    url: str | None
    outlet: str | None
    title: str | None
    published: str | None
    published_ts: float | None
    ingested_at: str
    text_hash: str


def _row(store: Store, article_id: str) -> _Row | None:
    row = store.db.execute(
        "SELECT key, id, url, outlet, title, published, published_ts, ingested_at, text_hash "
        "FROM articles WHERE id = ?",
        (article_id,),
    ).fetchone()
    return _Row(*row) if row else None


def _match_with(store: Store, copy: int, sources: list[str | None]) -> tuple[str, float] | None:
    """(relation, coverage) of the copy's stored match with the first of ``sources`` it
    has one with, else its best match."""
    rows = store.db.execute(
        "SELECT s.id, m.relation, m.coverage FROM matches m JOIN articles s "
        "ON s.key = m.source WHERE m.copy = ? ORDER BY m.coverage DESC, s.id",
        (copy,),
    ).fetchall()
    by_source = {sid: (rel, cov) for sid, rel, cov in rows}
    for sid in sources:
        if sid in by_source:
            return by_source[sid]
    return (rows[0][1], rows[0][2]) if rows else None


def write_findings(items: list[Finding], handle: IO[str], *, as_csv: bool) -> None:
    if as_csv:
        writer = csv.writer(handle)
        writer.writerow(FINDING_FIELDS)
        for f in items:
            row = f.to_json()
            writer.writerow(["yes" if row[k] is True else "no" if row[k] is False else row[k]
                             for k in FINDING_FIELDS])  # fmt: skip
    else:
        for f in items:
            handle.write(json.dumps(f.to_json(), ensure_ascii=False) + "\n")
