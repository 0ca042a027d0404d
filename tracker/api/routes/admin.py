"""Admin actions: poll a feed now, and analysts' overrides."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.exceptions import RequestValidationError

from tracker.api.deps import Admin, TrackerDep
from tracker.api.schemas import (
    OverrideOut,
    PollOut,
    Problem,
    RejectEvidence,
    SetStage,
    WithdrawOverride,
)
from tracker.errors import UnknownFeed
from tracker.services import overrides


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
             body: SetStage | RejectEvidence | WithdrawOverride) -> dict:
    """An analyst's decision, recorded in the log: set the stage (`stage`), reject one piece
    of evidence (`observation_id`), or withdraw an earlier override (`withdraw`: its
    position), handing the designation back to its evidence. Each needs a reason."""
    writer, following = tracker.writer, tracker.following
    try:
        if isinstance(body, SetStage):
            decided = overrides.set_stage(writer, following, designation, body.stage,
                                          body.reason, body.effective_at, body.analyst)
        elif isinstance(body, RejectEvidence):
            decided = overrides.reject_evidence(writer, following, designation, body.observation_id,
                                                body.reason, body.analyst)
        else:
            decided = overrides.withdraw_override(writer, following, designation, body.withdraw,
                                                  body.reason, body.analyst)
    except overrides.Refused as exc:
        field = "withdraw" if exc.field == "override_position" else exc.field
        raise invalid(field, str(exc.value), exc.why) from None
    request.app.state.current.forget()  # this process answers with the new stage at once
    request.app.state.service.wake()  # a status change goes out to webhooks now
    return decided.__dict__
