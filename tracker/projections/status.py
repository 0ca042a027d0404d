"""Current status, history and evidence per designation, as the API serves them."""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, exists, or_, select

from tracker.config import Catalog
from tracker.domain.designations import Designation
from tracker.domain.documents import empty_document, iso, reading_from_row, status_document
from tracker.domain.events import (
    EvidenceRecorded,
    EvidenceRejected,
    OverrideWithdrawn,
    StageOverridden,
)
from tracker.domain.status import (
    Item,
    Key,
    Reading,
    fold,
    key_of,
    known,
    micros,
    settable,
    withdrawn_key,
)
from tracker.domain.timeline import DesignationTimeline, Source, override_of
from tracker.projections.tables import decisions, designation_status, evidence
from tracker.store.database import insert_many, upsert, where_in
from tracker.store.log import StoredEvent


class Projected(DesignationTimeline):
    """One designation as the projection holds it: the fold and the rejections, not the
    readings, which stay in the tables and are read back only to fold again."""

    def __init__(self, designation: Designation, rejected: set[str], position: int = 0,
                 recorded_at: str | None = None) -> None:
        super().__init__(designation, rejected)
        self.position, self.recorded_at = position, recorded_at


class StatusProjection:
    """Folds each designation's stream into its status document, evidence and decisions."""

    name = "status"
    types = frozenset({"EvidenceRecorded", "StageOverridden", "EvidenceRejected",
                       "OverrideWithdrawn", "StatusChanged"})
    tables: tuple[Table, ...] = (designation_status, evidence, decisions)

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.states: dict[str, Projected] = {}

    def forget(self) -> None:
        self.states.clear()

    def _state(self, conn: Connection, name: str) -> Projected | None:
        if name not in self.states:
            designation = self.catalog.designations.get(name)
            if designation is None:
                return None  # a designation since removed from feeds.yaml: kept in the log only
            self.states[name] = load_projected(conn, designation)
        return self.states[name]

    def apply(self, conn: Connection, batch: list[tuple[StoredEvent, Any]]) -> None:
        touched: set[str] = set()
        evidence_rows, decision_rows = [], []
        latest = latest_readings(conn, batch)  # (designation, observation) -> newest reading
        for stored, event in batch:
            state = self._state(conn, event.designation)
            if state is None:
                continue
            state.position, state.recorded_at = stored.position, stored.recorded_at
            touched.add(event.designation)
            seen = (event.designation, getattr(event, "observation_id", ""))
            reading = state.apply(event, stored.position, stored.recorded_at, latest.get(seen))
            if isinstance(event, EvidenceRecorded):
                evidence_rows.append(evidence_row(stored, event))
                latest[seen] = reading  # type: ignore[assignment]
            elif isinstance(event, StageOverridden | EvidenceRejected | OverrideWithdrawn):
                decision_rows.append(decision_row(stored, event))
        insert_many(conn, evidence, evidence_rows)
        insert_many(conn, decisions, decision_rows)
        rows = []
        for name in sorted(touched):
            state = self.states[name]
            state.settle(from_tables(conn, state.designation))
            timeline = state.result()
            rows.append({
                "designation": name, "stage": timeline.stage, "since": iso(timeline.since),
                "position": state.position, "recorded_at": state.recorded_at,
                "document": json.dumps(status_document(state.designation, timeline,
                                                       state.position, state.recorded_at)),
            })
        upsert(conn, designation_status, rows, key="designation")


def evidence_row(stored: StoredEvent, e: EvidenceRecorded) -> dict[str, Any]:
    return {"position": stored.position, "designation": e.designation,
            "observation_id": e.observation_id, "stage": e.stage, "confidence": e.confidence,
            "quote": e.quote, "classifier_version": e.classifier_version, "feed": e.feed,
            "url": e.url, "title": e.title, "published_at": e.published_at.isoformat(),
            "recorded_at": stored.recorded_at, "effective": micros(e.published_at),
            "basis": e.basis, "date_source": e.date_source}


def decision_row(stored: StoredEvent,
                 e: StageOverridden | EvidenceRejected | OverrideWithdrawn) -> dict[str, Any]:
    row = {"position": stored.position, "designation": e.designation, "reason": e.reason,
           "analyst": e.analyst, "recorded_at": stored.recorded_at}
    if isinstance(e, StageOverridden):
        return row | {"kind": "override", "stage": e.stage, "observation_id": None,
                      "effective_at": e.effective_at.isoformat(),
                      "effective": micros(e.effective_at)}
    if isinstance(e, OverrideWithdrawn):  # named as the fold names it among the rejected
        return row | {"kind": "withdrawal", "stage": None,
                      "observation_id": withdrawn_key(e.override_position),
                      "effective_at": None, "effective": None}
    return row | {"kind": "rejection", "stage": None, "observation_id": e.observation_id,
                  "effective_at": None, "effective": None}


