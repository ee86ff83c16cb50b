"""``Desk``: the Python API, mirroring the command line."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from copydesk.engines import embedded
from copydesk.engines.compare import Params
from copydesk.engines.embedded import IngestSummary, Progress, ScanSummary
from copydesk.engines.families import (
    QUOTE_OF_COPY,
    add_agencies,
    copies_of_outside_origins,
    family_of_key,
    link_kinds,
    quote_reusers,
    stored_families,
    trace_family,
    update_families,
    verdict_fields,
)
from copydesk.families import Agency, Family, Link
from copydesk.forensics.quotes import QuoteRecord, index_quotes
from copydesk.model import Article, Evidence, Rejection, SourceMatch, Verdict
from copydesk.progress import Ticker
from copydesk.reports.network import Edge, Node, network
from copydesk.reports.outlets import OutletProfile, outlet_profiles
from copydesk.rights.filters import VerdictFilter
from copydesk.store import Store

if TYPE_CHECKING:
    from copydesk.forensics.atlas import Atlas
    from copydesk.rights.alerts import AlertConfig, DeliveryResult
    from copydesk.rights.evidence import Check, Pack
    from copydesk.rights.findings import Finding
    from copydesk.rights.partners import Partners
    from copydesk.rights.review import Review
    from copydesk.semantic.stage import MeanIndex


class Desk:
    """A copydesk store and the operations on it.

    >>> desk = Desk("news.db")
    >>> desk.ingest(articles)          # Article objects (or use ingest_files)
    >>> desk.scan()                    # compare what is new with everything
    >>> for verdict in desk.verdicts(): print(verdict.to_json())
    """

    def __init__(
        self,
        path: str | Path,
        *,
        params: Params | None = None,
        workers: int | None = None,
        readonly: bool = False,
        create: bool = True,
    ) -> None:
        """``create=False`` opens an existing store only (NoStoreError if there is none)."""
        self.store = Store(path, readonly=readonly, create=create)
        self.params = params or Params()
        self.workers = workers
        self._means: tuple[tuple[int, int, int], MeanIndex] | None = None  # semantic trace

    def __enter__(self) -> Desk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    def ingest(
        self,
        items: Iterable[Article | Rejection],
        *,
        progress: Progress | None = None,
        total: int | None = None,
    ) -> IngestSummary:
        """Store ``items``; ``progress`` hears of the phase "storing" (of ``total``)."""
        return embedded.ingest(
            self.store, items, workers=self.workers, progress=progress, total=total
        )

    def ingest_files(
        self, paths: Iterable[str | Path], *, progress: Progress | None = None, **read_options
    ) -> IngestSummary:
        """Read and store input files; ``progress`` hears of the phase "reading": bytes
        read of the files' total size (None for stdin), so a bar can tell the time left."""
        from copydesk.reading import read_paths
        from copydesk.reading.meter import ReadMeter, metered

        paths = list(paths)
        meter = ReadMeter.of(paths)
        read_options.setdefault("workers", self.workers)  # web pages are extracted in a pool
        items = read_paths(paths, meter=meter, **read_options)
        return self.ingest(metered(items, meter, progress))

    def all_articles(self) -> Iterator[Article]:
        """Every stored article, in ingest order."""
        keys = [k for (k,) in self.store.db.execute("SELECT key FROM articles ORDER BY key")]
        for lo in range(0, len(keys), 500):
            chunk = self.store.articles(keys[lo : lo + 500])
            for key in keys[lo : lo + 500]:
                yield chunk[key].article

    def reextract(self, *, progress: Progress | None = None) -> IngestSummary:
        """Run extraction again on the stored HTML of articles read from web pages.

        Articles whose text or metadata come out changed are updated (the next scan
        recomputes their verdicts); the rest stay as they are. A page that now fails is a
        Rejection and its article is kept unchanged.
        """
        from copydesk.reading.web_reextract import reextracted

        (pages,) = self.store.db.execute("SELECT count(*) FROM raw_html").fetchone()
        return self.ingest(
            reextracted(self.store, workers=self.workers), progress=progress, total=pages
        )

    def add_aliases(self, aliases: dict[str, list[str]]) -> None:
        """Names outlets go by that copydesk cannot learn (kept in the store)."""
        current = self.store.load_model("user_aliases") or {}
        for outlet, names in aliases.items():
            known = current.setdefault(outlet.lower(), [])
            known.extend(n for n in names if n not in known)
        with self.store.transaction():
            self.store.save_model("user_aliases", current)
            self.store.save_model(embedded.JUDGED, None)  # the next scan judges again

    def scan(
        self, *, progress: Progress | None = None, rescan: bool = False, semantic: bool = True
    ) -> ScanSummary:
        """Compare what is new with everything; ``rescan`` recomputes every verdict;
        ``semantic`` (the default) adds the semantic stage (rewrites, translations) after
        the lexical one; False leaves the new articles due for the next semantic scan.
        ``progress`` hears of each phase (see ``copydesk.engines.embedded.scan``)."""
        if rescan:
            self.store.reset_scan()
        new = self.store.unscanned() if semantic else []
        summary = embedded.scan(
            self.store, params=self.params, workers=self.workers, progress=progress
        )
        if semantic:  # also what is due from before (see semantic.stage.scan_semantic)
            started = time.perf_counter()
            ticker = Ticker(progress, "semantic", len(new))
            candidates, pairs = self.scan_semantic(new)
            ticker.end()
            summary.candidates += candidates
            summary.pairs += pairs
            summary.seconds += time.perf_counter() - started
        update_families(self.store)
        return summary

    def scan_semantic(self, keys: list[int]) -> tuple[int, int]:
        """The semantic stage alone for the articles ``keys`` (``scan(semantic=True)``
        runs it after the lexical scan on the articles that scan found new): embeds what
        is missing, compares, writes the matches. Returns (candidates, matches)."""
        from copydesk.semantic import default_embedder
        from copydesk.semantic.embed import multilingual_embedder
        from copydesk.semantic.stage import current_aliases, scan_semantic

        return scan_semantic(
            self.store,
            keys,
            embedder=default_embedder(),
            multilingual=multilingual_embedder,
            aliases=current_aliases(self.store),
            workers=embedded.default_workers() if self.workers is None else self.workers,
        )

    def add_agencies(self, agencies: list[Agency]) -> None:
        """Wire and syndication agencies beyond the shipped list (kept in the store)."""
        add_agencies(self.store, agencies)

    def families(self, *, outlet: str | None = None) -> list[Family]:
        """Every story family (largest first); with ``outlet``, those it has a version in
        or that it is the origin of."""
        return [
            f
            for f in stored_families(self.store)
            if outlet is None
            or f.origin.outlet == outlet
            or any(n.outlet == outlet for n in f.nodes.values())
        ]

    def family_of(self, article_id: str) -> Family | None:
        """The family a stored article belongs to, or None (it reuses nothing, nor is
        reused)."""
        stored = self.store.article(article_id)
        return family_of_key(self.store, stored.key) if stored else None

    def _with_family(self, key: int, verdict: Verdict | None) -> Verdict | None:
        """The verdict with its family; a shared passage that is furniture or a quote
        is no source (it stays as evidence among the signals). A quote credited to an
        outlet makes that outlet's article the source: its own verdict never shows the
        quote as reused, the other article's does (``quote_reuse``)."""
        if verdict is not None:
            kinds = link_kinds(self.store)
            kept = []
            for match in verdict.sources:
                src = self.store.article(match.source)
                kind = kinds.get(f"{key}:{src.key}") if src else None
                if kind is None:
                    kept.append(match)
                    continue
                if kind == QUOTE_OF_COPY:
                    continue  # the quote was given to this article's outlet
                verdict.signals.append(
                    Evidence(
                        "shared_furniture" if kind == "furniture" else "quote_reuse",
                        data={"with": match.source, "outlet_of_origin": match.outlet},
                    )
                )
            for other in quote_reusers(kinds).get(key, []):
                stored = self.store.articles([other]).get(other)
                if stored is not None:
                    verdict.signals.append(
                        Evidence(
                            "quote_reuse",
                            data={
                                "with": stored.article.id,
                                "outlet_of_origin": stored.article.outlet,
                            },
                        )
                    )
            verdict.sources = kept
            fields = verdict_fields(family_of_key(self.store, key), verdict.article)
            verdict.family, verdict.origin_credit = fields["family"], fields["origin_credit"]
            verdict.licensed = self._licensed(verdict)
        return verdict

    def _licensed(self, verdict: Verdict) -> bool:
        """May the article's outlet carry its story's origin, or one of its sources?"""
        partners = self.partners()
        if not partners:
            return False
        origins = [m.outlet for m in verdict.sources]
        if verdict.family:
            origins.append(verdict.family["origin"]["outlet"])
        mine = list(self.setting("mine") or [])
        return any(partners.licensed(verdict.outlet, o, mine) for o in origins)

    def verdicts(
        self,
        *,
        include_same_outlet: bool = False,
        since: datetime | None = None,
        filters: VerdictFilter | None = None,
    ) -> Iterator[Verdict]:
        """Every article that reuses another or shows marks of copying alone, oldest first;
        a version of a story whose origin is outside the collection is a copy of it; with
        ``filters``, those that pass (with only the sources that pass)."""
        keys = set(self.store.copies(include_same_outlet=include_same_outlet, since=since))
        keys |= set(copies_of_outside_origins(self.store, since=since))
        keys |= set(quote_reusers(link_kinds(self.store)))
        order = (
            dict(self.store.db.execute("SELECT key, coalesce(published_ts, 1e18) FROM articles"))
            if keys
            else {}
        )
        for key in sorted(keys, key=lambda k: (order.get(k, 1e18), k)):
            verdict = self._with_family(
                key,
                embedded.verdict_for(self.store, key, include_same_outlet=include_same_outlet),
            )
            if verdict is not None and filters is not None:
                verdict = filters.apply(verdict)
            if verdict is not None and (verdict.sources or verdict.signals or verdict.family):
                yield verdict

    def verdict(self, article_id: str, *, include_same_outlet: bool = False) -> Verdict | None:
        """The stored verdict of one article (with no sources if it reuses nothing)."""
        stored = self.store.article(article_id)
        if stored is None:
            return None
        return self._with_family(
            stored.key,
            embedded.verdict_for(self.store, stored.key, include_same_outlet=include_same_outlet),
        )

    def article(self, article_id: str) -> Article | None:
        stored = self.store.article(article_id)
        return stored.article if stored else None

    def outlets(self, *, include_same_outlet: bool = False) -> list[OutletProfile]:
        """Every outlet's profile: who it copies, who copies it, credit, lag, flags."""
        return outlet_profiles(self.store, include_same_outlet=include_same_outlet)

    def network(self, *, include_same_outlet: bool = False) -> tuple[list[Node], list[Edge]]:
        """Outlets as nodes, copying as weighted directed edges (copier → source)."""
        return network(self.store, include_same_outlet=include_same_outlet)

    def quotes(self, *, speaker: str | None = None) -> list[QuoteRecord]:
        """Quotes with their first publisher and every later appearance, most carried first."""
        rows = self.store.db.execute(
            "SELECT id, outlet, outlet_name, published, text FROM articles ORDER BY key"
        )
        records = index_quotes(
            (i, o, n, datetime.fromisoformat(p) if p else None, t) for i, o, n, p, t in rows
        )
        out = [
            r
            for r in records.values()
            if speaker is None or (r.speaker and speaker.casefold() in r.speaker.casefold())
        ]
        out.sort(key=lambda r: (-len(r.later), r.first.article_id))
        return out

    def trace(
        self, article: Article, *, include_same_outlet: bool = False, semantic: bool = False
    ) -> Verdict:
        """Where one (unstored) text came from: its sources, and the family it belongs to
        with that family's origin. A text already stored says so (``stored_as``) and
        carries the stored article's family. ``semantic`` also looks for stored articles
        the text rewrites (against the vectors a ``scan(semantic=True)`` stored)."""
        from copydesk.store.sqlite import text_hash

        want = text_hash(article)
        same = [
            id_
            for (id_,) in self.store.db.execute(
                "SELECT id FROM articles WHERE text_hash = ? ORDER BY id = ? DESC, key",
                (want, article.id),
            )
        ]
        verdict = embedded.trace(
            self.store, article, params=self.params, include_same_outlet=include_same_outlet
        )
        if semantic:
            verdict.sources += self._trace_semantic(article, verdict, same, include_same_outlet)
        if same:  # the very text is stored: said so, with the stored article's family
            verdict.stored_as = same[0]
            stored_fam = self.family_of(same[0])
            fields = verdict_fields(stored_fam, same[0])
            verdict.family, verdict.origin_credit = fields["family"], fields["origin_credit"]
            self._last_trace = stored_fam
            return verdict
        links = [
            Link(
                article.id,
                m.source,
                m.coverage,
                m.confidence,
                m.direction_basis,
                tuple(sorted((p.source_start, p.source_end) for p in m.passages)),
                min((p.article_start for p in m.passages), default=None),
            )
            for m in verdict.sources
        ]
        fam = trace_family(self.store, article, links) if links else None
        self._last_trace = fam
        fields = verdict_fields(fam, article.id)
        verdict.family, verdict.origin_credit = fields["family"], fields["origin_credit"]
        return verdict

    def _trace_semantic(
        self, article: Article, verdict: Verdict, same: list[str], include_same_outlet: bool
    ) -> list[SourceMatch]:
        from copydesk.semantic import default_embedder
        from copydesk.semantic.stage import MeanIndex, current_aliases, trace_semantic

        db = self.store.db
        if not db.execute("SELECT 1 FROM sentence_vectors LIMIT 1").fetchone():
            return []
        version = MeanIndex.version(db)
        if self._means is None or self._means[0] != version:  # read once per version
            self._means = (version, MeanIndex.load(db))
        found = trace_semantic(
            self.store,
            article,
            self._means[1],
            embedder=default_embedder(),
            aliases=current_aliases(self.store),
            skip={*(m.source for m in verdict.sources), *same},
        )
        return [m for m in found if include_same_outlet or not m.same_outlet]

    def trace_family(self, article: Article, *, include_same_outlet: bool = False) -> Family | None:
        """The family a traced text joins (its tree with the text in), or None."""
        fam = getattr(self, "_last_trace", None)
        if fam is None or article.id not in fam.nodes:
            self.trace(article, include_same_outlet=include_same_outlet)
            fam = getattr(self, "_last_trace", None)
        return fam if fam is not None and article.id in fam.nodes else None

    # -- acting on findings (copydesk.rights) --------------------------------------------

    def trace_url(
        self, url: str, *, store: bool = False, timeout: float = 20.0,
        include_same_outlet: bool = False, trust_env: bool = True, semantic: bool = False,
    ) -> Verdict:  # fmt: skip
        """Fetch one page politely (robots.txt, User-Agent, timeouts) and trace it; with
        ``store`` the page is ingested and scanned, and its stored verdict returned."""
        from copydesk.rights.fetch_one import fetch_article

        article = fetch_article(url, timeout=timeout, trust_env=trust_env)
        if not store:
            return self.trace(article, include_same_outlet=include_same_outlet, semantic=semantic)
        self.ingest([article])
        self.scan(semantic=semantic)
        verdict = self.verdict(article.id, include_same_outlet=include_same_outlet)
        assert verdict is not None
        return verdict

    def review(self, article_id: str, action: str, *, by: str, note: str = "") -> Review:
        """Confirm or dismiss an article's verdict; a dismissal keeps it out of findings,
        profiles and alerts until its text changes."""
        from copydesk.rights.review import add_review

        return add_review(self.store, article_id, action, reviewer=by, note=note)

    def reviews(self, article_id: str | None = None) -> list[Review]:
        """The review history (of one article, or all), oldest first."""
        from copydesk.rights.review import reviews

        return reviews(self.store, article_id)

    def evidence(self, article_id: str, out: str | Path, *, pdf: bool = True) -> Pack:
        """Write an offline evidence pack of one article's verdict into ``out``."""
        from copydesk.rights.evidence import write_pack

        return write_pack(self, article_id, out, pdf=pdf)

    @staticmethod
    def verify_evidence(folder: str | Path) -> Check:
        from copydesk.rights.evidence import verify_pack

        return verify_pack(folder)

    def setting(self, name: str) -> object | None:
        from copydesk.rights.findings import get_setting

        return get_setting(self.store, name)

    def set_setting(self, name: str, value: object) -> None:
        from copydesk.rights.findings import set_setting

        set_setting(self.store, name, value)

    def use_atlas(self, atlas: Atlas) -> bool:
        """Keep ``atlas`` (replacing any earlier one) for this and every later scan; True
        when it changed, and the next scan then judges everything again under it."""
        from copydesk.engines.embedded import JUDGED

        value = atlas.to_json()
        if self.store.load_model("atlas") == value:
            return False
        with self.store.transaction():
            self.store.save_model("atlas", value)
            self.store.save_model(JUDGED, None)
        return True

    def partners(self) -> Partners:
        """The licences kept by ``scan``/``watch --partners`` (none by default)."""
        from copydesk.rights.partners import Partners

        return Partners.from_setting(self.setting("partners"))

    def set_partners(self, partners: Partners) -> None:
        self.set_setting("partners", partners.to_setting())

    def findings(
        self, *, mine: list[str] | None = None, since: datetime | None = None,
        credit: str | None = None, partners: Partners | None = None,
    ) -> list[Finding]:  # fmt: skip
        """Versions by other outlets of the stories whose origin is the user's (``mine``,
        else the ``mine`` setting), newest first; licensed as ``partners`` (else the
        ``partners`` setting) allows."""
        from copydesk.rights.findings import findings

        mine = mine if mine is not None else list(self.setting("mine") or [])
        partners = partners if partners is not None else self.partners()
        return findings(self.store, mine, since=since, credit=credit, partners=partners)

    def queue_alerts(self) -> int:
        """Queue the findings not alerted before; returns how many are new."""
        from copydesk.rights.alerts import queue_findings

        return queue_findings(self.store, self.findings())

    def send_alerts(self, config: AlertConfig) -> DeliveryResult:
        """Send queued alerts now, in this thread (``AlertSender`` does it in another)."""
        from copydesk.rights.alerts import deliver

        return deliver(self.store, config)
