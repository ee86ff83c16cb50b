"""Article text as HTML with passages, marks and differences highlighted.

Untrusted text is escaped piece by piece with ``markupsafe.escape``; the only markup added
is ``<span>``/``<a>`` with classes and attributes chosen here (attribute values escaped
too). Offsets are character offsets into the article's ``text``, as in the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from markupsafe import Markup, escape

from copydesk.model import Evidence, SourceMatch
from copydesk.text.tokens import WORD

# Evidence and signal kinds marked in the copy, with their CSS class and a label.
COPY_MARKS: dict[str, tuple[str, str]] = {
    "foreign_boilerplate": ("mark-boilerplate", "another outlet's boilerplate"),
    "dangling_attribution": ("mark-dangling", "dangling attribution: a credit was cut here"),
    "prompt_leftover": ("mark-prompt", "text left by a rewriting prompt"),
    "exclusive_quote": ("mark-quote", "a quote given to another outlet"),
    "credit": ("mark-credit", "credit to the source"),
}


@dataclass(slots=True)
class Span:
    start: int
    end: int
    cls: str
    title: str | None = None
    passage: int | None = None
    anchor: str | None = None  # an id placed where the span starts


@dataclass(slots=True)
class Point:
    """A zero-width marker, e.g. where a credit was cut from the copy."""

    at: int
    cls: str
    label: str
    title: str


@dataclass(slots=True)
class Marks:
    spans: list[Span] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    anchors: dict[int, tuple[int, str, str]] = field(default_factory=dict)  # pos → (p, id, href)


def render(text: str, marks: Marks) -> Markup:
    """``text`` as HTML, every segment escaped, marks as ``<span class=...>``."""
    n = len(text)
    spans = [s for s in marks.spans if 0 <= s.start < s.end <= n]
    cuts = {0, n}
    for s in spans:
        cuts.update((s.start, s.end))
    cuts.update(p.at for p in marks.points if 0 <= p.at <= n)
    cuts.update(a for a in marks.anchors if 0 <= a <= n)
    bounds = sorted(cuts)
    points: dict[int, list[Point]] = {}
    for p in marks.points:
        points.setdefault(p.at, []).append(p)
    out: list[str] = []
    for i, lo in enumerate(bounds):
        if lo in marks.anchors:
            p, id_, href = marks.anchors[lo]
            out.append(
                f'<a class="plink" id="{escape(id_)}" href="#{escape(href)}" data-p="{p}" '
                f'title="passage {p + 1}: jump to the other column">{p + 1}</a>'
            )
        for s in spans:
            if s.anchor and s.start == lo:
                out.append(f'<span class="anchor" id="{escape(s.anchor)}"></span>')
        for p in points.get(lo, []):
            out.append(f'<span class="{p.cls}" title="{escape(p.title)}">{escape(p.label)}</span>')
        if i + 1 == len(bounds):
            break
        hi = bounds[i + 1]
        piece = escape(text[lo:hi])
        active = [s for s in spans if s.start <= lo and s.end >= hi]
        if not active:
            out.append(piece)
            continue
        classes = " ".join(dict.fromkeys(s.cls for s in active))
        titled = [s for s in active if s.title]
        title = min(titled, key=lambda s: s.end - s.start).title if titled else None
        passage = next((s.passage for s in active if s.passage is not None), None)
        attrs = f' class="{classes}"'
        if passage is not None:
            attrs += f' data-p="{passage}"'
        if title:
            attrs += f' title="{escape(title)}"'
        out.append(f"<span{attrs}>{piece}</span>")
    return Markup("".join(out))


def _words(text: str, lo: int, hi: int) -> list[tuple[str, int, int]]:
    return [(m.group().lower(), lo + m.start(), lo + m.end()) for m in WORD.finditer(text[lo:hi])]


def word_diff(copy: str, source: str, match: SourceMatch) -> tuple[list[Span], list[Span]]:
    """Inside each passage, the words that differ between copy and source."""
    on_copy: list[Span] = []
    on_source: list[Span] = []
    for p in match.passages:
        wa = _words(copy, p.article_start, p.article_end)
        wb = _words(source, p.source_start, p.source_end)
        sm = SequenceMatcher(None, [w for w, _, _ in wa], [w for w, _, _ in wb], autojunk=False)
        for op, a0, a1, b0, b1 in sm.get_opcodes():
            if op == "equal":
                continue
            title = "changed" if op == "replace" else "only on this side"
            on_copy += [Span(s, e, "diff", title) for _, s, e in wa[a0:a1]]
            on_source += [Span(s, e, "diff", title) for _, s, e in wb[b0:b1]]
    return on_copy, on_source


def _lone_marks(items: list[Evidence], marks: Marks) -> None:
    seen: set[tuple[str, int, int]] = set()
    for e in items:
        if e.kind not in COPY_MARKS or e.article_start is None:
            continue
        end = e.article_end
        if end is None and e.text:
            end = e.article_start + len(e.text)
        if end is None or (e.kind, e.article_start, end) in seen:
            continue
        seen.add((e.kind, e.article_start, end))
        cls, label = COPY_MARKS[e.kind]
        origin = e.data.get("outlet_of_origin")
        title = f"{label} ({origin})" if origin else label
        marks.spans.append(Span(e.article_start, end, cls, title))


def copy_marks(signals: list[Evidence], match: SourceMatch | None, text_length: int) -> Marks:
    """Marks on the copy: passages (and the text between them, not in the source),
    boilerplate, dangling attributions, prompt leftovers, quotes given to another outlet,
    and where a credit was cut (a point)."""
    marks = Marks()
    evidence = list(match.evidence) if match else []
    _lone_marks(evidence + signals, marks)
    if match is not None:
        pos = 0
        for i, p in enumerate(sorted(match.passages, key=lambda p: p.article_start)):
            marks.spans.append(Span(p.article_start, p.article_end, "passage", None, i))
            marks.anchors[p.article_start] = (i, f"copy-p{i}", f"src-p{i}")
            if p.article_start > pos:
                marks.spans.append(Span(pos, p.article_start, "unaligned", "not in the source"))
            pos = max(pos, p.article_end)
        if pos < text_length:
            marks.spans.append(Span(pos, text_length, "unaligned", "not in the source"))
        for e in evidence:
            if e.kind == "credit_removed" and e.article_start is not None:
                marks.points.append(
                    Point(
                        e.article_start,
                        "mark-cut",
                        "✂",
                        f"credit removed here: “{e.text or ''}” (in the source)",
                    )
                )
    return marks


def source_marks(match: SourceMatch) -> Marks:
    """Marks on the source: passages (numbered as in the copy) and removed credits."""
    marks = Marks()
    order = sorted(match.passages, key=lambda p: p.article_start)
    for i, p in enumerate(order):
        marks.spans.append(Span(p.source_start, p.source_end, "passage", None, i))
        marks.anchors.setdefault(p.source_start, (i, f"src-p{i}", f"copy-p{i}"))
    removed = [e for e in match.evidence if e.kind == "credit_removed"]
    for i, e in enumerate(removed):
        if e.source_start is not None and e.source_end is not None:
            marks.spans.append(
                Span(
                    e.source_start,
                    e.source_end,
                    "mark-removed",
                    "credit removed in the copy",
                    anchor=f"src-removed-{i}",
                )
            )
    return marks


def snippet_html(snippet: str | None, open_: str, close: str) -> Markup:
    """An FTS5 snippet with its hit markers as ``<mark>``; everything else escaped."""
    if not snippet:
        return Markup("")
    out: list[str] = []
    for i, chunk in enumerate(snippet.split(open_)):
        if i == 0:
            out.append(escape(chunk))
            continue
        hit, _, rest = chunk.partition(close)
        out.append(f"<mark>{escape(hit)}</mark>{escape(rest)}")
    return Markup("".join(out))
