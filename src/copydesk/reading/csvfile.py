"""CSV and TSV input: a header row naming the fields, then one article a row."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import BinaryIO

from ..model import Article, Rejection
from .records import ALIASES, Record, articles_from_records, line_limit
from .sniff import utf8_error_reason

TEXT_COLUMNS = ("text", "html", *ALIASES["text"])
# Undecodable bytes arrive as lone surrogates (errors="surrogateescape"), so a bad row is
# rejected alone instead of the decoder stopping the whole file.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def read_csv(
    stream: BinaryIO, source: str, delimiter: str, max_text_bytes: int
) -> Iterator[Article | Rejection]:
    """Articles from a CSV (``delimiter=","``) or TSV (``"\\t"``) stream."""
    records = csv_records(stream, source, delimiter, max_text_bytes)
    return articles_from_records(source, records, max_text_bytes=max_text_bytes)


def csv_records(
    stream: BinaryIO, source: str, delimiter: str, max_text_bytes: int
) -> Iterator[Record]:
    """``(line, row as dict)`` for each data row; line is where the row starts."""
    limit = line_limit(max_text_bytes)
    # The limit is process-wide; only ever raise it, since article text fields are
    # far longer than csv's 128 kB default.
    if csv.field_size_limit() < limit:
        csv.field_size_limit(min(limit, 2**31 - 1))
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    reader = csv.reader(text, delimiter=delimiter)
    done = 0  # reader.line_num after the last row: the next row starts on the line after
    header: list[str] | None = None
    while header is None:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Rejection(source, done + 1, f"CSV error in the header row: {exc}")
            return
        header_line, done = done + 1, reader.line_num
        if row:
            header = [name.strip() for name in row]
    problem = _header_problem(header)
    if problem:
        yield Rejection(source, header_line, problem)
        return
    width = len(header)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Rejection(source, done + 1, f"CSV error: {exc}")
            done = reader.line_num
            continue
        start, done = done + 1, reader.line_num
        if not row:
            continue
        if len(row) != width:
            yield Rejection(source, start, f"row has {len(row)} fields, the header has {width}")
            continue
        bad = _undecodable(row, header)
        if bad:
            yield Rejection(source, start, bad)
            continue
        yield start, {name: value or None for name, value in zip(header, row, strict=True)}


def _header_problem(header: list[str]) -> str | None:
    bad = _undecodable(header, None)
    if bad:
        return f"header row: {bad}"
    if not any(name in TEXT_COLUMNS for name in header):
        found = ", ".join(repr(name) for name in header[:12])
        return (
            f"the header row has no 'text' or 'html' column (found {found}); "
            "the first row must name the columns, e.g. id,url,published,title,text"
        )
    seen: set[str] = set()
    for name in header:
        if name in seen:
            return f"the header row names column {name!r} twice"
        seen.add(name)
    return None


def _undecodable(row: list[str], header: list[str] | None) -> str | None:
    for i, value in enumerate(row):
        if value.isascii():
            continue
        found = _ESCAPED_BYTE.search(value)
        if found:
            byte = ord(found.group()) - 0xDC00
            where = f" in field {header[i]!r}" if header else ""
            return utf8_error_reason(f"byte 0x{byte:02X}{where}")
    return None
