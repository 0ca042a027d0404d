"""Status, history and the list of designations."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from tracker import views
from tracker.api.deps import TrackerDep
from tracker.api.schemas import DesignationOut, HistoryOut, Problem, StatusOut

router = APIRouter(tags=["status"])

AsOf = Annotated[datetime | None, Query(
    description="the status as effective at this time (by publication), ISO 8601")]
KnownAt = Annotated[datetime | None, Query(
    description="the status as the service had recorded it at this time, ISO 8601")]
NOT_FOUND = {404: {"model": Problem, "description": "no such designation"}}


@router.get("/status/{designation}", response_model=StatusOut,
            responses={**NOT_FOUND, 304: {"description": "unchanged since the given ETag"}})
def get_status(tracker: TrackerDep, designation: str, as_of: AsOf = None,
               known_at: KnownAt = None,
               if_none_match: Annotated[str | None, Header()] = None) -> Response:
    """The designation's current stage, since when, the evidence and the history."""
    body = views.status_json(tracker, designation, as_of, known_at)
    etag = '"' + hashlib.blake2b(body.encode(), digest_size=12).hexdigest() + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if if_none_match and etag in (t.strip() for t in if_none_match.split(",")):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


@router.get("/status/{designation}/history", response_model=HistoryOut, responses=NOT_FOUND)
def get_history(tracker: TrackerDep, designation: str, as_of: AsOf = None,
                known_at: KnownAt = None) -> dict:
    """The transitions, oldest first, each with the evidence behind it."""
    return views.history(tracker, designation, as_of, known_at)


@router.get("/designations", response_model=list[DesignationOut])
def get_designations(tracker: TrackerDep) -> list[dict]:
    """Every tracked designation with its current stage."""
    return views.designations(tracker)
