"""Status, history and the list of designations."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Container
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from tracker import views
from tracker.api.deps import TrackerDep
from tracker.api.schemas import DesignationOut, HistoryOut, Problem, QueryTime, StatusOut
from tracker.api.shared_read import SharedRead
from tracker.bootstrap import Tracker

router = APIRouter(tags=["status"])

AsOf = Annotated[QueryTime | None, Query(
    description="the status as effective at this time (by publication date of the articles), "
                "ISO 8601: 2024-06-01, 20240601, 2024-06-01T12:00+03:00; UTC when no offset")]
KnownAt = Annotated[QueryTime | None, Query(
    description="the status as the service had recorded it at this time (what it knew then), "
                "ISO 8601 as for as_of")]
NOT_FOUND = {404: {"model": Problem, "description": "no such designation"}}


@router.get("/status/{designation}", response_model=StatusOut,
            responses={**NOT_FOUND, 304: {"description": "unchanged since the given ETag"}})
async def get_status(request: Request, designation: str, as_of: AsOf = None,
                     known_at: KnownAt = None,
                     if_none_match: Annotated[str | None, Header()] = None) -> Response:
    """The designation's current stage, since when, the evidence and the history."""
    tracker = request.app.state.tracker  # not a dependency: the hot path solves fewer
    if as_of is None and known_at is None:
        body, etag = await request.app.state.current.get(designation)
    else:
        body = await run_in_threadpool(views.status_json, tracker.engine, tracker.catalog,
                                       designation, as_of, known_at)
        etag = _etag(body)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if if_none_match and matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


# A status changes a few times a year: a cache may keep an answer a minute, and serve it a
# while longer as it revalidates (the ETag makes that a 304). Webhooks carry each change.
CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=300"


class CurrentStatus:
    """A plain ASGI middleware that answers the hottest request, the current status (`GET
    /status/{d}` with no query), from the shared read before FastAPI routes it and solves
    its parameters (which cost more than the answer). Anything else, and any failure, goes
    to the app, which answers as the route above does."""

    def __init__(self, app: Any, current: SharedRead, designations: Container[str],
                 route: Any) -> None:
        self.app, self.current, self.designations, self.route = app, current, designations, route

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if (scope["type"] != "http" or scope["method"] != "GET" or scope["query_string"]
                or not path.startswith("/status/") or path[8:] not in self.designations):
            await self.app(scope, receive, send)
            return
        try:
            body, etag = await self.current.get(path[8:])
        except Exception:  # the app answers it, as for any other request
            await self.app(scope, receive, send)
            return
        scope["route"] = self.route  # for the latency metric's label
        given = next((v for k, v in scope["headers"] if k == b"if-none-match"), None)
        fresh = given is not None and matches(given.decode("latin-1"), etag)
        content = b"" if fresh else body.encode()
        headers = [(b"etag", etag.encode()), (b"cache-control", CACHE_CONTROL.encode())]
        if not fresh:
            headers += [(b"content-length", str(len(content)).encode()),
                        (b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 304 if fresh else 200,
                    "headers": headers})
        await send({"type": "http.response.body", "body": content})


def matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match's weak comparison (RFC 9110 13.1.2): `W/"x"`, as a compressing proxy
    sends back, matches `"x"`; `*` matches any current representation."""
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or etag in (t.removeprefix("W/") for t in tags)


def read_current(tracker: Tracker) -> Callable[[str], tuple[str, str]]:
    """What the shared read runs: the status document and its ETag."""
    def read(designation: str) -> tuple[str, str]:
        body = views.status_json(tracker.engine, tracker.catalog, designation)
        return body, _etag(body)
    return read


def _etag(body: str) -> str:
    return '"' + hashlib.blake2b(body.encode(), digest_size=12).hexdigest() + '"'


@router.get("/status/{designation}/history", response_model=HistoryOut, responses=NOT_FOUND)
def get_history(tracker: TrackerDep, designation: str, as_of: AsOf = None,
                known_at: KnownAt = None) -> dict:
    """The transitions, oldest first, each with the evidence behind it."""
    return views.history(tracker.engine, tracker.catalog, designation, as_of, known_at)


@router.get("/designations", response_model=list[DesignationOut],
            responses={304: {"description": "unchanged since the given ETag"}})
async def get_designations(tracker: TrackerDep,
                           if_none_match: Annotated[str | None, Header()] = None) -> Response:
    """Every tracked designation with its current stage."""
    body = json.dumps(await run_in_threadpool(views.designations, tracker.engine, tracker.catalog))
    etag = _etag(body)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if if_none_match and matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
