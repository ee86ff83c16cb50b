"""One set of verdict filters for the command line, the HTTP API and the web search page.

Conditions on a match (``source_outlet``, ``relation``, ``credit``, ``min_coverage``) must
all hold for the same cross-outlet match; ``outlet`` and the dates are the copy's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from copydesk.errors import CopydeskError
from copydesk.model import SEMANTIC_RELATIONS, SourceMatch, Verdict

RELATIONS = ("duplicate", "partial", "syndicated", *SEMANTIC_RELATIONS)
CREDITS = ("credited", "stripped", "absent")


class FilterError(CopydeskError, ValueError):
    """A filter value that cannot be used; the message names the field."""


@dataclass(slots=True)
class VerdictFilter:
    outlet: str | None = None  # the copy's outlet
    source_outlet: str | None = None
    relation: str | None = None  # a relation; on the search page also "any" or "none"
    credit: str | None = None
    min_coverage: float | None = None  # share of the copy's text, 0..1
    date_from: datetime | None = None  # published on or after
    date_to: datetime | None = None  # published before

    def check(self) -> VerdictFilter:
        """Raise FilterError naming the first bad field; returns self."""
        if self.relation and self.relation not in (*RELATIONS, "any", "none"):
            raise FilterError(f"relation: {self.relation!r} is not one of {', '.join(RELATIONS)}")
        if self.credit and self.credit not in CREDITS:
            raise FilterError(f"credit: {self.credit!r} is not one of {', '.join(CREDITS)}")
        if self.min_coverage is not None and not 0.0 <= self.min_coverage <= 1.0:
            raise FilterError(f"min_coverage: {self.min_coverage} is not between 0 and 1")
        if self.date_from and self.date_to and self.date_from >= self.date_to:
            raise FilterError("since/until: the start is not before the end")
        return self

    @property
    def on_match(self) -> bool:
        """Whether any condition is about a match (then a verdict needs one that passes)."""
        return bool(
            self.source_outlet
            or (self.relation and self.relation not in ("any", "none"))
            or self.credit
            or self.min_coverage is not None
        )

    def match_ok(self, m: SourceMatch) -> bool:
        if m.same_outlet:
            return False
        if self.source_outlet and m.outlet != self.source_outlet:
            return False
        if self.relation and self.relation not in ("any", "none") and m.relation != self.relation:
            return False
        if self.credit and m.credit != self.credit:
            return False
        return self.min_coverage is None or m.coverage >= self.min_coverage

    def apply(self, verdict: Verdict) -> Verdict | None:
        """The verdict with only the sources that pass, or None if it is filtered out."""
        if self.outlet and verdict.outlet != self.outlet:
            return None
        ts = verdict.published
        if self.date_from and (ts is None or ts < self.date_from):
            return None
        if self.date_to and (ts is None or ts >= self.date_to):
            return None
        cross = [m for m in verdict.sources if not m.same_outlet]
        if self.relation == "none":
            return verdict if not cross else None
        if self.relation == "any" and not cross:
            return None
        if not self.on_match:
            return verdict
        kept = [m for m in verdict.sources if self.match_ok(m)]
        return replace(verdict, sources=kept) if kept else None

    def sql(self, alias: str = "a") -> tuple[list[str], list[Any]]:
        """WHERE conditions (joined by AND) and their arguments on ``articles AS alias``;
        the same selection as ``apply``."""
        where: list[str] = []
        args: list[Any] = []
        if self.outlet:
            where.append(f"{alias}.outlet = ?")
            args.append(self.outlet)
        if self.date_from:
            where.append(f"{alias}.published_ts >= ?")
            args.append(self.date_from.timestamp())
        if self.date_to:
            where.append(f"{alias}.published_ts < ?")
            args.append(self.date_to.timestamp())
        copy_of = f"SELECT 1 FROM matches m WHERE m.copy = {alias}.key AND m.same_outlet = 0"
        if self.relation == "none":
            where.append(f"NOT EXISTS ({copy_of})")
        elif self.relation == "any":
            where.append(f"EXISTS ({copy_of})")
        if self.on_match:
            cond: list[str] = []
            if self.source_outlet:
                cond.append("(SELECT s.outlet FROM articles s WHERE s.key = m.source) = ?")
                args.append(self.source_outlet)
            if self.relation and self.relation not in ("any", "none"):
                cond.append("m.relation = ?")
                args.append(self.relation)
            if self.credit:
                cond.append("m.credit = ?")
                args.append(self.credit)
            if self.min_coverage is not None:
                cond.append("m.coverage >= ?")
                args.append(self.min_coverage)
            where.append(f"EXISTS ({copy_of} AND {' AND '.join(cond)})")
        return where, args
