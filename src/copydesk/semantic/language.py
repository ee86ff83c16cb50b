"""Which language an article is in, from the model packaged in ``py3langid``.

py3langid walks a text's bytes one at a time through its byte-level automaton in Python
(about a millisecond an article, as long as embedding the article). ``detect_many`` walks
a whole batch of texts at once, in one call to the compiled module ``copydesk._fingerprint``
when the install built it (``COMPILED``) or else one numpy step per byte position over
every text still running (identical features, tested), then scores all of them in one
sparse product: the same automaton, the same naive Bayes model and the same decision as
``LanguageIdentifier.classify`` (tested for agreement), in a fraction of the time.
``COPYDESK_PURE=1`` in the environment makes it walk in numpy even when the module is there.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from copydesk.native import NATIVE

MIN_CHARS = 40  # shorter texts are not judged
SAMPLE_CHARS = 1000  # the opening is judged (an article keeps to one language)
MIN_PROBABILITY = 0.9  # below it (tables of figures, mixed scripts) no language is given
# Languages the model splits a text between though they are varieties of one, grouped as
# ISO 639-3 groups them under one macrolanguage (Malay: Indonesian and Malay; Norwegian:
# Bokmål, labelled "no", and Nynorsk; Serbo-Croatian: Croatian, Serbian, Bosnian). A text
# whose best label has less than MIN_PROBABILITY is still given it when the best label's
# group has that much: an Indonesian article read as 0.71 Indonesian and 0.29 Malay is
# Indonesian, not of no language.
MACROLANGUAGES = (("id", "ms"), ("no", "nn"), ("hr", "sr", "bs"))


@dataclass(frozen=True, slots=True)
class LanguageModel:
    """py3langid's model as arrays: the automaton (next state by state row and byte, the
    feature a state emits or -1) and the naive Bayes tables."""

    next_state: np.ndarray  # int32, flat: row_base[state] + byte
    row_base: np.ndarray  # int64, one per state
    emits: np.ndarray  # int32, one per state
    log_feature: np.ndarray  # float16 as packaged, (features, classes)
    log_prior: np.ndarray  # float32, (classes,)
    labels: tuple[str, ...]
    aliases: tuple[tuple[int, int], ...]  # (first, duplicate) columns of one label


@lru_cache(maxsize=1)
def language_model() -> LanguageModel:
    """The model packaged in py3langid, loaded once per process."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    labels = tuple(ident.nb_classes)
    first: dict[str, int] = {}
    aliases = []
    for i, label in enumerate(labels):
        if label in first:
            aliases.append((first[label], i))
        else:
            first[label] = i
    return LanguageModel(
        next_state=np.asarray(ident.tk_nextmove, dtype=np.int32),
        row_base=np.asarray(ident.tk_row, dtype=np.int64) << 8,
        emits=np.asarray(ident.tk_output, dtype=np.int32),
        log_feature=np.asarray(ident.nb_ptc),
        log_prior=np.asarray(ident.nb_pc, dtype=np.float32),
        labels=labels,
        aliases=tuple(aliases),
    )


def _encode(text: str) -> bytes:
    """The bytes the model reads: an all-capitals text lower-cased, NFC, UTF-8."""
    if text.isupper():
        text = text.lower()
    return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")


# The compiled walk (None when the module was not built, or was built before it had one).
_LANGID_FEATURES = getattr(NATIVE, "langid_features", None)
COMPILED = _LANGID_FEATURES is not None  # whether ``probabilities`` walks in compiled code


def probabilities(
    samples: list[str], model: LanguageModel, *, compiled: bool | None = None
) -> np.ndarray:
    """(texts, classes) probabilities of each label, as py3langid's normalised scores.

    The automaton is walked by ``features_compiled`` or ``features_numpy`` (``compiled``
    chooses; by default the compiled walk when it is built): both give the same features,
    so the same probabilities to the bit."""
    data = [_encode(s) for s in samples]
    walk = features_compiled if (COMPILED if compiled is None else compiled) else features_numpy
    indptr, features = walk(data, model)
    lengths = np.fromiter(map(len, data), dtype=np.int64, count=len(data))
    return _scores(indptr, features, lengths, model)


def features_compiled(data: list[bytes], model: LanguageModel) -> tuple[np.ndarray, np.ndarray]:
    """The features each text's bytes emit walking the automaton, in one compiled call:
    (indptr, int64, len(data) + 1; features, int32), text by text in byte order. Raises
    ImportError when the module was not built."""
    walk = _LANGID_FEATURES
    if walk is None:
        from copydesk._fingerprint import langid_features as walk  # ImportError: not built
    indptr_b, features_b = walk(data, model.next_state, model.row_base, model.emits)
    return np.frombuffer(indptr_b, dtype=np.int64), np.frombuffer(features_b, dtype=np.int32)


