"""Engines run the same stage functions over a whole collection.

``embedded``: one machine, a process pool and the SQLite store.
"""

from copydesk.engines.embedded import IngestSummary, ScanSummary, ingest, scan, trace

__all__ = ["IngestSummary", "ScanSummary", "ingest", "scan", "trace"]
