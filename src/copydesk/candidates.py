"""Candidates: pairs of articles that share enough fingerprints to be worth aligning.

Two routes find the same pairs:
- a sort-merge self-join of (hash, article) postings in numpy (``group_postings`` +
  ``pairs_from_groups``, or ``pairs_from_postings`` for arrays in hand), for scanning a
  large share of the store in one pass;
- the store's index lookups (``Store.candidate_pairs``) for a few new articles.
Either way a pair qualifies when it shares one LSH band key, or enough winnowed anchors
that are each found in at most ``max_df`` articles (stock phrases are left out): at least
``min_shared``, or, for short texts, at least ``short_share`` of the shorter one's anchors
(and never fewer than two). Reuse below that is too short to be reported anyway.

The self-join is memory-bounded: postings are read in one or more passes, each keeping a
share of the hash partitions, sorted one partition at a time, and only hashes found in two
or more articles are kept; pairs are then counted one range of lower article keys at a
time, so no more than ``chunk_pairs`` pair keys are held at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

MAX_BUCKET = 1000  # an LSH bucket this full is a mass of identical texts: pair them no more
CHUNK_PAIRS = 4_000_000  # pair keys counted at once (32 MB of int64, about 3x that at peak)
_PARTS = 16  # hash partitions sorted one at a time while grouping
_MIX = np.uint64(0x9E3779B97F4A7C15)  # spreads any hash over the partitions


class PostingGroups:
    """(hash, article) postings, collected batch by batch, then grouped by hash.

    Each article must appear at most once under a hash. Groups of one article, and groups
    larger than ``max_size``, are dropped when grouping: only what can make a pair stays.
    With ``only``, postings outside those hash partitions (of ``_PARTS``) are ignored, so
    several passes over the postings can each hold a share of them.
    """

    def __init__(self, max_size: int, only: range = range(_PARTS)) -> None:
        self.max_size = max_size
        self.only = only
        self._shift = np.uint64(64 - (_PARTS - 1).bit_length())
        self._hashes: list[list[np.ndarray]] = [[] for _ in range(_PARTS)]
        self._articles: list[list[np.ndarray]] = [[] for _ in range(_PARTS)]
        self.per_article = np.zeros(0, dtype=np.int64)  # postings of each article (all parts)

    def add(self, hashes: np.ndarray, articles: np.ndarray) -> None:
        if not hashes.size:
            return
        articles = articles.astype(np.int64, copy=False)
        counts = np.bincount(articles)
        if counts.size > self.per_article.size:
            counts[: self.per_article.size] += self.per_article
            self.per_article = counts
        else:
            self.per_article[: counts.size] += counts
        with np.errstate(over="ignore"):
            part = (hashes.astype(np.int64, copy=False).view(np.uint64) * _MIX) >> self._shift
        if len(self.only) < _PARTS:
            mine = (part >= self.only.start) & (part < self.only.stop)
            part, hashes, articles = part[mine], hashes[mine], articles[mine]
        order = np.argsort(part, kind="stable")
        part, h, a = part[order], hashes[order], articles[order].astype(np.uint32)
        bounds = np.searchsorted(part, np.arange(_PARTS + 1, dtype=np.uint64))
        for p, (lo, hi) in enumerate(pairwise(bounds.tolist())):
            if hi > lo:
                self._hashes[p].append(h[lo:hi].astype(np.int64, copy=True))
                self._articles[p].append(a[lo:hi].copy())

    def groups(self) -> Groups:
        """The kept groups; the collected postings are released."""
        members: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
        sizes: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
        for p in range(_PARTS):
            hs, arts = self._hashes[p], self._articles[p]
            self._hashes[p], self._articles[p] = [], []
            if not hs:
                continue
            h, a = np.concatenate(hs), np.concatenate(arts)
            del hs, arts
            order = np.lexsort((a, h))
            h, a = h[order], a[order]
            del order
            starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
            size = np.diff(np.r_[starts, h.size])
            keep = (size >= 2) & (size <= self.max_size)
            members.append(a[np.repeat(keep, size)].astype(np.int64))
            sizes.append(size[keep])
        return Groups(np.concatenate(members), np.concatenate(sizes), self.per_article)


@dataclass(slots=True)
class Groups:
    """Postings grouped by hash: the articles of each kept group (ascending within it) as
    one int64 array, each group's size, and every article's number of postings."""

    members: np.ndarray
    sizes: np.ndarray
    per_article: np.ndarray


def group_postings(
    read: Callable[[], Iterable[tuple[np.ndarray, np.ndarray]]], max_size: int, passes: int = 1
) -> Groups:
    """Group the postings that ``read()`` gives (``(hashes, articles)`` batches), in
    ``passes`` passes that each keep a share of the hash partitions: memory holds about
    1/passes of the postings at a time, and ``read`` is called once a pass."""
    passes = max(1, min(passes, _PARTS))
    edges = [round(i * _PARTS / passes) for i in range(passes + 1)]
    found: list[Groups] = []
    for lo, hi in pairwise(edges):
        collector = PostingGroups(max_size, only=range(lo, hi))
        for hashes, articles in read():
            collector.add(hashes, articles)
        found.append(collector.groups())
    return Groups(
        np.concatenate([g.members for g in found]),
        np.concatenate([g.sizes for g in found]),
        found[0].per_article,
    )


def enough_shared(
    shared: np.ndarray, n_x: np.ndarray, n_y: np.ndarray, min_shared: int, short_share: float
) -> np.ndarray:
    """Which pairs share enough anchors (arguments are arrays, one entry per pair)."""
    short = np.maximum(2, np.ceil(short_share * np.minimum(n_x, n_y)))
    return (shared >= max(2, min_shared)) | (shared >= short)


def _remaining(sizes: np.ndarray) -> np.ndarray:
    """For each member, how many members follow it in its group: the pairs it is lower in."""
    ends = np.repeat(np.cumsum(sizes), sizes)
    return ends - np.arange(ends.size) - 1


def _pairs_in(members: np.ndarray, remaining: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Packed keys ``x << 32 | y`` of every in-group pair whose lower article is in [lo, hi)."""
    pos = np.flatnonzero((remaining >= 1) & (members >= lo) & (members < hi))
    out = [np.zeros(0, dtype=np.int64)]
    offset = 1
    while pos.size:
        out.append((members[pos] << 32) | members[pos + offset])
        offset += 1
        pos = pos[remaining[pos] >= offset]
    return np.concatenate(out)


