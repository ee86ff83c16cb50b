"""Article text and metadata from an HTML page, via trafilatura (imported on first use).

Besides the text and metadata, the links in the article body (a link to the source is
credit evidence) and the page's image captions are kept; see ``Extracted``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from .errors import RecordError

MAX_LINKS = 200
MAX_CAPTIONS = 50


@dataclass(slots=True)
class Extracted:
    """What trafilatura found in a page; any field may be missing."""

    text: str | None
    title: str | None = None
    author: str | None = None
    date: str | None = None
    sitename: str | None = None
    url: str | None = None  # the page's own (canonical) address, when it names one
    links: list[str] = field(default_factory=list)  # hrefs in the article body, in order
    captions: list[str] = field(default_factory=list)  # <figcaption> texts of the page


def extractor_name() -> str:
    """The extractor and its version, stored beside raw HTML so a re-run can be judged."""
    import trafilatura

    return f"trafilatura {getattr(trafilatura, '__version__', '?')}"


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Extract the main text and metadata of ``html``; raises RecordError if that fails.

    ``url`` is where the page was found: relative links are resolved against it (else
    against the page's canonical address). ``Extracted.url`` is the page's own address.
    """
    # trafilatura (lxml, htmldate, ...) takes a noticeable time to import: JSON Lines
    # with plain text must not pay for it.
    import trafilatura
    from lxml import etree
    from trafilatura.utils import load_html
    from trafilatura.xml import xmltotxt

    date_params = {
        "original_date": True,
        "extensive_search": True,
        "max_date": datetime.now().astimezone().strftime("%Y-%m-%d"),
        # Keep the time of day when the page has one; htmldate defaults to a date only.
        "outputformat": "%Y-%m-%dT%H:%M:%S%z",
    }
    try:
        tree = load_html(html)
        if tree is None:
            return Extracted(text=None)
        captions = _captions(tree)
        canonical = _canonical(tree, url)
        doc = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_links=True,
            date_extraction_params=date_params,
        )
        if doc is None:
            return Extracted(text=None, captions=captions)
        links: list[str] = []
        text = _field(doc, "text")
        body = doc.get("body") if isinstance(doc, dict) else getattr(doc, "body", None)
        if body is not None:
            # Links are asked for so that their targets can be kept; the text is the
            # body without them, exactly as an extraction without links gives it.
            base = url or _field(doc, "url")
            for ref in body.iter("ref"):
                target = _absolute((ref.get("target") or "").strip(), base)
                if target and target not in links and len(links) < MAX_LINKS:
                    links.append(target)
            etree.strip_tags(body, "ref")
            text = xmltotxt(body, False) or None
    except Exception as exc:  # a third-party parser on untrusted input: any failure is the record's
        # (RecursionError included: deeply nested markup overflows lxml's tree walkers)
        raise RecordError(f"html: extraction failed ({type(exc).__name__}: {exc})") from exc
    return Extracted(
        text=text if text and text.strip() else None,
        title=_field(doc, "title"),
        author=_field(doc, "author"),
        date=_field(doc, "date"),
        sitename=_field(doc, "sitename"),
        url=canonical or _field(doc, "url"),
        links=links,
        captions=captions,
    )


def _canonical(tree: Any, base: str | None) -> str | None:
    """The page's ``<link rel="canonical">``, absolute."""
    for link in tree.iterfind(".//link[@rel]"):
        if (link.get("rel") or "").strip().lower() == "canonical":
            return _absolute((link.get("href") or "").strip(), base)
    return None


def _absolute(href: str, base: str | None) -> str | None:
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    if base and "://" not in href:
        try:
            return urljoin(base, href)
        except ValueError:
            return None
    return href


def _captions(tree: Any) -> list[str]:
    out: list[str] = []
    for node in tree.iter("figcaption"):
        text = " ".join(" ".join(node.itertext()).split())
        if text and text not in out:
            out.append(text)
            if len(out) >= MAX_CAPTIONS:
                break
    return out


def _field(doc: Any, name: str) -> str | None:
    # trafilatura 2 returns a Document object, 1.x a dict.
    value = doc.get(name) if isinstance(doc, dict) else getattr(doc, name, None)
    if isinstance(value, str) and value.strip():
        return value
    return None
