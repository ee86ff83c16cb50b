"""``copydesk watch``: poll feeds and sitemaps, fetch new pages, ingest and scan them.

One poll reads every feed in the list (conditionally: an unchanged feed costs a 304),
fetches the pages it lists that the store has not seen, in batches, and ingests each
batch as soon as it is fetched: a batch is committed together with the record of its
pages, so stopping (Ctrl-C, SIGTERM) loses nothing fetched. A feed's validators (ETag,
Last-Modified) are saved only once all its new pages are handled, so an interrupted
poll reads the feed again next time. After a poll that stored anything, the new
articles are scanned.

A page that fails for a reason that may pass (timeout, 5xx) is tried again at the next
polls, at most ``MAX_ATTEMPTS`` times; one refused for good (4xx, not HTML, robots.txt,
no article text) is not fetched again. Nothing stops the loop but a signal: a failing
feed or page is logged and the loop goes on.
"""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copydesk.errors import read_user_file

from ..model import Article, Rejection
from ..store.pages import FetchState, fetch_state, pages_done, save_fetch_states
from .errors import RecordError
from .feeds import FeedEntry, FeedError, parse_feed
from .fetch import Fetcher
from .html_pages import Page, articles_from_pages, page_from_bytes
from .records import DEFAULT_MAX_TEXT_BYTES

MAX_ATTEMPTS = 3
PAGE_BATCH = 20
MAX_SITEMAPS = 50
HTML_TYPES = ("text/html", "application/xhtml+xml")
_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600}


class FeedListError(ValueError):
    """The feed list cannot be used; the message says why."""


def load_feed_list(path: str | Path) -> list[str]:
    """Feed and sitemap URLs, one a line; blank lines and lines starting with # skipped."""
    lines = read_user_file(path, "feed list", FeedListError).splitlines()
    urls: list[str] = []
    for number, line in enumerate(lines, 1):
        url = line.strip()
        if not url or url.startswith("#"):
            continue
        if not url.lower().startswith(("http://", "https://")):
            raise FeedListError(f"{path}:{number}: not an http(s) URL: {url[:80]!r}")
        if url not in urls:
            urls.append(url)
    if not urls:
        raise FeedListError(f"{path} lists no feed URLs")
    return urls


def parse_every(text: str) -> float:
    """Seconds from '90', '90s', '15m', '1h'."""
    match = _EVERY.match(text)
    if not match or float(match.group(1)) <= 0:
        raise FeedListError(f"--every: expected a time like 90s, 15m or 1h, got {text!r}")
    return float(match.group(1)) * _UNITS[(match.group(2) or "").lower()]


@dataclass(slots=True)
class WatchResult:
    polls: int = 0
    fetched: int = 0  # pages fetched and read
    added: int = 0
    updated: int = 0
    skipped: int = 0  # pages left alone: robots.txt, not HTML
    failures: list[str] = field(default_factory=list)  # of the last poll
    interrupted: bool = False


def run_watch(
    desk: Any,
    feeds: list[str],
    *,
    every: float = 900.0,
    once: bool = False,
    delay: float = 1.0,
    timeout: float = 20.0,
    retries: int = 2,
    backoff: float = 1.0,
    max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES,
    log: Callable[[str], object] = print,
    stop: threading.Event | None = None,
    handle_signals: bool = True,
    trust_env: bool = True,
    after_poll: Callable[[], object] | None = None,
) -> WatchResult:
    """Poll ``feeds`` every ``every`` seconds (once with ``once``) until stopped.

    ``desk`` is a ``copydesk.Desk``. SIGINT and SIGTERM (when ``handle_signals``, in the
    main thread) or ``stop`` end the loop after the page being fetched; a second signal
    stops at once.
    """
    stop = stop or threading.Event()
    result = WatchResult()
    restore = _install_signals(stop, log) if handle_signals else {}
    fetcher = Fetcher(
        stop=stop,
        delay=delay,
        timeout=timeout,
        retries=retries,
        backoff=backoff,
        max_bytes=5 * max_text_bytes,
        trust_env=trust_env,
        sleep=stop.wait,
    )
    try:
        while True:
            result.failures = []
            _poll(desk, fetcher, feeds, result, stop, log, max_text_bytes)
            result.polls += 1
            if after_poll is not None:  # alerts: queued here, sent in the background
                after_poll()
            if once or stop.is_set():
                break
            log(f"next poll in {every:g}s (Ctrl-C stops)")
            if stop.wait(every):
                break
    finally:
        fetcher.close()
        for signum, handler in restore.items():
            signal.signal(signum, handler)
    result.interrupted = stop.is_set()
    if result.interrupted:
        log(f"stopped: {result.fetched} pages fetched in {result.polls} polls, all stored")
    return result


def _install_signals(stop: threading.Event, log: Callable[[str], object]) -> dict[int, Any]:
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        log("stopping after the current page (again to stop at once)")

    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, handler)
    return previous