def features_numpy(data: list[bytes], model: LanguageModel) -> tuple[np.ndarray, np.ndarray]:
    """``features_compiled`` in numpy: one step per byte position over every text still
    running, the texts taken longest first so that those are a prefix of the batch."""
    n = len(data)
    lengths = np.fromiter(map(len, data), dtype=np.int64, count=n)
    order = np.argsort(-lengths, kind="stable")  # longest first: the texts still running
    width = int(lengths.max()) if n else 0  # at a byte position are a prefix of the batch
    codes = np.zeros((n, width), dtype=np.int64)
    for row, i in enumerate(order):
        codes[row, : lengths[i]] = np.frombuffer(data[i], dtype=np.uint8)
    # texts still running at each position: sorted lengths, so a count of those longer
    running = n - np.searchsorted(lengths[order][::-1], np.arange(width), side="right")
    state = np.zeros(n, dtype=np.int64)
    emitted = np.full((n, width), -1, dtype=np.int32)
    for pos in range(width):
        k = int(running[pos])
        s = model.next_state[model.row_base[state[:k]] + codes[:k, pos]]
        state[:k] = s
        emitted[:k, pos] = model.emits[s]
    rows, cols = np.nonzero(emitted >= 0)
    features = emitted[rows, cols]  # row by row of the longest-first order, in byte order
    # row r of that order is text order[r]: each row's run of features moves to its text
    per_row = np.bincount(rows, minlength=n)
    row_start = np.zeros(n, dtype=np.int64)
    np.cumsum(per_row[:-1], out=row_start[1:])
    per_text = np.empty(n, dtype=np.int64)
    per_text[order] = per_row
    text_start = np.empty(n, dtype=np.int64)
    text_start[order] = row_start
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(per_text, out=indptr[1:])
    take = np.repeat(text_start - indptr[:-1], per_text) + np.arange(indptr[-1])
    return indptr, features[take]


def _scores(
    indptr: np.ndarray, features: np.ndarray, lengths: np.ndarray, model: LanguageModel
) -> np.ndarray:
    """py3langid's normalised scores of texts from the features they emit (``indptr``,
    ``features`` as the walks give them) and their lengths in bytes."""
    from scipy.sparse import csr_matrix

    n = lengths.size
    # only the rows of the features this batch met, in float32 (float16 values widen
    # exactly: the products py3langid computes); features numbered in their order
    met = np.zeros(len(model.log_feature), dtype=bool)
    met[features] = True
    used = np.flatnonzero(met)
    column = np.cumsum(met, dtype=np.int32) - 1
    counts = csr_matrix(
        (np.ones(features.size, dtype=np.float32), column[features], indptr),
        shape=(n, len(used)),
    )
    counts.sum_duplicates()
    has_features = np.diff(counts.indptr) > 0
    counts.data = np.log1p(counts.data)
    table = model.log_feature[used].astype(np.float32)
    scores = np.asarray(counts @ table, dtype=np.float32) + model.log_prior
    scores[~has_features] = 0.0
    scores *= (1.0 / np.sqrt(np.maximum(lengths, 1))).astype(np.float32)[:, None]
    scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    scores /= scores.sum(axis=1, keepdims=True)
    for i, j in model.aliases:
        scores[:, i] += scores[:, j]
        scores[:, j] = 0.0
    return scores


def detect_many(texts: list[str], model: LanguageModel | None = None) -> list[str | None]:
    """ISO 639-1 code of each text's language, or None when too short or unsure (the best
    label, or its macrolanguage group, below ``MIN_PROBABILITY``)."""
    model = model or language_model()
    samples = [t[:SAMPLE_CHARS] for t in texts]
    judged = [i for i, s in enumerate(samples) if len(s.strip()) >= MIN_CHARS]
    out: list[str | None] = [None] * len(texts)
    if not judged:
        return out
    probs = probabilities([samples[i] for i in judged], model)
    best = probs.argmax(axis=1)
    sure = probs[np.arange(len(judged)), best].astype(np.float64)
    index = {label: i for i, label in enumerate(model.labels)}
    for group in MACROLANGUAGES:
        columns = [index[label] for label in group if label in index]
        in_group = np.isin(best, columns)
        sure[in_group] = probs[in_group][:, columns].sum(axis=1, dtype=np.float64)
    for i, b, p in zip(judged, best, sure, strict=True):
        out[i] = model.labels[int(b)] if float(p) >= MIN_PROBABILITY else None
    return out


def detect(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when too short or unsure."""
    return detect_many([text])[0]
