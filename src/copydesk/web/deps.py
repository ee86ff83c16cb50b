"""What every route depends on: the settings, the shared store and the write token.

One ``Desk`` per app serves all readers: its store gives each worker thread its own
read-only SQLite connection, so requests run in parallel and never take the write lock.
Writes (storing articles) go through a second, writable ``Desk``, one at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

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

    @classmethod
    def open(cls, path: Path) -> Desks:
        writer = Desk(path, workers=1)  # creates or migrates the store
        return cls(reader=Desk(path, workers=1, readonly=True), writer=writer)

    @contextmanager
    def writing(self) -> Iterator[Desk]:
        with self.write_lock:
            yield self.writer

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


def get_writer(request: Request) -> Iterator[Desk]:
    """The writable Desk, held by this request alone until it ends."""
    with request.app.state.desks.writing() as desk:
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
