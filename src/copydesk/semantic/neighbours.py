"""Exact nearest articles by mean vector, in integer arithmetic.

The mean vectors are int8 (256 components): the dot product of two is an integer of at
most 256 * 127 * 127 = 4,129,024, below 2**24, so float32 matrix products of the raw
components give it exactly whatever the blocking, the thread count or the BLAS library.
The cosine is then that integer over the two norms, element by element: the neighbours
found, and so the candidate pairs, depend on nothing but the vectors. It costs one
multiply-add per component of every (query, stored) pair, so it serves while the queries
times the stored articles stay within ``EXACT_BUDGET``. Beyond it (the first scan of a
large collection) ``clustered_neighbours`` compares each query with the stored rows of
the cells nearest it only (k-means cells, also in integer arithmetic): the same cosines,
so a subset of what the exact search finds, and as deterministic.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from copydesk.engines.workers import one_native_thread
from copydesk.semantic.embed import cosines, inverse_norms

EXACT_BUDGET = 1_000_000_000  # (query, stored article) pairs compared exactly in one scan
_QUERY_BLOCK = 512
_BASE_BLOCK = 32_768  # stored rows a product takes: 512 x 32,768 cosines, 64 MB
WHOLE_BASE = 65_536  # up to this many stored rows, one float32 copy of them all (64 MB)


def exact_neighbours(
    queries: np.ndarray,
    query_keys: np.ndarray,
    base: np.ndarray,
    base_keys: np.ndarray,
    k: int,
    cosine: float,
    *,
    base_inverse: np.ndarray | None = None,
    base_float: np.ndarray | None = None,
    workers: int = 1,
) -> list[list[tuple[int, float]]]:
    """For each query row (int8), up to ``k`` (key, cosine) of the base rows (int8) with
    cosine at least ``cosine``, best first (ties by lower key), leaving out the row whose
    key is the query's own. When the queries are the base itself (a first scan), each
    pair of rows is multiplied once, for both. ``base_inverse`` (``inverse_norms(base)``)
    and ``base_float`` (``base`` as float32) may be given by a caller that searches the
    same base again and again (``trace``). With ``workers`` above 1 the blocks of queries
    are shared out over a pool of that many processes, forked with the rows loaded: each
    finds the best of its blocks' products, and the best of those are the answer, the
    same whichever process multiplied which block."""
    if not len(queries) or not len(base) or k <= 0:
        return [[] for _ in range(len(queries))]
    query_keys = np.asarray(query_keys, dtype=np.int64)
    base_keys = np.asarray(base_keys, dtype=np.int64)
    same = np.array_equal(query_keys, base_keys) and np.array_equal(queries, base)
    q_inv = inverse_norms(queries)
    b_inv = q_inv if same else base_inverse if base_inverse is not None else inverse_norms(base)
    whole = base_float
    if whole is None and len(base) <= WHOLE_BASE:
        whole = base.astype(np.float32)
    search = _Exact(
        queries, query_keys, base, base_keys, q_inv, b_inv, whole, same, k, np.float32(cosine)
    )
    blocks = list(range(0, len(queries), _QUERY_BLOCK))
    pooled = workers > 1 and len(blocks) >= 4 * workers
    # blocks dealt out in turn: with ``same`` the first blocks multiply the most rows
    shares = [blocks[i :: 2 * workers] for i in range(2 * workers)] if pooled else [blocks]
    return _answers(_exact_blocks, search, shares, workers if pooled else 1, len(queries))


@dataclass(slots=True, frozen=True)
class _Exact:
    """What multiplying blocks of queries needs (see ``exact_neighbours``)."""

    queries: np.ndarray
    query_keys: np.ndarray
    base: np.ndarray
    base_keys: np.ndarray
    q_inv: np.ndarray
    b_inv: np.ndarray
    whole: np.ndarray | None  # the base as float32, when held at once
    same: bool  # the queries are the base
    k: int
    threshold: np.float32


def _exact_blocks(s: _Exact, blocks: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The best ``s.k`` (row, key, cosine) of each query row among the products of the
    query blocks starting at ``blocks`` (with ``s.same``, of the rows of later blocks too)."""
    hits = _Hits(s.k)
    for q0 in blocks:
        q1 = min(q0 + _QUERY_BLOCK, len(s.queries))
        qf = s.queries[q0:q1].astype(np.float32)
        for b0 in range(q0 if s.same else 0, len(s.base), _BASE_BLOCK):
            b1 = min(b0 + _BASE_BLOCK, len(s.base))
            bf = s.whole[b0:b1] if s.whole is not None else s.base[b0:b1].astype(np.float32)
            # the same float32 cosine for (a, b) as for (b, a): see ``cosines``
            block = cosines(qf, bf, s.q_inv[q0:q1], s.b_inv[b0:b1])
            block[s.query_keys[q0:q1, None] == s.base_keys[None, b0:b1]] = -1.0  # itself
            r, c = np.nonzero(block >= s.threshold)
            sims = block[r, c]
            hits.add(r + q0, s.base_keys[b0 + c], sims)
            if s.same:  # the rows of later blocks, from the same products
                later = (b0 + c) >= q1
                hits.add((b0 + c)[later], s.query_keys[(r + q0)[later]], sims[later])
    return hits.best()


