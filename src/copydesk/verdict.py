"""From an alignment to a verdict: is this reuse, which way, what relation and credit."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from copydesk.align import Alignment, Span
from copydesk.forensics import credit_mentions, names_of
from copydesk.model import Article, Evidence, Passage, SourceMatch
from copydesk.text.quotes import quoted_mask
from copydesk.text.tokens import Tokens


@dataclass(slots=True, frozen=True)
class JudgeParams:
    min_evidence_words: float = 40.0  # matched words (quotes weighted down) to call it reuse
    min_short_words: float = 12.0  # ... or this many, if they are most of the shorter text
    quote_weight: float = 0.2  # a quoted word counts this much: shared quotes are not copying
    duplicate_coverage: float = 0.7  # a copy this much covered by aligned text is a duplicate
    same_time_seconds: float = 60.0  # publication times closer than this do not decide


DEFAULT = JudgeParams()


@dataclass(slots=True)
class Doc:
    """An article with what the comparing stages derive from it; ``seq`` is ingest order."""

    article: Article
    tokens: Tokens
    seq: int = 0
    _quoted: np.ndarray | None = None

    @property
    def quoted(self) -> np.ndarray:
        if self._quoted is None:
            self._quoted = quoted_mask(self.article.text, self.tokens)
        return self._quoted


def evidence_weight(doc: Doc, spans: list[Span], params: JudgeParams) -> float:
    """Aligned words of ``doc``'s side, quoted words weighted down."""
    total = 0.0
    quoted = doc.quoted
    for s in spans:
        q = int(quoted[s.a_start : s.a_end].sum())
        narrative = (s.a_end - s.a_start) - q
        total += (narrative + params.quote_weight * q) * (s.matched / max(1, s.a_end - s.a_start))
    return total


def is_reuse(a: Doc, alignment: Alignment, params: JudgeParams = DEFAULT) -> bool:
    if not alignment.spans:
        return False
    weight = evidence_weight(a, alignment.spans, params)
    if weight >= params.min_evidence_words:
        return True
    # Short items (a wire flash, a brief) copied whole are reuse below the usual minimum.
    shorter = min(alignment.a_words, alignment.b_words)
    return weight >= params.min_short_words and alignment.matched >= 0.6 * shorter


def _credits(copy: Article, source: Article) -> list[Evidence]:
    return credit_mentions(copy.text, names_of(source))


def direction(a: Doc, b: Doc, params: JudgeParams = DEFAULT) -> tuple[bool, str]:
    """(True if ``a`` is the copy, basis). Dates decide; then credit; then ingest order.

    - both dates known and more than a minute apart: the earlier is the source ("published");
    - else, if exactly one of the two names the other's outlet, it is the copy ("credit");
    - else the article ingested first is taken as the source ("first_seen").
    """
    pa, pb = a.article.published, b.article.published
    if pa is not None and pb is not None:
        delta = (pa - pb).total_seconds()
        if abs(delta) > params.same_time_seconds:
            return delta > 0, "published"
    a_credits_b = bool(_credits(a.article, b.article))
    b_credits_a = bool(_credits(b.article, a.article))
    if a_credits_b != b_credits_a:
        return a_credits_b, "credit"
    return a.seq > b.seq, "first_seen"


def swap(alignment: Alignment) -> Alignment:
    """The same alignment seen from the other text."""
    return Alignment(
        passages=sorted(
            (
                Passage(p.source_start, p.source_end, p.article_start, p.article_end, p.similarity)
                for p in alignment.passages
            ),
            key=lambda p: p.article_start,
        ),
        spans=sorted(
            (Span(s.b_start, s.b_end, s.a_start, s.a_end, s.matched) for s in alignment.spans),
            key=lambda s: s.a_start,
        ),
        a_words=alignment.b_words,
        b_words=alignment.a_words,
    )


def _lag_hours(copy: datetime | None, source: datetime | None) -> float | None:
    if copy is None or source is None:
        return None
    return round((copy - source).total_seconds() / 3600, 2)


def judge(
    copy: Doc, source: Doc, alignment: Alignment, basis: str, params: JudgeParams = DEFAULT
) -> SourceMatch:
    """The verdict on one copy/source pair; ``alignment`` is oriented copy → source."""
    same_outlet = bool(copy.article.outlet) and copy.article.outlet == source.article.outlet
    # An outlet naming itself in its own reuse is its masthead, not credit to another.
    credit = [] if same_outlet else _credits(copy.article, source.article)
    evidence: list[Evidence] = list(credit)
    lag = _lag_hours(copy.article.published, source.article.published)
    if lag is not None:
        evidence.append(Evidence("published_earlier", data={"lag_hours": lag}))
    coverage = alignment.a_coverage
    if credit:
        relation = "syndicated"
    elif coverage >= params.duplicate_coverage:
        relation = "duplicate"
    else:
        relation = "partial"
    weight = evidence_weight(copy, alignment.spans, params)
    sims = [p.similarity for p in alignment.passages]
    lengths = [s.a_end - s.a_start for s in alignment.spans]
    similarity = float(np.average(sims, weights=lengths)) if sims else 0.0
    confidence = (1.0 - math.exp(-weight / 25.0)) * (0.5 + 0.5 * similarity)
    return SourceMatch(
        source=source.article.id,
        outlet=source.article.outlet,
        published=source.article.published,
        relation=relation,
        credit="credited" if credit else "absent",
        coverage=min(1.0, coverage),
        source_coverage=min(1.0, alignment.b_coverage),
        confidence=confidence,
        passages=alignment.passages,
        evidence=evidence,
        direction_basis=basis,
        same_outlet=same_outlet,
    )


def compare(a: Doc, b: Doc, alignment: Alignment, params: JudgeParams = DEFAULT):
    """Decide one aligned pair: None if it is not reuse, else (copy, source, match)."""
    if not is_reuse(a, alignment, params) and not is_reuse(b, swap(alignment), params):
        return None
    a_is_copy, basis = direction(a, b, params)
    if a_is_copy:
        return a, b, judge(a, b, alignment, basis, params)
    return b, a, judge(b, a, swap(alignment), basis, params)


__all__ = ["DEFAULT", "Doc", "JudgeParams", "compare", "direction", "judge", "swap"]
