"""The tools a user would otherwise pick for reworded copies, on run_semantic's collection.

- ``semhash``: semantic deduplication (SemHash over model2vec-style static embeddings),
  given the same local model copydesk's semantic stage uses (nothing is fetched: SemHash
  takes any object with an ``encode`` method). Whole documents are embedded and every
  record closer than the threshold to a kept one is reported as its duplicate: the pairs
  (record, duplicate of) are its links. Run at its default threshold (0.9) and at every
  threshold of ``THRESHOLDS``; the best F1 among them is reported too (a threshold picked
  on the answers, so an upper bound on what a user would get).
- ``datasketch``: MinHash LSH over the same 5-word shingles as ``run_core.py``, every
  article indexed and queried: the lexical tool's links.

Each side is scored on the same pairs as copydesk: recall of the (rewrite, source) pairs,
precision over every pair it links, and false links among the same-event pairs and the
pairs of rewrites of same-event sources.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from copydesk.model import Article

THRESHOLDS = (0.8, 0.85, 0.9, 0.95, 0.98)
Pair = tuple[str, str]


class _Encoder:
    """SemHash's encoder protocol over one of copydesk's embedders."""

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder

    def encode(self, inputs: Sequence[str] | str, **_: Any) -> np.ndarray:
        texts = [inputs] if isinstance(inputs, str) else list(inputs)
        return np.asarray(self.embedder.embed(texts), dtype=np.float32)


def _unordered(pairs: Iterable[Pair]) -> set[Pair]:
    return {(a, b) if a < b else (b, a) for a, b in pairs if a != b}


def score(
    links: set[Pair],
    gold: set[Pair],
    same_event: set[Pair],
    rewrite_pairs: set[Pair],
    right: set[Pair] = frozenset(),  # type: ignore[assignment]
) -> dict[str, Any]:
    """Pair recall and precision of unordered ``links``, and its false links among the hard
    negatives; links in ``right`` (pairs that share text though not gold: the collection's
    twins) count neither way, as for copydesk."""
    gold_u, links_u = _unordered(gold), _unordered(links) - _unordered(right)
    found = links_u & gold_u
    return {
        "links": len(links_u),
        "recall": round(len(found) / max(1, len(gold_u)), 4),
        "precision": round(len(found) / len(links_u), 4) if links_u else 1.0,
        "same_event_false_links": len(links_u & _unordered(same_event)),
        "rewrite_of_same_event_false_links": len(links_u & _unordered(rewrite_pairs)),
    }


def semhash_links(articles: list[Article], embedder: Any, threshold: float) -> set[Pair]:
    from semhash import SemHash

    records = [{"id": a.id, "text": a.text} for a in articles]
    index = SemHash.from_records(records, columns=["text"], model=_Encoder(embedder))
    result = index.self_deduplicate(threshold=threshold)
    return {(d.record["id"], d.duplicate_of["id"]) for d in result.filtered}


def datasketch_links(articles: list[Article]) -> set[Pair]:
    from datasketch import MinHash, MinHashLSH

    from run_core import LSH_THRESHOLD, NUM_PERM, shingles

    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    hashes = {}
    for a in articles:
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch(shingles(a.text))
        hashes[a.id] = m
        lsh.insert(a.id, m)
    return {(key, other) for key, m in hashes.items() for other in lsh.query(m) if other != key}


def rivals(
    articles: list[Article],
    embedder: Any,
    gold: set[Pair],
    same_event: set[Pair],
    rewrite_pairs: set[Pair],
    right: set[Pair] = frozenset(),  # type: ignore[assignment]
) -> dict[str, Any]:
    """Both rivals on ``articles``, scored (``right``: see ``score``); a side that cannot
    run says why."""
    out: dict[str, Any] = {}
    try:
        runs = {}
        for threshold in THRESHOLDS:
            t0 = time.perf_counter()
            links = semhash_links(articles, embedder, threshold)
            runs[threshold] = {
                "threshold": threshold,
                **score(links, gold, same_event, rewrite_pairs, right),
                "seconds": round(time.perf_counter() - t0, 2),
            }

        def f1(r: dict[str, Any]) -> float:
            p, q = r["precision"], r["recall"]
            return 2 * p * q / (p + q) if p + q else 0.0

        out["semhash"] = {
            "default": runs[0.9],
            "best_f1": max(runs.values(), key=lambda r: (f1(r), r["threshold"])),
            "by_threshold": list(runs.values()),
        }
    except Exception as exc:  # not installed, or it failed: recorded, not fatal
        out["semhash"] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    try:
        t0 = time.perf_counter()
        links = datasketch_links(articles)
        out["datasketch"] = {
            **score(links, gold, same_event, rewrite_pairs, right),
            "seconds": round(time.perf_counter() - t0, 2),
        }
    except Exception as exc:
        out["datasketch"] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    return out
