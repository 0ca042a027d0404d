"""The dependencies routes declare: the tracker, and the admin's bearer token."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tracker.bootstrap import Tracker

_bearer = HTTPBearer(auto_error=False, description="TRACKER_ADMIN_TOKEN")


async def get_tracker(request: Request) -> Tracker:
    """Async, so that FastAPI calls it on the event loop instead of a worker thread."""
    return request.app.state.tracker


def admin_refusal(expected: str | None, given: str) -> str | None:
    """Why a bearer token does not open the admin endpoints, or None when it does."""
    if expected and hmac.compare_digest(given.encode(errors="surrogateescape"),
                                        expected.encode()):
        return None
    return ("admin endpoints need 'Authorization: Bearer <TRACKER_ADMIN_TOKEN>'"
            + ("" if expected else "; no admin token is set on this service"))


def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    why = admin_refusal(request.app.state.tracker.settings.admin_token,
                        credentials.credentials if credentials else "")
    if why:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, why,
                            headers={"WWW-Authenticate": "Bearer"})


TrackerDep = Annotated[Tracker, Depends(get_tracker)]
Admin = Depends(require_admin)


async def reject_unknown_query(request: Request) -> None:
    """A misspelt parameter (`?asof=`) is a 422, never silently the current status.
    (Async, so that it runs on the event loop rather than taking a worker thread.)"""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    accepted = set(_query_names(route.dependant))
    unknown = [name for name in request.query_params if name not in accepted]
    if unknown:
        takes = ", ".join(sorted(accepted)) or "no query parameters"
        raise RequestValidationError([
            {"type": "extra_forbidden", "loc": ("query", name), "input": request.query_params[name],
             "msg": f"unknown query parameter; this endpoint takes: {takes}"}
            for name in dict.fromkeys(unknown)])


def _query_names(dependant: Dependant) -> Iterator[str]:
    yield from (p.alias for p in dependant.query_params)
    for sub in dependant.dependencies:
        yield from _query_names(sub)
