"""Findings: copies of the user's own outlets' articles by other outlets.

A finding is one (copy, source) match whose source outlet is one of the user's outlets
(``mine``) and whose copy is another outlet's, not dismissed by a reviewer. Licensed
copies are those of partner outlets (a partners file). Story families, when the store
has them, give the origin of a story; until then the direct source of each match is
taken as the origin.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from copydesk.errors import CopydeskError
from copydesk.store import Store

FINDING_FIELDS = (
    "copy", "copy_url", "outlet", "title", "published", "first_seen", "source",
    "source_outlet", "source_url", "relation", "credit", "coverage", "licensed", "key",
)  # fmt: skip


class SettingsError(CopydeskError, ValueError):
    pass


@dataclass(slots=True)
class Finding:
    copy: str
    copy_url: str | None
    outlet: str | None
    title: str | None
    published: str | None
    first_seen: str  # when the copy was first stored
    source: str
    source_outlet: str
    source_url: str | None
    relation: str
    credit: str
    coverage: float
    licensed: bool
    key: str  # copy, source and the copy's text: the same finding has the same key

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["coverage"] = round(self.coverage, 4)
        return out


# -- settings ---------------------------------------------------------------------------


def get_setting(store: Store, name: str) -> Any | None:
    row = store.db.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
    return json.loads(row[0]) if row else None


def set_setting(store: Store, name: str, value: Any) -> None:
    with store.transaction():
        store.db.execute(
            "INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)",
            (name, json.dumps(value, ensure_ascii=False)),
        )


def parse_outlets(text: str) -> list[str]:
    """``a.example,b.example`` as a list of lowercased outlets."""
    out = [o.strip().lower() for o in text.split(",") if o.strip()]
    if not out:
        raise SettingsError("--mine: give one outlet or more, separated by commas")
    return out


def load_partners(path: str | Path) -> list[str]:
    """A partners file: one outlet a line (CSV: the first column); # starts a comment."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read the partners file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{path}: the partners file is not UTF-8 text") from None
    out: list[str] = []
    for n, row in enumerate(csv.reader(lines), 1):
        if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
            continue
        outlet = row[0].strip().lower()
        if n == 1 and outlet == "outlet":
            continue  # a header
        if " " in outlet:
            raise SettingsError(f"{path}, line {n}: {outlet!r} is not an outlet (a domain)")
        out.append(outlet)
    return out


# -- findings ---------------------------------------------------------------------------


def findings(
    store: Store,
    mine: list[str],
    *,
    since: datetime | None = None,
    credit: str | None = None,
    partners: list[str] | None = None,
) -> list[Finding]:
    """The user's findings, newest first (by first seen, then published)."""
    if not mine:
        return []
    partner_set = {p.lower() for p in partners or []}
    marks = ",".join("?" * len(mine))
    sql = (
        "SELECT c.id, c.url, c.outlet, c.title, c.published, c.ingested_at, s.id, s.outlet, "
        "s.url, m.relation, m.credit, m.coverage, c.text_hash FROM matches m "
        "JOIN articles c ON c.key = m.copy JOIN articles s ON s.key = m.source "
        f"WHERE m.same_outlet = 0 AND lower(s.outlet) IN ({marks}) "
        f"AND lower(coalesce(c.outlet, '')) NOT IN ({marks}) "
        "AND m.copy NOT IN (SELECT key FROM dismissed)"
    )
    args: list[Any] = [o.lower() for o in mine] * 2
    if since is not None:
        sql += " AND coalesce(c.published_ts, 0) >= ?"
        args.append(since.timestamp())
    if credit is not None:
        sql += " AND m.credit = ?"
        args.append(credit)
    sql += " ORDER BY c.ingested_at DESC, coalesce(c.published_ts, 0) DESC, c.id, s.id"
    out = []
    for row in store.db.execute(sql, args):
        (cid, curl, coutlet, title, published, seen, sid, soutlet, surl, rel, cred, cov, th) = row
        out.append(
            Finding(
                copy=cid,
                copy_url=curl,
                outlet=coutlet,
                title=title,
                published=published,
                first_seen=seen,
                source=sid,
                source_outlet=soutlet,
                source_url=surl,
                relation=rel,
                credit=cred,
                coverage=cov,
                licensed=(coutlet or "").lower() in partner_set,
                key=f"{cid}\x1f{sid}\x1f{th}",
            )
        )
    return out


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
