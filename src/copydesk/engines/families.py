"""Story families kept in the store: rebuilt after each scan from the stored matches.

The families are a function of the stored collection alone (its articles, their verdicts'
links and signals, the agencies and aliases in use): a scan recomputes the components of
all links, and rebuilds only the families whose signature (what they are built from)
changed, so one scan of everything and many small scans give the same families.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from copydesk.batches import batches
from copydesk.families import (
    Agency,
    Family,
    Link,
    Member,
    Registry,
    build_family,
    builtin_agencies,
    components,
    merge_agencies,
)
from copydesk.forensics.aliases import merge
from copydesk.forensics.boilerplate import FOREIGN, BoilerplateModel, find_boilerplate
from copydesk.forensics.furniture import (
    COPY,
    QUOTE,
    Span,
    classify_link,
    credited_names,
    passage_key,
)
from copydesk.model import Article
from copydesk.store import Store, worker_store
from copydesk.store.sqlite import StoredArticle, text_hash


def agencies_of(store: Store) -> list[Agency]:
    """The shipped agencies, extended by the ones a user added to this store."""
    user = store.load_model("user_agencies") or []
    return merge_agencies(builtin_agencies(), [Agency(o, tuple(f)) for o, f in user])


def add_agencies(store: Store, agencies: list[Agency]) -> None:
    """Keep a user's agencies in the store (``--agencies FILE``); the next scan uses them."""
    current = store.load_model("user_agencies") or []
    merged = merge_agencies([Agency(o, tuple(f)) for o, f in current], agencies)
    with store.transaction():
        store.save_model("user_agencies", [[a.outlet, list(a.forms)] for a in merged])


def registry_of(store: Store) -> Registry:
    """Agencies, then the collection's outlets with the names they go by."""
    aliases = merge(store.load_model("aliases") or {}, store.load_model("user_aliases") or {})
    names: dict[str, set[str]] = defaultdict(set)
    for outlet, name in store.db.execute(
        "SELECT DISTINCT outlet, outlet_name FROM articles WHERE outlet IS NOT NULL"
    ):
        names[outlet]
        if name:
            names[outlet].add(name)
    for outlet, more in aliases.items():
        if outlet in names:
            names[outlet].update(more)
    outlets = [(o, sorted(n)) for o, n in sorted(names.items())]
    return Registry.build(agencies_of(store), outlets)


def _registry_token(reg: Registry) -> str:
    blob = json.dumps(sorted(reg.forms.items()), ensure_ascii=False)
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()


def _links(store: Store) -> list[tuple[int, int, float, float, str, tuple, int | None]]:
    """Links of reuse between outlets, less those that are furniture or quotes."""
    not_copies = link_kinds(store)
    return [
        (c, s, cov, conf, basis, _source_spans(passages), _copy_start(passages))
        for c, s, cov, conf, basis, passages in store.db.execute(
            "SELECT copy, source, coverage, confidence, "
            "coalesce(json_extract(data, '$.direction_basis'), 'published'), "
            "json_extract(data, '$.passages') FROM matches WHERE same_outlet = 0"
        )
        if f"{c}:{s}" not in not_copies
    ]


def _source_spans(passages: str | None) -> tuple[tuple[int, int], ...]:
    return tuple(sorted((p["source_start"], p["source_end"]) for p in json.loads(passages or "[]")))


def _copy_start(passages: str | None) -> int | None:
    starts = [p["article_start"] for p in json.loads(passages or "[]")]
    return min(starts) if starts else None


QUOTE_OF_COPY = "quote:copy"


def link_kinds(store: Store) -> dict[str, str]:
    """``"copy key:source key"`` -> ``furniture`` | ``quote`` | ``quote:copy`` for the
    stored matches that are no copy (see :mod:`copydesk.forensics.furniture`)."""
    return store.load_model("link_kinds") or {}


