"""Polite HTTP for ``copydesk watch`` (httpx).

- A clear User-Agent: ``copydesk/<version> (+https://example.invalid/copydesk)``.
- robots.txt is obeyed (``urllib.robotparser``), fetched once per host and kept for an
  hour. As RFC 9309 says: a robots.txt that is missing (4xx) allows everything; one that
  cannot be fetched (5xx, timeout) disallows the host until it can. Its Crawl-delay is
  honoured when longer than ``delay``.
- At most one request per ``delay`` seconds to any one host.
- Conditional GET: the ETag and Last-Modified of the last answer are sent back
  (If-None-Match, If-Modified-Since); a 304 is "not modified", nothing is downloaded.
- Timeouts on every request; transient failures (timeouts, connection errors, 429, 5xx)
  are retried ``retries`` times with exponential backoff (Retry-After honoured up to a
  minute). A body larger than ``max_bytes`` is not downloaded past the limit.
"""

from __future__ import annotations

import threading
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from .. import __version__

USER_AGENT = f"copydesk/{__version__} (+https://example.invalid/copydesk)"
ROBOTS_TTL = 3600.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 60.0


@dataclass(slots=True)
class FetchResult:
    """What one GET gave. ``error`` is set when there is no usable body."""

    url: str  # the address asked for
    final_url: str | None = None  # after redirects
    status: int | None = None
    content: bytes | None = None
    content_type: str | None = None  # the media type, lowercased, without parameters
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    error: str | None = None
    too_slow: bool = False  # the whole fetch ran past its deadline: not tried again now
    permanent: bool = False  # retrying later will not help (4xx, robots, too large)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.not_modified and self.content is not None


