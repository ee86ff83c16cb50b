"""From an alignment to a verdict: is this reuse, which way, what relation and credit."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from copydesk.align import Alignment, Span
from copydesk.forensics import Names, credit_mentions, linked_credit, names_of, removed_credits
from copydesk.forensics.boilerplate import BoilerplateModel, find_boilerplate
from copydesk.forensics.quotes import Quote, extract_quotes, told_to_outlet
from copydesk.model import Article, Evidence, SourceMatch
from copydesk.text.quotes import quoted_mask
from copydesk.text.tokens import Tokens


@dataclass(slots=True, frozen=True)
class JudgeParams:
    min_evidence_words: float = 40.0  # matched words (quotes weighted down) to call it reuse
    min_short_words: float = 12.0  # ... or this many, if they are most of the shorter text
    quote_weight: float = 0.2  # a quoted word counts this much: shared quotes are not copying
    min_narrative_words: float = 15.0  # and a verdict never rests on quotes alone
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
    cache: dict[str, Any] = field(default_factory=dict)  # what forensics derive, once

    @property
    def quoted(self) -> np.ndarray:
        if self._quoted is None:
            self._quoted = quoted_mask(self.article.text, self.tokens)
        return self._quoted


def _weights(doc: Doc, spans: list[Span], params: JudgeParams) -> tuple[float, float]:
    """(weighted aligned words, narrative aligned words) of ``doc``'s side."""
    total = narrative_total = 0.0
    quoted = doc.quoted
    for s in spans:
        q = int(quoted[s.a_start : s.a_end].sum())
        narrative = (s.a_end - s.a_start) - q
        share = s.matched / max(1, s.a_end - s.a_start)
        total += (narrative + params.quote_weight * q) * share
        narrative_total += narrative * share
    return total, narrative_total


def evidence_weight(doc: Doc, spans: list[Span], params: JudgeParams) -> float:
    """Aligned words of ``doc``'s side, quoted words weighted down."""
    return _weights(doc, spans, params)[0]


def is_reuse(a: Doc, alignment: Alignment, params: JudgeParams = DEFAULT) -> bool:
    if not alignment.spans:
        return False
    weight, narrative = _weights(a, alignment.spans, params)
    if weight >= params.min_evidence_words and narrative >= params.min_narrative_words:
        return True
    # Short items (a wire flash, a brief) copied whole are reuse below the usual minimum.
    shorter = min(alignment.a_words, alignment.b_words)
    return weight >= params.min_short_words and alignment.matched >= 0.6 * shorter


def could_be_reuse(bound: int, a_words: int, b_words: int, params: JudgeParams = DEFAULT) -> bool:
    """Whether a pair whose alignment can match at most ``bound`` words could pass
    :func:`is_reuse` on either side (weights never exceed matched words)."""
    if bound >= params.min_evidence_words:
        return True
    return bound >= params.min_short_words and bound >= 0.6 * min(a_words, b_words)


@dataclass(slots=True, frozen=True)
class Context:
    """What the collection as a whole tells about each pair: outlet aliases (learned and
    user-given, lower-cased outlet -> names) and the learned boilerplate model.

    A value: built once per scan by ``engines.forensics`` from the collection, passed to
    every function that needs it (and broadcast by engines to their workers), never
    changed. ``version`` names its content: anything derived under one context (cached
    on a ``Doc``) is keyed by it, so nothing computed under an old model is reused.
    """

    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    boilerplate: BoilerplateModel = field(default_factory=lambda: BoilerplateModel(shapes={}))
    version: str = "empty"


EMPTY = Context()  # no collection knowledge: no aliases, no boilerplate


def source_names(article: Article, ctx: Context = EMPTY) -> Names:
    return names_of(article, ctx.aliases.get(article.outlet or "", ()))


def boilerplate_of(doc: Doc, ctx: Context = EMPTY) -> list[Evidence]:
    """Own and foreign boilerplate lines of one article (computed once per Doc and model)."""
    key = ("boilerplate", ctx.version)
    cached = doc.cache.get(key)
    if cached is None:
        cached = find_boilerplate(doc.article.text, doc.article.outlet, ctx.boilerplate)
        doc.cache[key] = cached
    return cached


def foreign_boilerplate(doc: Doc, ctx: Context = EMPTY) -> list[Evidence]:
    return [e for e in boilerplate_of(doc, ctx) if e.kind == "foreign_boilerplate"]