def classify_links(
    store: Store, reg: Registry | None = None, *, max_coverage: float = 0.5
) -> dict[str, str]:
    """Classify every low-coverage match (a copy covers more) and keep the result:
    ``furniture``, ``quote`` (the quote's credited outlet is the source's, or unknown) or
    ``quote:copy`` (the match's copy is the credited outlet's own article: it is the
    source, the other article reused the quote)."""
    out: dict[str, str] = {}
    rows = list(
        store.db.execute(
            "SELECT copy, source, data FROM matches WHERE same_outlet = 0 AND coverage <= ?",
            (max_coverage,),
        )
    )
    # How many articles carry each shared passage (its first words), for furniture.
    carried: dict[str, set[int]] = defaultdict(set)
    parsed = []
    for lo in range(0, len(rows), 200):
        chunk = rows[lo : lo + 200]
        arts = {k: a.article for k, a in store.articles({k for r in chunk for k in r[:2]}).items()}
        for copy, source, data in chunk:
            passages = json.loads(data).get("passages", [])
            key = passage_key(
                " ".join(arts[copy].text[p["article_start"] : p["article_end"]] for p in passages)
            )
            carried[key].update((copy, source))
            parsed.append((copy, source, passages, key, arts[copy], arts[source]))
    # Articles one copies from another (a real copy, a corpus duplicate) are related: they
    # carry a passage together, not "otherwise unrelated".
    related: dict[int, set[int]] = defaultdict(set)
    for c, s in store.db.execute(
        "SELECT copy, source FROM matches WHERE coverage > ?", (max_coverage,)
    ):
        related[c].add(s)
        related[s].add(c)
    for copy, source, passages, key, copy_art, source_art in parsed:
        copy_spans = [Span(p["article_start"], p["article_end"]) for p in passages]
        others = carried[key] - {copy, source} - related[copy] - related[source]
        kind = classify_link(
            copy_art.text,
            copy_spans,
            source_art.text,
            [Span(p["source_start"], p["source_end"]) for p in passages],
            carriers=len(others),
        )
        if kind == QUOTE:
            reg = reg or registry_of(store)
            names = credited_names(" ".join(copy_art.text[s.start : s.end] for s in copy_spans))
            credited = {reg.canonical(reg.resolve(n) or reg.by_label(n)) for n in names}
            if reg.canonical(copy_art.outlet) in credited - {None}:
                kind = QUOTE_OF_COPY
        if kind != COPY:
            out[f"{copy}:{source}"] = kind
    if out != link_kinds(store):
        with store.transaction():
            store.save_model("link_kinds", out)
    return out


def quote_reusers(kinds: dict[str, str]) -> dict[int, list[int]]:
    """Source key -> the keys of the credited outlets' articles whose quote it reused,
    for the quote links stored the wrong way round (``quote:copy``)."""
    out: dict[int, list[int]] = defaultdict(list)
    for pair, kind in kinds.items():
        if kind == QUOTE_OF_COPY:
            copy, source = (int(k) for k in pair.split(":"))
            out[source].append(copy)
    return {k: sorted(v) for k, v in out.items()}


def member_of(article: Article, model: BoilerplateModel) -> Member:
    """One version as the family functions see it: the furniture of other outlets it
    carries (found with ``model``) and the links of its page."""
    links = article.extra.get("links") if article.extra else None
    return Member(
        article.id,
        article.outlet,
        article.published,
        article.text,
        url=article.url,
        signals=tuple(
            e.to_json()
            for e in find_boilerplate(article.text, article.outlet, model)
            if e.kind == FOREIGN
        ),
        links=tuple(u for u in links if isinstance(u, str)) if isinstance(links, list) else (),
    )


def _members(store: Store, keys: list[int], model: BoilerplateModel) -> dict[int, Member]:
    """The members, with the furniture of other outlets they carry found with the current
    boilerplate model (learned from the whole collection, so the same however the scans
    ran; the signals stored at scan time used the model of that moment)."""
    return {key: member_of(st.article, model) for key, st in _stored_in_chunks(store, keys)}


def _stored_in_chunks(
    store: Store, keys: list[int], size: int = 500
) -> Iterator[tuple[int, StoredArticle]]:
    """``(key, stored article)`` for each of ``keys`` still in the store, in order, read
    ``size`` at a time."""
    for lo in range(0, len(keys), size):
        chunk = keys[lo : lo + size]
        found = store.articles(chunk)
        for key in chunk:
            if key in found:
                yield key, found[key]


_LONE_CHUNK = 500  # articles a task of ``lone_families`` takes


def lone_families(
    task: tuple[Registry, BoilerplateModel, list[tuple[int, Article]]],
) -> list[tuple[int, str, str, Family]]:
    """The families of one among ``(key, article)``: those a wire dateline or byline
    gives to an agency, as (key, text hash, article id, family). Only a dateline or
    byline says the text is the agency's; "according to Reuters" in an article of its
    own is a citation. Most texts cannot credit an agency at all (one search says so)
    and are passed over. A stage function, so an engine may run the chunks in a pool."""
    reg, model, articles = task
    out = []
    for key, article in articles:
        if not reg.may_credit_agency(article.text):
            continue
        one = member_of(article, model)
        fam = build_family([one], [], reg)
        if (
            fam.origin.article is None
            and fam.origin.outlet in reg.agencies
            and {"wire_dateline", "byline"} & set(fam.origin.basis)
        ):
            out.append((key, text_hash(article), one.id, fam))
    return out


