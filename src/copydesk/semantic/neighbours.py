"""Exact nearest articles by mean vector, in integer arithmetic.

The mean vectors are int8 (256 components): the dot product of two is an integer of at
most 256 * 127 * 127 = 4,129,024, below 2**24, so float32 matrix products of the raw
components give it exactly whatever the blocking, the thread count or the BLAS library.
The cosine is then that integer over the two norms, element by element: the neighbours
found, and so the candidate pairs, depend on nothing but the vectors. It costs one
multiply-add per component of every (query, stored) pair, so it serves while the queries
times the stored articles stay within ``EXACT_BUDGET``; beyond it (the first scan of a very
large collection) the stage asks an HNSW index instead.
"""

from __future__ import annotations

import numpy as np

from copydesk.semantic.embed import inverse_norms

EXACT_BUDGET = 1_000_000_000  # (query, stored article) pairs compared exactly in one scan
_QUERY_BLOCK = 512
_BASE_BLOCK = 32_768  # stored rows a product takes: 512 x 32,768 cosines, 64 MB
_WHOLE_BASE = 65_536  # up to this many stored rows, one float32 copy of them all (64 MB)


def exact_neighbours(
    queries: np.ndarray,
    query_keys: np.ndarray,
    base: np.ndarray,
    base_keys: np.ndarray,
    k: int,
    cosine: float,
) -> list[list[tuple[int, float]]]:
    """For each query row (int8), up to ``k`` (key, cosine) of the base rows (int8) with
    cosine at least ``cosine``, best first (ties by lower key), leaving out the row whose
    key is the query's own. When the queries are the base itself (a first scan), each
    pair of rows is multiplied once, for both."""
    if not len(queries) or not len(base) or k <= 0:
        return [[] for _ in range(len(queries))]
    query_keys = np.asarray(query_keys, dtype=np.int64)
    base_keys = np.asarray(base_keys, dtype=np.int64)
    same = np.array_equal(query_keys, base_keys) and np.array_equal(queries, base)
    q_inv = inverse_norms(queries)
    b_inv = q_inv if same else inverse_norms(base)
    whole = base.astype(np.float32) if len(base) <= _WHOLE_BASE else None
    hits = _Hits(k)
    threshold = np.float32(cosine)
    for q0 in range(0, len(queries), _QUERY_BLOCK):
        q1 = min(q0 + _QUERY_BLOCK, len(queries))
        qf = queries[q0:q1].astype(np.float32)
        for b0 in range(q0 if same else 0, len(base), _BASE_BLOCK):
            b1 = min(b0 + _BASE_BLOCK, len(base))
            bf = whole[b0:b1] if whole is not None else base[b0:b1].astype(np.float32)
            # the exact integer dot over the product of the two inverse norms: the same
            # float32 cosine for (a, b) as for (b, a)
            block = (qf @ bf.T) * (q_inv[q0:q1, None] * b_inv[None, b0:b1])
            block[query_keys[q0:q1, None] == base_keys[None, b0:b1]] = -1.0  # itself
            r, c = np.nonzero(block >= threshold)
            sims = block[r, c]
            hits.add(r + q0, base_keys[b0 + c], sims)
            if same:  # the rows of later blocks, from the same products
                later = (b0 + c) >= q1
                hits.add((b0 + c)[later], query_keys[(r + q0)[later]], sims[later])
    row, key, sim = hits.best()
    bounds = np.searchsorted(row, np.arange(len(queries) + 1))
    key_list, sim_list = key.tolist(), sim.tolist()
    return [
        list(zip(key_list[a:b], sim_list[a:b], strict=True))
        for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
    ]


class _Hits:
    """(query row, key, cosine) found so far, cut to each row's best ``k`` whenever many
    have gathered: bounded memory however many articles are close."""

    LIMIT = 4_000_000

    def __init__(self, k: int) -> None:
        self.k = k
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.size = 0

    def add(self, rows: np.ndarray, keys: np.ndarray, sims: np.ndarray) -> None:
        self.parts.append((rows, keys, sims))
        self.size += len(rows)
        if self.size > self.LIMIT:
            self.parts = [self.best()]
            self.size = len(self.parts[0][0])

    def best(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not self.parts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0, dtype=np.float32)
        rows, keys, sims = (np.concatenate(x) for x in zip(*self.parts, strict=True))
        return _best(rows, keys, sims, self.k)


def _best(
    rows: np.ndarray, keys: np.ndarray, sims: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``k`` best (highest cosine, then lowest key) of each row, sorted by row, best
    first."""
    order = np.lexsort((keys, -sims, rows))
    rows, keys, sims = rows[order], keys[order], sims[order]
    starts = np.searchsorted(rows, rows, side="left")  # each entry's row's first entry
    keep = (np.arange(len(rows)) - starts) < k
    return rows[keep], keys[keep], sims[keep]
