"""JSON input: JSON Lines (one article object a line), or one JSON array or object.

JSON Lines is the ingest hot path: each line is decoded from bytes on its own (so one
bad line costs only that line) and parsed with one ``json`` call; nothing else heavy
happens per line before the record check.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import BinaryIO

from ..model import Article, Rejection
from .records import Record, articles_from_records, format_size, line_limit
from .sniff import BOM, utf8_error_position, utf8_error_reason

# strict=False lets raw tabs and newlines inside strings through, as sloppy writers emit.
_DECODER = json.JSONDecoder(strict=False)
_WS = re.compile(r"[ \t\n\r]*")


def read_json(
    stream: BinaryIO,
    head: bytes,
    source: str,
    max_text_bytes: int,
    *,
    documents: bool = True,
) -> Iterator[Article | Rejection]:
    """Articles from JSON input; ``head`` is the stream's first bytes (still to be read).

    With ``documents`` (for .json and stdin), input that is one JSON array or one
    pretty-printed object is read as such; otherwise every line is a record.
    """
    if documents and _is_document(head):
        records = _document_records(stream.read(), source, max_text_bytes)
    else:
        # A file with CR-only line endings (old Mac) would read as one huge line.
        newline = b"\r" if b"\r" in head and b"\n" not in head else b"\n"
        records = json_lines(stream, source, max_text_bytes, newline=newline)
    return articles_from_records(source, records, max_text_bytes=max_text_bytes)


def json_lines(
    stream: BinaryIO, source: str, max_text_bytes: int, *, newline: bytes = b"\n"
) -> Iterator[Record]:
    """``(line, value)`` for each non-blank line; Rejections for unreadable lines.

    ``newline`` is b"\r" for a file with old Mac (CR-only) line endings.
    """
    limit = line_limit(max_text_bytes)
    decode = _DECODER.decode
    for lineno, raw in raw_lines(stream, limit, newline):
        if isinstance(raw, int):
            yield Rejection(
                source,
                lineno,
                f"line is {format_size(raw)}, over the {format_size(limit)} line limit"
                " (raise it with --max-text-mb)",
            )
            continue
        if lineno == 1 and raw.startswith(BOM):
            raw = raw[len(BOM) :]
            if not raw.strip():
                continue
        if b"\x00" in raw:
            # NUL padding around a record (a preallocated or zero-filled block) is not
            # part of it; NUL bytes inside one are damage, and the record is rejected.
            trimmed = raw.strip(b"\x00" + _BLANK_BYTES)
            if b"\x00" not in trimmed:
                raw = trimmed
                if not raw:
                    continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Rejection(source, lineno, utf8_error_reason(utf8_error_position(raw, exc)))
            continue
        try:
            value = decode(text)
        except (ValueError, RecursionError) as exc:
            yield Rejection(source, lineno, _json_error(exc))
            continue
        yield lineno, value


_BLANK_BYTES = b" \t\r\n\x0b\x0c"
_BLANK = re.compile(rb"[ \t\r\n\x0b\x0c]*")
_CHUNK = 1 << 20


def raw_lines(
    stream: BinaryIO, limit: int, newline: bytes = b"\n"
) -> Iterator[tuple[int, bytes | int]]:
    """(line number, bytes) for each non-blank line, read in 1 MB chunks.

    Runs of blank lines are skipped a chunk at a time (a gigabyte of newlines takes
    seconds, not a million loop turns per megabyte). A line longer than ``limit`` comes
    out as its size (an int), its bytes skipped unread.
    """
    lineno = 1  # the number of the line that starts at ``pos``
    carry: list[bytes] = []  # the start of a line that runs on into the next chunk
    carried = -1  # its size so far; -1: no line is being carried
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            if carried > limit:
                yield lineno, carried
            elif carried >= 0:
                yield lineno, b"".join(carry)
            return
        pos, n = 0, len(chunk)
        if carried >= 0:
            end = chunk.find(newline)
            if end < 0:
                carried += n
                if carried <= limit:
                    carry.append(chunk)
                else:
                    carry = []
                continue
            carried += end
            yield lineno, (carried if carried > limit else b"".join([*carry, chunk[:end]]))
            carry, carried = [], -1
            lineno += 1
            pos = end + 1
        while pos < n:
            blank_end = _BLANK.match(chunk, pos, pos + 64).end()
            if blank_end == pos + 64:  # a long blank run: maybe the whole rest of the chunk
                rest_blank = not chunk[blank_end:].translate(None, _BLANK_BYTES)
                blank_end = n if rest_blank else _BLANK.match(chunk, blank_end).end()
            lineno += chunk.count(newline, pos, blank_end)
            pos = blank_end
            if pos >= n:
                break
            end = chunk.find(newline, pos)
            if end < 0:
                carry, carried = [chunk[pos:]], n - pos
                if carried > limit:
                    carry = []
                break
            if end - pos > limit:
                yield lineno, end - pos
            else:
                yield lineno, chunk[pos:end]
            lineno += 1
            pos = end + 1


def _is_document(head: bytes) -> bool:
    """Whether input starting with ``head`` is one JSON document rather than JSON Lines."""
    body = head.removeprefix(BOM).lstrip()
    first = body[:1]
    if first not in (b"[", b"{"):
        return False
    end = body.find(b"\n")
    if end < 0:
        # One line, or a first line longer than the head: an array is a document
        # (a JSON Lines file of arrays holds no articles anyway), an object a record.
        return first == b"["
    try:
        _DECODER.decode(body[:end].decode("utf-8"))
    except (ValueError, RecursionError):
        return True  # a first line that is no JSON value alone: a pretty-printed document
    # The first line is complete: JSON Lines, unless it is an array with nothing after it.
    return first == b"[" and body[end:].isspace()


def _document_records(data: bytes, source: str, max_text_bytes: int) -> Iterator[Record]:
    is_array = data.removeprefix(BOM).lstrip()[:1] == b"["
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        if not is_array:
            yield from json_lines(io.BytesIO(data), source, max_text_bytes)
            return
        yield Rejection(source, None, utf8_error_reason(utf8_error_position(data, exc, lines=True)))
        return
    if is_array:
        yield from _array_records(text, source)
        return
    try:
        value = _DECODER.decode(text)
    except (ValueError, RecursionError):
        # Not one object after all: JSON Lines whose first line is broken. Read it as
        # such, so that only the broken lines are lost.
        yield from json_lines(io.BytesIO(data), source, max_text_bytes)
        return
    yield _WS.match(text).group().count("\n") + 1, value


def _array_records(text: str, source: str) -> Iterator[Record]:
    """Items of a JSON array with the line each starts on, parsed one by one.

    Items before a syntax error are kept; the error ends the file, since nothing after
    it can be told apart reliably.
    """
    pos = _WS.match(text).end() + 1  # past "["
    line, counted = 1, 0
    rest = "; the rest of the file is skipped"
    pos = _WS.match(text, pos).end()
    if text.startswith("]", pos):
        pos += 1
    else:
        while True:
            line += text.count("\n", counted, pos)
            counted = pos
            try:
                value, pos = _DECODER.raw_decode(text, pos)
            except (ValueError, RecursionError) as exc:
                where = exc.lineno if isinstance(exc, json.JSONDecodeError) else line
                yield Rejection(source, where, _json_error(exc) + rest)
                return
            yield line, value
            pos = _WS.match(text, pos).end()
            if text.startswith(",", pos):
                pos = _WS.match(text, pos + 1).end()
                continue
            if text.startswith("]", pos):
                pos += 1
                break
            where = line + text.count("\n", counted, pos)
            yield Rejection(source, where, "invalid JSON: expected ',' or ']' after an item" + rest)
            return
    pos = _WS.match(text, pos).end()
    if pos < len(text):
        where = text.count("\n", 0, pos) + 1
        yield Rejection(source, where, "invalid JSON: extra data after the array; it is skipped")


def _json_error(exc: ValueError | RecursionError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON: {exc.msg} (column {exc.colno})"
    if isinstance(exc, RecursionError):
        return "invalid JSON: nested too deeply"
    return f"invalid JSON: {exc}"