def lone_families_stored(
    task: tuple[str, Registry, BoilerplateModel, list[int]],
) -> list[tuple[int, str, str, Family]]:
    """:func:`lone_families` of the articles with these keys, read from the store at
    the path by the process that runs it (a pool worker: the texts are not pickled)."""
    path, reg, model, keys = task
    stored = _stored_in_chunks(worker_store(path), keys)
    return lone_families((reg, model, [(key, st.article) for key, st in stored]))


def update_families(
    store: Store,
    reg: Registry | None = None,
    *,
    new: list[int] | None = None,
    map_fn: Callable[[Callable, Iterable], Iterable] = map,
    read_in_workers: bool = False,
) -> int:
    """Bring the stored families up to date with the stored matches; returns how many
    families were (re)built.

    An article linked to none is a family of one when a wire dateline or byline gives it
    to an agency ("(ANI)", "LONDON (Reuters) -", "By AFP"): looked for among the ``new``
    articles (those
    just scanned) and kept while the article stays unlinked and unchanged. That depends
    only on its text and the agencies, never on the rest of the collection. ``map_fn``
    (``map`` by default; an engine's pool map) runs :func:`lone_families` over chunks of
    the new articles, in order; with ``read_in_workers`` it runs
    :func:`lone_families_stored`, whose processes read the chunk's articles from the
    store's file themselves (for a pool, once the store's writes are committed).
    """
    reg = reg or registry_of(store)
    classify_links(store, reg)
    row = store.db.execute("SELECT data FROM models WHERE name = 'boilerplate'").fetchone()
    model = BoilerplateModel.from_json(json.loads(row[0])) if row else BoilerplateModel({})
    token = _registry_token(reg) + hashlib.sha1((row[0] if row else "").encode()).hexdigest()
    rows = _links(store)
    keys = sorted({k for r in rows for k in r[:2]})
    meta: dict[int, tuple[str, str, str]] = {}
    for lo in range(0, len(keys), 500):
        chunk = keys[lo : lo + 500]
        marks = ",".join("?" * len(chunk))
        for key, id_, th, mh in store.db.execute(
            f"SELECT key, id, text_hash, meta_hash FROM articles WHERE key IN ({marks})", chunk
        ):
            meta[key] = (id_, th + mh, "")
    ids = {k: meta[k][0] for k in meta}
    links = [
        Link(ids[c], ids[s], cov, conf, basis, spans, start)
        for c, s, cov, conf, basis, spans, start in rows
        if c in ids and s in ids
    ]
    key_of = {v: k for k, v in ids.items()}
    by_copy: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        by_copy[link.copy].append(link)
    stored = dict(store.db.execute("SELECT id, signature FROM families"))
    wanted: dict[str, tuple[str, list[str], list[Link]]] = {}
    for group in components(ids.values(), links):
        gset = set(group)
        glinks = sorted(
            (lk for m in group for lk in by_copy.get(m, []) if lk.source in gset),
            key=lambda lk: (lk.copy, lk.source),
        )
        h = hashlib.sha1(token.encode())
        for m in group:
            _, hashes, sig = meta[key_of[m]]
            h.update(f"{m}\0{hashes}\0{sig}\0".encode())
        for lk in glinks:
            h.update(
                f"{lk.copy}\0{lk.source}\0{lk.coverage:.4f}\0{lk.direction_basis}\0"
                f"{lk.source_spans}\0{lk.copy_start}\0".encode()
            )
        fam_id = Family.id_for(group)
        wanted[fam_id] = (h.hexdigest(), group, glinks)
    built: list[tuple[str, str, Family, list[str]]] = []
    # Families of one: kept while unlinked and unchanged; looked for among the new.
    agency_token = hashlib.sha1(
        json.dumps(sorted((f, o) for f, o in reg.forms.items() if o in reg.agencies)).encode()
    ).hexdigest()[:16]
    lone_rows = store.db.execute(
        "SELECT f.id, f.signature, m.article, a.id, a.text_hash FROM families f "
        "JOIN family_members m ON m.family = f.id JOIN articles a ON a.key = m.article "
        "WHERE f.signature LIKE 'lone:%'"
    ).fetchall()
    for fam_id, sig, key, id_, th in lone_rows:
        if key not in meta and sig == f"lone:{th}:{agency_token}" and fam_id not in wanted:
            wanted[fam_id] = (sig, [id_], [])
            key_of[id_] = key
    lone_keys = sorted(set(new or ()) - set(meta))
    parts = batches(lone_keys, _LONE_CHUNK)
    if read_in_workers:
        path = str(store.path)
        found = map_fn(lone_families_stored, ((path, reg, model, part) for part in parts))
    else:
        found = map_fn(
            lone_families,
            ((reg, model, [(k, st.article) for k, st in _stored_in_chunks(store, part)])
             for part in parts),
        )  # fmt: skip
    for key, th, member_id, fam in (f for chunk in found for f in chunk):
        sig = f"lone:{th}:{agency_token}"
        wanted[fam.id] = (sig, [member_id], [])
        key_of[member_id] = key
        if stored.get(fam.id) != sig:
            built.append((fam.id, sig, fam, [member_id]))
    todo = [f for f, (sig, _, _) in wanted.items() if stored.get(f) != sig]
    gone = [f for f in stored if f not in wanted]
    done = {b[0] for b in built}
    for fam_id in todo:
        if fam_id in done:
            continue
        sig, group, glinks = wanted[fam_id]
        members = _members(store, [key_of[m] for m in group], model)
        built.append((fam_id, sig, build_family(members.values(), glinks, reg), group))
    if not todo and not gone:
        return 0
    with store.transaction():
        for fam_id in gone + todo:
            store.db.execute("DELETE FROM families WHERE id = ?", (fam_id,))
            store.db.execute("DELETE FROM family_members WHERE family = ?", (fam_id,))
        for fam_id, sig, fam, group in built:
            store.db.execute(
                "INSERT INTO families (id, signature, data) VALUES (?,?,?)",
                (fam_id, sig, json.dumps(fam.to_json(), ensure_ascii=False)),
            )
            store.db.executemany(
                "INSERT OR REPLACE INTO family_members (article, family) VALUES (?,?)",
                [(key_of[m], fam_id) for m in group],
            )
    return len(built)


