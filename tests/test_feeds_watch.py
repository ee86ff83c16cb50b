"""Feeds, sitemaps, polite fetching and the watch loop, against local HTTP servers only."""

from __future__ import annotations

import gzip
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from copydesk import Desk
from copydesk.cli import app
from copydesk.reading.feeds import Feed, FeedError, parse_feed
from copydesk.reading.fetch import USER_AGENT, Fetcher
from copydesk.reading.watch import FeedListError, load_feed_list, parse_every, run_watch
from copydesk.store.pages import fetch_state
from webpages import PARAGRAPHS, page

Route = Callable[["Handler"], tuple[int, dict[str, str], bytes]]


@dataclass
class Site:
    """A local web server; ``routes`` maps a path to a function giving the answer."""

    routes: dict[str, Route] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    agents: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def add(
        self,
        path: str,
        body: bytes | str,
        ctype: str = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = lambda h: (status, {"Content-Type": ctype, **(headers or {})}, data)


class Handler(BaseHTTPRequestHandler):
    site: Site

    def do_GET(self) -> None:
        site = self.server.site  # type: ignore[attr-defined]
        site.hits[self.path] += 1
        site.agents.append(self.headers.get("User-Agent", ""))
        site.times.append(time.monotonic())
        route = site.routes.get(self.path)
        status, headers, body = route(self) if route else (404, {}, b"not found")
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up (timeouts are tested)

    def log_message(self, *args: object) -> None:
        pass


def serve(site: Site) -> Site:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.site = site  # type: ignore[attr-defined]
    site.server = server
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return site


@pytest.fixture
def sites() -> Iterator[Callable[[], Site]]:
    started: list[Site] = []

    def start() -> Site:
        site = serve(Site())
        started.append(site)
        return site

    yield start
    for site in started:
        assert site.server is not None
        site.server.shutdown()
        site.server.server_close()


def rss(items: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<item><title>{t}</title><link>{u}</link>"
        "<pubDate>Mon, 02 Mar 2026 08:15:00 GMT</pubDate></item>"
        for u, t in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Northern Post</title>'
        f"<link>https://www.northernpost.example/</link>{body}</channel></rss>"
    )


def story(i: int, base: str) -> str:
    return page(
        f"Story {i}",
        url=f"{base}/news/{i}",
        paragraphs=[f"Story {i} opens with its own words. " + p for p in PARAGRAPHS],
    )


def news_site(site: Site, n: int = 3) -> None:
    """A feed of n stories, a private page robots.txt disallows, and a PDF."""
    base = site.base
    items = [(f"{base}/news/{i}", f"Story {i}") for i in range(n)]
    items += [(f"{base}/private/secret", "Secret"), (f"{base}/files/report.pdf", "Report")]
    etag = '"feed-v1"'
    feed = rss(items).encode()

    def feed_route(h: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        if h.headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": "application/rss+xml", "ETag": etag}, feed

    site.routes["/feed.xml"] = feed_route
    site.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")
    for i in range(n):
        site.add(f"/news/{i}", story(i, base))
    site.add("/private/secret", story(99, base))
    site.add("/files/report.pdf", b"%PDF-1.4 ...", "application/pdf")


# -- feeds and sitemaps -------------------------------------------------------------


def test_rss_and_atom() -> None:
    feed = parse_feed(
        rss([("https://a.example/1", "One"), ("/2", "Two")]).encode(), "https://a.example/feed"
    )
    assert feed.kind == "rss"
    assert [e.url for e in feed.entries] == ["https://a.example/1", "https://a.example/2"]
    assert feed.entries[0].title == "One"
    assert feed.entries[0].published is not None and feed.entries[0].published.day == 2
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>T</title><entry><title>A</title><link href='https://a.example/a'/>"
        "<updated>2026-03-02T10:00:00Z</updated><id>x</id></entry></feed>"
    )
    parsed = parse_feed(atom.encode())
    assert parsed.kind == "atom" and parsed.entries[0].url == "https://a.example/a"


def test_news_sitemap_index_and_gzip() -> None:
    sitemap = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        "<url><loc>https://a.example/seals</loc><news:news><news:publication>"
        "<news:name>The Northern Post</news:name><news:language>en</news:language>"
        "</news:publication><news:publication_date>2026-03-02T08:15:00+00:00"
        "</news:publication_date><news:title>Seals return</news:title></news:news></url>"
        "<url><loc>https://a.example/other</loc><lastmod>2026-03-01</lastmod></url></urlset>"
    )
    feed = parse_feed(sitemap.encode())
    assert feed.kind == "sitemap"
    assert [(e.url, e.title) for e in feed.entries] == [
        ("https://a.example/seals", "Seals return"),
        ("https://a.example/other", None),
    ]
    assert feed.entries[0].published is not None and feed.entries[0].published.hour == 8
    assert parse_feed(gzip.compress(sitemap.encode())).entries == feed.entries
    index = (
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>https://a.example/s1.xml</loc></sitemap></sitemapindex>"
    )
    assert parse_feed(index.encode()).sitemaps == ["https://a.example/s1.xml"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"json": "not a feed"}', "not XML"),
        (b"", "not XML"),
        (b"<!doctype html><html><body>hi</body></html>", "HTML page"),
        (b"<notafeed><x/></notafeed>", "not an RSS or Atom feed"),
        (b"\x1f\x8b broken gzip", "gzip"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<x>&b;</x>",
            "not an RSS",
        ),
    ],
)
def test_not_feeds(data: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_feed(data)


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=2000) | st.text(max_size=500).map(lambda t: ("<" + t).encode()))
def test_fuzz_random_bytes_as_xml(data: bytes) -> None:
    try:
        feed = parse_feed(data)
    except FeedError:
        return
    assert isinstance(feed, Feed)


