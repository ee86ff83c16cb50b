"""Local alignment of reused passages, with character offsets on both sides."""

from copydesk.align.local import Alignment, AlignParams, Span, align, shared_words

__all__ = ["AlignParams", "Alignment", "Span", "align", "shared_words"]
