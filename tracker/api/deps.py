"""The dependencies routes declare: the tracker, and the admin's bearer token."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tracker.bootstrap import Tracker

_bearer = HTTPBearer(auto_error=False, description="TRACKER_ADMIN_TOKEN")


def get_tracker(request: Request) -> Tracker:
    return request.app.state.tracker


def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    expected = get_tracker(request).settings.admin_token
    given = credentials.credentials if credentials else ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "admin endpoints need 'Authorization: Bearer <TRACKER_ADMIN_TOKEN>'"
            + ("" if expected else "; no admin token is set on this service"),
            headers={"WWW-Authenticate": "Bearer"})


TrackerDep = Annotated[Tracker, Depends(get_tracker)]
Admin = Depends(require_admin)
