"""Reports: verdicts for people (terminal tables, side-by-side views) and for programs (JSON)."""

from copydesk.reports.side_by_side import render_side_by_side
from copydesk.reports.tables import ingest_table, verdict_table

__all__ = ["ingest_table", "render_side_by_side", "verdict_table"]