# -- polite fetching --------------------------------------------------------------------


def test_robots_user_agent_and_conditional_get(sites: Callable[[], Site]) -> None:
    site = sites()
    news_site(site)
    with Fetcher(delay=0, timeout=2, trust_env=False) as fetcher:
        secret = fetcher.get(f"{site.base}/private/secret")
        assert secret.error == "disallowed by robots.txt" and secret.permanent
        assert site.hits["/private/secret"] == 0
        first = fetcher.get(f"{site.base}/feed.xml")
        assert first.ok and first.etag == '"feed-v1"' and first.status == 200
        second = fetcher.get(f"{site.base}/feed.xml", etag=first.etag)
        assert second.not_modified and second.content is None and not second.ok
        assert site.hits["/robots.txt"] == 1  # kept, not asked again
    assert set(site.agents) == {USER_AGENT}
    assert (
        USER_AGENT.startswith("copydesk/") and "(+https://example.invalid/copydesk)" in USER_AGENT
    )


def test_retry_after_a_server_error(sites: Callable[[], Site]) -> None:
    site = sites()
    answers = iter([(500, {}, b"oops"), (503, {}, b"busy")])

    def flaky(h: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        return next(answers, (200, {"Content-Type": "text/html"}, b"<html>fine</html>"))

    site.routes["/flaky"] = flaky
    with Fetcher(delay=0, timeout=2, retries=2, backoff=0.01, trust_env=False) as fetcher:
        result = fetcher.get(f"{site.base}/flaky")
    assert result.ok and result.content == b"<html>fine</html>"
    assert site.hits["/flaky"] == 3
    with Fetcher(delay=0, timeout=2, retries=2, backoff=0.01, trust_env=False) as fetcher:
        site.add("/broken", "no", status=500)
        broken = fetcher.get(f"{site.base}/broken")
    assert broken.error == "HTTP 500" and not broken.permanent and site.hits["/broken"] == 3


def test_slow_host_times_out(sites: Callable[[], Site]) -> None:
    site = sites()

    def slow(h: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        time.sleep(3)
        return 200, {}, b"late"

    site.routes["/slow"] = slow
    started = time.monotonic()
    with Fetcher(delay=0, timeout=0.3, retries=1, backoff=0.01, trust_env=False) as fetcher:
        result = fetcher.get(f"{site.base}/slow")
    assert result.error is not None and "timed out" in result.error
    assert site.hits["/slow"] == 2  # retried once
    assert time.monotonic() - started < 2.5  # two 0.3 s timeouts, not the 3 s answers


def test_delay_between_requests_to_one_host(sites: Callable[[], Site]) -> None:
    site = sites()
    site.add("/a", "<html>a</html>")
    with Fetcher(delay=0.25, timeout=2, trust_env=False) as fetcher:
        for _ in range(3):
            assert fetcher.get(f"{site.base}/a").ok
    gaps = [b - a for a, b in zip(site.times, site.times[1:], strict=False)]
    assert len(gaps) == 3 and min(gaps) >= 0.24  # robots.txt, then three pages


def test_unreachable_robots_leaves_the_host_alone(sites: Callable[[], Site]) -> None:
    site = sites()
    site.add("/robots.txt", "down", status=503)
    site.add("/a", "<html>a</html>")
    with Fetcher(delay=0, timeout=2, retries=0, trust_env=False) as fetcher:
        result = fetcher.get(f"{site.base}/a")
    assert result.error is not None and "robots.txt" in result.error and not result.permanent
    assert site.hits["/a"] == 0


def test_size_limit(sites: Callable[[], Site]) -> None:
    site = sites()
    site.add("/big", b"x" * 50_000)
    with Fetcher(delay=0, timeout=2, max_bytes=10_000, trust_env=False) as fetcher:
        result = fetcher.get(f"{site.base}/big")
    assert result.error is not None and "size limit" in result.error and result.permanent


# -- the watch loop ---------------------------------------------------------------------


def watch(desk: Desk, feeds: list[str], **options: object):  # type: ignore[no-untyped-def]
    logs: list[str] = []
    options = {
        "once": True,
        "delay": 0.0,
        "timeout": 2.0,
        "backoff": 0.01,
        "handle_signals": False,
        "trust_env": False,
        **options,
    }
    result = run_watch(desk, feeds, log=logs.append, **options)  # type: ignore[arg-type]
    return result, logs


def test_watch_once_ingests_new_pages_then_nothing(
    sites: Callable[[], Site], tmp_path: Path
) -> None:
    site = sites()
    news_site(site)
    feed_url = f"{site.base}/feed.xml"
    with Desk(tmp_path / "w.db", workers=1) as desk:
        result, logs = watch(desk, [feed_url])
        assert (result.added, result.fetched, result.skipped) == (3, 3, 2)
        assert result.failures == []
        story0 = desk.article(f"{site.base}/news/0")
        assert story0 is not None and story0.title == "Story 0"
        assert story0.extra["links"] == ["https://www.dailyclarion.example/seals"]
        assert desk.store.db.execute("SELECT count(*) FROM raw_html").fetchone() == (3,)
        assert desk.store.unscanned() == []  # scanned after the poll
        assert site.hits["/private/secret"] == 0
        state = fetch_state(desk.store, feed_url)
        assert state is not None and state.etag == '"feed-v1"'
        # Again: the feed answers 304 and no page is fetched twice.
        before = sum(site.hits.values())
        again, logs = watch(desk, [feed_url])
        assert again.added == 0 and any("not modified" in line for line in logs)
        assert sum(site.hits.values()) - before == 2  # robots.txt (a new run) and the feed


def test_watch_goes_on_after_errors(sites: Callable[[], Site], tmp_path: Path) -> None:
    good, bad = sites(), sites()
    news_site(good, n=2)
    bad.add("/feed.xml", b'{"not": "xml"}', "application/json")
    fails = iter([(500, {}, b"oops")] * 3)
    bad.routes["/flaky-feed.xml"] = lambda h: next(
        fails,
        (
            200,
            {"Content-Type": "application/rss+xml"},
            rss([(f"{bad.base}/gone", "Gone")]).encode(),
        ),
    )
    bad.add("/gone", "gone", status=410)
    dead = "http://127.0.0.1:9/feed.xml"  # nothing listens on the discard port
    feeds = [f"{bad.base}/feed.xml", dead, f"{bad.base}/flaky-feed.xml", f"{good.base}/feed.xml"]
    with Desk(tmp_path / "w.db", workers=1) as desk:
        result, _ = watch(desk, feeds, retries=1)
        assert result.added == 2
        failed = " ".join(result.failures)
        assert "not XML" in failed and "127.0.0.1:9" in failed and "HTTP 500" in failed
        # Next poll: the flaky feed works, its page is gone for good (410: not tried again).
        result, _ = watch(desk, feeds, retries=1)
        assert any("HTTP 410" in f for f in result.failures)
        state = fetch_state(desk.store, f"{bad.base}/gone")
        assert state is not None and state.done and state.status == 410
        watch(desk, feeds, retries=1)
        assert bad.hits["/gone"] == 1


def test_watch_retries_a_failing_page_at_the_next_poll(
    sites: Callable[[], Site], tmp_path: Path
) -> None:
    site = sites()
    answers = iter([(500, {}, b"oops")] * 2)
    site.routes["/feed.xml"] = lambda h: (
        200,
        {"Content-Type": "application/rss+xml"},
        rss([(f"{site.base}/news/0", "Story 0")]).encode(),
    )
    html = story(0, site.base).encode()
    site.routes["/news/0"] = lambda h: next(answers, (200, {"Content-Type": "text/html"}, html))
    with Desk(tmp_path / "w.db", workers=1) as desk:
        first, _ = watch(desk, [f"{site.base}/feed.xml"], retries=1)
        assert first.added == 0 and first.failures
        second, _ = watch(desk, [f"{site.base}/feed.xml"], retries=1)
        assert second.added == 1 and second.failures == []


def test_stop_keeps_what_was_fetched(sites: Callable[[], Site], tmp_path: Path) -> None:
    site = sites()
    news_site(site, n=30)  # two batches of pages
    stop = threading.Event()

    def log(line: str) -> None:
        if line.startswith("stored"):
            stop.set()  # as a Ctrl-C would, right after the first batch is committed

    with Desk(tmp_path / "w.db", workers=1) as desk:
        result = run_watch(
            desk,
            [f"{site.base}/feed.xml"],
            once=False,
            every=60,
            delay=0,
            timeout=2,
            log=log,
            stop=stop,
            handle_signals=False,
            trust_env=False,
        )
        assert result.interrupted and result.added == 20
        assert desk.store.count() == 20
        state = fetch_state(desk.store, f"{site.base}/feed.xml")
        assert state is None or state.etag is None  # the feed is read again next time
        rest, _ = watch(desk, [f"{site.base}/feed.xml"])
        assert rest.added == 10 and desk.store.count() == 30


def test_feed_list_and_every(tmp_path: Path) -> None:
    path = tmp_path / "feeds.txt"
    path.write_text("# comment\n\nhttps://a.example/feed\nhttps://a.example/feed\n")
    assert load_feed_list(path) == ["https://a.example/feed"]
    path.write_text("ftp://a.example/feed\n")
    with pytest.raises(FeedListError, match="not an http"):
        load_feed_list(path)
    with pytest.raises(FeedListError, match="cannot read"):
        load_feed_list(tmp_path / "missing.txt")
    assert [parse_every(t) for t in ("90", "90s", "15m", "1h", "0.5m")] == [90, 90, 900, 3600, 30]
    with pytest.raises(FeedListError):
        parse_every("soon")


def test_cli_watch_once(
    sites: Callable[[], Site], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    site = sites()
    news_site(site, n=2)
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"{site.base}/feed.xml\n")
    db = tmp_path / "w.db"
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "watch",
            "--db",
            str(db),
            "--feeds",
            str(feeds),
            "--once",
            "--delay",
            "0",
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    feeds.write_text(f"{site.base}/feed.xml\n{site.base}/missing.xml\n")
    result = runner.invoke(
        app, ["watch", "--db", str(db), "--feeds", str(feeds), "--once", "--delay", "0"]
    )
    assert result.exit_code == 1
    bad = runner.invoke(app, ["watch", "--db", str(db), "--feeds", str(tmp_path / "no.txt")])
    assert bad.exit_code == 2
    with Desk(db) as desk:
        assert desk.store.count() == 2


def test_ctrl_c_stops_cleanly(sites: Callable[[], Site], tmp_path: Path) -> None:
    site = sites()
    news_site(site, n=2)
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"{site.base}/feed.xml\n")
    db = tmp_path / "w.db"
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "copydesk",
            "watch",
            "--db",
            str(db),
            "--feeds",
            str(feeds),
            "--every",
            "30s",
            "--delay",
            "0",
            "--workers",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if db.exists():
                try:
                    with sqlite3.connect(db) as con:
                        if con.execute("SELECT count(*) FROM articles").fetchone()[0] == 2:
                            break
                except sqlite3.Error:
                    pass
            time.sleep(0.1)
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr
    with Desk(db) as desk:
        assert desk.store.count() == 2
