"""The compiled fingerprinting module gives exactly the fingerprints of the numpy path, and
its tokenizer exactly the words, offsets and hashes of the Python one."""

from __future__ import annotations

import os
import subprocess
import sys
from itertools import islice

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from compiled import needs_build
from copydesk.fingerprint import shingles
from copydesk.fingerprint.shingles import (
    SHINGLE,
    WINDOW,
    Fingerprint,
    fingerprint,
    fingerprints,
    fingerprints_compiled,
    fingerprints_numpy,
)
from copydesk.reading.corpora import SHARED_CORPORA, read_bbc, read_reuters
from copydesk.text import tokens
from copydesk.text.tokens import Tokens, tokenize, tokenize_python, word_hashes, words_of

pytestmark = needs_build

# Characters whose case folding changes a text's length or makes a word where there is none
# (U+0345), final and capital sigma, dotted capital I, ligatures, digits of other scripts,
# number forms that are \w, marks that are not, a lone surrogate.
EDGE = [
    "\u0345", "ß", "ẞ", "İ", "ı", "ΐ", "ﬁ", "ﬃ", "Σ", "σ", "ς", "ŉ", "ǰ", "և", "\u1e9e",
    "½", "²", "٣", "Ⅻ", "_", "'", "’", "-", " ", "\n", "\t", "\u00a0", "\u0301", "\u200d",
    "\ud800", "😀", "𝔘", "a", "Z", "9",
]  # fmt: skip
WORDS = st.text(alphabet=st.one_of(st.characters(), st.sampled_from(EDGE)), min_size=0, max_size=12)
TEXTS = st.one_of(
    st.text(alphabet=st.one_of(st.characters(), st.sampled_from(EDGE)), max_size=300),
    st.lists(WORDS, max_size=60).map(" ".join),
)


def same(a: Fingerprint, b: Fingerprint) -> bool:
    return (
        a.n_words == b.n_words
        and a.anchors.dtype == b.anchors.dtype == np.uint64
        and a.bands.dtype == b.bands.dtype == np.uint64
        and a.anchors.shape == b.anchors.shape
        and a.bands.shape == b.bands.shape
        and np.array_equal(a.anchors, b.anchors)
        and np.array_equal(a.bands, b.bands)
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXTS, max_size=8))
@example(["x\u0345y", "ΐ" * 70, "STRASSE Straße ﬁle " * 4])
@example(["", "a", "a b c d", " ".join(["word"] * (SHINGLE + WINDOW))])
@example(["İ" + "long" * 40 + " " + "é" * 70, "_ __ ___ " * 5])
def test_compiled_equals_numpy_on_any_unicode(texts: list[str]) -> None:
    """Arbitrary Unicode, case folds that change lengths, U+0345, words past 64 bytes,
    empty and short texts: the compiled batch, the numpy batch and the reference agree."""
    compiled = fingerprints_compiled(texts)
    numpy_path = fingerprints_numpy(texts)
    assert len(compiled) == len(numpy_path) == len(texts)
    for text, c, n in zip(texts, compiled, numpy_path, strict=True):
        assert same(c, n), text
        assert same(c, fingerprint(text)), text


def test_compiled_equals_numpy_on_real_news(corpora: None) -> None:
    articles = list(read_bbc(SHARED_CORPORA)) + list(islice(read_reuters(SHARED_CORPORA), 3000))
    texts = [a.text for a in articles]
    compiled = fingerprints_compiled(texts)
    numpy_path = fingerprints_numpy(texts)
    assert sum(fp.n_words for fp in compiled) > 1_000_000
    assert all(same(c, n) for c, n in zip(compiled, numpy_path, strict=True))


def test_fingerprints_use_the_compiled_path() -> None:
    assert shingles.COMPILED
    texts = ["The harbour ferry is late again today, the council said on Monday."] * 3
    assert all(
        same(a, b) for a, b in zip(fingerprints(texts), fingerprints_numpy(texts), strict=True)
    )


def test_pure_path_forced_by_environment() -> None:
    """COPYDESK_PURE=1 makes fingerprints use numpy though the module is built."""
    code = "from copydesk.fingerprint import shingles; print(shingles.COMPILED)"
    for value, expected in (("1", "False"), ("0", "True")):
        env = {**os.environ, "COPYDESK_PURE": value}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == expected


def test_compiled_rejects_what_is_not_text() -> None:
    with pytest.raises(TypeError):
        fingerprints_compiled(["a text", b"bytes"])  # type: ignore[list-item]


def same_tokens(a: Tokens, b: Tokens) -> bool:
    return (
        a.starts.dtype == b.starts.dtype == np.int64
        and a.ends.dtype == b.ends.dtype == np.int64
        and a.hashes.dtype == b.hashes.dtype == np.uint64
        and np.array_equal(a.starts, b.starts)
        and np.array_equal(a.ends, b.ends)
        and np.array_equal(a.hashes, b.hashes)
    )


@settings(max_examples=400, deadline=None)
@given(TEXTS)
@example("x\u0345y İstanbul STRASSE Straße ﬁle ΣΊΣΥΦΟΣ")
@example("")
@example("é" * 70 + " " + "long" * 40)
def test_compiled_tokenizer_equals_python(text: str) -> None:
    """Offsets into the original (also where folding changes lengths), the words' hashes
    as fingerprinting computes them, empty texts: the compiled and Python tokenizers agree."""
    assert tokens._NATIVE is not None
    compiled, python = tokenize(text), tokenize_python(text)
    assert same_tokens(compiled, python), text
    assert compiled.hashes.flags.writeable and compiled.starts.flags.writeable
    # The words are those fingerprinting hashes, and the offsets point at them.
    assert np.array_equal(compiled.hashes, word_hashes(words_of(text)))
    spans = [text[s:e] for s, e in zip(compiled.starts, compiled.ends, strict=True)]
    assert [w.casefold() for w in spans] == [
        w.casefold() for w in tokens.WORD.findall(text)
    ] or len(text.casefold()) != len(text)


def test_compiled_tokenizer_equals_python_on_real_news(corpora: None) -> None:
    texts = [a.text for a in read_bbc(SHARED_CORPORA)]
    assert all(same_tokens(tokenize(t), tokenize_python(t)) for t in texts)


def test_compiled_tokenizer_rejects_what_is_not_text() -> None:
    assert tokens._NATIVE is not None
    with pytest.raises(TypeError):
        tokens._NATIVE.tokenize(b"bytes")