def _quotes(doc: Doc) -> list[Quote]:
    cached = doc.cache.get("quotes")
    if cached is None:
        cached = doc.cache["quotes"] = extract_quotes(doc.article.text)
    return cached


def exclusive_quotes(copy: Doc, source: Doc, ctx: Context = EMPTY) -> list[Evidence]:
    """Quotes the source says were given to it, carried by a copy that does not credit it."""
    src = source.article
    if credit_mentions(copy.article.text, source_names(src, ctx)):
        return []
    out = []
    copy_quotes = None
    for quote in _quotes(source):
        if not quote.told_to or not told_to_outlet(quote.told_to, src.outlet, src.outlet_name):
            continue
        if copy_quotes is None:
            copy_quotes = {q.key: q for q in _quotes(copy)}
        hit = copy_quotes.get(quote.key)
        if hit is not None:
            out.append(
                Evidence(
                    "exclusive_quote",
                    text=hit.text[:200],
                    article_start=hit.start,
                    article_end=hit.end,
                    source_start=quote.start,
                    source_end=quote.end,
                    data={"outlet_of_origin": src.outlet, "speaker": quote.speaker},
                )
            )
    return out


def credit_evidence(
    copy: Doc, source: Doc, alignment: Alignment, ctx: Context = EMPTY
) -> list[Evidence]:
    """``credit`` mentions of the source in the copy, else the ``credit_removed`` items,
    else nothing; computed once per oriented pair (direction and judging both ask)."""
    key = (
        "credit",
        ctx.version,
        source.seq,
        tuple((x.a_start, x.a_end, x.b_start, x.b_end) for x in alignment.spans),
    )
    cached = copy.cache.get(key)
    if cached is None:
        names = source_names(source.article, ctx)
        cached = (
            credit_mentions(copy.article.text, names)
            or linked_credit(copy.article, source.article)
            or removed_credits(
                copy.article.text,
                copy.tokens,
                source.article.text,
                source.tokens,
                alignment.spans,
                names,
            )
        )
        copy.cache[key] = cached
    return cached


def plausible(when: datetime | None) -> datetime | None:
    """A publication date that can decide direction: not in the future, not before 1900."""
    if when is None or when.year < 1900 or when > datetime.now(UTC) + timedelta(days=1):
        return None
    return when


def taken_for_copy(
    a_published: datetime | None,
    a_seq: int,
    b_published: datetime | None,
    b_seq: int,
    params: JudgeParams = DEFAULT,
) -> bool:
    """Whether ``a`` is taken for the copy of a reusing pair before any model is known
    (learning boilerplate and aliases needs to know which articles are copies): the later
    by clear dates, else the later ingested. Needs no text and no model, so what is
    learned from it depends on the collection only, never on earlier verdicts."""
    pa, pb = plausible(a_published), plausible(b_published)
    if pa is not None and pb is not None:
        delta = (pa - pb).total_seconds()
        if abs(delta) > params.same_time_seconds:
            return delta > 0
    return a_seq > b_seq


def copy_evidence(copy: Doc, source: Doc, alignment: Alignment, ctx: Context = EMPTY) -> list[str]:
    """Kinds of textual evidence that ``copy`` (aligned copy → source) took from ``source``.

    credit: the copy names the source's outlet; credit_removed: the source's mentions of
    itself are cut from the copy; foreign_boilerplate: the copy carries lines that are the
    source outlet's boilerplate; exclusive_quote: a quote the source says was given to it
    appears in the copy.
    """
    kinds = []
    if copy.article.outlet and copy.article.outlet == source.article.outlet:
        return kinds
    credit = credit_evidence(copy, source, alignment, ctx)
    if credit:
        kinds.append(credit[0].kind)
    if source.article.outlet and any(
        e.data.get("outlet_of_origin") == source.article.outlet
        for e in foreign_boilerplate(copy, ctx)
    ):
        kinds.append("foreign_boilerplate")
    if exclusive_quotes(copy, source, ctx):
        kinds.append("exclusive_quote")
    return kinds


