"""Unit tests of fingerprinting: shingles, winnowed anchors, MinHash and LSH band keys."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copydesk.fingerprint import NUM_PERM, anchors, band_keys, fingerprint, minhash, shingle_hashes
from copydesk.fingerprint.minhash import BANDS, jaccard_estimate
from copydesk.fingerprint.shingles import SHINGLE, WINDOW, fingerprints
from copydesk.text.tokens import word_hashes, words_of
from fakenews import VOCAB

FAST = settings(max_examples=100, deadline=None)


def random_words(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(VOCAB) for _ in range(n)]


def as_text(words: list[str]) -> str:
    """Words as a news-like paragraph: capitalised sentences of 8-15 words."""
    out, i = [], 0
    rng = random.Random(len(words))
    while i < len(words):
        k = rng.randint(8, 15)
        out.append(" ".join(words[i : i + k]).capitalize() + ".")
        i += k
    return " ".join(out)


def shingle_set(text: str) -> np.ndarray:
    return np.unique(shingle_hashes(word_hashes(words_of(text))))


def true_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return np.intersect1d(a, b).size / np.union1d(a, b).size


# -- shingles ------------------------------------------------------------------------------


def test_shingle_hashes_shape_and_content() -> None:
    h = word_hashes(["the", "harbour", "ferry", "is", "late", "again", "today"])
    sh = shingle_hashes(h)
    assert sh.dtype == np.uint64
    assert sh.size == h.size - SHINGLE + 1 == 3
    # A shingle depends on its own words only, in order.
    other = word_hashes(["ferry", "harbour", "ferry", "is", "late", "again", "today"])
    assert shingle_hashes(other)[1:].tolist() == sh[1:].tolist()
    assert shingle_hashes(other)[0] != sh[0]
    swapped = word_hashes(["harbour", "the", "ferry", "is", "late", "again", "today"])
    assert shingle_hashes(swapped)[0] != sh[0]


def test_shingle_hashes_short_and_empty() -> None:
    assert shingle_hashes(np.zeros(0, dtype=np.uint64)).size == 0
    three = word_hashes(["ferry", "is", "late"])
    assert shingle_hashes(three).size == 1
    assert shingle_hashes(three)[0] != shingle_hashes(word_hashes(["ferry", "is", "early"]))[0]
    assert shingle_hashes(three, k=1).size == 3


def test_equal_runs_give_equal_shingles() -> None:
    run = ["ferry", "council", "harbour", "mayor", "budget"]
    a = shingle_hashes(word_hashes(["x", *run, "y"]))
    b = shingle_hashes(word_hashes(["p", "q", "r", *run]))
    assert a[1] == b[3]
    assert len(set(a.tolist()) & set(b.tolist())) == 1


# -- anchors -------------------------------------------------------------------------------


@FAST
@given(st.lists(st.integers(0, 2**64 - 1), max_size=60), st.integers(1, 6))
def test_anchors_are_the_window_minima(values: list[int], window: int) -> None:
    sh = np.array(values, dtype=np.uint64)
    got = anchors(sh, window)
    assert got.tolist() == sorted(set(got.tolist()))
    assert set(got.tolist()) <= set(values)
    if len(values) <= window:
        expected = set(values)
    else:
        expected = {min(values[i : i + window]) for i in range(len(values) - window + 1)}
    assert set(got.tolist()) == expected


@FAST
@given(
    st.integers(0, 10**6),
    st.integers(0, 80),
    st.integers(0, 80),
    st.integers(0, 80),
    st.integers(0, 80),
    st.integers(0, 12),
)
def test_shared_run_yields_shared_anchor(seed, pre_a, post_a, pre_b, post_b, extra) -> None:
    """Winnowing's guarantee: a shared run of SHINGLE + WINDOW - 1 words shares an anchor."""
    rng = random.Random(seed)
    run = random_words(rng, SHINGLE + WINDOW - 1 + extra)
    a = random_words(rng, pre_a) + run + random_words(rng, post_a)
    b = random_words(rng, pre_b) + run + random_words(rng, post_b)
    fa, fb = fingerprint(as_text(a)), fingerprint(as_text(b))
    assert np.intersect1d(fa.anchors, fb.anchors).size >= 1


def test_unrelated_texts_share_no_anchor() -> None:
    rng = random.Random(11)
    fa = fingerprint(as_text(random_words(rng, 300)))
    fb = fingerprint(as_text(random_words(rng, 300)))
    assert fa.anchors.size > 300 // WINDOW // 2
    assert np.intersect1d(fa.anchors, fb.anchors).size == 0
    assert np.intersect1d(fa.bands, fb.bands).size == 0


# -- fingerprint ---------------------------------------------------------------------------


def test_fingerprint_deterministic() -> None:
    text = as_text(random_words(random.Random(3), 250))
    f1, f2 = fingerprint(text), fingerprint(str(text))
    assert f1.n_words == f2.n_words == 250
    assert np.array_equal(f1.anchors, f2.anchors)
    assert np.array_equal(f1.bands, f2.bands)
    assert f1.bands.size == BANDS
    assert f1.anchors.dtype == f1.bands.dtype == np.uint64
    assert np.all(np.diff(f1.anchors.astype(np.float64)) > 0) or f1.anchors.size <= 1
    assert f1.anchors.tolist() == sorted(set(f1.anchors.tolist()))


