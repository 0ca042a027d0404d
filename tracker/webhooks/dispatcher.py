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
from sqlalchemy import Engine, func, insert, select, text, update

from tracker.config import Settings
from tracker.metrics import Metrics
from tracker.store.database import writing
from tracker.webhooks.sender import SendResult, send
from tracker.webhooks.tables import attempts, deliveries, subscriptions

log = logging.getLogger("tracker.webhooks")
LEASE_MARGIN = 30.0
RUN = 25  # deliveries of one subscription leased and sent back to back

# The oldest pending deliveries of each subscription whose oldest is due and free.
CLAIM = """
SELECT d.id, d.subscription_id, s.url, s.secret, d.payload, d.attempts, d.recorded_at
FROM (SELECT id, subscription_id, position, payload, attempts, recorded_at, next_attempt_at,
             lease_until,
             ROW_NUMBER() OVER (PARTITION BY subscription_id ORDER BY position) AS n
      FROM webhook_deliveries WHERE status = 'pending') AS d
JOIN webhook_subscriptions AS s ON s.id = d.subscription_id
WHERE d.n <= :run AND NOT s.deleted AND s.disabled_reason IS NULL
  AND (d.lease_until IS NULL OR d.lease_until < :now)
  AND d.subscription_id IN (
      SELECT subscription_id FROM webhook_deliveries AS h
      WHERE h.status = 'pending' AND h.next_attempt_at <= :now
        AND (h.lease_until IS NULL OR h.lease_until < :now)
        AND h.position = (SELECT MIN(position) FROM webhook_deliveries AS o
                          WHERE o.subscription_id = h.subscription_id AND o.status = 'pending'))
ORDER BY d.subscription_id, d.position
"""


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
    lease_until: float


class Dispatcher:
    def __init__(self, engine: Engine, settings: Settings, metrics: Metrics, owner: str,
                 client: httpx.AsyncClient) -> None:
        self.engine, self.settings, self.metrics = engine, settings, metrics
        self.owner, self.client = owner, client
        self.delays = settings.retry_delays
        self.rng = random.Random()

    def claim(self, run: int = RUN) -> list[list[Claimed]]:
        """Lease, for each subscription whose oldest pending delivery is due and free, its
        oldest pending deliveries (up to `run`), in log order."""
        now = time.time()
        lease = now + self.settings.webhook_timeout + LEASE_MARGIN
        with writing(self.engine) as conn:
            rows = conn.execute(text(CLAIM), {"now": now, "run": run}).all()
            if not rows:
                return []
            ids = [r.id for r in rows]
            conn.execute(update(deliveries).where(
                deliveries.c.id.in_(ids), deliveries.c.status == "pending",
                (deliveries.c.lease_until.is_(None)) | (deliveries.c.lease_until < now),
            ).values(lease_owner=self.owner, lease_until=lease))
            mine = set(conn.execute(select(deliveries.c.id).where(
                deliveries.c.id.in_(ids), deliveries.c.lease_owner == self.owner,
                deliveries.c.lease_until == lease)).scalars())
        runs: dict[str, list[Claimed]] = {}
        for r in rows:  # ordered by subscription, then position
            if r.id in mine:
                runs.setdefault(r.subscription_id, []).append(Claimed(*r[:7], lease))
        return list(runs.values())

    async def run_once(self) -> int:
        """Send what is due now and record the answers; return how many were attempted."""
        runs = await asyncio.to_thread(self.claim)
        outcomes = [o for done in await asyncio.gather(*(self.send_run(r) for r in runs))
                    for o in done]
        await asyncio.to_thread(self.record, outcomes)
        return len(outcomes)

    async def send_run(self, run: list[Claimed]) -> list[tuple[Claimed, SendResult]]:
        """One subscription's deliveries, one after another, stopping at the first that is
        not accepted (its retry comes first) or when the lease would run out; the rest are
        released for the next round."""
        done: list[tuple[Claimed, SendResult]] = []
        for c in run:
            if time.time() + self.settings.webhook_timeout > c.lease_until:
                break
            result = await self.send(c)
            done.append((c, result))
            if not result.ok:
                break
        rest = [c.id for c in run[len(done):]]
        if rest:
            await asyncio.to_thread(self.release, rest)
        return done

    async def send(self, c: Claimed) -> SendResult:
        return await send(self.client, c.url, c.secret, c.id, c.payload,
                          self.settings.webhook_timeout, self.settings.webhook_allow_private)

    def release(self, ids: list[str]) -> None:
        with writing(self.engine) as conn:
            conn.execute(update(deliveries).where(
                deliveries.c.id.in_(ids), deliveries.c.lease_owner == self.owner,
            ).values(lease_owner=None, lease_until=None))

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


