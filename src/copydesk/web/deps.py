"""What every route depends on: the settings, the shared store and the write token.

One ``Desk`` per app serves all readers: its store gives each worker thread its own
read-only SQLite connection, so requests run in parallel and never take the write lock.
Writes (storing articles) go through a second, writable ``Desk``, one at a time: a
request waits for its turn on the event loop (``Desks.turn``), never in a worker thread.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from copydesk.desk import Desk
from copydesk.web.security import MAX_REQUEST_BYTES, token_matches

__all__ = [
    "DeskDep",
    "Desks",
    "SearchDeskDep",
    "Settings",
    "WriterDep",
    "get_desk",
    "get_search_desk",
    "get_settings",
    "get_writer",
    "require_token",
]


@dataclass(frozen=True, slots=True)
class Settings:
    db_path: Path
    token: str | None
    bind_host: str
    max_request_bytes: int = MAX_REQUEST_BYTES
    allowed_hosts: tuple[str, ...] = ()  # Host header names served; "*" serves any

    @property
    def token_required(self) -> bool:
        return self.token is not None


@dataclass(slots=True)
class Desks:
    """The app's two desks over one store: many readers, one writer at a time."""

    reader: Desk
    writer: Desk
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    # The queues of requests waiting their turn (to write, to render a PDF), per event
    # loop (a test client runs its own): waiting there holds no worker thread.
    _queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = field(
        default_factory=weakref.WeakKeyDictionary
    )

    @classmethod
    def open(cls, path: Path) -> Desks:
        writer = Desk(path, workers=1)  # creates or migrates the store
        return cls(reader=Desk(path, workers=1, readonly=True), writer=writer)

    @contextmanager
    def writing(self) -> Iterator[Desk]:
        """The writable Desk, waiting for it in this thread: not for request handlers,
        which use ``turn`` (writers waiting in worker threads can fill the thread pool and
        leave none to the one that holds the desk: a deadlock under load)."""
        with self.write_lock:
            yield self.writer

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[Desk]:
        """The writable Desk for one request at a time; the wait is on the event loop.
        Run the writing itself in a worker thread (``run_in_threadpool``)."""
        async with self.queue("write"):
            # Held only by an index sync that never waits, or by a ``writing`` elsewhere.
            await run_in_threadpool(self.write_lock.acquire)
            try:
                yield self.writer
            finally:
                self.write_lock.release()

    def queue(self, name: str) -> asyncio.Lock:
        """The event loop's queue ``name``: requests that must go one at a time wait in
        it without holding a worker thread."""
        queues = self._queues.setdefault(asyncio.get_running_loop(), {})
        return queues.setdefault(name, asyncio.Lock())

    def sync_search_index(self) -> None:
        """Index new articles before a search; skipped when another request is at it or
        a writer (an ingest, a scan) holds the store: the search then misses only the
        newest articles, and does not wait."""
        if not self.reader.store.search_index_pending():
            return
        if self.write_lock.acquire(blocking=False):
            try:
                self.writer.store.sync_search_index(wait=0.2)
            finally:
                self.write_lock.release()

    def close(self) -> None:
        self.reader.close()
        self.writer.close()


def get_search_desk(request: Request) -> Desk:
    """The reader Desk, with the search index brought up to date first."""
    desks: Desks = request.app.state.desks
    desks.sync_search_index()
    return desks.reader


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_desk(request: Request) -> Desk:
    """The shared read-only Desk (each thread reads through its own connection)."""
    return request.app.state.desks.reader


async def get_writer(request: Request) -> AsyncIterator[Desk]:
    """The writable Desk, held by this request alone until it ends (its turn awaited on
    the event loop)."""
    async with request.app.state.desks.turn() as desk:
        yield desk


def require_token(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """A dependency for write endpoints: 401 unless the request carries the token."""
    settings = get_settings(request)
    if not token_matches(settings.token, authorization, None):
        raise HTTPException(
            401,
            "this server needs a write token: send Authorization: Bearer TOKEN",
            headers={"WWW-Authenticate": "Bearer"},
        )


DeskDep = Annotated[Desk, Depends(get_desk)]
SearchDeskDep = Annotated[Desk, Depends(get_search_desk)]
WriterDep = Annotated[Desk, Depends(get_writer)]