def _chunk_edges(weights: list[tuple[np.ndarray, np.ndarray]], chunk_pairs: int) -> list[int]:
    """Lower-key boundaries so that each range holds about ``chunk_pairs`` pairs."""
    top = max((int(m.max()) + 1 for m, _ in weights if m.size), default=0)
    load = np.zeros(top + 1, dtype=np.float64)
    for members, remaining in weights:
        load[:top] += np.bincount(members, weights=remaining, minlength=top)[:top]
    total = float(load.sum())
    edges = [0]
    if total > chunk_pairs:
        cum = np.cumsum(load)
        marks = np.arange(1, int(total // chunk_pairs) + 1) * float(chunk_pairs)
        edges += sorted({int(k) + 1 for k in np.searchsorted(cum, marks)} - {0})
    edges.append(top + 1)
    return sorted(set(edges))


def pairs_from_groups(
    anchors: Groups,
    bands: Groups,
    *,
    min_shared: int,
    short_share: float,
    chunk_pairs: int = CHUNK_PAIRS,
) -> np.ndarray:
    """Candidate pairs (n, 2) int64, each (lower key, higher key), sorted."""
    n_anchors = anchors.per_article
    a_members, b_members = anchors.members, bands.members
    a_rem, b_rem = _remaining(anchors.sizes), _remaining(bands.sizes)
    edges = _chunk_edges([(a_members, a_rem), (b_members, b_rem)], chunk_pairs)
    found = [np.zeros(0, dtype=np.int64)]
    for lo, hi in pairwise(edges):
        keys, counts = np.unique(_pairs_in(a_members, a_rem, lo, hi), return_counts=True)
        keys = keys[
            enough_shared(
                counts, n_anchors[keys >> 32], n_anchors[keys & 0xFFFFFFFF], min_shared, short_share
            )
        ]
        found.append(np.union1d(keys, _pairs_in(b_members, b_rem, lo, hi)))
    packed = np.concatenate(found)
    return np.stack([packed >> 32, packed & 0xFFFFFFFF], axis=1)


def pairs_from_postings(
    anchor_hashes: np.ndarray,
    anchor_articles: np.ndarray,
    band_hashes: np.ndarray,
    band_articles: np.ndarray,
    *,
    min_shared: int,
    short_share: float,
    max_df: int,
    max_bucket: int = MAX_BUCKET,
    chunk_pairs: int = CHUNK_PAIRS,
    passes: int = 1,
) -> np.ndarray:
    """``pairs_from_groups`` for postings already in arrays (``passes`` as in
    ``group_postings``)."""
    anchors = group_postings(lambda: [(anchor_hashes, anchor_articles)], max_df, passes)
    bands = group_postings(lambda: [(band_hashes, band_articles)], max_bucket)
    return pairs_from_groups(
        anchors, bands, min_shared=min_shared, short_share=short_share, chunk_pairs=chunk_pairs
    )
