"""Current status, history and evidence per designation, as the API serves them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, select

from tracker.config import Catalog
from tracker.domain.designations import Designation
from tracker.domain.events import (
    EvidenceRecorded,
    EvidenceRejected,
    StageOverridden,
)
from tracker.domain.status import DesignationState, Reading, Timeline, Transition, evolve
from tracker.projections.tables import decisions, designation_status, evidence
from tracker.projections.upsert import upsert
from tracker.store.database import insert_many
from tracker.store.log import StoredEvent

EVIDENCE_SHOWN = 25  # per stage in a status document; the total is given beside


def iso(value: datetime | None) -> str | None:
    """UTC ISO 8601 with a Z, the API's one time format."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def reading_json(r: Reading) -> dict[str, Any]:
    return {"url": r.url, "title": r.title, "feed": r.feed, "published_at": iso(r.published_at),
            "stage": r.stage, "confidence": round(r.confidence, 3), "quote": r.quote,
            "observation_id": r.observation_id, "classifier_version": r.classifier_version,
            "recorded_at": r.recorded_at, "position": r.position}


def transition_json(t: Transition) -> dict[str, Any]:
    return {"from": t.from_stage, "to": t.to_stage, "since": iso(t.since),
            "recorded_at": t.recorded_at, "position": t.position, "cause": t.cause,
            "reason": t.reason, "evidence": [reading_json(r) for r in t.evidence[:EVIDENCE_SHOWN]],
            "evidence_total": len(t.evidence)}


def status_document(state: DesignationState, timeline: Timeline) -> dict[str, Any]:
    d = state.designation
    return {
        "designation": d.id, "title": d.title, "stage": timeline.stage,
        "since": iso(timeline.since), "recorded_at": state.recorded_at,
        "position": state.position, "stages": list(d.stages),
        "evidence": [reading_json(r) for r in timeline.evidence[:EVIDENCE_SHOWN]],
        "evidence_total": len(timeline.evidence),
        "history": [transition_json(t) for t in timeline.history],
    }


def empty_document(designation: Designation) -> dict[str, Any]:
    return status_document(DesignationState(designation), Timeline(None, None, (), ()))


class StatusProjection:
    """Folds each designation's stream into its status document, evidence and decisions."""

    name = "status"
    types = frozenset({"EvidenceRecorded", "StageOverridden", "EvidenceRejected",
                       "StatusChanged"})
    tables: tuple[Table, ...] = (designation_status, evidence, decisions)

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.states: dict[str, DesignationState] = {}

    def forget(self) -> None:
        self.states.clear()

    def _state(self, conn: Connection, name: str) -> DesignationState | None:
        if name not in self.states:
            designation = self.catalog.designations.get(name)
            if designation is None:
                return None  # a designation since removed from feeds.yaml: kept in the log only
            self.states[name] = load_state(conn, designation)
        return self.states[name]

    def apply(self, conn: Connection, batch: list[tuple[StoredEvent, Any]]) -> None:
        touched: set[str] = set()
        evidence_rows, decision_rows = [], []
        for stored, event in batch:
            state = self._state(conn, event.designation)
            if state is None:
                continue
            evolve(state, event, stored.position, stored.recorded_at, stored.version)
            touched.add(event.designation)
            if isinstance(event, EvidenceRecorded):
                evidence_rows.append(evidence_row(stored, event))
            elif isinstance(event, StageOverridden | EvidenceRejected):
                decision_rows.append(decision_row(stored, event))
        insert_many(conn, evidence, evidence_rows)
        insert_many(conn, decisions, decision_rows)
        for name in sorted(touched):
            state = self.states[name]
            timeline = state.timeline()
            upsert(conn, designation_status, {
                "designation": name, "stage": timeline.stage, "since": iso(timeline.since),
                "position": state.position, "recorded_at": state.recorded_at,
                "document": json.dumps(status_document(state, timeline)),
            }, key="designation")


def evidence_row(stored: StoredEvent, e: EvidenceRecorded) -> dict[str, Any]:
    return {"position": stored.position, "designation": e.designation,
            "observation_id": e.observation_id, "stage": e.stage, "confidence": e.confidence,
            "quote": e.quote, "classifier_version": e.classifier_version, "feed": e.feed,
            "url": e.url, "title": e.title, "published_at": e.published_at.isoformat(),
            "recorded_at": stored.recorded_at}


def decision_row(stored: StoredEvent, e: StageOverridden | EvidenceRejected) -> dict[str, Any]:
    override = isinstance(e, StageOverridden)
    return {"position": stored.position, "designation": e.designation,
            "kind": "override" if override else "rejection",
            "stage": e.stage if isinstance(e, StageOverridden) else None,
            "observation_id": None if isinstance(e, StageOverridden) else e.observation_id,
            "reason": e.reason, "analyst": e.analyst,
            "effective_at": e.effective_at.isoformat() if isinstance(e, StageOverridden) else None,
            "recorded_at": stored.recorded_at}


def load_state(conn: Connection, designation: Designation,
               known_at: str | None = None) -> DesignationState:
    """Rebuild a designation's state from its projected rows, optionally as known at a time."""
    state = DesignationState(designation)
    facts: list[tuple[int, str, object]] = []
    for table, to_event in ((evidence, _evidence_event), (decisions, _decision_event)):
        query = select(table).where(table.c.designation == designation.id)
        if known_at is not None:
            query = query.where(table.c.recorded_at <= known_at)
        facts.extend((r.position, r.recorded_at, to_event(r)) for r in conn.execute(query))
    for position, recorded_at, event in sorted(facts, key=lambda f: f[0]):
        evolve(state, event, position, recorded_at)
    status = conn.execute(select(designation_status.c.document).where(
        designation_status.c.designation == designation.id)).scalar()
    if status and known_at is None:
        state.recorded_stage = json.loads(status)["stage"]
    return state


def _evidence_event(r: Any) -> EvidenceRecorded:
    return EvidenceRecorded(r.designation, r.observation_id, r.stage, r.confidence, r.quote,
                            r.classifier_version, r.feed, r.url, r.title,
                            datetime.fromisoformat(r.published_at))


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


