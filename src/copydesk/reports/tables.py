"""Rich tables for the terminal."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text

from copydesk.engines.embedded import IngestSummary
from copydesk.model import Evidence, Verdict, iso

_RELATION_STYLE = {
    "duplicate": "bold red",
    "partial": "yellow",
    "syndicated": "green",
    "rewrite": "magenta",
    "translation": "cyan",
}
_CREDIT_STYLE = {"credited": "green", "stripped": "bold red", "absent": "dim"}


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def brief_evidence(items: Iterable[Evidence], limit: int = 3) -> str:
    """Evidence or signals in brief: their kinds, each once, with a count when repeated."""
    counts: dict[str, int] = {}
    for e in items:
        if e.kind:
            counts[e.kind] = counts.get(e.kind, 0) + 1
    kinds = [f"{k} ×{n}" if n > 1 else k for k, n in counts.items()]
    if len(kinds) > limit:
        kinds = [*kinds[:limit], f"+{len(kinds) - limit} more"]
    return ", ".join(kinds)


def verdict_table(verdicts: Iterable[Verdict], *, title: str | None = None) -> Table:
    """One row per (article, source); an article with signals but no source gets a row.

    Ids, outlets and evidence come from the data: they go in as ``Text`` (never read as
    markup), and id columns fold instead of being cut, so they can be pasted into ``show``.
    """
    table = Table(title=title, show_lines=False, header_style="bold")
    table.add_column("article", overflow="fold", min_width=12)
    table.add_column("outlet", overflow="fold")
    table.add_column("published", no_wrap=True)
    table.add_column("source", overflow="fold", min_width=12)
    table.add_column("source outlet", overflow="fold")
    table.add_column("relation", no_wrap=True)
    table.add_column("credit", no_wrap=True)
    table.add_column("coverage", justify="right")
    table.add_column("conf.", justify="right")
    table.add_column("evidence / signals", overflow="fold", min_width=16)
    for v in verdicts:
        signals = brief_evidence(v.signals)
        head = [Text(v.article), Text(v.outlet or ""), Text(iso(v.published) or "—")]
        if not v.sources:
            table.add_row(
                *head, Text("— none stored —", style="dim"), "", "", "", "", "",
                Text(signals),
            )  # fmt: skip
            continue
        for i, m in enumerate(v.sources):
            notes = brief_evidence(m.evidence)
            if i == 0 and signals:
                notes = f"{notes}; signals: {signals}" if notes else f"signals: {signals}"
            table.add_row(
                *(head if i == 0 else ["", "", ""]),
                Text(m.source),
                Text(m.outlet or ""),
                Text(m.relation, style=_RELATION_STYLE.get(m.relation, "")),
                Text(m.credit, style=_CREDIT_STYLE.get(m.credit, "")),
                f"{m.coverage:.0%}",
                f"{m.confidence:.2f}",
                Text(notes),
            )
    return table


def ingest_table(summary: IngestSummary, *, title: str = "ingest") -> Table:
    table = Table(title=title, header_style="bold", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("added", str(summary.added))
    table.add_row("updated", str(summary.updated))
    table.add_row("unchanged", str(summary.unchanged))
    table.add_row("rejected", f"[red]{len(summary.rejected)}[/]" if summary.rejected else "0")
    table.add_row("warnings", str(len(summary.warnings)))
    table.add_row("seconds", f"{summary.seconds:.2f}")
    return table
