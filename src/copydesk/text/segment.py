"""Paragraphs and sentences as character spans of the original text."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ! ? (and any closing quotes or brackets) followed by whitespace and
# an upper-case letter, a digit or an opening quote. Abbreviations such as "Mr." are kept.
# In Hindi, Marathi, Nepali ... a sentence ends at the danda (।), whatever follows it.
_SENTENCE_END = re.compile(
    r"""(?<!\b[A-Z])(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)(?<!\bNo)"""
    r"""[.!?]+["'\u201d\u2019)\]]*\s+(?=["'\u201c\u2018(\[]?[A-Z0-9])"""
    r"""|[\u0964\u0965]+["'\u201d\u2019)\]]*\s+"""  # the Devanagari full stop (danda)
)


@dataclass(slots=True, frozen=True)
class Segment:
    start: int
    end: int

    def slice(self, text: str) -> str:
        return text[self.start : self.end]


def _trimmed(text: str, start: int, end: int) -> Segment | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Segment(start, end) if end > start else None


def paragraphs(text: str) -> list[Segment]:
    """Blocks separated by blank lines (a single newline also separates, as in captions)."""
    out: list[Segment] = []
    pos = 0
    for m in re.finditer(r"\n\s*", text):
        seg = _trimmed(text, pos, m.start())
        if seg:
            out.append(seg)
        pos = m.end()
    seg = _trimmed(text, pos, len(text))
    if seg:
        out.append(seg)
    return out


def sentences(text: str, within: Segment | None = None) -> list[Segment]:
    """Sentences of ``text`` (or of one paragraph of it), never crossing a paragraph."""
    blocks = [within] if within else paragraphs(text)
    out: list[Segment] = []
    for block in blocks:
        pos = block.start
        for m in _SENTENCE_END.finditer(text, block.start, block.end):
            seg = _trimmed(text, pos, m.end())
            if seg:
                out.append(seg)
            pos = m.end()
        seg = _trimmed(text, pos, block.end)
        if seg:
            out.append(seg)
    return out
