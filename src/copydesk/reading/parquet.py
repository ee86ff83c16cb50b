"""Parquet in and out (pyarrow, imported on first use).

Reading: one article per row, with the same fields as a JSON record (see ``records``);
row numbers stand in for line numbers. An ``extra`` column holding a JSON object (as
``copydesk export`` writes it) is merged back into the article's ``extra``.

Writing: ``write_articles`` writes the stored articles with the columns of
``EXPORT_COLUMNS``; ``published`` is ISO 8601 text, ``extra`` JSON text.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from ..model import Article, Rejection, iso
from .errors import RecordError
from .records import DEFAULT_MAX_TEXT_BYTES, FIELDS, article_from_mapping, record_id

EXPORT_COLUMNS = (
    "id", "url", "outlet", "outlet_name", "published", "title", "author", "text", "extra",
)  # fmt: skip
PARQUET_BATCH = 1024


def read_parquet(
    path: str | Path, *, max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES
) -> Iterator[Article | Rejection]:
    """Articles from a Parquet file; a bad row is a Rejection, a bad file one Rejection."""
    source = str(path)
    try:
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(path)
        names = set(parquet.schema_arrow.names)
    except FileNotFoundError:
        yield Rejection(source, None, "file not found")
        return
    except Exception as exc:  # pyarrow raises its own error types for damaged files
        yield Rejection(source, None, f"not a readable Parquet file ({_short(exc)})")
        return
    if not names.intersection({"text", "html", "body", "content"}):
        yield Rejection(
            source, None, f"no 'text' or 'html' column (columns: {', '.join(sorted(names))})"
        )
        return
    row = 0
    warned: set[frozenset[str]] = set()
    try:
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH):
            for obj in batch.to_pylist():
                row += 1
                yield from _row(obj, source, row, max_text_bytes, warned)
    except Exception as exc:  # a damaged row group part-way through
        yield Rejection(
            source, row + 1 or None, f"read error, the rest of the file is skipped ({_short(exc)})"
        )


def _row(
    obj: dict[str, Any], source: str, row: int, max_text_bytes: int, warned: set[frozenset[str]]
) -> Iterator[Article | Rejection]:
    obj = {k: v for k, v in obj.items() if v is not None}
    if "published" in obj and not isinstance(obj["published"], str | int | float):
        obj["published"] = (
            iso(obj["published"]) if hasattr(obj["published"], "tzinfo") else str(obj["published"])
        )
    notes: list[str] = []
    try:
        article, unknown = article_from_mapping(obj, max_text_bytes=max_text_bytes, warnings=notes)
    except RecordError as exc:
        yield Rejection(source, row, exc.reason, record_id=record_id(obj))
        return
    yield article
    for note in notes:
        yield Rejection(source, row, note, record_id=article.id, severity="warning")
    names = frozenset(unknown)
    if unknown and names not in warned:
        warned.add(names)
        yield Rejection(
            source,
            row,
            f"unknown column{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(n) for n in unknown)} kept in extra (known: {', '.join(FIELDS)})",
            record_id=article.id,
            severity="warning",
        )


def _short(exc: BaseException) -> str:
    text = str(exc).replace("\n", " ")
    return text[:160] + "…" if len(text) > 160 else text


def _export_row(article: Article) -> dict[str, Any]:
    row = article.to_json()
    extra = row["extra"]
    row["extra"] = json.dumps(extra, ensure_ascii=False, default=str) if extra else None
    return row


def write_parquet(articles: Iterable[Article], path: str | Path) -> int:
    """Write articles to a Parquet file (zstd); returns how many."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(name, pa.string()) for name in EXPORT_COLUMNS])
    n = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        rows: list[dict[str, Any]] = []
        for article in articles:
            rows.append(_export_row(article))
            n += 1
            if len(rows) >= PARQUET_BATCH:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                rows = []
        if rows or n == 0:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
    return n


def write_csv(articles: Iterable[Article], handle: TextIO) -> int:
    """Write articles as CSV with a header row (the export columns); returns how many."""
    writer = csv.DictWriter(handle, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    n = 0
    for article in articles:
        writer.writerow(_export_row(article))
        n += 1
    return n
