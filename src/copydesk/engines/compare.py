"""The comparing step shared by every engine: tokenise, align and judge pairs.

Everything a comparison depends on comes as arguments: the two articles, the parameters
and the collection's :class:`~copydesk.verdict.Context`. The per-process cache of
tokenised documents holds nothing model-dependent but under the context's version (see
``Doc.cache``), so documents cached before a model changed cannot carry old results."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from copydesk.align import Alignment, AlignParams, align, shared_words
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


def align_docs(a: Doc, b: Doc, params: Params) -> Alignment | None:
    """The alignment of two documents (``a``'s text first), or None when they share too
    few words to be reuse. It depends on the texts and parameters alone, never on the
    collection's models, so an alignment made once may be judged again under others."""
    # Most candidates of a large scan share a stock sentence or two: skip aligning them.
    bound = shared_words(a.tokens, b.tokens, params.align)
    if not could_be_reuse(bound, len(a.tokens), len(b.tokens), params.judge):
        return None
    return align(a.article.text, a.tokens, b.article.text, b.tokens, params.align)


def compare_docs(
    a: Doc, b: Doc, params: Params, ctx: Context
) -> tuple[Doc, Doc, SourceMatch] | None:
    alignment = align_docs(a, b, params)
    return None if alignment is None else compare(a, b, alignment, params.judge, ctx=ctx)


def compare_group(
    task: tuple[int, Article, list[tuple[int, Article]], Params], ctx: Context
) -> list[tuple[int, int, SourceMatch]]:
    """One article against its candidates: (copy key, source key, match) for each reuse."""
    key, article, others, params = task
    aligned = [(k, other, None) for k, other in others]
    return [(c, s, m) for c, s, m, _ in compare_group_aligned((key, article, aligned, params), ctx)]


def compare_group_aligned(
    task: tuple[int, Article, list[tuple[int, Article, Alignment | None]], Params], ctx: Context
) -> list[tuple[int, int, SourceMatch, Alignment]]:
    """:func:`compare_group`, each candidate with the alignment already made of the pair
    (or None: aligned here); each reuse comes with its alignment, the article's text
    first, for judging the pair again later without aligning it again."""
    key, article, others, params = task
    a = doc_for(key, article)
    out = []
    for other_key, other, alignment in others:
        b = doc_for(other_key, other)
        if alignment is None:
            alignment = align_docs(a, b, params)
            if alignment is None:
                continue
        result = compare(a, b, alignment, params.judge, ctx=ctx)
        if result is not None:
            copy, source, match = result
            out.append((copy.seq, source.seq, match, alignment))
    return out
