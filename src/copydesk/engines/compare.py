"""The comparing step shared by every engine: tokenise, align and judge pairs.

Everything a comparison depends on comes as arguments: the two articles, the parameters
and the collection's :class:`~copydesk.verdict.Context`. The per-process cache of
tokenised documents holds nothing model-dependent but under the context's version (see
``Doc.cache``), so documents cached before a model changed cannot carry old results."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from copydesk.align import AlignParams, align, shared_words
from copydesk.model import Article, SourceMatch
from copydesk.text.tokens import tokenize
from copydesk.verdict import Context, Doc, JudgeParams, compare, could_be_reuse


@dataclass(slots=True, frozen=True)
class Params:
    align: AlignParams = field(default_factory=AlignParams)
    judge: JudgeParams = field(default_factory=JudgeParams)
    min_shared_anchors: int = 3  # candidates share this many winnowed anchors ...
    short_share: float = 0.2  # ... or this share of a short text's anchors ...
    max_anchor_df: int = 100  # ... counting only anchors found in at most this many articles


_CACHE: OrderedDict[int, Doc] = OrderedDict()
_CACHE_SIZE = 4096


def doc_for(key: int, article: Article) -> Doc:
    """Tokenised once per process: a popular source is compared with many copies."""
    doc = _CACHE.get(key)
    if doc is not None and doc.article.text == article.text:
        _CACHE.move_to_end(key)
        doc.article = article
        return doc
    doc = Doc(article, tokenize(article.text), seq=key)
    _CACHE[key] = doc
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return doc


def forget_docs() -> None:
    """Drop cached documents (to free memory: nothing cached is stale)."""
    _CACHE.clear()


def compare_docs(
    a: Doc, b: Doc, params: Params, ctx: Context
) -> tuple[Doc, Doc, SourceMatch] | None:
    # Most candidates of a large scan share a stock sentence or two: skip aligning them.
    bound = shared_words(a.tokens, b.tokens, params.align)
    if not could_be_reuse(bound, len(a.tokens), len(b.tokens), params.judge):
        return None
    alignment = align(a.article.text, a.tokens, b.article.text, b.tokens, params.align)
    return compare(a, b, alignment, params.judge, ctx=ctx)


def compare_group(
    task: tuple[int, Article, list[tuple[int, Article]], Params], ctx: Context
) -> list[tuple[int, int, SourceMatch]]:
    """One article against its candidates: (copy key, source key, match) for each reuse."""
    key, article, others, params = task
    a = doc_for(key, article)
    out = []
    for other_key, other in others:
        result = compare_docs(a, doc_for(other_key, other), params, ctx)
        if result is not None:
            copy, source, match = result
            out.append((copy.seq, source.seq, match))
    return out
