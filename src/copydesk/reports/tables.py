"""Rich tables for the terminal."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table

from copydesk.engines.embedded import IngestSummary
from copydesk.model import Verdict, iso

_RELATION_STYLE = {
    "duplicate": "bold red",
    "partial": "yellow",
    "syndicated": "green",
    "rewrite": "magenta",
}
_CREDIT_STYLE = {"credited": "green", "stripped": "bold red", "absent": "dim"}


def verdict_table(verdicts: Iterable[Verdict], *, title: str | None = None) -> Table:
    table = Table(title=title, show_lines=False, header_style="bold")
    table.add_column("article")
    table.add_column("outlet")
    table.add_column("published", no_wrap=True)
    table.add_column("source")
    table.add_column("source outlet")
    table.add_column("relation")
    table.add_column("credit")
    table.add_column("coverage", justify="right")
    table.add_column("conf.", justify="right")
    for v in verdicts:
        for i, m in enumerate(v.sources):
            rel = _RELATION_STYLE.get(m.relation, "")
            cred = _CREDIT_STYLE.get(m.credit, "")
            table.add_row(
                v.article if i == 0 else "",
                (v.outlet or "") if i == 0 else "",
                (iso(v.published) or "—") if i == 0 else "",
                m.source,
                m.outlet or "",
                f"[{rel}]{m.relation}[/]",
                f"[{cred}]{m.credit}[/]",
                f"{m.coverage:.0%}",
                f"{m.confidence:.2f}",
            )
    return table


def ingest_table(summary: IngestSummary) -> Table:
    table = Table(title="ingest", header_style="bold", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("added", str(summary.added))
    table.add_row("updated", str(summary.updated))
    table.add_row("unchanged", str(summary.unchanged))
    table.add_row("rejected", f"[red]{len(summary.rejected)}[/]" if summary.rejected else "0")
    table.add_row("warnings", str(len(summary.warnings)))
    table.add_row("seconds", f"{summary.seconds:.2f}")
    return table