def latest_readings(conn: Connection,
                    batch: list[tuple[StoredEvent, Any]]) -> dict[tuple[str, str], Reading]:
    """The newest stored reading of each observation this batch's evidence or rejections
    name, per designation, in one query (or one per thousand, where that is the limit)."""
    wanted = {(e.designation, e.observation_id) for _, e in batch
              if isinstance(e, EvidenceRecorded | EvidenceRejected)}
    ids = sorted({obs for _, obs in wanted})
    found: dict[tuple[str, str], Reading] = {}
    if not ids:
        return found
    columns = ", ".join(c.name for c in evidence.columns)
    for r in where_in(conn, f"SELECT {columns} FROM evidence WHERE observation_id", ids):
        seen = (r.designation, r.observation_id)
        if seen in wanted and (seen not in found or found[seen].position < r.position):
            found[seen] = reading_from_row(r)
    return found


def stored_items(conn: Connection, designation: Designation, after: Key | None = None,
                 known_at: str | None = None, as_of: datetime | None = None) -> Iterator[Item]:
    """The designation's readings (the newest of each observation) and overrides, from the
    tables, in effective order: from `after` on, as known at `known_at`, up to `as_of`."""
    e, newer, d = evidence, evidence.alias("newer"), decisions
    superseded = exists().where(newer.c.designation == e.c.designation,
                                newer.c.observation_id == e.c.observation_id,
                                newer.c.position > e.c.position)
    readings = select(e).where(e.c.designation == designation.id)
    overrides = select(d).where(d.c.designation == designation.id, d.c.kind == "override")
    if known_at is not None:
        superseded = superseded.where(newer.c.recorded_at <= known_at)
        readings = readings.where(e.c.recorded_at <= known_at)
        overrides = overrides.where(d.c.recorded_at <= known_at)
    if after is not None:
        when, position = micros(after[0]), after[1]
        readings = readings.where(or_(e.c.effective > when, and_(
            e.c.effective == when, e.c.position >= position)))
        overrides = overrides.where(or_(d.c.effective > when, and_(
            d.c.effective == when, d.c.position >= position)))
    if as_of is not None:
        readings = readings.where(e.c.effective <= micros(as_of))
        overrides = overrides.where(d.c.effective <= micros(as_of))
    readings = readings.where(~superseded).order_by(e.c.effective, e.c.position)
    decided = [override_of(_decision_event(r), r.position, r.recorded_at)  # type: ignore[arg-type]
               for r in conn.execute(overrides) if settable(designation, r.stage)]
    rows = conn.execute(readings.execution_options(yield_per=2000))
    found = (reading_from_row(r) for r in rows if known(designation, r.stage))
    yield from heapq.merge(found, sorted(decided, key=key_of), key=key_of)


def from_tables(conn: Connection, designation: Designation) -> Source:
    """Where a projected timeline reads what it folds again: the tables."""
    return lambda after: stored_items(conn, designation, after=after)


def rejections(conn: Connection, designation: Designation,
               known_at: str | None = None) -> set[str]:
    query = select(decisions.c.observation_id).where(
        decisions.c.designation == designation.id,
        decisions.c.kind.in_(("rejection", "withdrawal")))
    if known_at is not None:
        query = query.where(decisions.c.recorded_at <= known_at)
    return {r[0] for r in conn.execute(query)}


def load_projected(conn: Connection, designation: Designation) -> Projected:
    """A designation's projected state, folded again from its rows."""
    row = conn.execute(select(designation_status.c.position, designation_status.c.recorded_at)
                       .where(designation_status.c.designation == designation.id)).first()
    state = Projected(designation, rejections(conn, designation),
                      *((int(row[0]), row[1]) if row else ()))
    state.dirty = True  # everything is to be read from the tables
    state.settle(from_tables(conn, designation))
    return state


def document_at(conn: Connection, designation: Designation, known_at: str | None = None,
                as_of: datetime | None = None) -> dict[str, Any]:
    """The status document as effective at `as_of` and as known at `known_at`, from the
    tables, folding the rows as they stream by."""
    last = None
    for table in (evidence, decisions):
        query = select(table.c.position, table.c.recorded_at).where(
            table.c.designation == designation.id)
        if known_at is not None:
            query = query.where(table.c.recorded_at <= known_at)
        row = conn.execute(query.order_by(table.c.position.desc()).limit(1)).first()
        if row is not None and (last is None or row[0] > last[0]):
            last = row
    if last is None:
        return empty_document(designation)
    timeline = fold(designation, stored_items(conn, designation, known_at=known_at, as_of=as_of),
                    rejections(conn, designation, known_at))
    return status_document(designation, timeline, int(last[0]), last[1])


def _decision_event(r: Any) -> StageOverridden | EvidenceRejected:
    if r.kind == "override":
        return StageOverridden(r.designation, r.stage, r.reason,
                               datetime.fromisoformat(r.effective_at), r.analyst)
    return EvidenceRejected(r.designation, r.observation_id, r.reason, r.analyst)


def current_document(engine: Engine, designation: Designation) -> tuple[str, int]:
    """The projected status document as stored (JSON text) and its position."""
    with engine.connect() as conn:
        row = conn.execute(select(designation_status.c.document, designation_status.c.position)
                           .where(designation_status.c.designation == designation.id)).first()
    if row is None:
        return json.dumps(empty_document(designation)), 0
    return row[0], int(row[1])


