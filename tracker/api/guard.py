"""What is checked before a request's body is read: a path a database could take, the admin
token on admin routes, and a size cap on every body (413 without reading the rest)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import HTTPException
from starlette.routing import Match

from tracker.api.deps import admin_refusal

MAX_BODY_BYTES = 64 * 1024  # far above any admin request: a subscription, an override


class BodyGuard:
    """A plain ASGI middleware: refuses before the app (and its JSON parser) sees a body."""

    def __init__(self, app: Any, admin_routes: Sequence[Any],
                 admin_token: Callable[[], str | None], limit: int = MAX_BODY_BYTES) -> None:
        self.app, self.admin_routes, self.admin_token = app, admin_routes, admin_token
        self.limit = limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", ""):  # no name or id holds one, and no database takes it
            await _answer(send, 400, "the path holds a NUL character")
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        # Only requests that can carry a body the app reads; reads are checked by the routes.
        if scope["method"] not in ("GET", "HEAD", "OPTIONS") and self._is_admin(scope):
            scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
            why = admin_refusal(self.admin_token(),
                                token.strip() if scheme.lower() == "bearer" else "")
            if why:
                await _answer(send, 401, why, {"www-authenticate": "Bearer"})
                return
        length = headers.get(b"content-length", b"").strip()
        if length and (not length.isdigit() or int(length) > self.limit):
            await _answer(send, 413 if length.isdigit() else 400,
                          self._too_large() if length.isdigit()
                          else "Content-Length is not a number")
            return
        await self.app(scope, self._capped(receive), send)

    def _is_admin(self, scope: Any) -> bool:
        return any(route.matches(scope)[0] != Match.NONE for route in self.admin_routes)

    def _too_large(self) -> str:
        return f"the request body is larger than {self.limit} bytes; refused"

    def _capped(self, receive: Any) -> Any:
        """`receive`, refusing a body (sent without a length) once it passes the limit."""
        read = 0

        async def capped() -> Any:
            nonlocal read
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > self.limit:
                    raise HTTPException(413, self._too_large())
            return message

        return capped


async def _answer(send: Any, status: int, detail: str,
                  headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
           (b"connection", b"close")]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Headers every response carries; an HTML page without a policy of its own gets one
    that at least forbids framing it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                html = any(k.lower() == b"content-type" and v.startswith(b"text/html")
                           for k, v in headers)
                if html and b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", b"frame-ancestors 'none'"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY")]
