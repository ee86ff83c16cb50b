"""Word shingles and winnowed anchors: vectorised numpy, or one compiled call per batch.

``fingerprints`` uses the compiled module ``copydesk._fingerprint`` when the install built
it (``COMPILED``) and numpy otherwise; both give identical fingerprints (tested).
``COPYDESK_PURE=1`` in the environment makes it use numpy even when the module is there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from copydesk.fingerprint.minhash import (
    _A,
    _B,
    _BAND_SALT,
    _ROW_MUL,
    BANDS,
    NUM_PERM,
    ROWS,
    band_keys,
    minhash,
)
from copydesk.native import NATIVE as _NATIVE
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


# A batch's permutation matrix is built over at most this many shingles at a time.
_BATCH_CELLS = 1 << 15


COMPILED = _NATIVE is not None  # whether ``fingerprints`` runs the compiled path


def fingerprints(texts: list[str]) -> list[Fingerprint]:
    """``fingerprint`` of every text: compiled when available, else numpy (identical)."""
    if _NATIVE is not None:
        return fingerprints_compiled(texts)
    return fingerprints_numpy(texts)


def fingerprints_compiled(texts: list[str]) -> list[Fingerprint]:
    """``fingerprint`` of every text in one call to ``copydesk._fingerprint``.

    It walks each case-folded text in C, finding words as the ``re`` module finds ``\\w+``
    and hashing their UTF-8 bytes exactly as ``word_hashes`` does, then makes shingles,
    winnowing anchors, MinHash and band keys with the same constants. The fingerprints share
    one buffer per batch. Raises ImportError when the module was not built.
    """
    native = _NATIVE
    if native is None:
        from copydesk import _fingerprint as native  # raises ImportError when not built
    counts_b, bounds_b, anchors_b, bands_b = native.fingerprint_batch(
        texts, _A, _B, _BAND_SALT, _ROW_MUL, SHINGLE, WINDOW
    )
    counts = np.frombuffer(counts_b, dtype=np.int64).tolist()
    bounds = np.frombuffer(bounds_b, dtype=np.int64).tolist()
    anchors_all = np.frombuffer(anchors_b, dtype=np.uint64)
    bands_all = np.frombuffer(bands_b, dtype=np.uint64).reshape(len(counts), BANDS)
    empty = np.zeros(0, dtype=np.uint64)
    return [
        Fingerprint(
            n_words=n,
            anchors=anchors_all[bounds[i] : bounds[i + 1]],
            bands=bands_all[i] if n else empty,
        )
        for i, n in enumerate(counts)
    ]


def fingerprints_numpy(texts: list[str]) -> list[Fingerprint]:
    """``fingerprint`` of every text, computed over the whole batch at once in numpy.

    The words of all texts are hashed in one call, shingles and winnowing windows are taken
    over the concatenation and the ones that cross a text's end are dropped, and MinHash
    minima are reduced per text with ``np.minimum.reduceat``: a few numpy calls per batch
    instead of a dozen per text. The result is identical to ``fingerprint`` text by text
    (tested), which stays the reference.
    """
    word_lists = [words_of(t) for t in texts]
    counts = np.fromiter(map(len, word_lists), dtype=np.int64, count=len(word_lists))
    out: list[Fingerprint | None] = [None] * len(texts)
    empty = np.zeros(0, dtype=np.uint64)
    regular: list[int] = []
    for i, n in enumerate(counts.tolist()):
        if n == 0:
            out[i] = Fingerprint(n_words=0, anchors=empty, bands=empty)
        elif n < SHINGLE + WINDOW:  # short texts: the reference path (rare, cheap)
            out[i] = fingerprint(texts[i])
        else:
            regular.append(i)
    if regular:
        _fingerprint_regular(regular, word_lists, counts, out)
    return out  # type: ignore[return-value]


def _fingerprint_regular(
    chosen: list[int],
    word_lists: list[list[str]],
    counts: np.ndarray,
    out: list[Fingerprint | None],
) -> None:
    """Texts of at least SHINGLE + WINDOW words, so every one has > WINDOW shingles."""
    n_words = counts[chosen]
    hashes = word_hashes([w for i in chosen for w in word_lists[i]])
    word_start = np.zeros(len(chosen), dtype=np.int64)
    np.cumsum(n_words[:-1], out=word_start[1:])
    # shingle hashes over the concatenation; keep the windows inside one text
    total = hashes.size
    acc = hashes[: total - SHINGLE + 1].copy()
    with np.errstate(over="ignore"):
        for j in range(1, SHINGLE):
            acc = acc * _MUL + hashes[j : total - SHINGLE + 1 + j]
    n_sh = n_words - SHINGLE + 1
    keep = _segments(word_start, n_sh)
    shingles = mix64(acc[keep])
    sh_start = np.zeros(len(chosen), dtype=np.int64)
    np.cumsum(n_sh[:-1], out=sh_start[1:])
    # winnowing: the minimum of every window of WINDOW shingles inside one text
    mins = sliding_window_view(shingles, WINDOW).min(axis=1)
    n_win = n_sh - WINDOW + 1
    win = mins[_segments(sh_start, n_win)]
    owner = np.repeat(np.arange(len(chosen)), n_win)
    order = np.lexsort((win, owner))
    win, owner = win[order], owner[order]
    first = np.ones(win.size, dtype=bool)
    first[1:] = (win[1:] != win[:-1]) | (owner[1:] != owner[:-1])
    win, owner = win[first], owner[first]
    anchor_bounds = np.searchsorted(owner, np.arange(len(chosen) + 1))
    signatures = _minhash_segments(shingles, sh_start, n_sh)
    bands = _band_keys_rows(signatures)
    for row, i in enumerate(chosen):
        out[i] = Fingerprint(
            n_words=int(n_words[row]),
            anchors=win[anchor_bounds[row] : anchor_bounds[row + 1]].copy(),
            bands=bands[row].copy(),
        )


def _segments(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Indices ``starts[i] .. starts[i] + lengths[i] - 1`` of every segment, concatenated."""
    total = int(lengths.sum())
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return np.arange(total, dtype=np.int64) + offsets


def _minhash_segments(shingles: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``minhash`` of every segment of ``shingles``, one row per segment."""
    sig = np.empty((starts.size, NUM_PERM), dtype=np.uint64)
    lo = 0
    while lo < starts.size:
        hi = lo + 1
        budget = int(lengths[lo])
        while hi < starts.size and budget + int(lengths[hi]) <= _BATCH_CELLS:
            budget += int(lengths[hi])
            hi += 1
        if hi == lo + 1:
            s = int(starts[lo])
            sig[lo] = minhash(shingles[s : s + int(lengths[lo])])
        else:
            s, e = int(starts[lo]), int(starts[hi - 1] + lengths[hi - 1])
            part = shingles[s:e]
            with np.errstate(over="ignore"):
                cells = _A[:, None] * part[None, :]
                cells += _B[:, None]
            sig[lo:hi] = np.minimum.reduceat(cells, starts[lo:hi] - s, axis=1).T
        lo = hi
    return sig


def _band_keys_rows(signatures: np.ndarray) -> np.ndarray:
    """``band_keys`` of every row of ``signatures``."""
    rows = mix64(signatures).reshape(signatures.shape[0], BANDS, ROWS)
    with np.errstate(over="ignore"):
        summed = (rows * _ROW_MUL[None, None, :]).sum(axis=2, dtype=np.uint64)
        return mix64(summed ^ _BAND_SALT[None, :])
