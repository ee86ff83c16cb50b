"""Story families for people: a tree/timeline in the terminal, a table, CSV."""

from __future__ import annotations

import csv
from typing import IO

from rich.table import Table
from rich.text import Text

from copydesk.families import Family
from copydesk.model import iso

_CREDIT_STYLE = {"credited": "green", "stripped": "bold red", "absent": "yellow"}


def origin_label(fam: Family) -> str:
    o = fam.origin
    where = f"article {o.article} ({o.outlet})" if o.article else f"{o.outlet} (not in the store)"
    return f"{where}; basis: {', '.join(o.basis)}"


def family_tree(fam: Family, *, mark: str | None = None) -> Text:
    """Origin first, each version under the one it took from, with date and origin credit."""
    out = Text()
    out.append(f"family {fam.id}", style="bold")
    out.append(f" · {fam.size} versions · origin: {origin_label(fam)}\n")
    if fam.origin.article is None:
        out.append(f"  ◆ {fam.origin.outlet} (origin, outside the collection)\n", style="bold")
    for node in fam.ordered():
        depth = fam.depth(node.id) + (1 if fam.origin.article is None else 0)
        date = (iso(node.published) or "undated")[:16].replace("T", " ")
        line = Text("  " + "   " * depth + ("└─ " if depth else "◆ "))
        line.append(node.id, style="bold" if node.id == mark else "")
        line.append(f"  {node.outlet or '?'}  {date}")
        if node.took_from:
            line.append(f"  took from {node.took_from} ({node.basis})", style="dim")
        if node.origin_credit:
            line.append("  origin credit: ")
            line.append(node.origin_credit, style=_CREDIT_STYLE[node.origin_credit])
        elif node.id == fam.origin.article:
            line.append("  origin", style="bold")
        if node.id == mark:
            line.append("  ◀ this article", style="bold cyan")
        out.append_text(line)
        out.append("\n")
    return out


def families_table(fams: list[Family], *, title: str) -> Table:
    table = Table(title=title)
    for col in (
        "family",
        "size",
        "origin",
        "basis",
        "first",
        "last",
        "credited",
        "stripped",
        "absent",
    ):
        table.add_column(col)
    for f in fams:
        first, last = f.dates()
        counts = f.credit_counts()
        origin = (
            f"{f.origin.article} ({f.origin.outlet})"
            if f.origin.article
            else (f"{f.origin.outlet} — outside")
        )
        table.add_row(
            f.id,
            str(f.size),
            origin,
            ", ".join(f.origin.basis),
            (iso(first) or "—")[:10],
            (iso(last) or "—")[:10],
            str(counts["credited"]),
            str(counts["stripped"]),
            str(counts["absent"]),
        )
    return table


CSV_FIELDS = [
    "family",
    "size",
    "origin_article",
    "origin_outlet",
    "origin_basis",
    "first_published",
    "last_published",
    "article",
    "outlet",
    "published",
    "took_from",
    "basis",
    "origin_credit",
]


def write_families_csv(fams: list[Family], fh: IO[str]) -> None:
    """One row per version, family fields repeated."""
    writer = csv.writer(fh)
    writer.writerow(CSV_FIELDS)
    for f in fams:
        first, last = f.dates()
        for n in f.ordered():
            writer.writerow(
                [
                    f.id,
                    f.size,
                    f.origin.article or "",
                    f.origin.outlet or "",
                    ";".join(f.origin.basis),
                    iso(first) or "",
                    iso(last) or "",
                    n.id,
                    n.outlet or "",
                    iso(n.published) or "",
                    n.took_from or "",
                    n.basis or "",
                    n.origin_credit or "",
                ]
            )
