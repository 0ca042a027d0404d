"""Webhook subscriptions and their deliveries (admin)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError

from tracker.api.deps import Admin, TrackerDep
from tracker.api.schemas import (
    DeliveryOut,
    NewSubscription,
    Problem,
    RotatedSecret,
    SecretRotation,
    SubscriptionIn,
    SubscriptionOut,
)
from tracker.outbound import redacted
from tracker.webhooks import subscriptions as subs
from tracker.webhooks.dispatcher import retry
from tracker.webhooks.targets import UnsafeTarget, check_subscription

router = APIRouter(prefix="/webhooks", dependencies=[Admin], tags=["webhooks"],
                   responses={401: {"model": Problem, "description": "no or wrong admin token"}})
NOT_FOUND = {404: {"model": Problem, "description": "no such subscription or delivery"}}


def _invalid(field: str, value: object, why: str) -> RequestValidationError:
    if isinstance(value, str):  # echoed back: no user name, password or line break
        value = redacted(value)
    return RequestValidationError([{"loc": ["body", field], "msg": why, "type": "value_error",
                                    "input": value}])


@router.post("", response_model=NewSubscription, status_code=201)
async def subscribe(tracker: TrackerDep, body: SubscriptionIn) -> dict:
    """Subscribe a URL to status changes; the answer carries its whsec_ secret."""
    unknown = [d for d in body.designations or [] if d not in tracker.catalog.designations]
    if unknown:
        raise _invalid("designations", unknown, f"not tracked: {', '.join(unknown)}")
    if body.secret is not None and not subs.valid_secret(body.secret):
        raise _invalid("secret", "whsec_…",
                       "a secret is 'whsec_' and base64 of at least 24 random bytes")
    try:
        await check_subscription(body.url, tracker.settings.webhook_allow_private)
    except UnsafeTarget as exc:
        raise _invalid("url", body.url, str(exc)) from None
    return subs.subscribe(tracker.engine, tracker.log, body.url, body.designations, body.secret)


@router.get("", response_model=list[SubscriptionOut])
def list_subscriptions(tracker: TrackerDep) -> list[dict]:
    return subs.listing(tracker.engine)


@router.delete("/{subscription}", status_code=204, responses=NOT_FOUND)
def unsubscribe(tracker: TrackerDep, subscription: str) -> Response:
    if not subs.remove(tracker.engine, subscription):
        raise HTTPException(404, f"no subscription {subscription!r}")
    return Response(status_code=204)


@router.post("/{subscription}/secret", response_model=RotatedSecret, responses=NOT_FOUND)
def rotate_secret(tracker: TrackerDep, subscription: str,
                  body: SecretRotation | None = None) -> dict:
    """A new signing secret; the previous one goes on signing beside it for the grace period
    (a day unless said), so that receivers can switch without missing a delivery."""
    body = body or SecretRotation()
    if body.secret is not None and not subs.valid_secret(body.secret):
        raise _invalid("secret", "whsec_…",
                       "a secret is 'whsec_' and base64 of at least 24 random bytes")
    rotated = subs.rotate(tracker.engine, subscription, body.secret, body.grace_seconds)
    if rotated is None:
        raise HTTPException(404, f"no subscription {subscription!r}")
    return rotated


@router.get("/{subscription}/deliveries", response_model=list[DeliveryOut], responses=NOT_FOUND)
def list_deliveries(tracker: TrackerDep, subscription: str) -> list[dict]:
    """Every delivery, oldest first, with each attempt: time, status code, error, next retry."""
    if not subs.exists(tracker.engine, subscription):
        raise HTTPException(404, f"no subscription {subscription!r}")
    return subs.delivery_log(tracker.engine, subscription)


@router.post("/{subscription}/deliveries/{delivery}/retry", status_code=202,
             response_model=DeliveryOut, responses=NOT_FOUND)
def retry_delivery(request: Request, tracker: TrackerDep, subscription: str,
                   delivery: str) -> dict:
    """Send a delivery again now (after it was marked failed, say), with the same webhook-id."""
    found = [d for d in subs.delivery_log(tracker.engine, subscription) if d["id"] == delivery]
    if not found or not retry(tracker.engine, delivery):
        raise HTTPException(404, f"no delivery {delivery!r} for subscription {subscription!r}")
    request.app.state.service.wake()
    return next(d for d in subs.delivery_log(tracker.engine, subscription) if d["id"] == delivery)
