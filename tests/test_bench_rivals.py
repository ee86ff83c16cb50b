"""The semantic benchmark's rivals (bench/semantic_rivals.py): scoring by hand, and semhash
driven through the same embedder protocol copydesk uses, on invented texts."""

from __future__ import annotations

import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from copydesk.model import Article

BENCH = Path(__file__).resolve().parents[1] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from semantic_rivals import datasketch_links, rivals, score, semhash_links  # noqa: E402


class BagOfWords:
    """A toy embedder: hashed word counts, unit length."""

    name = "bag-of-words"

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i, zlib.crc32(word.encode()) % 64] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)


TEXTS = {
    "src": "the harbour board voted to close the old ferry pier after storms cracked its deck",
    "copy": "the harbour board voted to close the old ferry pier after storms cracked the deck",
    "other": "a bakery in the market square won a prize for its rye loaves and seed buns",
    "far": "orchestra tickets for the winter concert series sold out within an hour online",
}


def _articles() -> list[Article]:
    return [Article(k, v, outlet=f"{k}.example") for k, v in TEXTS.items()]


def test_score_counts_pairs_either_way_round() -> None:
    gold = {("copy", "src")}
    links = {("src", "copy"), ("other", "far"), ("copy", "src")}
    got = score(links, gold, same_event={("far", "other")}, rewrite_pairs=set())
    assert got["links"] == 2
    assert got["recall"] == 1.0
    assert got["precision"] == 0.5
    assert got["same_event_false_links"] == 1
    assert got["rewrite_of_same_event_false_links"] == 0
    empty = score(set(), gold, set(), set())
    assert (empty["recall"], empty["precision"]) == (0.0, 1.0)


def test_semhash_links_near_duplicates_with_the_given_embedder() -> None:
    pytest.importorskip("semhash")
    links = semhash_links(_articles(), BagOfWords(), 0.9)
    assert {tuple(sorted(p)) for p in links} == {("copy", "src")}


def test_rivals_report_both_sides() -> None:
    pytest.importorskip("semhash")
    pytest.importorskip("datasketch")
    got = rivals(_articles(), BagOfWords(), {("copy", "src")}, set(), set())
    assert got["semhash"]["default"]["recall"] == 1.0
    assert got["semhash"]["default"]["precision"] == 1.0
    assert got["semhash"]["best_f1"]["recall"] == 1.0
    assert {tuple(sorted(p)) for p in datasketch_links(_articles())} == {("copy", "src")}
    assert got["datasketch"]["recall"] == 1.0
