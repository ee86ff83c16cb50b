"""From a sentence alignment to a verdict: ``rewrite`` or ``translation``, with credit."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from copydesk.forensics import credit_mentions, linked_credit, names_of
from copydesk.forensics.signals import prompt_leftovers
from copydesk.model import Article, Evidence, Passage, SourceMatch
from copydesk.semantic.align import SentenceAlignment, sentence_weights
from copydesk.semantic.embed import SentenceVectors
from copydesk.verdict import plausible


@dataclass(slots=True)
class SemDoc:
    """An article with its sentence vectors and language; ``seq`` is ingest order.
    ``weights``: its sentences' weights (``align.sentence_weights``) by quote weight, kept
    once computed (a document is aligned with each of its candidate partners)."""

    key: int
    article: Article
    vectors: SentenceVectors
    language: str | None
    weights: dict[float, np.ndarray] = field(default_factory=dict)

    def sentence_weights(self, quote_weight: float) -> np.ndarray:
        if quote_weight not in self.weights:
            self.weights[quote_weight] = sentence_weights(
                self.article.text, self.vectors, quote_weight
            )
        return self.weights[quote_weight]


def direction(a: SemDoc, b: SemDoc, same_time_seconds: float = 60.0) -> tuple[bool, str]:
    """(True if ``a`` is the copy, basis): clear dates, then credit, then ingest order."""
    pa, pb = plausible(a.article.published), plausible(b.article.published)
    if pa is not None and pb is not None and abs((pa - pb).total_seconds()) > same_time_seconds:
        return pa > pb, "published"
    a_credits = bool(credit_mentions(a.article.text, names_of(b.article)))
    b_credits = bool(credit_mentions(b.article.text, names_of(a.article)))
    if a_credits != b_credits:
        return a_credits, "credit"
    return a.key > b.key, "first_seen"


def _removed_credits(
    copy: SemDoc, source: SemDoc, alignment: SentenceAlignment, aliases: tuple[str, ...]
) -> list[Evidence]:
    """Mentions of the source in its matched sentences that the copy's sentence lacks."""
    names = names_of(source.article, aliases)
    out = []
    for p in alignment.pairs:
        s0, s1 = int(source.vectors.starts[p.source]), int(source.vectors.ends[p.source])
        c0, c1 = int(copy.vectors.starts[p.copy]), int(copy.vectors.ends[p.copy])
        in_source = credit_mentions(source.article.text[s0:s1], names)
        if in_source and not credit_mentions(copy.article.text[c0:c1], names):
            e = in_source[0]
            out.append(
                Evidence(
                    "credit_removed",
                    e.text,
                    article_start=c0,
                    source_start=s0 + (e.article_start or 0),
                    source_end=s0 + (e.article_end or 0),
                )
            )
    return out


def judge(
    copy: SemDoc,
    source: SemDoc,
    alignment: SentenceAlignment,
    basis: str,
    *,
    aliases: tuple[str, ...] = (),
) -> SourceMatch:
    """The verdict on a semantic copy; ``alignment`` is oriented copy → source."""
    same_outlet = bool(copy.article.outlet) and copy.article.outlet == source.article.outlet
    credit: list[Evidence] = []
    removed: list[Evidence] = []
    if not same_outlet:
        names = names_of(source.article, aliases)
        credit = credit_mentions(copy.article.text, names) or linked_credit(
            copy.article, source.article
        )
        if not credit:
            removed = _removed_credits(copy, source, alignment, aliases)
    translated = bool(copy.language and source.language and copy.language != source.language)
    evidence = credit + removed
    evidence += [
        Evidence("prompt_leftover", e.text, e.article_start, e.article_end, data=e.data)
        for e in prompt_leftovers(copy.article.text)
    ]
    if copy.article.published and source.article.published:
        lag = (copy.article.published - source.article.published).total_seconds() / 3600
        evidence.append(Evidence("published_earlier", data={"lag_hours": round(lag, 2)}))
    evidence.append(
        Evidence(
            "aligned_sentences",
            data={
                "sentences": len(alignment.pairs),
                "in_order": round(alignment.order, 4),
                "article_language": copy.language,
                "source_language": source.language,
            },
        )
    )
    passages = [
        Passage(
            int(copy.vectors.starts[p.copy]),
            int(copy.vectors.ends[p.copy]),
            int(source.vectors.starts[p.source]),
            int(source.vectors.ends[p.source]),
            p.similarity,
        )
        for p in alignment.pairs
    ]
    confidence = min(1.0, alignment.coverage) * (0.5 + 0.5 * alignment.similarity)
    return SourceMatch(
        source=source.article.id,
        outlet=source.article.outlet,
        published=source.article.published,
        relation="translation" if translated else "rewrite",
        credit="credited" if credit else "stripped" if removed else "absent",
        coverage=min(1.0, alignment.coverage),
        source_coverage=min(1.0, alignment.source_coverage),
        confidence=confidence,
        passages=passages,
        evidence=evidence,
        direction_basis=basis,
        same_outlet=same_outlet,
        languages=(copy.language, source.language),
    )