def close_rows(queries: np.ndarray, base: np.ndarray, cosine: float) -> np.ndarray:
    """Which base rows (int8) have a cosine of at least ``cosine`` with some query row
    (int8): the exact search's cosines, a block at a time."""
    close = np.zeros(len(base), dtype=bool)
    if not len(queries) or not len(base):
        return close
    q_inv, b_inv = inverse_norms(queries), inverse_norms(base)
    threshold = np.float32(cosine)
    for q0 in range(0, len(queries), _QUERY_BLOCK):
        qf = queries[q0 : q0 + _QUERY_BLOCK].astype(np.float32)
        for b0 in range(0, len(base), _BASE_BLOCK):
            b1 = min(b0 + _BASE_BLOCK, len(base))
            block = cosines(qf, base[b0:b1], q_inv[q0 : q0 + _QUERY_BLOCK], b_inv[b0:b1])
            close[b0:b1] |= (block >= threshold).any(axis=0)
    return close


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

    def per_query(self, queries: int) -> list[list[tuple[int, float]]]:
        """Each query row's best (key, cosine), best first."""
        row, key, sim = self.best()
        bounds = np.searchsorted(row, np.arange(queries + 1)).tolist()
        key_list, sim_list = key.tolist(), sim.tolist()
        return [
            list(zip(key_list[a:b], sim_list[a:b], strict=True))
            for a, b in itertools.pairwise(bounds)
        ]

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


CELL_ITERATIONS = 6  # k-means rounds on the training sample
CELL_SAMPLE = 32  # training rows per cell
CELLS_PER_ROOT = 4  # cells: 4 x the square root of the stored rows
PROBES = 32  # cells searched per query


_CELL_ROWS = 2048  # rows whose cosines to every centre are held at once
_PROBE_CHUNK = 131_072  # queries whose probed cells are listed at once (32 MB at 32 probes)