class Fetcher:
    """One polite HTTP client; not thread-safe."""

    def __init__(
        self,
        *,
        delay: float = 1.0,
        timeout: float = 20.0,
        retries: int = 2,
        backoff: float = 1.0,
        max_bytes: int = 10_000_000,
        user_agent: str = USER_AGENT,
        trust_env: bool = True,
        sleep: Callable[[float], object] = time.sleep,
        stop: threading.Event | None = None,
    ) -> None:
        """``timeout`` bounds each fetch as a whole (connecting, then every byte of the
        body), not only each read: a host that trickles bytes cannot hold a fetch longer.
        Setting ``stop`` abandons the fetch in progress at its next chunk."""
        self.delay = delay
        self.timeout = timeout
        self.stop = stop
        self.retries = retries
        self.backoff = backoff
        self.max_bytes = max_bytes
        self.user_agent = user_agent
        self.sleep = sleep
        self.client = httpx.Client(
            headers={"User-Agent": user_agent},
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            trust_env=trust_env,
        )
        self._next_ok: dict[str, float] = {}
        self._robots: dict[str, tuple[float, urllib.robotparser.RobotFileParser | None]] = {}
        self.requests = 0  # how many requests were sent, robots.txt included

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    # -- politeness ---------------------------------------------------------------

    def _wait_turn(self, origin: str) -> None:
        wait = self._next_ok.get(origin, 0.0) - time.monotonic()
        if wait > 0:
            self.sleep(wait)

    def _done(self, origin: str) -> None:
        delay = self.delay
        entry = self._robots.get(origin)
        if entry and entry[1] is not None:
            crawl_delay = entry[1].crawl_delay(self.user_agent)
            if crawl_delay:
                delay = max(delay, float(crawl_delay))
        self._next_ok[origin] = time.monotonic() + delay

    def allowed(self, url: str) -> tuple[bool, str | None]:
        """(may fetch, why not) according to the host's robots.txt."""
        origin = _origin(url)
        if origin is None:
            return False, "not an http(s) URL"
        cached = self._robots.get(origin)
        if cached is None or time.monotonic() - cached[0] > ROBOTS_TTL:
            cached = (time.monotonic(), self._load_robots(origin))
            self._robots[origin] = cached
        parser = cached[1]
        if parser is None:
            return False, _ROBOTS_UNREACHABLE
        if not parser.can_fetch(self.user_agent, url):
            return False, "disallowed by robots.txt"
        return True, None

    def _load_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | None:
        parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        result = self._get(origin + "/robots.txt", None, None, retries=0)
        if result.status is not None and 400 <= result.status < 500:
            parser.parse([])  # no robots.txt: everything allowed
            return parser
        if not result.ok or result.content is None:
            return None
        text = result.content.decode("utf-8", "replace")
        parser.parse(text.splitlines())
        return parser

    # -- fetching -------------------------------------------------------------------

    def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET ``url`` politely (robots.txt, delay per host, retries)."""
        ok, why = self.allowed(url)
        if not ok:
            return FetchResult(url, error=why, permanent=why != _ROBOTS_UNREACHABLE)
        return self._get(url, etag, last_modified, retries=self.retries)

    def _get(
        self, url: str, etag: str | None, last_modified: str | None, *, retries: int
    ) -> FetchResult:
        origin = _origin(url) or url
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        result = FetchResult(url, error="not fetched")
        for attempt in range(retries + 1):
            self._wait_turn(origin)
            try:
                result, retry_after = self._once(url, headers)
            finally:
                self._done(origin)
            transient = result.status in RETRY_STATUSES or (
                result.status is None and not result.permanent
            )
            stopped = self.stop is not None and self.stop.is_set()
            if not transient or attempt == retries or result.too_slow or stopped:
                break
            pause = self.backoff * 2**attempt
            if retry_after is not None:
                pause = max(pause, min(retry_after, MAX_RETRY_AFTER))
            self.sleep(pause)
        return result

    def _once(self, url: str, headers: dict[str, str]) -> tuple[FetchResult, float | None]:
        self.requests += 1
        deadline = time.monotonic() + self.timeout
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                result = FetchResult(
                    url,
                    final_url=str(response.url),
                    status=response.status_code,
                    etag=response.headers.get("ETag"),
                    last_modified=response.headers.get("Last-Modified"),
                )
                media, charset = _content_type(response.headers.get("Content-Type"))
                result.content_type, result.charset = media, charset
                if response.status_code == 304:
                    result.not_modified = True
                    return result, None
                if response.status_code >= 400:
                    result.error = f"HTTP {response.status_code}"
                    result.permanent = response.status_code not in RETRY_STATUSES
                    return result, _retry_after(response.headers.get("Retry-After"))
                length = response.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > self.max_bytes:
                    result.error = f"over the size limit ({int(length)} bytes)"
                    result.permanent = True
                    return result, None
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if time.monotonic() > deadline:
                        result.error = (
                            f"took over {self.timeout:g}s in all ({len(body)} bytes received):"
                            " the host sends too slowly"
                        )
                        result.too_slow = True
                        return result, None
                    if self.stop is not None and self.stop.is_set():
                        result.error = "stopped before the page was complete"
                        return result, None
                    if len(body) > self.max_bytes:
                        result.error = f"over the size limit ({self.max_bytes} bytes)"
                        result.permanent = True
                        return result, None
                result.content = bytes(body)
                return result, None
        except httpx.TimeoutException as exc:
            return FetchResult(url, error=f"timed out ({type(exc).__name__})"), None
        except httpx.TooManyRedirects:
            return FetchResult(url, error="too many redirects", permanent=True), None
        except (httpx.TransportError, httpx.DecodingError) as exc:
            return FetchResult(url, error=f"{type(exc).__name__}: {exc}"), None
        except httpx.InvalidURL as exc:
            return FetchResult(url, error=f"invalid URL ({exc})", permanent=True), None


_ROBOTS_UNREACHABLE = "robots.txt could not be fetched: the host is left alone for now"


def _origin(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def _content_type(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    media, *params = value.split(";")
    charset = None
    for param in params:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'")
    return media.strip().lower() or None, charset


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None
