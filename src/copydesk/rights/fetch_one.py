"""One article page fetched politely for a trace, with the fetcher ``watch`` uses
(robots.txt, its User-Agent, timeouts, retries) and the same extraction."""

from __future__ import annotations

from copydesk.errors import CopydeskError
from copydesk.model import Article, Rejection
from copydesk.reading.errors import RecordError
from copydesk.reading.fetch import Fetcher
from copydesk.reading.html_pages import articles_from_pages, page_from_bytes
from copydesk.reading.records import DEFAULT_MAX_TEXT_BYTES
from copydesk.reading.warc import HTML_TYPES


class FetchError(CopydeskError, ValueError):
    """The page could not be fetched or read; the message says why."""


def fetch_article(
    url: str,
    *,
    timeout: float = 20.0,
    retries: int = 1,
    max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES,
    trust_env: bool = True,
) -> Article:
    """The article at ``url`` (its id is the URL; the raw HTML is kept in ``extra``
    as ingest of web pages keeps it, so storing it allows re-extraction)."""
    with Fetcher(
        timeout=timeout, retries=retries, max_bytes=5 * max_text_bytes, trust_env=trust_env
    ) as fetcher:
        response = fetcher.get(url)
    if response.error is not None or response.content is None:
        raise FetchError(f"{url}: {response.error or 'no content'}")
    if response.content_type not in (*HTML_TYPES, None):
        raise FetchError(f"{url}: not an HTML page ({response.content_type})")
    try:
        page = page_from_bytes(
            response.content, source=url, url=response.final_url or url,
            declared_charset=response.charset, max_text_bytes=max_text_bytes,
        )  # fmt: skip
    except RecordError as exc:
        raise FetchError(f"{url}: {exc.reason}") from None
    page.id = url
    for item in articles_from_pages([page], max_text_bytes=max_text_bytes, workers=1):
        if isinstance(item, Article):
            return item
        if isinstance(item, Rejection) and item.severity == "error":
            raise FetchError(f"{url}: {item.reason}")
    raise FetchError(f"{url}: no article text found on the page")