def _nearest_cells(vectors: np.ndarray, centres: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` cells whose int8 centres are most similar to each int8 row, best first
    (exact integer dots over the centres' lengths; ties to the lower cell), a block of
    rows at a time: each row's answer is its own, so memory stays one block's."""
    out = np.zeros((len(vectors), n), dtype=np.int32)  # cells fit; half the memory
    centre_inv = inverse_norms(centres)
    for lo in range(0, len(vectors), _CELL_ROWS):
        block = vectors[lo : lo + _CELL_ROWS]
        sims = cosines(block, centres, inverse_norms(block), centre_inv)
        if n == 1:
            out[lo : lo + len(block), 0] = sims.argmax(axis=1)
        else:
            out[lo : lo + len(block)] = top_columns(sims, n)
    return out


def top_columns(values: np.ndarray, n: int) -> np.ndarray:
    """Each row's ``n`` highest columns, highest first, ties to the lower column: the
    first ``n`` of a stable descending sort, found by partitioning (a full sort of every
    row costs most of the time when n is small beside the row). A row where the n-th
    value ties with a value left out is sorted in full."""
    if n >= values.shape[1]:
        return np.argsort(-values, axis=1, kind="stable")[:, :n]
    neg = -values
    chosen = np.argpartition(neg, n - 1, axis=1)[:, :n]
    chosen.sort(axis=1)  # column order, so the stable sort below breaks ties by column
    picked = np.take_along_axis(neg, chosen, axis=1)
    nth = picked.max(axis=1, keepdims=True)
    out = np.take_along_axis(chosen, np.argsort(picked, axis=1, kind="stable"), axis=1)
    unsure = np.flatnonzero((neg == nth).sum(axis=1) != (picked == nth).sum(axis=1))
    if len(unsure):
        out[unsure] = np.argsort(neg[unsure], axis=1, kind="stable")[:, :n]
    return out


def train_cells(vectors: np.ndarray, cells: int) -> np.ndarray:
    """``cells`` int8 centres from k-means on evenly spaced rows of ``vectors``: the first
    centres are evenly spaced rows too, each round assigns rows to their nearest centre
    (exact integer dots) and sets each centre to the quantised mean direction of its rows,
    summed in row order, so the centres depend on the rows alone. A centre left with no
    rows keeps its place."""
    cells = max(1, min(cells, len(vectors)))
    sample = vectors[
        np.linspace(0, len(vectors) - 1, min(len(vectors), cells * CELL_SAMPLE)).astype(int)
    ]
    centres = sample[np.linspace(0, len(sample) - 1, cells).astype(int)].copy()
    units = sample.astype(np.float64) * inverse_norms(sample).astype(np.float64)[:, None]
    for _ in range(CELL_ITERATIONS):
        member = _nearest_cells(sample, centres, 1)[:, 0]
        sums = np.zeros((cells, vectors.shape[1]), dtype=np.float64)
        np.add.at(sums, member, units)
        lengths = np.linalg.norm(sums, axis=1)
        filled = lengths > 0
        new = centres.copy()  # int8: the rounded, clipped directions are cast into it
        new[filled] = np.clip(np.rint(sums[filled] / lengths[filled, None] * 127.0), -127, 127)
        if np.array_equal(new, centres):
            break
        centres = new
    return centres


def clustered_neighbours(
    queries: np.ndarray,
    query_keys: np.ndarray,
    base: np.ndarray,
    base_keys: np.ndarray,
    k: int,
    cosine: float,
    *,
    cells: int,
    probes: int,
    workers: int = 1,
) -> list[list[tuple[int, float]]]:
    """As ``exact_neighbours``, among the stored rows of the ``probes`` cells nearest each
    query (cells from ``train_cells``; each stored row in its nearest cell): the cosines
    are the exact search's own numbers, so what is found is what it would find, less the
    neighbours in cells not probed. Deterministic: everything is integer dots and sums
    in a fixed order. With ``workers`` above 1 the chunks of queries are searched in a
    pool of that many processes, forked once the cells are made (they share the rows)."""
    if not len(queries) or not len(base) or k <= 0:
        return [[] for _ in range(len(queries))]
    query_keys = np.asarray(query_keys, dtype=np.int64)
    base_keys = np.asarray(base_keys, dtype=np.int64)
    centres = train_cells(base, cells)
    probes = max(1, min(probes, len(centres)))
    home = _nearest_cells(base, centres, 1)[:, 0]
    by_cell = np.argsort(home, kind="stable")
    search = _Search(
        queries,
        query_keys,
        base,
        base_keys,
        inverse_norms(queries),
        inverse_norms(base),
        centres,
        by_cell,
        np.searchsorted(home[by_cell], np.arange(len(centres) + 1)),
        probes,
        k,
        np.float32(cosine),
    )
    del home
    # The queries a chunk at a time, so the (query, probed cell) lists stay a chunk's;
    # each query's answer is its own, so neither the chunking nor the process that
    # searches a chunk changes anything found.
    chunks = range(0, len(queries), _PROBE_CHUNK)
    return _answers(_search_chunk, search, chunks, workers, len(queries))


@dataclass(slots=True, frozen=True)
class _Search:
    """What searching a chunk of queries needs (see ``clustered_neighbours``)."""

    queries: np.ndarray
    query_keys: np.ndarray
    base: np.ndarray
    base_keys: np.ndarray
    q_inv: np.ndarray
    b_inv: np.ndarray
    centres: np.ndarray
    by_cell: np.ndarray  # base rows, cell by cell
    cell_starts: np.ndarray  # where each cell's rows start in by_cell
    probes: int
    k: int
    threshold: np.float32


def _search_chunk(s: _Search, q0: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The best ``s.k`` (row, key, cosine) of the queries q0 .. q0 + _PROBE_CHUNK."""
    chunk = np.arange(q0, min(q0 + _PROBE_CHUNK, len(s.queries)), dtype=np.int64)
    # (query, probed cell) entries sorted by cell; entry e is query q0 + e // probes
    q_cells = _nearest_cells(s.queries[q0 : chunk[-1] + 1], s.centres, s.probes).reshape(-1)
    q_order = np.argsort(q_cells, kind="stable")
    q_starts = np.searchsorted(q_cells[q_order], np.arange(len(s.centres) + 1))
    del q_cells
    hits = _Hits(s.k)
    for c in range(len(s.centres)):
        members = s.by_cell[s.cell_starts[c] : s.cell_starts[c + 1]]
        asking = chunk[q_order[q_starts[c] : q_starts[c + 1]] // s.probes]
        if not len(members) or not len(asking):
            continue
        for a0 in range(0, len(asking), _QUERY_BLOCK):
            rows = asking[a0 : a0 + _QUERY_BLOCK]
            block = cosines(s.queries[rows], s.base[members], s.q_inv[rows], s.b_inv[members])
            block[s.query_keys[rows, None] == s.base_keys[None, members]] = -1.0  # itself
            r, m = np.nonzero(block >= s.threshold)
            hits.add(rows[r], s.base_keys[members[m]], block[r, m])
    return hits.best()


_FORKED: tuple[Callable, object] | None = None  # what a forked worker inherits (set just before)


def _run_forked(item: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    assert _FORKED is not None
    work, state = _FORKED
    return work(state, item)


def _answers(
    work: Callable, state: _Exact | _Search, items: Sequence, workers: int, n: int
) -> list[list[tuple[int, float]]]:
    """Each of the ``n`` queries' best ``state.k`` (key, cosine), from the best (row, key,
    cosine) that ``work(state, item)`` finds for each item: in a forked pool of ``workers``
    when there are more items than one and workers to share them, else here. The best of
    the parts' best is the same however the items were shared out."""
    if workers > 1 and len(items) > 1:
        parts = _in_pool(work, state, items, workers)
    else:
        parts = [work(state, item) for item in items]
    hits = _Hits(state.k)
    for rows, keys, sims in parts:
        hits.add(rows, keys, sims)
    return hits.per_query(n)


def _in_pool(
    work: Callable, state: object, items: Iterable, workers: int
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``work(state, item)`` for each item in a pool forked now, so the workers share the
    state's rows (a fork copies no pages until they are written); results in item order."""
    global _FORKED
    _FORKED = (work, state)
    try:
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=one_native_thread,
        ) as pool:
            return list(pool.map(_run_forked, items))
    finally:
        _FORKED = None
