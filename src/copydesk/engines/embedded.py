"""The embedded engine: a process pool for the stage functions, SQLite for the state."""

from __future__ import annotations

import ctypes
import gc
import math
import multiprocessing
import os
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np

from copydesk.align import Alignment
from copydesk.batches import batches
from copydesk.candidates import MAX_BUCKET, PostingParts, group_postings, pairs_from_groups
from copydesk.engines.compare import Params, compare_docs, compare_group_aligned, doc_for
from copydesk.engines.families import update_families
from copydesk.engines.forensics import article_signals, learn, load_context
from copydesk.engines.workers import one_native_thread
from copydesk.fingerprint import Fingerprint, fingerprints
from copydesk.model import Article, Evidence, Rejection, SourceMatch, Verdict
from copydesk.progress import Progress, Ticker
from copydesk.store import Store, worker_store
from copydesk.store.sqlite import POSTINGS_PER_PASS, meta_hash, text_hash
from copydesk.text.tokens import tokenize
from copydesk.verdict import EMPTY, Context, Doc, taken_for_copy


@dataclass(slots=True)
class IngestSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[Rejection] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def read(self) -> int:
        return self.added + self.updated + self.unchanged + len(self.rejected)


@dataclass(slots=True)
class ScanSummary:
    scanned: int = 0
    candidates: int = 0
    pairs: int = 0
    seconds: float = 0.0


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


# The context a pool worker judges with, given to it when the pool starts (the embedded
# engine's broadcast): the stage functions still get it as an argument, from the task
# wrappers below. In the main process it is never read.
_WORKER_CONTEXT: Context = EMPTY


@contextmanager
def _pool(workers: int, context: Context = EMPTY) -> Iterator[Executor | None]:
    if workers <= 1:
        yield None
        return
    # fork: workers start in milliseconds and inherit the imported modules (and the
    # context given to the initializer, without pickling it).
    mp = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=mp,
        initializer=_start_worker,
        initargs=(os.getpid(), context),
    ) as pool:
        yield pool


def _start_worker(parent: int, context: Context) -> None:
    global _WORKER_CONTEXT
    _WORKER_CONTEXT = context
    one_native_thread()
    _exit_with(parent)


# An alignment kept for judging again, with the hashes of the two texts it was made of.
Kept = tuple[Alignment, int, int]


def _compare_stored_task(task: tuple) -> list[tuple[int, int, SourceMatch, Kept]]:
    return _compare_stored(worker_store(task[3]), task, _WORKER_CONTEXT)


def _compare_stored(
    store: Store,
    task: tuple[int, list[int], Params, str, list[Kept | None]],
    ctx: Context,
) -> list[tuple[int, int, SourceMatch, Kept]]:
    """``compare_group_aligned`` of x against ys (with the alignments already made of
    them, or None), the articles read from ``store`` (in a pool worker, its own
    read-only connection: the texts are not pickled to it). A kept alignment is used
    only while both texts are those it was made of (an ingest may have changed one
    since); each match comes with its alignment and the texts' hashes."""
    x, ys, params, _path, made = task
    stored = store.articles([x, *ys])
    if x not in stored:
        return []
    # The process's string hash: the pool's workers are forked from one process, so
    # theirs agree; where they would not, a kept alignment is only made again.
    hashes = {k: hash(st.article.text) for k, st in stored.items()}
    others = [
        (y, stored[y].article, kept[0] if kept and kept[1:] == (hashes[x], hashes[y]) else None)
        for y, kept in zip(ys, made, strict=True)
        if y in stored
    ]
    found = compare_group_aligned((x, stored[x].article, others, params), ctx)
    return [(c, s, m, (al, hashes[x], hashes[s if c == x else c])) for c, s, m, al in found]


def _signals_task(task: tuple[int, str | None, str]) -> tuple[int, list[dict]]:
    return _signals_of(task, _WORKER_CONTEXT)


