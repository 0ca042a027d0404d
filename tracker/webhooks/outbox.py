"""The outbox: a follower of the log that turns each status change into deliveries.

Its rows and its checkpoint are written in one transaction, so a transition recorded is a
delivery created, whatever crashes or restarts come between.
"""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import Connection, Table, select

from tracker.domain.documents import iso, reading_from_row, reading_json
from tracker.domain.events import EvidenceRecorded, StatusChanged, StatusDisputed
from tracker.domain.status import Reading
from tracker.domain.timeline import reading_of
from tracker.projections.tables import evidence
from tracker.services.designations import stream_of
from tracker.store.database import insert_new
from tracker.store.log import EventLog, StoredEvent
from tracker.webhooks.tables import deliveries, subscriptions

NAME = "webhook_outbox"


def dispute_json(e: StatusDisputed, position: int) -> dict[str, Any]:
    """A dispute as webhooks and the status document give it."""
    return {"designation": e.designation, "list": e.list, "stage": e.stage,
            "step_position": e.step_position, "polls": e.polls, "entry": e.entry,
            "since": iso(e.at), "position": position}


def delivery_id(position: int, subscription: str) -> str:
    return f"msg_{position}_{subscription.removeprefix('sub_')}"


class Outbox:
    name = NAME
    types = frozenset({"StatusChanged", "StatusDisputed"})
    tables: tuple[Table, ...] = ()  # deliveries are never rebuilt: they carry attempts

    def __init__(self, log: EventLog) -> None:
        self.log = log

    def forget(self) -> None:
        pass

    def apply(self, conn: Connection, batch: list[tuple[StoredEvent, Any]]) -> None:
        subs = conn.execute(select(subscriptions).where(
            subscriptions.c.deleted.is_(False), subscriptions.c.disabled_reason.is_(None))).all()
        rows = []
        for stored, change in batch:
            payload = json.dumps(self.payload(conn, stored, change), separators=(",", ":"))
            for sub in subs:
                wanted = json.loads(sub.designations) if sub.designations else None
                if stored.position <= sub.from_position or (
                        wanted is not None and change.designation not in wanted):
                    continue
                rows.append({"id": delivery_id(stored.position, sub.id),
                             "subscription_id": sub.id, "position": stored.position,
                             "payload": payload, "status": "pending", "attempts": 0,
                             "next_attempt_at": time.time(), "recorded_at": stored.recorded_at})
        if rows:
            insert_new(conn, deliveries, rows)

    def payload(self, conn: Connection, stored: StoredEvent,
                change: StatusChanged | StatusDisputed) -> dict[str, Any]:
        """status.changed for a step taken; status.corrected for a step withdrawn by later
        news (its `since` is when the news against it tipped it, its evidence that news);
        status.disputed when an official list keeps contradicting a step the news took."""
        if isinstance(change, StatusDisputed):
            return {"type": "status.disputed", "timestamp": stored.recorded_at,
                    "data": dispute_json(change, stored.position)}
        kind = "status.corrected" if change.cause == "correction" else "status.changed"
        return {"type": kind, "timestamp": stored.recorded_at,
                "data": {"designation": change.designation, "from": change.from_stage,
                         "to": change.to_stage, "since": iso(change.since),
                         "position": stored.position, "cause": change.cause,
                         "evidence": self._evidence(conn, stored, change)}}

    def _evidence(self, conn: Connection, stored: StoredEvent, change: StatusChanged) -> list[dict[str, Any]]:
        """The readings behind the change, as they stood when it was recorded: from the
        evidence projection, or from the log where that projection is behind."""
        wanted = set(change.observation_ids)
        found: dict[str, Reading] = {}
        rows = conn.execute(select(evidence).where(
            evidence.c.designation == change.designation,
            evidence.c.observation_id.in_(sorted(wanted)),
            evidence.c.position < stored.position).order_by(evidence.c.position)).all()
        for r in rows:
            found[r.observation_id] = reading_from_row(r)
        if wanted <= found.keys():
            return [reading_json(found[o]) for o in change.observation_ids]
        for e in self.log.read_stream(stream_of(change.designation)):
            if e.position >= stored.position:
                break
            if e.type != "EvidenceRecorded":
                continue
            ev: EvidenceRecorded = e.decode()
            if ev.observation_id in wanted:
                found[ev.observation_id] = reading_of(ev, e.position, e.recorded_at)
        return [reading_json(found[o]) for o in change.observation_ids if o in found]
