"""Load on the web server: many clients on every page and API route while an ingest and a
scan write to the same store.

    .venv/bin/python bench/run_load.py --clients 200 --requests 20

The store is the demo corpus (built in a temporary folder); the server runs in this
process on 127.0.0.1 (a free port); a writer thread ingests new articles in batches and
scans after each, as ``copydesk ingest`` and ``copydesk scan`` in another terminal would,
through its own connection. Some clients store articles through the API too. At the end
every article written, by the writer or through the API, must be in the store: an error
or a lost article fails the run (exit 1). The figures: clients, requests, errors, latency
p50/p99, and the articles written during the run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import uvicorn

from copydesk import Desk
from copydesk.demo import ARTICLES
from copydesk.reading import article_from_mapping, read_path
from copydesk.web.app import create_app

STORY = (
    "The harbour board of {town} voted on {day} to close the old ferry pier after divers "
    "found the piles had rotted through. Repairs would cost more than a new pier, the "
    "board said, and the ferry will use the fishing quay until the council decides. "
    "Residents asked for a public meeting; the chair promised one before the {n}th."
)
TOWNS = ("Arnholt", "Brisk Bay", "Calder", "Dunmere", "Eastwick", "Fallow", "Grange")


def story(tag: str, n: int) -> dict[str, Any]:
    town = TOWNS[n % len(TOWNS)]
    return {
        "id": f"{tag}-{n}",
        "outlet": f"{tag}.example",
        "published": f"2026-03-{1 + n % 27:02d}T{n % 24:02d}:00:00Z",
        "title": f"{town} pier to close ({tag} {n})",
        "text": STORY.format(town=town, day=f"day {n}", n=n) + f" Item {tag}-{n}.",
    }


def routes(article_id: str, outlet: str) -> list[tuple[str, str, Any]]:
    """(method, path, body) for every page and API route; bodies for the POSTs."""
    a, o = quote(article_id, safe=""), quote(outlet, safe="")
    return [
        ("GET", "/", None),
        ("HEAD", "/", None),
        ("GET", "/?" + urlencode({"q": "pier"}), None),
        ("GET", f"/articles/{a}", None),
        ("GET", f"/articles/{a}/evidence.zip", None),
        ("GET", "/trace", None),
        ("POST", "/trace", {"form": {"text": STORY.format(town="Calder", day="Monday", n=9)}}),
        ("GET", "/outlets", None),
        ("GET", f"/outlets/{o}", None),
        ("GET", "/network", None),
        ("GET", "/docs", None),
        ("GET", "/static/style.css", None),
        ("GET", "/api/articles?" + urlencode({"limit": 20}), None),
        ("GET", "/api/articles?" + urlencode({"q": "harbour", "relation": "any"}), None),
        ("GET", f"/api/articles/{a}", None),
        ("GET", f"/api/articles/{a}/verdict", None),
        ("POST", "/api/trace", {"json": {"text": STORY.format(town="Grange", day="Sunday", n=3)}}),
        ("GET", "/api/outlets", None),
        ("GET", f"/api/outlets/{o}", None),
        ("GET", "/api/network", None),
        ("GET", "/openapi.json", None),
    ]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    posted: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def request(
    conn: http.client.HTTPConnection, method: str, path: str, body: Any
) -> tuple[int, bytes]:
    headers = {"Host": "127.0.0.1"}
    data = None
    if body and "json" in body:
        data = json.dumps(body["json"]).encode()
        headers["Content-Type"] = "application/json"
    elif body and "form" in body:
        data = urlencode(body["form"]).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def client(
    port: int, n: int, plan: list[tuple[str, str, Any]], tally: Tally, start: threading.Event
) -> None:
    rng = random.Random(n)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    start.wait()
    for i, (method, path, body) in enumerate(plan):
        if rng.random() < 0.02:  # now and then, store an article through the API
            method, path, body = "POST", "/api/articles", {"json": story("api", n * 1000 + i)}
        t0 = time.perf_counter()
        try:
            status, data = request(conn, method, path, body)
        except (OSError, http.client.HTTPException) as exc:
            status, data = 0, repr(exc).encode()
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        elapsed = time.perf_counter() - t0
        with tally.lock:
            tally.latencies.append(elapsed)
            if status != 200:
                tally.errors.append(f"{method} {path}: {status} {data[:200]!r}")
            elif path == "/api/articles" and method == "POST":
                tally.posted.append(body["json"]["id"])
    conn.close()


def writer(path: Path, batches: int, size: int, written: list[str], stop: threading.Event) -> None:
    """An ingest and a scan in batches, through a store of its own (as another process)."""
    with Desk(path, workers=1) as desk:
        for b in range(batches):
            records = [story("feed", b * size + i) for i in range(size)]
            desk.ingest([article_from_mapping(r)[0] for r in records])
            written.extend(r["id"] for r in records)
            desk.scan(semantic=False)  # the writer's load on the readers, as measured before
            if stop.is_set():
                break


@contextmanager
def serving(path: Path) -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        create_app(path), host="127.0.0.1", port=port, log_level="warning", backlog=4096
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(15)


def demo_store(folder: Path) -> Path:
    path = folder / "load.db"
    with Desk(path, workers=1) as desk:
        desk.ingest(read_path(ARTICLES))
        desk.scan(semantic=False)
    return path


def run_load(
    path: Path, *, clients: int, requests: int, batches: int = 4, batch_size: int = 20
) -> dict[str, Any]:
    """The load run on the store at ``path``; returns its figures (see the module doc)."""
    tally = Tally()
    written: list[str] = []
    start, stop = threading.Event(), threading.Event()
    with serving(path) as port:
        base = routes("cs-001", "dailyclarion.com")
        threads = []
        for n in range(clients):
            plan = [base[(n + i) % len(base)] for i in range(requests)]
            threads.append(threading.Thread(target=client, args=(port, n, plan, tally, start)))
        for t in threads:
            t.start()
        w = threading.Thread(target=writer, args=(path, batches, batch_size, written, stop))
        t0 = time.perf_counter()
        start.set()
        w.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        stop.set()
        w.join()
    with Desk(path, workers=1, readonly=True) as desk:
        stored = {a.id for a in desk.all_articles()}
    expected = set(written) | set(tally.posted)
    lost = sorted(expected - stored)
    lat = sorted(tally.latencies)
    return {
        "clients": clients,
        "requests": len(lat),
        "errors": len(tally.errors),
        "error_examples": tally.errors[:5],
        "errors_by_route": dict(Counter(e.split(":")[0].split("?")[0] for e in tally.errors)),
        "p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
        "p99_ms": round(lat[int(0.99 * (len(lat) - 1))] * 1000, 1) if lat else None,
        "max_ms": round(lat[-1] * 1000, 1) if lat else None,
        "seconds": round(wall, 1),
        "articles_written": len(expected),
        "lost": len(lost),
        "lost_examples": lost[:5],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--requests", type=int, default=20, help="per client")
    parser.add_argument("--batches", type=int, default=4, help="writer batches (ingest + scan)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = demo_store(Path(folder))
        figures = run_load(path, clients=args.clients, requests=args.requests, batches=args.batches)
    print(json.dumps(figures, indent=2))
    return 0 if figures["errors"] == 0 and figures["lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
