"""``copydesk show``: a copy and its source side by side, differences highlighted."""

from __future__ import annotations

from difflib import SequenceMatcher

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from copydesk.model import Article, SourceMatch, iso
from copydesk.text.tokens import WORD

_CHANGED = "bold black on yellow"
_ONLY_HERE = "bold white on red"
_UNALIGNED = "dim"


def _pieces(text: str) -> list[tuple[str, str]]:
    """The text as (folded word or "", piece) pairs, whitespace and punctuation kept."""
    out: list[tuple[str, str]] = []
    pos = 0
    for m in WORD.finditer(text):
        if m.start() > pos:
            out.append(("", text[pos : m.start()]))
        out.append((m.group().lower(), m.group()))
        pos = m.end()
    if pos < len(text):
        out.append(("", text[pos:]))
    return out


def diff_texts(a: str, b: str) -> tuple[Text, Text]:
    """Two rich Texts with the words that differ highlighted in each."""
    pa, pb = _pieces(a), _pieces(b)
    wa = [i for i, (w, _) in enumerate(pa) if w]
    wb = [i for i, (w, _) in enumerate(pb) if w]
    sm = SequenceMatcher(None, [pa[i][0] for i in wa], [pb[i][0] for i in wb], autojunk=False)
    style_a: dict[int, str] = {}
    style_b: dict[int, str] = {}
    for op, a0, a1, b0, b1 in sm.get_opcodes():
        if op == "equal":
            continue
        for k in range(a0, a1):
            style_a[wa[k]] = _CHANGED if op == "replace" else _ONLY_HERE
        for k in range(b0, b1):
            style_b[wb[k]] = _CHANGED if op == "replace" else _ONLY_HERE
    ta, tb = Text(), Text()
    for i, (_, piece) in enumerate(pa):
        ta.append(piece, style=style_a.get(i, ""))
    for i, (_, piece) in enumerate(pb):
        tb.append(piece, style=style_b.get(i, ""))
    return ta, tb


def _header(article: Article) -> str:
    when = iso(article.published) or "no date"
    return f"[bold]{article.id}[/] · {article.outlet or '?'} · {when}\n{article.title or ''}"


def render_side_by_side(copy: Article, source: Article, match: SourceMatch) -> RenderableType:
    """Passages in the copy's order; copy-only stretches (mastheads, promo lines) dimmed."""
    summary = (
        f"[bold]{match.relation}[/], credit [bold]{match.credit}[/], "
        f"covers {match.coverage:.0%} of the copy and {match.source_coverage:.0%} of the "
        f"source, confidence {match.confidence:.2f}, direction by {match.direction_basis}"
    )
    table = Table(expand=True, show_lines=True, header_style="bold")
    table.add_column(f"copy: {copy.id}", ratio=1)
    table.add_column(f"source: {source.id}", ratio=1)
    # Rewrites and translations: one row per matched sentence pair, with its similarity.
    semantic = match.relation in ("rewrite", "translation")
    if semantic:
        table.add_column("similarity", width=10, justify="right")
    table.add_row(_header(copy), _header(source), *([""] if semantic else []))
    pos = 0
    for p in sorted(match.passages, key=lambda p: p.article_start):
        gap = copy.text[pos : p.article_start].strip()
        if gap:
            table.add_row(
                Text(gap, style=_UNALIGNED),
                Text("(not in the source)", style="dim"),
                *([""] if semantic else []),
            )
        left, right = diff_texts(
            copy.text[p.article_start : p.article_end], source.text[p.source_start : p.source_end]
        )
        table.add_row(left, right, *([f"{p.similarity:.2f}"] if semantic else []))
        pos = p.article_end
    tail = copy.text[pos:].strip()
    if tail:
        table.add_row(
            Text(tail, style=_UNALIGNED),
            Text("(not in the source)", style="dim"),
            *([""] if semantic else []),
        )
    notes = [f"{e.kind}: {e.text or ''} {e.data or ''}".strip() for e in match.evidence if e.kind]
    legend = Text.assemble(
        ("changed", _CHANGED), "  ", ("only on this side", _ONLY_HERE), "  ",
        ("not aligned", _UNALIGNED),
    )  # fmt: skip
    return Group(
        Panel(summary + ("\n" + "\n".join(notes) if notes else ""), title="verdict"),
        table,
        legend,
    )
