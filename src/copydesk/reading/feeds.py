"""RSS/Atom feeds (feedparser) and sitemaps, news sitemaps included → the pages they list.

``parse_feed`` tells the kind from the document: a ``<urlset>`` is a sitemap (its
``<news:news>`` title and publication date are kept as hints), a ``<sitemapindex>``
lists more sitemaps, anything else is handed to feedparser, which also reads slightly
malformed RSS. A document that is none of these (an HTML page, JSON, random bytes) is a
FeedError naming what it looks like.
"""

from __future__ import annotations

import calendar
import gzip
import io
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

from .dates import page_date

MAX_ENTRIES = 10_000
MAX_XML_BYTES = 50_000_000


class FeedError(ValueError):
    """A document that is not a feed or sitemap."""


@dataclass(slots=True)
class FeedEntry:
    url: str
    title: str | None = None
    published: datetime | None = None


@dataclass(slots=True)
class Feed:
    kind: str  # rss | atom | sitemap | sitemapindex
    entries: list[FeedEntry] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)  # a sitemap index's sitemaps


def parse_feed(data: bytes, base_url: str | None = None) -> Feed:
    """The pages (or sitemaps) a feed or sitemap lists; FeedError if it is neither."""
    if data[:2] == b"\x1f\x8b":  # sitemap.xml.gz served as a file
        try:
            data = gzip.GzipFile(fileobj=io.BytesIO(data)).read(MAX_XML_BYTES + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise FeedError(f"not a readable gzip file ({exc})") from None
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head.startswith(b"<"):
        shown = data[:40].decode("utf-8", "replace").strip() or "(empty)"
        raise FeedError(f"not XML: a feed or sitemap starts with '<', this with {shown!r}")
    if head.startswith((b"<!doctype html", b"<html")):
        raise FeedError("an HTML page, not a feed or sitemap")
    root = _xml_root(data)
    if root is not None:
        name = _local(root.tag)
        if name == "urlset":
            return _sitemap(root, base_url)
        if name == "sitemapindex":
            urls = [_text(loc) for loc in root.iter() if _local(loc.tag) == "loc"]
            return Feed("sitemapindex", sitemaps=[_abs(u, base_url) for u in urls if u])
    return _feedparser(data, base_url)


def _xml_root(data: bytes):  # type: ignore[no-untyped-def]
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, recover=False, load_dtd=False
    )
    try:
        return etree.fromstring(data, parser=parser)
    except (etree.XMLSyntaxError, ValueError, RecursionError):
        return None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _text(node) -> str | None:  # type: ignore[no-untyped-def]
    text = (node.text or "").strip()
    return text or None


def _abs(url: str, base: str | None) -> str:
    return urljoin(base, url) if base else url


def _sitemap(root, base_url: str | None) -> Feed:  # type: ignore[no-untyped-def]
    feed = Feed("sitemap")
    for node in root:
        if _local(node.tag) != "url":
            continue
        loc = lastmod = title = published = None
        for child in node.iter():
            name = _local(child.tag)
            if name == "loc" and loc is None:
                loc = _text(child)
            elif name == "lastmod":
                lastmod = _text(child)
            elif name == "title":
                title = _text(child)
            elif name == "publication_date":
                published = _text(child)
        if loc:
            feed.entries.append(
                FeedEntry(_abs(loc, base_url), title, page_date(published or lastmod))
            )
            if len(feed.entries) >= MAX_ENTRIES:
                break
    return feed


def _feedparser(data: bytes, base_url: str | None) -> Feed:
    import feedparser

    try:
        parsed = feedparser.parse(data, response_headers={"content-location": base_url or ""})
    except Exception as exc:  # feedparser on hostile input: any failure means "not a feed"
        raise FeedError(f"not a readable feed ({type(exc).__name__})") from None
    version = parsed.get("version") or ""
    entries = parsed.get("entries") or []
    if not version and not entries:
        problem = parsed.get("bozo_exception")
        detail = f": {str(problem)[:120]}" if problem else ""
        raise FeedError(f"not an RSS or Atom feed, nor a sitemap{detail}")
    feed = Feed("atom" if version.startswith("atom") else "rss")
    for entry in entries[:MAX_ENTRIES]:
        link = entry.get("link")
        if not link:
            continue
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else None
        feed.entries.append(FeedEntry(_abs(link, base_url), entry.get("title") or None, published))
    return feed
