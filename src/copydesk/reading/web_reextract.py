"""Articles rebuilt from the raw HTML the store keeps (``copydesk reextract``)."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Article, Rejection
from ..store import Store
from ..store.pages import raw_pages
from .errors import RecordError
from .html_pages import Extractor, Page, article_from_page

_PAGE_KEYS = ("links", "captions", "canonical")


def reextracted(store: Store, *, workers: int | None = 1) -> Iterator[Article | Rejection]:
    """Each stored page extracted again, as an Article to ingest (unchanged ones are no-ops).

    Fields the page does not give (an outlet, a date or title from a feed or the input
    record) keep their stored values.
    """
    with Extractor(workers) as extractor:
        for rows in raw_pages(store):
            stored = store.articles(key for key, _, _ in rows)
            results = extractor.run(
                [
                    (html, stored[key].article.url if key in stored else None)
                    for key, html, _ in rows
                ]
            )
            for (key, html, _), result in zip(rows, results, strict=True):
                if key not in stored:
                    continue  # the article is gone; its page is left behind
                old = stored[key].article
                try:
                    if isinstance(result, RecordError):
                        raise result
                    new = article_from_page(Page(html=html, url=old.url, id=old.id), result)
                except RecordError as exc:
                    yield Rejection("reextract", None, exc.reason, record_id=old.id)
                    continue
                extra = {k: v for k, v in old.extra.items() if k not in _PAGE_KEYS}
                extra.update(new.extra)
                yield Article(
                    id=old.id,
                    text=new.text,
                    url=old.url or new.url,
                    outlet=old.outlet or new.outlet,
                    published=new.published or old.published,
                    title=new.title or old.title,
                    author=new.author or old.author,
                    outlet_name=new.outlet_name or old.outlet_name,
                    extra=extra,
                )
