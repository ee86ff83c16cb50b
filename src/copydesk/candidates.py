"""Candidates: pairs of articles that share enough fingerprints to be worth aligning.

Two routes find the same pairs:
- ``pairs_from_postings``: a sort-merge self-join of (hash, article) postings in numpy,
  for scanning a large share of the store in one pass;
- the store's index lookups (``Store.candidate_pairs``) for a few new articles.
Either way a pair qualifies when it shares one LSH band key, or enough winnowed anchors
that are each found in at most ``max_df`` articles (stock phrases are left out): at least
``min_shared``, or, for short texts, at least ``short_share`` of the shorter one's anchors
(and never fewer than two). Reuse below that is too short to be reported anyway.
"""

from __future__ import annotations

import numpy as np

MAX_BUCKET = 1000  # an LSH bucket this full is a mass of identical texts: pair them no more


def _group_pairs(hashes: np.ndarray, articles: np.ndarray, max_df: int) -> np.ndarray:
    """Every pair of articles under an equal hash, as packed keys ``lo << 32 | hi``.

    Postings must be unique per (hash, article). Groups larger than ``max_df`` are skipped.
    """
    if hashes.size < 2:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(hashes, kind="stable")
    h, a = hashes[order], articles[order]
    starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
    sizes = np.diff(np.r_[starts, h.size])
    keep = (sizes >= 2) & (sizes <= max_df)
    if not keep.any():
        return np.zeros(0, dtype=np.int64)
    # Only postings in kept groups; ``remaining`` is how many follow in the same group.
    a = a[np.repeat(keep, sizes)]
    group_end = np.repeat(np.cumsum(sizes[keep]), sizes[keep])
    remaining = group_end - np.arange(a.size) - 1
    out = []
    offset = 1
    pos = np.flatnonzero(remaining >= 1)
    while pos.size:
        x, y = a[pos], a[pos + offset]
        lo, hi = np.minimum(x, y), np.maximum(x, y)
        out.append((lo << 32) | hi)
        offset += 1
        pos = pos[remaining[pos] >= offset]
    return np.concatenate(out)


def enough_shared(
    shared: np.ndarray, n_x: np.ndarray, n_y: np.ndarray, min_shared: int, short_share: float
) -> np.ndarray:
    """Which pairs share enough anchors (arguments are arrays, one entry per pair)."""
    short = np.maximum(2, np.ceil(short_share * np.minimum(n_x, n_y)))
    return (shared >= max(2, min_shared)) | (shared >= short)


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
) -> np.ndarray:
    """Candidate pairs (n, 2) int64, each (lower key, higher key), sorted."""
    articles = anchor_articles.astype(np.int64)
    anchor_keys = _group_pairs(anchor_hashes, articles, max_df)
    keys, counts = np.unique(anchor_keys, return_counts=True)
    n_anchors = np.bincount(articles) if articles.size else np.zeros(1, dtype=np.int64)
    keys = keys[
        enough_shared(
            counts, n_anchors[keys >> 32], n_anchors[keys & 0xFFFFFFFF], min_shared, short_share
        )
    ]
    band_keys = np.unique(_group_pairs(band_hashes, band_articles.astype(np.int64), max_bucket))
    packed = np.union1d(keys, band_keys)
    return np.stack([packed >> 32, packed & 0xFFFFFFFF], axis=1)
