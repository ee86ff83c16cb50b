"""MinHash signatures and LSH band keys, vectorised over all shingles and permutations."""

from __future__ import annotations

import numpy as np

from copydesk.text.tokens import mix64

NUM_PERM = 64  # enough for near-duplicates: partial reuse is found by anchors, not by LSH
BANDS = 8  # 8 bands of 8 rows: pairs above Jaccard ~0.77 collide in some band
ROWS = NUM_PERM // BANDS

_rng = np.random.default_rng(20221016)  # fixed: signatures must agree across runs and hosts
# Multiply-shift permutations h -> a*h + b (mod 2^64), a odd: the minimum is decided by the
# high bits, which this family mixes well, at two vector operations per cell.
_A = _rng.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64)
_BAND_SALT = _rng.integers(1, 2**63, size=BANDS, dtype=np.uint64)
_ROW_MUL = _rng.integers(1, 2**63, size=ROWS, dtype=np.uint64) | np.uint64(1)

# Shingles are processed in slices so the permutation matrix stays small.
_CHUNK = 1 << 13


def minhash(shingles: np.ndarray) -> np.ndarray:
    """The MinHash signature (NUM_PERM uint64 values) of a set of shingle hashes."""
    sig = np.full(NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for lo in range(0, shingles.size, _CHUNK):
            part = shingles[lo : lo + _CHUNK]
            cells = np.empty((NUM_PERM, part.size), dtype=np.uint64)
            np.multiply(_A[:, None], part[None, :], out=cells)
            cells += _B[:, None]
            np.minimum(sig, cells.min(axis=1), out=sig)
    return sig


def band_keys(signature: np.ndarray) -> np.ndarray:
    """One key per band: documents that share a key are LSH candidates."""
    rows = mix64(signature).reshape(BANDS, ROWS)
    with np.errstate(over="ignore"):
        return mix64((rows * _ROW_MUL[None, :]).sum(axis=1, dtype=np.uint64) ^ _BAND_SALT)


def jaccard_estimate(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a == b))