def direction(
    a: Doc,
    b: Doc,
    alignment: Alignment | None = None,
    params: JudgeParams = DEFAULT,
    *,
    ctx: Context = EMPTY,
) -> tuple[bool, str]:
    """(True if ``a`` is the copy, basis). Clear dates decide; then the text; then ingest order.

    - both dates known, plausible and more than a minute apart: the earlier is the source
      ("published");
    - else textual evidence (see ``copy_evidence``), when it points one way only: the basis
      names the kinds found, e.g. "credit_removed+foreign_boilerplate";
    - else the article ingested first is taken as the source ("first_seen").
    """
    pa, pb = plausible(a.article.published), plausible(b.article.published)
    if pa is not None and pb is not None:
        delta = (pa - pb).total_seconds()
        if abs(delta) > params.same_time_seconds:
            return delta > 0, "published"
    if alignment is not None:
        a_copy = copy_evidence(a, b, alignment, ctx)
        b_copy = copy_evidence(b, a, swap(alignment), ctx)
        if bool(a_copy) != bool(b_copy):
            return bool(a_copy), "+".join(a_copy or b_copy)
    return a.seq > b.seq, "first_seen"


def swap(alignment: Alignment) -> Alignment:
    """The same alignment seen from the other text."""
    return alignment.swapped()


def _coverage(doc: Doc, spans: list[tuple[int, int]], ctx: Context = EMPTY) -> float:
    """Share of the article's words in aligned passages; boilerplate lines (its own or
    another outlet's) count on neither side of the fraction."""
    n = len(doc.tokens)
    if n == 0:
        return 0.0
    covered = np.zeros(n, dtype=bool)
    for lo, hi in spans:
        covered[lo:hi] = True
    boiler = np.zeros(n, dtype=bool)
    for e in boilerplate_of(doc, ctx):
        lo = np.searchsorted(doc.tokens.starts, e.article_start, "left")
        hi = np.searchsorted(doc.tokens.starts, e.article_end, "left")
        boiler[lo:hi] = True
    counted = ~boiler
    total = int(counted.sum())
    return float((covered & counted).sum() / total) if total else 0.0


def _lag_hours(copy: datetime | None, source: datetime | None) -> float | None:
    if copy is None or source is None:
        return None
    return round((copy - source).total_seconds() / 3600, 2)


def judge(
    copy: Doc,
    source: Doc,
    alignment: Alignment,
    basis: str,
    params: JudgeParams = DEFAULT,
    *,
    ctx: Context = EMPTY,
) -> SourceMatch:
    """The verdict on one copy/source pair; ``alignment`` is oriented copy → source."""
    same_outlet = bool(copy.article.outlet) and copy.article.outlet == source.article.outlet
    # An outlet naming itself in its own reuse is its masthead, not credit to another.
    found = [] if same_outlet else credit_evidence(copy, source, alignment, ctx)
    credit = [e for e in found if e.kind == "credit"]
    removed = [e for e in found if e.kind == "credit_removed"]
    evidence: list[Evidence] = list(found)
    if not same_outlet:
        evidence += exclusive_quotes(copy, source, ctx)
    lag = _lag_hours(copy.article.published, source.article.published)
    if lag is not None:
        evidence.append(Evidence("published_earlier", data={"lag_hours": lag}))
    coverage = _coverage(copy, [(s.a_start, s.a_end) for s in alignment.spans], ctx)
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
        credit="credited" if credit else "stripped" if removed else "absent",
        coverage=min(1.0, coverage),
        source_coverage=min(
            1.0, _coverage(source, [(s.b_start, s.b_end) for s in alignment.spans], ctx)
        ),
        confidence=confidence,
        passages=alignment.passages,
        evidence=evidence,
        direction_basis=basis,
        same_outlet=same_outlet,
    )


def compare(
    a: Doc,
    b: Doc,
    alignment: Alignment,
    params: JudgeParams = DEFAULT,
    *,
    ctx: Context = EMPTY,
):
    """Decide one aligned pair: None if it is not reuse, else (copy, source, match)."""
    if not is_reuse(a, alignment, params) and not is_reuse(b, swap(alignment), params):
        return None
    a_is_copy, basis = direction(a, b, alignment, params, ctx=ctx)
    if a_is_copy:
        copy, source, match = a, b, judge(a, b, alignment, basis, params, ctx=ctx)
    else:
        copy, source, match = b, a, judge(b, a, swap(alignment), basis, params, ctx=ctx)
    if not match.same_outlet and match.coverage == 0.0 and match.source_coverage == 0.0:
        # Everything the two share is boilerplate (one outlet's footer carried by copies
        # of two different stories, say): evidence of where a text came from, never a
        # link between two outlets' articles. An outlet's reuse of its own footer stays
        # reportable as same-outlet reuse.
        return None
    return copy, source, match


__all__ = [
    "DEFAULT",
    "EMPTY",
    "Context",
    "Doc",
    "JudgeParams",
    "compare",
    "direction",
    "judge",
    "swap",
    "taken_for_copy",
]
