"""The read side: what the API and the CLI answer, queried from the projections' tables."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from tracker.config import Catalog
from tracker.domain.documents import iso
from tracker.domain.status import OFFICIAL, withdrawn_key
from tracker.errors import UnknownDesignation
from tracker.lists.watch import entries_of
from tracker.lists.watch import stream_of as list_stream
from tracker.projections.status import (
    current_document,
    document_at,
)
from tracker.projections.tables import decisions as decisions_table
from tracker.projections.tables import designation_status, disputes, feed_health
from tracker.store.log import EventLog, StoredEvent
from tracker.store.tables import feed_schedule


def utc(value: datetime) -> datetime:
    """Naive times are taken as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def log_time(value: datetime) -> str:
    return utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def status_json(engine: Engine, catalog: Catalog, name: str, as_of: datetime | None = None,
                known_at: datetime | None = None) -> str:
    """A designation's status document as JSON text: projected, or re-derived for a time."""
    designation = catalog.designations.get(name)
    if designation is None:
        raise UnknownDesignation(name)
    if as_of is None and known_at is None:
        body = current_document(engine, designation)[0]
        with engine.connect() as conn:
            raised = disputes_of(conn, name)
        if not raised:  # the projected document as it is, with no dispute
            return body[:-1] + ', "disputed": null}' if body.endswith("}") else body
        document = json.loads(body)
    else:
        with engine.connect() as conn:
            known = log_time(known_at) if known_at else None
            document = document_at(conn, designation, known, utc(as_of) if as_of else None)
            raised = disputes_of(conn, name, known)
    document["disputed"] = disputed(document, raised)
    return json.dumps(document)


def disputes_of(conn: Connection, name: str, known_at: str | None = None) -> list[Any]:
    query = select(disputes).where(disputes.c.designation == name)
    if known_at is not None:
        query = query.where(disputes.c.recorded_at <= known_at)
    return list(conn.execute(query.order_by(disputes.c.position)))


def disputed(document: dict[str, Any], raised: list[Any]) -> dict[str, Any] | None:
    """The dispute an official list raised against the current step, while it stands and no
    official entry has since confirmed it; else None."""
    current = next((t for t in reversed(document["history"]) if t["withdrawn"] is None), None)
    if current is None or any(r["basis"] == OFFICIAL for r in document["evidence"]):
        return None
    for row in reversed(raised):
        if row.step_position == current["position"]:
            return {"designation": row.designation, "list": row.list_id, "stage": row.stage,
                    "step_position": row.step_position, "polls": row.polls,
                    "entry": row.entry, "since": row.at, "position": row.position}
    return None


def history(engine: Engine, catalog: Catalog, name: str, as_of: datetime | None = None,
            known_at: datetime | None = None) -> dict[str, Any]:
    document = json.loads(status_json(engine, catalog, name, as_of, known_at))
    return {"designation": name, "title": document["title"], "history": document["history"]}


def designations(engine: Engine, catalog: Catalog) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = {r.designation: r for r in conn.execute(select(designation_status))}
    out = []
    for d in catalog.designations.values():
        row = rows.get(d.id)
        out.append({"designation": d.id, "title": d.title, "stages": list(d.stages),
                    "stage": row.stage if row else None, "since": row.since if row else None,
                    "position": row.position if row else 0})
    return out


def lists(engine: Engine, log: EventLog, catalog: Catalog) -> list[dict[str, Any]]:
    """Each official list's health, as for feeds, with its entries as the log holds them."""
    out = []
    for health in feeds(engine, catalog, catalog.lists.values()):
        config = catalog.lists[health["id"]]
        entries = entries_of(log.read_stream(list_stream(config.id)))
        out.append({**health, "format": config.format,
                    "disputed_after": config.disputed_after, "entries": len(entries)})
    return out


def feeds(engine: Engine, catalog: Catalog, sources: Iterable[Any] | None = None) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        health = {r.feed: r for r in conn.execute(select(feed_health))}
        schedule = {r.feed: r for r in conn.execute(select(feed_schedule))}
    out = []
    for feed in catalog.feeds.values() if sources is None else sources:
        h, s = health.get(feed.id), schedule.get(feed.id)
        next_poll = None
        if s is not None and not s.gone:
            next_poll = iso(datetime.fromtimestamp(s.next_poll_at, UTC))
        out.append({
            "id": feed.id, "url": (s.url if s else None) or feed.url,
            "configured_url": feed.url, "interval_seconds": feed.interval,
            "designations": feed.designations,
            "last_poll": h.last_poll_at if h else None,
            "last_success": h.last_success_at if h else None,
            "last_outcome": h.last_outcome if h else None,
            "last_status": h.last_status if h else None,
            "consecutive_failures": h.consecutive_failures if h else 0,
            "failing_since": h.failing_since if h else None,
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


def events(log: EventLog, after: int, limit: int) -> dict[str, Any]:
    rows = log.read_batch(after, limit)
    head, head_hash = log.head()
    return {"events": [event_json(e) for e in rows],
            "next_after": rows[-1].position if rows else after,
            "head": {"position": head, "hash": head_hash}}


def decisions(engine: Engine, name: str) -> list[dict[str, Any]]:
    """The analysts' decisions on a designation, in log order: overrides set, evidence
    rejected, overrides withdrawn (each with the position of what it withdrew)."""
    d = decisions_table.c
    with engine.connect() as conn:
        rows = conn.execute(select(decisions_table).where(d.designation == name)
                            .order_by(d.position)).all()
    withdrawn = {r.observation_id for r in rows if r.kind == "withdrawal"}
    return [{"position": r.position, "kind": r.kind, "stage": r.stage, "reason": r.reason,
             "analyst": r.analyst, "recorded_at": r.recorded_at,
             "effective_at": iso(datetime.fromisoformat(r.effective_at)) if r.effective_at else None,
             "observation_id": r.observation_id if r.kind == "rejection" else None,
             "withdraws": int(r.observation_id.partition("@")[2]) if r.kind == "withdrawal"
             else None,
             "withdrawn": r.kind == "override" and withdrawn_key(r.position) in withdrawn}
            for r in rows]


def feed_summary(engine: Engine, catalog: Catalog, designation: str | None = None) -> dict[str, Any]:
    """How the feeds (those read for a designation, or all) fare: how many, which are failing
    and since when (the earliest run of failures), and when one was last polled."""
    rows = [f for f in feeds(engine, catalog)
            if designation is None or not f["designations"] or designation in f["designations"]]
    failing = [f for f in rows if f["consecutive_failures"] or f["gone"]]
    since = [f["failing_since"] for f in failing if f["failing_since"]]
    polled = [f["last_poll"] for f in rows if f["last_poll"]]
    return {"total": len(rows), "failing": failing, "failing_since": min(since, default=None),
            "last_poll": max(polled, default=None)}
