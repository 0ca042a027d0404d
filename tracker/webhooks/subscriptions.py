"""Subscribing, listing, removing; and the deliveries of a subscription."""

from __future__ import annotations

import base64
import json
import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select, update

from tracker.store.database import writing
from tracker.store.log import EventLog, now_iso
from tracker.webhooks import keyring
from tracker.webhooks.tables import attempts, deliveries, subscriptions

_SECRET = re.compile(r"^whsec_[A-Za-z0-9+/]{32,}={0,2}$")
MIN_SECRET_BYTES = 24
# 24 random bytes repeat a value once or twice at most; a secret with fewer distinct bytes
# than this (18 zero bytes, "aaaa...") was not drawn at random.
MIN_DISTINCT_BYTES = 16


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def valid_secret(secret: str) -> bool:
    """Whether a caller's secret is `whsec_` and base64 of at least 24 random-looking bytes."""
    if not _SECRET.match(secret):
        return False
    try:
        raw = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except ValueError:
        return False
    return len(raw) >= MIN_SECRET_BYTES and len(set(raw)) >= MIN_DISTINCT_BYTES


def subscribe(engine: Engine, log: EventLog, url: str, designations: list[str] | None,
              secret: str | None) -> dict[str, Any]:
    """A new subscription; it receives the transitions recorded from now on."""
    row = {"id": "sub_" + uuid.uuid4().hex[:16], "url": url,
           "designations": json.dumps(designations) if designations is not None else None,
           "secret": secret or new_secret(), "created_at": now_iso(),
           "from_position": log.head()[0], "disabled_reason": None, "deleted": False}
    with writing(engine) as conn:
        conn.execute(insert(subscriptions).values(**row))
    return public(row, with_secret=True)


def public(row: Any, with_secret: bool = False) -> dict[str, Any]:
    data = dict(row) if isinstance(row, dict) else dict(row._mapping)
    out = {"id": data["id"], "url": data["url"],
           "designations": json.loads(data["designations"]) if data["designations"] else None,
           "created_at": data["created_at"], "disabled_reason": data["disabled_reason"]}
    if with_secret:
        out["secret"] = keyring.current(data["secret"])
    return out


def listing(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(subscriptions).where(subscriptions.c.deleted.is_(False))
                            .order_by(subscriptions.c.created_at)).all()
    return [public(r) for r in rows]


def remove(engine: Engine, subscription: str) -> bool:
    """Delete a subscription; its secret is not kept."""
    with writing(engine) as conn:
        return bool(conn.execute(update(subscriptions).where(
            subscriptions.c.id == subscription, subscriptions.c.deleted.is_(False),
        ).values(deleted=True, secret="")).rowcount)


def rotate(engine: Engine, subscription: str, secret: str | None,
           grace_seconds: float) -> dict[str, Any] | None:
    """A new signing secret; the current one goes on signing beside it for the grace period
    (one rotated before replaces any older previous one). None if no such subscription."""
    new = secret or new_secret()
    until = datetime.now(UTC) + timedelta(seconds=grace_seconds)
    with writing(engine) as conn:
        row = conn.execute(select(subscriptions.c.secret).where(
            subscriptions.c.id == subscription, subscriptions.c.deleted.is_(False))).first()
        if row is None:
            return None
        old = keyring.current(row.secret)
        stored = keyring.pack(new, old, until) if grace_seconds > 0 else new
        conn.execute(update(subscriptions).where(subscriptions.c.id == subscription)
                     .values(secret=stored))
    return {"id": subscription, "secret": new,
            "previous_valid_until": until.isoformat().replace("+00:00", "Z")
            if grace_seconds > 0 else None}


def exists(engine: Engine, subscription: str) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(subscriptions.c.id).where(
            subscriptions.c.id == subscription, subscriptions.c.deleted.is_(False))).first() \
            is not None


def delivery_log(engine: Engine, subscription: str) -> list[dict[str, Any]]:
    """Each delivery with every attempt: time, status code, error, next retry."""
    with engine.connect() as conn:
        rows = conn.execute(select(deliveries).where(deliveries.c.subscription_id == subscription)
                            .order_by(deliveries.c.position)).all()
        tries = conn.execute(select(attempts).where(attempts.c.delivery_id.in_(
            [r.id for r in rows])).order_by(attempts.c.id)).all() if rows else []
    by_delivery: dict[str, list[dict[str, Any]]] = {}
    for t in tries:
        by_delivery.setdefault(t.delivery_id, []).append(
            {"attempt": t.attempt, "at": _z(t.at), "status_code": t.status_code,
             "error": t.error, "duration_ms": t.duration_ms, "next_retry_at": _z(t.next_retry_at)})
    return [{"id": r.id, "position": r.position, "status": r.status, "attempts": r.attempts,
             "last_status_code": r.last_status_code, "last_error": r.last_error,
             "delivered_at": _z(r.delivered_at), "payload": json.loads(r.payload),
             "history": by_delivery.get(r.id, [])} for r in rows]


def _z(value: str | None) -> str | None:
    """A time written before attempts were stamped in the log's format (`+00:00`), with `Z`."""
    return value.replace("+00:00", "Z") if value else value
