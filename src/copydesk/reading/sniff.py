"""Looking at an input's first bytes: binary data, encodings, formats."""

from __future__ import annotations

HEAD_BYTES = 8192
BOM = b"\xef\xbb\xbf"
GZIP_MAGIC = b"\x1f\x8b"

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (GZIP_MAGIC, "gzip data"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "zip archive"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"\x28\xb5\x2f\xfd", "zstd data"),
    (b"7z\xbc\xaf\x27\x1c", "7-zip archive"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\xff\xfe", "UTF-16 text: re-encode it as UTF-8"),
    (b"\xfe\xff", "UTF-16 text: re-encode it as UTF-8"),
)


def binary_signature(head: bytes) -> str | None:
    """What kind of binary data ``head`` (an input's first bytes) is, or None for text."""
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            if magic == b"BZh" and not head[3:4].isdigit():
                continue  # "BZh" alone could begin a line of text
            return kind
    # A stray NUL byte or a few are damage to a record (that record is rejected); text
    # has none at all, so more than a few in the first 8 KB mean binary data.
    if head.count(b"\x00") > 8:
        return "it contains NUL bytes"
    return None


def holds_json_lines(head: bytes) -> bool:
    """Whether a line of ``head`` after the first (and before a line the head may cut) is
    the text of a JSON object: a file named as JSON Lines whose first bytes only look like
    a signature ("GIF87a{...") is damaged text, and binary data has no such lines."""
    for line in head.split(b"\n")[1:-1]:
        line = line.strip()
        if line.startswith(b"{") and line.endswith(b"}"):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                continue
            return True
    return False


def utf8_error_position(data: bytes, exc: UnicodeDecodeError, *, lines: bool = False) -> str:
    """Where decoding failed, as 'byte 0xE9 at column 17' (or 'at line 3 column 17').

    Columns count characters, as editors do. ``data`` is what was decoded.
    """
    start = exc.start
    byte = f"0x{data[start]:02X}"
    line_start = data.rfind(b"\n", 0, start) + 1 if lines else 0
    column = len(data[line_start:start].decode("utf-8", "replace")) + 1
    if lines:
        line = data.count(b"\n", 0, start) + 1
        return f"byte {byte} at line {line} column {column}"
    return f"byte {byte} at column {column}"


def utf8_error_reason(where: str) -> str:
    return f"not valid UTF-8 ({where}); re-encode the file as UTF-8"
