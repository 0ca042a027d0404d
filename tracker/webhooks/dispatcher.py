"""Sending the outbox: leased, in log order per subscription, retried with growing delays.

Several instances share the work: a delivery is leased by a conditional update, so each is
sent by one instance at a time, and one leased by an instance that died is taken over when
its lease runs out. Per subscription only the oldest pending delivery is eligible, so a
receiver never sees a later transition before an earlier one; a delivery marked failed after
its last retry no longer holds the later ones back.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import Engine, and_, func, insert, select, update

from tracker.config import Settings
from tracker.metrics import Metrics
from tracker.store.database import writing
from tracker.webhooks.sender import SendResult, send
from tracker.webhooks.tables import attempts, deliveries, subscriptions

log = logging.getLogger("tracker.webhooks")
LEASE_MARGIN = 30.0


def now_iso(at: float | None = None) -> str:
    return datetime.fromtimestamp(at if at is not None else time.time(), UTC).isoformat()


@dataclass(frozen=True)
class Claimed:
    id: str
    subscription_id: str
    url: str
    secret: str
    payload: str
    attempts: int
    recorded_at: str


class Dispatcher:
    def __init__(self, engine: Engine, settings: Settings, metrics: Metrics, owner: str,
                 client: httpx.AsyncClient) -> None:
        self.engine, self.settings, self.metrics = engine, settings, metrics
        self.owner, self.client = owner, client
        self.delays = settings.retry_delays
        self.rng = random.Random()

    def claim(self, limit: int = 200) -> list[Claimed]:
        """Lease the oldest due delivery of each subscription."""
        now = time.time()
        d, s = deliveries, subscriptions
        older = deliveries.alias("older")
        oldest = (select(func.min(older.c.position)).where(
            and_(older.c.subscription_id == d.c.subscription_id,
                 older.c.status == "pending")).scalar_subquery())
        free = (d.c.lease_until.is_(None)) | (d.c.lease_until < now)
        query = (select(d.c.id, d.c.subscription_id, s.c.url, s.c.secret, d.c.payload,
                        d.c.attempts, d.c.recorded_at)
                 .join(s, s.c.id == d.c.subscription_id)
                 .where(d.c.status == "pending", d.c.next_attempt_at <= now, free,
                        s.c.deleted.is_(False), s.c.disabled_reason.is_(None),
                        d.c.position == oldest)
                 .limit(limit))
        lease = now + self.settings.webhook_timeout + LEASE_MARGIN
        out = []
        with writing(self.engine) as conn:
            for row in conn.execute(query).all():
                taken = conn.execute(update(deliveries).where(
                    deliveries.c.id == row.id, deliveries.c.status == "pending",
                    (deliveries.c.lease_until.is_(None)) | (deliveries.c.lease_until < now),
                ).values(lease_owner=self.owner, lease_until=lease)).rowcount
                if taken:
                    out.append(Claimed(*row))
        return out

    async def run_once(self) -> int:
        """Send what is due now and wait for the answers; return how many were attempted."""
        claimed = await asyncio.to_thread(self.claim)
        await asyncio.gather(*(self.deliver(c) for c in claimed))
        return len(claimed)

    async def deliver(self, c: Claimed) -> None:
        result = await send(self.client, c.url, c.secret, c.id, c.payload,
                            self.settings.webhook_timeout, self.settings.webhook_allow_private)
        await asyncio.to_thread(self.record, [(c, result)])

    def record(self, outcomes: list[tuple[Claimed, SendResult]]) -> None:
        now = time.time()
        with writing(self.engine) as conn:
            for c, result in outcomes:
                attempt = c.attempts + 1
                values: dict[str, Any] = {"attempts": attempt, "lease_owner": None,
                                          "lease_until": None,
                                          "last_status_code": result.status_code,
                                          "last_error": result.error}
                next_retry = None
                if result.ok:
                    values.update(status="delivered", delivered_at=now_iso(now))
                    committed = datetime.fromisoformat(c.recorded_at.replace("Z", "+00:00"))
                    self.metrics.delivery_latency.observe(max(0.0, now - committed.timestamp()))
                    outcome = "delivered"
                elif result.status_code == 410:
                    values.update(status="failed")
                    conn.execute(update(subscriptions).where(subscriptions.c.id == c.subscription_id)
                                 .values(disabled_reason="the receiver answered 410 Gone"))
                    outcome = "gone"
                elif attempt > len(self.delays):
                    values.update(status="failed")
                    outcome = "failed"
                else:
                    delay = self.delays[attempt - 1] * self.rng.uniform(0.8, 1.2)
                    next_retry = now + delay
                    values.update(next_attempt_at=next_retry)
                    outcome = "retry"
                conn.execute(update(deliveries).where(deliveries.c.id == c.id).values(**values))
                conn.execute(insert(attempts).values(
                    delivery_id=c.id, attempt=attempt, at=now_iso(now),
                    status_code=result.status_code, error=result.error,
                    duration_ms=result.duration_ms,
                    next_retry_at=now_iso(next_retry) if next_retry else None))
                self.metrics.deliveries.labels(outcome).inc()
                level = logging.INFO if result.ok else logging.WARNING
                log.log(level, "delivery %s to %s: %s%s", c.id, c.url, outcome,
                        f" ({result.error})" if result.error else "")

    def next_due(self) -> float | None:
        """When the next pending delivery is due (epoch seconds), if any."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.min(deliveries.c.next_attempt_at)).where(
                deliveries.c.status == "pending")).scalar()


def retry(engine: Engine, delivery: str) -> bool:
    """Send a failed delivery again, now, with a fresh schedule of retries."""
    with writing(engine) as conn:
        return bool(conn.execute(update(deliveries).where(deliveries.c.id == delivery).values(
            status="pending", attempts=0, next_attempt_at=time.time(), lease_owner=None,
            lease_until=None)).rowcount)


