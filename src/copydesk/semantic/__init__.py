"""The semantic stage: rewritten and translated copies found by aligned sentence vectors."""

from copydesk.semantic.align import SemanticParams, align_sentences, is_semantic_copy
from copydesk.semantic.embed import SentenceVectors, default_embedder, embed_article
from copydesk.semantic.judge import SemDoc

__all__ = [
    "SemDoc",
    "SemanticParams",
    "SentenceVectors",
    "align_sentences",
    "default_embedder",
    "embed_article",
    "is_semantic_copy",
]
