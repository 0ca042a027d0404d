"""The read side: what the API and the CLI answer, queried from the projections' tables."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from tracker.bootstrap import Tracker
from tracker.domain.status import withdrawn_key
from tracker.errors import UnknownDesignation
from tracker.projections.status import (
    current_document,
    document_at,
)
from tracker.projections.tables import decisions as decisions_table
from tracker.projections.tables import designation_status, feed_health
from tracker.store.log import StoredEvent
from tracker.store.tables import feed_schedule


def utc(value: datetime) -> datetime:
    """Naive times are taken as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def log_time(value: datetime) -> str:
    return utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def status_json(tracker: Tracker, name: str, as_of: datetime | None = None,
                known_at: datetime | None = None) -> str:
    """A designation's status document as JSON text: projected, or re-derived for a time."""
    designation = tracker.catalog.designations.get(name)
    if designation is None:
        raise UnknownDesignation(name)
    if as_of is None and known_at is None:
        return current_document(tracker.engine, designation)[0]
    with tracker.engine.connect() as conn:
        document = document_at(conn, designation, log_time(known_at) if known_at else None,
                               utc(as_of) if as_of else None)
    return json.dumps(document)


def history(tracker: Tracker, name: str, as_of: datetime | None = None,
            known_at: datetime | None = None) -> dict[str, Any]:
    document = json.loads(status_json(tracker, name, as_of, known_at))
    return {"designation": name, "title": document["title"], "history": document["history"]}


def designations(tracker: Tracker) -> list[dict[str, Any]]:
    with tracker.engine.connect() as conn:
        rows = {r.designation: r for r in conn.execute(select(designation_status))}
    out = []
    for d in tracker.catalog.designations.values():
        row = rows.get(d.id)
        out.append({"designation": d.id, "title": d.title, "stages": list(d.stages),
                    "stage": row.stage if row else None, "since": row.since if row else None,
                    "position": row.position if row else 0})
    return out


def feeds(tracker: Tracker) -> list[dict[str, Any]]:
    with tracker.engine.connect() as conn:
        health = {r.feed: r for r in conn.execute(select(feed_health))}
        schedule = {r.feed: r for r in conn.execute(select(feed_schedule))}
    out = []
    for feed in tracker.catalog.feeds.values():
        h, s = health.get(feed.id), schedule.get(feed.id)
        next_poll = None
        if s is not None and not s.gone:
            next_poll = datetime.fromtimestamp(s.next_poll_at, UTC).isoformat().replace(
                "+00:00", "Z")
        out.append({
            "id": feed.id, "url": (s.url if s else None) or feed.url,
            "configured_url": feed.url, "interval_seconds": feed.interval,
            "designations": feed.designations,
            "last_poll": h.last_poll_at if h else None,
            "last_success": h.last_success_at if h else None,
            "last_outcome": h.last_outcome if h else None,
            "last_status": h.last_status if h else None,
            "consecutive_failures": h.consecutive_failures if h else 0,
            "last_error": h.last_error if h else None,
            "next_poll": next_poll,
            "entries_seen": h.entries_seen if h else 0,
            "gone": bool(h.gone) if h else False,
        })
    return out


def event_json(e: StoredEvent) -> dict[str, Any]:
    """One stored event as the audit endpoints and exports give it."""
    return {"position": e.position, "stream": e.stream, "version": e.version, "type": e.type,
            "type_version": e.type_version, "idempotency_key": e.idempotency_key,
            "recorded_at": e.recorded_at, "payload": json.loads(e.payload),
            "prev_hash": e.prev_hash, "hash": e.hash}


def events(tracker: Tracker, after: int, limit: int) -> dict[str, Any]:
    rows = tracker.log.read_batch(after, limit)
    head, head_hash = tracker.log.head()
    return {"events": [event_json(e) for e in rows],
            "next_after": rows[-1].position if rows else after,
            "head": {"position": head, "hash": head_hash}}


def decisions(tracker: Tracker, name: str) -> list[dict[str, Any]]:
    """The analysts' decisions on a designation, in log order: overrides set, evidence
    rejected, overrides withdrawn (each with the position of what it withdrew)."""
    d = decisions_table.c
    with tracker.engine.connect() as conn:
        rows = conn.execute(select(decisions_table).where(d.designation == name)
                            .order_by(d.position)).all()
    withdrawn = {r.observation_id for r in rows if r.kind == "withdrawal"}
    return [{"position": r.position, "kind": r.kind, "stage": r.stage, "reason": r.reason,
             "analyst": r.analyst, "recorded_at": r.recorded_at, "effective_at": r.effective_at,
             "observation_id": r.observation_id if r.kind == "rejection" else None,
             "withdraws": int(r.observation_id.partition("@")[2]) if r.kind == "withdrawal"
             else None,
             "withdrawn": r.kind == "override" and withdrawn_key(r.position) in withdrawn}
            for r in rows]