def stored_families(store: Store) -> Iterator[Family]:
    """Every stored family, largest first, then by id."""
    rows = store.db.execute("SELECT data FROM families")
    fams = [Family.from_json(json.loads(d)) for (d,) in rows]
    fams.sort(key=lambda f: (-f.size, f.id))
    yield from fams


def copies_of_outside_origins(store: Store, *, since: datetime | None = None) -> list[int]:
    """Keys of the versions of families whose origin is an outlet outside the collection."""
    sql = (
        "SELECT m.article FROM family_members m JOIN families f ON f.id = m.family "
        "JOIN articles a ON a.key = m.article "
        "WHERE json_extract(f.data, '$.origin.article') IS NULL"
    )
    args: list[Any] = []
    if since is not None:
        sql += " AND a.published_ts >= ?"
        args.append(since.timestamp())
    return [k for (k,) in store.db.execute(sql, args)]


def family_of_key(store: Store, key: int) -> Family | None:
    row = store.db.execute(
        "SELECT f.data FROM family_members m JOIN families f ON f.id = m.family "
        "WHERE m.article = ?",
        (key,),
    ).fetchone()
    return Family.from_json(json.loads(row[0])) if row else None


def verdict_fields(fam: Family | None, article_id: str) -> dict[str, Any]:
    """The verdict's ``family`` and ``origin_credit`` (DESIGN.md) for one article."""
    if fam is None or article_id not in fam.nodes:
        return {"family": None, "origin_credit": None}
    return {
        "family": fam.member_json(article_id),
        "origin_credit": fam.nodes[article_id].origin_credit,
    }


def family_links(store: Store, fam: Family) -> tuple[dict[int, str], list[Link]]:
    """The members' keys and the stored links between them."""
    keys = {}
    for id_ in fam.nodes:
        stored = store.article(id_)
        if stored is not None:
            keys[stored.key] = id_
    out = [
        Link(keys[c], keys[s], cov, conf, basis, spans, start)
        for c, s, cov, conf, basis, spans, start in _links(store)
        if c in keys and s in keys
    ]
    return keys, out


def trace_family(store: Store, article: Article, sources: list[Link]) -> Family | None:
    """The family a traced (unstored) text would join: the stored family of its sources
    with the text added, tree, origin and credit judged again with it in."""
    fams: dict[str, Family] = {}
    for link in sources:
        stored = store.article(link.source)
        fam = family_of_key(store, stored.key) if stored else None
        if fam is not None:
            fams[fam.id] = fam
    keys: dict[int, str] = {}
    links: list[Link] = []
    for fam in fams.values():
        k, lk = family_links(store, fam)
        keys.update(k)
        links += lk
    for link in sources:
        stored = store.article(link.source)
        if stored is not None:
            keys[stored.key] = link.source
    if not keys:
        return None
    reg = registry_of(store)
    row = store.db.execute("SELECT data FROM models WHERE name = 'boilerplate'").fetchone()
    model = BoilerplateModel.from_json(json.loads(row[0])) if row else BoilerplateModel({})
    members = list(_members(store, sorted(keys), model).values())
    traced = member_of(article, model)
    fam = build_family([*members, traced], [*links, *sources], reg)
    if fams:  # the text joins a stored family: it keeps that family's name
        fam.id = min(fams.values(), key=lambda f: (-f.size, f.id)).id
    return fam
