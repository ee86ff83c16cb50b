"""Normalising and segmenting text: words, sentences and paragraphs with character offsets."""

from copydesk.text.segment import Segment, paragraphs, sentences
from copydesk.text.tokens import Tokens, fold, tokenize, word_hashes

__all__ = ["Segment", "Tokens", "fold", "paragraphs", "sentences", "tokenize", "word_hashes"]
