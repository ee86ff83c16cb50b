"""The copydesk web app: ``create_app`` builds the FastAPI application over one store.

Every request opens its own ``Desk`` (SQLite connections are bound to their thread and
FastAPI runs ``def`` endpoints in a thread pool); opening one is cheap.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from copydesk.desk import Desk
from copydesk.web.security import MAX_REQUEST_BYTES, HardeningMiddleware, is_loopback, token_matches

HERE = Path(__file__).parent


@dataclass(frozen=True, slots=True)
class Settings:
    db_path: Path
    token: str | None
    bind_host: str
    max_request_bytes: int = MAX_REQUEST_BYTES

    @property
    def token_required(self) -> bool:
        return self.token is not None


def create_app(
    db_path: str | Path,
    *,
    token: str | None = None,
    bind_host: str = "127.0.0.1",
    max_request_bytes: int = MAX_REQUEST_BYTES,
) -> FastAPI:
    """The app over the store at ``db_path`` (created and migrated if needed).

    Bound to a loopback address the app accepts writes from anyone who can reach it;
    bound to any other address it refuses to start without ``token``, and then every
    write (``POST /api/articles``, storing a trace) needs it, as ``Authorization: Bearer``
    or the form's token field. A token given on loopback is required just the same.
    """
    if not is_loopback(bind_host) and not token:
        raise ValueError(f"binding to {bind_host} (not loopback) needs a write token: pass --token")
    settings = Settings(Path(db_path), token or None, bind_host, max_request_bytes)
    Desk(settings.db_path, workers=1).close()  # create or migrate the store now
    app = FastAPI(
        title="copydesk",
        description="Trace news articles to the earlier articles they reuse.",
        version="0.1.0",
        docs_url=None,  # /docs is rendered by pages.py: Swagger UI loads from a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True,
        lstrip_blocks=True,
    )  # fmt: skip
    env.filters["when"] = when
    app.state.templates = Jinja2Templates(env=env)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(HardeningMiddleware, max_bytes=max_request_bytes)

    from copydesk.web import api, pages, rights

    app.include_router(api.router)
    app.include_router(rights.router)  # before pages: /articles/{id:path} would take it
    app.include_router(pages.router)
    pages.install_error_pages(app)
    return app


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


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_desk(request: Request) -> Iterator[Desk]:
    """One Desk for this request, closed after it."""
    desk = Desk(get_settings(request).db_path, workers=1)
    try:
        yield desk
    finally:
        desk.close()


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
