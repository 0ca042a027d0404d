"""The FastAPI application: routes, error mapping, and the service's lifetime."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from tracker.api.deps import reject_unknown_query
from tracker.api.guard import BodyGuard, SecurityHeaders
from tracker.api.routes import admin, atom, operations, page, status, webhooks
from tracker.api.shared_read import SharedRead
from tracker.bootstrap import Tracker, make_service
from tracker.domain.times import TimeOutOfRange
from tracker.errors import TrackerError, UnknownDesignation, UnknownFeed
from tracker.store.codec import Unstorable


def create_app(tracker: Tracker, *, background: bool = False) -> FastAPI:
    """The app over a built tracker; with `background`, it also polls and delivers."""
    service = make_service(tracker)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await service.start(background=background)
        try:
            yield
        finally:
            await service.stop()

    app = FastAPI(title="Designation tracker", version="1", lifespan=lifespan,
                  dependencies=[Depends(reject_unknown_query)],
                  description="Where each tracked terrorist-list designation stands, "
                              "derived from news feeds through an append-only log.")
    app.state.tracker = tracker
    app.state.service = service
    for module in (status, atom, operations, admin, webhooks, page):
        app.include_router(module.router)
    _errors(app)
    # The routers whose every route needs the token (as their own dependencies say).
    app.add_middleware(BodyGuard, admin_routes=[*admin.router.routes, *webhooks.router.routes],
                       admin_token=lambda: tracker.settings.admin_token)
    app.state.current = SharedRead(status.read_current(tracker))
    route = next(r for r in status.router.routes if r.path == "/status/{designation}")
    app.add_middleware(status.CurrentStatus, current=app.state.current,
                       designations=tracker.catalog.designations, route=route)
    app.add_middleware(Timing, histogram=tracker.metrics.requests)
    app.add_middleware(SecurityHeaders)
    return app


def _errors(app: FastAPI) -> None:
    @app.exception_handler(UnknownDesignation)
    @app.exception_handler(UnknownFeed)
    async def not_found(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(TimeOutOfRange)
    @app.exception_handler(Unstorable)
    async def unstorable(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(TrackerError)
    async def refused(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(OperationalError)
    async def database_down(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": "the database is unavailable; try again shortly"},
                            status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"],
                   **({"input": e["input"]} if _plain(e.get("input")) else {})}
                  for e in exc.errors()]
        return JSONResponse({"detail": errors}, status_code=422)


def _plain(value: Any) -> bool:
    """Whether an input is worth echoing in a 422: short, and text JSON can carry."""
    if isinstance(value, str):
        return len(value) < 200 and not any("\ud800" <= c <= "\udfff" for c in value)
    return isinstance(value, int | float | bool)


class Timing:
    """Request latency by route, as a plain ASGI middleware (cheap on the hot path)."""

    def __init__(self, app: Any, histogram: Any) -> None:
        self.app, self.histogram = app, histogram

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = [500]

        async def send_status(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.histogram.labels(scope["method"], route, status[0]).observe(
                time.perf_counter() - start)