def test_fingerprint_of_a_sentence() -> None:
    text = "The harbour ferry is late again today, the council said."
    fp = fingerprint(text)
    assert fp.n_words == 10
    shingles = shingle_hashes(word_hashes(words_of(text)))
    assert shingles.size == 10 - SHINGLE + 1
    assert np.array_equal(fp.anchors, anchors(shingles))
    assert set(fp.anchors.tolist()) <= set(shingles.tolist())
    assert np.array_equal(fp.bands, band_keys(minhash(shingles)))
    again = fingerprint("THE HARBOUR FERRY IS LATE AGAIN TODAY — THE COUNCIL SAID")
    assert np.array_equal(fp.anchors, again.anchors)
    assert np.array_equal(fp.bands, again.bands)


@pytest.mark.parametrize("text", ["", "   \n\n ", "— … !?", "“”"])
def test_empty_fingerprint(text: str) -> None:
    fp = fingerprint(text)
    assert fp.n_words == 0
    assert fp.anchors.size == 0 and fp.bands.size == 0


@pytest.mark.parametrize("text", ["Ferry", "Ferry late", "Harbour ferry is late"])
def test_short_text_fingerprint(text: str) -> None:
    fp = fingerprint(text)
    assert fp.n_words == len(text.split())
    assert fp.anchors.size == 1
    assert fp.bands.size == BANDS
    assert np.array_equal(fp.bands, fingerprint(text.upper() + "!").bands)


def test_typography_does_not_change_fingerprint() -> None:
    words = random_words(random.Random(5), 120)
    plain = as_text(words)
    fancy = plain.replace(". ", ".\u00a0— ").upper()
    assert np.array_equal(fingerprint(plain).anchors, fingerprint(fancy).anchors)
    assert np.array_equal(fingerprint(plain).bands, fingerprint(fancy).bands)


# -- MinHash and bands ---------------------------------------------------------------------


def test_minhash_shape_and_identity() -> None:
    sh = shingle_set(as_text(random_words(random.Random(1), 100)))
    sig = minhash(sh)
    assert sig.shape == (NUM_PERM,) and sig.dtype == np.uint64
    assert np.array_equal(sig, minhash(sh.copy()))
    assert np.array_equal(sig, minhash(sh[::-1].copy()))  # a set: order does not matter
    assert np.array_equal(sig, minhash(np.concatenate([sh, sh])))  # nor repetition
    assert jaccard_estimate(sig, sig) == 1.0
    # The empty set has the all-ones signature.
    assert np.all(minhash(np.zeros(0, dtype=np.uint64)) == np.iinfo(np.uint64).max)


@pytest.mark.parametrize("keep", [400, 330, 260, 200, 130, 60, 0])
def test_minhash_estimates_jaccard(keep: int) -> None:
    rng = random.Random(keep)
    base = random_words(rng, 400)
    other = base[:keep] + random_words(rng, 400 - keep)
    a, b = shingle_set(" ".join(base)), shingle_set(" ".join(other))
    truth = true_jaccard(a, b)
    est = jaccard_estimate(minhash(a), minhash(b))
    assert abs(est - truth) <= 0.15, (truth, est)


def test_minhash_estimates_jaccard_of_overlapping_sets() -> None:
    rng = np.random.default_rng(7)
    universe = rng.integers(0, 2**63, size=3000, dtype=np.uint64)
    for lo, hi in [(0, 1000), (250, 1250), (500, 1500), (900, 1900)]:
        a, b = universe[0:1000], universe[lo:hi]
        truth = true_jaccard(a, b)
        est = jaccard_estimate(minhash(a), minhash(b))
        assert abs(est - truth) <= 0.15, (lo, truth, est)


def test_band_keys() -> None:
    rng = random.Random(9)
    words = random_words(rng, 400)
    text = as_text(words)
    same = fingerprint(as_text(list(words)))
    assert np.array_equal(fingerprint(text).bands, same.bands)
    assert len(set(same.bands.tolist())) == BANDS
    # A near duplicate (one word in 100 changed) collides in at least one band.
    near = list(words)
    for i in range(50, 400, 100):
        near[i] = "zeppelin"
    assert np.intersect1d(fingerprint(as_text(near)).bands, same.bands).size >= 1
    # Band keys are a function of the signature only.
    sig = minhash(shingle_set(text))
    assert np.array_equal(band_keys(sig), band_keys(sig.copy()))
    changed = sig.copy()
    changed[0] ^= np.uint64(1)
    diff = band_keys(changed) != band_keys(sig)
    assert diff.tolist() == [True] + [False] * (BANDS - 1)


def _same(a, b) -> bool:
    return (
        a.n_words == b.n_words
        and a.anchors.dtype == b.anchors.dtype == np.uint64
        and np.array_equal(a.anchors, b.anchors)
        and np.array_equal(a.bands, b.bands)
    )


@FAST
@given(
    st.lists(st.integers(min_value=0, max_value=400), min_size=0, max_size=12),
    st.integers(min_value=0, max_value=10_000),
)
def test_batch_fingerprints_equal_one_by_one(lengths: list[int], seed: int) -> None:
    """The batch path gives exactly the fingerprints of the reference, text by text:
    empty, short (< SHINGLE + WINDOW words), exactly-at-the-edge and long texts mixed."""
    rng = random.Random(seed)
    texts = [as_text(random_words(rng, n)) for n in lengths]
    texts += ["", "Ünïcode ΣΊΣΥΦΟΣ", " ".join(["word"] * (SHINGLE + WINDOW))]
    batch = fingerprints(texts)
    assert len(batch) == len(texts)
    assert all(_same(fingerprint(t), b) for t, b in zip(texts, batch, strict=True))


def test_batch_fingerprints_of_a_long_text_alone() -> None:
    """A text of more shingles than a batch slice takes the per-text MinHash."""
    rng = random.Random(5)
    texts = [as_text(random_words(rng, 40_000)), as_text(random_words(rng, 50))]
    assert all(_same(fingerprint(t), b) for t, b in zip(texts, fingerprints(texts), strict=True))
