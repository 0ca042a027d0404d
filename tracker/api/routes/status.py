"""Status, history and the list of designations."""

from __future__ import annotations

import hashlib
import time
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from starlette.concurrency import run_in_threadpool

from tracker import views
from tracker.api.deps import TrackerDep
from tracker.api.schemas import DesignationOut, HistoryOut, Problem, QueryTime, StatusOut
from tracker.bootstrap import Tracker

router = APIRouter(tags=["status"])

AsOf = Annotated[QueryTime | None, Query(
    description="the status as effective at this time (by publication date of the articles), "
                "ISO 8601: 2024-06-01, 20240601, 2024-06-01T12:00+03:00; UTC when no offset")]
KnownAt = Annotated[QueryTime | None, Query(
    description="the status as the service had recorded it at this time (what it knew then), "
                "ISO 8601 as for as_of")]
NOT_FOUND = {404: {"model": Problem, "description": "no such designation"}}


# The current status is read at most this often per designation and process: under load,
# requests share one read (a change shows within this time, never out of order).
FRESH_SECONDS = 0.25
_recent: dict[tuple[int, str], tuple[float, str, str]] = {}


@router.get("/status/{designation}", response_model=StatusOut,
            responses={**NOT_FOUND, 304: {"description": "unchanged since the given ETag"}})
async def get_status(tracker: TrackerDep, designation: str, as_of: AsOf = None,
                     known_at: KnownAt = None,
                     if_none_match: Annotated[str | None, Header()] = None) -> Response:
    """The designation's current stage, since when, the evidence and the history."""
    if as_of is None and known_at is None:
        body, etag = await _current(tracker, designation)
    else:
        body = await run_in_threadpool(views.status_json, tracker, designation, as_of, known_at)
        etag = _etag(body)
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if if_none_match and matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match's weak comparison (RFC 9110 13.1.2): `W/"x"`, as a compressing proxy
    sends back, matches `"x"`; `*` matches any current representation."""
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or etag in (t.removeprefix("W/") for t in tags)


def forget_recent() -> None:
    _recent.clear()


async def _current(tracker: Tracker, designation: str) -> tuple[str, str]:
    key = (id(tracker), designation)
    now = time.monotonic()
    hit = _recent.get(key)
    if hit is None or hit[0] < now:
        body = await run_in_threadpool(views.status_json, tracker, designation)
        hit = _recent[key] = (now + FRESH_SECONDS, body, _etag(body))
    return hit[1], hit[2]


def _etag(body: str) -> str:
    return '"' + hashlib.blake2b(body.encode(), digest_size=12).hexdigest() + '"'


@router.get("/status/{designation}/history", response_model=HistoryOut, responses=NOT_FOUND)
def get_history(tracker: TrackerDep, designation: str, as_of: AsOf = None,
                known_at: KnownAt = None) -> dict:
    """The transitions, oldest first, each with the evidence behind it."""
    return views.history(tracker, designation, as_of, known_at)


@router.get("/designations", response_model=list[DesignationOut])
def get_designations(tracker: TrackerDep) -> list[dict]:
    """Every tracked designation with its current stage."""
    return views.designations(tracker)
