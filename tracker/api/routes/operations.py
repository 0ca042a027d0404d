"""The raw log for audits, the feeds' and lists' health, liveness and metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from tracker import views
from tracker.api.deps import TrackerDep
from tracker.api.schemas import EventsPage, FeedOut, Health, ListOut

router = APIRouter()
MAX_POSITION = 2**63 - 1  # the largest position a BIGINT column holds


@router.get("/events", response_model=EventsPage, tags=["audit"])
def get_events(tracker: TrackerDep,
               after: Annotated[int, Query(ge=0, le=MAX_POSITION,
                                           description="the last position already read")] = 0,
               limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict:
    """The log in order, from after the given position."""
    return views.events(tracker.log, after, limit)


@router.get("/feeds", response_model=list[FeedOut], tags=["feeds"])
def get_feeds(tracker: TrackerDep) -> list[dict]:
    """Each feed's health: last poll, last success, failures, last error, next poll."""
    return views.feeds(tracker.engine, tracker.catalog)


@router.get("/lists", response_model=list[ListOut], tags=["feeds"])
def get_lists(tracker: TrackerDep) -> list[dict]:
    """Each official list's health, as for feeds, and how many entries it holds."""
    return views.lists(tracker.engine, tracker.log, tracker.catalog)


@router.get("/healthz", response_model=Health, tags=["operations"])
def healthz(tracker: TrackerDep) -> dict:
    """Liveness: the service answers and its database does; `degraded` names each follower
    of the log that stopped before an event it cannot apply (it serves what it had)."""
    stopped = [{"follower": s.follower, "position": s.position, "reason": s.reason}
               for s in tracker.stopped()]
    return {"status": "degraded" if stopped else "ok", "position": tracker.log.head()[0],
            "stopped": stopped}


@router.get("/metrics", tags=["operations"], response_class=Response,
            responses={200: {"content": {CONTENT_TYPE_LATEST: {}},
                             "description": "Prometheus metrics"}})
def metrics(tracker: TrackerDep) -> Response:
    """Prometheus metrics."""
    tracker.push_metrics()
    return Response(generate_latest(tracker.metrics.registry), media_type=CONTENT_TYPE_LATEST)
