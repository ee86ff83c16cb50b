"""Furniture and quotes never make a copy.

Two articles can share a passage verbatim and still be two different stories: an
outlet's sign-up notice, cookie text or author box carried by both (furniture), or a
quotation both took from one interview. This module tells those links from copies by
their structure, not by phrase lists:

- where the shared text sits: furniture sits at the top or the bottom of a text, around
  the story, never in the middle of it;
- what else the two texts share: outside the shared passages, two versions of one story
  still share their wording; two different stories share nothing;
- how it reads: furniture speaks to the reader or lists links, a story reports; a
  passage that is mostly a quotation credited inside it to an outlet ("told X") is a
  quote, whoever carries it; an uncredited speech both carry is judged as text.

A furniture link stays evidence of where a text came from (the furniture names its
outlet), never a link between two stories. A quote credited inside the passage to an
outlet ("told X", "said in an interview with X") makes X's article the source.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from copydesk.text.quotes import _QUOTED

_WORD = re.compile(r"\w+", re.UNICODE)

COPY, FURNITURE, QUOTE = "copy", "furniture", "quote"


@dataclass(slots=True, frozen=True)
class Span:
    start: int
    end: int


def _trigrams(text: str) -> set[tuple[str, str, str]]:
    words = [w.casefold() for w in _WORD.findall(text)]
    return {(words[i], words[i + 1], words[i + 2]) for i in range(len(words) - 2)}


def _outside(text: str, spans: Sequence[Span]) -> str:
    parts, at = [], 0
    for s in sorted(spans, key=lambda s: s.start):
        parts.append(text[at : s.start])
        at = max(at, s.end)
    parts.append(text[at:])
    return "\n".join(parts)


def rest_agreement(a: str, a_spans: Sequence[Span], b: str, b_spans: Sequence[Span]) -> float:
    """How much two texts share outside the given passages: the containment of the
    smaller rest's word trigrams in the other's (0 for two different stories)."""
    ra, rb = _trigrams(_outside(a, a_spans)), _trigrams(_outside(b, b_spans))
    if not ra or not rb:
        return 0.0
    return len(ra & rb) / min(len(ra), len(rb))


def _at_edge(text: str, span: Span, edge: float) -> bool:
    """The passage opens or closes the text: what stands before it (or after it) is at
    most ``edge`` of the text, or one short line."""
    room = max(80, edge * len(text.strip()))
    return len(text[: span.start].strip()) <= room or len(text[span.end :].strip()) <= room


# A quotation credited inside the passage to an outlet: "told the Herald", "said in an
# interview with Radio Kestrel", "speaking to CNN".
_CREDITED_QUOTE = re.compile(
    r"\b(?:told|speaking\s+to|(?:in\s+)?an\s+interview\s+with)\s+(?:the\s+)?"
    r"(?P<name>[A-Z][\w&'’.-]*(?:[ \t]+(?:of[ \t]+)?[A-Z][\w&'’.-]*){0,4})"
)
_READER = re.compile(r"\b(?:you|your|yours|yourself)\b", re.IGNORECASE)


def reads_like_furniture(text: str) -> bool:
    """Furniture speaks to the reader or lists links; a story reports. True when the
    passage (outside quotations) addresses the reader in the second person, or is a list
    of three or more short lines without sentence punctuation."""
    bare = _QUOTED.sub(" ", text)
    words = _WORD.findall(bare)
    if not words:
        return False
    if len(_READER.findall(bare)) * 40 >= len(words):
        return True
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    short = [ln for ln in lines if len(ln.split()) <= 8 and not ln.endswith((".", "!", "?"))]
    return len(lines) >= 3 and len(short) * 4 >= len(lines) * 3


def quoted_share(text: str) -> float:
    """Share of a passage's characters inside quotation marks."""
    if not text.strip():
        return 0.0
    inside = sum(m.end() - m.start() for m in _QUOTED.finditer(text))
    return inside / len(text.strip())


def credited_names(passage: str) -> list[str]:
    """The outlets quotations in the passage are credited to, as written ("Harbour
    Herald" in "... Rennick told the Harbour Herald")."""
    return [m.group("name").rstrip(".") for m in _CREDITED_QUOTE.finditer(passage)]


def passage_key(text: str) -> str:
    """What identifies a shared passage across pairs: its first words, folded."""
    return " ".join(w.casefold() for w in _WORD.findall(text)[:12])


def classify_link(
    copy_text: str,
    copy_spans: Sequence[Span],
    source_text: str,
    source_spans: Sequence[Span],
    *,
    edge: float = 0.15,
    max_rest: float = 0.08,
    max_share: float = 0.5,
    carriers: int = 0,
) -> str:
    """``copy``, ``furniture`` or ``quote`` for one aligned pair of texts.

    Only a link whose passages leave the rest of both texts unrelated (``max_rest``) and
    cover at most ``max_share`` of either text can be anything but a copy: then it is a
    quote if the shared text is mostly quotation, furniture if every passage sits at an
    edge of both texts and reads like furniture, or is carried at an edge by other
    articles too (``carriers``: how many besides these two): a passage many unrelated
    texts open or close with is furniture whatever it says.
    """
    if not copy_spans or not source_spans:
        return COPY
    shared_copy = sum(s.end - s.start for s in copy_spans)
    shared_source = sum(s.end - s.start for s in source_spans)
    if shared_copy > max_share * len(copy_text) or shared_source > max_share * len(source_text):
        return COPY
    if rest_agreement(copy_text, copy_spans, source_text, source_spans) > max_rest:
        return COPY
    passage = "\n".join(copy_text[s.start : s.end] for s in copy_spans)
    if quoted_share(passage) >= 0.5 and _CREDITED_QUOTE.search(passage):
        return QUOTE
    if (
        all(_at_edge(copy_text, s, edge) for s in copy_spans)
        and all(_at_edge(source_text, s, edge) for s in source_spans)
        and (carriers >= 1 or reads_like_furniture(passage))
    ):
        return FURNITURE
    return COPY
