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

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

MAX_BUCKET = 1000  # an LSH bucket this full is a mass of identical texts: pair them no more
CHUNK_PAIRS = 4_000_000  # pair keys counted at once (32 MB of int64, about 3x that at peak)


class PostingParts:
    """(hash, article) postings collected batch by batch into ranges of hash values, so
    that they can be sorted one range at a time; the ranges come out in ascending hash
    order, which is also the order of the store's postings index.

    Winnowed anchors are minima, so hashes are far from uniform: the ranges are cut at
    quantiles of ``sample`` (some of the hashes). With ``only``, postings outside those
    ranges are ignored, so that several passes over the postings can each hold a share.
    """

    PARTS = 16

    def __init__(self, sample: np.ndarray, only: range = range(PARTS)) -> None:
        ordered = np.sort(sample.astype(np.int64, copy=False))
        at = np.arange(1, self.PARTS) * ordered.size // self.PARTS
        self.bounds = np.unique(ordered[at]) if ordered.size else ordered
        self.only = only
        self._hashes: list[list[np.ndarray]] = [[] for _ in range(self.PARTS)]
        self._articles: list[list[np.ndarray]] = [[] for _ in range(self.PARTS)]

    @classmethod
    def split(cls, passes: int) -> list[range]:
        """The ranges each of ``passes`` passes keeps."""
        passes = max(1, min(passes, cls.PARTS))
        edges = [round(i * cls.PARTS / passes) for i in range(passes + 1)]
        return [range(lo, hi) for lo, hi in pairwise(edges)]

    def add(self, hashes: np.ndarray, articles: np.ndarray) -> None:
        part = np.searchsorted(self.bounds, hashes, side="right")
        if len(self.only) < self.PARTS:
            mine = (part >= self.only.start) & (part < self.only.stop)
            part, hashes, articles = part[mine], hashes[mine], articles[mine]
        order = np.argsort(part, kind="stable")
        part, hashes, articles = part[order], hashes[order], articles[order].astype(np.uint32)
        bounds = np.searchsorted(part, np.arange(self.PARTS + 1))
        for p, (lo, hi) in enumerate(pairwise(bounds.tolist())):
            if hi > lo:
                self._hashes[p].append(hashes[lo:hi].astype(np.int64, copy=True))
                self._articles[p].append(articles[lo:hi].copy())

    def sorted(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Each range sorted by (hash, article), as int64 arrays; released once given out."""
        for p in range(self.PARTS):
            if not self._hashes[p]:
                continue
            h, a = np.concatenate(self._hashes[p]), np.concatenate(self._articles[p])
            self._hashes[p], self._articles[p] = [], []
            order = np.lexsort((a, h))
            yield h[order], a[order].astype(np.int64)


@dataclass(slots=True)
class Groups:
    """Postings grouped by hash: the articles of each kept group (ascending within it) as
    one int64 array, each group's size, and every article's number of postings."""

    members: np.ndarray
    sizes: np.ndarray
    per_article: np.ndarray


def group_postings(
    passes: Sequence[Iterable[tuple[np.ndarray, np.ndarray]]],
    max_size: int,
    *,
    sample: np.ndarray,
) -> Groups:
    """Group postings given as ``(hashes, articles)`` batches (an article at most once
    under a hash). Groups of one article, and groups larger than ``max_size``, are
    dropped: only what can make a pair stays.

    ``passes`` holds one iterable of batches per pass, each over all the postings (the
    engine reads them, e.g. lazily from its store, once a pass): each pass keeps a share
    of the hash ranges, so memory holds about 1/len(passes) of the postings at a time."""
    members: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    sizes: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    per_article = np.zeros(0, dtype=np.int64)
    ranges = PostingParts.split(len(passes))
    if len(ranges) != len(passes):
        raise ValueError(f"at most {PostingParts.PARTS} passes, got {len(passes)}")
    for i, (only, batches) in enumerate(zip(ranges, passes, strict=True)):
        parts = PostingParts(sample, only)
        for hashes, articles in batches:
            if i == 0 and articles.size:
                counts = np.bincount(articles, minlength=per_article.size)
                counts[: per_article.size] += per_article
                per_article = counts
            parts.add(hashes, articles)
        for h, a in parts.sorted():
            starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
            size = np.diff(np.r_[starts, h.size])
            keep = (size >= 2) & (size <= max_size)
            members.append(a[np.repeat(keep, size)])
            sizes.append(size[keep])
    return Groups(np.concatenate(members), np.concatenate(sizes), per_article)


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
    anchors = group_postings(
        [[(anchor_hashes, anchor_articles)]] * max(1, min(passes, PostingParts.PARTS)),
        max_df,
        sample=anchor_hashes[:: max(1, anchor_hashes.size // 10_000)],
    )
    bands = group_postings(
        [[(band_hashes, band_articles)]],
        max_bucket,
        sample=band_hashes[:: max(1, band_hashes.size // 10_000)],
    )
    return pairs_from_groups(
        anchors, bands, min_shared=min_shared, short_share=short_share, chunk_pairs=chunk_pairs
    )
