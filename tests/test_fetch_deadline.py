"""``watch --timeout`` bounds a whole fetch: a host trickling bytes on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from copydesk.reading.fetch import Fetcher


class Trickle(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        try:
            for _ in range(600):  # a byte every 0.1 s for a minute
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass  # the client gave up, as it should

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def trickling_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/page.html"
    finally:
        server.shutdown()
        server.server_close()


def test_a_trickling_host_is_cut_at_the_deadline_and_not_tried_again(trickling_url: str) -> None:
    with Fetcher(delay=0, timeout=1.5, retries=2, backoff=0, trust_env=False) as fetcher:
        started = time.monotonic()
        result = fetcher.get(trickling_url)
        elapsed = time.monotonic() - started
    assert result.too_slow and result.content is None
    assert "sends too slowly" in (result.error or "")
    assert elapsed < 6  # one try of 1.5 s, not three tries of a minute
    assert fetcher.requests == 2  # robots.txt, then the page once


def test_stop_abandons_a_fetch_in_progress(trickling_url: str) -> None:
    stop = threading.Event()
    with Fetcher(delay=0, timeout=60, retries=2, backoff=0, trust_env=False, stop=stop) as f:
        threading.Timer(0.5, stop.set).start()
        started = time.monotonic()
        result = f.get(trickling_url)
        elapsed = time.monotonic() - started
    assert result.error == "stopped before the page was complete"
    assert elapsed < 5
