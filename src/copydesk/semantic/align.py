"""Sentence alignment: a mostly-ordered chain of matched sentences between two articles.

A copy sentence is matched to its most similar source sentence when the cosine of their
vectors passes a threshold and their anchors agree (the numbers and names both carry,
which survive rewording and translation). The matches kept are the longest chain in the
source's order, plus those a few sentences out of it (a rewrite reorders within a
paragraph); a same-event report shares facts in scattered sentences, not a source's
narration in its order.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from copydesk.forensics.signals import prompt_leftovers
from copydesk.semantic.anchors import Anchors, agree, sentence_anchors, share_anchor
from copydesk.semantic.embed import SentenceVectors, cosines

_QUOTED = re.compile(r"“[^”\n]{1,2000}”|«[^»\n]{1,2000}»|\"[^\"\n]{1,2000}\"")


@dataclass(slots=True, frozen=True)
class SemanticParams:
    threshold: float = 0.80  # cosine for two sentences in one language to match
    cross_threshold: float = 0.55  # ... in two languages on the static model's vectors
    multilingual_threshold: float = 0.86  # ... on the multilingual model's vectors
    multilingual_sure: float = 0.90  # ... above which no shared anchor is needed
    contrast: float = 0.30  # on the static model: a match's cosine above the pair's others
    translation_sentences: int = 2  # matched narration sentences for a translation
    window: int = 3  # a match this many sentences out of the chain still counts
    quote_weight: float = 0.2  # a quoted sentence counts this much
    min_sentences: int = 3  # matched narration sentences for a verdict
    min_coverage: float = 0.5  # weighted share of the copy's sentences matched
    min_order: float = 0.6  # share of the matches in one ordered chain (translations too)
    candidate_cosine: float = 0.75  # article vectors this close are compared
    candidate_k: int = 16  # nearest articles asked of the index per article
    cross_k: int = 8  # articles in other languages compared per article, by shared anchors
    cross_min_keys: int = 4  # anchors (numbers, names) such a pair must share
    cross_max_df: float = 0.02  # anchors in more of the articles than this are ignored
    cross_min_df_cap: int = 20  # ... but never fewer articles than this (small collections)


@dataclass(slots=True, frozen=True)
class SentencePair:
    copy: int  # sentence index in the copy
    source: int  # in the source
    similarity: float
    in_order: bool


@dataclass(slots=True)
class SentenceAlignment:
    pairs: list[SentencePair] = field(default_factory=list)
    coverage: float = 0.0  # weighted share of the copy's sentences matched
    source_coverage: float = 0.0
    order: float = 0.0  # share of matches on the ordered chain
    narrative: float = 0.0  # matched sentences of the copy, quoted ones weighted down
    source_narrative: float = 0.0  # ... of the source

    @property
    def similarity(self) -> float:
        return float(np.mean([p.similarity for p in self.pairs])) if self.pairs else 0.0


def anchors(sentence: str) -> Anchors:
    """The sentence's numbers and names (see ``copydesk.semantic.anchors``)."""
    return sentence_anchors(sentence)


def quoted_share(text: str, start: int, end: int) -> float:
    """Share of a sentence's characters inside quotation marks."""
    piece = text[start:end]
    inside = sum(m.end() - m.start() for m in _QUOTED.finditer(piece))
    return min(1.0, inside / max(1, len(piece)))


def sentence_weights(text: str, sv: SentenceVectors, quote_weight: float) -> np.ndarray:
    """Each sentence's weight: 1 for narration, ``quote_weight`` for what is quoted and
    for a language model's leftovers ("Here is a rewritten version of the article:",
    "I hope this helps!"), which are no part of the story either."""
    leftovers = [(e.article_start or 0, e.article_end or 0) for e in prompt_leftovers(text)]
    q = np.array(
        [
            max(quoted_share(text, a, b), _covered(a, b, leftovers))
            for a, b in zip(sv.starts.tolist(), sv.ends.tolist(), strict=True)
        ]
    )
    return (1.0 - q) + quote_weight * q if len(q) else np.zeros(0)


def _covered(start: int, end: int, spans: list[tuple[int, int]]) -> float:
    inside = sum(max(0, min(end, b) - max(start, a)) for a, b in spans)
    return min(1.0, inside / max(1, end - start))


