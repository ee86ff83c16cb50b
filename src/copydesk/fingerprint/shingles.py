"""Word shingles and winnowed anchors, all in vectorised numpy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from copydesk.fingerprint.minhash import band_keys, minhash
from copydesk.text.tokens import mix64, word_hashes, words_of

SHINGLE = 5  # words per shingle: long enough that chance matches between stories are rare
WINDOW = 6  # winnowing window: any shared run of SHINGLE + WINDOW - 1 words shares an anchor

_MUL = np.uint64(0x9E3779B97F4A7C15)


def shingle_hashes(hashes: np.ndarray, k: int = SHINGLE) -> np.ndarray:
    """Hash of every run of ``k`` consecutive words (one hash for a text shorter than k)."""
    n = hashes.size
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    k = min(k, n)
    out = hashes[: n - k + 1].copy()
    with np.errstate(over="ignore"):
        for j in range(1, k):
            out = out * _MUL + hashes[j : n - k + 1 + j]
        return mix64(out)


def anchors(shingles: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """Winnowing: the smallest shingle hash of every window, as a sorted unique set.

    Unlike sampling every n-th hash, winnowing guarantees that any shared run of
    ``SHINGLE + window - 1`` words yields a shared anchor: short partial copies are found.
    """
    if shingles.size <= window:
        return np.unique(shingles)
    return np.unique(sliding_window_view(shingles, window).min(axis=1))


@dataclass(slots=True)
class Fingerprint:
    """What the candidate stage needs of one text: stored on disk, never all in RAM."""

    n_words: int
    anchors: np.ndarray  # uint64, sorted unique
    bands: np.ndarray  # uint64, one LSH key per band


def fingerprint(text: str) -> Fingerprint:
    words = words_of(text)
    shingles = shingle_hashes(word_hashes(words))
    if shingles.size == 0:
        empty = np.zeros(0, dtype=np.uint64)
        return Fingerprint(n_words=0, anchors=empty, bands=empty)
    return Fingerprint(
        n_words=len(words), anchors=anchors(shingles), bands=band_keys(minhash(shingles))
    )
