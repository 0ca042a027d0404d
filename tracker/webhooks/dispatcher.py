"""Sending the outbox: leased, in log order per subscription, retried with growing delays.

Several instances share the work: a delivery is leased by a conditional update, so each is
sent by one instance at a time, and one leased by an instance that died is taken over when
its lease runs out. Per subscription only a run of pending deliveries that starts at the
oldest, or right after the ones this instance holds, is leased, so a receiver never sees a
later transition before an earlier one; a delivery marked failed after its last retry no
longer holds the later ones back.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import Connection, Engine, func, text, update

from tracker.metrics import Metrics
from tracker.outbound import redacted
from tracker.settings import Settings
from tracker.store.database import insert_many, writing
from tracker.store.log import now_iso
from tracker.webhooks.sender import SendResult, send
from tracker.webhooks.tables import attempts, deliveries, subscriptions

logger = logging.getLogger("tracker.webhooks")
LEASE_MARGIN = 30.0
RUN = 100  # deliveries of one subscription leased at a time

ACTIVE = text("SELECT id, url, secret FROM webhook_subscriptions "
              "WHERE NOT deleted AND disabled_reason IS NULL ORDER BY id")
# One subscription's oldest pending deliveries after a position: an index range scan on
# (status, subscription_id, position). Several subscriptions' go in one statement.
PENDING = ("SELECT * FROM (SELECT subscription_id, id, position, payload, attempts, recorded_at, "
           "next_attempt_at, lease_until FROM webhook_deliveries WHERE status = 'pending' "
           "AND subscription_id = :s{n} AND position > :a{n} ORDER BY position LIMIT :n{n}) AS p{n}")
CHUNK = 50  # subscriptions per statement
RECORD = text("UPDATE webhook_deliveries SET status = :status, attempts = :attempts, "
              "next_attempt_at = COALESCE(:next_attempt_at, next_attempt_at), "
              "lease_owner = NULL, lease_until = NULL, last_status_code = :code, "
              "last_error = :error, delivered_at = :delivered_at WHERE id = :id")


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
    position: int = 0


Answer = tuple[Claimed, SendResult]


class Dispatcher:
    def __init__(self, engine: Engine, settings: Settings, metrics: Metrics, owner: str,
                 client: httpx.AsyncClient) -> None:
        self.engine, self.settings, self.metrics = engine, settings, metrics
        self.owner, self.client = owner, client
        self.delays = settings.retry_delays
        self.rng = random.Random()

    def round(self, answers: list[Answer] = (), release: list[str] = (),  # type: ignore[assignment]
              lanes: dict[str, tuple[int, int | None]] | None = None,
              run: int = RUN) -> list[list[Claimed]]:
        """One short transaction: record the answers, release what will not be sent, and
        lease what is due next. `lanes` maps a subscription to (room, position of the last
        delivery this instance holds, or None when it holds none); others get `run` room.
        A round lost in a server crash means deliveries sent again: at least once."""
        with writing(self.engine, durable=False) as conn:
            self._record(conn, answers)
            if release:
                conn.execute(update(deliveries).where(
                    deliveries.c.id.in_(list(release)), deliveries.c.lease_owner == self.owner,
                ).values(lease_owner=None, lease_until=None))
            return self._claim(conn, lanes or {}, run)

    def claim(self, run: int = RUN) -> list[list[Claimed]]:
        """Lease, for each subscription whose oldest pending delivery is due and free, its
        oldest pending deliveries (up to `run`), in log order."""
        return self.round(run=run)

    def _claim(self, conn: Connection, lanes: dict[str, tuple[int, int | None]],
               run: int) -> list[list[Claimed]]:
        now = time.time()
        lease = now + self.settings.webhook_timeout + LEASE_MARGIN
        subs = {s.id: s for s in conn.execute(ACTIVE).all()}
        asked = [(sub, *lanes.get(sub, (run, None))) for sub in subs]
        asked = [a for a in asked if a[1] > 0]
        pending: dict[str, list[Any]] = {}
        for i in range(0, len(asked), CHUNK):
            chunk = asked[i:i + CHUNK]
            sql = " UNION ALL ".join(PENDING.format(n=n) for n in range(len(chunk)))
            params: dict[str, Any] = {}
            for n, (sub, room, after) in enumerate(chunk):
                params |= {f"s{n}": sub, f"a{n}": -1 if after is None else after, f"n{n}": room}
            for r in conn.execute(text(sql), params):
                pending.setdefault(r.subscription_id, []).append(r)
        wanted: dict[str, list[Claimed]] = {}
        for sub_id, rows in pending.items():
            sub = subs[sub_id]
            run_of: list[Claimed] = []
            for r in sorted(rows, key=lambda r: r.position):  # free and due, in log order
                if (r.lease_until is not None and r.lease_until >= now) or r.next_attempt_at > now:
                    break
                run_of.append(Claimed(r.id, sub.id, sub.url, sub.secret, r.payload,
                                      r.attempts, r.recorded_at, lease, r.position))
            if run_of:
                wanted[sub.id] = run_of
        if not wanted:
            return []
        ids = [c.id for cs in wanted.values() for c in cs]
        got = set(conn.execute(update(deliveries).where(
            deliveries.c.id.in_(ids), deliveries.c.status == "pending",
            func.coalesce(deliveries.c.lease_until, 0.0) < now,
        ).values(lease_owner=self.owner, lease_until=lease).returning(deliveries.c.id)).scalars())
        runs, lost = [], []
        for cs in wanted.values():  # keep each run up to the first another instance took
            n = next((i for i, c in enumerate(cs) if c.id not in got), len(cs))
            if cs[:n]:
                runs.append(cs[:n])
            lost += [c.id for c in cs[n:] if c.id in got]
        if lost:
            conn.execute(update(deliveries).where(deliveries.c.id.in_(lost)).values(
                lease_owner=None, lease_until=None))
        return runs

    async def run_once(self) -> int:
        """Send what is due now and record the answers; return how many were attempted."""
        runs = await asyncio.to_thread(self.claim)
        done = await asyncio.gather(*(self.send_run(r) for r in runs))
        answers = [a for sent, _ in done for a in sent]
        rest = [c.id for _, unsent in done for c in unsent]
        await asyncio.to_thread(self.round, answers, rest, None, 0)
        return len(answers)

    async def send_run(self, run: list[Claimed]) -> tuple[list[Answer], list[Claimed]]:
        """One subscription's deliveries, one after another, stopping at the first that is
        not accepted (its retry comes first) or when the lease would run out; returns the
        answers and the deliveries left unsent."""
        done: list[Answer] = []
        for c in run:
            if time.time() + self.settings.webhook_timeout > c.lease_until:
                break
            result = await self.send(c)
            done.append((c, result))
            if not result.ok:
                break
        return done, run[len(done):]

    async def send(self, c: Claimed) -> SendResult:
        return await send(self.client, c.url, c.secret, c.id, c.payload,
                          self.settings.webhook_timeout, self.settings.webhook_allow_private)

    def _record(self, conn: Connection, answers: list[Answer]) -> None:
        """Every answer's outcome and attempt, each kind in one batched statement."""
        if not answers:
            return
        now = time.time()
        at = now_iso(now)
        updates, tried = [], []
        for c, result in answers:
            attempt = c.attempts + 1
            row: dict[str, Any] = {"id": c.id, "attempts": attempt, "status": "pending",
                                   "next_attempt_at": None, "code": result.status_code,
                                   "error": result.error, "delivered_at": None}
            next_retry = None
            if result.ok:
                row.update(status="delivered", delivered_at=at)
                committed = datetime.fromisoformat(c.recorded_at.replace("Z", "+00:00"))
                self.metrics.delivery_latency.observe(max(0.0, now - committed.timestamp()))
                outcome = "delivered"
            elif result.status_code == 410:
                row.update(status="failed")
                conn.execute(update(subscriptions).where(subscriptions.c.id == c.subscription_id)
                             .values(disabled_reason="the receiver answered 410 Gone"))
                outcome = "gone"
            elif attempt > len(self.delays):
                row.update(status="failed")
                outcome = "failed"
            else:
                next_retry = now + self.delays[attempt - 1] * self.rng.uniform(0.8, 1.2)
                row.update(next_attempt_at=next_retry)
                outcome = "retry"
            updates.append(row)
            tried.append({"delivery_id": c.id, "attempt": attempt, "at": at,
                          "status_code": result.status_code, "error": result.error,
                          "duration_ms": result.duration_ms,
                          "next_retry_at": now_iso(next_retry) if next_retry else None})
            self.metrics.deliveries.labels(outcome).inc()
            if not result.ok:
                logger.warning("delivery %s to %s: %s (%s)", c.id, redacted(c.url), outcome,
                               result.error)
            elif logger.isEnabledFor(logging.INFO):
                logger.info("delivery %s to %s: %s", c.id, redacted(c.url), outcome)
        conn.execute(RECORD, updates)
        insert_many(conn, attempts, tried)


def retry(engine: Engine, delivery: str) -> bool:
    """Send a failed delivery again, now, with a fresh schedule of retries."""
    with writing(engine) as conn:
        return bool(conn.execute(update(deliveries).where(deliveries.c.id == delivery).values(
            status="pending", attempts=0, next_attempt_at=time.time(), lease_owner=None,
            lease_until=None)).rowcount)


