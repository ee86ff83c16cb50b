"""Words with their offsets, and stable 64-bit hashes of their folded form.

Matching works on words only, so typography (curly or straight quotes, dashes, runs of
whitespace) never matters to it; case is folded here. The text that is shown is never
changed: offsets always point into the original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from copydesk.native import NATIVE as _NATIVE

WORD = re.compile(r"\w+")
_SPLIT = re.compile(r"(\w+)")

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_P = np.uint64(0x100000001B3)  # FNV prime: a good odd multiplier for byte polynomials
_MAX_POW = 64
_POW = np.ones(_MAX_POW, dtype=np.uint64)
with np.errstate(over="ignore"):
    for _i in range(1, _MAX_POW):
        _POW[_i] = _POW[_i - 1] * _P


def mix64(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads every input bit over the whole word."""
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def word_hashes(words: list[str]) -> np.ndarray:
    """Stable uint64 hash of every word, computed over all words at once.

    The words are joined into one byte buffer and hashed as polynomials with
    ``np.add.reduceat``, so there is no per-word Python call on the hot path.
    Bytes past the 64th of a word wrap onto earlier powers; such words are rare and
    still hash the same way every time.
    """
    if not words:
        return np.zeros(0, dtype=np.uint64)
    buf = np.frombuffer((" ".join(words) + " ").encode("utf-8"), dtype=np.uint8)
    ends = np.flatnonzero(buf == 32)  # the joiner is the only space: \w never matches it
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    lengths = ends - starts + 1
    pos = np.arange(buf.size, dtype=np.int64) - np.repeat(starts, lengths)
    with np.errstate(over="ignore"):
        contrib = (buf.astype(np.uint64) + np.uint64(1)) * _POW[pos % _MAX_POW]
        sums = np.add.reduceat(contrib, starts)
        return mix64(sums ^ lengths.astype(np.uint64))


@dataclass(slots=True)
class Tokens:
    """The words of one text: character spans into the original and word hashes.
    ``cache`` keeps what the aligner derives from them (a text is aligned with each of
    its candidates)."""

    starts: np.ndarray  # int64, character offset of each word
    ends: np.ndarray  # int64, end offset (exclusive)
    hashes: np.ndarray  # uint64, hash of the case-folded word
    cache: dict[int, Any] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return int(self.hashes.size)


def _folded_words(text: str) -> tuple[str, bool]:
    # casefold, unlike lower, folds each character alone (Greek final sigma included), so
    # folding the whole text and folding word by word agree. It keeps offsets only when
    # every character maps to exactly one.
    # U+0345 (a combining mark, not a word character) is the one character whose
    # one-character fold is one (iota): folding it would make a word where there is none.
    folded = text.casefold()
    return folded, len(folded) == len(text) and _WORDLESS_FOLD not in text


_WORDLESS_FOLD = "\u0345"


def words_of(text: str) -> list[str]:
    """The folded words of a text (no offsets): the cheap path used when fingerprinting."""
    lowered, same = _folded_words(text)
    if same:
        return WORD.findall(lowered)
    return [m.group().casefold() for m in WORD.finditer(text)]


def tokenize(text: str) -> Tokens:
    """Words with offsets into ``text`` and their hashes (the same as ``words_of`` gives):
    in the compiled module when it was built, else :func:`tokenize_python` (identical)."""
    if _NATIVE is None:
        return tokenize_python(text)
    starts, ends, hashes = _NATIVE.tokenize(text)
    return Tokens(
        starts=np.frombuffer(starts, dtype=np.int64),
        ends=np.frombuffer(ends, dtype=np.int64),
        hashes=np.frombuffer(hashes, dtype=np.uint64),
    )


def tokenize_python(text: str) -> Tokens:
    """``tokenize`` in Python and numpy. ``re.split`` with a capturing group returns
    separators and words alternately; their running lengths are the offsets, so no
    Python code runs per word."""
    lowered, same = _folded_words(text)
    parts = _SPLIT.split(lowered if same else text)
    bounds = np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)))
    words = parts[1::2] if same else [w.casefold() for w in parts[1::2]]
    return Tokens(starts=bounds[0:-1:2].copy(), ends=bounds[1::2].copy(), hashes=word_hashes(words))


_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
        "\u00a0": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ", "\u2007": " ",
    }
)  # fmt: skip
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Typography folded for comparison only: quotes, dashes, whitespace and case."""
    return _SPACES.sub(" ", text.translate(_FOLD)).strip().lower()
