"""The nearest-neighbour benchmark's exact neighbours and recall (bench/run_ann.py), and one
installed index run end to end on random unit vectors."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from run_ann import exact_neighbours, recall_at_k, run_usearch  # noqa: E402


def _unit(n: int, d: int, seed: int = 3) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_exact_neighbours_by_brute_force() -> None:
    v = _unit(300, 16)
    got = exact_neighbours(v, 5, chunk=64)
    sims = v @ v.T
    for i in (0, 77, 299):
        want = np.argsort(-sims[i])[:5]
        assert got[i].tolist() == want.tolist()
    assert (got[:, 0] == np.arange(300)).all()  # each vector is its own nearest


def test_recall_counts_the_exact_neighbours_found() -> None:
    exact = np.array([[0, 1, 2], [1, 0, 3]])
    assert recall_at_k(exact, exact) == 1.0
    assert recall_at_k(np.array([[2, 1, 9], [-1, -1, -1]]), exact) == pytest.approx(2 / 6)


def test_usearch_side_finds_most_neighbours() -> None:
    pytest.importorskip("usearch")
    v = _unit(2000, 32)
    r = run_usearch(v, 10, 1, "f32")
    assert r["bytes"] > 0 and r["build_s"] >= 0
    assert recall_at_k(r["found"], exact_neighbours(v, 10)) > 0.8