def _give_back_memory() -> None:
    """Hand freed heap pages back to the system. glibc keeps what a phase freed (the
    postings of a full pass, the shapes of boilerplate learning) for the process to reuse,
    so a million-article scan would carry each phase's peak into the next."""
    gc.collect()
    with suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _exit_with(parent: int) -> None:
    """In a worker: leave as soon as the process that started it is gone. A killed
    ``copydesk ingest`` would otherwise leave its workers waiting for work forever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def _lazy_map(pool: Executor | None, ahead: int = 8) -> Callable[[Callable, Iterable], Iterator]:
    """A ``map`` over the pool that keeps at most ``ahead`` tasks in flight, in order.

    ``Executor.map`` submits every task at once: over a million articles' texts that is
    the whole collection pickled in memory.
    """

    def run(fn: Callable, items: Iterable) -> Iterator:
        if pool is None:
            yield from map(fn, items)
            return
        pending: deque[Future] = deque()
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    return run


def _fingerprint_all(texts: list[str]) -> list[Fingerprint]:
    return fingerprints(texts)


class _Fingerprinter:
    """Fingerprints batches in the pool while the main process writes the previous one."""

    def __init__(self, pool: Executor | None, workers: int) -> None:
        self.pool, self.workers = pool, workers

    def submit(self, texts: list[str]) -> Callable[[], list[Fingerprint]]:
        if self.pool is None or len(texts) < 64:
            return lambda: _fingerprint_all(texts)
        size = math.ceil(len(texts) / self.workers)
        futures = [
            self.pool.submit(_fingerprint_all, texts[i : i + size])
            for i in range(0, len(texts), size)
        ]
        return lambda: [fp for f in futures for fp in f.result()]


@dataclass(slots=True)
class _Pending:
    articles: list[Article]
    hashes: list[tuple[str, str]]
    need: list[int]
    result: Callable[[], list[Fingerprint]]
    read: int


def ingest(
    store: Store,
    items: Iterable[Article | Rejection],
    *,
    batch_size: int = 2000,
    workers: int | None = None,
    progress: Progress | None = None,
    total: int | None = None,
) -> IngestSummary:
    """Store articles and their fingerprints; re-ingesting the same article changes nothing.

    Each batch is one transaction: an interrupted ingest keeps every finished batch.
    ``progress`` hears of the phase "storing": the items stored, of ``total`` if known.
    """
    start = time.perf_counter()
    summary = IngestSummary()
    workers = default_workers() if workers is None else workers
    ticker = Ticker(progress, "storing", total)

    def write(p: _Pending) -> None:
        fps: list[Fingerprint | None] = [None] * len(p.articles)
        for i, fp in zip(p.need, p.result(), strict=True):
            fps[i] = fp
        counts = store.write_articles(
            (a, th, mh, fp) for a, (th, mh), fp in zip(p.articles, p.hashes, fps, strict=True)
        )
        summary.added += counts["added"]
        summary.updated += counts["updated"]
        summary.unchanged += counts["unchanged"]
        ticker.advance(p.read)

    with _pool(workers) as pool:
        fingerprinter = _Fingerprinter(pool, workers)
        pending: _Pending | None = None
        for batch in batches(items, batch_size):
            latest: dict[str, Article] = {}
            for item in batch:
                if isinstance(item, Rejection):
                    bucket = summary.warnings if item.severity == "warning" else summary.rejected
                    bucket.append(item)
                else:
                    if item.id in latest:
                        summary.unchanged += 1  # the same id twice in a batch: the last wins
                    latest.pop(item.id, None)
                    latest[item.id] = item
            articles = list(latest.values())
            hashes = [(text_hash(a), meta_hash(a)) for a in articles]
            known = store.known_hashes([a.id for a in articles])
            need = [
                i
                for i, a in enumerate(articles)
                if a.id not in known or known[a.id][1] != hashes[i][0]
            ]
            job = fingerprinter.submit([articles[i].text for i in need])
            if pending is not None:
                write(pending)
            pending = _Pending(articles, hashes, need, job, len(batch))
        if pending is not None:
            write(pending)
    ticker.end()
    summary.seconds = time.perf_counter() - start
    return summary


def _pairs_full_pass(
    store: Store, new: set[int], params: Params, progress: Progress | None = None, *,
    phase: str = "candidates",
) -> np.ndarray:  # fmt: skip
    """Candidate pairs touching a new article, from one sort-merge pass over all postings,
    as an (n, 2) array of (new article, other) sorted by the new article: 16 bytes a pair,
    so millions of candidates fit where a dict of lists would not. ``progress`` hears of
    the postings read (``phase``)."""
    n_anchors = store.estimate_postings("anchors")
    passes = max(1, -(-n_anchors // POSTINGS_PER_PASS))
    passes = min(passes, PostingParts.PARTS)
    ticker = Ticker(
        progress, phase, n_anchors * passes + store.estimate_postings("bands"), "postings"
    )

    def read(table: str) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        return ticker.counting(store.posting_batches(table), lambda batch: len(batch[0]))

    # One read of the postings per pass; each is a generator, so it reads when consumed.
    anchors = group_postings(
        [read("anchors") for _ in range(passes)],
        params.max_anchor_df,
        sample=store.sample_postings("anchors"),
    )
    bands = group_postings([read("bands")], MAX_BUCKET, sample=store.sample_postings("bands"))
    ticker.end()
    pairs = pairs_from_groups(
        anchors, bands, min_shared=params.min_shared_anchors, short_share=params.short_share
    )
    new_arr = np.fromiter(new, dtype=np.int64, count=len(new))
    lo_new = np.isin(pairs[:, 0], new_arr)
    hi_new = np.isin(pairs[:, 1], new_arr)
    # Each pair is assigned to a new article: the lower key if both are new.
    x = np.where(lo_new, pairs[:, 0], pairs[:, 1])
    y = np.where(lo_new, pairs[:, 1], pairs[:, 0])
    keep = lo_new | hi_new
    out = np.stack([x[keep], y[keep]], axis=1)
    return out[np.argsort(out[:, 0], kind="stable")]


def _pairs_incremental(
    store: Store, batch: list[int], new: set[int], params: Params
) -> list[tuple[int, int]]:
    pairs = store.candidate_pairs(
        batch,
        min_shared=params.min_shared_anchors,
        short_share=params.short_share,
        max_df=params.max_anchor_df,
    )
    return [(x, y) for x, y in pairs if y not in new or x < y]


JUDGED = "judged"  # the model row saying every verdict was judged under the stored models
# The articles scanned since story families were last brought up to date: an interrupted
# scan has marked some scanned without reaching the families step.
FAMILIES_DUE = "families_due"


def scan(
    store: Store,
    *,
    params: Params | None = None,
    batch_size: int = 1000,
    workers: int | None = None,
    progress: Progress | None = None,
    full_pass_share: float = 0.05,
) -> ScanSummary:
    """Compare every article not yet scanned with everything in the store, then judge
    every reusing pair again under the models learned from the whole collection.

    A verdict depends on the collection only, never on the order of scans or where one
    was interrupted:

    1. pairs: candidates touching a new article (from one pass over all postings when
       the new articles are more than ``full_pass_share`` of the store, from index
       lookups otherwise: the same pairs), aligned; the reusing pairs are stored (judged
       with no model yet) and the new articles marked scanned, batch by batch;
    2. stored pairs that are no longer candidates (an anchor has become a stock phrase
       since) are dropped, so the pairs are those a scan of the whole collection finds;
    3. aliases and boilerplate are learned from all texts, a copy being the later article
       of a reusing pair (:func:`~copydesk.verdict.taken_for_copy`: dates, then ingest
       order; no earlier verdict counts);
    4. every reusing pair is judged again under those models, and every article's own
       signals are recomputed;
    5. only then is the scan recorded as complete: an interrupted scan (or one with
       nothing new after an interruption) redoes 2-5; the story families are built last,
       over every article scanned since they were last built (kept in the store, so an
       interruption loses none of them).

    ``progress`` hears of each phase as it goes: "candidates" (postings read),
    "aligning" (new articles), "checking pairs", "learning boilerplate" (articles),
    "judging" (pairs), "signals" (articles), "indexing", "families".
    """
    params = params or Params()
    start = time.perf_counter()
    summary = ScanSummary()
    todo = sorted(store.unscanned())
    due = sorted(set(store.load_model(FAMILIES_DUE) or ()) | set(todo))
    if not todo and store.load_model(JUDGED) is not None:
        if due:  # interrupted after the verdicts, before the families
            _update_families(store, due, progress, workers)
        summary.seconds = time.perf_counter() - start
        return summary
    with store.transaction():
        store.save_model(JUDGED, None)
        store.save_model(FAMILIES_DUE, due)
    workers = default_workers() if workers is None else workers
    # The alignments of the reuse found in 1., judged again in 4. without aligning anew.
    aligned: dict[tuple[int, int], Kept] = {}
    if todo:
        new = set(todo)
        full = len(todo) > full_pass_share * store.count()
        all_pairs = _pairs_full_pass(store, new, params, progress) if full else None
        _give_back_memory()
        # 1. Pairs: matches are written batch by batch, judged with no model.
        aligning = Ticker(progress, "aligning", len(todo))
        with _pool(workers, EMPTY) as pool:
            for batch in batches(todo, batch_size):
                if full:
                    # ``todo`` is sorted, so a batch's pairs are one slice of the sorted array.
                    lo = int(np.searchsorted(all_pairs[:, 0], batch[0], side="left"))
                    hi = int(np.searchsorted(all_pairs[:, 0], batch[-1], side="right"))
                    pairs = [(x, y) for x, y in all_pairs[lo:hi].tolist()]
                else:
                    pairs = _pairs_incremental(store, batch, new, params)
                summary.candidates += len(pairs)
                results = _compare_pairs(
                    store, pairs, params, EMPTY, pool, lambda _task: aligning.advance(), aligned
                )
                with store.transaction():
                    summary.pairs += store.write_matches(results)
                    store.mark_scanned(batch)
                summary.scanned += len(batch)
                aligning.at(summary.scanned)
        aligning.end()
        del all_pairs
        _give_back_memory()
    # 2. The stored pairs a scan of the whole collection would find.
    _drop_stale_pairs(store, params, full_pass_share, progress)
    rows = store.match_pairs()
    copies = {
        copy if taken_for_copy(_date(cp), copy, _date(sp), source, params.judge) else source
        for copy, source, same, cp, sp in rows
        if not same
    }
    pairs = sorted({(min(c, s), max(c, s)) for c, s, *_ in rows})
    del rows
    # 3. The models, from the collection and the pairs alone.
    learning = Ticker(progress, "learning boilerplate", store.count())
    with _pool(workers) as pool:
        lazy = _lazy_map(pool, ahead=4 * workers)

        def map_fn(fn: Callable, items: Iterable) -> Iterator:
            return learning.counting(lazy(fn, items), len)  # each item: a chunk of articles

        context = learn(store, copies=copies, map_fn=map_fn)
    learning.end()
    del copies
    _give_back_memory()
    # 4. Every pair judged again, every article's signals, under those models.
    with _pool(workers, context) as pool:
        judging = Ticker(progress, "judging", len(pairs), "pairs")
        for lo in range(0, len(pairs), batch_size):
            chunk = pairs[lo : lo + batch_size]
            results = _compare_pairs(
                store, chunk, params, context, pool,
                lambda task: judging.advance(len(task[1])), aligned,
            )  # fmt: skip
            with store.transaction():
                store.delete_matches(chunk)
                store.write_matches(results)
        judging.end()
        aligned.clear()
        keys = store.keys()
        signalling = Ticker(progress, "signals", len(keys))
        for batch in batches(keys, batch_size):
            found = _run(
                _signals_task,
                store.outlet_texts_of(batch),
                pool,
                lambda t: _signals_of(t, context),
                lambda _task: signalling.advance(),
            )
            with store.transaction():
                store.write_signals(found)
        signalling.end()
    # 5. Complete; the postings index, for the lookups of a later trace or a small scan.
    with store.transaction():
        store.save_model(JUDGED, {"version": context.version})
    indexing = Ticker(progress, "indexing", None)
    store.sync_postings()
    indexing.end()
    # 5. Story families, rebuilt where their members or links changed.
    _update_families(store, due, progress, workers)
    _give_back_memory()
    summary.seconds = time.perf_counter() - start
    return summary


def _update_families(
    store: Store, due: list[int], progress: Progress | None, workers: int = 1
) -> None:
    """Story families, rebuilt where their members or links changed; ``due``: every
    article scanned since the last time (a family of one is looked for among them, in
    the pool)."""
    ticker = Ticker(progress, "families", None)
    with _pool(workers if len(due) >= 1000 else 1) as pool:
        update_families(
            store,
            new=due,
            map_fn=_lazy_map(pool, ahead=4 * workers),
            read_in_workers=pool is not None,
        )
    with store.transaction():
        store.save_model(FAMILIES_DUE, None)
    ticker.end()


def _date(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _compare_pairs(
    store: Store, pairs: list[tuple[int, int]], params: Params, ctx: Context, pool,
    done: Callable[[tuple], None] | None = None,
    aligned: dict[tuple[int, int], Kept] | None = None,
) -> list[tuple[int, int, SourceMatch]]:  # fmt: skip
    """Align and judge ``pairs`` (x, y), grouped by x, under ``ctx``; ``done`` is called
    with each group's task (x, its others, ...) as it is finished. The pool's workers
    read the articles themselves. ``aligned`` holds alignments already made (with the
    hashes of the texts they were made of), by (x, y) with x < y, x's text first (an
    alignment is not always the same made from the other text): those pairs are only
    judged; the alignments of the reuse found are put in it."""
    grouped: dict[int, list[int]] = defaultdict(list)
    for x, y in pairs:
        grouped[x].append(y)
    path = str(store.path)
    known = aligned if aligned is not None else {}
    tasks = []
    for x, ys in sorted(grouped.items()):
        ys = sorted(ys)
        made = [known.get((x, y)) for y in ys]
        tasks.append((x, ys, params, path, made))
    # The pool's workers were started with ``ctx`` (see ``_pool``).
    results = _run(
        _compare_stored_task, tasks, pool, lambda t: _compare_stored(store, t, ctx), done
    )
    out = []
    for task, group in zip(tasks, results, strict=True):
        x = task[0]
        for copy, source, match, kept in group:
            y = source if copy == x else copy
            if aligned is not None and x < y:  # as a later judging groups the pair
                aligned[(x, y)] = kept
            out.append((copy, source, match))
    return out


def _drop_stale_pairs(
    store: Store, params: Params, full_pass_share: float, progress: Progress | None = None
) -> None:
    """Forget stored pairs that are no longer candidates. Candidacy only ever narrows as
    a collection grows (an anchor found in more articles may pass ``max_anchor_df``, a
    band bucket may fill up), so after this the stored pairs are exactly those a scan of
    the whole collection in one go keeps."""
    stored = {(min(c, s), max(c, s)) for c, s, *_ in store.match_pairs()}
    if not stored:
        return
    lows = sorted({x for x, _ in stored})
    if len(lows) > full_pass_share * store.count():
        found = _pairs_full_pass(store, set(lows), params, progress, phase="checking pairs")
        candidates = {(min(x, y), max(x, y)) for x, y in found.tolist()}
    else:
        checking = Ticker(progress, "checking pairs", len(lows))
        candidates = {
            (min(x, y), max(x, y))
            for batch in checking.counting(batches(lows, 1000), len)
            for x, y in store.candidate_pairs(
                batch,
                min_shared=params.min_shared_anchors,
                short_share=params.short_share,
                max_df=params.max_anchor_df,
            )
        }
    stale = stored - candidates
    if stale:
        with store.transaction():
            store.delete_matches(sorted(stale))


def _signals_of(task: tuple[int, str | None, str], ctx: Context) -> tuple[int, list[dict]]:
    key, outlet, text = task
    return key, [e.to_json() for e in article_signals(Article("", text, outlet=outlet), ctx)]


def _run(
    pooled: Callable, tasks: list, pool: Executor | None, local: Callable,
    done: Callable[[Any], None] | None = None,
) -> list:  # fmt: skip
    """``pooled`` over the pool (its workers hold the context), or ``local`` in this
    process for few tasks or no pool: the same stage function, the same context.
    ``done(task)`` is called as each task's result comes in."""
    if pool is None or len(tasks) < 32:
        results: Iterable = map(local, tasks)
    else:
        results = pool.map(pooled, tasks, chunksize=max(4, len(tasks) // 32))
    out = []
    for task, result in zip(tasks, results, strict=True):
        out.append(result)
        if done is not None:
            done(task)
    return out


def trace(
    store: Store,
    article: Article,
    *,
    params: Params | None = None,
    include_same_outlet: bool = False,
) -> Verdict:
    """Where one article's text came from, against the store (the article is not stored).

    When its date cannot decide, the traced article counts as seen after everything stored.
    """
    params = params or Params()
    context = load_context(store)
    fp = fingerprints([article.text])[0]  # the compiled path when built
    keys = store.candidates_for(
        fp,
        min_shared=params.min_shared_anchors,
        short_share=params.short_share,
        max_df=params.max_anchor_df,
    )
    found = store.articles(keys)
    # A text already stored (the same words, and no other outlet given) is that article:
    # said so, never its own source. What the traced article does not say of itself
    # (outlet, date, address) is the stored one's. The same words at another outlet
    # are a copy of it, traced as any other.
    words = article.text.split()
    stored_as = next(
        (
            s.article
            for _, s in sorted(found.items())
            if s.article.id == article.id
            or (
                s.article.text.split() == words
                and (not article.outlet or article.outlet == s.article.outlet)
            )
        ),
        None,
    )
    if stored_as is not None:
        article = replace(
            article,
            outlet=article.outlet or stored_as.outlet,
            outlet_name=article.outlet_name or stored_as.outlet_name,
            published=article.published or stored_as.published,
            url=article.url or stored_as.url,
        )
    doc = Doc(article, tokenize(article.text), seq=2**62)
    sources: list[SourceMatch] = []
    for key, stored in found.items():
        if stored.article.id == article.id or (
            stored_as is not None and stored.article.id == stored_as.id
        ):
            continue
        result = compare_docs(doc, doc_for(key, stored.article), params, context)
        if result is None or result[0] is not doc:
            continue
        match = result[2]
        if match.same_outlet and not include_same_outlet:
            continue
        sources.append(match)
    sources.sort(key=lambda m: (-m.coverage, -m.confidence))
    return Verdict(
        article.id,
        article.outlet,
        article.url,
        article.published,
        sources,
        article_signals(article, context),
        stored_as=stored_as.id if stored_as is not None else None,
    )


def verdict_for(store: Store, key: int, *, include_same_outlet: bool = False) -> Verdict | None:
    stored = store.articles([key]).get(key)
    if stored is None:
        return None
    a = stored.article
    sources = [
        SourceMatch.from_json(data, same_outlet=same)
        for _, data, same in store.matches_of(key, include_same_outlet=include_same_outlet)
    ]
    signals = [Evidence.from_json(e) for e in store.signals_of(key)]
    for match in sources:  # the source outlet's furniture found in the copy
        match.evidence += [
            e
            for e in signals
            if e.kind == "foreign_boilerplate" and e.data.get("outlet_of_origin") == match.outlet
        ]
    return Verdict(a.id, a.outlet, a.url, a.published, sources, signals)
