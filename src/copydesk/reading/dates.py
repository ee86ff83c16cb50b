"""Publication dates: ISO 8601, RFC 2822 (RSS/e-mail dates) and epoch seconds, read as UTC."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from .errors import ImpreciseDateError, RecordError

# Epoch numbers this large are milliseconds (JavaScript timestamps): as seconds they
# would fall after the year 5000.
_MILLISECONDS_FROM = 100_000_000_000
# A numeric string is taken as epoch seconds only with 9+ digits (1973 onwards), so that
# a bare year such as "2022" is an error rather than a date in January 1970.
_EPOCH_STRING = re.compile(r"-?\d{9,}(?:\.\d+)?")
_UTC_WORD = re.compile(r"\s*(?:UTC|GMT)$", re.IGNORECASE)
# ISO 8601 of reduced precision: a year, a month or a week ("2022", "2022-04", "2022-W15").
_COARSE = re.compile(r"(\d{4})(?:-(0[1-9]|1[0-2])|-?W(0[1-9]|[1-4]\d|5[0-3]))?")


def parse_published(value: str | int | float | None) -> datetime | None:
    """Read a publication date; returns an aware UTC datetime, or None for no date.

    Accepts ISO 8601 (``Z``, offsets, date only, a space for ``T``), RFC 2822 dates
    as in RSS, and epoch seconds (numbers, or numeric strings of 9+ digits; numbers
    from 10^11 up are read as milliseconds). Naive times are taken as UTC. An empty
    string counts as no date. A year, month or week alone ("2022-04") raises
    ImpreciseDateError (a RecordError); anything else unreadable, RecordError.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise RecordError(f"published: expected a date, got {str(value).lower()}")
    if isinstance(value, int | float):
        return _from_epoch(value, value)
    if not isinstance(value, str):
        raise RecordError(
            f"published: expected a date string or epoch seconds, got {type(value).__name__}"
        )
    text = value.strip()
    if not text:
        return None
    coarse = _COARSE.fullmatch(text)
    if coarse:
        what = "month" if coarse.group(2) else "week" if coarse.group(3) else "year"
        raise ImpreciseDateError(
            f"published: {text!r} gives only the {what}, too coarse to say which article came"
            " first: the date is left out (give the day, e.g. 2022-10-16)"
        )
    parsed = _iso(text)
    if parsed is None and _EPOCH_STRING.fullmatch(text):
        return _from_epoch(float(text) if "." in text else int(text), value)
    if parsed is None:
        parsed = _rfc2822(text)
    if parsed is None:
        raise _unreadable(value)
    return _as_utc(parsed, value)


def _iso(text: str) -> datetime | None:
    candidates = [text]
    if text[-1:] == "z":
        candidates.append(text[:-1] + "Z")
    stripped = _UTC_WORD.sub("", text)
    if stripped != text:
        candidates.append(stripped + "+00:00")
    for candidate in candidates:
        try:
            return datetime.fromisoformat(candidate)
        except ValueError:
            continue
    return None


def _rfc2822(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _from_epoch(number: int | float, original: object) -> datetime:
    if isinstance(number, float) and not math.isfinite(number):
        raise _unreadable(original)
    seconds = number / 1000 if abs(number) >= _MILLISECONDS_FROM else number
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise _unreadable(original) from None


def _as_utc(parsed: datetime, original: object) -> datetime:
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        raise _unreadable(original) from None


def _unreadable(value: object) -> RecordError:
    shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
    return RecordError(
        f"published: cannot read date {shown}; use ISO 8601, e.g. 2022-10-16T09:00:00Z"
    )


def page_date(value: str | None) -> datetime | None:
    """A date found in a page or a feed, or None if it cannot be read. It is a hint, not a
    record's claim: never a reason to reject anything."""
    if not value:
        return None
    try:
        return parse_published(value)
    except RecordError:
        return None
