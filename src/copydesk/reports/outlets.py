"""Outlet profiles: who lives on whose work, computed from the stored verdicts.

The unit of counting
--------------------
A **copy** is one (copy article, source outlet) pair: an article that reuses three articles
of the same outlet is one copy of that outlet, an article that reuses two outlets is one
copy of each. Its credit is the best credit any of those matches gives
(``credited`` > ``stripped`` > ``absent``: if the copy names the outlet anywhere, readers
were told), and its lag is the shortest ``copy.published - source.published`` among them
(the time since the latest of the reused articles appeared).

Only cross-outlet matches (``matches.same_outlet = 0``) count, unless
``include_same_outlet=True``: then an outlet's reuse of its own text counts too (and the
outlet appears among its own sources). Articles without an outlet are grouped under
:data:`UNKNOWN_OUTLET`; any two of them count as different outlets, as in the verdicts.

Everything is aggregated in SQLite with read-only ``SELECT`` statements over the
``articles``, ``matches`` and ``signals`` tables, inside one read transaction so that a
scan writing at the same time cannot make the numbers disagree. No article text is read,
and match JSON is parsed only for the rows that mention ``foreign_boilerplate``. (Needs
SQLite 3.35 or later: materialized CTEs and window functions.)
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from rich.markup import escape
from rich.table import Table

from copydesk.rights.partners import Partners
from copydesk.store import Store

UNKNOWN_OUTLET = "(no outlet)"

# When an outlet is flagged as content-farm-like (see ``farm_reasons``).
FLAG_MIN_ARTICLES = 5  # fewer articles than this say too little to flag
FLAG_REUSE_SHARE = 0.5  # ... at least this share of its articles copy other outlets
FLAG_UNCREDITED_RATE = 0.7  # ... and at least this share of its copies give no credit
FLAG_STRIPPED_RATE = 0.3  # or: the credit was cut out of at least this share of its copies
FLAG_BOILERPLATE_SHARE = 0.3  # or: this share of its articles carry other outlets' furniture

_CREDIT_RANK = "CASE m.credit WHEN 'credited' THEN 2 WHEN 'stripped' THEN 1 ELSE 0 END"

TopList = list[tuple[str, int, float]]


@dataclass(slots=True)
class OutletProfile:
    """One outlet's part in the copy network.

    - ``articles``: its stored articles.
    - ``reusing`` / ``reuse_share``: its articles that reuse another outlet's article, and
      their share of ``articles``.
    - ``reused`` / ``reused_share``: its articles that another outlet reuses, and share.
    - ``top_sources``: (source outlet, copies, share of ``reusing``): whom it copies. A copy
      article that reuses two outlets counts for each, so the shares can add up to more
      than 1.
    - ``top_copiers``: (copying outlet, copies, share of all copies of this outlet's work):
      who copies it.
    - ``credit``: over its copies of others, ``copies`` (the number of (copy article, source
      outlet) pairs), the counts ``credited``, ``stripped``, ``absent`` and the rates
      ``credited_rate``, ``stripped_rate``, ``absent_rate`` (None when it copies nothing).
    - ``median_lag_hours``: median hours between the source's publication and the copy's,
      over its copies where both dates are known; None if there is none.
    - ``first_publisher_rate``: of the stories this outlet shares with others, how often it
      was first. The stories it shares are its articles in any cross-outlet match, as copy
      or as source; it was first on those that other outlets copy and that reuse no earlier
      article themselves. None when it shares no story.
    - ``foreign_boilerplate``: its articles whose verdict carries a
      ``foreign_boilerplate`` item (another outlet's promo lines or captions), in the
      evidence of a stored match or among the article's signals (the ``signals`` table),
      so copies whose source is not in the collection count too.
    - ``flagged`` / ``reasons``: content-farm-like, and why, in sentences with numbers
      (see :func:`farm_reasons`). Always judged on cross-outlet copying, also when the
      profile was computed with ``include_same_outlet``.
    """

    outlet: str
    articles: int
    reusing: int = 0
    reuse_share: float = 0.0
    reused: int = 0
    reused_share: float = 0.0
    top_sources: TopList = field(default_factory=list)
    top_copiers: TopList = field(default_factory=list)
    credit: dict[str, Any] = field(default_factory=dict)
    median_lag_hours: float | None = None
    first_publisher_rate: float | None = None
    foreign_boilerplate: int = 0
    flagged: bool = False
    reasons: list[str] = field(default_factory=list)
    # Story families: how many start from this outlet (its article is the origin, or the
    # copies name it as the origin outside the collection), and over its versions of
    # stories that started elsewhere, how often it names the origin, cuts it or never did.
    family_origins: int = 0
    origin_credit: dict[str, int] = field(default_factory=dict)

    @property
    def copies(self) -> int:
        return int(self.credit.get("copies", 0))

    def to_json(self) -> dict[str, Any]:
        return {
            "outlet": self.outlet,
            "articles": self.articles,
            "reusing": self.reusing,
            "reuse_share": _round(self.reuse_share),
            "reused": self.reused,
            "reused_share": _round(self.reused_share),
            "top_sources": [
                {"outlet": o, "copies": n, "share": _round(s)} for o, n, s in self.top_sources
            ],
            "top_copiers": [
                {"outlet": o, "copies": n, "share": _round(s)} for o, n, s in self.top_copiers
            ],
            "credit": {k: _round(v) if isinstance(v, float) else v for k, v in self.credit.items()},
            "median_lag_hours": _round(self.median_lag_hours, 2),
            "first_publisher_rate": _round(self.first_publisher_rate),
            "foreign_boilerplate": self.foreign_boilerplate,
            "flagged": self.flagged,
            "reasons": list(self.reasons),
            "family_origins": self.family_origins,
            "origin_credit": dict(self.origin_credit),
        }


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _pct(value: float) -> str:
    return f"{value:.0%}"


def credit_summary(credited: int, stripped: int, absent: int) -> dict[str, Any]:
    """Counts and rates of credit over a number of copies."""
    copies = credited + stripped + absent
    return {
        "copies": copies,
        "credited": credited,
        "stripped": stripped,
        "absent": absent,
        "credited_rate": _share(credited, copies),
        "stripped_rate": _share(stripped, copies),
        "absent_rate": _share(absent, copies),
    }


def farm_reasons(profile: OutletProfile) -> list[str]:
    """Why ``profile`` looks like a content farm; empty if it does not.

    With at least ``FLAG_MIN_ARTICLES`` articles, any of:

    - at least half of its articles copy other outlets and at least 70% of its copies give
      no credit (credit stripped or absent: the engine reports ``absent`` until credit
      forensics can tell a removal);
    - the credit was cut out of at least 30% of its copies (``stripped``);
    - at least 30% of its articles carry other outlets' boilerplate.
    """
    if profile.articles < FLAG_MIN_ARTICLES:
        return []
    reasons: list[str] = []
    copies = profile.copies
    stripped = int(profile.credit.get("stripped", 0))
    uncredited = stripped + int(profile.credit.get("absent", 0))
    if (
        copies
        and profile.reuse_share >= FLAG_REUSE_SHARE
        and uncredited / copies >= FLAG_UNCREDITED_RATE
    ):
        reasons.append(
            f"{_pct(profile.reuse_share)} of its {profile.articles} articles copy other "
            f"outlets ({profile.reusing} articles), and {uncredited} of {copies} copies "
            "do not credit the source"
        )
    if copies and stripped / copies >= FLAG_STRIPPED_RATE:
        reasons.append(f"credit removed in {stripped} of {copies} copies")
    if profile.foreign_boilerplate / profile.articles >= FLAG_BOILERPLATE_SHARE:
        reasons.append(
            f"{profile.foreign_boilerplate} of its {profile.articles} articles "
            f"({_pct(profile.foreign_boilerplate / profile.articles)}) carry other outlets' "
            "boilerplate"
        )
    return reasons


# -- SQL ---------------------------------------------------------------------------------


@contextmanager
def _snapshot(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One read transaction around several SELECTs (a no-op inside the caller's own)."""
    if db.in_transaction:
        yield db
        return
    db.execute("BEGIN")
    try:
        yield db
    finally:
        db.execute("COMMIT")


def _where(include_same_outlet: bool, unlicensed: bool = False) -> str:
    # A copy a reviewer dismissed (its text unchanged since) counts for nobody. With
    # ``unlicensed``, neither does a copy its outlet holds a licence for (the SQL function
    # registered by _licences; ``c`` and ``s`` are the copy and the source).
    where = "m.copy NOT IN (SELECT key FROM dismissed)"
    if unlicensed:
        where += " AND NOT copydesk_licensed(c.outlet, s.outlet)"
    return where if include_same_outlet else f"m.same_outlet = 0 AND {where}"


# May this copier carry that outlet's stories?
Licensed = Callable[[str | None, str | None], bool]


@contextmanager
def _licences(
    db: sqlite3.Connection, partners: Partners, mine: list[str]
) -> Iterator[Licensed | None]:
    """Registers ``copydesk_licensed(copier, source)`` on ``db`` while in use; yields it
    as a function, or None when there is no licence at all."""

    def licensed(copier: str | None, source: str | None) -> bool:
        return partners.licensed(copier, source, mine)

    db.create_function("copydesk_licensed", 2, licensed, deterministic=True)
    try:
        yield licensed if partners else None
    finally:
        db.create_function("copydesk_licensed", 2, None)


def _outlet(value: str | None) -> str:
    return value or UNKNOWN_OUTLET


@dataclass(slots=True)
class EdgeStats:
    """Copies from one outlet (``copier``) of another (``source``), per (copy, outlet)."""

    copier: str
    source: str
    copies: int = 0
    credited: int = 0
    stripped: int = 0
    absent: int = 0
    median_lag_hours: float | None = None


# One statement, so that the join of every match with its two articles (the costly part:
# a random row lookup per source) is done once; ``base`` is materialized in memory and
# every result below is read from it.
_STATS_SQL = """
    WITH base AS MATERIALIZED (
        SELECT m.copy AS copy, m.source AS source,
               coalesce(c.outlet, '') AS copier, coalesce(s.outlet, '') AS origin,
               {credit_rank} AS credit, c.published_ts - s.published_ts AS lag
        FROM matches m
        JOIN articles c ON c.key = m.copy
        JOIN articles s ON s.key = m.source
        WHERE {where}
    ),
    pairs AS MATERIALIZED (
        SELECT copy, copier, origin, max(credit) AS credit, min(lag) AS lag
        FROM base GROUP BY copy, origin
    ),
    lags AS MATERIALIZED (
        SELECT copier, origin, lag,
               row_number() OVER edge AS rn, count(*) OVER edge AS n,
               row_number() OVER outlet AS rn_all, count(*) OVER outlet AS n_all
        FROM pairs WHERE lag IS NOT NULL
        WINDOW edge AS (PARTITION BY copier, origin ORDER BY lag
                        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING),
               outlet AS (PARTITION BY copier ORDER BY lag
                          ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
    ),
    roles AS (
        SELECT k, outlet, max(is_copy) AS is_copy, max(is_source) AS is_source FROM (
            SELECT copy AS k, copier AS outlet, 1 AS is_copy, 0 AS is_source FROM base
            UNION ALL
            SELECT source, origin, 0, 1 FROM base
        ) GROUP BY k
    )
    SELECT 'edge', copier, origin, count(*),
           sum(credit = 2), sum(credit = 1), sum(credit = 0), NULL
    FROM pairs GROUP BY copier, origin
    UNION ALL
    SELECT 'edge_lag', copier, origin, NULL, NULL, NULL, NULL, avg(lag)
    FROM lags WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY copier, origin
    UNION ALL
    SELECT 'copier_lag', copier, NULL, NULL, NULL, NULL, NULL, avg(lag)
    FROM lags WHERE rn_all IN ((n_all + 1) / 2, (n_all + 2) / 2) GROUP BY copier
    UNION ALL
    SELECT 'roles', outlet, NULL, sum(is_copy), sum(is_source),
           sum(is_source = 1 AND is_copy = 0), count(*), NULL
    FROM roles GROUP BY outlet
"""


@dataclass(slots=True)
class _Stats:
    edges: dict[tuple[str, str], EdgeStats]
    copier_lag: dict[str, float]  # hours
    roles: dict[str, tuple[int, int, int, int]]  # reusing, reused, first, involved


def _stats(db: sqlite3.Connection, include_same_outlet: bool, unlicensed: bool = False) -> _Stats:
    """Copy edges (copier, source outlet) with credit counts and median lags, each copier's
    median lag, and each outlet's articles by role in cross-outlet reuse."""
    where = _where(include_same_outlet, unlicensed)
    sql = _STATS_SQL.format(credit_rank=_CREDIT_RANK, where=where)
    out = _Stats({}, {}, {})
    lags: dict[tuple[str, str], float] = {}
    for kind, a, b, n1, n2, n3, n4, lag in db.execute(sql):
        outlet = _outlet(a)
        if kind == "edge":
            key = (outlet, _outlet(b))
            out.edges[key] = EdgeStats(key[0], key[1], n1, n2, n3, n4)
        elif kind == "edge_lag":
            lags[(outlet, _outlet(b))] = lag / 3600.0
        elif kind == "copier_lag":
            out.copier_lag[outlet] = lag / 3600.0
        else:  # roles; '' and NULL outlets were merged by coalesce
            out.roles[outlet] = (n1, n2, n3, n4)
    for key, lag in lags.items():
        if key in out.edges:
            out.edges[key].median_lag_hours = lag
    return out


def _has_boilerplate(
    data: str, outlet: str | None = None, licensed: Licensed | None = None
) -> bool:
    """Does the evidence carry another outlet's boilerplate (one ``outlet`` holds no
    licence for)?"""
    try:
        obj = json.loads(data)
    except ValueError:
        return False
    if isinstance(obj, dict):  # a match: its evidence (and signals, should it carry them)
        items = [*(obj.get("evidence") or []), *(obj.get("signals") or [])]
    else:  # a row of the signals table: a list of evidence items
        items = obj if isinstance(obj, list) else []
    return any(
        isinstance(e, dict)
        and e.get("kind") == "foreign_boilerplate"
        and not (licensed and licensed(outlet, e.get("outlet_of_origin")))
        for e in items
    )


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return db.execute(sql, (name,)).fetchone() is not None


def _boilerplate(
    db: sqlite3.Connection, include_same_outlet: bool, licensed: Licensed | None = None
) -> dict[str, int]:
    """Per outlet: its articles with a ``foreign_boilerplate`` item among the evidence of
    their matches (as copy) or among their lone-article signals (``signals`` table: this
    finds the copies whose source is not in the collection too).

    ``instr`` keeps the JSON parsing to the few rows that can hold one.
    """
    queries = [
        f"""SELECT m.copy, c.outlet, m.data FROM matches m JOIN articles c ON c.key = m.copy
            JOIN articles s ON s.key = m.source
            WHERE {_where(include_same_outlet, licensed is not None)}
            AND instr(m.data, 'foreign_boilerplate') > 0"""
    ]
    if _has_table(db, "signals"):
        queries.append(
            """SELECT s.article, a.outlet, s.data FROM signals s JOIN articles a
               ON a.key = s.article WHERE instr(s.data, 'foreign_boilerplate') > 0"""
        )
    seen: dict[str, set[int]] = defaultdict(set)
    for sql in queries:
        for key, outlet, data in db.execute(sql):
            if _has_boilerplate(data, outlet, licensed):
                seen[_outlet(outlet)].add(key)
    return {outlet: len(keys) for outlet, keys in seen.items()}


def _article_counts(db: sqlite3.Connection) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for outlet, n in db.execute("SELECT outlet, count(*) FROM articles GROUP BY outlet"):
        counts[_outlet(outlet)] += n
    return dict(counts)


def _top(items: Iterable[tuple[str, int]], whole: int, top: int | None) -> TopList:
    ranked = sorted(items, key=lambda item: (-item[1], item[0]))
    if top is not None:
        ranked = ranked[:top]
    return [(name, n, n / whole if whole else 0.0) for name, n in ranked]


def _compute(
    db: sqlite3.Connection,
    counts: dict[str, int],
    include_same_outlet: bool,
    top: int | None,
    licensed: Licensed | None = None,
) -> tuple[list[OutletProfile], list[EdgeStats]]:
    stats = _stats(db, include_same_outlet, licensed is not None)
    edges, copier_lag, roles = stats.edges, stats.copier_lag, stats.roles
    boilerplate = _boilerplate(db, include_same_outlet, licensed)

    sources: dict[str, list[tuple[str, int]]] = defaultdict(list)
    copiers: dict[str, list[tuple[str, int]]] = defaultdict(list)
    credit: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for e in edges.values():
        sources[e.copier].append((e.source, e.copies))
        copiers[e.source].append((e.copier, e.copies))
        totals = credit[e.copier]
        totals[0] += e.credited
        totals[1] += e.stripped
        totals[2] += e.absent

    profiles = []
    for outlet in set(counts) | set(roles) | set(sources) | set(copiers):
        n = counts.get(outlet, 0)
        reusing, reused, first, involved = roles.get(outlet, (0, 0, 0, 0))
        copied_total = sum(c for _, c in copiers.get(outlet, []))
        profiles.append(
            OutletProfile(
                outlet=outlet,
                articles=n,
                reusing=reusing,
                reuse_share=reusing / n if n else 0.0,
                reused=reused,
                reused_share=reused / n if n else 0.0,
                top_sources=_top(sources.get(outlet, []), reusing, top),
                top_copiers=_top(copiers.get(outlet, []), copied_total, top),
                credit=credit_summary(*credit.get(outlet, [0, 0, 0])),
                median_lag_hours=copier_lag.get(outlet),
                first_publisher_rate=_share(first, involved),
                foreign_boilerplate=boilerplate.get(outlet, 0),
            )
        )
    profiles.sort(key=lambda p: (-p.articles, p.outlet))
    return profiles, sorted(edges.values(), key=lambda e: (-e.copies, e.copier, e.source))


def collect(
    store: Store,
    *,
    include_same_outlet: bool = False,
    top: int | None = 5,
    partners: Partners | None = None,
) -> tuple[list[OutletProfile], list[EdgeStats]]:
    """Outlet profiles and the copy edges between outlets, from one read snapshot.

    The content-farm flag always judges cross-outlet copying: an outlet's reuse of its own
    footer or its updated stories, counted with ``include_same_outlet``, never flags it;
    nor does a copy its outlet holds a licence for (``partners``, else the store's
    ``partners`` setting; see :mod:`copydesk.rights.partners`).
    """
    if partners is None:
        partners = Partners.from_setting(store.setting("partners"))
    mine = list(store.setting("mine") or [])
    with _snapshot(store.db) as db, _licences(db, partners, mine) as licensed:
        counts = _article_counts(db)
        profiles, edges = _compute(db, counts, include_same_outlet, top)
        judged = (
            _compute(db, counts, False, 0, licensed)[0]
            if include_same_outlet or licensed
            else profiles
        )
    reasons = {p.outlet: farm_reasons(p) for p in judged}
    origins, credit = _family_counts(store)
    for p in profiles:
        p.reasons = reasons.get(p.outlet, [])
        p.flagged = bool(p.reasons)
        p.family_origins = origins.get(p.outlet, 0)
        p.origin_credit = credit.get(p.outlet, {"credited": 0, "stripped": 0, "absent": 0})
        versions = sum(p.origin_credit.values())
        if p.flagged and p.origin_credit["stripped"]:
            p.reasons.append(
                f"cut the origin's name from {p.origin_credit['stripped']} of its {versions} "
                "versions of stories that started elsewhere"
            )
    return profiles, edges


def _family_counts(store: Store) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Per outlet: families it is the origin of, and its versions' origin credit."""
    import json

    origins: dict[str, int] = {}
    credit: dict[str, dict[str, int]] = {}
    try:
        rows = store.db.execute("SELECT data FROM families").fetchall()
    except sqlite3.OperationalError:  # a store from before families
        return origins, credit
    for (data,) in rows:
        fam = json.loads(data)
        outlet = fam["origin"]["outlet"]
        if outlet:
            origins[outlet] = origins.get(outlet, 0) + 1
        for node in fam["tree"]:
            oc = node.get("origin_credit")
            if oc and node.get("outlet"):
                per = credit.setdefault(node["outlet"], {"credited": 0, "stripped": 0, "absent": 0})
                per[oc] += 1
    return origins, credit


def outlet_profiles(
    store: Store, *, include_same_outlet: bool = False, top: int | None = 5
) -> list[OutletProfile]:
    """Every outlet's profile, most articles first (ties by name).

    ``top`` limits ``top_sources`` and ``top_copiers`` to that many outlets (None: all).
    """
    profiles, _ = collect(store, include_same_outlet=include_same_outlet, top=top)
    return profiles


# -- output ------------------------------------------------------------------------------


def _tops(items: TopList) -> str:
    return ";".join(f"{name}:{n}" for name, n, _ in items)


def _hours(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} d"


def _rate(value: float | None) -> str:
    return "—" if value is None else _pct(value)


def _credit_cell(p: OutletProfile) -> str:
    if not p.copies:
        return "—"
    parts = []
    for kind, style in (("credited", "green"), ("stripped", "bold red"), ("absent", "")):
        n = p.credit[kind]
        if n:
            parts.append(f"[{style}]{n} {kind}[/]" if style else f"{n} {kind}")
    return "\n".join(parts)


def profiles_table(profiles: Iterable[OutletProfile], *, title: str | None = None) -> Table:
    """A terminal table, one row per outlet. Flagged (content-farm-like) outlets are in red,
    and the caption under the table gives the reasons for each."""
    profiles = list(profiles)
    flagged = [p for p in profiles if p.flagged]
    caption = None
    if flagged:
        lines = ["[bold red]flagged as content-farm-like:[/]"]
        lines += [f"[bold]{escape(p.outlet)}[/]: {escape('; '.join(p.reasons))}" for p in flagged]
        caption = "\n".join(lines)
    table = Table(
        title=title or f"{len(profiles)} outlets, {len(flagged)} flagged as content-farm-like",
        caption=caption,
        caption_justify="left",
        header_style="bold",
    )
    table.add_column("outlet", overflow="fold")
    table.add_column("articles", justify="right")
    table.add_column("reusing", justify="right")
    table.add_column("reused", justify="right")
    table.add_column("copies from", overflow="fold")
    table.add_column("copied by", overflow="fold")
    table.add_column("credit", justify="right")
    table.add_column("median lag", justify="right")
    table.add_column("first", justify="right")
    table.add_column("flag")
    for p in profiles:
        name = escape(p.outlet)
        table.add_row(
            f"[bold red]{name}[/]" if p.flagged else name,
            str(p.articles),
            f"{p.reusing} ({_pct(p.reuse_share)})" if p.reusing else "0",
            f"{p.reused} ({_pct(p.reused_share)})" if p.reused else "0",
            escape("\n".join(f"{o} {n}" for o, n, _ in p.top_sources)),
            escape("\n".join(f"{o} {n}" for o, n, _ in p.top_copiers)),
            _credit_cell(p),
            _hours(p.median_lag_hours),
            _rate(p.first_publisher_rate),
            "[bold red]flagged[/]" if p.flagged else "",
        )
    return table


PROFILE_CSV_COLUMNS = (
    "outlet",
    "articles",
    "reusing",
    "reuse_share",
    "reused",
    "reused_share",
    "top_sources",
    "top_copiers",
    "copies",
    "credited",
    "stripped",
    "absent",
    "credited_rate",
    "stripped_rate",
    "absent_rate",
    "median_lag_hours",
    "first_publisher_rate",
    "foreign_boilerplate",
    "flagged",
    "reasons",
)


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: empty for None, true/false, floats to 4 places."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return round(value, 4)
    return value


def write_profiles_csv(profiles: Iterable[OutletProfile], fh: IO[str]) -> None:
    """One row per outlet (columns in ``PROFILE_CSV_COLUMNS``), lines ending in ``\\n``.

    ``top_sources`` and ``top_copiers`` are ``outlet:copies`` joined by ``;``
    (``a.com:5;b.com:2``), ``reasons`` are joined by ``; ``, empty cells mean "none".
    """
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(PROFILE_CSV_COLUMNS)
    for p in profiles:
        row = {
            **p.to_json(),
            **{k: p.credit.get(k) for k in ("copies", "credited", "stripped", "absent")},
            **{k: p.credit.get(k) for k in ("credited_rate", "stripped_rate", "absent_rate")},
            "top_sources": _tops(p.top_sources),
            "top_copiers": _tops(p.top_copiers),
            "median_lag_hours": _round(p.median_lag_hours, 2),
            "reasons": "; ".join(p.reasons),
        }
        writer.writerow([csv_cell(row[c]) for c in PROFILE_CSV_COLUMNS])


__all__ = [
    "FLAG_BOILERPLATE_SHARE",
    "FLAG_MIN_ARTICLES",
    "FLAG_REUSE_SHARE",
    "FLAG_STRIPPED_RATE",
    "FLAG_UNCREDITED_RATE",
    "PROFILE_CSV_COLUMNS",
    "UNKNOWN_OUTLET",
    "EdgeStats",
    "OutletProfile",
    "collect",
    "credit_summary",
    "farm_reasons",
    "outlet_profiles",
    "profiles_table",
    "write_profiles_csv",
]
