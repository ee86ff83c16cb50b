"""Paragraphs and sentences as character spans of the original text."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ! ? (and any closing quotes or brackets) followed by whitespace and
# an upper-case letter, a digit or an opening quote. Abbreviations such as "Mr." are kept.
# In Hindi, Marathi, Nepali ... a sentence ends at the danda (।), whatever follows it.
# The pattern opens with the stop itself and looks behind it for the abbreviation (the
# "." in each look-behind is that stop): the regex engine then skips ahead to the next
# stop instead of trying every look-behind at every character (five times faster than
# the same rule written with the look-behinds first).
_SENTENCE_END = re.compile(
    r"""[.!?](?<!\b[A-Z].)(?<!\bMr.)(?<!\bMrs.)(?<!\bMs.)(?<!\bDr.)(?<!\bSt.)(?<!\bNo.)"""
    r"""[.!?]*["'\u201d\u2019)\]]*\s+(?=["'\u201c\u2018(\[]?[A-Z0-9])"""
    r"""|[\u0964\u0965]+["'\u201d\u2019)\]]*\s+"""  # the Devanagari full stop (danda)
)


@dataclass(slots=True, frozen=True)
class Segment:
    start: int
    end: int

    def slice(self, text: str) -> str:
        return text[self.start : self.end]


def _trimmed(text: str, start: int, end: int) -> Segment | None:
    piece = text[start:end]
    kept = piece.strip()  # str.strip() removes exactly what str.isspace() calls space
    if not kept:
        return None
    start += len(piece) - len(piece.lstrip())
    return Segment(start, start + len(kept))


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


# A paragraph break or a sentence end: one pass over the text finds both (a sentence end
# whose spaces run over a line break ends the paragraph there too, and the spaces are
# trimmed from both sides, so the pieces are those of splitting paragraphs first).
_BREAK = re.compile(r"\n\s*|" + _SENTENCE_END.pattern)


def sentences(text: str, within: Segment | None = None) -> list[Segment]:
    """Sentences of ``text`` (or of one paragraph of it), never crossing a paragraph."""
    start, end = (within.start, within.end) if within else (0, len(text))
    out: list[Segment] = []
    pos = start
    for m in _BREAK.finditer(text, start, end):
        seg = _trimmed(text, pos, m.end())
        if seg:
            out.append(seg)
        pos = m.end()
    seg = _trimmed(text, pos, end)
    if seg:
        out.append(seg)
    return out
