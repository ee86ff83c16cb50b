"""The copydesk web app: ``create_app`` builds the FastAPI application over one store.

The routes live in ``api.py`` and ``pages.py``; what they depend on (settings, the
shared desks, the write token) in ``deps.py``. Nothing imports this module but the CLI.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from copydesk.web import api, pages, rights
from copydesk.web.deps import Desks, Settings
from copydesk.web.security import MAX_REQUEST_BYTES, HardeningMiddleware, allowed_hosts, is_loopback

HERE = Path(__file__).parent


def create_app(
    db_path: str | Path,
    *,
    token: str | None = None,
    bind_host: str = "127.0.0.1",
    max_request_bytes: int = MAX_REQUEST_BYTES,
    allow_hosts: Iterable[str] = (),
) -> FastAPI:
    """The app over the store at ``db_path`` (created and migrated if needed).

    Bound to a loopback address the app accepts writes from anyone who can reach it;
    bound to any other address it refuses to start without ``token``, and then every
    write (``POST /api/articles``, storing a trace) needs it, as ``Authorization: Bearer``
    or the form's token field. A token given on loopback is required just the same.

    Requests must name the server in their Host header: the bound address (loopback
    binds: also ``localhost``, ``127.0.0.1``, ``[::1]``) or one of ``allow_hosts``
    (``"*"``: any). Any other Host is refused with 400 before a route runs, which stops a
    DNS-rebinding page from reaching a server on loopback.
    """
    if token is not None and not token.strip():
        raise ValueError("the write token is blank: give a real one, or none on loopback")
    if not is_loopback(bind_host) and not token:
        raise ValueError(f"binding to {bind_host} (not loopback) needs a write token: pass --token")
    settings = Settings(
        Path(db_path), token or None, bind_host, max_request_bytes,
        allowed_hosts(bind_host, allow_hosts),
    )  # fmt: skip
    desks = Desks.open(settings.db_path)  # creates or migrates the store now

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        desks.close()

    app = FastAPI(
        title="copydesk",
        description="Trace news articles to the earlier articles they reuse.",
        version="0.1.0",
        docs_url=None,  # /docs is rendered by pages.py: Swagger UI loads from a CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.desks = desks
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True,
        lstrip_blocks=True,
    )  # fmt: skip
    env.filters["when"] = when
    app.state.templates = Jinja2Templates(env=env)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(
        HardeningMiddleware, max_bytes=max_request_bytes, hosts=settings.allowed_hosts
    )
    app.include_router(api.router)
    app.include_router(rights.router)  # before pages: /articles/{id:path} would take it
    app.include_router(pages.router)
    pages.install_error_pages(app)
    return app


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; OSError with a plain message if that fails
    (the port in use, an address not of this machine)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise OSError(f"cannot bind {host}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise OSError(
                f"port {port} on {host} is already in use (another copydesk serve?): "
                "stop that one or pick another with --port"
            ) from None
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock


def when(value: datetime | str | None) -> str:
    """A date for people: ``2 Mar 2026, 21:30 UTC``; "no date" when there is none."""
    if not value:
        return "no date"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return f"{value.day} {value:%b %Y, %H:%M} UTC"
