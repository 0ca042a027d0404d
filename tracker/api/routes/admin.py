"""Admin actions: poll a feed now, and analysts' overrides."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.exceptions import RequestValidationError

from tracker.api.deps import Admin, TrackerDep
from tracker.api.routes import status
from tracker.api.schemas import OverrideOut, PollOut, Problem, RejectEvidence, SetStage
from tracker.domain.events import EvidenceRejected, StageOverridden
from tracker.errors import UnknownDesignation, UnknownFeed


def invalid(field: str, value: str, why: str) -> RequestValidationError:
    """A 422 in the same shape as FastAPI's own, for a value only the tracker can judge."""
    return RequestValidationError([{"loc": ["body", field], "msg": why, "type": "value_error",
                                    "input": value}])


router = APIRouter(dependencies=[Admin], tags=["admin"],
                   responses={401: {"model": Problem, "description": "no or wrong admin token"}})


@router.post("/feeds/{feed}/poll", response_model=PollOut,
             responses={404: {"model": Problem}, 409: {"model": Problem}})
async def poll_feed(request: Request, tracker: TrackerDep, feed: str) -> dict:
    """Poll one feed (or official list) now, whatever its schedule."""
    if feed not in tracker.catalog.feeds and feed not in tracker.catalog.lists:
        raise UnknownFeed(feed)
    report = await request.app.state.service.poll_now(feed)
    if report is None:
        raise HTTPException(409, f"feed {feed!r} is being polled by another instance right now")
    return report.__dict__


@router.post("/designations/{designation}/overrides", response_model=OverrideOut,
             status_code=201, responses={404: {"model": Problem}})
def override(request: Request, tracker: TrackerDep, designation: str,
             body: SetStage | RejectEvidence) -> dict:
    """Set the stage, or reject one piece of evidence, with a reason; recorded in the log."""
    target = tracker.catalog.designations.get(designation)
    if target is None:
        raise UnknownDesignation(designation)
    event: StageOverridden | EvidenceRejected
    if isinstance(body, SetStage):
        if body.stage is not None and body.stage not in target.stages:
            raise invalid("stage", body.stage, f"not one of {list(target.stages)}")
        effective = body.effective_at or datetime.now(UTC)
        event = StageOverridden(designation, body.stage, body.reason, effective, body.analyst)
    else:
        if body.observation_id not in tracker.writer.state(designation).readings:
            raise invalid("observation_id", body.observation_id,
                          f"no evidence for {designation!r} comes from this observation")
        event = EvidenceRejected(designation, body.observation_id, body.reason, body.analyst)
    written = tracker.writer.record(designation, [event])
    tracker.project()
    status.forget_recent()  # this process answers with the new stage at once
    request.app.state.service.wake()  # a status change goes out to webhooks now
    first = written[0]
    return {"designation": designation, "position": first.position, "type": first.type,
            "stage": tracker.writer.state(designation).timeline().stage}