def _poll(
    desk: Any,
    fetcher: Fetcher,
    feeds: list[str],
    result: WatchResult,
    stop: threading.Event,
    log: Callable[[str], object],
    max_text_bytes: int,
) -> None:
    store = desk.store
    queue = list(feeds)
    seen_feeds: set[str] = set()
    stored = 0
    while queue and not stop.is_set():
        feed_url = queue.pop(0)
        if feed_url in seen_feeds:
            continue
        seen_feeds.add(feed_url)
        state = fetch_state(store, feed_url) or FetchState(feed_url, "feed")
        response = fetcher.get(feed_url, etag=state.etag, last_modified=state.last_modified)
        state.status = response.status
        if response.not_modified:
            log(f"{feed_url}: not modified")
            _save(store, [state])
            continue
        if not response.ok or response.content is None:
            _feed_failed(store, state, response.error or "no content", result, log)
            continue
        try:
            feed = parse_feed(response.content, response.final_url or feed_url)
        except FeedError as exc:
            _feed_failed(store, state, str(exc), result, log)
            continue
        if feed.sitemaps:
            queue.extend(feed.sitemaps[:MAX_SITEMAPS])
        entries = _unique(feed.entries)
        done = pages_done(store, [e.url for e in entries])
        new = [e for e in entries if e.url not in done]
        log(f"{feed_url}: {feed.kind}, {len(entries)} listed, {len(new)} new")
        complete = True
        for lo in range(0, len(new), PAGE_BATCH):
            if stop.is_set():
                complete = False
                break
            stored += _fetch_batch(
                desk, fetcher, new[lo : lo + PAGE_BATCH], result, stop, log, max_text_bytes
            )
        if complete and not stop.is_set():
            state.etag, state.last_modified = response.etag, response.last_modified
            state.error, state.attempts, state.done = None, 0, True
            _save(store, [state])
    if stored and not stop.is_set():
        summary = desk.scan()
        log(f"scanned {summary.scanned} new articles: {summary.pairs} pairs with reuse")
    elif stored:
        log("stopped before scanning: run copydesk scan to compare the new articles")


def _feed_failed(
    store: Any, state: FetchState, error: str, result: WatchResult, log: Callable[[str], object]
) -> None:
    state.error = error
    state.attempts += 1
    _save(store, [state])
    result.failures.append(f"{state.url}: {error}")
    log(f"{state.url}: feed failed: {error}")


def _unique(entries: list[FeedEntry]) -> list[FeedEntry]:
    seen: dict[str, FeedEntry] = {}
    for entry in entries:
        seen.setdefault(entry.url, entry)
    return list(seen.values())


def _save(store: Any, states: list[FetchState]) -> None:
    with store.transaction():
        save_fetch_states(store, states)


def _fetch_batch(
    desk: Any,
    fetcher: Fetcher,
    entries: list[FeedEntry],
    result: WatchResult,
    stop: threading.Event,
    log: Callable[[str], object],
    max_text_bytes: int,
) -> int:
    """Fetch, extract and ingest one batch of pages; their states are then committed."""
    pages: list[Page] = []
    states: dict[str, FetchState] = {}
    for entry in entries:
        if stop.is_set():
            break
        state = fetch_state(desk.store, entry.url) or FetchState(entry.url, "page")
        states[entry.url] = state
        page = _fetch_page(fetcher, entry, state, result, log, max_text_bytes)
        if page is not None:
            pages.append(page)
    if not states:
        return 0
    items = list(articles_from_pages(pages, max_text_bytes=max_text_bytes, workers=1))
    for item in items:
        if isinstance(item, Rejection) and item.severity == "error" and item.record_id:
            state = states.get(item.record_id)
            if state is not None:
                state.error = item.reason
            result.failures.append(f"{item.record_id}: {item.reason}")
            log(f"{item.record_id}: {item.reason}")
    articles = [i for i in items if isinstance(i, Article)]
    summary = desk.ingest(items)
    result.added += summary.added
    result.updated += summary.updated
    _save(desk.store, list(states.values()))
    if articles:
        log(f"stored {summary.added} new, {summary.updated} updated of {len(articles)} pages")
    return summary.added + summary.updated


def _fetch_page(
    fetcher: Fetcher,
    entry: FeedEntry,
    state: FetchState,
    result: WatchResult,
    log: Callable[[str], object],
    max_text_bytes: int,
) -> Page | None:
    response = fetcher.get(entry.url)
    state.status = response.status
    state.attempts += 1
    state.error = response.error
    if response.error is not None:
        state.done = response.permanent or state.attempts >= MAX_ATTEMPTS
        if "robots.txt" in response.error:
            result.skipped += 1
            log(f"{entry.url}: skipped, {response.error}")
        else:
            result.failures.append(f"{entry.url}: {response.error}")
            log(f"{entry.url}: {response.error}")
        return None
    state.done = True
    if response.content_type not in (*HTML_TYPES, None):
        state.error = f"not an HTML page ({response.content_type})"
        result.skipped += 1
        log(f"{entry.url}: skipped, {state.error}")
        return None
    result.fetched += 1
    try:
        page = page_from_bytes(
            response.content or b"",
            source=entry.url,
            url=entry.url,
            declared_charset=response.charset,
            max_text_bytes=max_text_bytes,
        )
    except RecordError as exc:
        state.error = exc.reason
        result.failures.append(f"{entry.url}: {exc.reason}")
        log(f"{entry.url}: {exc.reason}")
        return None
    page.id = entry.url
    if entry.title:
        page.hints["title"] = entry.title
    if entry.published:
        page.hints["published"] = entry.published
    return page
