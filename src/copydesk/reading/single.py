"""One article for ``copydesk trace``: a JSON record, an HTML page or plain text."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from ..model import Article
from .dates import page_date
from .errors import RecordError
from .html_extract import extract_html
from .outlets import outlet_from_url
from .records import (
    DEFAULT_MAX_TEXT_BYTES,
    HTML_LIMIT_FACTOR,
    article_from_mapping,
    check_html,
    clean_text,
    format_size,
)
from .sniff import HEAD_BYTES, binary_signature, utf8_error_position, utf8_error_reason

TRACE_ID = "trace"
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_HTML_TAG = re.compile(
    r"<(?:!doctype\s+html|html|head|body|p|div|article|main|section|h[1-6]|meta|title)[\s>/]",
    re.IGNORECASE,
)


def read_single(
    path_or_dash: str | Path,
    *,
    text: str | None = None,
    max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES,
) -> Article:
    """Read the one article that ``trace`` looks at.

    ``path_or_dash`` is a file or "-" for stdin; when ``text`` is given it is the
    content and the path only hints at its type. A ``.json`` file, or content that
    parses as a JSON object, is a record (id defaults to the url, else "trace");
    ``.html``/``.htm`` or content that looks like HTML is extracted with trafilatura;
    anything else is the article's plain text, id "trace". Raises RecordError.
    """
    is_stdin = str(path_or_dash) == "-"
    label = "<stdin>" if is_stdin else str(path_or_dash)
    suffix = "" if is_stdin else Path(path_or_dash).suffix.lower()
    if text is None:
        content = _decode(_read_bytes(path_or_dash, is_stdin, label, max_text_bytes), label)
    else:
        label = "the text given"
        content = text
    if not content or content.isspace():
        raise RecordError(f"{label} is empty: there is no article text")
    start = content.lstrip()[:1]
    if suffix == ".json" or (start == "{" and suffix not in HTML_SUFFIXES):
        record = _json_object(content, strict=suffix == ".json")
        if record is not None:
            return _from_record(record, max_text_bytes)
    if suffix in HTML_SUFFIXES or (start == "<" and _HTML_TAG.search(content)):
        return _from_html(content, max_text_bytes)
    return Article(id=TRACE_ID, text=clean_text(content, "text", max_text_bytes))


def _read_bytes(path: str | Path, is_stdin: bool, label: str, max_text_bytes: int) -> bytes:
    # Read at most what could still be accepted: a huge input is refused, not loaded.
    cap = HTML_LIMIT_FACTOR * max_text_bytes
    if is_stdin:
        data = sys.stdin.buffer.read(cap + 1)
    else:
        try:
            with open(path, "rb") as handle:
                data = handle.read(cap + 1)
        except IsADirectoryError:
            raise RecordError(f"{label}: is a directory, not a file") from None
        except FileNotFoundError:
            raise RecordError(f"{label}: file not found") from None
        except OSError as exc:
            raise RecordError(f"{label}: cannot open the file ({exc.strerror or exc})") from None
    if len(data) > cap:
        raise RecordError(
            f"{label} is over {format_size(cap)}, too large for one article"
            " (raise the limit with --max-text-mb)"
        )
    return data


def _decode(data: bytes, label: str) -> str:
    kind = binary_signature(data[:HEAD_BYTES])
    if kind:
        raise RecordError(f"{label}: binary data, not an article ({kind})")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = utf8_error_position(data, exc, lines=True)
        raise RecordError(f"{label}: {utf8_error_reason(where)}") from None


def _json_object(content: str, *, strict: bool) -> dict[str, Any] | None:
    """The JSON object in ``content``; None if it is none and ``strict`` is off."""
    try:
        value = json.loads(content)
    except (ValueError, RecursionError) as exc:
        if not strict:
            return None
        if isinstance(exc, json.JSONDecodeError):
            detail = f"{exc.msg} (line {exc.lineno} column {exc.colno})"
        else:
            detail = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise RecordError(f"invalid JSON: {detail}") from None
    if isinstance(value, dict):
        return value
    if strict:
        raise RecordError("a .json input to trace must hold one JSON object: one article")
    return None


def _from_record(record: dict[str, Any], max_text_bytes: int) -> Article:
    if not record.get("id") and not record.get("url"):
        record = {**record, "id": TRACE_ID}
    article, _unknown = article_from_mapping(record, max_text_bytes=max_text_bytes)
    return article


def _from_html(content: str, max_text_bytes: int) -> Article:
    page = extract_html(check_html(content, max_text_bytes))
    if page.text is None:
        raise RecordError("no article text found in the HTML")
    return Article(
        id=TRACE_ID,
        text=clean_text(page.text, "text extracted from html", max_text_bytes),
        url=page.url,
        outlet=outlet_from_url(page.url) if page.url else None,
        published=page_date(page.date),
        title=page.title,
        author=page.author,
        outlet_name=page.sitename,
        extra={k: v for k, v in (("links", page.links), ("captions", page.captions)) if v},
    )
