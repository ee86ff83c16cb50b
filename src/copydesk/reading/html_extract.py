"""Article text and metadata from an HTML page, via trafilatura (imported on first use)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .errors import RecordError


@dataclass(slots=True)
class Extracted:
    """What trafilatura found in a page; any field may be missing."""

    text: str | None
    title: str | None = None
    author: str | None = None
    date: str | None = None
    sitename: str | None = None
    url: str | None = None  # the page's own (canonical) address, when it names one


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Extract the main text and metadata of ``html``; raises RecordError if that fails."""
    # trafilatura (lxml, htmldate, ...) takes a noticeable time to import: JSON Lines
    # with plain text must not pay for it.
    import trafilatura

    date_params = {
        "original_date": True,
        "extensive_search": True,
        "max_date": datetime.now().astimezone().strftime("%Y-%m-%d"),
        # Keep the time of day when the page has one; htmldate defaults to a date only.
        "outputformat": "%Y-%m-%dT%H:%M:%S%z",
    }
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            date_extraction_params=date_params,
        )
    except Exception as exc:  # a third-party parser on untrusted input: any failure is the record's
        raise RecordError(f"html: extraction failed ({type(exc).__name__}: {exc})") from exc
    if doc is None:
        return Extracted(text=None)
    return Extracted(
        text=_field(doc, "text"),
        title=_field(doc, "title"),
        author=_field(doc, "author"),
        date=_field(doc, "date"),
        sitename=_field(doc, "sitename"),
        url=_field(doc, "url"),
    )


def _field(doc: Any, name: str) -> str | None:
    # trafilatura 2 returns a Document object, 1.x a dict.
    value = doc.get(name) if isinstance(doc, dict) else getattr(doc, name, None)
    if isinstance(value, str) and value.strip():
        return value
    return None