def _chain(pairs: list[tuple[int, int]]) -> set[int]:
    """Indices (into ``pairs``, sorted by copy sentence) of the longest chain whose source
    sentences never go back."""
    tails: list[int] = []  # smallest source index ending a chain of each length
    tail_at: list[int] = []
    prev = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pos = bisect_right(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_at.append(k)
        else:
            tails[pos] = j
            tail_at[pos] = k
        prev[k] = tail_at[pos - 1] if pos else -1
    out: set[int] = set()
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        out.add(k)
        k = prev[k]
    return out


def align_sentences(
    copy_text: str,
    copy: SentenceVectors,
    source_text: str,
    source: SentenceVectors,
    params: SemanticParams,
    *,
    cross_language: bool = False,
    multilingual: bool = False,
    copy_weights: Callable[[], np.ndarray] | None = None,
    source_weights: Callable[[], np.ndarray] | None = None,
) -> SentenceAlignment:
    """Matched sentences of ``copy`` against ``source`` (see the module's docstring).
    ``cross_language``: the two are in different languages, so a match below the sure
    threshold needs a shared anchor; ``multilingual``: the vectors are the multilingual
    model's, with its own thresholds. ``copy_weights`` / ``source_weights``: give each side's
    ``sentence_weights`` when asked (only an alignment with matches needs them), for a
    caller that keeps them for a text it aligns many times."""
    if not len(copy) or not len(source):
        return SentenceAlignment()
    sims = cosines(copy.vectors, source.vectors, copy.inverse, source.inverse)
    if multilingual:
        threshold, sure = params.multilingual_threshold, params.multilingual_sure
    elif cross_language:
        threshold, sure = params.cross_threshold, params.threshold
    else:
        threshold, sure = params.threshold, params.threshold
    best = sims.max(axis=1)
    close = int((best >= threshold).sum())
    close_source = int((sims.max(axis=0) >= threshold).sum())
    if not could_pass(close, len(copy), params, translation=cross_language) and not could_pass(
        close_source, len(source), params, translation=cross_language
    ):
        return SentenceAlignment()  # too few sentences close enough for any verdict
    # Anchors only of the sentences some match needs (most candidate pairs have few).
    ca: dict[int, Anchors] = {}
    sa: dict[int, Anchors] = {}

    def copy_anchors(i: int) -> Anchors:
        if i not in ca:
            ca[i] = anchors(copy_text[int(copy.starts[i]) : int(copy.ends[i])])
        return ca[i]

    def source_anchors(j: int) -> Anchors:
        if j not in sa:
            sa[j] = anchors(source_text[int(source.starts[j]) : int(source.ends[j])])
        return sa[j]

    # The mean cosine of two sentences with the other side's other sentences: what two
    # sentences of these texts score when they are not the same sentence.
    row_sums, col_sums = sims.sum(axis=1, dtype=np.float64), sims.sum(axis=0, dtype=np.float64)
    others = sims.shape[0] + sims.shape[1] - 2

    def background(i: int, j: int) -> float:
        if not others:
            return 0.0
        return float(row_sums[i] + col_sums[j] - 2.0 * float(sims[i, j])) / others

    found: list[tuple[int, int, float]] = []
    # On the multilingual model's vectors every sentence of a story is close to every
    # other (0.80-0.88 between sentences of one event): a match must also be each
    # sentence's best, both ways.
    best_copy = sims.argmax(axis=0) if multilingual else None
    for i in np.flatnonzero(best >= threshold):
        i = int(i)
        for j in np.argsort(-sims[i])[: 1 if multilingual else 3]:
            j = int(j)
            if best_copy is not None and best_copy[j] != i:
                break
            s = float(sims[i, j])
            if s < threshold:
                break
            if not multilingual and s - background(i, j) < params.contrast:
                # Texts whose words the static model has no pieces for (a language or
                # a jargon outside its vocabulary) come out with every sentence alike:
                # a cosine that does not stand out from the pair's others matches nothing.
                continue
            a, b = copy_anchors(i), source_anchors(j)
            if not agree(a, b):
                continue
            if cross_language and not share_anchor(a, b) and s < sure:
                continue
            found.append((i, j, s))
            break
    if not found:
        return SentenceAlignment()
    on_chain = _chain([(i, j) for i, j, _ in found])
    chain_js = [(found[k][0], found[k][1]) for k in sorted(on_chain)]
    kept: list[SentencePair] = []
    for k, (i, j, s) in enumerate(found):
        if k in on_chain:
            kept.append(SentencePair(i, j, s, True))
            continue
        # Out of order: kept when close to where the chain says it should be.
        before = [cj for ci, cj in chain_js if ci < i]
        after = [cj for ci, cj in chain_js if ci > i]
        near = [before[-1]] if before else []
        near += [after[0]] if after else []
        if any(abs(j - x) <= params.window for x in near):
            kept.append(SentencePair(i, j, s, False))
    q = params.quote_weight
    cw = sentence_weights(copy_text, copy, q) if copy_weights is None else copy_weights()
    sw = sentence_weights(source_text, source, q) if source_weights is None else source_weights()
    copy_matched = sorted({p.copy for p in kept})
    source_matched = sorted({p.source for p in kept})
    return SentenceAlignment(
        pairs=kept,
        coverage=float(cw[copy_matched].sum() / max(cw.sum(), 1e-9)),
        source_coverage=float(sw[source_matched].sum() / max(sw.sum(), 1e-9)),
        order=sum(p.in_order for p in kept) / len(kept) if kept else 0.0,
        narrative=float(cw[copy_matched].sum()),
        source_narrative=float(sw[source_matched].sum()),
    )


def is_semantic_copy(
    alignment: SentenceAlignment, params: SemanticParams, *, translation: bool = False
) -> bool:
    """Enough of one side's narration matched, mostly in the source's order: of the
    copy's, or of the source's (a copy that carries most of a shorter source and adds its
    own, as the lexical stage accepts reuse judged from either side). A short translation
    may have fewer matched sentences (translated copies are often short)."""
    need = params.translation_sentences if translation else params.min_sentences
    if alignment.order < params.min_order:
        return False
    copy_side = alignment.narrative >= need and alignment.coverage >= params.min_coverage
    source_side = (
        alignment.source_narrative >= need and alignment.source_coverage >= params.min_coverage
    )
    return copy_side or source_side


def could_pass(
    matched: int, sentences: int, params: SemanticParams, *, translation: bool = False
) -> bool:
    """Whether a copy of ``sentences`` sentences, ``matched`` of which have a close enough
    sentence on the other side, could pass ``is_semantic_copy`` at all: at least the
    sentences it needs, and enough to cover ``min_coverage`` even if every unmatched
    sentence were a quote (weighted ``quote_weight``): m of n give at most
    m / (m + quote_weight * (n - m))."""
    if matched < (params.translation_sentences if translation else params.min_sentences):
        return False
    c, q = params.min_coverage, params.quote_weight
    return matched * (1.0 - c + c * q) >= c * q * sentences - 1e-9
