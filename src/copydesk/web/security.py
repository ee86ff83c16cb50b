"""HTTP hardening for the web app: allowed Host names, security headers (on every
response, errors included), a request size limit, same-origin writes and the write token."""

from __future__ import annotations

import hmac
import ipaddress
import json
import socket
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_REQUEST_BYTES = 5_000_000  # 5 MB: a pasted text or an uploaded HTML page

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),  # "no-referrer" would make form posts Origin: null
)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``; False for anything else (0.0.0.0 too)."""
    host = host.strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def allowed_hosts(bind_host: str, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The Host header names a server bound to ``bind_host`` answers to (lower case,
    without port; IPv6 in brackets): the bound address, the loopback names when it is a
    loopback (or wildcard) address, this machine's names for a wildcard bind, and
    ``extra`` (``"*"`` accepts any Host)."""
    names: list[str] = []

    def add(name: str) -> None:
        name = name.strip().lower()
        if ":" in name and not name.startswith("["):
            name = f"[{name}]"  # a bare IPv6 address
        if name and name not in names:
            names.append(name)

    add(bind_host)
    if is_loopback(bind_host) or bind_host in ("0.0.0.0", "::", ""):
        for name in LOOPBACK_NAMES:
            add(name)
    if bind_host in ("0.0.0.0", "::", ""):
        add(socket.gethostname())
        add(socket.getfqdn())
    for name in extra:
        add(name)
    return tuple(names)


def host_name(host_header: str) -> str:
    """``Host: Example.org:8000`` → ``example.org``; ``[::1]:8000`` → ``[::1]``."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if ":" in host else host


def token_matches(expected: str | None, authorization: str | None, given: str | None) -> bool:
    """Whether a request carries the write token (``Authorization: Bearer``, or ``given``
    from a form field). With no token configured every request passes."""
    if expected is None:
        return True
    offered = given.strip() if given is not None else None
    if authorization and authorization.lower().startswith("bearer "):
        offered = authorization[7:].strip()
    if not offered:
        return False
    return hmac.compare_digest(offered.encode(), expected.encode())


class TooLarge(HTTPException):
    """Raised while a body streams in past the limit; FastAPI turns it into a 413."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"request body over the {max_bytes / 1e6:g} MB limit")


async def _send_json(send: Send, status: int, detail: str, extra: list | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class HardeningMiddleware:
    """Refuses a Host header not in ``hosts`` with 400 (DNS rebinding), adds the security
    headers to every response (a 500 too), refuses bodies over ``max_bytes`` with 413 (by
    Content-Length, or while a chunked body streams in), refuses writes (POST, PUT,
    PATCH, DELETE) from another origin with 403, and answers HEAD as GET without a body."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int = MAX_REQUEST_BYTES, hosts: Iterable[str] = ("*",)
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.hosts = frozenset(hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        security = list(SECURITY_HEADERS)
        if "*" not in self.hosts:
            host = host_name(headers.get("host", ""))
            if host not in self.hosts:
                shown = host or "(none)"
                await _send_json(
                    send, 400,
                    f"Host {shown} is not served here; start the server with --allow-host "
                    f"{host or 'NAME'} to serve it",
                    security,
                )  # fmt: skip
                return
        limit = f"request body over the {self.max_bytes / 1e6:g} MB limit"
        length = headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                await _send_json(send, 400, "bad Content-Length header", security)
                return
            if int(length) > self.max_bytes:
                await _send_json(send, 413, limit, security)
                return
        if scope["method"] not in ("GET", "HEAD", "OPTIONS") and not _same_origin(headers):
            await _send_json(send, 403, "cross-origin write refused", security)
            return

        received = 0
        started = False
        head = scope["method"] == "HEAD"
        if head:  # routes are GET routes: answer as GET, send no body
            scope = dict(scope, method="GET")

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise TooLarge(self.max_bytes)
            return message

        async def secured_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in security if k not in names
                ]
            elif head and message["type"] == "http.response.body":
                message = dict(message, body=b"")
            await send(message)

        try:
            await self.app(scope, limited_receive, secured_send)
        except TooLarge:
            if not started:
                await _send_json(send, 413, limit, security)
        except Exception:
            # The server's own 500 page would go out without the security headers.
            if not started:
                await _send_json(send, 500, "internal server error", security)
            raise


def _same_origin(headers: dict[str, str]) -> bool:
    """A write is accepted when it names no Origin (curl, scripts) or the server's own."""
    origin = headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc.lower() == headers.get("host", "").lower()
