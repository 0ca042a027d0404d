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
    why = admin_refusal(get_tracker(request).settings.admin_token,
                        credentials.credentials if credentials else "")
    if why:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, why,
                            headers={"WWW-Authenticate": "Bearer"})


TrackerDep = Annotated[Tracker, Depends(get_tracker)]
Admin = Depends(require_admin)
